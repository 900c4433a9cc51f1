package reconcile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/tenants"
)

const (
	exEU = "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"
	exUS = "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"
	exUK = "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"
)

// editMapping sets the source expression of a target attribute's mapping
// in a schema.
func editMapping(t *testing.T, schema json.RawMessage, target, expression string) json.RawMessage {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(schema, &s); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range userObjectMapping(s)["attributeMappings"].([]any) {
		am := m.(map[string]any)
		if am["targetAttributeName"] == target {
			am["source"] = map[string]any{"type": "Function", "name": "edited", "expression": expression, "parameters": []any{}}
			found = true
		}
	}
	if !found {
		t.Fatalf("no %s mapping", target)
	}
	b, _ := json.Marshal(s)
	return b
}

// TestDiffIgnoresDrift: drift made in the live state (a partner's
// automatic redemption, two mappings, an assignment, a partner deleted
// with its identity synchronization) with drift rules for some of it: the
// covered drift is reported as ignored and never planned; a change keeps
// its other fields and writes the live value of the covered ones; a
// missing object is left alone only by a rule for all its fields (R1 alone
// would not stop the partner's creation); a change that needs an ignored
// creation is ignored with it.
func TestDiffIgnoresDrift(t *testing.T) {
	repo, dir := loadExample(t)
	desired, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	drifted := func() *State {
		live := liveOf(t, desired)
		us := live.Tenants[exUS]
		f, tr := false, true
		us.Partners[exEU].InboundAutoRedeem, us.Partners[exEU].OutboundAutoRedeem = &f, &tr
		delete(us.Partners, exUK) // with its identity synchronization
		eu := live.Tenants[exEU].Configs[0]
		eu.Job.Schema = editMapping(t, eu.Job.Schema, "companyName", `"Contoso EU (incident)"`)
		eu.Job.Schema = editMapping(t, eu.Job.Schema, "jobTitle", "[jobTitle]")
		eu.Assignments = nil
		return live
	}
	rules := []*tenants.IgnoreRule{
		{Object: "partner/contoso-us/*", Fields: []string{"inboundAutoRedeem"}, Reason: "R1: set by hand", Pos: tenants.Pos{File: "xtsync.yaml", Line: 3, Col: 5}},
		{Object: "sync/contoso-eu/eu-to-us/schema", Fields: []string{"mappings.companyName"}, Reason: "R2: incident", Pos: tenants.Pos{File: "xtsync.yaml", Line: 6, Col: 5}},
		{Object: "sync/**/assignment/*", Fields: []string{"*"}, Reason: "R3: assignments by hand", Pos: tenants.Pos{File: "xtsync.yaml", Line: 9, Col: 5}},
		{Object: "partner/*/fabrikam-uk", Fields: []string{"*"}, Reason: "R4: fabrikam's partnership is on hold", Pos: tenants.Pos{File: "xtsync.yaml", Line: 12, Col: 5}},
	}

	// Without rules every drift is repaired.
	cs, own := Diff(desired, drifted(), Options{})
	if len(own.Ignored) != 0 {
		t.Errorf("ignored without rules: %+v", own.Ignored)
	}
	want := []string{"update partner/contoso-us/contoso-eu", "create partner/contoso-us/fabrikam-uk", "create identitySync/contoso-us/fabrikam-uk",
		"update sync/contoso-eu/eu-to-us/schema", "create sync/contoso-eu/eu-to-us/assignment/GlobalEmployees"}
	if diff := cmp.Diff(want, objects(cs)); diff != "" {
		t.Errorf("without rules (-want +got):\n%s", diff)
	}

	live := drifted()
	cs, _ = Diff(desired, drifted(), Options{Ignore: rules[:1]})
	want = []string{"update partner/contoso-us/contoso-eu", "create partner/contoso-us/fabrikam-uk", "create identitySync/contoso-us/fabrikam-uk",
		"update sync/contoso-eu/eu-to-us/schema", "create sync/contoso-eu/eu-to-us/assignment/GlobalEmployees"}
	if diff := cmp.Diff(want, objects(cs)); diff != "" {
		t.Errorf("with R1 alone, the missing partner is created (-want +got):\n%s", diff)
	}
	cs, own = Diff(desired, live, Options{Ignore: rules})
	want = []string{"update partner/contoso-us/contoso-eu", "update sync/contoso-eu/eu-to-us/schema"}
	if diff := cmp.Diff(want, objects(cs)); diff != "" {
		t.Fatalf("with rules (-want +got):\n%s", diff)
	}
	type ign struct{ Object, Fields, Reason, Rule string }
	var got []ign
	for _, d := range own.Ignored {
		var fs []string
		for _, f := range d.Fields {
			fs = append(fs, f.Name)
		}
		got = append(got, ign{d.Object, strings.Join(fs, ","), d.Reason, d.Rule})
	}
	wantIgn := []ign{ // in Diff's order: by tenant id (contoso-eu, then contoso-us)
		{"sync/contoso-eu/eu-to-us/schema", "mappings.companyName", "R2: incident", "xtsync.yaml:6:5"},
		{"sync/contoso-eu/eu-to-us/assignment/GlobalEmployees", "principal,principalType", "R3: assignments by hand", "xtsync.yaml:9:5"},
		{"partner/contoso-us/contoso-eu", "inboundAutoRedeem", "R1: set by hand", "xtsync.yaml:3:5"},
		{"partner/contoso-us/fabrikam-uk", "inboundAutoRedeem,outboundAutoRedeem", "R1: set by hand; R4: fabrikam's partnership is on hold", "xtsync.yaml:3:5, xtsync.yaml:12:5"},
		{"identitySync/contoso-us/fabrikam-uk", "userSyncInbound", "needs partner/contoso-us/fabrikam-uk, which is ignored", ""},
	}
	if diff := cmp.Diff(wantIgn, got); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}

	// The partner change writes outbound back and keeps inbound as live has it.
	p := cs[0]
	if len(p.Fields) != 1 || p.Fields[0].Name != "outboundAutoRedeem" || bv(p.Partner.InboundAutoRedeem) || bv(p.Partner.OutboundAutoRedeem) {
		t.Errorf("partner change: fields %+v, inbound %v, outbound %v; want outbound only, inbound kept false", p.Fields, bv(p.Partner.InboundAutoRedeem), bv(p.Partner.OutboundAutoRedeem))
	}
	if desired.Tenants[exUS].Partners[exEU].InboundAutoRedeem == nil || !*desired.Tenants[exUS].Partners[exEU].InboundAutoRedeem {
		t.Error("keeping the live value changed the desired state")
	}
	// The schema change puts jobTitle back and keeps the incident's companyName.
	sc := cs[1]
	liveSchema := live.Tenants[exEU].Configs[0].Job.Schema
	merged, err := sc.MergeSchema(liveSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(merged, &m); err != nil {
		t.Fatal(err)
	}
	texts := mappingTexts(userObjectMapping(m))
	if texts["companyName"] != `"Contoso EU (incident)" (Always)` || texts["jobTitle"] != "ToUpper([jobTitle]) (Always)" {
		t.Errorf("merged schema: companyName %s, jobTitle %s", texts["companyName"], texts["jobTitle"])
	}
	if len(sc.Fields) != 1 || sc.Fields[0].Name != "mappings.jobTitle" {
		t.Errorf("schema change fields: %+v", sc.Fields)
	}

	// Once the rest is repaired, only the ignored drift is left: no change.
	live.Tenants[exUS].Partners[exEU].OutboundAutoRedeem = desired.Tenants[exUS].Partners[exEU].OutboundAutoRedeem
	live.Tenants[exEU].Configs[0].Job.Schema = merged
	cs, own = Diff(desired, live, Options{Ignore: rules})
	if len(cs) != 0 || len(own.Ignored) != 5 {
		t.Errorf("after the repair: %v, %d ignored", objects(cs), len(own.Ignored))
	}
}

