package cli

import (
	"errors"
	"fmt"
)

// The exit codes of DESIGN §9. This file is the one place where errors become
// exit codes.
const (
	ExitOK      = 0 // success
	ExitError   = 1 // bad input, failed run
	ExitUsage   = 2 // usage error
	ExitDenied  = 3 // policy denied
	ExitChanges = 4 // changes pending (--detailed-exitcode)
)

// exitError carries an exit code through the command's error return.
type exitError struct {
	code int
	err  error // nil: the report already said everything
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError reports a misuse of the command line (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// silentExit ends the command with a code and no further message: the
// report on stdout (or the diagnostics on stderr) already explained it.
func silentExit(code int) error { return &exitError{code: code} }

// exitCode maps an error returned by a command to the process exit code and
// the message to print on stderr ("" for none).
func exitCode(err error) (int, string) {
	if err == nil {
		return ExitOK, ""
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err == nil {
			return ee.code, ""
		}
		return ee.code, ee.err.Error()
	}
	return ExitError, err.Error()
}
