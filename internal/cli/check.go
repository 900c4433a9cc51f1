package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

var checkFormats = []string{"text", "json", "sarif", "junit", "github"}

func checkCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "check",
		Usage:     "validate, simulate and evaluate policies; exit 3 when a policy denies",
		UsageText: "xtsync check [--repo DIR] [--base REV [--head REV]] [--snapshots DIR] [--output text|json|sarif|junit|github]",
		Description: `The CI gate. Loads the config repository (exit 1 with file:line:col
diagnostics when it has errors), simulates one provisioning cycle against the
directory snapshots when there are any, and evaluates the built-in policies
(xtsync policy list) and the repository's own Rego policies (policies/*.rego,
see docs/policies.md). Every finding names its policy, file and line.

Without --base, the working tree is checked alone: base = head, no config
changes, and the impact is head's cycle against the snapshots as they are.
With --base (a branch, tag or SHA of the Git repository holding --repo), the
config at base and at --head (default HEAD, or the working tree when it has
uncommitted changes; WORKTREE names it) are diffed and both simulated, like
xtsync plan. Policies come from BOTH revisions and a change is denied when
either set denies it; disabledPolicies counts from base, so a change cannot
switch off its own gate. Snapshots are read from disk (--snapshots, else
xtsync.yaml's snapshots relative to --repo); without them, policies that
need users (inbound-limits maxUsers, deletion-threshold, delete-share) see
none, and check says so on stderr.

Output formats: text (one line per finding), json (the contract), sarif
(SARIF 2.1.0 for code scanning), junit (one testcase per policy), github
(workflow annotations on the file and line).

--dump-input FILE writes the input document the policies see (see
docs/policies.md), to write and test policies against.

Examples:
  xtsync check
  xtsync check --dump-input input.json && opa eval -d policies -i input.json data.xtsync
  xtsync check --base origin/main --output github
  xtsync check --base origin/main --output sarif > xtsync.sarif

Exit codes: 0 no policy denies (warnings allowed), 1 the repository or a
policy cannot be loaded, 2 usage error, 3 a policy denied.`,
		Flags: []ucli.Flag{
			repoFlag(),
			&ucli.StringFlag{Name: "base", Usage: "check the change from base `REV` (branch, tag, SHA) to --head", EnvVars: []string{"XTSYNC_BASE"}},
			&ucli.StringFlag{Name: "head", Usage: "head `REV` with --base (default HEAD, or WORKTREE when the tree has uncommitted changes)", EnvVars: []string{"XTSYNC_HEAD"}},
			snapshotsFlag(),
			outputFlag(checkFormats...),
			&ucli.StringFlag{Name: "now", Usage: "the time policies see as input.context.now, `RFC3339` (default: now)", EnvVars: []string{"XTSYNC_NOW"}},
			&ucli.StringFlag{Name: "author", Usage: "input.context.author `NAME` (default: head's commit author)", EnvVars: []string{"XTSYNC_AUTHOR"}},
			&ucli.StringSliceFlag{Name: "label", Usage: "input.context.labels `LABEL`, e.g. the pull request's labels (repeatable)", EnvVars: []string{"XTSYNC_LABELS"}},
			&ucli.StringFlag{Name: "dump-input", Usage: "also write the policy input document to `FILE` (JSON), to write policies against", EnvVars: []string{"XTSYNC_DUMP_INPUT"}},
		},
		Action: func(c *ucli.Context) error { return runCheck(c, e) },
	}
}

// revision is one side of a check: the config and the policies at a revision.
type revision struct {
	name     string // commit SHA, WORKTREE, or "" for the plain working tree
	author   string
	repo     *tenants.Repo
	diags    tenants.Diagnostics
	policies map[string]string
	result   *simulate.Result
}

// errHeadInvalid: head's config has errors; the check stops (exit 1).
var errHeadInvalid = errors.New("the repository has errors")

