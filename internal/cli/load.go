package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/hugeheap"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// What xtsync plan and xtsync check share: the revisions they compare, how
// each is loaded, the snapshots both are simulated against, and the policy
// engine and input document.

// revision is one side of a plan or check: the config and the policies at a
// revision.
type revision struct {
	name     string // commit SHA, WORKTREE, or "" for the plain working tree
	author   string
	repo     *tenants.Repo
	diags    tenants.Diagnostics
	policies map[string]string
	result   *simulate.Result
}

// resolveRevisions resolves --base and --head, with their defaults: base
// origin/main when it exists, else main; head HEAD, or WORKTREE when config
// files have uncommitted changes (stderr says so).
func resolveRevisions(c *ucli.Context, e *env, repo *gitfs.Repo) (base, head gitfs.Rev, err error) {
	baseName := c.String("base")
	if baseName == "" {
		baseName = "main"
		if repo.Exists("origin/main") {
			baseName = "origin/main"
		}
		if !repo.Exists(baseName) {
			return base, head, fmt.Errorf("no base revision: neither origin/main nor main exists; pass --base REV")
		}
	}
	if base, err = repo.Resolve(baseName); err != nil {
		return base, head, err
	}
	if base.Worktree {
		return base, head, usageError("--base cannot be %s: the base is a commit", gitfs.Worktree)
	}
	headName := c.String("head")
	if headName == "" {
		headName = "HEAD"
		dirty, err := uncommittedConfig(repo)
		if err != nil {
			return base, head, err
		}
		if len(dirty) > 0 {
			headName = gitfs.Worktree
			e.log.Info("the working tree has uncommitted config changes: planning WORKTREE (pass --head HEAD for the last commit)",
				"files", strings.Join(dirty, ","))
		}
	}
	head, err = repo.Resolve(headName)
	return base, head, err
}

// uncommittedConfig lists the uncommitted files that are config: xtsync.yaml,
// tenants/*, and Rego policies.
func uncommittedConfig(repo *gitfs.Repo) ([]string, error) {
	files, err := repo.Uncommitted()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		if f == tenants.SettingsFile || strings.HasPrefix(f, tenants.TenantsDir+"/") || strings.HasSuffix(f, ".rego") {
			out = append(out, f)
		}
	}
	return out, nil
}

// loadRevisions loads base and head from the Git repository (see
// loadRevision). When head's config has errors, head comes back with its
// diagnostics and an error.
func loadRevisions(e *env, g *gitfs.Repo, baseRev, headRev gitfs.Rev) (base, head *revision, err error) {
	load := func(rev gitfs.Rev, isHead bool) (*revision, error) {
		fsys, err := g.FS(rev)
		if err != nil {
			return nil, err
		}
		return loadRevision(e, fsys, rev, isHead)
	}
	if base, err = load(baseRev, false); err != nil {
		return nil, nil, err
	}
	head, err = load(headRev, true)
	return base, head, err
}

// loadRevision loads the config and reads the policies in fsys, the files of
// rev (the zero Rev: a working tree checked alone). The revision keeps the
// config's diagnostics; nothing is printed. A head with errors stops the
// command: it comes back, without policies, with an error. A base with
// errors counts as far as it loads, with a warning: a pull request may fix a
// broken main.
func loadRevision(e *env, fsys fs.FS, rev gitfs.Rev, isHead bool) (*revision, error) {
	repo, diags := tenants.Load(fsys)
	if repo == nil {
		repo = &tenants.Repo{Settings: tenants.DefaultSettings()}
	}
	r := &revision{name: rev.String(), author: rev.Author, repo: repo, diags: diags}
	if diags.HasErrors() {
		if isHead {
			return r, fmt.Errorf("%s has %s; xtsync validate lists them", revLabel(rev, isHead), report.Count(len(diags.Errors()), "config error", "config errors"))
		}
		e.log.Warn("the base revision's config has errors; its policies and settings count as far as they load", "base", revName(rev), "errors", len(diags.Errors()))
	}
	mods, err := readPolicyDirs(fsys, repo.Settings.Policies, false)
	if err != nil {
		return r, fmt.Errorf("%s: %w", revLabel(rev, isHead), err)
	}
	r.policies = mods
	return r, nil
}

