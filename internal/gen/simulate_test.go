package gen

import (
	"testing"

	"github.com/xtsync/xtsync/simulate"
)

// TestEveryAction: one simulated cycle of a generated repository yields
// every action, the reasons the data was built for, and every
// configuration state but blocked.
func TestEveryAction(t *testing.T) {
	out, err := Generate(Options{Tenants: 5, Users: 40000, Groups: 200, Configs: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	repo, snaps, err := out.Load(simulate.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := simulate.Run(repo, snaps, simulate.Options{})
	seen := map[string]int{}
	for _, u := range res.Users {
		seen[string(u.Action)]++
		seen[string(u.Action)+"/"+u.Reason]++
	}
	for _, c := range res.Configs {
		seen["state "+string(c.State)]++
	}
	for _, want := range []string{
		"create", "update", "restore", "disable", "delete", "staged", "noop", "skip", "fail",
		"update/adopted", "noop/deleted-in-target", "noop/delete-action-disabled", "noop/already-deleted",
		"noop/disabled-not-deleted", "noop/update-action-disabled",
		"skip/filtered", "skip/external-user", "skip/guest-user", "skip/disabled-user", "skip/duplicate-mail",
		"fail/unverified-mail-domain", "fail/ambiguous-target-user",
		"delete/filtered", "delete/unassigned", "delete/source-deleted",
		"state active", "state paused", "state quarantine",
	} {
		if seen[want] == 0 {
			t.Errorf("no %s in the simulated cycle", want)
		}
	}
	if t.Failed() {
		t.Logf("seen: %v", seen)
	}
}
