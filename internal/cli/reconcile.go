package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/reconcile"
	"github.com/xtsync/xtsync/reconcile/graph"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// deletionPolicies are the built-ins whose deny findings only
// --allow-deletes overrides (DESIGN §7, gates).
var deletionPolicies = map[string]bool{"deletion-threshold": true, "delete-share": true}

func reconcileCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "reconcile",
		Usage:     "apply the repository at a ref to Microsoft Graph, safely",
		UsageText: "xtsync reconcile [--repo DIR|URL] [--ref main] [--dry-run] [--allow-deletes] [options]",
		Description: `Reads the repository at --ref (a directory, or a URL cloned and fetched
into a cache), pulls fresh directory snapshots, reads the live trust and
sync configurations of every repo tenant, and applies the difference:
target trust before the source's configuration, teardown in reverse. It
never touches a tenant outside the repository, nor an object xtsync does
not own. After the writes it reads Graph again: a converged run leaves
nothing to do, and a second run writes nothing.

Gates, before any write (load and signature stop the run at once; the
others are all evaluated, so one run tells every reason it refuses and
shows what it would have written; a gate that refuses means nothing is
written, exit 3, and it says what would unblock it):
  load        the repository loads without error (else exit 1, file:line:col)
  signature   the commit is signed by a key of --verify-commits FILE, or of
              xtsync.yaml's verifyCommits (OpenPGP or SSH signatures)
  policy      the built-in and repository policies pass on the plan
              live -> desired (the plan a pull request gets)
  deletions   deletion-threshold and delete-share pass; --allow-deletes
              overrides them (result: overridden)
  ownership   no untagged configuration is in the way of a repo one:
              adopt one made in the portal with its id in sync[].id
Two more gates hold changes back rather than stop the run: the others are
written, the held ones are reported with the time writes resume (exit 0):
  window      xtsync.yaml's change windows: outside an allow window or
              inside a deny window; --override-window --reason "why"
              writes anyway and the report keeps the reason
  suspend     a tenant's or a configuration's suspend (until, reason);
              once until has passed it warns until the key is removed

Examples:
  # what would change, as a plan (exit 4 when something would)
  xtsync reconcile --repo . --dry-run --detailed-exitcode
  # apply main of a remote repository, the report for the CI log
  xtsync reconcile --repo https://github.com/org/xtsync-config.git --ref main --report run.json
  # an incident during the holiday freeze
  xtsync reconcile --override-window --reason "INC-123: restore the partner"
  # against the emulator (xtsync emulator --tls --state DIR)
  xtsync reconcile --graph-url https://127.0.0.1:PORT --graph-ca DIR/cert.pem

--dry-run does all but the writes: the changes (config drift of the live
tenants included) and the user impact, and exit 3 when a gate would refuse.

One reconcile runs at a time per repository and Graph endpoint on a host
(a lock file naming its holder); a second one exits 1. Operators' guide:
docs/reconcile.md; Graph permissions per tenant role: docs/credentials.md.

Exit codes: 0 applied or nothing to do, 1 a change failed or bad input,
2 usage, 3 a gate refused, 4 changes pending (--dry-run --detailed-exitcode).`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "repo", Aliases: []string{"r"}, Value: ".", Usage: "config repository: a `DIR` or a git URL (https, ssh, file)", EnvVars: []string{"XTSYNC_REPO"}},
			&ucli.StringFlag{Name: "ref", Value: "main", Usage: "the approved `REV` to apply (branch, tag, SHA)", EnvVars: []string{"XTSYNC_REF"}},
			&ucli.BoolFlag{Name: "dry-run", Usage: "plan only: gates, changes, drift and user impact; nothing is written", EnvVars: []string{"XTSYNC_DRY_RUN"}},
			&ucli.BoolFlag{Name: "allow-deletes", Usage: "override the deletion gate (deletion-threshold, delete-share)", EnvVars: []string{"XTSYNC_ALLOW_DELETES"}},
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "with --dry-run: exit 4 when changes are pending", EnvVars: []string{"XTSYNC_DETAILED_EXITCODE"}},
			outputFlag("text", "json", "markdown"),
			&ucli.StringFlag{Name: "report", Usage: "also write the JSON run report to `FILE` (atomically, whatever --output)", EnvVars: []string{"XTSYNC_REPORT"}},
			&ucli.StringFlag{Name: "snapshots", Usage: "snapshot `DIR` (default: xtsync.yaml's snapshots under --repo)", EnvVars: []string{"XTSYNC_SNAPSHOTS"}},
			&ucli.BoolFlag{Name: "no-pull", Usage: "use the snapshots on disk instead of pulling them first", EnvVars: []string{"XTSYNC_NO_PULL"}},
			&ucli.DurationFlag{Name: "max-snapshot-age", Value: time.Hour, Usage: "with --no-pull: refuse snapshots captured longer than `AGE` ago", EnvVars: []string{"XTSYNC_MAX_SNAPSHOT_AGE"}},
			&ucli.StringFlag{Name: "cache-dir", Usage: "`DIR` for clones of repository URLs (default $XDG_CACHE_HOME/xtsync/repos)", EnvVars: []string{"XTSYNC_CACHE_DIR"}},
			&ucli.StringFlag{Name: "lock-dir", Usage: "`DIR` of the lock file (default $XDG_RUNTIME_DIR/xtsync, else $XDG_CACHE_HOME/xtsync/locks)", EnvVars: []string{"XTSYNC_LOCK_DIR"}},
			&ucli.StringFlag{Name: "now", Usage: "the time policies see as input.context.now, `RFC3339` (default: now)", EnvVars: []string{"XTSYNC_NOW"}},
			&ucli.BoolFlag{Name: "override-window", Usage: "write the changes the change windows hold now (needs --reason; suspensions still hold theirs)", EnvVars: []string{"XTSYNC_OVERRIDE_WINDOW"}},
			&ucli.StringFlag{Name: "reason", Usage: "why a gate is overridden (--override-window, --allow-deletes): recorded in the run report", EnvVars: []string{"XTSYNC_REASON"}},
			&ucli.StringFlag{Name: "verify-commits", Usage: "apply only a commit signed by a key of the keyring `FILE` on this host (armored OpenPGP keys, or an SSH allowed-signers file); it replaces xtsync.yaml's verifyCommits, which a pull request could change", EnvVars: []string{"XTSYNC_VERIFY_COMMITS"}},
		}, graphFlags()...),
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runReconcile(c, e)
		},
	}
}

