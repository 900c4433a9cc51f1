package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGettingStarted runs docs/getting-started.md as a new user would: its
// ```sh blocks, in order, in one bash (set -euo pipefail), in an empty
// directory, with the xtsync built from this tree on the PATH and the
// emulator the page starts. The page is right when every command runs and
// the steps say what the page says they say. (Its ```text, ```yaml blocks
// are output and excerpts, not run.)
func TestGettingStarted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds xtsync and runs the whole page: not with -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	page, err := os.ReadFile(filepath.Join("..", "..", "docs", "getting-started.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?ms)^```sh\n(.*?)^```$").FindAllSubmatch(page, -1)
	if len(blocks) < 8 {
		t.Fatalf("only %d sh blocks in docs/getting-started.md", len(blocks))
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, b := range blocks {
		script.Write(b[1])
	}

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "xtsync"), "../../cmd/xtsync")
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := filepath.Join(tmp, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	gitconfig := filepath.Join(tmp, "gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Ada Admin\n\temail = ada@contoso.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "-c", script.String())
	cmd.Dir = work
	cmd.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + tmp,
		"GIT_CONFIG_GLOBAL=" + gitconfig, "GIT_CONFIG_NOSYSTEM=1", "XTSYNC_LOCK_DIR=" + filepath.Join(tmp, "lock"), "NO_COLOR=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(8 * time.Minute):
		err = errTimeout
	}
	// The emulator the page starts in the background, if the page failed
	// before it stopped it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if err != nil {
		t.Fatalf("the page failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"imported 3 tenants into identity: 2 partnerships, 2 sync configurations (2 made in the portal",
		"wrote .github/workflows/xtsync.yml",
		"PASS: 5/5",
		"nested groups are not followed, assign \"EU-Engineering\"",
		"~ sync/contoso-eu/eu-to-us/app",
		"exit 4",
		"applied: 2 updated; converged",
		"PASS: 7/7",
		"+ sync/contoso-eu/eu-to-us/assignment/EU-Engineering",
		"contoso-eu/eu-to-us -> contoso-us: Active; 1 created",
		"assigned: yes: direct member of group \"EU-Engineering\"",
		"dry run: nothing to do, the live state matches the repository\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the page's run does not say %q:\n%s", want, out.String())
		}
	}
	comment, err := os.ReadFile(filepath.Join(work, "identity", "plan.md"))
	if err != nil || !strings.Contains(string(comment), "| jonas@contoso.eu | `contoso-eu/eu-to-us` | create |") {
		t.Errorf("the pull request's comment does not create jonas (%v):\n%s", err, comment)
	}
}

var errTimeout = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string { return "the page did not finish in 8 minutes" }
