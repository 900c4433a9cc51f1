package graph

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/reconcile/emulator"
	"github.com/xtsync/xtsync/simulate"
)

const seedDir = "../emulator/testdata/snapshots"

// startEmulator runs the emulator on loopback, seeded with snaps.
func startEmulator(t testing.TB, snaps map[string]*simulate.Snapshot, opts emulator.Options) (*emulator.Server, string) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadSnapshots(snaps); err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, url
}

func readSeed(t testing.TB) map[string]*simulate.Snapshot {
	t.Helper()
	snaps, err := emulator.ReadSnapshotDir(seedDir)
	if err != nil {
		t.Fatal(err)
	}
	return snaps
}

// pullAll pulls every tenant of snaps from the emulator at url and links
// them, as `xtsync snapshot pull` does.
func pullAll(t testing.TB, url string, snaps map[string]*simulate.Snapshot, opts PullOptions) (map[string]*simulate.Snapshot, map[string]DeltaState, map[string]Stats) {
	t.Helper()
	out := map[string]*simulate.Snapshot{}
	states := map[string]DeltaState{}
	stats := map[string]Stats{}
	var entries []ProvisioningEntry
	names := make([]string, 0, len(snaps))
	for n := range snaps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := testClientFor(t, url, snaps[name].TenantID)
		o := opts
		if opts.Previous != nil {
			panic("pullAll: use pullIncrementalAll")
		}
		s, st, err := Pull(context.Background(), c, o)
		if err != nil {
			t.Fatalf("pull %s: %v", name, err)
		}
		log, err := c.ProvisioningLog(context.Background(), "")
		if err != nil {
			t.Fatalf("provisioning log of %s: %v", name, err)
		}
		st.LogsSince = LatestEntry(log, "")
		entries = append(entries, log...)
		out[name], states[name], stats[name] = s, st, c.Stats()
	}
	Link(out, entries)
	return out, states, stats
}

