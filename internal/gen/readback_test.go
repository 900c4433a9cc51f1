package gen

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/simulate"
)

// TestReadBack: the simulator reads every generated snapshot without an
// error, with every user and group and the properties as generated, and its
// own writer (which sorts) round-trips what it read. gen streams its own
// JSON rather than build a simulate.Snapshot of a million users for
// simulate.WriteSnapshot; this test keeps the two formats one.
func TestReadBack(t *testing.T) {
	out, err := Generate(Options{Tenants: 4, Users: 6000, Groups: 40, Configs: 12, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Snapshots {
		var buf bytes.Buffer
		if _, err := s.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		snap, err := simulate.ReadSnapshot(bytes.NewReader(buf.Bytes()), SnapshotPath(s.Tenant, false))
		if err != nil {
			t.Fatalf("simulate.ReadSnapshot: %v", err)
		}
		tn := &s.g.tenants[s.ti]
		if snap.TenantID != tn.id || snap.CapturedAt != CapturedAt || len(snap.VerifiedDomains) != 3 {
			t.Errorf("%s: header %q %q %v", s.Tenant, snap.TenantID, snap.CapturedAt, snap.VerifiedDomains)
		}
		if len(snap.Users) != s.Users() || len(snap.Groups) != len(tn.groups) {
			t.Errorf("%s: read %d users, %d groups; want %d, %d", s.Tenant, len(snap.Users), len(snap.Groups), s.Users(), len(tn.groups))
		}
		var linked, unmanaged, deleted, altSec int
		for _, u := range snap.Users {
			if u.Source != nil {
				linked++
				if u.Source.Config == "" {
					unmanaged++
				}
			}
			if u.Deleted {
				deleted++
			}
			if len(u.AlternativeSecurityIDs) > 0 {
				altSec++
			}
		}
		if linked == 0 || unmanaged == 0 || deleted == 0 || altSec == 0 {
			t.Errorf("%s: %d linked, %d unmanaged, %d deleted, %d with alternative security ids: want some of each", s.Tenant, linked, unmanaged, deleted, altSec)
		}
		u := snap.Users[0]
		if u.ID != s.g.uuid(kUser, uint64(s.ti), 0, 0) || u.UserPrincipalName == "" || snap.Attr(0, "department") == nil {
			t.Errorf("%s: first user read as %+v", s.Tenant, u)
		}

		var again bytes.Buffer
		if err := simulate.WriteSnapshot(&again, snap); err != nil {
			t.Fatal(err)
		}
		snap2, err := simulate.ReadSnapshot(&again, "again")
		if err != nil {
			t.Fatalf("simulate.ReadSnapshot of simulate.WriteSnapshot: %v", err)
		}
		byID := map[string]simulate.User{}
		for _, u := range snap2.Users {
			byID[u.ID] = u
		}
		for _, u := range snap.Users {
			if diff := cmp.Diff(u, byID[u.ID]); diff != "" {
				t.Fatalf("%s: user %s differs after WriteSnapshot (-read +reread):\n%s", s.Tenant, u.ID, diff)
			}
		}
	}
}