// source is the repository a reconcile reads: opened in place, or a cache
// clone of a URL.
type source struct {
	git *gitfs.Repo
	key string // the lock's name of the repository: its URL or absolute dir
	// snapshots is the default snapshot directory's base: the repo dir, or
	// a directory beside the clone.
	base string
}

func openSource(c *ucli.Context) (*source, error) {
	r := c.String("repo")
	if gitfs.IsURL(r) {
		cache := c.String("cache-dir")
		if cache == "" {
			d, err := os.UserCacheDir()
			if err != nil {
				return nil, fmt.Errorf("find a cache directory for %s (set --cache-dir): %w", r, err)
			}
			cache = filepath.Join(d, "xtsync", "repos")
		}
		g, err := gitfs.Fetch(r, cache)
		if err != nil {
			return nil, err
		}
		return &source{git: g, key: r, base: gitfs.CacheDir(cache, r) + ".work"}, nil
	}
	abs, err := filepath.Abs(r)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", r, err)
	}
	g, err := gitfs.Open(r)
	if err != nil {
		return nil, err
	}
	return &source{git: g, key: abs, base: r}, nil
}

// reconcileSnapshotsDir is --snapshots, else xtsync.yaml's snapshots under
// the source's base.
func reconcileSnapshotsDir(c *ucli.Context, src *source, repo *tenants.Repo) string {
	if d := c.String("snapshots"); d != "" {
		return d
	}
	d := repo.Settings.Snapshots
	if d == "" {
		d = ".xtsync/snapshots"
	}
	if filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(src.base, d)
}

