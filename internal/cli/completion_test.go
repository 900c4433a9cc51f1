package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The completion tests run the scripts `xtsync completion SHELL` prints in
// the real shells (bash, zsh, fish; a shell that is not installed is
// skipped with a message — .ci/run installs them): completing a command
// line gives the commands, flags and values the app has.

// completionScript runs xtsync completion SHELL.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"xtsync", "completion", shell}, &stdout, &stderr); code != 0 {
		t.Fatalf("xtsync completion %s: exit %d\n%s", shell, code, stderr.String())
	}
	return stdout.String()
}

// needShell skips the test when shell is not installed.
func needShell(t *testing.T, shell string) string {
	t.Helper()
	p, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install %s): its completion is not tested", shell, shell)
	}
	return p
}

// completeIn completes each command line (the last word is the one being
// completed, possibly empty) in shell, and returns the candidates of each,
// sorted. dir is the working directory (for file and directory values).
func completeIn(t *testing.T, shell, dir string, lines [][]string) [][]string {
	t.Helper()
	path := needShell(t, shell)
	script := filepath.Join(t.TempDir(), "xtsync."+shell)
	if err := os.WriteFile(script, []byte(completionScript(t, shell)), 0o644); err != nil {
		t.Fatal(err)
	}
	var prog strings.Builder
	quote := func(ws []string) string {
		var q []string
		for _, w := range ws {
			q = append(q, shellQuote(w))
		}
		return strings.Join(q, " ")
	}
	switch shell {
	case "bash":
		prog.WriteString("source " + shellQuote(script) + "\n")
		for _, l := range lines {
			prog.WriteString("COMP_WORDS=(" + quote(l) + "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _xtsync; printf '%s\\n' \"${COMPREPLY[@]}\"; echo '=='\n")
		}
	case "zsh":
		// The completion system's functions, stubbed to print what they are
		// given: zsh filters candidates by the typed prefix itself.
		prog.WriteString("compdef() { :; }\n_describe() { local e; for e in ${(P)2}; do print -r -- ${e%%:*}; done }\n_files() { print -r -- \"<files $*>\" }\n")
		prog.WriteString("source " + shellQuote(script) + "\n")
		for _, l := range lines {
			prog.WriteString("words=(" + quote(l) + "); CURRENT=${#words}; _xtsync; print '=='\n")
		}
	case "fish":
		prog.WriteString("source " + shellQuote(script) + "\n")
		for _, l := range lines {
			prog.WriteString("complete -C " + shellQuote(strings.Join(l, " ")) + "; echo '=='\n")
		}
	}
	cmd := exec.Command(path, "-c", prog.String())
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	var res [][]string
	for _, block := range strings.Split(strings.TrimSuffix(string(out), "==\n"), "==\n") {
		got := []string{}
		for _, w := range strings.Split(strings.TrimSpace(block), "\n") {
			w, _, _ = strings.Cut(w, "\t") // fish: candidate<TAB>description
			if w = strings.TrimSpace(w); w != "" {
				got = append(got, w)
			}
		}
		sort.Strings(got)
		res = append(res, got)
	}
	if len(res) != len(lines) {
		t.Fatalf("%s: %d answers for %d lines:\n%s", shell, len(res), len(lines), out)
	}
	return res
}

// TestCompletionInShells: the same command lines complete alike in bash,
// zsh and fish: commands, a command's flags, the values of --output,
// --log-level and --kind, the shells of completion, directories for a DIR.
func TestCompletionInShells(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"identity", "idle"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "id.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line []string
		want []string            // bash and fish: filtered by the typed prefix
		zsh  []string            // zsh's stubs see every candidate: zsh filters by prefix itself
		fish map[string][]string // where fish answers otherwise (it lists directories with a slash)
	}{
		{line: []string{"xtsync", "rec"}, want: []string{"reconcile"}},
		{line: []string{"xtsync", "policy", ""}, want: []string{"list", "test"}, zsh: []string{"list", "test"}},
		{line: []string{"xtsync", "--log-level", "debug", "pol"}, want: []string{"policy"}},
		{line: []string{"xtsync", "--log-level", ""}, want: []string{"debug", "error", "info", "warn"}, zsh: []string{"debug", "error", "info", "warn"}},
		{line: []string{"xtsync", "reconcile", "--dry"}, want: []string{"--dry-run"}},
		{line: []string{"xtsync", "reconcile", "--output", ""}, want: []string{"json", "markdown", "text"}, zsh: []string{"json", "markdown", "text"}},
		{line: []string{"xtsync", "reconcile", "-o", ""}, want: []string{"json", "markdown", "text"}, zsh: []string{"json", "markdown", "text"}},
		{line: []string{"xtsync", "check", "--output", "s"}, want: []string{"sarif"}},
		{line: []string{"xtsync", "schema", "--kind", ""}, want: []string{"settings", "tenant"}, zsh: []string{"settings", "tenant"}},
		{line: []string{"xtsync", "completion", ""}, want: []string{"bash", "fish", "zsh"}, zsh: []string{"bash", "fish", "zsh"}},
		{line: []string{"xtsync", "help", "imp"}, want: []string{"import"}},
		{line: []string{"xtsync", "init", "--repo", "id"}, want: []string{"identity", "idle"}, zsh: []string{"<files -/>"},
			fish: map[string][]string{"fish": {"identity/", "idle/"}}},
		{line: []string{"xtsync", "snapshot", "pull", "--auth", "work"}, want: []string{"workload-identity"}},
	}
	var lines [][]string
	for _, tt := range tests {
		lines = append(lines, tt.line)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			got := completeIn(t, shell, dir, lines)
			for i, tt := range tests {
				want := tt.want
				if shell == "zsh" {
					if tt.zsh == nil {
						continue // a prefix: zsh filters, the stubs do not
					}
					want = tt.zsh
				}
				if w, ok := tt.fish[shell]; ok {
					want = w
				}
				if d := cmp.Diff(want, got[i]); d != "" {
					t.Errorf("%s: %q (-want +got):\n%s", shell, strings.Join(tt.line, " "), d)
				}
			}
		})
	}
}

// TestCompletionCoversTheApp: at every command, bash offers exactly its
// subcommands (or the values of its argument) and, after a "-", its
// flags: the script follows the app, whatever is added to it.
func TestCompletionCoversTheApp(t *testing.T) {
	e := &env{stdout: io.Discard, stderr: io.Discard}
	app := newApp(e)
	app.Setup()
	tree := completionTree(app)
	var lines [][]string
	var want [][]string
	for _, n := range tree.nodes() {
		words := append([]string{"xtsync"}, strings.Fields(n.path)...)
		var subs, flags []string
		for _, w := range completionWords(n) {
			if strings.HasPrefix(w, "-") {
				flags = append(flags, w)
			} else {
				subs = append(subs, w)
			}
		}
		if len(subs) > 0 {
			lines = append(lines, append(append([]string{}, words...), ""))
			want = append(want, subs)
		}
		lines = append(lines, append(append([]string{}, words...), "-"))
		want = append(want, flags)
	}
	if len(lines) < 20 {
		t.Fatalf("only %d command lines: the tree lost commands", len(lines))
	}
	got := completeIn(t, "bash", t.TempDir(), lines)
	for i := range lines {
		if d := cmp.Diff(want[i], got[i], cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%q (-want +got):\n%s", strings.Join(lines[i], " "), d)
		}
	}
}
