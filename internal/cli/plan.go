package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

func planCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "plan",
		Usage:     "show what a change between two Git revisions does to each target tenant",
		UsageText: "xtsync plan [--base REV] [--head REV] [--repo DIR] [--snapshots DIR] [--output text|json|markdown] [--detailed-exitcode]",
		Description: `Loads the config repository at two Git revisions (no checkout: any branch,
remote branch, tag, SHA or HEAD~N; WORKTREE is the working tree with its
uncommitted changes), lists the config changes between them (trust and sync,
each with file, line and a readable before/after), simulates one provisioning
cycle of both against the same directory snapshots, and reports per target
tenant the B2B users the change adds, removes (soft-deletes), changes,
disables or holds back by the deletion threshold (staged: shown under a
quarantine banner), with the reason for each; then the drift between head and
what the snapshots show, and the findings of the policies of both revisions.

--base defaults to origin/main when it exists, else main. --head defaults to
HEAD, or to WORKTREE when the config files have uncommitted changes (stderr
says so). Snapshots are never in Git: they are read from --snapshots, else
from xtsync.yaml's snapshots directory under --repo. Without snapshots the
plan still lists the config changes.

--output markdown is a pull-request comment: a summary table per target,
a Mermaid diagram of the sync flows, collapsible per-user detail and
findings linked to file lines (--link-base, or automatically on GitHub
Actions); it stays under GitHub's comment size limit by summarising.
--output json is the contract (formatVersion 1, DESIGN §6).

Examples:
   xtsync plan --base origin/main --head HEAD --output markdown > comment.md
   xtsync plan --base v1.4 --head WORKTREE
   xtsync plan --detailed-exitcode --output json > plan.json

Exit codes: 0 success (with --detailed-exitcode: nothing changes), 1 error
(unknown revision, a revision that does not load, unreadable snapshots),
2 usage error, 3 a policy denies the change, 4 changes pending (only with
--detailed-exitcode).`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "base", Usage: "base `REV` (default: origin/main if it exists, else main)", EnvVars: []string{"XTSYNC_BASE"}},
			&ucli.StringFlag{Name: "head", Usage: "head `REV`, or WORKTREE (default: HEAD, or WORKTREE when the config has uncommitted changes)", EnvVars: []string{"XTSYNC_HEAD"}},
			repoFlag(),
			snapshotsFlag(),
			outputFlag("text", "json", "markdown"),
			&ucli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 4 when applying head would change anything (a config change, a user impact or drift), 0 when not", EnvVars: []string{"XTSYNC_DETAILED_EXITCODE"}},
			&ucli.IntFlag{Name: "max-users", Value: 50, Usage: "`COUNT` of users each list shows in text and markdown before \"and N more\" (0: counts only)", EnvVars: []string{"XTSYNC_MAX_USERS"}},
			&ucli.StringFlag{Name: "link-base", Usage: "`URL` that file paths are appended to for links in markdown (default on GitHub Actions: the head commit's blob URL)", EnvVars: []string{"XTSYNC_LINK_BASE"}},
			&ucli.StringFlag{Name: "now", Usage: "the time policies see as input.context.now, `RFC3339` (default: now)", EnvVars: []string{"XTSYNC_NOW"}},
			&ucli.StringFlag{Name: "author", Usage: "`AUTHOR` policies see as input.context.author (default: head's commit author)", EnvVars: []string{"XTSYNC_AUTHOR"}},
			&ucli.StringSliceFlag{Name: "label", Usage: "pull-request `LABEL` passed to policies as input.context.labels (repeatable)", EnvVars: []string{"XTSYNC_LABELS"}},
			&ucli.BoolFlag{Name: "no-policies", Usage: "skip policy evaluation (findings stay empty)", EnvVars: []string{"XTSYNC_NO_POLICIES"}},
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runPlan(c, e)
		},
	}
}

func runPlan(c *ucli.Context, e *env) error {
	format, err := outputFormat(c, "text", "json", "markdown")
	if err != nil {
		return err
	}
	if c.Int("max-users") < 0 {
		return usageError("--max-users: want 0 or more, got %d", c.Int("max-users"))
	}
	repo, err := gitfs.Open(c.String("repo"))
	if err != nil {
		return err
	}
	baseRev, headRev, err := planRevisions(c, e, repo)
	if err != nil {
		return err
	}
	base, err := loadPlanRevision(e, repo, baseRev, false)
	if err != nil {
		return err
	}
	head, err := loadPlanRevision(e, repo, headRev, true)
	if err != nil {
		return err
	}
	snaps, err := planSnapshots(c, e, head.repo)
	if err != nil {
		return err
	}
	base.result = simulate.Run(base.repo, snaps, simulate.Options{})
	head.result = simulate.Run(head.repo, snaps, simulate.Options{})
	if len(snaps) > 0 {
		logBlocked(e, head.result)
	}

	files, err := planFiles(repo, baseRev, headRev)
	if err != nil {
		return err
	}
	p := plan.Build(plan.Input{
		Files: files,
		Base:  base.name, Head: head.name,
		BaseRepo: base.repo, HeadRepo: head.repo,
		BaseResult: base.result, HeadResult: head.result,
		Snapshots: snaps,
	})
	if !c.Bool("no-policies") {
		if p.Findings, err = planFindings(c, e, base, head, p); err != nil {
			return err
		}
	}

	opts := report.PlanOptions{MaxUsers: c.Int("max-users"), LinkBase: linkBase(c, repo, headRev)}
	if opts.MaxUsers == 0 {
		opts.MaxUsers = -1 // PlanOptions: <= 0 is the default; 0 users means counts only
	}
	switch format {
	case "json":
		err = report.PlanJSON(e.stdout, p)
	case "markdown":
		err = report.PlanMarkdown(e.stdout, p, opts)
	default:
		err = report.PlanText(e.stdout, p, opts)
	}
	if err != nil {
		return err
	}
	switch {
	case p.Denied():
		return silentExit(ExitDenied)
	case c.Bool("detailed-exitcode") && p.Pending():
		return silentExit(ExitChanges)
	}
	return nil
}