// gateStop ends the run at a gate: the report is written, exit 3 (or code).
type gateStop struct{ code int }

func runReconcile(c *ucli.Context, e *env) error {
	format, err := outputFormat(c, "text", "json", "markdown")
	if err != nil {
		return err
	}
	if c.Bool("detailed-exitcode") && !c.Bool("dry-run") {
		return usageError("--detailed-exitcode needs --dry-run")
	}
	if c.Bool("override-window") && strings.TrimSpace(c.String("reason")) == "" {
		return usageError(`--override-window needs --reason "why": the run report records it`)
	}
	if c.String("reason") != "" && !c.Bool("override-window") && !c.Bool("allow-deletes") {
		return usageError("--reason goes with --override-window or --allow-deletes")
	}
	a := reconcileOnce(c.Context, c, e)
	if a.rep != nil {
		if werr := writeReconcileReport(c, e, a.rep, format); werr != nil {
			return werr
		}
	}
	return a.exit(c.Context, c.Bool("detailed-exitcode"))
}

// reconcileAttempt is one run of the pipeline and what it came to: its
// report (nil when the run stopped before it had one), the gate that
// stopped it, or the error that did.
type reconcileAttempt struct {
	rep  *report.Reconcile
	stop *gateStop
	err  error
}

// reconcileOnce is one run with ctx: the source opened (a URL fetched),
// the lock taken, the pipeline run, its duration recorded. The scheduled
// service calls it once per interval, each time with a fresh context.
func reconcileOnce(ctx context.Context, c *ucli.Context, e *env) reconcileAttempt {
	start := time.Now()
	src, err := openSource(c)
	if err != nil {
		return reconcileAttempt{err: err}
	}
	lockDir := c.String("lock-dir")
	if lockDir == "" {
		if lockDir, err = defaultLockDir(); err != nil {
			return reconcileAttempt{err: err}
		}
	}
	release, err := acquireLock(lockDir, src.key, c.String("graph-url"), func(msg string) { e.log.Warn(msg) })
	if err != nil {
		return reconcileAttempt{err: err}
	}
	defer release()
	rep, stop, err := reconcileRun(ctx, c, e, src)
	if rep != nil {
		rep.DurationMs = time.Since(start).Milliseconds()
	}
	return reconcileAttempt{rep: rep, stop: stop, err: err}
}

// exit maps the attempt to the command's exit (DESIGN §9).
func (a reconcileAttempt) exit(ctx context.Context, detailed bool) error {
	if a.err != nil {
		return a.err
	}
	if a.stop != nil {
		return silentExit(a.stop.code)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("reconcile interrupted: the changes not run are listed as skipped; run it again to converge")
	}
	switch {
	case a.rep.Failed() || a.rep.Unconverged():
		return silentExit(ExitError)
	case a.rep.DryRun && detailed && a.rep.Pending():
		return silentExit(ExitChanges)
	}
	return nil
}

func writeReconcileReport(c *ucli.Context, e *env, rep *report.Reconcile, format string) error {
	if f := c.String("report"); f != "" {
		if err := writeFileAtomic(f, func(w *os.File) error { return report.ReconcileJSON(w, rep) }); err != nil {
			return fmt.Errorf("write --report %s: %w", f, err)
		}
	}
	return report.ReconcileWrite(e.stdout, rep, format)
}

