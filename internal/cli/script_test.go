package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes the test binary double as the xtsync command for the
// testscript scripts under testdata/script.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// As cmd/xtsync's main: a signal cancels the context, a second one
		// ends the process.
		"xtsync": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			context.AfterFunc(ctx, stop)
			if os.Getenv("XTSYNC_TEST_SIGNALS_READY") != "" {
				os.Stderr.WriteString("signals ready\n") // TestSignalEndsCommand waits for it
			}
			os.Exit(Run(ctx, os.Args, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI scripts. Each script starts in a fresh work
// directory; $EXAMPLE is the example repository.
func TestScripts(t *testing.T) {
	example, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	example = example + "/../../testdata/example"
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLE", example)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"exit": cmdExit,
			"emulator-start": cmdEmulatorStart, "snapcmp": cmdSnapCmp, "mkfifo": cmdMkfifo},
		RequireExplicitExec: false,
		UpdateScripts:       *updateScripts,
	})
}

// cmdExit runs a command and checks its exit code: "exit 3 xtsync check".
// Its stdout and stderr are then what stdout/stderr assertions read.
func cmdExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exit CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exit: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exit: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdMkfifo makes named pipes: "mkfifo repo/tenants/pipe.yaml".
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: mkfifo PATH...")
	}
	for _, a := range args {
		ts.Check(syscall.Mkfifo(ts.MkAbs(a), 0o600))
	}
}
