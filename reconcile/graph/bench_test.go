package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/xtsync/xtsync/reconcile/emulator"
	"github.com/xtsync/xtsync/simulate"
)

// bigTenant is a synthetic tenant of n users in n/100 groups.
func bigTenant(n int) *simulate.Snapshot {
	s := &simulate.Snapshot{FormatVersion: 1, TenantID: testTenant, VerifiedDomains: []string{"contoso.eu"}}
	depts := []string{"Sales", "IT", "Ops", "Finance", "HR"}
	for i := range n {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		s.Users = append(s.Users, simulate.User{ID: id, UserPrincipalName: fmt.Sprintf("user%d@contoso.eu", i),
			Mail: fmt.Sprintf("user%d@contoso.eu", i), DisplayName: fmt.Sprintf("User %d", i), UserType: "Member", AccountEnabled: i%50 != 0,
			Attributes: map[string]any{"department": depts[i%len(depts)], "jobTitle": "Engineer", "employeeType": "Employee", "city": "Oslo"}})
	}
	for g := 0; g < n/100; g++ {
		grp := simulate.Group{ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", g), DisplayName: fmt.Sprintf("Group %d", g), SecurityEnabled: true}
		for i := g * 100; i < g*100+100; i++ {
			grp.Members = append(grp.Members, s.Users[i].ID)
		}
		s.Groups = append(s.Groups, grp)
	}
	return s
}

var benchSelect = []string{"department", "jobTitle", "employeeType", "city"}

// benchEmulator serves one big tenant; faults as in emulator.ParseFaults.
func benchEmulator(b *testing.B, n int, faults string) (*emulator.Server, string) {
	b.Helper()
	f, err := emulator.ParseFaults(faults)
	mustDo(b, err)
	return startEmulator(b, map[string]*simulate.Snapshot{"big": bigTenant(n)}, emulator.Options{Faults: f, Seed: 1})
}

// BenchmarkPullFull: a full pull of a 100,000-user tenant from the emulator.
func BenchmarkPullFull(b *testing.B) {
	_, url := benchEmulator(b, 100_000, "")
	var st Stats
	for b.Loop() {
		c := testClientFor(b, url, testTenant)
		if _, _, err := Pull(context.Background(), c, PullOptions{Select: benchSelect}); err != nil {
			b.Fatal(err)
		}
		st = c.Stats()
	}
	b.ReportMetric(float64(st.Requests), "requests/op")
	b.ReportMetric(float64(st.Bytes), "bytes/op")
	b.ReportMetric(100_000/(b.Elapsed().Seconds()/float64(b.N)), "users/s")
}

// BenchmarkPullIncremental: an incremental pull of the same tenant after
// 100 users changed.
func BenchmarkPullIncremental(b *testing.B) {
	srv, url := benchEmulator(b, 100_000, "")
	c := testClientFor(b, url, testTenant)
	prev, st, err := Pull(context.Background(), c, PullOptions{Select: benchSelect})
	mustDo(b, err)
	full := c.Stats()
	ts := srv.Tenant("big")
	ids := ts.UserIDs()
	var inc Stats
	round := 0
	for b.Loop() {
		b.StopTimer()
		for i := range 100 {
			mustDo(b, ts.UpdateUser(ids[(round*100+i*997)%len(ids)], map[string]any{"department": fmt.Sprintf("Dept %d", round)}))
		}
		round++
		b.StartTimer()
		c := testClientFor(b, url, testTenant)
		snap, st2, err := Pull(context.Background(), c, PullOptions{Select: benchSelect, Previous: prev, Delta: &st})
		if err != nil {
			b.Fatal(err)
		}
		if !st2.Incremental {
			b.Fatal("not incremental")
		}
		prev, st, inc = snap, st2, c.Stats()
	}
	b.ReportMetric(float64(inc.Requests), "requests/op")
	b.ReportMetric(float64(inc.Bytes), "bytes/op")
	b.ReportMetric(100*float64(inc.Bytes)/float64(full.Bytes), "%bytes-of-full")
	b.ReportMetric(100*float64(inc.Requests)/float64(full.Requests), "%requests-of-full")
}

// BenchmarkPullThrottled: a full pull of a 100,000-user tenant with 20% of
// requests answered 429 (Retry-After: 1) gives the same snapshot as a clean
// one. Run with -benchtime=1x: every throttled request waits a second.
func BenchmarkPullThrottled(b *testing.B) {
	_, cleanURL := benchEmulator(b, 100_000, "")
	clean, _, err := Pull(context.Background(), testClientFor(b, cleanURL, testTenant), PullOptions{Select: benchSelect})
	mustDo(b, err)
	want, err := EncodeSnapshot(clean)
	mustDo(b, err)
	_, url := benchEmulator(b, 100_000, "429=0.2")
	var st Stats
	for b.Loop() {
		c := testClientFor(b, url, testTenant)
		snap, _, err := Pull(context.Background(), c, PullOptions{Select: benchSelect, Now: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		snap.CapturedAt = clean.CapturedAt
		got, err := EncodeSnapshot(snap)
		mustDo(b, err)
		if string(got) != string(want) {
			b.Fatal("the throttled pull's snapshot differs from the clean one")
		}
		st = c.Stats()
	}
	b.ReportMetric(float64(st.Requests), "requests/op")
	b.ReportMetric(float64(st.Throttled), "throttled/op")
}

// BenchmarkDecodeUserPage: decoding one page of 999 Graph users.
func BenchmarkDecodeUserPage(b *testing.B) {
	s := bigTenant(999)
	var objs []any
	for _, u := range s.Users {
		objs = append(objs, EncodeUser(u))
	}
	page, err := json.Marshal(map[string]any{"value": objs, "@odata.nextLink": "https://graph.microsoft.com/v1.0/users/delta()?$skiptoken=x"})
	mustDo(b, err)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, _, err := DecodeUserPage(page); err != nil {
			b.Fatal(err)
		}
	}
}