func testClientFor(t testing.TB, url, tenantID string) *Client {
	t.Helper()
	cred, err := NewCredential(AuthEmulator, CredentialOptions{TenantID: tenantID, GraphURL: url})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(context.Background(), Options{TenantID: tenantID, BaseURL: url, Credential: cred, MaxRetries: 10,
		RetryDelay: time.Millisecond, HTTPClient: &http.Client{Transport: LoopbackOnlyTransport(nil)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// normalize makes a seed comparable with a pull: what WriteSnapshot
// canonicalizes (members order) and the capture time.
func normalize(snaps map[string]*simulate.Snapshot) {
	for _, s := range snaps {
		s.CapturedAt = ""
		sort.Slice(s.Users, func(i, j int) bool { return s.Users[i].ID < s.Users[j].ID })
		sort.Slice(s.Groups, func(i, j int) bool { return s.Groups[i].ID < s.Groups[j].ID })
		for i := range s.Groups {
			sort.Strings(s.Groups[i].Members)
			if s.Groups[i].Members == nil {
				s.Groups[i].Members = []string{}
			}
		}
		for i := range s.Users {
			if len(s.Users[i].Attributes) == 0 {
				s.Users[i].Attributes = nil
			}
		}
	}
}

// expectLinkSources sets the linkSource a pull derives for the seed's
// links: the emulator logs a provisioning entry for every link managed by a
// configuration; a guest invited by hand is linked by its #EXT# UPN.
func expectLinkSources(snaps map[string]*simulate.Snapshot) {
	for _, s := range snaps {
		for i := range s.Users {
			if l := s.Users[i].Source; l != nil && l.LinkSource == "" {
				l.LinkSource = LinkExtUPN
				if l.Config != "" {
					l.LinkSource = LinkProvisioningLogs
				}
			}
		}
	}
}

// TestPullReproducesTheSeed: a pull from an emulator seeded with snapshots
// gives the same snapshots back (links included), with small pages.
func TestPullReproducesTheSeed(t *testing.T) {
	seed := readSeed(t)
	_, url := startEmulator(t, readSeed(t), emulator.Options{})
	got, _, _ := pullAll(t, url, seed, PullOptions{PageSize: 2, Select: []string{"department", "employeeType", "jobTitle", "companyName", "country"}})
	expectLinkSources(seed)
	normalize(seed)
	normalize(got)
	if diff := cmp.Diff(seed, got, snapOpts); diff != "" {
		t.Errorf("pulled snapshots differ from the seed (-seed +pulled):\n%s", diff)
	}
}

// TestIncrementalEqualsFull: after changes in the emulator, an incremental
// pull merged into the previous snapshot equals a fresh full pull, and
// costs a fraction of its requests.
func TestIncrementalEqualsFull(t *testing.T) {
	seed := readSeed(t)
	srv, url := startEmulator(t, readSeed(t), emulator.Options{})
	opts := PullOptions{PageSize: 2, Select: []string{"department"}}
	first, states, _ := pullAll(t, url, seed, opts)

	eu := srv.Tenant("contoso-eu")
	ids := eu.UserIDs()
	if len(ids) < 3 {
		t.Fatalf("seed has %d users in contoso-eu", len(ids))
	}
	mustDo(t, eu.UpdateUser(ids[0], map[string]any{"department": "Finance", "displayName": "Renamed"}))
	mustDo(t, eu.DeleteUser(ids[1]))
	newID, err := eu.AddUser(map[string]any{"userPrincipalName": "new@contoso.eu", "accountEnabled": true, "userType": "Member", "department": "Ops"})
	mustDo(t, err)
	gid, err := eu.AddGroup(map[string]any{"displayName": "New group", "securityEnabled": true}, newID)
	mustDo(t, err)
	mustDo(t, eu.AddMember(gid, ids[0]))

	// Incremental, tenant by tenant, then links.
	inc := map[string]*simulate.Snapshot{}
	var entries []ProvisioningEntry
	var incRequests int64
	for name, s := range first {
		st := states[name]
		c := testClientFor(t, url, s.TenantID)
		o := opts
		o.Previous, o.Delta = s, &st
		snap, st2, err := Pull(context.Background(), c, o)
		if err != nil {
			t.Fatalf("incremental pull of %s: %v", name, err)
		}
		if !st2.Incremental {
			t.Errorf("%s: pull was not incremental", name)
		}
		log, err := c.ProvisioningLog(context.Background(), st.LogsSince)
		mustDo(t, err)
		entries = append(entries, log...)
		CarryLinks(snap, s)
		inc[name] = snap
		incRequests += c.Stats().Requests
	}
	Link(inc, entries)

	full, _, _ := pullAll(t, url, seed, opts)
	normalize(inc)
	normalize(full)
	if diff := cmp.Diff(full, inc, snapOpts); diff != "" {
		t.Errorf("incremental differs from full (-full +incremental):\n%s", diff)
	}
	var found bool
	for _, u := range inc["contoso-eu"].Users {
		found = found || u.ID == newID
		if u.ID == ids[1] && !u.Deleted {
			t.Errorf("user %s soft-deleted in the emulator is not deleted in the snapshot", u.ID)
		}
	}
	if !found {
		t.Errorf("new user %s missing", newID)
	}
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPullUnderFaults: with 20% of requests answered 429 (Retry-After) and
// 5% of connections dropped, pulls complete with identical snapshots.
func TestPullUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for Retry-After")
	}
	seed := readSeed(t)
	_, url := startEmulator(t, readSeed(t), emulator.Options{})
	opts := PullOptions{PageSize: 3, Select: []string{"department"}}
	clean, _, _ := pullAll(t, url, seed, opts)

	faults, err := emulator.ParseFaults("429=0.2,503=0.05,drop=0.05")
	mustDo(t, err)
	_, furl := startEmulator(t, readSeed(t), emulator.Options{Faults: faults, Seed: 7})
	faulty, _, stats := pullAll(t, furl, seed, opts)
	normalize(clean)
	normalize(faulty)
	if diff := cmp.Diff(clean, faulty, snapOpts); diff != "" {
		t.Errorf("snapshots pulled under faults differ (-clean +faulty):\n%s", diff)
	}
	var throttled, dropped int64
	for _, s := range stats {
		throttled += s.Throttled
		dropped += s.Dropped
	}
	if throttled == 0 {
		t.Errorf("no request was throttled: the fault injection did not happen")
	}
	t.Logf("throttled %d, dropped %d", throttled, dropped)
}

func TestEmulatorErrors(t *testing.T) {
	seed := readSeed(t)
	_, url := startEmulator(t, readSeed(t), emulator.Options{})
	tid := seed["contoso-us"].TenantID
	ctx := context.Background()
	client := func(token string) *Client {
		c, err := New(ctx, Options{TenantID: tid, BaseURL: url, Credential: emulatorCredential{token: token}, RetryDelay: time.Millisecond,
			HTTPClient: &http.Client{Transport: LoopbackOnlyTransport(nil)}})
		mustDo(t, err)
		return c
	}
	tests := []struct {
		name       string
		c          *Client
		method     string
		path, body string
		status     int
		code       string
	}{
		{"401 malformed token", client("not-a-jwt"), "GET", "users", "", 401, "InvalidAuthenticationToken"},
		{"403 without the permission", client(emulator.Token(tid, []string{"Group.Read.All"})), "GET", "users", "", 403, "Authorization_RequestDenied"},
		{"404 unknown user", client(emulator.Token(tid, nil)), "GET", "users/00000000-0000-4000-8000-00000000dead", "", 404, ""},
		{"409 partner twice", client(emulator.Token(tid, nil)), "POST", "policies/crossTenantAccessPolicy/partners",
			`{"tenantId":"` + seed["contoso-eu"].TenantID + `"}`, 409, ""},
	}
	// The 409 needs the partner to exist first.
	if _, err := client(emulator.Token(tid, nil)).Do(ctx, "POST", "policies/crossTenantAccessPolicy/partners", []byte(`{"tenantId":"`+seed["contoso-eu"].TenantID+`"}`)); err != nil && !IsConflict(err) {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			_, err := tt.c.Do(ctx, tt.method, tt.path, body)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T), want *APIError", err, err)
			}
			if ae.Status != tt.status || (tt.code != "" && ae.Code != tt.code) || ae.RequestID == "" || ae.Message == "" {
				t.Errorf("got %+v, want status %d code %q with a message and a request id", ae, tt.status, tt.code)
			}
		})
	}
}

