// Package cli wires xtsync's commands: flags, environment variables, logging,
// output formats and exit codes. It is the only package that turns errors
// into exit codes; the packages it calls return values and errors.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"
)

// Version and Commit are set at build time with -ldflags -X.
var (
	Version = "dev"
	Commit  = ""
)

// env holds what every command needs from the process: the output streams
// and the logger.
type env struct {
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	// policyTimeout (0: not given) and policyMaxMemory are
	// --policy-timeout and --policy-max-memory (policyEngine).
	policyTimeout   time.Duration
	policyMaxMemory int64
}

// command builds one subcommand. Each lives in a file of its own.
type command func(e *env) *ucli.Command

// commands lists every subcommand, in the order `xtsync --help` shows them.
var commands = []command{
	initCommand,
	importCommand,
	validateCommand,
	schemaCommand,
	simulateCommand,
	exprCommand,
	checkCommand,
	planCommand,
	policyCommand,
	snapshotCommand,
	reconcileCommand,
	emulatorCommand,
	genCommand,
	graphCommand,
	commentCommand,
	completionCommand,
}

// interruptGrace is how long a command has to end after ctx is cancelled
// (SIGINT or SIGTERM) before Run gives up on it: long enough for the
// emulator to close its connections and a reconcile to finish the request
// in flight, short enough that an interrupted run ends in seconds whatever
// it was doing.
const interruptGrace = 5 * time.Second

// Run runs xtsync with the given arguments (args[0] is the program name) and
// returns the process exit code. It never calls os.Exit. When ctx is
// cancelled (main cancels it on SIGINT and SIGTERM) the command is told
// through its context; one that has not ended interruptGrace later is left
// behind: Run returns ExitError with one line on stderr, and the process
// exits.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	done := make(chan int, 1)
	// The command writes to stderr until Run returns; after that, nothing
	// it writes may interleave with the last line.
	errw := &gatedWriter{w: stderr}
	outw := &gatedWriter{w: stdout}
	go func() { done <- run(ctx, args, outw, errw) }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
	}
	t := time.NewTimer(interruptGrace)
	defer t.Stop()
	select {
	case code := <-done:
		return code
	case <-t.C:
		outw.close()
		errw.close()
		fmt.Fprintf(stderr, "xtsync: interrupted: the command did not stop within %s of the signal\n", interruptGrace)
		return ExitError
	}
}

// gatedWriter passes writes through until it is closed, then drops them.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.w.Write(p)
}

// unwrapWriter returns the writer under a gatedWriter (the process's
// *os.File, for a terminal check).
func unwrapWriter(w io.Writer) io.Writer {
	if g, ok := w.(*gatedWriter); ok {
		return g.w
	}
	return w
}

func (g *gatedWriter) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	// A panic is a bug in xtsync, never the user's input: say so in one
	// line instead of a stack trace (XTSYNC_TRACEBACK=1 shows it).
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "xtsync: internal error: %v\nThis is a bug in xtsync; please report it with the command you ran.\n", r)
			if os.Getenv("XTSYNC_TRACEBACK") == "1" {
				stderr.Write(debug.Stack())
			}
			code = ExitError
		}
	}()
	e := &env{stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil)), policyMaxMemory: defaultPolicyMaxMemory}
	app := newApp(e)
	err := app.RunContext(ctx, args)
	code, msg := exitCode(err)
	if msg != "" {
		fmt.Fprintf(stderr, "xtsync: %s\n", msg)
		if code == ExitUsage {
			fmt.Fprintf(stderr, "Run 'xtsync --help' or 'xtsync COMMAND --help' for usage.\n")
		}
	}
	return code
}

