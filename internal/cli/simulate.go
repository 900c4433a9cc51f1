package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

func simulateCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "simulate",
		Usage:     "compute, user by user, the B2B users each target tenant would get",
		UsageText: "xtsync simulate [--repo DIR] [--snapshots DIR] [--output text|json|markdown] [--config SOURCE/NAME] [--user UPN] [--assumptions]",
		Description: `Runs one provisioning cycle of every sync configuration of the repository
against the directory snapshots (<snapshots>/<tenant>.json or .json.gz, written
by "xtsync snapshot pull") and reports what Entra would do, user by user:
create, update, restore, disable, delete (soft), staged (held back by the
deletion threshold), noop, skip or fail, each with its reason code
(docs/provisioning-model.md lists them). Per configuration it shows the state
(active, paused, blocked with its blockers, quarantine) and the counts; per
target tenant the B2B users after the cycle. Nothing is written anywhere.

--config SOURCE/NAME keeps one configuration. --user UPN explains, for every
configuration, how the cycle decides about that source user: eligibility,
assignment, each filter clause with its value, the matching row of the action
table and what would be written. --assumptions prints the table of the
assumptions the model makes where Entra's documentation is silent, with the
value in effect (xtsync.yaml's "assumptions" overrides the overridable ones).

Examples:
   xtsync simulate --repo testdata/example
   xtsync simulate --repo . --output json > simulation.json
   xtsync simulate --repo . --user anna@contoso.eu
   xtsync simulate --assumptions

Exit codes: 0 simulated (blocked or quarantined configurations are results,
not errors), 1 error (the repository does not load, a snapshot is unreadable),
2 usage error.`,
		Flags: []ucli.Flag{
			repoFlag(),
			snapshotsFlag(),
			maxSnapshotBytesFlag(),
			outputFlag("text", "json", "markdown"),
			&ucli.StringFlag{Name: "config", Usage: "only the configuration `SOURCE/NAME`", EnvVars: []string{"XTSYNC_CONFIG"}},
			&ucli.StringFlag{Name: "user", Usage: "explain the decisions about the source user `UPN`", EnvVars: []string{"XTSYNC_USER"}},
			&ucli.BoolFlag{Name: "assumptions", Usage: "print the assumptions table and exit", EnvVars: []string{"XTSYNC_ASSUMPTIONS"}},
		},
		Action: func(c *ucli.Context) error { return runSimulate(e, c) },
	}
}

func runSimulate(e *env, c *ucli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	format, err := outputFormat(c, "text", "json", "markdown")
	if err != nil {
		return err
	}
	only := c.String("config")
	if only != "" && strings.Count(only, "/") != 1 {
		return usageError("--config: want SOURCE/NAME, got %q", only)
	}
	dir := c.String("repo")
	if c.Bool("assumptions") {
		// Outside a repository the table shows the defaults; inside one, the
		// values its xtsync.yaml sets, so a broken repository is an error.
		repo := &tenants.Repo{Settings: tenants.DefaultSettings()}
		if isConfigRepo(dir) {
			r, err := loadRepoForGraph(e, dir)
			if err != nil {
				return err
			}
			repo = r
		}
		as := simulate.EffectiveAssumptions(repo, simulate.Options{})
		switch format {
		case "json":
			return writeJSON(e, map[string]any{"formatVersion": 1, "assumptions": as})
		case "markdown":
			return report.AssumptionsMarkdown(e.stdout, as)
		}
		return report.AssumptionsText(e.stdout, as)
	}
	repo, err := loadRepoForGraph(e, dir)
	if err != nil {
		return err
	}
	if only != "" {
		src, name, _ := strings.Cut(only, "/")
		if !keepConfig(repo, src, name) {
			return usageError("--config: the repository has no sync configuration %q", only)
		}
	}
	snapDir := snapshotsDir(c, repo)
	// Little garbage: no collection before the memory limit (none at all
	// up to a few hundred thousand users).
	tuneMemory(snapDir, -1)
	if _, err := os.Stat(snapDir); err != nil {
		return fmt.Errorf("simulate: snapshots %s: %w (pull them with `xtsync snapshot pull`, or name the directory with --snapshots)", snapDir, errors.Unwrap(err))
	}
	// Read through the parent so that errors name the directory too.
	// Each snapshot's indexes are built as soon as it is read, while the
	// last files are still being read.
	prep := simulate.NewPrepared()
	sources := map[string]bool{}
	for _, sc := range repo.SyncConfigs() {
		sources[sc.Source] = true
	}
	snaps, err := simulate.LoadSnapshotsWith(gitfs.DirFS(filepath.Dir(snapDir)), filepath.Base(snapDir), simulate.ReadOptions{Columnar: true, MaxBytes: c.Int64("max-snapshot-bytes"),
		Loaded: func(tenant string, s *simulate.Snapshot) { prep.Add(tenant, s, sources[tenant]) }})
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	if err := simulate.CheckSnapshotTenants(repo, snaps, snapDir); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	warned := make(chan struct{})
	go func() { // in parallel with the simulation: it reads, never writes
		defer close(warned)
		warnSnapshots(e, repo, snaps, snapDir)
	}()
	defer func() { <-warned }()
	opts := simulate.Options{}
	if upn := c.String("user"); upn != "" {
		es := simulate.Explain(repo, snaps, opts, upn)
		var err error
		switch format {
		case "json":
			err = writeJSON(e, map[string]any{"formatVersion": 1, "user": upn, "explanations": es})
		case "markdown":
			err = report.ExplainMarkdown(e.stdout, upn, es)
		default:
			err = report.ExplainText(e.stdout, upn, es)
		}
		if err != nil {
			return err
		}
		for _, x := range es {
			if x.Found {
				return nil
			}
		}
		// A misspelt UPN must not pass for "nothing happens to this user".
		return fmt.Errorf("simulate: --user %s: no source snapshot has this user and no target a B2B user linked to one (check the UPN)", upn)
	}
	res := prep.Run(repo, opts)
	snaps = nil // the result keeps what it needs; let the rest go before writing
	switch format {
	case "json":
		return report.SimulateJSON(e.stdout, res)
	case "markdown":
		return report.SimulateMarkdown(e.stdout, res)
	}
	return report.SimulateText(e.stdout, res)
}

// warnSnapshots logs the tenants without a snapshot and the group members
// that are neither users nor groups of their snapshot.
func warnSnapshots(e *env, repo *tenants.Repo, snaps map[string]*simulate.Snapshot, dir string) {
	for _, t := range repo.Tenants {
		s := snaps[t.Name]
		if s == nil {
			e.log.Warn("no snapshot of tenant; its configurations are blocked", "tenant", t.Name, "dir", dir)
			continue
		}
		if d := s.DanglingMembers(); len(d) > 0 {
			n := 0
			for _, l := range d {
				n += len(l)
			}
			e.log.Warn("group members that are neither users nor groups of the snapshot are ignored", "tenant", t.Name, "groups", len(d), "members", n)
		}
	}
}

// keepConfig drops every sync configuration but SOURCE/NAME from the repo;
// false when there is no such configuration.
func keepConfig(repo *tenants.Repo, source, name string) bool {
	found := false
	for _, t := range repo.Tenants {
		var keep []*tenants.SyncConfig
		for _, sc := range t.Sync {
			if t.Name == source && sc.Name == name {
				keep = append(keep, sc)
				found = true
			}
		}
		t.Sync = keep
	}
	return found
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// isConfigRepo reports whether dir holds an xtsync.yaml or a tenants folder.
func isConfigRepo(dir string) bool {
	for _, name := range []string{"xtsync.yaml", "tenants"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
