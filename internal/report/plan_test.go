package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
)

// golden and the -update flag are in findings_test.go.

func user(id, upn, config, action, reason string) plan.ImpactUser {
	src := "contoso-eu"
	if strings.HasPrefix(config, "uk") {
		src = "fabrikam-uk"
	}
	return plan.ImpactUser{Source: src, Config: config, SourceUserID: id, SourceUserPrincipalName: upn, Action: action, Reason: reason}
}

// samplePlan is a PR that drops GlobalEmployees from eu-to-us and tightens
// fabrikam's limits, with a quarantined configuration and one finding.
func samplePlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Base:          "1111111111111111111111111111111111111111",
		Head:          "2222222222222222222222222222222222222222",
		Files: []plan.File{{Path: "policies/guard.rego", Op: plan.OpRemove}, {Path: "tenants/contoso-eu.yaml", Op: plan.OpModify},
			{Path: "tenants/contoso-us.yaml", Op: plan.OpModify}},
		Changes: []plan.Change{
			{Kind: plan.KindPartner, Op: plan.OpModify, Tenant: "contoso-us", Name: "fabrikam-uk", Path: "inbound.limits.maxUsers",
				Before: 500, After: 50, File: "tenants/contoso-us.yaml", Line: 32},
			{Kind: plan.KindSync, Op: plan.OpModify, Tenant: "contoso-eu", Name: "eu-to-us", Path: "scope.groups",
				Before: []any{"GlobalEmployees"}, After: []any{"Sales|All"}, File: "tenants/contoso-eu.yaml", Line: 25},
			{Kind: plan.KindSync, Op: plan.OpAdd, Tenant: "contoso-eu", Name: "eu-to-uk", After: map[string]any{"target": "fabrikam-uk", "enabled": false},
				File: "tenants/contoso-eu.yaml", Line: 47},
		},
		Configs: []plan.ConfigState{
			{Source: "contoso-eu", Name: "eu-to-uk", Target: "fabrikam-uk", Head: simulate.StateBlocked, Blockers: []simulate.Blocker{
				{Code: "inbound-sync-not-allowed", Message: "fabrikam-uk does not allow user sync from contoso-eu", File: "tenants/contoso-eu.yaml", Line: 47}}},
			{Source: "contoso-eu", Name: "eu-to-us", Target: "contoso-us", Base: simulate.StateActive, Head: simulate.StateActive},
			{Source: "fabrikam-uk", Name: "uk-to-us", Target: "contoso-us", Base: simulate.StateActive, Head: simulate.StateQuarantine},
		},
		Impact: []plan.TargetImpact{
			{
				Target: "contoso-us",
				Added:  []plan.ImpactUser{user("u-sam", "sam@contoso.eu", "eu-to-us", "create", "")},
				Removed: []plan.ImpactUser{
					user("u-anna", "anna@contoso.eu", "eu-to-us", "delete", "unassigned"),
					user("u-bob", "bob@contoso.eu", "eu-to-us", "delete", "unassigned"),
					withBase(user("u-ivy", "ivy@contoso.eu", "eu-to-us", "", plan.ReasonNotCreated), "create", ""),
				},
				Changed: []plan.ImpactUser{{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-carl", SourceUserPrincipalName: "carl@contoso.eu",
					Action: "update", BaseAction: "noop",
					Changes: map[string]simulate.Change{"department": {From: "Ops", To: "Sales"}, "jobTitle": {From: nil, To: "LEAD"}}}},
				// hal is disabled by base's cycle too: pending, so drift.
				Disabled: []plan.ImpactUser{withBase(user("u-hal", "hal@fabrikam.co.uk", "uk-to-us", "disable", ""), "disable", ""),
					withBase(user("u-ida", "ida@contoso.eu", "eu-to-us", "disable", ""), "noop", "")},
				Staged:      []plan.ImpactUser{user("u-gus", "gus@fabrikam.co.uk", "uk-to-us", "staged", "unassigned")},
				RestartsJob: []string{"contoso-eu/eu-to-us"},
			},
			{Target: "fabrikam-uk", Added: []plan.ImpactUser{}, Removed: []plan.ImpactUser{}, Changed: []plan.ImpactUser{},
				Disabled: []plan.ImpactUser{}, Staged: []plan.ImpactUser{}, RestartsJob: []string{}},
		},
		Drift: []plan.Drift{
			{Target: "contoso-us", Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-dora", SourceUserPrincipalName: "dora@contoso.eu",
				Kind: plan.DriftDiffers, Changes: map[string]simulate.Change{"city": {From: "Paris", To: "Lyon"}}},
			{Target: "contoso-us", Source: "fabrikam-uk", Config: "uk-to-us", SourceUserID: "u-hal", SourceUserPrincipalName: "hal@fabrikam.co.uk",
				Kind: plan.DriftDiffers, Changes: map[string]simulate.Change{"accountEnabled": {From: true, To: false}}},
		},
		Findings: []plan.Finding{
			{Policy: "delete-share", Level: plan.LevelDeny, Msg: "contoso-us would lose 2 of 3 B2B users (67% > 10%)", Tenant: "contoso-us",
				File: "tenants/contoso-eu.yaml", Line: 25},
			{Policy: "org.naming", Level: plan.LevelWarn, Msg: "sync eu-to-uk: name should say <source>-to-<target>", Tenant: "contoso-eu"},
		},
	}
}