// planFiles lists the files changed between the revisions.
func planFiles(g *gitfs.Repo, base, head gitfs.Rev) ([]plan.File, error) {
	changed, err := g.Changed(base, head)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	ops := map[gitfs.Op]string{gitfs.OpAdd: plan.OpAdd, gitfs.OpDelete: plan.OpRemove, gitfs.OpModify: plan.OpModify}
	out := make([]plan.File, 0, len(changed))
	for _, c := range changed {
		out = append(out, plan.File{Path: c.Path, Op: ops[c.Op]})
	}
	return out, nil
}

// planRevisions resolves --base and --head, with their defaults.
func planRevisions(c *ucli.Context, e *env, repo *gitfs.Repo) (base, head gitfs.Rev, err error) {
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

// loadPlanRevision loads the config and reads the policies at a revision.
// A head with errors stops the plan (diagnostics on stderr); a base with
// errors counts as far as it loaded, with a warning: a pull request may fix
// a broken main.
func loadPlanRevision(e *env, g *gitfs.Repo, rev gitfs.Rev, isHead bool) (*revision, error) {
	fsys, err := g.FS(rev)
	if err != nil {
		return nil, err
	}
	repo, diags := tenants.Load(fsys)
	if repo == nil {
		repo = &tenants.Repo{Settings: tenants.DefaultSettings()}
	}
	if diags.HasErrors() {
		if isHead {
			for _, d := range diags.Errors() {
				fmt.Fprintln(e.stderr, d.String())
			}
			return nil, fmt.Errorf("plan: head (%s) has %d config error(s); xtsync validate lists them", revName(rev), len(diags.Errors()))
		}
		e.log.Warn("the base revision's config has errors; it counts as far as it loads", "base", revName(rev), "errors", len(diags.Errors()))
	}
	mods, err := readPolicyDirs(fsys, repo.Settings.Policies, false)
	if err != nil {
		return nil, fmt.Errorf("plan: %s: %w", revName(rev), err)
	}
	return &revision{name: rev.String(), author: rev.Author, repo: repo, policies: mods}, nil
}

func revName(v gitfs.Rev) string {
	if v.Worktree || v.Name == v.Hash {
		return v.String()
	}
	return v.Name + " " + gitfs.Short(v.Hash)
}

// planSnapshots reads the snapshots from the working tree. A missing
// directory means no snapshots: the plan lists config changes only.
func planSnapshots(c *ucli.Context, e *env, head *tenants.Repo) (plan.Snapshots, error) {
	dir := snapshotsDir(c, head)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		e.log.Warn("no snapshots: user impact and drift need them (xtsync snapshot pull)", "dir", dir)
		return plan.Snapshots{}, nil
	}
	snaps, err := simulate.LoadSnapshots(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("plan: read snapshots in %s: %w", dir, err)
	}
	return snaps, nil
}

// planFindings evaluates the policies of both revisions: a change is denied
// when either denies it; built-ins are disabled per base's settings.
func planFindings(c *ucli.Context, e *env, base, head *revision, p *plan.Plan) ([]plan.Finding, error) {
	eng, err := policy.New(policy.Options{Builtins: true, Disabled: base.repo.Settings.DisabledPolicies,
		Modules: head.policies, BaseModules: baseModules(base, head)})
	if err != nil {
		var ce *policy.CompileError
		if errors.As(err, &ce) {
			fmt.Fprintln(e.stderr, ce.Error())
			return nil, fmt.Errorf("plan: %d policy problem(s)", len(ce.Problems))
		}
		return nil, fmt.Errorf("plan: %w", err)
	}
	labels := c.StringSlice("label")
	if labels == nil {
		labels = []string{}
	}
	now := time.Now().UTC()
	if v := c.String("now"); v != "" {
		if now, err = time.Parse(time.RFC3339, v); err != nil {
			return nil, usageError("plan: --now: want an RFC 3339 time like 2026-11-27T09:00:00Z, got %q", v)
		}
	}
	author := head.author
	if a := c.String("author"); a != "" {
		author = a
	}
	findings, err := eng.Evaluate(c.Context, policy.Input{
		Base: policy.Document(base.repo), Head: policy.Document(head.repo),
		Changes: p.Changes, Impact: p.Impact, Summary: policy.Summarize(head.result),
		Context: policy.Context{Now: now.UTC().Format(time.RFC3339), Revision: head.name, Author: author, Labels: labels},
	})
	if err != nil {
		return nil, fmt.Errorf("plan: evaluate policies: %w", err)
	}
	if findings == nil {
		findings = []plan.Finding{}
	}
	return findings, nil
}

// linkBase is --link-base, or on GitHub Actions the head commit's blob URL
// (plus the config directory's path in the repository).
func linkBase(c *ucli.Context, repo *gitfs.Repo, head gitfs.Rev) string {
	if lb := c.String("link-base"); lb != "" {
		if !strings.HasSuffix(lb, "/") {
			lb += "/"
		}
		return lb
	}
	server, ghRepo := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY")
	if server == "" || ghRepo == "" || head.Hash == "" || head.Worktree {
		return ""
	}
	lb := strings.TrimSuffix(server, "/") + "/" + ghRepo + "/blob/" + head.Hash + "/"
	if repo.Prefix() != "" {
		lb += repo.Prefix() + "/"
	}
	return lb
}
