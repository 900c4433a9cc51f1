package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/simulate"
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
changes, and what head's cycle would do to the snapshots is pending, not
caused by a change: the deletion policies do not deny it (xtsync plan shows
it as drift). Configurations that cannot run (a scope reference that matches
nothing) are denied all the same.
With --base (a branch, tag or SHA of the Git repository holding --repo), the
config at base and at --head (default HEAD, or the working tree when it has
uncommitted changes; WORKTREE names it) are diffed and both simulated, like
xtsync plan. Policies come from BOTH revisions and a change is denied when
either set denies it; disabledPolicies counts from base, so a change cannot
switch off its own gate. Snapshots are read from disk (--snapshots, else
xtsync.yaml's snapshots relative to --repo). Without them (a missing or
empty directory, or one tenant's file missing: the pull step failed?) check
fails with exit 1, since the policies that count users (delete-share,
deletion-threshold, inbound-limits maxUsers) could not judge the change;
--allow-missing-snapshots checks what it can instead, and says so on stderr. A snapshot that holds another
tenant's directory is an error.

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

Exit codes: 0 no policy denies (warnings allowed), 1 the repository, a
policy or the snapshots cannot be loaded (or there are no snapshots, without
--allow-missing-snapshots), 2 usage error, 3 a policy denied.`,
		Flags: []ucli.Flag{
			repoFlag(),
			&ucli.StringFlag{Name: "base", Usage: "check the change from base `REV` (branch, tag, SHA) to --head", EnvVars: []string{"XTSYNC_BASE"}},
			&ucli.StringFlag{Name: "head", Usage: "head `REV` with --base (default HEAD, or WORKTREE when the tree has uncommitted changes)", EnvVars: []string{"XTSYNC_HEAD"}},
			snapshotsFlag(),
			maxSnapshotBytesFlag(),
			outputFlag(checkFormats...),
			&ucli.StringFlag{Name: "now", Usage: "the time policies see as input.context.now, `RFC3339` (default: now)", EnvVars: []string{"XTSYNC_NOW"}},
			&ucli.StringFlag{Name: "author", Usage: "input.context.author `NAME` (default: head's commit author)", EnvVars: []string{"XTSYNC_AUTHOR"}},
			&ucli.StringSliceFlag{Name: "label", Usage: "input.context.labels `LABEL`, e.g. the pull request's labels (repeatable)", EnvVars: []string{"XTSYNC_LABELS"}},
			&ucli.BoolFlag{Name: "allow-missing-snapshots", Usage: "check without directory snapshots (the config alone) instead of failing", EnvVars: []string{"XTSYNC_ALLOW_MISSING_SNAPSHOTS"}},
			&ucli.StringFlag{Name: "dump-input", Usage: "also write the policy input document to `FILE` (JSON), to write policies against", EnvVars: []string{"XTSYNC_DUMP_INPUT"}},
		},
		Action: func(c *ucli.Context) error { return runCheck(c, e) },
	}
}

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
	now, err := policyNow(c, "check")
	if err != nil {
		return err
	}
	dir := c.String("repo")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("check: repository %s: not a directory", dir)
	}

	base, head, err := checkRevisions(c, e, dir)
	if err != nil && head != nil && head.diags.HasErrors() && format != "text" {
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

	snaps, dir, err := loadSnapshots(c, head.repo)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if snaps == nil {
		if !c.Bool("allow-missing-snapshots") {
			return fmt.Errorf("check: no directory snapshots in %s: without them the policies that count users (delete-share, deletion-threshold, inbound-limits maxUsers) cannot judge the change, so a mass delete would pass; run xtsync snapshot pull (or pass --snapshots DIR) first, or pass --allow-missing-snapshots to check the config alone", dir)
		}
		e.log.Warn("no directory snapshots: not simulating; policies that count users (inbound-limits maxUsers, deletion-threshold, delete-share) see none (--allow-missing-snapshots; xtsync snapshot pull writes them)", "dir", dir)
	}
	input := checkInput(c, base, head, snaps, now)
	if head.result != nil {
		logBlocked(e, head.result)
	}
	if missing := missingSnapshots(base, head); len(missing) > 0 && !c.Bool("allow-missing-snapshots") {
		return fmt.Errorf("check: %s cannot be judged: %s; a failed pull must not let a mass delete pass: run xtsync snapshot pull for those tenants, or pass --allow-missing-snapshots", report.Count(len(missing), "sync configuration", "sync configurations"), strings.Join(missing, "; "))
	}
	if f := c.String("dump-input"); f != "" {
		if err := dumpInput(f, input); err != nil {
			return fmt.Errorf("check: --dump-input: %w", err)
		}
	}
	findings, err := eng.Evaluate(c.Context, input)
	if err != nil {
		return fmt.Errorf("check: evaluate policies: %w", err)
	}
	findings = withBlockers(findings, base, head, snaps)
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
	if snaps != nil {
		simulateRevisions(base, head, snaps)
	}
	var changes []plan.Change
	var impact []plan.TargetImpact
	switch {
	case base != head:
		p := plan.Build(plan.Input{
			Base: base.name, Head: head.name,
			BaseRepo: base.repo, HeadRepo: head.repo,
			BaseResult: base.result, HeadResult: head.result,
			Snapshots: snaps,
		})
		changes, impact = p.Changes, p.Impact
	case snaps != nil:
		// Checked alone, base is head: what head's cycle would do to the
		// snapshots is pending without any change, so it is listed (the
		// disabled and staged users, with baseAction) but not caused by
		// the change, and the deletion policies do not count it. Caused
		// is a property of the comparison, not of the config: reconcile
		// compares live with desired, where the same pending soft-deletes
		// are the change's.
		impact = plan.Impact(head.result, head.result, head.repo, head.repo, snaps)
	}
	return policyInput(c, base, head, snaps, changes, impact, now)
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

// checkRevisions loads base and head and prints head's diagnostics on
// stderr. Without --base both are the working tree (the same *revision).
// When head's config has errors, head is returned with its diagnostics and
// an error.
func checkRevisions(c *ucli.Context, e *env, dir string) (base, head *revision, err error) {
	if c.String("base") == "" {
		head, err = loadRevision(e, gitfs.DirFS(dir), gitfs.Rev{}, true)
		base = head
	} else {
		g, gerr := gitfs.Open(dir)
		if gerr != nil {
			return nil, nil, fmt.Errorf("check: %w", gerr)
		}
		// The same revisions xtsync plan would compare.
		baseRev, headRev, rerr := resolveRevisions(c, e, g)
		if rerr != nil {
			return nil, nil, fmt.Errorf("check: %w", rerr)
		}
		base, head, err = loadRevisions(e, g, baseRev, headRev)
	}
	if head != nil {
		for _, d := range head.diags {
			fmt.Fprintln(e.stderr, d.String())
		}
	}
	if err != nil {
		return base, head, fmt.Errorf("check: %w", err)
	}
	return base, head, nil
}

// missingSnapshots lists the configurations that base's or head's cycle
// could not simulate for want of a snapshot ("contoso-eu/eu-to-us: no
// snapshot of the target tenant contoso-us"), sorted and without repeats.
func missingSnapshots(revs ...*revision) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range revs {
		if r == nil || r.result == nil {
			continue
		}
		for _, cr := range r.result.Configs {
			for _, b := range cr.Blockers {
				if b.Code != simulate.BlockerMissingSnapshot {
					continue
				}
				m := cr.Source + "/" + cr.Name + ": " + b.Message
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
