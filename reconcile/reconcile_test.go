package reconcile

import (
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