// writeFileAtomic writes a temporary file beside name and renames it over.
func writeFileAtomic(name string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// reconcileRun is the pipeline of DESIGN §7. It returns the report (nil
// when the run stopped before it had one), a gateStop when a gate refused,
// or an error.
//
// Load and signature stop the run at once: a configuration that does not
// load or is not signed is not read further. The other gates (policy,
// deletions, ownership) are all evaluated, and the changes they hold back
// are planned and reported, so one run shows every reason it refuses and
// what it would have written; a dry run is that report whatever the gates
// say.
func reconcileRun(ctx context.Context, c *ucli.Context, e *env, src *source) (*report.Reconcile, *gateStop, error) {
	rev, err := src.git.Resolve(c.String("ref"))
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile: %w", err)
	}
	rep := report.NewReconcile(rev.Hash, c.Bool("dry-run"))
	phase := phaseTimer(e, time.Now())

	// Gate load.
	fsys, err := src.git.FS(rev)
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile: %w", err)
	}
	head, err := loadRevision(e, fsys, rev, true)
	if err != nil {
		for _, d := range head.diags.Errors() {
			fmt.Fprintln(e.stderr, d.String())
		}
		rep.Gates = append(rep.Gates, report.Gate{Gate: report.GateLoad, Result: report.GateDeny,
			Findings: []plan.Finding{{Policy: "load", Level: "deny", Msg: err.Error()}},
			Unblock:  "fix the errors listed on stderr (xtsync validate lists them) and merge the fix"})
		return rep, &gateStop{code: ExitError}, nil
	}
	rep.Gates = append(rep.Gates, report.Gate{Gate: report.GateLoad, Result: report.GatePass})
	phase("load")

	// Gate signature.
	if g, err := signatureGate(c, e, fsys, src.git, rev, head.repo.Settings.VerifyCommits); err != nil {
		return nil, nil, err
	} else if g != nil {
		rep.Gates = append(rep.Gates, *g)
		if g.Result == report.GateDeny {
			return rep, &gateStop{code: ExitDenied}, nil
		}
	}

	// Graph clients, one per repo tenant, shared by the pull and the run.
	gc := newGraphClients(c, e)
	defer func() { rep.Requests = requestStats(gc.stats()) }()
	clients, err := gc.all(ctx, head.repo)
	if err != nil {
		return nil, nil, err
	}

	// The live state, read while fresh snapshots are pulled: the two are
	// independent, and a run over many tenants waits on Graph, not on
	// this host.
	type liveRead struct {
		st  *reconcile.State
		err error
	}
	liveCh := make(chan liveRead, 1)
	go func() {
		st, err := readLive(ctx, clients)
		liveCh <- liveRead{st, err}
	}()
	dir := reconcileSnapshotsDir(c, src, head.repo)
	snaps, err := reconcileSnapshots(ctx, c, e, gc, head.repo, dir)
	phase("snapshots")
	lr := <-liveCh
	phase("live state")
	if err != nil {
		return nil, nil, err
	}
	live := lr.st
	if lr.err != nil {
		return nil, nil, fmt.Errorf("reconcile: read the live state: %w", lr.err)
	}
	directory := reconcile.NewDirectory(snaps)
	liveRepo := reconcile.Import(live, head.repo, directory)
	base := &revision{name: "live", repo: liveRepo, policies: head.policies}

	// The plan live -> desired, and gates policy and deletions.
	simulateRevisions(base, head, snaps)
	p := plan.Build(plan.Input{Base: base.name, Head: head.name, BaseRepo: base.repo, HeadRepo: head.repo,
		BaseResult: base.result, HeadResult: head.result, Snapshots: snaps})
	rep.Impact = p.Impact
	eng, err := policyEngine(e, head, head)
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile: %w", err)
	}
	nowT, err := commandNow(c, "reconcile")
	if err != nil {
		return nil, nil, err
	}
	now := nowT.UTC().Format(time.RFC3339)
	findings, err := eng.Evaluate(ctx, policyInput(c, base, head, snaps, p.Changes, p.Impact, now))
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile: evaluate policies: %w", err)
	}

	// The change set. A scope reference the directory does not resolve
	// cannot be assigned: a policy finding at its line.
	desired, problems, err := reconcile.Desired(head.repo, live, directory)
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile: compute the desired state: %w", err)
	}
	findings = withBlockers(findings, base, head, snaps)
	findings = append(findings, problemFindings(problems, findings)...)
	phase("plan and policies")
	pol, del := policyGates(findings, c.Bool("allow-deletes"))
	if del.Result == report.GateOverridden {
		del.Reason = c.String("reason")
	}
	opts := reconcile.OptionsFrom(head.repo)
	cs, own := reconcile.Diff(desired, live, opts)
	og := ownershipGate(own)
	rep.Gates = append(rep.Gates, pol, del, og)
	holds := reconcile.HoldsAt(cs, head.repo, nowT, c.Bool("override-window"))
	rep.Gates = append(rep.Gates, holdGates(c, head.repo, holds)...)
	rep.SetChanges(cs)
	rep.SetHolds(holds)
	rep.Unmanaged = unmanagedOf(own)
	rep.SetIgnored(own.Ignored)
	if len(own.Ignored) > 0 {
		e.log.Info("reconcile: drift left alone by ignore rules", "objects", len(own.Ignored))
	}
	logHolds(e, holds, c.String("reason"))
	phase("diff")
	if rep.Denied() != nil {
		return rep, &gateStop{code: ExitDenied}, nil
	}
	if rep.DryRun {
		return rep, nil, nil
	}

	toApply := cs.Without(holds.ByObject)
	if len(toApply) == 0 {
		// Nothing to write: the live state read is the desired one, or
		// what differs is held.
		rep.Converged = len(cs) == 0
		return rep, nil, nil
	}
	cs = toApply

	// Apply, then read again: what is left.
	applier, err := newApplier(clients)
	if err != nil {
		return nil, nil, err
	}
	rep.SetResults(reconcile.Apply(ctx, cs, applier, reconcile.ApplyOptions{}))
	phase("apply")
	if ctx.Err() != nil {
		rep.Remaining = []string{"(not read again: the run was interrupted)"}
		return rep, nil, nil
	}
	live2, err := readLive(ctx, clients)
	if err != nil {
		return rep, nil, fmt.Errorf("reconcile: read the live state after applying: %w", err)
	}
	desired2, _, err := reconcile.Desired(head.repo, live2, directory)
	if err != nil {
		return rep, nil, fmt.Errorf("reconcile: compute the desired state after applying: %w", err)
	}
	left, _ := reconcile.Diff(desired2, live2, opts)
	rep.Converged = len(left) == 0
	stillHeld := reconcile.HoldsAt(left, head.repo, nowT, c.Bool("override-window"))
	for _, ch := range left.Without(stillHeld.ByObject) {
		rep.Remaining = append(rep.Remaining, ch.Object)
	}
	return rep, nil, nil
}

