package reconcile

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/tenants"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestHoldsAt: which changes of the example's first run (everything to
// create) windows and suspensions hold at a given time, why, and the
// changes that need a held one.
func TestHoldsAt(t *testing.T) {
	repo, dir := loadExample(t)
	desired, _, err := Desired(repo, nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := Diff(desired, &State{}, OptionsFrom(repo))
	var all []string
	for _, c := range cs {
		all = append(all, c.Object)
	}
	var trust, eu, uk, usTrust []string
	for _, o := range all {
		switch {
		case strings.HasPrefix(o, "sync/contoso-eu/"):
			eu = append(eu, o)
		case strings.HasPrefix(o, "sync/fabrikam-uk/"):
			uk = append(uk, o)
		default:
			trust = append(trust, o)
			if strings.Contains(o, "/contoso-us/") {
				usTrust = append(usTrust, o)
			}
		}
	}
	freeze := &tenants.Window{Name: "freeze", Kind: tenants.WindowDeny, Schedule: "0 18 23 12 *", Duration: 256 * time.Hour, TimeZone: "Europe/Berlin"}
	ukOffice := &tenants.Window{Name: "uk office", Kind: tenants.WindowAllow, Schedule: "0 9 * * 1-5", Duration: 8 * time.Hour, TimeZone: "Europe/London",
		Configurations: []string{"fabrikam-uk/uk-to-us"}}
	euOnly := &tenants.Window{Name: "eu", Kind: tenants.WindowDeny, Schedule: "@daily", Duration: 24 * time.Hour, TimeZone: "UTC", Tenants: []string{"contoso-eu"}}
	merger := &tenants.Suspend{Until: at("2026-12-24T00:00:00Z"), Reason: "merger cut-over"}

	cases := []struct {
		name     string
		windows  []*tenants.Window
		tenant   *tenants.Suspend // on contoso-us
		config   *tenants.Suspend // on contoso-eu/eu-to-us
		now      string
		override bool
		held     []string
		reasons  map[string]string // object -> reason, for some
		ended    int
	}{
		{name: "nothing holds", now: "2026-12-01T10:00:00Z"},
		{name: "inside the freeze: everything", windows: []*tenants.Window{freeze}, now: "2026-12-27T10:00:00Z", held: all,
			reasons: map[string]string{all[0]: `deny window freeze (deny "0 18 23 12 *" for 256h (Europe/Berlin)) is open until 2027-01-03T09:00:00Z; writes resume at 2027-01-03T09:00:00Z`}},
		{name: "the freeze overridden", windows: []*tenants.Window{freeze}, now: "2026-12-27T10:00:00Z", override: true},
		{name: "a Saturday: only uk-to-us waits for the UK office", windows: []*tenants.Window{ukOffice}, now: "2026-12-05T12:00:00Z", held: uk,
			reasons: map[string]string{uk[0]: `outside allow window uk office (allow "0 9 * * 1-5" for 8h (Europe/London)); writes resume at 2026-12-07T09:00:00Z`}},
		// contoso-eu's window covers its trust with contoso-us and its
		// configuration; uk-to-us needs nothing of them.
		{name: "a window on one tenant", windows: []*tenants.Window{euOnly}, now: "2026-12-05T12:00:00Z",
			held: append(filter(trust, "contoso-eu"), eu...)},
		// A suspended target holds its trust and every configuration into it.
		{name: "contoso-us suspended", tenant: merger, now: "2026-12-10T00:00:00Z", held: all,
			reasons: map[string]string{usTrust[0]: "tenant contoso-us is suspended (merger cut-over) until 2026-12-24T00:00:00Z"}},
		{name: "eu-to-us suspended", config: merger, now: "2026-12-10T00:00:00Z", held: eu,
			reasons: map[string]string{eu[0]: "sync contoso-eu/eu-to-us is suspended (merger cut-over) until 2026-12-24T00:00:00Z"}},
		{name: "the suspension has ended", config: merger, now: "2026-12-24T00:00:00Z", ended: 1},
		{name: "a suspension without until", config: &tenants.Suspend{Reason: "INC-7"}, now: "2099-01-01T00:00:00Z", held: eu,
			reasons: map[string]string{eu[0]: "sync contoso-eu/eu-to-us is suspended (INC-7) until the suspend is removed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo.Settings.Windows = c.windows
			repo.Tenant("contoso-us").Suspend = c.tenant
			repo.Tenant("contoso-eu").Sync[0].Suspend = c.config
			h := HoldsAt(cs, repo, at(c.now), c.override)
			if diff := cmp.Diff(sorted(c.held), h.Objects()); diff != "" {
				t.Errorf("held (-want +got):\n%s", diff)
			}
			for o, want := range c.reasons {
				if got := h.ByObject[o].Reason; got != want {
					t.Errorf("%s held because %q, want %q", o, got, want)
				}
			}
			if len(h.Ended) != c.ended {
				t.Errorf("%d ended suspensions, want %d", len(h.Ended), c.ended)
			}
			if c.override && (!h.Overridden || len(h.Windows) == 0) {
				t.Errorf("override: Overridden %v, %d windows recorded", h.Overridden, len(h.Windows))
			}
			if got := len(cs.Without(h.ByObject)); got != len(cs)-len(c.held) {
				t.Errorf("Without leaves %d changes, want %d", got, len(cs)-len(c.held))
			}
		})
	}
}

// TestHoldDependents: a change that needs a held creation is held with
// it; one that only comes after a held update is not.
func TestHoldDependents(t *testing.T) {
	cs := ChangeSet{
		{Object: "partner/a/b", Kind: KindPartner, Action: ActionCreate},
		{Object: "identitySync/a/b", Kind: KindIdentitySync, Action: ActionCreate, DependsOn: []string{"partner/a/b"}},
		{Object: "sync/b/x/app", Kind: KindApp, Action: ActionUpdate, DependsOn: []string{"identitySync/a/b"}},
		{Object: "sync/b/x/schema", Kind: KindSchema, Action: ActionUpdate, DependsOn: []string{"sync/b/x/app"}},
		{Object: "sync/b/x/state", Kind: KindState, Action: ActionUpdate, DependsOn: []string{"sync/b/x/schema"}},
	}
	held := map[string]Hold{"partner/a/b": {Reason: "tenant a is suspended"}, "sync/b/x/schema": {Reason: "ignored"}}
	holdDependents(cs, held, "held")
	want := map[string]Hold{
		"partner/a/b":      {Reason: "tenant a is suspended"},
		"identitySync/a/b": {Reason: "needs partner/a/b, which is held"},
		"sync/b/x/app":     {Reason: "needs identitySync/a/b, which is held"},
		"sync/b/x/schema":  {Reason: "ignored"},
	}
	if diff := cmp.Diff(want, held); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func filter(xs []string, sub string) []string {
	var out []string
	for _, x := range xs {
		if strings.Contains(x, sub) {
			out = append(out, x)
		}
	}
	return out
}

func sorted(xs []string) []string {
	out := append([]string{}, xs...)
	sort.Strings(out)
	return out
}
