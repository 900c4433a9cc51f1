package reconcile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// importTenantsOf is what `xtsync import` knows of the repo's tenants
// before it reads anything else: names, ids, and what /organization says.
func importTenantsOf(repo *tenants.Repo) []ImportTenant {
	var out []ImportTenant
	for _, t := range repo.Tenants {
		out = append(out, ImportTenant{Name: t.Name, TenantID: t.TenantID, DisplayName: t.DisplayName, InitialDomain: t.InitialDomain, Cloud: t.Cloud})
	}
	return out
}

// withoutRepoOnly is repo without what only the repository holds (limits,
// acknowledge): what an import cannot know.
func withoutRepoOnly(repo *tenants.Repo) *tenants.Repo {
	for _, t := range repo.Tenants {
		for _, p := range t.Partners {
			if p.Inbound != nil {
				p.Inbound.Limits = nil
			}
		}
		for _, sc := range t.Sync {
			sc.Acknowledge = []string{}
		}
	}
	return repo
}

func noteTexts(ns []ImportNote) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Tenant+" "+n.Path+": "+n.Msg)
	}
	return out
}

// checkNoChanges: the desired state of the imported repository asks live
// for nothing but wantApps (object -> the fields it changes), and owns
// every configuration it declares.
func checkNoChanges(t *testing.T, got *tenants.Repo, live *State, dir Directory, wantApps map[string][]string) {
	t.Helper()
	desired, problems, err := Desired(got, live, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("problems: %+v", problems)
	}
	cs, own := Diff(desired, live, OptionsFrom(got))
	gotApps := map[string][]string{}
	for _, c := range cs {
		if c.Kind != KindApp || c.Action != ActionUpdate {
			t.Errorf("change %s %s: want none but app updates", c.Action, c.Object)
			continue
		}
		for _, f := range c.Fields {
			gotApps[c.Object] = append(gotApps[c.Object], f.Name)
		}
	}
	if d := cmp.Diff(wantApps, gotApps); d != "" {
		t.Errorf("app updates (-want +got):\n%s", d)
	}
	if len(own.Conflicts) > 0 {
		t.Errorf("ownership conflicts: %+v", own.Conflicts)
	}
}

// TestImportRepoOwnConfigurations: the live state a reconcile of the
// example leaves (tagged configurations) imports as the example, but for
// what only the repository holds, and asks for nothing.
func TestImportRepoOwnConfigurations(t *testing.T) {
	repo, dir := loadExample(t)
	d0, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, d0)
	got, notes := ImportRepo(live, importTenantsOf(repo), dir)
	got.Settings = repo.Settings // the defaults: not Graph's
	if d := plan.Diff(withoutRepoOnly(repo), got); len(d) > 0 {
		t.Errorf("ImportRepo differs from the example: %+v", d)
	}
	if d := cmp.Diff([]string{}, noteTexts(notes)); d != "" {
		t.Errorf("notes (-want +got):\n%s", d)
	}
	for _, tn := range got.Tenants {
		for _, sc := range tn.Sync {
			if sc.ID != "" {
				t.Errorf("sync/%s: id %s: a configuration xtsync tagged needs none", sc.Key(), sc.ID)
			}
		}
	}
	checkNoChanges(t, got, live, dir, map[string][]string{})
}

// portalLive is the live state of the example's configurations made in
// the portal: untagged, under the given display names.
func portalLive(t *testing.T, names map[string]string) (*tenants.Repo, *State, Directory) {
	t.Helper()
	repo, dir := loadExample(t)
	d0, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	live := liveOf(t, d0)
	for _, ts := range live.Tenants {
		for _, c := range ts.Configs {
			c.Tags = []string{}
			if n, ok := names[c.DisplayName]; ok {
				c.DisplayName = n
			}
		}
	}
	return repo, live, dir
}