// TestDeltaLinksOfAnotherEndpoint: delta links kept from another endpoint
// (--graph-url changed, an emulator restarted on another port) cannot be
// followed: the pull starts over in full instead of failing.
func TestDeltaLinksOfAnotherEndpoint(t *testing.T) {
	seed := readSeed(t)
	_, url := startEmulator(t, readSeed(t), emulator.Options{})
	opts := PullOptions{PageSize: 2}
	first, states, _ := pullAll(t, url, seed, opts)
	for name, s := range first {
		st := states[name]
		st.Users = strings.Replace(st.Users, strings.TrimPrefix(url, "http://"), "127.0.0.1:1", 1)
		st.Groups = strings.Replace(st.Groups, strings.TrimPrefix(url, "http://"), "127.0.0.1:1", 1)
		o := opts
		o.Previous, o.Delta = s, &st
		snap, st2, err := Pull(context.Background(), testClientFor(t, url, s.TenantID), o)
		if err != nil {
			t.Fatalf("%s: pull with another endpoint's delta links: %v", name, err)
		}
		if st2.Incremental {
			t.Errorf("%s: followed another endpoint's delta links", name)
		}
		if len(snap.Users) != len(s.Users) {
			t.Errorf("%s: %d users, want %d", name, len(snap.Users), len(s.Users))
		}
	}
}

// TestOrganization: the tenant's id, display name and verified domains,
// the initial one (isInitial) named, as GET /organization has them.
func TestOrganization(t *testing.T) {
	snaps := readSeed(t)
	_, url := startEmulator(t, snaps, emulator.Options{})
	for name, s := range snaps {
		got, err := testClientFor(t, url, s.TenantID).Organization(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		initial := ""
		for _, d := range s.VerifiedDomains {
			if strings.HasSuffix(d, ".onmicrosoft.com") && initial == "" {
				initial = d
			}
		}
		want := Organization{ID: strings.ToLower(s.TenantID), DisplayName: name, InitialDomain: initial, VerifiedDomains: s.VerifiedDomains}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}
