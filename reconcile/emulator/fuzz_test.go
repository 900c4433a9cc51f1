package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzFilter: parsing never panics; a parsed filter evaluates without
// panicking; "not (F)" is F's negation and "(F)" is F.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"id eq 'x'", "startswith(userPrincipalName,'an')", "userType eq 'Guest' and accountEnabled eq true",
		"not (a eq 1) or b in ('x','y')", "servicePrincipal/id eq 'x'", "activityDateTime ge 2026-11-26T10:00:00Z",
		"a eq 'it''s'", "((a eq null))", "tags/any(t:t eq 'x')", "ids/any(i:i/k eq 1 or startswith(i/n,'a'))", "x gt 3.5e2", "endswith(mail,'x')", "a eq", "'",
	} {
		f.Add(s)
	}
	objs := []map[string]any{
		{"id": "x", "userPrincipalName": "anna@contoso.eu", "userType": "Guest", "accountEnabled": true, "a": 1.0, "b": "y", "x": 400.0,
			"servicePrincipal": map[string]any{"id": "x"}, "activityDateTime": "2026-11-27T00:00:00Z", "mail": []any{"x", nil}},
		{},
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			if _, isFE := err.(*filterError); !isFE {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		neg, err := parseFilter("not (" + s + ")")
		if err != nil {
			t.Fatalf("%q parses but not (%q) does not: %v", s, s, err)
		}
		par, err := parseFilter("(" + s + ")")
		if err != nil {
			t.Fatalf("%q parses but (%q) does not: %v", s, s, err)
		}
		for _, o := range objs {
			v := flt.eval(o)
			if neg.eval(o) == v {
				t.Errorf("not (%q) = %v on %v, same as the filter", s, v, o)
			}
			if par.eval(o) != v {
				t.Errorf("(%q) differs from %q on %v", s, s, o)
			}
		}
	})
}

// FuzzParseFaults: a spec that parses prints as a spec that parses to the
// same faults.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"429=0.2,503=0.05,504=0.01,latency=50ms,drop=0.01", "retry-after=2", "", "500=1", "drop=0.5,502=0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseFaults(s)
		if err != nil {
			return
		}
		again, err := ParseFaults(spec.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, spec.String(), err)
		}
		if !cmp.Equal(spec, again, cmp.Comparer(func(a, b map[int]float64) bool { return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b)) })) {
			t.Errorf("%q -> %q -> %+v, want %+v", s, spec.String(), again, spec)
		}
	})
}

// FuzzRequest sends arbitrary requests to a seeded emulator: it never
// panics, answers with a valid status, and every error is Graph's JSON
// envelope with a code.
func FuzzRequest(f *testing.F) {
	f.Add("GET", "/v1.0/users", "$select=id&$top=2", "")
	f.Add("GET", "/v1.0/users/delta()", "$deltatoken=eyJrIjoidXNlcnMifQ", "")
	f.Add("GET", "/v1.0/groups/delta", "$skiptoken=%%%", "")
	f.Add("POST", "/v1.0/$batch", "", `{"requests":[{"id":"1","method":"GET","url":"/users","dependsOn":["1"]}]}`)
	f.Add("POST", "/v1.0/policies/crossTenantAccessPolicy/partners", "", `{"tenantId":"3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"}`)
	f.Add("PATCH", "/v1.0/policies/crossTenantAccessPolicy/partners/0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c", "", `{"automaticUserConsentSettings":7}`)
	f.Add("PUT", "/v1.0/servicePrincipals/x/synchronization/secrets", "", `{"value":[{}]}`)
	f.Add("GET", "/v1.0/auditLogs/provisioning", "$filter=jobId eq 'x' and (a or b)", "")
	f.Add("POST", "/v1.0/applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate", "", `{"displayName":""}`)
	f.Add("GET", "/_emulator/token", "tenant=contoso-us&roles=", "")
	f.Add("POST", "/x/oauth2/v2.0/token", "", "")
	f.Add("POST", "/_emulator/cycle", "", "")
	f.Add("GET", "/v1.0/users/delta()", "$filter=id eq 'x' or id in ('y')&$select=manager", "")
	f.Add("GET", "/v1.0/servicePrincipals", "$filter=tags/any(t:t eq 'xtsync')", "")
	f.Add("POST", "/v1.0/servicePrincipals/x/synchronization/jobs/y/schema/parseExpression", "", `{"expression":"Join(\",\", [a])","testInputObject":{"properties":[{"key":"a","value":1}]}}`)
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	snaps, err := ReadSnapshotDir("testdata/snapshots")
	if err != nil {
		f.Fatal(err)
	}
	if err := s.LoadSnapshots(snaps); err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	tok := "Bearer " + Token(usID, nil)
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n?#") {
			return
		}
		req := httptest.NewRequest("GET", "http://127.0.0.1/", strings.NewReader(body))
		req.Method = method
		req.URL.Path = path
		req.URL.RawQuery = query
		req.Header.Set("Authorization", tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Body.Len() == 0 {
			return
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s?%s: body is not a JSON object: %v", method, path, query, err)
		}
		if rec.Code >= 400 && !strings.Contains(path, "oauth2") && errCode(out) == "" {
			t.Fatalf("%s %s?%s: %d without a Graph error code: %s", method, path, query, rec.Code, rec.Body)
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}
