package emulator

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// deltaRound follows nextLinks to the deltaLink and returns every object.
func (e *testEnv) deltaRound(tenant, start string) (objs []map[string]any, deltaLink string, pages int) {
	e.t.Helper()
	next := start
	for {
		body := e.must(200, "GET", tenant, next, nil)
		pages++
		objs = append(objs, values(body)...)
		if n, _ := body["@odata.nextLink"].(string); n != "" {
			if _, has := body["@odata.deltaLink"]; has {
				e.t.Fatal("page with both nextLink and deltaLink")
			}
			next = n
			continue
		}
		d, _ := body["@odata.deltaLink"].(string)
		if d == "" {
			e.t.Fatalf("last page has no deltaLink: %v", body)
		}
		return objs, d, pages
	}
}

func TestUsersDelta(t *testing.T) {
	e := newEnv(t, Options{PageSize: 2})
	objs, link, pages := e.deltaRound(euID, "users/delta()?$select=displayName,department,manager")
	if pages != 2 || len(objs) != 4 {
		t.Fatalf("initial round: %d pages, %d users (%v); want 2 pages, 4 live users", pages, len(objs), ids(objs))
	}
	if objs[0]["manager@delta"] == nil {
		t.Errorf("manager not reported as manager@delta: %v", objs[0])
	}
	// Nothing changed: an empty round.
	objs, link2, _ := e.deltaRound(euID, link)
	if len(objs) != 0 {
		t.Errorf("unchanged round: %v", objs)
	}
	ts := e.s.Tenant("contoso-eu")
	if err := ts.UpdateUser("e1000000-0000-4000-8000-000000000002", map[string]any{"department": "Sales", "jobTitle": "Lead"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.DeleteUser("e1000000-0000-4000-8000-000000000003"); err != nil {
		t.Fatal(err)
	}
	if err := ts.PurgeUser("e1000000-0000-4000-8000-000000000004"); err != nil {
		t.Fatal(err)
	}
	newID, err := ts.AddUser(map[string]any{"id": "e1000000-0000-4000-8000-000000000009", "userPrincipalName": "zoe@contoso.eu", "displayName": "Zoé", "accountEnabled": true, "userType": "Member"})
	if err != nil {
		t.Fatal(err)
	}
	objs, link3, _ := e.deltaRound(euID, link2)
	want := []map[string]any{
		{"id": "e1000000-0000-4000-8000-000000000002", "department": "Sales"}, // only the changed selected property
		{"id": "e1000000-0000-4000-8000-000000000003", "@removed": map[string]any{"reason": "changed"}},
		{"id": "e1000000-0000-4000-8000-000000000004", "@removed": map[string]any{"reason": "deleted"}},
		{"id": newID, "displayName": "Zoé", "department": nil, "manager@delta": []any{}},
	}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("incremental round (-want +got):\n%s", diff)
	}
	// The old link still works (it is a watermark), the new one is empty.
	if objs, _, _ := e.deltaRound(euID, link3); len(objs) != 0 {
		t.Errorf("after the incremental round: %v", objs)
	}
	if objs, _, _ := e.deltaRound(euID, link2); len(objs) != 4 {
		t.Errorf("replaying an old deltaLink: %d objects, want 4", len(objs))
	}
	// Restore: the user comes back whole.
	if err := ts.RestoreUser("e1000000-0000-4000-8000-000000000003"); err != nil {
		t.Fatal(err)
	}
	objs, _, _ = e.deltaRound(euID, link3)
	if len(objs) != 1 || objs[0]["displayName"] != "Chloé Dubois" {
		t.Errorf("restored user: %v", objs)
	}
	// $deltatoken=latest: no objects, a link for changes from now on.
	body := e.must(200, "GET", euID, "users/delta()?$deltatoken=latest", nil)
	if len(values(body)) != 0 || body["@odata.deltaLink"] == nil {
		t.Errorf("latest: %v", body)
	}
	// Another tenant's token, or a bad token.
	if r := e.do("GET", usID, link3, nil); r.Status != 410 && r.Status != 400 {
		t.Errorf("deltaLink of another tenant: %d", r.Status)
	}
	if r := e.do("GET", euID, "users/delta()?$deltatoken=garbage", nil); r.Status != 400 {
		t.Errorf("bad token: %d", r.Status)
	}
}

func TestGroupsDelta(t *testing.T) {
	e := newEnv(t, Options{})
	objs, link, _ := e.deltaRound(euID, "groups/delta()?$select=displayName,members")
	want := []map[string]any{{
		"id": "e2000000-0000-4000-8000-000000000001", "displayName": "GlobalEmployees",
		"members@delta": []any{
			map[string]any{"@odata.type": "#microsoft.graph.user", "id": "e1000000-0000-4000-8000-000000000001"},
			map[string]any{"@odata.type": "#microsoft.graph.user", "id": "e1000000-0000-4000-8000-000000000002"},
			map[string]any{"@odata.type": "#microsoft.graph.user", "id": "e1000000-0000-4000-8000-000000000003"},
		},
	}}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("initial (-want +got):\n%s", diff)
	}
	ts := e.s.Tenant(euID)
	g := "e2000000-0000-4000-8000-000000000001"
	if err := ts.RemoveMember(g, "e1000000-0000-4000-8000-000000000002"); err != nil {
		t.Fatal(err)
	}
	if err := ts.AddMember(g, "e1000000-0000-4000-8000-000000000004"); err != nil {
		t.Fatal(err)
	}
	objs, _, _ = e.deltaRound(euID, link)
	want = []map[string]any{{
		"id": g,
		"members@delta": []any{
			map[string]any{"@odata.type": "#microsoft.graph.user", "id": "e1000000-0000-4000-8000-000000000002", "@removed": map[string]any{"reason": "deleted"}},
			map[string]any{"@odata.type": "#microsoft.graph.user", "id": "e1000000-0000-4000-8000-000000000004"},
		},
	}}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("incremental (-want +got):\n%s", diff)
	}
}