// phaseTimer returns a function that logs, at debug level, how long each
// phase of a run took since the previous one.
func phaseTimer(e *env, start time.Time) func(name string) {
	last := start
	return func(name string) {
		now := time.Now()
		e.log.Debug("reconcile: phase done", "phase", name, "took", now.Sub(last).Round(time.Millisecond), "since start", now.Sub(start).Round(time.Millisecond))
		last = now
	}
}

// problemFindings turns the desired state's problems (scope references
// the directory does not resolve) into deny findings at their lines, but
// for those a finding already denies at that line (the simulator's
// blockers say the same, with "did you mean").
func problemFindings(problems []reconcile.Problem, have []plan.Finding) []plan.Finding {
	denied := map[string]bool{}
	for _, f := range have {
		if f.Level == plan.LevelDeny {
			denied[f.File+":"+strconv.Itoa(f.Line)] = true
		}
	}
	var out []plan.Finding
	for _, pr := range problems {
		if denied[pr.Pos.File+":"+strconv.Itoa(pr.Pos.Line)] {
			continue
		}
		f := plan.Finding{Policy: "unresolved-scope-ref", Level: plan.LevelDeny, Msg: pr.Object + ": " + pr.Message, File: pr.Pos.File, Line: pr.Pos.Line}
		if pr.Warning {
			f.Policy, f.Level = "deleted-scope-user", plan.LevelWarn
		}
		out = append(out, f)
	}
	return out
}

