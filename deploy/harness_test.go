package deploy_test

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// The version the test binary claims to be: the workflows pin it.
const testVersion = "v0.1.0"

var (
	root   string // this repository
	xtsync string // the xtsync binary the tests build
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		var err error
		if root, err = filepath.Abs(".."); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		dir, err := os.MkdirTemp("", "xtsync-deploy-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		xtsync = filepath.Join(dir, "xtsync")
		cmd := exec.Command("go", "build", "-ldflags", "-X github.com/xtsync/xtsync/internal/cli.Version="+testVersion, "-o", xtsync, "./cmd/xtsync")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build xtsync: %v\n%s", err, b)
			return 1
		}
		return m.Run()
	}())
}

// releaseServer serves testVersion's linux/amd64 archive of the test binary
// and its checksums.txt the way a GitHub release does, at
// URL/xtsync/xtsync/releases/download/VERSION/. corrupt serves an archive
// that does not match its checksum.
func releaseServer(t *testing.T, corrupt bool) *httptest.Server {
	t.Helper()
	asset := fmt.Sprintf("xtsync_%s_linux_amd64.tar.gz", strings.TrimPrefix(testVersion, "v"))
	var buf strings.Builder
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	bin, err := os.ReadFile(xtsync)
	if err != nil {
		t.Fatal(err)
	}
	tw.WriteHeader(&tar.Header{Name: "xtsync", Mode: 0o755, Size: int64(len(bin)), ModTime: time.Unix(1764000000, 0)})
	tw.Write(bin)
	tw.Close()
	gz.Close()
	archive := buf.String()
	sum := sha256.Sum256([]byte(archive))
	checksums := fmt.Sprintf("%x  %s\n", sum, asset)
	if corrupt {
		archive = archive[:len(archive)-10] + "0123456789"
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/xtsync/xtsync/releases/download/" + testVersion + "/" + asset:
			io.WriteString(w, archive)
		case "/xtsync/xtsync/releases/download/" + testVersion + "/checksums.txt":
			io.WriteString(w, checksums)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// startEmulator runs `xtsync emulator --tls` seeded with the example's
// directories (no sync configuration yet) and returns its URL and
// certificate.
func startEmulator(t *testing.T) (url, ca string) {
	t.Helper()
	state := t.TempDir()
	cmd := exec.Command(xtsync, "emulator", "--tls", "--addr", "127.0.0.1:0", "--state", state,
		"--seed", filepath.Join(root, "testdata", "example", "snapshots"), "--seed-configs=false")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the emulator printed no URL: %v", err)
	}
	go io.Copy(io.Discard, out)
	return strings.TrimSpace(line), filepath.Join(state, "cert.pem")
}

// configRepo is the example config repository as a Git checkout: main
// (with origin/main), and a pull-request branch made by change when it is
// not nil (checked out).
type configRepo struct {
	dir  string
	git  *git.Repository
	main plumbing.Hash
	head plumbing.Hash
}

func newConfigRepo(t *testing.T, change func(dir string)) *configRepo {
	t.Helper()
	dir := t.TempDir()
	example := filepath.Join(root, "testdata", "example")
	err := filepath.WalkDir(example, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(example, p)
		if rel == "snapshots" || rel == "README.md" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "xtsync.yaml" {
			// The example's pending soft-deletes (2 of 8 B2B users) are
			// intended here: the deletion gate must let the first run by.
			b = []byte(strings.Replace(string(b), "maxDeleteShare: 0.1", "maxDeleteShare: 0.5", 1))
			b = []byte(strings.Replace(string(b), "snapshots: snapshots", "snapshots: .xtsync/snapshots", 1))
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("/.xtsync/\n"), 0o644)
	g, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatal(err)
	}
	r := &configRepo{dir: dir, git: g}
	r.main = r.commit(t, "the example")
	if err := g.Storer.SetReference(plumbing.NewHashReference("refs/remotes/origin/main", r.main)); err != nil {
		t.Fatal(err)
	}
	r.head = r.main
	if change != nil {
		wt, _ := g.Worktree()
		if err := wt.Checkout(&git.CheckoutOptions{Branch: "refs/heads/pr", Create: true}); err != nil {
			t.Fatal(err)
		}
		change(dir)
		r.head = r.commit(t, "the pull request")
	}
	return r
}

func (r *configRepo) commit(t *testing.T, msg string) plumbing.Hash {
	wt, err := r.git.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: &object.Signature{Name: "Test", Email: "test@example.com", When: time.Unix(1764000000, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// editFile replaces old with new in the repository file name.
func editFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", name, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// oidcServer answers GitHub's OIDC token request for the Entra audience.
func oidcServer(t *testing.T, requestToken, idToken string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "bearer "+requestToken {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("audience") != "api://AzureADTokenExchange" {
			http.Error(w, "wrong audience", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"value":%q,"count":1}`, idToken)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// baseEnv is the environment of a CI job on this machine: a PATH with git,
// bash, curl, jq, tar and go, and a home of its own.
func baseEnv(t *testing.T) map[string]string {
	home := t.TempDir()
	return map[string]string{
		"PATH":                os.Getenv("PATH"),
		"HOME":                home,
		"XDG_CACHE_HOME":      filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR":     filepath.Join(home, "run"),
		"GOCACHE":             goEnv(t, "GOCACHE"),
		"GOMODCACHE":          goEnv(t, "GOMODCACHE"),
		"GOTOOLCHAIN":         "local",
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_CONFIG_GLOBAL":   filepath.Join(home, "gitconfig"),
	}
}

func goEnv(t *testing.T, name string) string {
	b, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
