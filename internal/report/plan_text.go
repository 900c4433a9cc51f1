package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/xtsync/xtsync/plan"
)

// PlanText writes the plan for a terminal: the config changes with file,
// line and before/after, then per target tenant the users added, removed,
// changed, disabled and (under a quarantine banner) staged with the reason,
// the job restarts, the drift and the policy findings.
func PlanText(w io.Writer, p *plan.Plan, opts PlanOptions) error {
	b := bufio.NewWriter(w)
	t := &textPlan{w: b, max: opts.maxUsers()}
	t.render(p)
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

type textPlan struct {
	w   *bufio.Writer
	max int
}

func (t *textPlan) f(format string, args ...any) { fmt.Fprintf(t.w, format, args...) }

func (t *textPlan) render(p *plan.Plan) {
	t.f("Plan %s..%s\n", shortRev(p.Base), shortRev(p.Head))

	if len(p.Files) > 0 {
		t.f("\nFiles: %s\n", filesText(p.Files, 20, func(s string) string { return s }))
	}
	t.f("\nConfig changes (%d):\n", len(p.Changes))
	if len(p.Changes) == 0 {
		t.f("  none\n")
	}
	for _, c := range p.Changes {
		obj := changeObject(c)
		if c.Path != "" {
			obj += " " + c.Path
		}
		t.f("  %s %s %s  (%s)\n", opSymbol(c.Op), c.Op, obj, where(c.File, c.Line))
		if c.Op != plan.OpAdd {
			t.f("      before: %s\n", clip(value(c.Before), 400))
		}
		if c.Op != plan.OpRemove {
			t.f("      after:  %s\n", clip(value(c.After), 400))
		}
	}

	for _, c := range p.Configs {
		if c.Head == "blocked" || c.Head == "paused" || c.Head == "quarantine" {
			state := string(c.Head)
			if c.Head == "quarantine" {
				state = "in quarantine (the deletion threshold tripped)"
			}
			t.f("\nConfiguration %s/%s (-> %s) is %s at head.\n", c.Source, c.Name, c.Target, state)
			for _, bl := range c.Blockers {
				t.f("  blocker %s: %s", bl.Code, bl.Message)
				if bl.File != "" {
					t.f(" (%s)", where(bl.File, bl.Line))
				}
				t.f("\n")
			}
		}
	}

	for i := range p.Impact {
		ti := &p.Impact[i]
		c := ti.Counts()
		t.f("\nTarget %s: +%d added, -%d removed, ~%d changed, %d disabled, %d staged\n",
			ti.Target, c.Added, c.Removed, c.Changed, c.Disabled, c.Staged)
		for _, r := range ti.RestartsJob {
			t.f("  restarts job %s: Entra runs a full cycle\n", r)
		}
		t.users("added", "+", ti.Added)
		t.users("removed", "-", ti.Removed)
		t.users("changed", "~", ti.Changed)
		t.users("disabled", "!", ti.Disabled)
		if len(ti.Staged) > 0 {
			t.f("  QUARANTINE: %s held back by the deletion threshold.\n", nPlural(len(ti.Staged), "deletion or disable is", "deletions or disables are"))
			t.f("  They happen as soon as someone allows them (raise deletionThreshold or reconcile --allow-deletes):\n")
			t.users("staged", "?", ti.Staged)
		}
		if ti.Empty() {
			t.f("  no user changes\n")
		}
	}

	t.f("\nDrift (head simulated vs the target snapshots as they are now): %d\n", len(p.Drift))
	for i, d := range p.Drift {
		if i == t.max {
			t.f("  … and %d more\n", len(p.Drift)-t.max)
			break
		}
		name := d.SourceUserPrincipalName
		if name == "" {
			name = d.SourceUserID
		}
		t.f("  %s %s %s (%s)\n", d.Target, d.Kind, name, configKey(d.Source, d.Config))
		for _, s := range changesText(d.Changes) {
			t.f("      %s\n", s)
		}
	}

	deny, warn := countFindings(p)
	t.f("\nPolicy findings: %d deny, %d warn\n", deny, warn)
	for _, f := range p.Findings {
		t.f("  %s %s: %s", strings.ToUpper(f.Level), f.Policy, f.Msg)
		if f.File != "" {
			t.f(" (%s)", where(f.File, f.Line))
		}
		t.f("\n")
	}

	tot := totals(p)
	t.f("\nSummary: %s, +%d / -%d / ~%d users, %d disabled, %d staged, %s.\n",
		nPlural(len(p.Changes), "config change", "config changes"), tot.Added, tot.Removed, tot.Changed, tot.Disabled, tot.Staged,
		nPlural(len(p.Drift), "drifted user", "drifted users"))
}

func (t *textPlan) users(title, sym string, us []plan.ImpactUser) {
	if len(us) == 0 {
		return
	}
	t.f("  %s (%d):\n", title, len(us))
	for i, u := range us {
		if i == t.max {
			t.f("    … and %d more\n", len(us)-t.max)
			return
		}
		t.f("    %s %s (%s)", sym, userName(u), configKey(u.Source, u.Config))
		if w := why(u.Action, u.Reason); w != "" {
			t.f(": %s", w)
		}
		t.f("\n")
		for _, s := range changesText(u.Changes) {
			t.f("        %s\n", s)
		}
	}
}