// unmanagedOf lists the live objects the run found and leaves alone (or
// deletes, with prune), each with why.
func unmanagedOf(own reconcile.Ownership) []report.Unmanaged {
	out := []report.Unmanaged{}
	for _, u := range own.Unmanaged {
		out = append(out, report.Unmanaged{Object: u.Object, Deleted: u.Deleted, Reason: u.Reason})
	}
	for _, o := range own.Orphaned {
		out = append(out, report.Unmanaged{Object: o.Object, Deleted: o.Deleted, Reason: o.Reason})
	}
	return out
}

// signatureGate verifies rev's signature against the keyring of
// --verify-commits (a file on this host, which a pull request cannot
// change) or else of xtsync.yaml's verifyCommits (in the revision's files).
// It returns no gate when neither names one. A keyring that cannot be read
// is an error, not a refusal.
func signatureGate(c *ucli.Context, e *env, fsys fs.FS, g *gitfs.Repo, rev gitfs.Rev, inRepo string) (*report.Gate, error) {
	var kr *gitfs.Keyring
	switch flag := c.String("verify-commits"); {
	case flag != "":
		data, err := os.ReadFile(flag)
		if err != nil {
			return nil, fmt.Errorf("reconcile: read the --verify-commits keyring: %w", err)
		}
		if kr, err = gitfs.ParseKeyring("--verify-commits "+flag, data); err != nil {
			return nil, fmt.Errorf("reconcile: %w", err)
		}
		if inRepo != "" && filepath.Clean(inRepo) != filepath.Clean(flag) {
			e.log.Info("reconcile: the repository's verifyCommits keyring is not used: --verify-commits names the keyring", "verifyCommits", inRepo)
		}
	case inRepo != "":
		data, err := fs.ReadFile(fsys, strings.TrimPrefix(filepath.ToSlash(inRepo), "./"))
		if err != nil {
			return nil, fmt.Errorf("reconcile: read the verifyCommits keyring %s: %w", inRepo, err)
		}
		if kr, err = gitfs.ParseKeyring(inRepo+" (xtsync.yaml verifyCommits, at "+gitfs.Short(rev.Hash)+")", data); err != nil {
			return nil, fmt.Errorf("reconcile: %w", err)
		}
	default:
		return nil, nil
	}
	sig, err := g.VerifyCommit(rev, kr)
	if err != nil {
		return &report.Gate{Gate: report.GateSignature, Result: report.GateDeny,
			Findings: []plan.Finding{{Policy: "verify-commits", Level: plan.LevelDeny, Msg: err.Error()}},
			Unblock:  "reconcile a commit signed by a key of " + kr.Name}, nil
	}
	commit := "commit " + gitfs.Short(sig.Commit) + " (" + strconv.Quote(clipSubject(sig.Subject)) + ", committed by " + sig.Committer + ")"
	if !sig.Verified {
		return &report.Gate{Gate: report.GateSignature, Result: report.GateDeny,
			Findings: []plan.Finding{{Policy: "verify-commits", Level: plan.LevelDeny,
				Msg: fmt.Sprintf("%s: signer %s: %s; keyring %s", commit, sig.Who(), sig.Problem, kr.Name)}},
			Unblock: "reconcile a commit signed by a key of " + kr.Name + " (sign the merge, or add the signer's key to the keyring through a reviewed change)"}, nil
	}
	return &report.Gate{Gate: report.GateSignature, Result: report.GatePass,
		Findings: []plan.Finding{{Policy: "verify-commits", Level: "info",
			Msg: fmt.Sprintf("%s: signed by %s of keyring %s", commit, sig.Who(), kr.Name)}}}, nil
}

// clipSubject shortens a commit subject for a message.
func clipSubject(s string) string {
	if r := []rune(s); len(r) > 72 {
		return string(r[:71]) + "…"
	}
	return s
}

