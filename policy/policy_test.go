package policy_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// exampleInput is the example repository's config as both revisions.
func exampleInput(t testing.TB) policy.Input {
	t.Helper()
	repo, diags := tenants.Load(os.DirFS("../testdata/example"))
	if diags.HasErrors() {
		t.Fatalf("load example: %v", diags)
	}
	doc := policy.Document(repo)
	return policy.Input{Base: doc, Head: doc, Context: policy.Context{Now: "2026-11-27T00:00:00Z"}}
}

// scopeAll returns the example's input with eu-to-us set to scope.all.
func scopeAll(t testing.TB) policy.Input {
	in := exampleInput(t)
	doc := in.Head.(map[string]any)
	sc := doc["tenants"].(map[string]any)["contoso-eu"].(map[string]any)["sync"].([]any)[0].(map[string]any)
	sc["scope"].(map[string]any)["all"] = true
	return in
}

func TestBuiltinRegoTests(t *testing.T) {
	results, err := policy.Test(context.Background(), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]int{}
	for _, r := range results {
		if r.Outcome != policy.OutcomePass {
			t.Errorf("%s:%d: %s.%s: %s %s", r.File, r.Line, r.Package, r.Name, r.Outcome, r.Error)
		}
		tested[strings.TrimSuffix(strings.TrimPrefix(r.Package, "data.builtin."), "_test")]++
	}
	for _, b := range policy.Builtins() {
		if tested[strings.ReplaceAll(b.ID, "-", "_")] < 2 {
			t.Errorf("built-in %s has %d tests, want at least 2 (one allowed, one denied)", b.ID, tested[b.ID])
		}
	}
}

func TestBuiltins(t *testing.T) {
	var got []string
	for _, b := range policy.Builtins() {
		got = append(got, b.ID+" "+b.Level)
		if b.Doc == "" {
			t.Errorf("%s: no description", b.ID)
		}
	}
	want := []string{
		"cross-cloud warn", "delete-share deny", "deletion-threshold deny", "inbound-limits deny",
		"inbound-sync-required deny", "overlapping-scopes deny", "scope-all deny", "shared-mail warn", "sync-recreated warn",
		"transfer-soft-delete warn", "undescribed-partner warn", "unwritable-attribute deny",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Builtins() (-want +got):\n%s", diff)
	}
}

// The built-in list of unwritable attributes must agree with the loader's.
func TestUnwritableMatchesVocabulary(t *testing.T) {
	src, err := os.ReadFile("builtin/unwritable_attribute.rego")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`(?m)^\t"([a-z]+)": "`).FindAllStringSubmatch(string(src), -1)
	if len(keys) == 0 {
		t.Fatal("no attributes found in unwritable_attribute.rego")
	}
	for _, k := range keys {
		if ok, _ := tenants.Writable(k[1]); ok {
			t.Errorf("%s is unwritable in the policy but tenants.Writable says it is writable", k[1])
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    policy.Options
		want    string // regexp of the error
		problem bool   // a *policy.CompileError
	}{
		{"syntax error", policy.Options{Modules: map[string]string{"policies/bad.rego": "package xtsync.bad\n\ndeny contains msg if {\n\tmsg := \n}\n"}},
			`^policies/bad.rego:5:\d+: rego_parse_error: `, true},
		{"type error", policy.Options{Modules: map[string]string{"policies/t.rego": "package xtsync.t\n\ndeny contains msg if {\n\tmsg := upper(1)\n}\n"}},
			`^policies/t.rego:4:\d+: rego_type_error: upper: invalid argument`, true},
		{"http.send", policy.Options{Modules: map[string]string{"policies/net.rego": "package xtsync.net\n\ndeny contains msg if {\n\tr := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n\tmsg := r.body\n}\n"}},
			`^policies/net.rego:4:\d+: http.send is not available to xtsync policies: it reaches the network$`, true},
		{"time.now_ns", policy.Options{Modules: map[string]string{"policies/clock.rego": "package xtsync.clock\n\nwarn contains \"late\" if time.now_ns() > 0\n"}},
			`^policies/clock.rego:3:\d+: time.now_ns is not available to xtsync policies: it reads the clock; use input.context.now$`, true},
		{"rego v0 syntax", policy.Options{Modules: map[string]string{"policies/v0.rego": "package xtsync.v0\n\ndeny[msg] { msg := \"x\" }\n"}},
			`^policies/v0.rego:3:\d+: rego_parse_error: `, true},
		{"error in base set", policy.Options{BaseModules: map[string]string{"base:policies/a.rego": "package xtsync.a\n\ndeny contains x if {\n"}},
			`^base:policies/a.rego:\d+(:\d+)?: rego_parse_error`, true},
		{"unknown disabled id", policy.Options{Builtins: true, Disabled: []string{"scope-al"}},
			`^disabledPolicies: "scope-al" is not a built-in policy \(known: cross-cloud, `, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := policy.New(tt.opts)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("error\n%s\ndoes not match %s", err, tt.want)
			}
			var ce *policy.CompileError
			if got := errors.As(err, &ce); got != tt.problem {
				t.Errorf("errors.As(*CompileError) = %v, want %v", got, tt.problem)
			}
		})
	}
}