// revLabel names a revision in messages: "head (WORKTREE)", "base (main
// 1a2b3c4)", or "the repository" for a working tree checked alone.
func revLabel(v gitfs.Rev, isHead bool) string {
	if v == (gitfs.Rev{}) {
		return "the repository"
	}
	side := "base"
	if isHead {
		side = "head"
	}
	return side + " (" + revName(v) + ")"
}

// revName is the revision as asked for with its short SHA ("main 1a2b3c4"),
// or the SHA or WORKTREE alone.
func revName(v gitfs.Rev) string {
	if v.Worktree || v.Name == v.Hash {
		return v.String()
	}
	return v.Name + " " + gitfs.Short(v.Hash)
}

// loadSnapshots reads the snapshots from disk: --snapshots, else
// xtsync.yaml's snapshots directory under --repo, and checks that each
// holds its tenant's directory (simulate.CheckSnapshotTenants: a snapshot
// of another tenant is an error). A missing directory, or one without
// snapshots, means none: nil, with the directory for the caller's message.
func loadSnapshots(c *ucli.Context, repo *tenants.Repo) (plan.Snapshots, string, error) {
	dir := snapshotsDir(c, repo)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, dir, nil
	}
	// plan and check make garbage (the impact's sets): the collector's
	// default pace keeps the heap smaller and costs no more.
	tuneMemory(dir, 100)
	snaps, err := simulate.LoadSnapshotsWith(gitfs.DirFS(dir), ".", simulate.ReadOptions{Columnar: true, MaxBytes: c.Int64("max-snapshot-bytes")})
	if err != nil {
		return nil, dir, fmt.Errorf("read snapshots in %s: %w", dir, err)
	}
	if err := simulate.CheckSnapshotTenants(repo, snaps, dir); err != nil {
		return nil, dir, err
	}
	if len(snaps) == 0 {
		return nil, dir, nil
	}
	return snaps, dir, nil
}

// tuneMemory prepares the process for simulating the snapshots in dir
// (simulate, plan, check). At a million users the snapshots and the result
// take over a GB that lives to the end: a soft limit makes the collector
// work harder near it instead of doubling the heap, and gcPercent (GOGC;
// -1: off, the limit alone paces the collector) sets its pace below it
// (unless GOMEMLIMIT or GOGC say otherwise); the heap that the snapshots
// will take is backed by huge pages (internal/hugeheap).
func tuneMemory(dir string, gcPercent int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1800 << 20)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	hugeheap.Reserve(min(3*snapshotBytes(dir), debug.SetMemoryLimit(-1)))
}

// snapshotBytes estimates the size of the snapshots in dir once
// decompressed (a gzipped file counts eight times its size).
func snapshotBytes(dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch {
		case strings.HasSuffix(e.Name(), ".json"):
			n += info.Size()
		case strings.HasSuffix(e.Name(), ".json.gz"):
			n += 8 * info.Size()
		}
	}
	return n
}

// simulateRevisions runs one cycle of head and, when it is another
// revision, of base against the same snapshots, which share their indexes.
func simulateRevisions(base, head *revision, snaps plan.Snapshots) {
	p := simulate.Prepare(snaps)
	head.result = p.Run(head.repo, simulate.Options{})
	if base != head {
		base.result = p.Run(base.repo, simulate.Options{})
	}
}

// logBlocked says on stderr which configurations the cycle could not run.
func logBlocked(e *env, res *simulate.Result) {
	for _, cr := range res.Configs {
		if cr.State != simulate.StateBlocked {
			continue
		}
		for _, b := range cr.Blockers {
			e.log.Warn("configuration blocked", "config", cr.Source+"/"+cr.Name, "code", b.Code, "reason", b.Message)
		}
	}
}