// policyGates splits the findings: deny findings of the deletion policies
// form gate deletions (overridden by allowDeletes), the rest gate policy.
func policyGates(findings []plan.Finding, allowDeletes bool) (pol, del report.Gate) {
	pol = report.Gate{Gate: report.GatePolicy, Result: report.GatePass, Findings: []plan.Finding{}}
	del = report.Gate{Gate: report.GateDeletions, Result: report.GatePass, Findings: []plan.Finding{}}
	for _, f := range findings {
		if deletionPolicies[f.Policy] {
			del.Findings = append(del.Findings, f)
			if f.Level == "deny" {
				del.Result = report.GateDeny
			}
			continue
		}
		pol.Findings = append(pol.Findings, f)
		if f.Level == "deny" {
			pol.Result = report.GateDeny
		}
	}
	if pol.Result == report.GateDeny {
		pol.Unblock = "change the repository so that the policies pass (xtsync check shows the same findings), or turn a built-in off in disabledPolicies through a reviewed change"
	}
	if del.Result == report.GateDeny {
		if allowDeletes {
			del.Result = report.GateOverridden
		} else {
			del.Unblock = "if these deletions are intended, run again with --allow-deletes; otherwise fix the scope or assignment that removes the users"
		}
	}
	return pol, del
}

// holdGates are gates window (when the repository has windows, or the run
// overrides them) and suspend (when it has suspensions): the changes they
// hold are planned and reported, not written, and the run goes on.
func holdGates(c *ucli.Context, repo *tenants.Repo, h reconcile.Holds) []report.Gate {
	var out []report.Gate
	if len(repo.Settings.Windows) > 0 || c.Bool("override-window") {
		g := report.Gate{Gate: report.GateWindow, Result: report.GatePass, Findings: []plan.Finding{}}
		for _, wh := range h.Windows {
			msg := fmt.Sprintf("%s held: %s", report.Count(len(wh.Objects), "change", "changes"), wh.Reason())
			if h.Overridden {
				msg = fmt.Sprintf("%s written all the same (--override-window): %s", report.Count(len(wh.Objects), "change", "changes"), wh.Reason())
			}
			g.Findings = append(g.Findings, plan.Finding{Policy: "change-window", Level: plan.LevelWarn, Msg: msg,
				File: wh.Windows[0].Pos.File, Line: wh.Windows[0].Pos.Line})
		}
		switch {
		case h.Overridden:
			g.Result, g.Reason = report.GateOverridden, c.String("reason")
		case len(h.Windows) > 0:
			g.Result = report.GateHold
			g.Unblock = `wait until the windows let the changes through (the findings say when), or run with --override-window --reason "why"`
		}
		out = append(out, g)
	}
	suspended := len(h.Suspends) > 0 || len(h.Ended) > 0
	for _, t := range repo.Tenants {
		suspended = suspended || t.Suspend != nil
		for _, sc := range t.Sync {
			suspended = suspended || sc.Suspend != nil
		}
	}
	if !suspended {
		return out
	}
	g := report.Gate{Gate: report.GateSuspend, Result: report.GatePass, Findings: []plan.Finding{}}
	for _, sh := range h.Suspends {
		g.Findings = append(g.Findings, plan.Finding{Policy: "suspend", Level: plan.LevelWarn,
			Msg:  fmt.Sprintf("%s held: %s", report.Count(len(sh.Objects), "change", "changes"), reconcile.SuspendReason(sh.What, sh.Suspend)),
			File: sh.Suspend.Pos.File, Line: sh.Suspend.Pos.Line})
		g.Result = report.GateHold
		g.Unblock = "wait until the suspension ends, or remove the suspend through a reviewed change"
	}
	for _, sh := range h.Ended {
		g.Findings = append(g.Findings, plan.Finding{Policy: "suspend-ended", Level: plan.LevelWarn,
			Msg: fmt.Sprintf("the suspension of %s (%s) ended at %s: its changes are written again; remove the suspend",
				sh.What, sh.Suspend.Reason, sh.Suspend.Until.UTC().Format(time.RFC3339)),
			File: sh.Suspend.Pos.File, Line: sh.Suspend.Pos.Line})
	}
	return append(out, g)
}