// TestIgnoreNeverCoversCreationOrTags: a missing configuration is created
// and its ownership tags written whatever the rules say (its trust being
// there); with its trust ignored too, it cannot be, and is not.
func TestIgnoreNeverCoversCreationOrTags(t *testing.T) {
	repo, dir := loadExample(t)
	desired, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	configs := []*tenants.IgnoreRule{{Object: "sync/**", Fields: []string{"*"}, Reason: "every configuration"}}
	live := liveOf(t, desired)
	for _, ts := range live.Tenants {
		ts.Configs = nil
	}
	cs, own := Diff(desired, live, Options{Ignore: configs})
	want := []string{"create sync/contoso-eu/eu-to-us/app", "create sync/contoso-eu/eu-to-us/job",
		"create sync/fabrikam-uk/uk-to-us/app", "create sync/fabrikam-uk/uk-to-us/job"}
	if diff := cmp.Diff(want, objects(cs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if cs[0].Fields[1].Name != "tags" {
		t.Errorf("the app's fields: %+v", cs[0].Fields)
	}
	all := []*tenants.IgnoreRule{{Object: "**", Fields: []string{"*"}, Reason: "everything"}}
	if cs, _ := Diff(desired, &State{}, Options{Ignore: all}); len(cs) != 0 {
		t.Errorf("with the trust ignored: %v", objects(cs))
	}
	if len(own.Ignored) == 0 {
		t.Error("nothing reported as ignored")
	}
	for _, c := range cs {
		for _, d := range c.DependsOn {
			for _, i := range own.Ignored {
				if i.Object == d {
					t.Errorf("%s depends on ignored %s", c.Object, d)
				}
			}
		}
	}
}

// TestDriftFieldsCoverDiff: every field name Diff reports is listed in
// tenants.DriftFields under its kind, the list the loader checks drift
// rules' field patterns against.
func TestDriftFieldsCoverDiff(t *testing.T) {
	repo, dir := loadExample(t)
	desired, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, desired)
	f := false
	live.Tenants[exUS].Partners[exEU].InboundAutoRedeem = &f
	live.Tenants[exUS].Partners[exEU].IdentitySync.UserSyncInbound = false
	eu := live.Tenants[exEU].Configs[0]
	eu.DisplayName, eu.Job.Started = "renamed", false
	eu.Secrets[SecretSyncAll] = "true"
	eu.Job.Schema = editMapping(t, eu.Job.Schema, "jobTitle", "[jobTitle]")
	var all ChangeSet
	for _, l := range []*State{{}, live} {
		cs, _ := Diff(desired, l, Options{})
		all = append(all, cs...)
	}
	seen := map[string]bool{}
	for _, c := range all {
		for _, fl := range c.Fields {
			name := fl.Name
			if strings.HasPrefix(name, "mappings.") {
				name = "mappings.<attr>"
			}
			seen[string(c.Kind)+" "+name] = true
			found := false
			for _, x := range tenants.DriftFields[string(c.Kind)] {
				found = found || x == name
			}
			if !found {
				t.Errorf("%s reports field %s, which tenants.DriftFields[%q] does not list", c.Object, fl.Name, c.Kind)
			}
		}
	}
	for _, k := range []string{"partner inboundAutoRedeem", "identitySync userSyncInbound", "app displayName", "app tags", "job templateId",
		"secrets syncAll", "schema mappings.<attr>", "assignment principal", "state started"} {
		if !seen[k] {
			t.Errorf("the test made no %s change", k)
		}
	}
}

// TestIgnoreKeepsAnUnmanagedPartner: with prune on, a partner the
// repository does not declare is deleted, unless a rule covers it all
// (a partner Microsoft support created): then it is reported as kept.
func TestIgnoreKeepsAnUnmanagedPartner(t *testing.T) {
	repo, dir := loadExample(t)
	desired, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, desired)
	const support = "99999999-2222-4333-8444-555555555555"
	live.Tenants[exUS].Partners[support] = &Partner{TenantID: support, IdentitySync: &IdentitySync{UserSyncInbound: false}}
	cs, own := Diff(desired, live, Options{Prune: true})
	if diff := cmp.Diff([]string{"delete identitySync/contoso-us/" + support, "delete partner/contoso-us/" + support}, objects(cs)); diff != "" {
		t.Errorf("prune (-want +got):\n%s", diff)
	}
	rules := []*tenants.IgnoreRule{{Object: "{partner,identitySync}/contoso-us/" + support, Fields: []string{"*"}, Reason: "created by Microsoft support (case 123)"}}
	cs, own = Diff(desired, live, Options{Prune: true, Ignore: rules})
	if len(cs) != 0 || len(own.Ignored) != 2 || len(own.Unmanaged) != 1 || own.Unmanaged[0].Deleted ||
		!strings.Contains(own.Unmanaged[0].Reason, "an ignore rule keeps it") {
		t.Errorf("with the rule: changes %v, ignored %+v, unmanaged %+v", objects(cs), own.Ignored, own.Unmanaged)
	}
}
