package cli

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// xtsyncCommand returns a command running this test binary as xtsync (the
// testscript command TestMain registers), in its own process so that it can
// be sent signals.
func xtsyncCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "xtsync")
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	return exec.Command(bin, args...)
}

// TestSignalEndsCommand: every command ends on SIGINT and SIGTERM, even one
// blocked where it cannot watch its context (here: writing --dump-input to
// a named pipe nobody reads). It ends with exit 1 and one line saying so.
func TestSignalEndsCommand(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			fifo := filepath.Join(t.TempDir(), "input.json")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := xtsyncCommand(t, "check", "--repo", "../../testdata/example", "--dump-input", fifo)
			cmd.Env = append(os.Environ(), "XTSYNC_TEST_SIGNALS_READY=1")
			pr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The signal handlers are installed once the child says so; a
			// signal before that would be Go's default (the process dies).
			rd := bufio.NewReader(pr)
			if line, err := rd.ReadString('\n'); err != nil || line != "signals ready\n" {
				t.Fatalf("first stderr line %q, %v", line, err)
			}
			var stderr bytes.Buffer
			copied := make(chan struct{})
			go func() { io.Copy(&stderr, rd); close(copied) }()
			// Let it reach the pipe (loading and simulating come first; none
			// of it watches the context, so an early signal finds it there
			// all the same).
			time.Sleep(time.Second)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			<-copied
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != ExitError {
				t.Fatalf("after %v: %v, want exit %d\nstderr:\n%s", sig, err, ExitError, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "xtsync: interrupted") {
				t.Errorf("last stderr line = %q, want xtsync: interrupted ...", last)
			}
		})
	}
}