func withBase(u plan.ImpactUser, action, reason string) plan.ImpactUser {
	u.BaseAction, u.BaseReason = action, reason
	return u
}

func emptyPlan() *plan.Plan {
	return &plan.Plan{FormatVersion: 1, Base: "main", Head: "WORKTREE", Changes: []plan.Change{}, Files: []plan.File{}, Configs: []plan.ConfigState{},
		Impact: []plan.TargetImpact{}, Drift: []plan.Drift{}, Findings: []plan.Finding{}}
}

func TestPlanGolden(t *testing.T) {
	renderers := map[string]func(*bytes.Buffer, *plan.Plan) error{
		"txt": func(b *bytes.Buffer, p *plan.Plan) error { return PlanText(b, p, PlanOptions{}) },
		"md": func(b *bytes.Buffer, p *plan.Plan) error {
			return PlanMarkdown(b, p, PlanOptions{LinkBase: "https://github.com/contoso/identity/blob/2222222/"})
		},
		"json": func(b *bytes.Buffer, p *plan.Plan) error { return PlanJSON(b, p) },
	}
	plans := map[string]*plan.Plan{"sample": samplePlan(), "empty": emptyPlan()}
	for pname, p := range plans {
		for ext, render := range renderers {
			t.Run(pname+"."+ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := render(&b, p); err != nil {
					t.Fatal(err)
				}
				golden(t, "plan_"+pname+"."+ext, b.Bytes())
			})
		}
	}
}

// bigPlan has n removed users and n drifted ones with long values.
func bigPlan(n int) *plan.Plan {
	p := samplePlan()
	ti := &p.Impact[0]
	ti.Removed = nil
	for i := range n {
		ti.Removed = append(ti.Removed, user(fmt.Sprintf("u-%05d", i), fmt.Sprintf("user%05d@contoso.eu", i), "eu-to-us", "delete", "unassigned"))
	}
	p.Drift = nil
	for i := range n {
		p.Drift = append(p.Drift, plan.Drift{Target: "contoso-us", Source: "contoso-eu", Config: "eu-to-us", SourceUserID: fmt.Sprintf("u-%05d", i),
			Kind: plan.DriftDiffers, Changes: map[string]simulate.Change{"department": {From: strings.Repeat("x", 300), To: "y"}}})
	}
	return p
}

// TestPlanFromJSON renders the plan package's end-to-end golden plans (the
// JSON contract) in the human formats: the DONE scenario among them.
func TestPlanFromJSON(t *testing.T) {
	for _, name := range []string{"scope-group-removed", "quarantine", "threshold-lowered"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "plan", "testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var p plan.Plan
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		for ext, render := range map[string]func(*bytes.Buffer) error{
			"md":  func(b *bytes.Buffer) error { return PlanMarkdown(b, &p, PlanOptions{}) },
			"txt": func(b *bytes.Buffer) error { return PlanText(b, &p, PlanOptions{}) },
		} {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, "plan_"+name+"."+ext, b.Bytes())
			// JSON is the contract: rendering it again gives the same JSON.
			var again bytes.Buffer
			if err := PlanJSON(&again, &p); err != nil {
				t.Fatal(err)
			}
			if again.String() != string(data) {
				t.Errorf("%s: the JSON does not round-trip through plan.Plan", name)
			}
		}
	}
}