func runCheck(c *ucli.Context, e *env) error {
	if err := noArgs(c); err != nil {
		return err
	}
	format, err := outputFormat(c, checkFormats...)
	if err != nil {
		return err
	}
	if c.String("head") != "" && c.String("base") == "" {
		return usageError("check: --head needs --base")
	}
	now := time.Now().UTC().Format(time.RFC3339)
	if s := c.String("now"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return usageError("check: --now: want an RFC 3339 time like 2026-11-27T09:00:00Z, got %q", s)
		}
		now = t.UTC().Format(time.RFC3339)
	}
	dir := c.String("repo")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("check: repository %s: not a directory", dir)
	}

	base, head, err := checkRevisions(c, e, dir)
	if errors.Is(err, errHeadInvalid) && head != nil && format != "text" {
		// The report carries the diagnostics, so code scanning and
		// annotations point at them too.
		b, h := revisionNames(base, head)
		rep := report.NewFindings(b, h, nil, nil).WithDiagnostics(head.diags)
		if werr := writeFindings(e, rep, format); werr != nil {
			return fmt.Errorf("check: write report: %w", werr)
		}
	}
	if err != nil {
		return err
	}

	eng, err := policyEngine(e, base, head)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}

	snaps, err := checkSnapshots(c, e, head.repo)
	if err != nil {
		return err
	}
	input := checkInput(c, base, head, snaps, now)
	if head.result != nil {
		logBlocked(e, head.result)
	}
	if f := c.String("dump-input"); f != "" {
		if err := dumpInput(f, input); err != nil {
			return fmt.Errorf("check: --dump-input: %w", err)
		}
	}
	findings, err := eng.Evaluate(c.Context, input)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	baseName, headName := revisionNames(base, head)
	rep := report.NewFindings(baseName, headName, policyInfos(eng.Policies()), findings).WithDiagnostics(head.diags)
	if err := writeFindings(e, rep, format); err != nil {
		return fmt.Errorf("check: write report: %w", err)
	}
	if rep.Denied() {
		return silentExit(ExitDenied)
	}
	return nil
}

// checkInput simulates base and head (when there are snapshots) and builds
// the policy input: with --base the plan's changes and impact, else head's
// next cycle against the snapshots as they are.
func checkInput(c *ucli.Context, base, head *revision, snaps plan.Snapshots, now string) policy.Input {
	input := policy.Input{
		Base:    policy.Document(base.repo),
		Head:    policy.Document(head.repo),
		Changes: []plan.Change{},
		Impact:  []plan.TargetImpact{},
		Summary: policy.Summarize(nil),
		Context: policy.Context{Now: now, Revision: head.name, Author: head.author, Labels: c.StringSlice("label")},
	}
	if input.Context.Labels == nil {
		input.Context.Labels = []string{}
	}
	if a := c.String("author"); a != "" {
		input.Context.Author = a
	}
	if snaps != nil {
		head.result = simulate.Run(head.repo, snaps, simulate.Options{})
		if base != head {
			base.result = simulate.Run(base.repo, snaps, simulate.Options{})
		}
		input.Summary = policy.SummarizeCycle(head.result, snaps)
	}
	switch {
	case base != head:
		p := plan.Build(plan.Input{
			Base: base.name, Head: head.name,
			BaseRepo: base.repo, HeadRepo: head.repo,
			BaseResult: base.result, HeadResult: head.result,
			Snapshots: snaps,
		})
		input.Changes, input.Impact = p.Changes, p.Impact
	case snaps != nil:
		// A nil base result is the snapshots' own B2B sets.
		input.Impact = plan.Impact(nil, head.result, head.repo, head.repo, snaps)
	}
	if input.Changes == nil {
		input.Changes = []plan.Change{}
	}
	if input.Impact == nil {
		input.Impact = []plan.TargetImpact{}
	}
	return input
}

// dumpInput writes the policy input document as indented JSON.
func dumpInput(file string, input policy.Input) error {
	data, err := json.MarshalIndent(input, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(data, '\n'), 0o644)
}

// revisionNames are the base and head the report names: none when the
// working tree is checked alone.
func revisionNames(base, head *revision) (string, string) {
	if base == nil || base == head {
		return "", ""
	}
	return base.name, head.name
}

