package reconcile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/plan"
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
