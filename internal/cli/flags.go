package cli

import (
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/simulate"
)

// repoFlag is --repo, the config repository directory.
func repoFlag() *ucli.StringFlag {
	return &ucli.StringFlag{
		Name:    "repo",
		Value:   ".",
		Usage:   "config repository `DIR` (holds xtsync.yaml and tenants/*.yaml)",
		EnvVars: []string{"XTSYNC_REPO"},
	}
}

// snapshotsFlag is --snapshots, the directory of directory snapshots.
func snapshotsFlag() *ucli.StringFlag {
	return &ucli.StringFlag{
		Name:    "snapshots",
		Usage:   "directory snapshots `DIR` (default: xtsync.yaml's snapshots, relative to --repo)",
		EnvVars: []string{"XTSYNC_SNAPSHOTS"},
	}
}

// maxSnapshotBytesFlag is --max-snapshot-bytes, the cap on a snapshot's
// size once decompressed (a gzip bomb stops there).
func maxSnapshotBytesFlag() *ucli.Int64Flag {
	return &ucli.Int64Flag{
		Name:    "max-snapshot-bytes",
		Usage:   "refuse a snapshot larger than `N` bytes once decompressed (for a tenant of more than about 250,000 users)",
		Value:   simulate.DefaultMaxSnapshotBytes,
		EnvVars: []string{"XTSYNC_MAX_SNAPSHOT_BYTES"},
	}
}

// outputFlag is --output with the formats a command supports; the first is
// the default.
func outputFlag(formats ...string) *ucli.StringFlag {
	return &ucli.StringFlag{
		Name:    "output",
		Aliases: []string{"o"},
		Value:   formats[0],
		Usage:   "report `FORMAT`: " + strings.Join(formats, ", "),
		EnvVars: []string{"XTSYNC_OUTPUT"},
	}
}

// outputFormat returns --output, checked against the supported formats.
func outputFormat(c *ucli.Context, formats ...string) (string, error) {
	f := c.String("output")
	for _, x := range formats {
		if f == x {
			return f, nil
		}
	}
	return "", usageError("--output: want one of %s, got %q", strings.Join(formats, ", "), f)
}

// noArgs refuses positional arguments.
func noArgs(c *ucli.Context) error {
	if c.NArg() > 0 {
		return usageError("%s: unexpected argument %q", c.Command.Name, c.Args().First())
	}
	return nil
}

// policyLimitFlags bound one evaluation of the policies (check, plan,
// reconcile; finishCommand adds them and stores them in env).
func policyLimitFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.DurationFlag{
			Name:    "policy-timeout",
			Usage:   "stop an evaluation of the policies after `DURATION` (default: xtsync.yaml's policyTimeout at base, else 30s)",
			EnvVars: []string{"XTSYNC_POLICY_TIMEOUT"},
		},
		&ucli.Int64Flag{
			Name:    "policy-max-memory",
			Usage:   "stop an evaluation of the policies that maps more than `N` bytes",
			Value:   defaultPolicyMaxMemory,
			EnvVars: []string{"XTSYNC_POLICY_MAX_MEMORY"},
		},
	}
}

// readPolicyLimitFlags stores the flags' values in env for policyEngine.
func readPolicyLimitFlags(c *ucli.Context, e *env) error {
	if d := c.Duration("policy-timeout"); c.IsSet("policy-timeout") {
		if d < time.Second {
			return usageError("--policy-timeout: want 1s or more, got %s", d)
		}
		e.policyTimeout = d
	}
	if n := c.Int64("policy-max-memory"); n < 64<<20 {
		return usageError("--policy-max-memory: want at least 67108864 (64 MiB), got %d", n)
	}
	e.policyMaxMemory = c.Int64("policy-max-memory")
	return nil
}
