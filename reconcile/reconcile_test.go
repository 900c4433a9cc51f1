package reconcile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/tenants"
)

func TestDesiredEmptyLive(t *testing.T) {
	repo, dir := loadExample(t)
	desired, problems, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, own := Diff(desired, &State{}, OptionsFrom(repo))
	checkGolden(t, "empty-live", cs, own, problems)
}

func TestConverged(t *testing.T) {
	repo, dir := loadExample(t)
	d0, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, d0)
	desired, problems, err := Desired(repo, live, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("problems: %v", problems)
	}
	cs, own := Diff(desired, live, OptionsFrom(repo))
	if d := cmp.Diff([]string{}, objects(cs)); d != "" {
		t.Errorf("changes of a converged run (-want +got):\n%s", d)
	}
	if d := cmp.Diff(Ownership{}, own); d != "" {
		t.Errorf("ownership (-want +got):\n%s", d)
	}
}

func TestImportRoundTripExample(t *testing.T) {
	repo, dir := loadExample(t)
	d0, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, d0)
	got := Import(live, repo, dir)
	if diff := plan.Diff(repo, got); len(diff) > 0 {
		t.Errorf("Import(Desired(repo)) differs from repo: %+v", diff)
	}
	// And back: the imported repo asks for what live has.
	desired, _, err := Desired(got, live, dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := Diff(desired, live, OptionsFrom(repo))
	if d := cmp.Diff([]string{}, objects(cs)); d != "" {
		t.Errorf("Diff(Desired(Import(live)), live) (-want +got):\n%s", d)
	}
}

// TestDesiredScopeUsers: a scope user the directory does not know is a
// problem; one who is soft-deleted (people leave) is left out with a
// warning, and every other assignment stands.
func TestDesiredScopeUsers(t *testing.T) {
	repo, dir := loadExample(t)
	uk := repo.Tenant("fabrikam-uk")
	uk.Sync[0].Scope.Users = []string{"quentin@fabrikam.co.uk", "nobody@fabrikam.co.uk"}
	desired, problems, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range problems {
		got[p.Object] = p.Warning
	}
	want := map[string]bool{
		"sync/fabrikam-uk/uk-to-us/assignment/quentin@fabrikam.co.uk": true,
		"sync/fabrikam-uk/uk-to-us/assignment/nobody@fabrikam.co.uk":  false,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems, object -> warning (-want +got):\n%s", d)
	}
	var names []string
	for _, a := range desired.Tenants[strings.ToLower(uk.TenantID)].Configs[0].Assignments {
		names = append(names, a.PrincipalName)
	}
	if d := cmp.Diff([]string{"UK-Staff"}, names); d != "" {
		t.Errorf("assignments (-want +got):\n%s", d)
	}
}

// TestLiveTemplateDefaults: the defaults a mapping the repository does not
// name returns to are the template's as the tenant's Graph serves it, not
// the embedded copy: when Microsoft changes a default, reconcile does not
// revert it (and with no live template, the embedded copy stands in).
func TestLiveTemplateDefaults(t *testing.T) {
	repo, dir := loadExample(t)
	var tmpl map[string]any
	if err := json.Unmarshal(TemplateSchema(), &tmpl); err != nil {
		t.Fatal(err)
	}
	changed := false
	for _, a := range userObjectMapping(tmpl)["attributeMappings"].([]any) {
		if am := a.(map[string]any); am["targetAttributeName"] == "city" {
			am["source"] = map[string]any{"type": "Function", "name": "Trim", "expression": "Trim([city])", "parameters": []any{}}
			changed = true
		}
	}
	if !changed {
		t.Fatal("the template has no city mapping")
	}
	newTemplate, _ := json.Marshal(tmpl)

	d0, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, d0)
	for _, ts := range live.Tenants {
		for _, c := range ts.Configs {
			source, name, _ := strings.Cut(taggedKey(c.Tags), "/")
			var src *tenants.SyncConfig
			for _, sc := range repo.Tenant(source).Sync {
				if sc.Name == name {
					src = sc
				}
			}
			if c.Job.Schema, err = MergeSchemaWith(newTemplate, newTemplate, src); err != nil {
				t.Fatal(err)
			}
			ts.Template = newTemplate
		}
	}
	desired, _, err := Desired(repo, live, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cs, _ := Diff(desired, live, OptionsFrom(repo)); len(cs) != 0 {
		t.Errorf("with the live template, reconcile plans %v", objects(cs))
	}
	if got := Import(live, repo, dir); len(plan.Diff(repo, got)) != 0 {
		t.Errorf("import against the live template: %+v", plan.Diff(repo, got))
	}

	for _, ts := range live.Tenants {
		ts.Template = nil
	}
	desired, _, err = Desired(repo, live, dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := Diff(desired, live, OptionsFrom(repo))
	var fields []string
	for _, c := range cs {
		for _, f := range c.Fields {
			fields = append(fields, c.Object+" "+f.Name)
		}
	}
	if d := cmp.Diff([]string{"sync/contoso-eu/eu-to-us/schema mappings.city", "sync/fabrikam-uk/uk-to-us/schema mappings.city"}, fields); d != "" {
		t.Errorf("without the live template, the embedded copy stands in (-want +got):\n%s", d)
	}
}