func newApp(e *env) *ucli.App {
	app := &ucli.App{
		Name:  "xtsync",
		Usage: "Microsoft Entra ID cross-tenant synchronization as code",
		Description: `xtsync keeps tenant trust and cross-tenant sync scope in a Git repository
(one YAML file per tenant), checks every change with Rego policies, simulates
which B2B users each target tenant would get, user by user, and pulls
directory snapshots from Microsoft Graph, and reconciles Graph with the
approved state (xtsync reconcile), behind the same policies as gates.

Exit codes: 0 success, 1 error, 2 usage error, 3 policy denied,
4 changes pending (with --detailed-exitcode).

Every flag can also be set with an XTSYNC_* environment variable, shown
in each command's --help.`,
		Version:              versionString(),
		Writer:               e.stdout,
		ErrWriter:            e.stderr,
		EnableBashCompletion: false,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "log-level", Value: "info", Usage: "log level: debug, info, warn, error", EnvVars: []string{"XTSYNC_LOG_LEVEL"}},
			&ucli.StringFlag{Name: "log-format", Value: "text", Usage: "log format on stderr: text or json", EnvVars: []string{"XTSYNC_LOG_FORMAT"}},
		},
		Before: func(c *ucli.Context) error {
			// "xtsync help TOPIC" with an unknown topic would print nothing
			// and succeed: a typo in a CI step must fail instead.
			if first := c.Args().First(); (first == "help" || first == "h") && c.NArg() > 1 {
				if topic := c.Args().Get(1); c.App.Command(topic) == nil {
					return usageError("help: unknown command %q", topic)
				}
			}
			log, err := newLogger(e.stderr, c.String("log-level"), c.String("log-format"))
			if err != nil {
				return err
			}
			e.log = log
			return nil
		},
		ExitErrHandler: func(*ucli.Context, error) {},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return usageError("%v", err)
		},
		CommandNotFound: func(c *ucli.Context, name string) {
			// Reported through the returned error below.
		},
	}
	for _, build := range commands {
		cmd := build(e)
		if policyCommands[cmd.Name] {
			withPolicyLimits(cmd, e)
		}
		finishCommand(cmd, nil)
		app.Commands = append(app.Commands, cmd)
	}
	app.Commands = append(app.Commands, policyEvalCmd(e))
	// An unknown command is a usage error, not a help page on stdout.
	app.Action = func(c *ucli.Context) error {
		if c.NArg() > 0 {
			return usageError("unknown command %q", c.Args().First())
		}
		return ucli.ShowAppHelp(c)
	}
	return app
}

// policyCommands evaluate policies: they take --policy-timeout and
// --policy-max-memory.
var policyCommands = map[string]bool{"check": true, "plan": true, "reconcile": true}

// withPolicyLimits adds the policy limit flags to a command and reads them
// before it runs.
func withPolicyLimits(cmd *ucli.Command, e *env) {
	cmd.Flags = append(cmd.Flags, policyLimitFlags()...)
	before := cmd.Before
	cmd.Before = func(c *ucli.Context) error {
		if err := readPolicyLimitFlags(c, e); err != nil {
			return err
		}
		if before != nil {
			return before(c)
		}
		return nil
	}
}

// finishCommand applies what every command shares, recursively:
//   - flag errors are usage errors on stderr with exit 2;
//   - a command made only of subcommands refuses a missing or unknown one
//     (exit 2) instead of succeeding silently;
//   - --output reads XTSYNC_<COMMAND>_OUTPUT, not one shared variable, since
//     the commands accept different formats (a CI job that sets sarif for
//     check must not break plan).
func finishCommand(cmd *ucli.Command, parents []string) {
	path := append(append([]string{}, parents...), cmd.Name)
	name := strings.Join(path, " ")
	cmd.OnUsageError = func(_ *ucli.Context, err error, _ bool) error {
		return usageError("%s: %v", name, err)
	}
	for _, f := range cmd.Flags {
		if sf, ok := f.(*ucli.StringFlag); ok && sf.Name == "output" {
			sf.EnvVars = []string{"XTSYNC_" + strings.ToUpper(strings.Join(path, "_")) + "_OUTPUT"}
		}
	}
	if len(cmd.Subcommands) > 0 && cmd.Action == nil {
		var subs []string
		for _, sub := range cmd.Subcommands {
			subs = append(subs, sub.Name)
		}
		cmd.Action = func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageError("%s: unknown command %q: want %s", name, c.Args().First(), strings.Join(subs, " or "))
			}
			return usageError("%s: missing command: want %s (xtsync %s --help)", name, strings.Join(subs, " or "), name)
		}
	}
	for _, sub := range cmd.Subcommands {
		finishCommand(sub, path)
	}
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError("--log-level: want debug, info, warn or error, got %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError("--log-format: want text or json, got %q", format)
}

func versionString() string {
	v, c := Version, Commit
	if c == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					c = s.Value
				}
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("%s (commit %s)", v, c)
}