const orgPolicy = `package xtsync.org

import data.xtsync.lib

deny contains msg if {
	some name, t in input.head.tenants
	some sc in t.sync
	sc.deletionThreshold > 400
	msg := sprintf("%s/%s: deletionThreshold %d is above 400", [name, sc.name, sc.deletionThreshold])
}

warn contains lib.note("every sync is reviewed")

violation contains {"msg": "no scope.all", "tenant": "contoso-eu", "file": "tenants/contoso-eu.yaml", "line": 24} if {
	some sc in input.head.tenants["contoso-eu"].sync
	sc.scope.all
}
`

const libPolicy = `package xtsync.lib

note(x) := concat(": ", ["note", x])
`

func TestEvaluate(t *testing.T) {
	ctx := context.Background()
	denyAll := map[string]string{"policies/all.rego": "package xtsync.all\n\ndeny contains \"base says no\"\n"}
	tests := []struct {
		name  string
		opts  policy.Options
		input policy.Input
		want  []plan.Finding
	}{
		{"example passes the built-ins", policy.Options{Builtins: true}, exampleInput(t), nil},
		{"built-in scope-all", policy.Options{Builtins: true}, scopeAll(t), []plan.Finding{{
			Policy: "scope-all", Level: "deny", Tenant: "contoso-eu", File: "tenants/contoso-eu.yaml", Line: 24,
			Msg: "sync contoso-eu/eu-to-us: scope.all provisions every member user of contoso-eu into contoso-us: assign groups or users instead, or add scope-all to the configuration's acknowledge list if that is intended",
		}}},
		{"disabled built-in", policy.Options{Builtins: true, Disabled: []string{"scope-all"}}, scopeAll(t), nil},
		{"repo policies: deny, violation, warn; lib package not queried",
			policy.Options{Modules: map[string]string{"policies/org.rego": orgPolicy, "policies/lib.rego": libPolicy, "policies/org_test.rego": "package xtsync.org_test\n\ntest_x if false\n"}},
			scopeAll(t), []plan.Finding{
				{Policy: "xtsync.org.deny", Level: "deny", Msg: "contoso-eu/eu-to-us: deletionThreshold 500 is above 400"},
				{Policy: "xtsync.org.deny", Level: "deny", Msg: "fabrikam-uk/uk-to-us: deletionThreshold 500 is above 400"},
				{Policy: "xtsync.org.violation", Level: "deny", Msg: "no scope.all", Tenant: "contoso-eu", File: "tenants/contoso-eu.yaml", Line: 24},
				{Policy: "xtsync.org.warn", Level: "warn", Msg: "note: every sync is reviewed"},
			}},
		{"base denies, head does not", policy.Options{Modules: map[string]string{}, BaseModules: denyAll}, exampleInput(t),
			[]plan.Finding{{Policy: "xtsync.all.deny", Level: "deny", Msg: "base says no"}}},
		{"head denies, base does not", policy.Options{Modules: denyAll, BaseModules: map[string]string{"policies/none.rego": "package xtsync.none\n"}}, exampleInput(t),
			[]plan.Finding{{Policy: "xtsync.all.deny", Level: "deny", Msg: "base says no"}}},
		{"both deny the same: reported once", policy.Options{Modules: denyAll, BaseModules: denyAll}, exampleInput(t),
			[]plan.Finding{{Policy: "xtsync.all.deny", Level: "deny", Msg: "base says no"}}},
		{"packages outside xtsync are not queried", policy.Options{Modules: map[string]string{"policies/x.rego": "package other\n\ndeny contains \"x\"\n"}}, exampleInput(t), nil},
		{"nested package", policy.Options{Modules: map[string]string{"policies/x.rego": "package xtsync.a.b\n\nwarn contains {\"msg\": \"nested\", \"line\": 3}\n"}}, exampleInput(t),
			[]plan.Finding{{Policy: "xtsync.a.b.warn", Level: "warn", Msg: "nested", Line: 3}}},
		{"now from the context", policy.Options{Modules: map[string]string{"policies/t.rego": "package xtsync.t\n\nwarn contains \"after 2026\" if time.parse_rfc3339_ns(input.context.now) > time.parse_rfc3339_ns(\"2026-01-01T00:00:00Z\")\n"}}, exampleInput(t),
			[]plan.Finding{{Policy: "xtsync.t.warn", Level: "warn", Msg: "after 2026"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := policy.New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Evaluate(ctx, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateBadFinding(t *testing.T) {
	e, err := policy.New(policy.Options{Modules: map[string]string{"policies/x.rego": "package xtsync.x\n\ndeny contains {\"message\": \"typo\"}\n"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Evaluate(context.Background(), exampleInput(t))
	if err == nil || !strings.Contains(err.Error(), "xtsync.x.deny: a finding object needs a string msg") {
		t.Errorf("Evaluate error = %v, want one about the missing msg", err)
	}
}

func TestSortFindings(t *testing.T) {
	got := []plan.Finding{
		{Policy: "b", Level: "warn", File: "a", Line: 1},
		{Policy: "b", Level: "deny", File: "b", Line: 2},
		{Policy: "a", Level: "deny", File: "b", Line: 2},
		{Policy: "z", Level: "deny", File: "a", Line: 9},
	}
	policy.SortFindings(got)
	want := []plan.Finding{
		{Policy: "z", Level: "deny", File: "a", Line: 9},
		{Policy: "a", Level: "deny", File: "b", Line: 2},
		{Policy: "b", Level: "deny", File: "b", Line: 2},
		{Policy: "b", Level: "warn", File: "a", Line: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SortFindings (-want +got):\n%s", diff)
	}
}

func TestTest(t *testing.T) {
	mods := map[string]string{
		"policies/org.rego":      orgPolicy,
		"policies/lib.rego":      libPolicy,
		"policies/org_test.rego": "package xtsync.org_test\n\nimport data.xtsync.org\n\ntest_pass if count(org.warn) == 1\n\ntest_fail if count(org.warn) == 2\n\ntest_error if 1 / 0 == 1\n",
	}
	got, err := policy.Test(context.Background(), mods, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].Error = strings.SplitN(got[i].Error, ":", 2)[0]
	}
	want := []policy.TestResult{
		{File: "policies/org_test.rego", Line: 5, Package: "data.xtsync.org_test", Name: "test_pass", Outcome: "pass"},
		{File: "policies/org_test.rego", Line: 7, Package: "data.xtsync.org_test", Name: "test_fail", Outcome: "fail"},
		{File: "policies/org_test.rego", Line: 9, Package: "data.xtsync.org_test", Name: "test_error", Outcome: "error", Error: "policies/org_test.rego"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Test (-want +got):\n%s", diff)
	}

	only, err := policy.TestWith(context.Background(), mods, policy.TestOptions{Run: "org_test.test_(pass|fail)$"})
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 2 || only[0].Name != "test_pass" || only[1].Name != "test_fail" {
		t.Errorf("TestWith Run: got %+v, want test_pass and test_fail", only)
	}
	if _, err := policy.TestWith(context.Background(), mods, policy.TestOptions{Run: "("}); err == nil {
		t.Error("TestWith with a bad pattern succeeded")
	}

	_, err = policy.Test(context.Background(), map[string]string{"policies/x_test.rego": "package x\n\ntest_a if http.send({}) == 1\n"}, false)
	if err == nil || !strings.Contains(err.Error(), "policies/x_test.rego:3:") || !strings.Contains(err.Error(), "http.send is not available") {
		t.Errorf("Test with http.send: error %v, want it refused with file and line", err)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	in := exampleInput(b)
	e, err := policy.New(policy.Options{Builtins: true, Modules: map[string]string{"policies/org.rego": orgPolicy, "policies/lib.rego": libPolicy}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := policy.New(policy.Options{Builtins: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPolicies(t *testing.T) {
	e, err := policy.New(policy.Options{
		Builtins: true, Disabled: []string{"scope-all", "cross-cloud", "delete-share", "deletion-threshold", "inbound-limits", "overlapping-scopes", "undescribed-partner"},
		Modules:     map[string]string{"policies/org.rego": orgPolicy, "policies/lib.rego": libPolicy},
		BaseModules: map[string]string{"policies/org.rego": "package xtsync.org\n\ndeny contains \"x\" if false\n"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range e.Policies() {
		got = append(got, fmt.Sprintf("%s %s %v", p.ID, p.Level, p.Builtin))
	}
	want := []string{"inbound-sync-required deny true", "shared-mail warn true", "sync-recreated warn true", "transfer-soft-delete warn true", "unwritable-attribute deny true", "xtsync.org.deny deny false", "xtsync.org.violation deny false", "xtsync.org.warn warn false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Policies (-want +got):\n%s", diff)
	}
}

func TestSummarize(t *testing.T) {
	res := &simulate.Result{
		Configs: []simulate.ConfigResult{{Source: "eu", Name: "c", Target: "us", State: simulate.StateActive, Counts: simulate.Counts{Create: 1, Delete: 1}}},
		Users: []simulate.UserResult{
			{Source: "eu", Target: "us", SourceUserID: "1", Action: simulate.ActionCreate, TargetUser: &simulate.TargetUser{UserType: "Member"}},
			{Source: "eu", Target: "us", SourceUserID: "2", Action: simulate.ActionNoop, TargetUser: &simulate.TargetUser{UserType: "Guest"}},
			{Source: "eu", Target: "us", SourceUserID: "3", Action: simulate.ActionDelete, TargetUser: &simulate.TargetUser{UserType: "Member", Deleted: true}},
			{Source: "eu", Target: "us", SourceUserID: "4", Action: simulate.ActionSkip},
			{Source: "uk", Target: "us", SourceUserID: "1", Action: simulate.ActionStaged, TargetUser: &simulate.TargetUser{UserType: "Guest"}},
		},
		Tenants: []simulate.TenantResult{{Name: "us", B2BUsers: 3, Added: 1, Removed: 1}},
	}
	want := policy.Summary{
		Configs: []policy.ConfigSummary{{Source: "eu", Name: "c", Target: "us", State: simulate.StateActive, Counts: simulate.Counts{Create: 1, Delete: 1}}},
		Tenants: []simulate.TenantResult{{Name: "us", B2BUsers: 3, Added: 1, Removed: 1}},
		Pairs: []policy.PairSummary{
			{Source: "eu", Target: "us", B2BUsers: 2, UserTypes: map[string]int{"Member": 1, "Guest": 1}},
			{Source: "uk", Target: "us", B2BUsers: 1, UserTypes: map[string]int{"Guest": 1}},
		},
		SharedMails: []policy.SharedMail{},
	}
	if diff := cmp.Diff(want, policy.Summarize(res)); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(policy.Summary{Configs: []policy.ConfigSummary{}, Tenants: []simulate.TenantResult{}, Pairs: []policy.PairSummary{}, SharedMails: []policy.SharedMail{}}, policy.Summarize(nil)); diff != "" {
		t.Errorf("Summarize(nil) (-want +got):\n%s", diff)
	}

	// With the snapshots: the users no row touches count too (a guest
	// invited by hand, a user of a paused configuration); a deleted row
	// removes, a soft-deleted snapshot user does not count.
	snaps := map[string]*simulate.Snapshot{
		"eu": {TenantID: "EU-ID"},
		"uk": {TenantID: "uk-id"},
		"us": {TenantID: "us-id", Users: []simulate.User{
			{ID: "t1", UserType: "Member", Source: &simulate.SourceLink{TenantID: "eu-id", UserID: "1", Config: "c"}},
			{ID: "t3", UserType: "Member", Source: &simulate.SourceLink{TenantID: "eu-id", UserID: "3", Config: "c"}},
			{ID: "t5", UserType: "Guest", Source: &simulate.SourceLink{TenantID: "eu-id", UserID: "5"}},
			{ID: "t6", UserType: "Guest", Deleted: true, Source: &simulate.SourceLink{TenantID: "eu-id", UserID: "6"}},
			{ID: "t7", UserType: "Guest", Source: &simulate.SourceLink{TenantID: "jp-id", UserID: "7", Config: "paused"}},
		}},
	}
	got := policy.SummarizeCycle(res, snaps).Pairs
	wantPairs := []policy.PairSummary{
		{Source: "eu", Target: "us", B2BUsers: 3, UserTypes: map[string]int{"Member": 1, "Guest": 2}},
		{Source: "jp-id", Target: "us", B2BUsers: 1, UserTypes: map[string]int{"Guest": 1}},
		{Source: "uk", Target: "us", B2BUsers: 1, UserTypes: map[string]int{"Guest": 1}},
	}
	if diff := cmp.Diff(wantPairs, got); diff != "" {
		t.Errorf("SummarizeCycle pairs (-want +got):\n%s", diff)
	}
}

// BenchmarkEvaluateLargeImpact: the built-ins over a change that removes
// 20,000 users of one target.
func BenchmarkEvaluateLargeImpact(b *testing.B) {
	in := exampleInput(b)
	removed := make([]plan.ImpactUser, 20000)
	for i := range removed {
		removed[i] = plan.ImpactUser{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: fmt.Sprintf("u%d", i), SourceUserPrincipalName: fmt.Sprintf("u%d@contoso.eu", i), Action: string(simulate.ActionDelete), Reason: "unassigned"}
	}
	in.Impact = []plan.TargetImpact{{Target: "contoso-us", Removed: removed}}
	in.Summary = policy.Summary{Tenants: []simulate.TenantResult{{Name: "contoso-us", B2BUsers: 30000}}}
	e, err := policy.New(policy.Options{Builtins: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	fs, err := e.Evaluate(ctx, in)
	if err != nil || len(fs) != 2 {
		b.Fatalf("want deletion-threshold and delete-share, got %v, %v", fs, err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(removed)*b.N)/b.Elapsed().Seconds(), "users/s")
}

// The engine is shared by goroutines (run with -race).
func TestEvaluateConcurrent(t *testing.T) {
	e, err := policy.New(policy.Options{Builtins: true, Modules: map[string]string{"policies/org.rego": orgPolicy, "policies/lib.rego": libPolicy}})
	if err != nil {
		t.Fatal(err)
	}
	in := scopeAll(t)
	want, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := e.Evaluate(context.Background(), in)
			if err == nil && !cmp.Equal(want, got) {
				err = fmt.Errorf("concurrent evaluation differs: %s", cmp.Diff(want, got))
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSummarizeSharedMails: input.summary.sharedMails names, per
// configuration, the source users sharing a mail when one of them is
// skipped as duplicate-mail: the one whose row keeps or creates the target
// user and the skipped ones (mails any case). Users of another
// configuration, or failing, do not count.
func TestSummarizeSharedMails(t *testing.T) {
	snaps := map[string]*simulate.Snapshot{"eu": {Users: []simulate.User{
		{ID: "1", Mail: "Team@eu.example"}, {ID: "2", Mail: "team@eu.example"}, {ID: "3", Mail: "TEAM@eu.example"},
		{ID: "4", Mail: "solo@eu.example"}, {ID: "5", Mail: "team@eu.example"},
	}}}
	res := &simulate.Result{Users: []simulate.UserResult{
		{Source: "eu", Config: "c", Target: "us", SourceUserID: "1", SourceUserPrincipalName: "b@eu", Action: simulate.ActionNoop, TargetUser: &simulate.TargetUser{}},
		{Source: "eu", Config: "c", Target: "us", SourceUserID: "2", SourceUserPrincipalName: "a@eu", Action: simulate.ActionSkip, Reason: simulate.ReasonDuplicateMail},
		{Source: "eu", Config: "c", Target: "us", SourceUserID: "3", SourceUserPrincipalName: "c@eu", Action: simulate.ActionFail, Reason: simulate.ReasonExpressionError},
		{Source: "eu", Config: "c", Target: "us", SourceUserID: "4", SourceUserPrincipalName: "d@eu", Action: simulate.ActionCreate, TargetUser: &simulate.TargetUser{}},
		{Source: "eu", Config: "other", Target: "us", SourceUserID: "5", SourceUserPrincipalName: "e@eu", Action: simulate.ActionCreate, TargetUser: &simulate.TargetUser{}},
	}}
	want := []policy.SharedMail{{Source: "eu", Config: "c", Target: "us", Mail: "team@eu.example", Users: []string{"a@eu", "b@eu"}}}
	if diff := cmp.Diff(want, policy.SummarizeCycle(res, snaps).SharedMails); diff != "" {
		t.Errorf("sharedMails (-want +got):\n%s", diff)
	}
}
