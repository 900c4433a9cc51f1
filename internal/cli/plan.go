package cli

import (
	"fmt"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
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
plan still lists the config changes, and says in the report that the user
impact was not computed.

--output markdown is a pull-request comment: a summary table per target,
a Mermaid diagram of the sync flows, collapsible per-user detail and
findings linked to file lines (--link-base, or automatically on GitHub
Actions); it stays under GitHub's comment size limit by summarising.
--output json is the contract (formatVersion 1, docs/plan.md).

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
			maxSnapshotBytesFlag(),
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
	baseRev, headRev, err := resolveRevisions(c, e, repo)
	if err != nil {
		return err
	}
	base, head, err := loadRevisions(e, repo, baseRev, headRev)
	if err != nil {
		if head != nil {
			for _, d := range head.diags.Errors() {
				fmt.Fprintln(e.stderr, d.String())
			}
		}
		return fmt.Errorf("plan: %w", err)
	}
	snaps, dir, err := loadSnapshots(c, head.repo)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if snaps == nil {
		e.log.Warn("no directory snapshots: user impact not computed, only the config changes are listed (xtsync snapshot pull writes them)", "dir", dir)
	}
	simulateRevisions(base, head, snaps)
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
		if p.Findings, err = planFindings(c, e, base, head, snaps, p); err != nil {
			return err
		}
	}

	opts := report.PlanOptions{MaxUsers: c.Int("max-users"), LinkBase: linkBase(c, repo, headRev), NoSnapshots: snaps == nil}
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

// planFindings evaluates the policies of both revisions: a change is denied
// when either denies it; built-ins are disabled per base's settings.
func planFindings(c *ucli.Context, e *env, base, head *revision, snaps plan.Snapshots, p *plan.Plan) ([]plan.Finding, error) {
	eng, err := policyEngine(e, base, head)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	now, err := policyNow(c, "plan")
	if err != nil {
		return nil, err
	}
	findings, err := eng.Evaluate(c.Context, policyInput(c, base, head, snaps, p.Changes, p.Impact, now))
	if err != nil {
		return nil, fmt.Errorf("plan: evaluate policies: %w", err)
	}
	return withBlockers(findings, base, head, snaps), nil
}

// withBlockers adds what stops head's configurations from running (a scope
// reference that matches nothing …) to the policies' findings, sorted as
// they are: a gate must not pass a configuration a typo blocks.
func withBlockers(findings []plan.Finding, base, head *revision, snaps plan.Snapshots) []plan.Finding {
	findings = append(findings, plan.BlockerFindings(base.result, head.result, head.repo, snaps)...)
	policy.SortFindings(findings)
	if findings == nil {
		findings = []plan.Finding{}
	}
	return findings
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