func TestPlanMarkdownSizeLimit(t *testing.T) {
	for _, n := range []int{10, 400, 5000, 50000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var b bytes.Buffer
			if err := PlanMarkdown(&b, bigPlan(n), PlanOptions{}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if len(out) > 65000 {
				t.Errorf("markdown is %d bytes, over the limit", len(out))
			}
			if !strings.Contains(out, fmt.Sprintf("➖ Removed — soft-deleted: %d users", n)) {
				t.Errorf("the removed count %d is missing", n)
			}
			summarised := strings.Contains(out, "… and ") || strings.Contains(out, "Per-user detail left out")
			if n > 50 && !summarised {
				t.Error("a long list is not summarised")
			}
			if n <= 10 && summarised {
				t.Error("a short list is summarised")
			}
			checkTables(t, out)
		})
	}
}

// checkTables fails if a table row has a different number of cells than
// its header: a table cut in the middle, or an unescaped pipe.
func checkTables(t *testing.T, md string) {
	t.Helper()
	cells := -1
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = -1
			continue
		}
		if !strings.HasSuffix(line, "|") {
			t.Errorf("line %d: table row not closed: %q", i+1, line)
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cells == -1 {
			cells = n
		} else if n != cells {
			t.Errorf("line %d: %d cells, header has %d: %q", i+1, n-1, cells-1, line)
		}
	}
	// The renderer's own blocks start lines; user text inside a code span
	// or an escaped cell never does.
	open, fences := 0, 0
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "<details"):
			open++
		case line == "</details>":
			open--
		case strings.HasPrefix(line, "```"):
			fences++
		}
		if open < 0 || open > 1 {
			t.Fatalf("<details> nesting broken at %q", line)
		}
	}
	if open != 0 {
		t.Error("unbalanced <details>")
	}
	if fences%2 != 0 {
		t.Error("unbalanced code fence")
	}
}

// TestPlanMarkdownHuge: thousands of config changes and findings still fit.
func TestPlanMarkdownHuge(t *testing.T) {
	p := bigPlan(3000)
	for i := range 3000 {
		p.Changes = append(p.Changes, plan.Change{Kind: plan.KindSync, Op: plan.OpModify, Tenant: "contoso-eu", Name: fmt.Sprintf("s%04d", i),
			Path: "scope.groups", Before: []any{strings.Repeat("g", 200)}, After: []any{}, File: "tenants/contoso-eu.yaml", Line: i + 1})
		p.Findings = append(p.Findings, plan.Finding{Policy: "org.x", Level: plan.LevelDeny, Msg: fmt.Sprintf("finding %d: %s", i, strings.Repeat("m", 100))})
	}
	var b bytes.Buffer
	if err := PlanMarkdown(&b, p, PlanOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > 65000 {
		t.Errorf("markdown is %d bytes, over the limit", len(out))
	}
	for _, want := range []string{"Config changes (3003)", "Policy findings (3002)", "more config changes", "more findings", "`+1 / -3000 / ~1`"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing", want)
		}
	}
	checkTables(t, out)
}

func TestPlanMarkdownTables(t *testing.T) {
	var b bytes.Buffer
	if err := PlanMarkdown(&b, samplePlan(), PlanOptions{}); err != nil {
		t.Fatal(err)
	}
	checkTables(t, b.String())
}