// policyEngine compiles the built-ins (minus base's disabledPolicies) and
// the policies of head and, when they differ, of base. Compile problems are
// printed on stderr, one file:line:col: message a line.
func policyEngine(e *env, base, head *revision) (*policy.Engine, error) {
	eng, err := policy.New(policy.Options{
		Builtins:    true,
		Disabled:    base.repo.Settings.DisabledPolicies,
		Modules:     head.policies,
		BaseModules: baseModules(base, head),
	})
	var ce *policy.CompileError
	if errors.As(err, &ce) {
		fmt.Fprintln(e.stderr, ce.Error())
		return nil, fmt.Errorf("%d policy problem(s)", len(ce.Problems))
	}
	return eng, err
}

// baseModules are base's policies when they are evaluated apart from
// head's: only with --base, and only when they differ.
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

func writeFindings(e *env, rep *report.Findings, format string) error {
	switch format {
	case "json":
		return report.FindingsJSON(e.stdout, rep)
	case "sarif":
		return report.FindingsSARIF(e.stdout, rep, Version)
	case "junit":
		return report.FindingsJUnit(e.stdout, rep)
	case "github":
		return report.FindingsGitHub(e.stdout, rep)
	}
	return report.FindingsText(e.stdout, rep)
}

// checkRevisions loads base and head. Without --base both are the working
// tree (the same *revision). When head's config has errors, head is
// returned with its diagnostics and an error wrapping errHeadInvalid.
func checkRevisions(c *ucli.Context, e *env, dir string) (base, head *revision, err error) {
	if c.String("base") == "" {
		head, err = loadRevision(e, os.DirFS(dir), "", "", true)
		return head, head, err
	}
	g, err := gitfs.Open(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("check: %w", err)
	}
	// The same revisions xtsync plan would compare (planRevisions: head
	// defaults to HEAD, or WORKTREE when config files are uncommitted).
	baseRev, headRev, err := planRevisions(c, e, g)
	if err != nil {
		return nil, nil, fmt.Errorf("check: %w", err)
	}
	baseFS, err := g.FS(baseRev)
	if err != nil {
		return nil, nil, fmt.Errorf("check: %w", err)
	}
	headFS, err := g.FS(headRev)
	if err != nil {
		return nil, nil, fmt.Errorf("check: %w", err)
	}
	if base, err = loadRevision(e, baseFS, baseRev.String(), baseRev.Author, false); err != nil {
		return nil, nil, err
	}
	head, err = loadRevision(e, headFS, headRev.String(), headRev.Author, true)
	return base, head, err
}

// loadRevision loads the config and reads the policies of one revision. A
// head with errors stops the check (exit 1, diagnostics on stderr); a base
// with errors is used as far as it loaded, with a warning.
func loadRevision(e *env, fsys fs.FS, name, author string, isHead bool) (*revision, error) {
	repo, diags := tenants.Load(fsys)
	label := "base " + gitfs.Short(name)
	if isHead {
		label = "head"
		for _, d := range diags {
			fmt.Fprintln(e.stderr, d.String())
		}
	}
	if repo == nil {
		repo = &tenants.Repo{Settings: tenants.DefaultSettings()}
	}
	if diags.HasErrors() {
		if isHead {
			return &revision{name: name, author: author, repo: repo, diags: diags},
				fmt.Errorf("check: %w: %d error(s); xtsync validate lists them", errHeadInvalid, len(diags.Errors()))
		}
		e.log.Warn("the base revision's config has errors; its policies and settings count as far as they load", "revision", label, "errors", len(diags.Errors()))
	}
	mods, err := readPolicyDirs(fsys, repo.Settings.Policies, false)
	if err != nil {
		return nil, fmt.Errorf("check: %s: %w", label, err)
	}
	rev := &revision{name: name, author: author, repo: repo, policies: mods}
	if isHead {
		rev.diags = diags
	}
	return rev, nil
}

// checkSnapshots reads the snapshots, or returns nil (with a note on stderr)
// when the directory does not exist.
func checkSnapshots(c *ucli.Context, e *env, repo *tenants.Repo) (plan.Snapshots, error) {
	dir := snapshotsDir(c, repo)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		e.log.Warn("no directory snapshots: not simulating; policies that count users (inbound-limits maxUsers, deletion-threshold, delete-share) see none (xtsync snapshot pull writes them)", "dir", dir)
		return nil, nil
	}
	snaps, err := simulate.LoadSnapshots(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("check: %s: %w", dir, err)
	}
	return snaps, nil
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
