package graph

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/xtsync/xtsync/simulate"
)

func TestPullFullThenIncremental(t *testing.T) {
	sel := UserSelect([]string{"department", "alternativeSecurityIds"}) // the test server is loopback
	q := "?$select=" + strings.Join(sel, ",") + "&$top=2"
	f, srv := newFakeGraph(t, nil)
	u := srv.URL + "/v1.0"
	f.replies = map[string][]reply{
		"/v1.0/users/delta()" + q: {{body: `{"value":[
			{"id":"u1","userPrincipalName":"anna@contoso.eu","mail":"anna@contoso.eu","displayName":"Anna","userType":"Member","accountEnabled":true,"department":"Sales","proxyAddresses":["SMTP:anna@contoso.eu"],"jobTitle":null},
			{"id":"u2","userPrincipalName":"ben@contoso.eu","userType":"Member","accountEnabled":false,"manager@delta":[{"@odata.type":"#microsoft.graph.user","id":"u1"}]}],
			"@odata.nextLink":"` + u + `/users/delta()?$skiptoken=p2"}`}},
		"/v1.0/users/delta()?$skiptoken=p2": {{body: `{"value":[
			{"id":"u3","userPrincipalName":"cleo_fabrikam.co.uk#EXT#@contosoeu.onmicrosoft.com","userType":"Guest","accountEnabled":true,"creationType":"Invitation",
			 "identities":[{"signInType":"federated","issuer":"ExternalAzureAD","issuerAssignedId":null}],"alternativeSecurityIds":[{"type":1,"identityProvider":"https://sts.windows.net/x/"}]}],
			"@odata.deltaLink":"` + u + `/users/delta()?$deltatoken=d1"}`}},
		deletedPath(sel, 2): {{body: `{"value":[
			{"id":"u0","userPrincipalName":"old@contoso.eu","accountEnabled":true,"userType":"Member","deletedDateTime":"2026-11-01T00:00:00Z"}]}`}},
		"/v1.0/groups/delta()?$select=id,displayName,securityEnabled,members&$top=2": {{body: `{"value":[
			{"id":"g1","displayName":"GlobalEmployees","securityEnabled":true,"members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u1"}]},
			{"id":"g2","displayName":"Old","securityEnabled":false}],
			"@odata.nextLink":"` + u + `/groups/delta()?$skiptoken=g2"}`}},
		"/v1.0/groups/delta()?$skiptoken=g2": {{body: `{"value":[
			{"id":"g1","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u2"},{"@odata.type":"#microsoft.graph.group","id":"g2"}]}],
			"@odata.deltaLink":"` + u + `/groups/delta()?$deltatoken=gd1"}`}},
		orgPath: {{body: orgOK}},
	}
	c := testClient(t, srv.URL)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	var progress []int
	snap, st, err := Pull(context.Background(), c, PullOptions{Select: []string{"department"}, PageSize: 2, Now: now,
		Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	want := &simulate.Snapshot{
		FormatVersion: 1, TenantID: testTenant, CapturedAt: "2026-11-26T10:00:00Z",
		VerifiedDomains: []string{"contoso.eu", "contosoeu.onmicrosoft.com"},
		Users: []simulate.User{
			{ID: "u0", UserPrincipalName: "old@contoso.eu", UserType: "Member", AccountEnabled: true, Deleted: true},
			{ID: "u1", UserPrincipalName: "anna@contoso.eu", Mail: "anna@contoso.eu", DisplayName: "Anna", UserType: "Member", AccountEnabled: true,
				ProxyAddresses: []string{"SMTP:anna@contoso.eu"}, Attributes: map[string]any{"department": "Sales"}},
			{ID: "u2", UserPrincipalName: "ben@contoso.eu", UserType: "Member", Attributes: map[string]any{"manager": "u1"}},
			{ID: "u3", UserPrincipalName: "cleo_fabrikam.co.uk#EXT#@contosoeu.onmicrosoft.com", UserType: "Guest", AccountEnabled: true,
				AlternativeSecurityIDs: []simulate.AltSecID{{Type: 1, IdentityProvider: "https://sts.windows.net/x/"}}},
		},
		Groups: []simulate.Group{
			{ID: "g1", DisplayName: "GlobalEmployees", SecurityEnabled: true, Members: []string{"g2", "u1", "u2"}},
			{ID: "g2", DisplayName: "Old", Members: []string{}},
		},
	}
	if diff := cmp.Diff(want, snap, snapOpts); diff != "" {
		t.Fatalf("full pull (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 3}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if st.Users != u+"/users/delta()?$deltatoken=d1" || st.Groups != u+"/groups/delta()?$deltatoken=gd1" || st.Incremental {
		t.Errorf("delta state %+v", st)
	}

	// The round trip through the files keeps everything.
	dir := t.TempDir()
	if err := Save(dir, "contoso-eu", snap, st); err != nil {
		t.Fatal(err)
	}
	prev, err := ReadPrevious(dir, "contoso-eu")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snap, prev, snapOpts); diff != "" {
		t.Fatalf("saved snapshot (-want +got):\n%s", diff)
	}
	prevState, err := ReadDeltaState(dir, "contoso-eu")
	if err != nil {
		t.Fatal(err)
	}

	f.mu.Lock()
	f.seen = nil
	f.replies["/v1.0/users/delta()?$deltatoken=d1"] = []reply{{body: `{"value":[
		{"id":"u1","department":"Marketing"},
		{"id":"u2","@removed":{"reason":"changed"}},
		{"id":"u3","@removed":{"reason":"deleted"}},
		{"id":"u4","userPrincipalName":"dan@contoso.eu","userType":"Member","accountEnabled":true,"manager@delta":[{"id":"u1","@removed":{"reason":"deleted"}}]}],
		"@odata.deltaLink":"` + u + `/users/delta()?$deltatoken=d2"}`}}
	f.replies["/v1.0/groups/delta()?$deltatoken=gd1"] = []reply{{body: `{"value":[
		{"id":"g1","members@delta":[{"id":"u2","@removed":{"reason":"deleted"}},{"id":"u4"}]},
		{"id":"g2","@removed":{"reason":"deleted"}}],
		"@odata.deltaLink":"` + u + `/groups/delta()?$deltatoken=gd2"}`}}
	f.mu.Unlock()

	snap2, st2, err := Pull(context.Background(), c, PullOptions{Select: []string{"department"}, PageSize: 2, Now: now, Previous: prev, Delta: prevState})
	if err != nil {
		t.Fatal(err)
	}
	want2 := &simulate.Snapshot{
		FormatVersion: 1, TenantID: testTenant, CapturedAt: "2026-11-26T10:00:00Z",
		VerifiedDomains: []string{"contoso.eu", "contosoeu.onmicrosoft.com"},
		Users: []simulate.User{
			want.Users[0],
			{ID: "u1", UserPrincipalName: "anna@contoso.eu", Mail: "anna@contoso.eu", DisplayName: "Anna", UserType: "Member", AccountEnabled: true,
				ProxyAddresses: []string{"SMTP:anna@contoso.eu"}, Attributes: map[string]any{"department": "Marketing"}},
			{ID: "u2", UserPrincipalName: "ben@contoso.eu", UserType: "Member", Attributes: map[string]any{"manager": "u1"}, Deleted: true},
			{ID: "u4", UserPrincipalName: "dan@contoso.eu", UserType: "Member", AccountEnabled: true},
		},
		Groups: []simulate.Group{{ID: "g1", DisplayName: "GlobalEmployees", SecurityEnabled: true, Members: []string{"g2", "u1", "u4"}}},
	}
	if diff := cmp.Diff(want2, snap2, snapOpts); diff != "" {
		t.Fatalf("incremental pull (-want +got):\n%s", diff)
	}
	if !st2.Incremental || st2.Users != u+"/users/delta()?$deltatoken=d2" {
		t.Errorf("delta state %+v", st2)
	}
	// The fake has no $batch: the pull falls back to one request each.
	if diff := cmp.Diff([]string{"/v1.0/$batch", "/v1.0/users/delta()?$deltatoken=d1", "/v1.0/groups/delta()?$deltatoken=gd1", orgPath}, f.seen); diff != "" {
		t.Errorf("incremental requests (-want +got):\n%s", diff)
	}
	// The previous snapshot was not modified by the merge.
	if diff := cmp.Diff(snap, prev, snapOpts); diff != "" {
		t.Errorf("previous snapshot mutated (-want +got):\n%s", diff)
	}

	// A changed $select forces a full pull.
	f.mu.Lock()
	f.seen = nil
	f.mu.Unlock()
	if _, _, err := Pull(context.Background(), c, PullOptions{Select: []string{"department", "city"}, PageSize: 2, Previous: prev, Delta: prevState}); err == nil {
		t.Fatal("pull with a new $select: want the fake's 404 for the full query")
	} else if !IsNotFound(err) {
		t.Fatalf("error %v, want 404 from the full pull", err)
	}
}

func TestPullExpiredDeltaFallsBackToFull(t *testing.T) {
	sel := UserSelect([]string{"alternativeSecurityIds"})
	q := "?$select=" + strings.Join(sel, ",") + "&$top=999"
	f, srv := newFakeGraph(t, nil)
	u := srv.URL + "/v1.0"
	f.replies = map[string][]reply{
		"/v1.0/users/delta()?$deltatoken=old": {graphError(410, "resyncRequired", "Resync required.", "r")},
		"/v1.0/users/delta()" + q:             {{body: `{"value":[{"id":"u1","userPrincipalName":"a@b.c","accountEnabled":true}],"@odata.deltaLink":"` + u + `/users/delta()?$deltatoken=new"}`}},
		deletedPath(sel, 999):                 {{body: `{"value":[]}`}},
		"/v1.0/groups/delta()?$select=id,displayName,securityEnabled,members&$top=999": {{body: `{"value":[],"@odata.deltaLink":"` + u + `/groups/delta()?$deltatoken=g"}`}},
		orgPath: {{body: orgOK}},
	}
	c := testClient(t, srv.URL)
	prev := &simulate.Snapshot{FormatVersion: 1, TenantID: testTenant, Users: []simulate.User{{ID: "gone"}}}
	st := &DeltaState{FormatVersion: 1, TenantID: testTenant, Select: sel, Users: u + "/users/delta()?$deltatoken=old", Groups: u + "/groups/delta()?$deltatoken=g"}
	snap, st2, err := Pull(context.Background(), c, PullOptions{Previous: prev, Delta: st})
	if err != nil {
		t.Fatal(err)
	}
	if st2.Incremental || len(snap.Users) != 1 || snap.Users[0].ID != "u1" {
		t.Fatalf("got incremental=%v users %+v, want a full pull with u1", st2.Incremental, snap.Users)
	}
}

func TestPullFailsWholly(t *testing.T) {
	sel := UserSelect([]string{"alternativeSecurityIds"})
	q := "?$select=" + strings.Join(sel, ",") + "&$top=999"
	f, srv := newFakeGraph(t, nil)
	u := srv.URL + "/v1.0"
	f.replies = map[string][]reply{
		"/v1.0/users/delta()" + q:          {{body: `{"value":[{"id":"u1"}],"@odata.nextLink":"` + u + `/users/delta()?$skiptoken=2"}`}},
		"/v1.0/users/delta()?$skiptoken=2": {{body: `{"value":[{"id":"u2","accountEnabled":"yes"}]}`}},
	}
	snap, _, err := Pull(context.Background(), testClient(t, srv.URL), PullOptions{})
	if err == nil || snap != nil {
		t.Fatalf("Pull = %v, %v; want no snapshot and an error", snap, err)
	}
	if !strings.Contains(err.Error(), "accountEnabled") || !strings.Contains(err.Error(), testTenant) {
		t.Errorf("error %q should name the tenant and the property", err)
	}
}

func TestApplyUserNullClearsAbsentKeeps(t *testing.T) {
	u := simulate.User{ID: "u1", Mail: "a@b.c", DisplayName: "A", Attributes: map[string]any{"department": "Sales", "city": "Oslo"}}
	obj := map[string]json.RawMessage{"id": json.RawMessage(`"u1"`), "mail": json.RawMessage(`null`), "department": json.RawMessage(`null`), "employeeType": json.RawMessage(`"Employee"`), "@odata.type": json.RawMessage(`"#microsoft.graph.user"`)}
	if err := ApplyUser(&u, obj); err != nil {
		t.Fatal(err)
	}
	want := simulate.User{ID: "u1", DisplayName: "A", Attributes: map[string]any{"city": "Oslo", "employeeType": "Employee"}}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUserSelect(t *testing.T) {
	got := UserSelect([]string{"department", "mail", ""})
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("UserSelect not sorted and unique: %v", got)
		}
	}
	for _, want := range []string{"department", "id", "accountEnabled", "userPrincipalName", "proxyAddresses"} {
		found := false
		for _, s := range got {
			found = found || s == want
		}
		if !found {
			t.Errorf("UserSelect lacks %q: %v", want, got)
		}
	}
}

func deletedPath(sel []string, top int) string {
	return "/v1.0/directory/deletedItems/microsoft.graph.user?$select=" + strings.Join(sel, ",") + "&$top=" + strconv.Itoa(top)
}

func TestApplyUserDerivesAltSecIDs(t *testing.T) {
	tests := []struct {
		name string
		obj  string
		keep map[string]bool
		want simulate.User
	}{
		{"federated identity", `{"id":"u","identities":[{"signInType":"federated","issuer":"ExternalAzureAD"},{"signInType":"userPrincipalName","issuer":"t.onmicrosoft.com"}],"creationType":null}`, nil,
			simulate.User{ID: "u", AlternativeSecurityIDs: []simulate.AltSecID{{Type: 1, IdentityProvider: "ExternalAzureAD"}}}},
		{"invited, identities not given", `{"id":"u","creationType":"Invitation","externalUserState":"PendingAcceptance"}`, nil,
			simulate.User{ID: "u", AlternativeSecurityIDs: []simulate.AltSecID{{Type: 1, IdentityProvider: "ExternalAzureAD"}}}},
		{"internal member", `{"id":"u","identities":[{"signInType":"userPrincipalName","issuer":"t.onmicrosoft.com"}],"creationType":null,"externalUserState":null}`, nil,
			simulate.User{ID: "u"}},
		{"served ids win", `{"id":"u","creationType":"Invitation","alternativeSecurityIds":[]}`, nil,
			simulate.User{ID: "u"}},
		{"a configuration uses creationType", `{"id":"u","creationType":"Invitation"}`, map[string]bool{"creationType": true},
			simulate.User{ID: "u", AlternativeSecurityIDs: []simulate.AltSecID{{Type: 1, IdentityProvider: "ExternalAzureAD"}}, Attributes: map[string]any{"creationType": "Invitation"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.obj), &obj); err != nil {
				t.Fatal(err)
			}
			var got simulate.User
			if err := applyUser(&got, obj, tt.keep); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// snapOpts compares snapshots by their exported fields.
var snapOpts = cmp.Options{cmpopts.IgnoreUnexported(simulate.Snapshot{}), cmpopts.EquateEmpty()}
