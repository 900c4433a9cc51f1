package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUsersList(t *testing.T) {
	e := newEnv(t, Options{})
	body := e.must(200, "GET", euID, "users", nil)
	if got, want := body["@odata.context"], e.base+"/v1.0/$metadata#users"; got != want {
		t.Errorf("@odata.context = %v, want %v", got, want)
	}
	got := ids(values(body))
	want := []string{"e1000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000002", "e1000000-0000-4000-8000-000000000003", "e1000000-0000-4000-8000-000000000004"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	// Without $select, Graph's default property set.
	first := values(body)[0]
	wantFirst := map[string]any{"id": "e1000000-0000-4000-8000-000000000001", "businessPhones": []any{}, "displayName": "Anna Berg", "givenName": nil,
		"jobTitle": "Account Manager", "mail": "anna@contoso.eu", "mobilePhone": nil, "officeLocation": nil, "preferredLanguage": nil, "surname": nil, "userPrincipalName": "anna@contoso.eu"}
	if diff := cmp.Diff(wantFirst, first); diff != "" {
		t.Errorf("default user properties (-want +got):\n%s", diff)
	}
}

func TestUsersQuery(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, query string
		want        []string
	}{
		{"id eq", "$filter=id eq 'e1000000-0000-4000-8000-000000000002'", []string{"e1000000-0000-4000-8000-000000000002"}},
		{"startswith", "$filter=startswith(userPrincipalName,'CH')", []string{"e1000000-0000-4000-8000-000000000003"}},
		{"bool", "$filter=accountEnabled eq false", []string{"e1000000-0000-4000-8000-000000000004"}},
		{"and/or", "$filter=department eq 'Sales' and (employeeType eq 'Employee' or id eq 'x')", []string{"e1000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000003"}},
		{"in", "$filter=id in ('e1000000-0000-4000-8000-000000000004','nope')", []string{"e1000000-0000-4000-8000-000000000004"}},
		{"userType", "$filter=userType eq 'Guest'", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(values(e.must(200, "GET", euID, "users?"+strings.ReplaceAll(tt.query, " ", "%20"), nil)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// Guests of the target.
	got := ids(values(e.must(200, "GET", usID, "users?$filter=userType%20eq%20'Guest'", nil)))
	if diff := cmp.Diff([]string{"a1000000-0000-4000-8000-000000000004"}, got); diff != "" {
		t.Errorf("guests (-want +got):\n%s", diff)
	}
	// $select returns exactly the selected properties (plus id).
	u := values(e.must(200, "GET", euID, "users?$select=displayName,employeeType&$top=1", nil))[0]
	if diff := cmp.Diff(map[string]any{"id": "e1000000-0000-4000-8000-000000000001", "displayName": "Anna Berg", "employeeType": "Employee"}, u); diff != "" {
		t.Errorf("$select (-want +got):\n%s", diff)
	}
	for _, bad := range []struct{ q, code string }{
		{"$filter=endswith(mail,'.eu')", "Request_UnsupportedQuery"},
		{"$filter=id eq", "BadRequest"},
		{"$filter=id eq 'unterminated", "BadRequest"},
		{"$orderby=displayName", "Request_UnsupportedQuery"},
		{"$top=0", "BadRequest"},
	} {
		r := e.do("GET", euID, "users?"+strings.ReplaceAll(bad.q, " ", "%20"), nil)
		if r.Status != 400 || errCode(r.Body) != bad.code {
			t.Errorf("%s: %d %s, want 400 %s", bad.q, r.Status, errCode(r.Body), bad.code)
		}
	}
}

func TestUsersPaging(t *testing.T) {
	e := newEnv(t, Options{PageSize: 3})
	var got []string
	next := "users?$select=id"
	pages := 0
	for next != "" {
		body := e.must(200, "GET", euID, next, nil)
		got = append(got, ids(values(body))...)
		next, _ = body["@odata.nextLink"].(string)
		pages++
	}
	if pages != 2 || len(got) != 4 {
		t.Errorf("pages %d, users %v; want 2 pages of 4 users", pages, got)
	}
}

func TestUserAndGroupObjects(t *testing.T) {
	e := newEnv(t, Options{})
	u := e.must(200, "GET", euID, "users/anna@contoso.eu?$select=department", nil)
	if u["department"] != "Sales" || u["id"] != "e1000000-0000-4000-8000-000000000001" {
		t.Errorf("user by UPN: %v", u)
	}
	r := e.do("GET", euID, "users/e1000000-0000-4000-8000-000000000005", nil) // soft-deleted
	if r.Status != 404 || errCode(r.Body) != "Request_ResourceNotFound" {
		t.Errorf("deleted user: %d %v", r.Status, r.Body)
	}
	del := ids(values(e.must(200, "GET", euID, "directory/deletedItems/microsoft.graph.user", nil)))
	if diff := cmp.Diff([]string{"e1000000-0000-4000-8000-000000000005"}, del); diff != "" {
		t.Errorf("deleted items (-want +got):\n%s", diff)
	}
	m := e.must(200, "GET", euID, "users/e1000000-0000-4000-8000-000000000001/manager?$select=id,displayName", nil)
	if m["id"] != "e1000000-0000-4000-8000-000000000003" {
		t.Errorf("manager: %v", m)
	}
	g := e.must(200, "GET", euID, "groups/e2000000-0000-4000-8000-000000000001", nil)
	if g["displayName"] != "GlobalEmployees" || g["securityEnabled"] != true {
		t.Errorf("group: %v", g)
	}
	gs := ids(values(e.must(200, "GET", euID, "groups?$filter=displayName%20eq%20'globalemployees'", nil)))
	if diff := cmp.Diff([]string{"e2000000-0000-4000-8000-000000000001"}, gs); diff != "" {
		t.Errorf("groups by name (-want +got):\n%s", diff)
	}
	members := values(e.must(200, "GET", euID, "groups/e2000000-0000-4000-8000-000000000001/members?$select=id", nil))
	if len(members) != 3 || members[0]["@odata.type"] != "#microsoft.graph.user" {
		t.Errorf("members: %v", members)
	}
	org := values(e.must(200, "GET", usID, "organization?$select=id,verifiedDomains", nil))
	if len(org) != 1 || org[0]["id"] != usID || len(org[0]["verifiedDomains"].([]any)) != 2 {
		t.Errorf("organization: %v", org)
	}
	r = e.do("GET", euID, "groups/nope", nil)
	if r.Status != 404 {
		t.Errorf("unknown group: %d", r.Status)
	}
	r = e.do("GET", euID, "nothing/here", nil)
	if r.Status != 400 || errCode(r.Body) != "BadRequest" {
		t.Errorf("unknown segment: %d %v", r.Status, r.Body)
	}
	r = e.do("DELETE", euID, "groups", nil)
	if r.Status != 405 {
		t.Errorf("wrong method: %d %v", r.Status, r.Body)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, token, path string
		status            int
		code              string
	}{
		{"no token", "", "users", 401, "InvalidAuthenticationToken"},
		{"garbage", "token:abc", "users", 401, "InvalidAuthenticationToken"},
		{"no tid", "token:" + "eyJhbGciOiJub25lIn0.eyJyb2xlcyI6W119.", "users", 401, "InvalidAuthenticationToken"},
		{"no role", "token:" + Token(euID, []string{}), "users", 403, "Authorization_RequestDenied"},
		{"wrong role", "token:" + Token(euID, []string{"Group.Read.All"}), "users", 403, "Authorization_RequestDenied"},
		{"read role", "token:" + Token(euID, []string{"User.Read.All"}), "users", 200, ""},
		{"readwrite implies read", "token:" + Token(euID, []string{"User.ReadWrite.All"}), "users", 200, ""},
		{"directory implies", "token:" + Token(euID, []string{"Directory.Read.All"}), "groups", 200, ""},
		{"member read", "token:" + Token(euID, []string{"GroupMember.Read.All"}), "groups/e2000000-0000-4000-8000-000000000001/members", 200, ""},
		{"policy read", "token:" + Token(euID, []string{"Policy.Read.All"}), "policies/crossTenantAccessPolicy/partners", 200, ""},
		{"policy write denied", "token:" + Token(euID, []string{"Policy.Read.All"}), "POST policies/crossTenantAccessPolicy/partners", 403, "Authorization_RequestDenied"},
		{"audit", "token:" + Token(euID, []string{"User.Read.All"}), "auditLogs/provisioning", 403, "Authorization_RequestDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := "GET", tt.path
			var body any
			if m, p, found := strings.Cut(path, " "); found {
				method, path, body = m, p, map[string]any{"tenantId": ukID}
			}
			r := e.do(method, tt.token, path, body)
			if r.Status != tt.status || errCode(r.Body) != tt.code {
				t.Fatalf("%d %q, want %d %q: %v", r.Status, errCode(r.Body), tt.status, tt.code, r.Body)
			}
			if r.Header.Get("request-id") == "" {
				t.Error("no request-id header")
			}
			if tt.status >= 400 {
				inner, _ := r.Body["error"].(map[string]any)["innerError"].(map[string]any)
				if inner["request-id"] != r.Header.Get("request-id") || inner["date"] == nil {
					t.Errorf("innerError: %v", inner)
				}
			}
		})
	}
	if r := e.do("GET", "", "users", nil); r.Header.Get("Www-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	_ = http.StatusOK
}

func TestFilterLambda(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
	}{
		{"tags/any(t:t eq 'xtsync')", true},
		{"tags/any(t:t eq 'other')", false},
		{"tags/any(t: startswith(t, 'xt'))", true},
		{"identities/any(i:i/issuer eq 'contoso.eu' and i/signInType eq 'federated')", true},
		{"identities/any(i:i/issuer eq 'contoso.eu' and i/signInType eq 'userPrincipalName')", false},
		{"missing/any(x:x eq 1)", false},
		{"not tags/any(t:t eq 'xtsync')", false},
	}
	obj := map[string]any{"tags": []any{"WindowsAzureActiveDirectoryIntegratedApp", "xtsync"},
		"identities": []any{map[string]any{"signInType": "federated", "issuer": "contoso.eu"}}}
	for _, tt := range tests {
		f, err := parseFilter(tt.filter)
		if err != nil {
			t.Errorf("%s: %v", tt.filter, err)
			continue
		}
		if got := f.eval(obj); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.filter, got, tt.want)
		}
	}
	for _, bad := range []string{"tags/any(t)", "tags/any(t:)", "tags/any(:t eq 1)", "tags/all(t:t eq 'x')"} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}