// TestImportRepoPortalConfigurations: configurations made in the portal
// get their service principal id, so the first reconcile adopts them
// (tags them: the only change), and a display name the files do not accept
// becomes a valid, unique name the first reconcile renames to.
func TestImportRepoPortalConfigurations(t *testing.T) {
	repo, live, dir := portalLive(t, map[string]string{"uk-to-us": "UK → US (guests)"})
	// A second configuration of Fabrikam UK whose name is taken once made valid.
	uk := live.Tenants[strings.ToLower(tenantOf(t, repo, "fabrikam-uk").TenantID)]
	twin := *uk.Configs[0]
	twin.ServicePrincipalID, twin.DisplayName = "00000000-0000-0000-0000-0000000000aa", "UK / US (guests)"
	twin.Assignments = []Assignment{}
	uk.Configs = append(uk.Configs, &twin)

	got, notes := ImportRepo(live, importTenantsOf(repo), dir)
	eu, fab := tenantOf(t, got, "contoso-eu"), tenantOf(t, got, "fabrikam-uk")
	if n := len(eu.Sync); n != 1 || eu.Sync[0].Name != "eu-to-us" || eu.Sync[0].ID != live.Tenants[eu.TenantID].Configs[0].ServicePrincipalID {
		t.Fatalf("contoso-eu sync: %+v", eu.Sync)
	}
	var names, ids []string
	for _, sc := range fab.Sync {
		names, ids = append(names, sc.Name), append(ids, sc.ID)
	}
	if d := cmp.Diff([]string{"UK-US-guests", "UK-US-guests-2"}, names); d != "" {
		t.Errorf("fabrikam-uk names (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{uk.Configs[0].ServicePrincipalID, twin.ServicePrincipalID}, ids); d != "" {
		t.Errorf("fabrikam-uk ids (-want +got):\n%s", d)
	}
	wantPaths := []string{"contoso-eu sync.eu-to-us.id", "fabrikam-uk sync.UK-US-guests", "fabrikam-uk sync.UK-US-guests-2", "fabrikam-uk sync.UK-US-guests-2.id", "fabrikam-uk sync.UK-US-guests.id"}
	var gotPaths []string
	for _, n := range notes {
		gotPaths = append(gotPaths, n.Tenant+" "+n.Path)
		if n.Left {
			t.Errorf("note %q: nothing is left out", n.Msg)
		}
	}
	if d := cmp.Diff(wantPaths, gotPaths); d != "" {
		t.Errorf("notes (-want +got):\n%s", d)
	}
	checkNoChanges(t, got, live, dir, map[string][]string{
		"sync/contoso-eu/eu-to-us/app":        {"tags"},
		"sync/fabrikam-uk/UK-US-guests/app":   {"tags", "displayName"},
		"sync/fabrikam-uk/UK-US-guests-2/app": {"tags", "displayName"},
	})
}

func tenantOf(t *testing.T, repo *tenants.Repo, name string) *tenants.Tenant {
	t.Helper()
	tn := repo.Tenant(name)
	if tn == nil {
		t.Fatalf("no tenant %s", name)
	}
	return tn
}

// TestImportRepoLeavesOut: what the files cannot hold is left out whole,
// with a note saying why, and the rest still asks for nothing.
func TestImportRepoLeavesOut(t *testing.T) {
	const outside, quiet = "11111111-2222-4333-8444-555555555555", "99999999-2222-4333-8444-555555555555"
	tests := []struct {
		name  string
		edit  func(t *testing.T, eu, us *TenantState)
		want  []string // the notes, as noteTexts renders them
		apply map[string][]string
	}{{
		name: "no job",
		edit: func(t *testing.T, eu, us *TenantState) { eu.Configs[0].Job = nil },
		want: []string{`contoso-eu : configuration "eu-to-us" (service principal ` + "%EU%" + `) has no provisioning job (it was never finished): left out`},
	}, {
		name: "no target",
		edit: func(t *testing.T, eu, us *TenantState) { delete(eu.Configs[0].Secrets, SecretCompanyID) },
		want: []string{`contoso-eu : configuration "eu-to-us" (service principal %EU%) names no target tenant (no CompanyId secret): left out`},
	}, {
		name: "target not imported",
		edit: func(t *testing.T, eu, us *TenantState) { eu.Configs[0].Secrets[SecretCompanyID] = outside },
		want: []string{`contoso-eu : configuration "eu-to-us" (service principal %EU%) syncs to tenant ` + outside + `, which is not imported: left out (import that tenant too, with --tenant NAME=` + outside + `, to manage it)`},
	}, {
		name: "an expression the loader refuses",
		edit: func(t *testing.T, eu, us *TenantState) {
			eu.Configs[0].Job.Schema = json.RawMessage(strings.Replace(string(eu.Configs[0].Job.Schema), "ToUpper([jobTitle])", "SelectUniqueValue([jobTitle], [mail])", 1))
		},
		want: []string{`contoso-eu : configuration "eu-to-us" (service principal %EU%) is left out: mapping jobTitle: SelectUniqueValue is not supported in cross-tenant synchronization: Microsoft supports it only for Workday and SuccessFactors to Active Directory user provisioning and API-driven provisioning to on-premises Active Directory; it stays as it is, unmanaged (fix it in the portal and import again, or write it here by hand)`},
	}, {
		// The portal leaves the policy in place, disallowing, when the box
		// is unticked: userSync false says the same, nothing to delete.
		name: "user sync unticked",
		edit: func(t *testing.T, eu, us *TenantState) {
			us.Partners[eu.TenantID].IdentitySync = &IdentitySync{UserSyncInbound: false}
		},
	}, {
		name: "partners outside the repository",
		edit: func(t *testing.T, eu, us *TenantState) {
			us.Partners[outside] = &Partner{TenantID: outside, InboundAutoRedeem: boolp(true)}
			us.Partners[quiet] = &Partner{TenantID: quiet}
		},
		want: []string{
			"contoso-us : partner " + quiet + " (a tenant outside this repository) grants none of the trust xtsync manages: left out, and left as it is by reconcile (with prune: true it would be deleted; list it in ignorePartners to keep it)",
			"contoso-us partners." + outside + ": a tenant outside this repository: the trust above is managed here from now on; its other cross-tenant access settings stay the portal's",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, dir := loadExample(t)
			d0, _, err := Desired(repo, nil, dir)
			if err != nil {
				t.Fatal(err)
			}
			live := liveOf(t, d0)
			eu := live.Tenants[tenantOf(t, repo, "contoso-eu").TenantID]
			us := live.Tenants[tenantOf(t, repo, "contoso-us").TenantID]
			tt.edit(t, eu, us)
			got, notes := ImportRepo(live, importTenantsOf(repo), dir)
			want := []string{}
			for _, w := range tt.want {
				want = append(want, strings.ReplaceAll(w, "%EU%", eu.Configs[0].ServicePrincipalID))
			}
			if d := cmp.Diff(want, noteTexts(notes)); d != "" {
				t.Errorf("notes (-want +got):\n%s", d)
			}
			if err := loads(got); err != "" {
				t.Fatalf("the imported repository does not load: %s", err)
			}
			checkNoChanges(t, got, live, dir, map[string][]string{})
		})
	}
}

// loads renders every tenant and loads the repository as files: "" when
// it loads without error.
func loads(repo *tenants.Repo) string {
	files := map[string][]byte{}
	for _, t := range repo.Tenants {
		files[t.File] = tenants.Marshal(t)
	}
	var errs []string
	for name, data := range files {
		if _, ds := tenants.ParseTenant(name, data); ds.HasErrors() {
			errs = append(errs, ds.Error())
		}
	}
	return strings.Join(errs, "\n")
}

// TestImportSpellsAmbiguousGroupsByID: a group whose display name another
// group of the directory shares is written by object id (a name would not
// resolve), the others by name.
func TestImportSpellsAmbiguousGroupsByID(t *testing.T) {
	repo, _ := loadExample(t)
	eu := tenantOf(t, repo, "contoso-eu")
	snap := &simulate.Snapshot{TenantID: eu.TenantID, Groups: []simulate.Group{
		{ID: "g1", DisplayName: "GlobalEmployees"}, {ID: "g2", DisplayName: "Sales"}, {ID: "g3", DisplayName: "sales"},
	}}
	dir := NewDirectory(plan.Snapshots{"contoso-eu": snap})
	live := &State{Tenants: map[string]*TenantState{eu.TenantID: {TenantID: eu.TenantID, Partners: map[string]*Partner{}, Configs: []*SyncConfig{{
		DisplayName: "eu-to-us", ServicePrincipalID: "sp1", Tags: []string{}, Job: &Job{ID: "j", TemplateID: JobTemplateID, Schema: TemplateSchema()},
		Secrets:     map[string]string{SecretCompanyID: tenantOf(t, repo, "contoso-us").TenantID},
		Assignments: []Assignment{{PrincipalID: "g1", PrincipalType: "Group"}, {PrincipalID: "g2", PrincipalType: "Group", PrincipalName: "Sales"}},
	}}}}}
	got, _ := ImportRepo(live, importTenantsOf(repo), dir)
	if d := cmp.Diff([]string{"GlobalEmployees", "g2"}, tenantOf(t, got, "contoso-eu").Sync[0].Scope.Groups); d != "" {
		t.Errorf("groups (-want +got):\n%s", d)
	}
}
