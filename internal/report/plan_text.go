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
	t := &textPlan{w: b, max: opts.maxUsers(), noSnaps: opts.NoSnapshots}
	t.render(p)
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

type textPlan struct {
	w       *bufio.Writer
	max     int
	noSnaps bool
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

	if t.noSnaps {
		t.f("\nNOTE: %s.\n", noSnapshotsNote)
	}

	for i := range p.Impact {
		t.target(&p.Impact[i])
	}

	t.f("\nDrift not explained by this change (head simulated vs the target snapshots as they are now, users listed above left out): %d\n", len(p.Drift))
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
	if t.noSnaps {
		t.f("\nSummary: %s; users not computed (no directory snapshots).\n", Count(len(p.Changes), "config change", "config changes"))
		return
	}
	t.f("\nSummary: %s; users %s, %s, %s, %s, %s; %s.\n",
		Count(len(p.Changes), "config change", "config changes"),
		withBreakdown("+", tot.Added, "added", groupUsers(allUsers(p, added), addedKinds)),
		withBreakdown("-", tot.Removed, "removed", groupUsers(allUsers(p, removed), removedKinds)),
		withBreakdown("~", tot.Changed, "changed", groupUsers(allUsers(p, changed), changedKinds)),
		withBreakdown("", tot.Disabled, "disabled", groupUsers(allUsers(p, disabled), disabledKinds)),
		withBreakdown("", tot.Staged, "staged", groupUsers(allUsers(p, staged), stagedKinds)),
		Count(len(p.Drift), "drifted user not explained by this change", "drifted users not explained by this change"))
}

// target writes one target tenant's user impact: its counts, the users
// by what happens to them, and the quarantine banner over staged ones.
func (t *textPlan) target(ti *plan.TargetImpact) {
	c := ti.Counts()
	add, rem, chg := groupUsers(ti.Added, addedKinds), groupUsers(ti.Removed, removedKinds), groupUsers(ti.Changed, changedKinds)
	dis, stg := groupUsers(disabled(ti), disabledKinds), groupUsers(ti.Staged, stagedKinds)
	t.f("\nTarget %s: %s, %s, %s, %s, %s\n",
		ti.Target, withBreakdown("+", c.Added, "added", add), withBreakdown("-", c.Removed, "removed", rem), withBreakdown("~", c.Changed, "changed", chg),
		withBreakdown("", c.Disabled, "disabled", dis), withBreakdown("", c.Staged, "staged", stg))
	for _, r := range ti.RestartsJob {
		t.f("  restarts job %s: Entra runs a full cycle\n", r)
	}
	t.groups("added", "+", add)
	t.groups("removed", "-", rem)
	t.groups("changed", "~", chg)
	t.groups("disabled", "!", dis)
	if len(ti.Staged) > 0 {
		t.f("  QUARANTINE: %s held back by the deletion threshold.\n", Count(len(ti.Staged), "deletion or disable is", "deletions or disables are"))
		t.f("  %s.\n", quarantineNote)
		t.groups("staged", "?", stg)
	}
	if ti.Empty() {
		t.f("  no user changes\n")
	}
}

// groups writes a list's groups: "removed, soft-deleted (3): head's cycle
// soft-deletes …" and its users.
func (t *textPlan) groups(title, sym string, gs []userGroup) {
	for _, g := range gs {
		t.f("  %s, %s (%d): %s\n", title, g.label, len(g.users), g.note)
		t.users(sym, g)
	}
}

func (t *textPlan) users(sym string, g userGroup) {
	us := g.users
	for i, u := range us {
		if i == t.max {
			t.f("    … and %d more\n", len(us)-t.max)
			return
		}
		t.f("    %s %s (%s)", sym, userName(u), configKey(u.Source, u.Config))
		if w := userWhy(u); w != "" {
			t.f(": %s", w)
		}
		t.f("\n")
		for _, s := range userChanges(u.Changes, g.baseOnly) {
			t.f("        %s\n", s)
		}
	}
}