func BenchmarkPlanMarkdown(b *testing.B) {
	p := bigPlan(20000)
	for b.Loop() {
		var buf bytes.Buffer
		if err := PlanMarkdown(&buf, p, PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzPlanMarkdown: whatever the names, messages and values hold, the
// comment's tables keep their shape and it stays under the size limit.
func FuzzPlanMarkdown(f *testing.F) {
	f.Add("anna@contoso.eu", "a | pipe", "`tick`", 3)
	f.Add("x\ny", "<details>", "```", 200)
	f.Fuzz(func(t *testing.T, upn, msg, val string, n int) {
		n = min(max(n, 0), 2000)
		p := samplePlan()
		p.Impact[0].Removed = nil
		for i := range n {
			p.Impact[0].Removed = append(p.Impact[0].Removed, user(fmt.Sprint(i), upn, "eu-to-us", "delete", msg))
		}
		p.Impact[0].Changed[0].Changes["x"] = simulate.Change{From: val, To: msg}
		p.Changes[0].Before, p.Changes[0].Path = val, msg
		p.Findings[0].Msg = msg
		p.Drift[0].SourceUserPrincipalName = upn
		var b bytes.Buffer
		if err := PlanMarkdown(&b, p, PlanOptions{MaxBytes: 20000}); err != nil {
			t.Fatal(err)
		}
		if b.Len() > 20000 && len(upn)+len(msg)+len(val) < 1000 {
			t.Errorf("markdown is %d bytes, over the limit", b.Len())
		}
		checkTables(t, b.String())
	})
}

// TestPlanBreakdown: the human formats say what really happens to the
// users a list counts, with the numbers the policies use: removed users
// head's cycle soft-deletes apart from those it never creates, values that
// differ only because base's cycle would write them, and disables already
// pending without the change.
func TestPlanBreakdown(t *testing.T) {
	p := samplePlan()
	ti := &p.Impact[0]
	ti.Removed = append(ti.Removed, withBase(user("u-lou", "lou@contoso.eu", "eu-to-us", "", plan.ReasonNotCreated), "create", ""))
	ti.Changed = append(ti.Changed, plan.ImpactUser{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-dan", SourceUserPrincipalName: "dan@contoso.eu",
		Action: "staged", Reason: "unassigned", BaseAction: "disable", Changes: map[string]simulate.Change{"accountEnabled": {From: false, To: true}}})
	for _, tt := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   []string
		absent []string
	}{
		{"text", func(b *bytes.Buffer) error { return PlanText(b, p, PlanOptions{}) }, []string{
			"-4 removed (2 soft-deleted, 2 no longer created)",
			"~2 changed (1 held back at head, 1 written by this change)",
			"1 disabled (1 caused by this change)",
			"removed, no longer created (2): base's cycle would create them",
			"accountEnabled: stays true (base's cycle would write false)",
			"disabled, caused by this change (1)",
			"contoso-us differs hal@fabrikam.co.uk (fabrikam-uk/uk-to-us)",
			"staged, caused by this change (1)",
			"TooManyDeletes", "Allow deletes", "ForceDeletes",
			"Drift not explained by this change",
		}, []string{"--allow-deletes", "accountEnabled: false → true", "DESIGN", "already pending without this change (1): base's cycle would disable"}},
		{"markdown", func(b *bytes.Buffer) error { return PlanMarkdown(b, p, PlanOptions{}) }, []string{
			"(-4: 2 soft-deleted, 2 no longer created; +1: 1 created; ~2: 1 held back at head, 1 written by this change)",
			"| -4: 2 soft-deleted, 2 no longer created; +1: 1 created; ~2: 1 held back at head, 1 written by this change | 1 |",
			"➖ Removed — soft-deleted: 2 users", "➖ Removed — no longer created: 2 users",
			"🚫 Disabled — caused by this change: 1 user",
			"| contoso-us | hal@fabrikam.co.uk | `fabrikam-uk/uk-to-us` | differs |",
			"`accountEnabled: stays true (base's cycle would write false)`",
			"TooManyDeletes", "Allow deletes", "ForceDeletes",
			"### Drift not explained by this change (2)",
		}, []string{"--allow-deletes", "accountEnabled: false → true", "DESIGN"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("%q missing", w)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(b.String(), w) {
					t.Errorf("%q present", w)
				}
			}
			if t.Failed() {
				t.Log(b.String())
			}
		})
	}
}

// TestPlanNoSnapshots: without snapshots the report itself says the user
// impact was not computed.
func TestPlanNoSnapshots(t *testing.T) {
	for name, render := range map[string]func(*bytes.Buffer, PlanOptions) error{
		"text":     func(b *bytes.Buffer, o PlanOptions) error { return PlanText(b, emptyPlan(), o) },
		"markdown": func(b *bytes.Buffer, o PlanOptions) error { return PlanMarkdown(b, emptyPlan(), o) },
	} {
		for _, no := range []bool{false, true} {
			var b bytes.Buffer
			if err := render(&b, PlanOptions{NoSnapshots: no}); err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(strings.ToLower(b.String()), "no directory snapshots: user impact not computed")
			if got != no {
				t.Errorf("%s, NoSnapshots %v: banner shown %v", name, no, got)
			}
			// Without snapshots no headline may claim zero users or a clean bill.
			if no {
				for _, claim := range []string{"✅", "+0 / -0", "+0 added"} {
					if strings.Contains(b.String(), claim) {
						t.Errorf("%s without snapshots claims %q:\n%s", name, claim, b.String())
					}
				}
				if !strings.Contains(b.String(), "not computed") {
					t.Errorf("%s without snapshots does not say the users were not computed", name)
				}
			}
		}
	}
}