func TestDeltaScopedByID(t *testing.T) {
	e := newEnv(t, Options{PageSize: 1})
	q := "users/delta()?$select=department&$filter=id%20eq%20'e1000000-0000-4000-8000-000000000001'%20or%20id%20eq%20'e1000000-0000-4000-8000-000000000003'"
	objs, link, _ := e.deltaRound(euID, q)
	if diff := cmp.Diff([]string{"e1000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000003"}, ids(objs)); diff != "" {
		t.Errorf("scoped round (-want +got):\n%s", diff)
	}
	ts := e.s.Tenant(euID)
	ts.UpdateUser("e1000000-0000-4000-8000-000000000002", map[string]any{"department": "X"}) // out of scope
	ts.UpdateUser("e1000000-0000-4000-8000-000000000003", map[string]any{"department": "Y"})
	objs, _, _ = e.deltaRound(euID, link)
	if diff := cmp.Diff([]map[string]any{{"id": "e1000000-0000-4000-8000-000000000003", "department": "Y"}}, objs); diff != "" {
		t.Errorf("scoped incremental round (-want +got):\n%s", diff)
	}
	if r := e.do("GET", euID, "users/delta()?$filter=department%20eq%20'Sales'", nil); r.Status != 400 || errCode(r.Body) != "Request_UnsupportedQuery" {
		t.Errorf("filter on a property: %d %v", r.Status, r.Body)
	}
}

func TestGroupDeleted(t *testing.T) {
	e := newEnv(t, Options{})
	_, link, _ := e.deltaRound(euID, "groups/delta()?$select=displayName,members")
	g := "e2000000-0000-4000-8000-000000000001"
	if err := e.s.Tenant(euID).DeleteGroup(g); err != nil {
		t.Fatal(err)
	}
	objs, _, _ := e.deltaRound(euID, link)
	if diff := cmp.Diff([]map[string]any{{"id": g, "@removed": map[string]any{"reason": "deleted"}}}, objs); diff != "" {
		t.Errorf("deleted group (-want +got):\n%s", diff)
	}
	if r := e.do("GET", euID, "groups/"+g, nil); r.Status != 404 {
		t.Errorf("GET deleted group: %d", r.Status)
	}
	if err := e.s.Tenant(euID).DeleteGroup(g); err == nil {
		t.Error("second DeleteGroup succeeded")
	}
}
