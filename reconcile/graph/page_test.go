package graph

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/xtsync/xtsync/simulate"
)

// FuzzDecodeUserPage checks the page decoder: it never panics, and what it
// decodes survives a round trip through the Graph wire form (EncodeUser)
// unchanged.
func FuzzDecodeUserPage(f *testing.F) {
	for _, seed := range []string{
		`{"value":[]}`,
		`{"value":[{"id":"u1","userPrincipalName":"a@b.c","accountEnabled":true,"department":"Sales","businessPhones":["+1 555"],"employeeHireDate":null}],"@odata.nextLink":"https://x/y"}`,
		`{"value":[{"id":"u2","@removed":{"reason":"changed"}},{"id":"u3","manager@delta":[{"id":"u1"}],"extension_abc_costCenter":42,"ratio":1.5}],"@odata.deltaLink":"https://x/d"}`,
		`{"value":[{"id":"u4","identities":[{"signInType":"userPrincipalName","issuer":"contoso.eu"}],"alternativeSecurityIds":[{"type":1,"identityProvider":"p","key":"a2V5"}],"proxyAddresses":[]}]}`,
		`{"value":[{"id":"u5","manager":{"id":"u1"},"mail":null,"userType":"Guest"}]}`,
		`{"value":[null]}`,
		`{"value":[{"id":""}]}`,
		`[]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		users, removed, err := DecodeUserPage(b)
		if err != nil {
			return
		}
		page := map[string]any{"value": []any{}}
		var objs []any
		for _, u := range users {
			if u.ID == "" {
				t.Fatalf("decoded a user without an id from %q", b)
			}
			objs = append(objs, EncodeUser(u))
		}
		for id, reason := range removed {
			objs = append(objs, map[string]any{"id": id, "@removed": map[string]string{"reason": reason}})
		}
		if objs != nil {
			page["value"] = objs
		}
		wire, err := json.Marshal(page)
		if err != nil {
			t.Fatalf("encode %+v: %v", users, err)
		}
		users2, removed2, err := DecodeUserPage(wire)
		if err != nil {
			t.Fatalf("re-decode %s: %v", wire, err)
		}
		opts := cmpopts.EquateEmpty()
		if diff := cmp.Diff(users, users2, opts); diff != "" {
			t.Errorf("users changed in a round trip (-first +second):\n%s\nwire: %s", diff, wire)
		}
		if diff := cmp.Diff(removed, removed2, opts); diff != "" {
			t.Errorf("removals changed in a round trip (-first +second):\n%s", diff)
		}
	})
}

func TestDecodePageErrors(t *testing.T) {
	for _, in := range []string{`{`, `{"value":[null]}`, `{"value":{}}`, `{"value":[{"id":5}]}`, `{"value":[{"id":"u","accountEnabled":"x"}]}`, `{"value":[{"id":"u","@removed":"x"}]}`} {
		if _, _, err := DecodeUserPage([]byte(in)); err == nil {
			t.Errorf("DecodeUserPage(%s): want an error", in)
		}
	}
}

func TestLink(t *testing.T) {
	const eu, us, uk = "eu000000-0000-0000-0000-000000000000", "us000000-0000-0000-0000-000000000000", "uk000000-0000-0000-0000-000000000000"
	f := false
	snaps := map[string]*simulate.Snapshot{
		"contoso-eu": {TenantID: eu, Users: []simulate.User{
			{ID: "s1", UserPrincipalName: "anna@contoso.eu"},
			{ID: "s2", UserPrincipalName: "ben@contoso.eu"},
			{ID: "s3", UserPrincipalName: "Cleo@Contoso.eu"},
		}},
		"fabrikam-uk": {TenantID: uk, Users: []simulate.User{{ID: "k1", UserPrincipalName: "dora@fabrikam.co.uk"}}},
		"contoso-us": {TenantID: us, Users: []simulate.User{
			{ID: "t1", UserPrincipalName: "anna_contoso.eu#EXT#@contosous.onmicrosoft.com"},                    // logs: created by eu-to-us
			{ID: "t2", UserPrincipalName: "ben_contoso.eu#EXT#@contosous.onmicrosoft.com", Deleted: true},      // logs: deleted by the sync
			{ID: "t3", UserPrincipalName: "cleo_contoso.eu#EXT#@contosous.onmicrosoft.com"},                    // no logs: ext-upn
			{ID: "t4", UserPrincipalName: "dora_fabrikam.co.uk#EXT#@contosous.onmicrosoft.com", Deleted: true}, // created, deleted by an admin
			{ID: "t5", UserPrincipalName: "zed_nowhere.com#EXT#@contosous.onmicrosoft.com"},                    // no source user anywhere
			{ID: "t6", UserPrincipalName: "kept_x.com#EXT#@contosous.onmicrosoft.com", Source: &simulate.SourceLink{TenantID: eu, UserID: "old", Config: "eu-to-us", LinkSource: LinkProvisioningLogs}},
			{ID: "t7", UserPrincipalName: "local@contoso.us"},
		}},
	}
	entries := []ProvisioningEntry{
		{Time: "2026-11-01T00:00:00Z", Action: "create", Status: "success", Config: "eu-to-us", SourceTenantID: eu, SourceUserID: "s1", TargetUserID: "t1"},
		{Time: "2026-11-01T00:00:00Z", Action: "create", Status: "success", Config: "eu-to-us", SourceTenantID: eu, SourceUserID: "s2", TargetUserID: "t2"},
		{Time: "2026-11-02T00:00:00Z", Action: "delete", Status: "success", Config: "eu-to-us", SourceTenantID: eu, SourceUserID: "s2", TargetUserID: "t2"},
		{Time: "2026-11-03T00:00:00Z", Action: "create", Status: "failure", Config: "eu-to-us", SourceTenantID: eu, SourceUserID: "s3", TargetUserID: "t3"},
		{Time: "2026-11-01T00:00:00Z", Action: "create", Status: "success", Config: "uk-to-us", SourceTenantID: uk, SourceUserID: "k1", TargetUserID: "t4"},
	}
	Link(snaps, entries)
	got := map[string]*simulate.SourceLink{}
	for _, u := range snaps["contoso-us"].Users {
		got[u.ID] = u.Source
	}
	want := map[string]*simulate.SourceLink{
		"t1": {TenantID: eu, UserID: "s1", Config: "eu-to-us", LinkSource: LinkProvisioningLogs},
		"t2": {TenantID: eu, UserID: "s2", Config: "eu-to-us", LinkSource: LinkProvisioningLogs},
		"t3": {TenantID: eu, UserID: "s3", LinkSource: LinkExtUPN},
		"t4": {TenantID: uk, UserID: "k1", Config: "uk-to-us", LinkSource: LinkProvisioningLogs, DeletedBySync: &f},
		"t5": nil,
		"t6": {TenantID: eu, UserID: "old", Config: "eu-to-us", LinkSource: LinkProvisioningLogs},
		"t7": nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	for _, u := range snaps["contoso-eu"].Users {
		if u.Source != nil {
			t.Errorf("source user %s got a link", u.ID)
		}
	}
}

func TestSourceUPNFromExt(t *testing.T) {
	tests := map[string]string{
		"anna_contoso.eu#EXT#@contosous.onmicrosoft.com": "anna@contoso.eu",
		"first_last_contoso.eu#EXT#@t.onmicrosoft.com":   "first_last@contoso.eu",
		"anna@contoso.eu":     "",
		"#EXT#@t":             "",
		"nounderscore#EXT#@t": "",
		"trailing_#EXT#@t":    "",
	}
	for in, want := range tests {
		got, ok := sourceUPNFromExt(in)
		if got != want || ok != (want != "") {
			t.Errorf("sourceUPNFromExt(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
