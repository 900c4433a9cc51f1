package emulator

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xtsync/xtsync/simulate"
)

// bigServer is an in-memory emulator with one tenant of n users in 10 groups.
func bigServer(b *testing.B, n int) *Server {
	b.Helper()
	snap := &simulate.Snapshot{FormatVersion: 1, TenantID: euID}
	groups := make([]simulate.Group, 10)
	for g := range groups {
		groups[g] = simulate.Group{ID: fmt.Sprintf("e2000000-0000-4000-8000-%012d", g), DisplayName: fmt.Sprintf("G%d", g), SecurityEnabled: true}
	}
	for i := range n {
		id := fmt.Sprintf("e1000000-0000-4000-8000-%012d", i)
		snap.Users = append(snap.Users, simulate.User{ID: id, UserPrincipalName: fmt.Sprintf("u%d@contoso.eu", i), DisplayName: fmt.Sprintf("User %d", i),
			UserType: "Member", AccountEnabled: true, Attributes: map[string]any{"department": "Sales", "jobTitle": "Engineer"}})
		groups[i%10].Members = append(groups[i%10].Members, id)
	}
	snap.Groups = groups
	s, err := New(Options{PageSize: 999})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.LoadSnapshots(map[string]*simulate.Snapshot{"big": snap}); err != nil {
		b.Fatal(err)
	}
	return s
}

// walk follows a collection's nextLinks through the handler; it returns
// the number of objects.
func walk(b *testing.B, s *Server, path string) int {
	h := s.Handler()
	tok := "Bearer " + Token(euID, nil)
	n := 0
	next := "http://127.0.0.1/v1.0/" + path
	for next != "" {
		req := httptest.NewRequest("GET", next, nil)
		req.Header.Set("Authorization", tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", next, rec.Code, rec.Body)
		}
		var page struct {
			Value []json.RawMessage `json:"value"`
			Next  string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			b.Fatal(err)
		}
		n += len(page.Value)
		next = page.Next
	}
	return n
}

// benchWalk pages through path on a 10,000-user emulator; want is the
// number of objects of a round.
func benchWalk(b *testing.B, path string, want int) *Server {
	s := bigServer(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		if n := walk(b, s, path); n != want {
			b.Fatalf("%s: %d objects, want %d", path, n, want)
		}
	}
	b.ReportMetric(float64(s.Requests().Bytes)/float64(b.N), "bytes/round")
	return s
}

// BenchmarkUsersList pages through 10,000 users with $select (what a
// reconciler's lookups cost).
func BenchmarkUsersList(b *testing.B) {
	benchWalk(b, "users?$select=id,displayName,department&$top=999", 10000)
}

// BenchmarkUsersDelta runs a full users delta round over 10,000 users
// (what a first snapshot pull costs the emulator).
func BenchmarkUsersDelta(b *testing.B) {
	benchWalk(b, "users/delta()?$select=id,userPrincipalName,department,manager&$top=999", 10000)
}

// BenchmarkGroupsDelta runs a full groups delta round (10 groups of 1,000
// members).
func BenchmarkGroupsDelta(b *testing.B) {
	benchWalk(b, "groups/delta()?$select=id,displayName,members", 10)
}

// BenchmarkWrite measures one persisted mutation (PATCH of a partner) with
// a state of 10,000 users on disk: every change rewrites state.json.
func BenchmarkWrite(b *testing.B) {
	s := bigServer(b, 10000)
	s.opts.StateDir = b.TempDir()
	h := s.Handler()
	tok := "Bearer " + Token(euID, nil)
	req := httptest.NewRequest("POST", "http://127.0.0.1/v1.0/policies/crossTenantAccessPolicy/partners", strings.NewReader(`{"tenantId":"`+usID+`"}`))
	req.Header.Set("Authorization", tok)
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest("PATCH", "http://127.0.0.1/v1.0/policies/crossTenantAccessPolicy/partners/"+usID,
			strings.NewReader(fmt.Sprintf(`{"automaticUserConsentSettings":{"inboundAllowed":%v}}`, i%2 == 0)))
		req.Header.Set("Authorization", tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 204 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkLoadSnapshots seeds a tenant of 50,000 users given in random
// id order.
func BenchmarkLoadSnapshots(b *testing.B) {
	snap := &simulate.Snapshot{FormatVersion: 1, TenantID: euID}
	for i := range 50000 {
		snap.Users = append(snap.Users, simulate.User{ID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", (i*2654435761)%(1<<32)), UserPrincipalName: fmt.Sprintf("u%d@contoso.eu", i), UserType: "Member", AccountEnabled: true})
	}
	for b.Loop() {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.LoadSnapshots(map[string]*simulate.Snapshot{"big": snap}); err != nil {
			b.Fatal(err)
		}
	}
}
