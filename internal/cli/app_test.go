package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	ucli "github.com/urfave/cli/v2"
)

// TestRunRecoversPanics: a bug that panics ends in one line on stderr and
// exit 1, never a stack trace.
func TestRunRecoversPanics(t *testing.T) {
	saved := commands
	t.Cleanup(func() { commands = saved })
	commands = append(append([]command{}, saved...), func(*env) *ucli.Command {
		return &ucli.Command{Name: "boom", Action: func(*ucli.Context) error { panic("invariant broken") }}
	})
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"xtsync", "boom"}, &stdout, &stderr)
	if code != ExitError {
		t.Errorf("exit code %d, want %d", code, ExitError)
	}
	if got := stderr.String(); !strings.Contains(got, "xtsync: internal error: invariant broken") || strings.Contains(got, "goroutine") {
		t.Errorf("stderr = %q, want one internal-error line without a stack trace", got)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}