// policyEngine compiles the built-ins (minus base's disabledPolicies) and
// the policies of head and, when they differ, of base. Compile problems are
// printed on stderr, one file:line:col: message a line.
//
// Evaluations run in a child process bounded in time (--policy-timeout,
// else base's policyTimeout, else 30 s: a pull request cannot raise its own
// limit) and memory (--policy-max-memory): see policyproc.go.
func policyEngine(e *env, base, head *revision) (*policyRunner, error) {
	opts := policy.Options{
		Builtins:    true,
		Disabled:    base.repo.Settings.DisabledPolicies,
		Modules:     head.policies,
		BaseModules: baseModules(base, head),
	}
	eng, err := policy.New(opts)
	var ce *policy.CompileError
	if errors.As(err, &ce) {
		fmt.Fprintln(e.stderr, ce.Error())
		return nil, fmt.Errorf("%s", report.Count(len(ce.Problems), "policy problem", "policy problems"))
	}
	if err != nil {
		return nil, err
	}
	limits := policyLimits{timeout: defaultPolicyTimeout, maxMemory: e.policyMaxMemory,
		source: "--policy-timeout (or policyTimeout in xtsync.yaml, from the base revision)"}
	switch {
	case e.policyTimeout > 0:
		limits.timeout, limits.source = e.policyTimeout, "--policy-timeout"
	case base.repo.Settings.PolicyTimeout > 0:
		limits.timeout, limits.source = base.repo.Settings.PolicyTimeout, "policyTimeout in xtsync.yaml (the base revision's counts) or pass --policy-timeout"
	}
	return &policyRunner{eng: eng, opts: opts, limits: limits}, nil
}

// baseModules are base's policies when they are evaluated apart from
// head's: only when base is another revision, and only when they differ.
func baseModules(base, head *revision) map[string]string {
	if base == head || samePolicies(base.policies, head.policies) {
		return nil
	}
	out := make(map[string]string, len(base.policies))
	for name, src := range base.policies {
		out["base:"+name] = src
	}
	return out
}

func samePolicies(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// policyNow is --now (default: the clock) as RFC 3339 in UTC, the time
// policies see as input.context.now. cmd prefixes the usage error.
func policyNow(c *ucli.Context, cmd string) (string, error) {
	now, err := commandNow(c, cmd)
	if err != nil {
		return "", err
	}
	return now.UTC().Format(time.RFC3339), nil
}

// commandNow is --now (RFC 3339), else the time now: the one clock of a
// command, injected by tests.
func commandNow(c *ucli.Context, cmd string) (time.Time, error) {
	if v := c.String("now"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, usageError("%s: --now: want an RFC 3339 time like 2026-11-27T09:00:00Z, got %q", cmd, v)
		}
		return t, nil
	}
	return time.Now(), nil
}

// policyInput is the document the policies see: both revisions' configs,
// the change's config changes and user impact, head's cycle summarised over
// each target's whole B2B user set (none without snapshots), and the
// context: now, head's revision, --author (default head's commit author)
// and --label. Nil lists become empty.
func policyInput(c *ucli.Context, base, head *revision, snaps plan.Snapshots, changes []plan.Change, impact []plan.TargetImpact, now string) policy.Input {
	in := policy.Input{
		Base:    policy.Document(base.repo),
		Head:    policy.Document(head.repo),
		Changes: changes,
		Impact:  impact,
		Summary: policy.SummarizeCycle(head.result, snaps),
		Context: policy.Context{Now: now, Revision: head.name, Author: head.author, Labels: c.StringSlice("label")},
	}
	if a := c.String("author"); a != "" {
		in.Context.Author = a
	}
	if in.Changes == nil {
		in.Changes = []plan.Change{}
	}
	if in.Impact == nil {
		in.Impact = []plan.TargetImpact{}
	}
	if in.Context.Labels == nil {
		in.Context.Labels = []string{}
	}
	return in
}