// logHolds logs what the windows and suspensions hold, and an override
// with its reason: one line each, for the logs of a scheduled run.
func logHolds(e *env, h reconcile.Holds, reason string) {
	for _, wh := range h.Windows {
		if h.Overridden {
			e.log.Warn("reconcile: --override-window: writing changes a change window holds", "changes", len(wh.Objects), "why", wh.Reason(), "reason", reason)
			continue
		}
		e.log.Info("reconcile: changes held by a change window", "changes", len(wh.Objects), "why", wh.Reason())
	}
	for _, sh := range h.Suspends {
		e.log.Info("reconcile: changes held by a suspension", "changes", len(sh.Objects), "why", reconcile.SuspendReason(sh.What, sh.Suspend))
	}
	for _, sh := range h.Ended {
		e.log.Warn("reconcile: a suspension has ended: remove it", "what", sh.What, "until", sh.Suspend.Until.UTC().Format(time.RFC3339), "at", sh.Suspend.Pos.String())
	}
}

// ownershipGate refuses when an untagged configuration is in the way.
func ownershipGate(own reconcile.Ownership) report.Gate {
	g := report.Gate{Gate: report.GateOwnership, Result: report.GatePass, Findings: []plan.Finding{}}
	for _, cf := range own.Conflicts {
		g.Findings = append(g.Findings, plan.Finding{Policy: "ownership", Level: "deny", Msg: cf.Object + ": " + cf.Reason})
		g.Result = report.GateDeny
	}
	if g.Result == report.GateDeny {
		g.Unblock = "adopt the configuration with its object id in sync[].id, or rename the repository's configuration"
	}
	return g
}

// reconcileSnapshots pulls the repo tenants' snapshots into dir, or with
// --no-pull reads them and refuses any older than --max-snapshot-age.
func reconcileSnapshots(ctx context.Context, c *ucli.Context, e *env, gc *graphClients, repo *tenants.Repo, dir string) (plan.Snapshots, error) {
	if !c.Bool("no-pull") {
		if _, err := pullSnapshots(ctx, c, e, gc, repo, dir, repo.Tenants, time.Now()); err != nil {
			return nil, fmt.Errorf("reconcile: %w", err)
		}
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reconcile: no snapshot of tenant: %s does not exist (run without --no-pull, or xtsync snapshot pull)", dir)
	}
	snaps, err := simulate.LoadSnapshots(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("reconcile: read snapshots in %s: %w", dir, err)
	}
	if err := simulate.CheckSnapshotTenants(repo, snaps, dir); err != nil {
		return nil, fmt.Errorf("reconcile: %w", err)
	}
	for _, t := range repo.Tenants {
		s := snaps[t.Name]
		if s == nil {
			return nil, fmt.Errorf("reconcile: no snapshot of tenant %s in %s (run without --no-pull, or xtsync snapshot pull)", t.Name, dir)
		}
		if !c.Bool("no-pull") {
			continue
		}
		at, err := time.Parse(time.RFC3339, s.CapturedAt)
		if err != nil {
			return nil, fmt.Errorf("reconcile: snapshot of tenant %s has no capture time; pull it again", t.Name)
		}
		if age := time.Since(at); age > c.Duration("max-snapshot-age") {
			return nil, fmt.Errorf("reconcile: the snapshot of tenant %s is %s old, over --max-snapshot-age %s: pull it (run without --no-pull)", t.Name, age.Round(time.Second), c.Duration("max-snapshot-age"))
		}
	}
	return snaps, nil
}

// requestStats are the run's Graph HTTP requests, pull included: writes
// the write requests sent (POST, PUT, PATCH, DELETE), reads the others,
// retries those of them that were sent again, throttled the 429, 503 and
// 504 answers.
func requestStats(s graph.Stats) report.Requests {
	return report.Requests{Reads: int(s.Requests - s.Writes), Writes: int(s.Writes), Retries: int(s.Retries), Throttled: int(s.Throttled)}
}

// readLive and newApplier are where reconcile/graph plugs in.
var (
	readLive   = graph.ReadLive
	newApplier = func(clients map[string]*graph.Client) (reconcile.Applier, error) {
		return graph.NewApplier(clients, graph.ApplierOptions{}), nil
	}
)
