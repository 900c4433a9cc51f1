package emulator

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const partners = "policies/crossTenantAccessPolicy/partners"

func TestPartners(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.must(201, "POST", usID, partners, map[string]any{"tenantId": strings.ToUpper(euID)})
	if p["tenantId"] != euID || p["@odata.context"] == nil {
		t.Errorf("created partner: %v", p)
	}
	if _, has := p["automaticUserConsentSettings"]; !has {
		t.Errorf("created partner lacks automaticUserConsentSettings: %v", p)
	}
	r := e.do("POST", usID, partners, map[string]any{"tenantId": euID})
	if r.Status != 409 || errCode(r.Body) != "Request_MultipleObjectsWithSameKeyValue" {
		t.Errorf("duplicate partner: %d %v", r.Status, r.Body)
	}
	if r := e.do("POST", usID, partners, map[string]any{"tenantId": "nope"}); r.Status != 400 {
		t.Errorf("bad tenantId: %d", r.Status)
	}
	e.must(204, "PATCH", usID, partners+"/"+euID, map[string]any{"inboundTrust": nil, "automaticUserConsentSettings": map[string]any{"inboundAllowed": true}})
	got := e.must(200, "GET", usID, partners+"/"+euID, nil)
	if diff := cmp.Diff(map[string]any{"inboundAllowed": true, "outboundAllowed": nil}, got["automaticUserConsentSettings"]); diff != "" {
		t.Errorf("PATCH merged (-want +got):\n%s", diff)
	}
	list := values(e.must(200, "GET", usID, partners, nil))
	if len(list) != 1 {
		t.Errorf("list: %v", list)
	}
	for _, tc := range []struct{ method, path string }{{"GET", partners + "/" + ukID}, {"PATCH", partners + "/" + ukID}, {"DELETE", partners + "/" + ukID}} {
		r := e.do(tc.method, usID, tc.path, map[string]any{})
		if r.Status != 404 || errCode(r.Body) != "Directory_ObjectNotFound" {
			t.Errorf("%s missing partner: %d %v", tc.method, r.Status, r.Body)
		}
	}
	// Partners are per tenant.
	if list := values(e.must(200, "GET", euID, partners, nil)); len(list) != 0 {
		t.Errorf("contoso-eu sees contoso-us's partners: %v", list)
	}

	is := partners + "/" + euID + "/identitySynchronization"
	if r := e.do("GET", usID, is, nil); r.Status != 404 {
		t.Errorf("GET before PUT: %d", r.Status)
	}
	if r := e.do("PATCH", usID, is, map[string]any{}); r.Status != 404 || errCode(r.Body) != "Directory_ObjectNotFound" {
		t.Errorf("PATCH before PUT: %d %v", r.Status, r.Body)
	}
	e.must(204, "PUT", usID, is, map[string]any{"displayName": "Contoso EU", "userSyncInbound": map[string]any{"isSyncAllowed": true}})
	if r := e.do("PUT", usID, is, map[string]any{"displayName": "x"}); r.Status != 409 || errCode(r.Body) != "Request_MultipleObjectsWithSameKeyValue" {
		t.Errorf("second PUT: %d %v", r.Status, r.Body)
	}
	e.must(204, "PATCH", usID, is, map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": false}})
	pol := e.must(200, "GET", usID, is, nil)
	delete(pol, "@odata.context")
	if diff := cmp.Diff(map[string]any{"tenantId": euID, "displayName": "Contoso EU", "userSyncInbound": map[string]any{"isSyncAllowed": false}}, pol); diff != "" {
		t.Errorf("identitySynchronization (-want +got):\n%s", diff)
	}
	// The partner cannot go before its identitySynchronization.
	if r := e.do("DELETE", usID, partners+"/"+euID, nil); r.Status != 400 {
		t.Errorf("DELETE partner with identitySynchronization: %d", r.Status)
	}
	e.must(204, "DELETE", usID, is, nil)
	e.must(204, "DELETE", usID, partners+"/"+euID, nil)
	if r := e.do("PUT", usID, is, map[string]any{}); r.Status != 404 {
		t.Errorf("PUT identitySynchronization without partner: %d", r.Status)
	}
}

// setupTrust configures contoso-us to accept contoso-eu (and eu to push).
func (e *testEnv) setupTrust(inbound, autoIn, autoOut bool) {
	e.must(201, "POST", usID, partners, map[string]any{"tenantId": euID, "automaticUserConsentSettings": map[string]any{"inboundAllowed": autoIn}})
	e.must(204, "PUT", usID, partners+"/"+euID+"/identitySynchronization", map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": inbound}})
	e.must(201, "POST", euID, partners, map[string]any{"tenantId": usID})
	e.must(204, "PATCH", euID, partners+"/"+usID, map[string]any{"automaticUserConsentSettings": map[string]any{"outboundAllowed": autoOut}})
}

func TestSyncConfiguration(t *testing.T) {
	e := newEnv(t, Options{})
	e.setupTrust(true, true, true)

	inst := e.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": "eu-to-us-2"})
	sp := inst["servicePrincipal"].(map[string]any)
	app := inst["application"].(map[string]any)
	spID := sp["id"].(string)
	if sp["appId"] != app["appId"] || sp["appRoleAssignmentRequired"] != true {
		t.Errorf("instantiate: %v", inst)
	}
	roles := sp["appRoles"].([]any)
	if len(roles) != 1 || roles[0].(map[string]any)["displayName"] != "msiam_access" {
		t.Errorf("appRoles: %v", roles)
	}
	roleID := roles[0].(map[string]any)["id"].(string)
	if r := e.do("POST", euID, "applicationTemplates/00000000-0000-0000-0000-000000000001/instantiate", map[string]any{"displayName": "x"}); r.Status != 404 {
		t.Errorf("unknown template: %d", r.Status)
	}

	found := values(e.must(200, "GET", euID, "servicePrincipals?$filter=displayName%20eq%20'eu-to-us-2'", nil))
	if diff := cmp.Diff([]string{spID}, ids(found)); diff != "" {
		t.Errorf("SP by displayName (-want +got):\n%s", diff)
	}
	e.must(204, "PATCH", euID, "servicePrincipals/"+spID, map[string]any{"tags": []any{"xtsync"}})
	if got := e.must(200, "GET", euID, "servicePrincipals/"+spID+"?$select=tags", nil)["tags"]; !cmp.Equal(got, []any{"xtsync"}) {
		t.Errorf("tags after PATCH: %v", got)
	}

	if got := e.must(200, "GET", euID, "servicePrincipals(appId='"+sp["appId"].(string)+"')", nil); got["id"] != spID {
		t.Errorf("SP by appId: %v", got["id"])
	}
	if got := e.must(200, "GET", euID, "applications(appId='"+app["appId"].(string)+"')", nil); got["id"] != app["id"] {
		t.Errorf("application by appId: %v", got["id"])
	}
	if r := e.do("GET", euID, "servicePrincipals(appId='nope')", nil); r.Status != 404 {
		t.Errorf("SP by unknown appId: %d", r.Status)
	}
	sp2 := "servicePrincipals/" + spID
	// Test connection: fine with complete trust.
	creds := map[string]any{"useSavedCredentials": false, "templateId": "Azure2Azure",
		"credentials": []any{map[string]any{"key": "CompanyId", "value": usID}, map[string]any{"key": "AuthenticationType", "value": "SyncPolicy"}}}
	e.must(204, "POST", euID, sp2+"/synchronization/jobs/validateCredentials", creds)

	job := e.must(201, "POST", euID, sp2+"/synchronization/jobs", map[string]any{"templateId": "Azure2Azure"})
	jobID := job["id"].(string)
	if !strings.HasPrefix(jobID, "Azure2Azure.") {
		t.Errorf("job id %q", jobID)
	}
	if diff := cmp.Diff(map[string]any{"expiration": nil, "interval": "PT40M", "state": "Disabled"}, job["schedule"]); diff != "" {
		t.Errorf("new job schedule (-want +got):\n%s", diff)
	}
	if job["status"].(map[string]any)["code"] != "Paused" {
		t.Errorf("new job status: %v", job["status"])
	}
	if r := e.do("POST", euID, sp2+"/synchronization/jobs", map[string]any{"templateId": "Other"}); r.Status != 400 {
		t.Errorf("bad templateId: %d", r.Status)
	}
	jobs := values(e.must(200, "GET", euID, sp2+"/synchronization/jobs", nil))
	if diff := cmp.Diff([]string{jobID}, ids(jobs)); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	jp := sp2 + "/synchronization/jobs/" + jobID
	e.must(204, "POST", euID, jp+"/start", nil)
	if got := e.must(200, "GET", euID, jp, nil); got["schedule"].(map[string]any)["state"] != "Active" || got["status"].(map[string]any)["code"] != "Active" {
		t.Errorf("after start: %v %v", got["schedule"], got["status"])
	}
	e.must(204, "POST", euID, jp+"/pause", nil)
	if got := e.must(200, "GET", euID, jp, nil); got["status"].(map[string]any)["code"] != "Paused" {
		t.Errorf("after pause: %v", got["status"])
	}
	e.must(204, "POST", euID, jp+"/restart", map[string]any{"criteria": map[string]any{"resetScope": "Watermark, Escrows, QuarantineState"}})
	if r := e.do("POST", euID, jp+"/restart", map[string]any{"criteria": map[string]any{"resetScope": "Everything"}}); r.Status != 400 {
		t.Errorf("bad resetScope: %d", r.Status)
	}

	// Schema: the Azure2Azure default, replaced whole by PUT.
	schema := e.must(200, "GET", euID, jp+"/schema", nil)
	rule := schema["synchronizationRules"].([]any)[0].(map[string]any)
	om := rule["objectMappings"].([]any)[0].(map[string]any)
	if rule["name"] != "USER_INBOUND_USER" || om["name"] != "Provision Azure Active Directory Users" {
		t.Errorf("default schema: rule %v, mapping %v", rule["name"], om["name"])
	}
	var targets []string
	for _, m := range om["attributeMappings"].([]any) {
		targets = append(targets, m.(map[string]any)["targetAttributeName"].(string))
	}
	if len(targets) != 23 || targets[0] != "alternativeSecurityIds" || targets[22] != "userType" {
		t.Errorf("default mappings: %v", targets)
	}
	groups := om["scope"].(map[string]any)["groups"].([]any)
	if len(groups) != 1 || groups[0].(map[string]any)["name"] != "Filter external users" {
		t.Errorf("default scope: %v", groups)
	}
	om["flowTypes"] = "Add, Update"
	delete(schema, "@odata.context")
	e.must(204, "PUT", euID, jp+"/schema", schema)
	again := e.must(200, "GET", euID, jp+"/schema", nil)
	delete(again, "@odata.context")
	if diff := cmp.Diff(schema, again); diff != "" {
		t.Errorf("schema round trip (-want +got):\n%s", diff)
	}
	if r := e.do("PUT", euID, jp+"/schema", map[string]any{"directories": []any{}}); r.Status != 400 {
		t.Errorf("schema without rules: %d", r.Status)
	}

	// Secrets: PUT replaces the set.
	e.must(204, "PUT", euID, sp2+"/synchronization/secrets", map[string]any{"value": []any{
		map[string]any{"key": "CompanyId", "value": usID}, map[string]any{"key": "SyncAll", "value": "false"}}})
	e.must(204, "PUT", euID, sp2+"/synchronization/secrets", map[string]any{"value": []any{map[string]any{"key": "CompanyId", "value": usID}}})
	sec := values(e.must(200, "GET", euID, sp2+"/synchronization/secrets", nil))
	if diff := cmp.Diff([]map[string]any{{"key": "CompanyId", "value": usID}}, sec); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	e.must(204, "POST", euID, sp2+"/synchronization/jobs/validateCredentials", map[string]any{"useSavedCredentials": true})

	// Assignments.
	group := "e2000000-0000-4000-8000-000000000001"
	a := e.must(201, "POST", euID, sp2+"/appRoleAssignedTo", map[string]any{"principalId": group, "resourceId": spID, "appRoleId": roleID})
	if a["principalType"] != "Group" || a["principalDisplayName"] != "GlobalEmployees" || a["resourceId"] != spID {
		t.Errorf("assignment: %v", a)
	}
	if r := e.do("POST", euID, sp2+"/appRoleAssignedTo", map[string]any{"principalId": group, "resourceId": spID, "appRoleId": roleID}); r.Status != 400 {
		t.Errorf("duplicate assignment: %d", r.Status)
	}
	if r := e.do("POST", euID, sp2+"/appRoleAssignedTo", map[string]any{"principalId": "e9999999-0000-4000-8000-000000000001", "resourceId": spID, "appRoleId": roleID}); r.Status != 404 {
		t.Errorf("assignment of a missing principal: %d", r.Status)
	}
	if r := e.do("POST", euID, sp2+"/appRoleAssignedTo", map[string]any{"principalId": group, "resourceId": spID, "appRoleId": "e9999999-0000-4000-8000-000000000001"}); r.Status != 400 {
		t.Errorf("assignment of a missing role: %d", r.Status)
	}
	as := values(e.must(200, "GET", euID, sp2+"/appRoleAssignedTo", nil))
	if len(as) != 1 {
		t.Errorf("assignments: %v", as)
	}
	e.must(204, "DELETE", euID, sp2+"/appRoleAssignedTo/"+a["id"].(string), nil)
	if r := e.do("DELETE", euID, sp2+"/appRoleAssignedTo/"+a["id"].(string), nil); r.Status != 404 {
		t.Errorf("second DELETE of an assignment: %d", r.Status)
	}

	// POD answers in Graph's shape.
	pod := e.must(200, "POST", euID, jp+"/provisionOnDemand", map[string]any{"parameters": []any{map[string]any{"ruleId": "USER_INBOUND_USER",
		"subjects": []any{map[string]any{"objectId": "e1000000-0000-4000-8000-000000000001", "objectTypeName": "User"}}}}})
	if _, isStr := pod["value"].(string); !isStr {
		t.Errorf("provisionOnDemand: %v", pod)
	}

	e.must(204, "DELETE", euID, jp, nil)
	if r := e.do("GET", euID, jp, nil); r.Status != 404 {
		t.Errorf("GET deleted job: %d", r.Status)
	}
	e.must(204, "DELETE", euID, sp2, nil)
	if r := e.do("GET", euID, sp2, nil); r.Status != 404 {
		t.Errorf("GET deleted SP: %d", r.Status)
	}
	e.must(204, "DELETE", euID, "applications/"+app["id"].(string), nil)
}

func TestValidateCredentials(t *testing.T) {
	tests := []struct {
		name                     string
		inbound, autoIn, autoOut bool
		want                     int
		msg                      string
	}{
		{"all allowed", true, true, true, 204, ""},
		{"no inbound sync", false, true, true, 400, "has not enabled inbound synchronization"},
		{"no inbound redemption", true, false, true, 400, "automatic user consent (inbound)"},
		{"no outbound redemption", true, true, false, 400, "source tenant has not enabled automatic user consent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			e.setupTrust(tt.inbound, tt.autoIn, tt.autoOut)
			sp := e.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": "x"})["servicePrincipal"].(map[string]any)["id"].(string)
			r := e.do("POST", euID, "servicePrincipals/"+sp+"/synchronization/jobs/validateCredentials", map[string]any{"templateId": "Azure2Azure",
				"credentials": []any{map[string]any{"key": "CompanyId", "value": usID}, map[string]any{"key": "AuthenticationType", "value": "SyncPolicy"}}})
			if r.Status != tt.want {
				t.Fatalf("status %d, want %d: %v", r.Status, tt.want, r.Body)
			}
			if tt.want == 400 {
				msg := r.Body["error"].(map[string]any)["message"].(string)
				if errCode(r.Body) != "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure" || !strings.Contains(msg, tt.msg) {
					t.Errorf("error %s %q, want message with %q", errCode(r.Body), msg, tt.msg)
				}
			}
		})
	}
}

// TestSeededLinks: the seeded B2B links are visible as provisioning log
// entries in the source tenant, under the configuration's service principal.
func TestSeededLinks(t *testing.T) {
	e := newEnv(t, Options{})
	sps := values(e.must(200, "GET", euID, "servicePrincipals?$filter=displayName%20eq%20'eu-to-us'", nil))
	if len(sps) != 1 {
		t.Fatalf("seeded configuration SP: %v", sps)
	}
	spID := sps[0]["id"].(string)
	jobs := values(e.must(200, "GET", euID, "servicePrincipals/"+spID+"/synchronization/jobs", nil))
	if len(jobs) != 1 || jobs[0]["status"].(map[string]any)["code"] != "Paused" {
		t.Fatalf("seeded job: %v", jobs)
	}
	sec := values(e.must(200, "GET", euID, "servicePrincipals/"+spID+"/synchronization/secrets", nil))
	if !cmp.Equal(sec[1], map[string]any{"key": "CompanyId", "value": usID}) {
		t.Errorf("seeded secrets: %v", sec)
	}
	logs := values(e.must(200, "GET", euID, "auditLogs/provisioning?$filter=jobId%20eq%20'"+jobs[0]["id"].(string)+"'", nil))
	type link struct{ Action, Config, SrcTenant, Src, TgtTenant, Tgt, Time string }
	var got []link
	for _, l := range logs {
		src, tgt := l["sourceIdentity"].(map[string]any), l["targetIdentity"].(map[string]any)
		got = append(got, link{l["provisioningAction"].(string), l["servicePrincipal"].(map[string]any)["displayName"].(string),
			src["details"].(map[string]any)["tenantId"].(string), src["id"].(string),
			tgt["details"].(map[string]any)["tenantId"].(string), tgt["id"].(string), l["activityDateTime"].(string)})
	}
	want := []link{ // newest first; a soft-deleted user's entries are older
		{"create", "eu-to-us", euID, "e1000000-0000-4000-8000-000000000001", usID, "a1000000-0000-4000-8000-000000000002", "2026-11-26T10:00:00Z"},
		{"delete", "eu-to-us", euID, "e1000000-0000-4000-8000-000000000005", usID, "a1000000-0000-4000-8000-000000000003", "2026-11-26T09:59:00Z"},
		{"create", "eu-to-us", euID, "e1000000-0000-4000-8000-000000000005", usID, "a1000000-0000-4000-8000-000000000003", "2026-11-26T09:58:00Z"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("provisioning logs (-want +got):\n%s", diff)
	}
	byJob := values(e.must(200, "GET", euID, "auditLogs/provisioning?$filter=servicePrincipal/id%20eq%20'"+spID+"'%20and%20provisioningAction%20eq%20'create'", nil))
	if len(byJob) != 2 {
		t.Errorf("filter on servicePrincipal/id and action: %d entries", len(byJob))
	}
	since := values(e.must(200, "GET", euID, "auditLogs/provisioning?$filter=activityDateTime%20ge%202026-11-26T09:59:30Z", nil))
	if len(since) != 1 {
		t.Errorf("filter on activityDateTime: %d entries", len(since))
	}
	// The hand-invited guest (config null) has no log entry; fabrikam-uk has no SP.
	if sps := values(e.must(200, "GET", ukID, "servicePrincipals", nil)); len(sps) != 0 {
		t.Errorf("unmanaged guest made a configuration: %v", sps)
	}
}

func TestParseExpressionAndTemplates(t *testing.T) {
	e := newEnv(t, Options{})
	sp := values(e.must(200, "GET", euID, "servicePrincipals?$filter=displayName%20eq%20'eu-to-us'", nil))[0]["id"].(string)
	tpls := values(e.must(200, "GET", euID, "servicePrincipals/"+sp+"/synchronization/templates", nil))
	if len(tpls) != 1 || tpls[0]["id"] != "Azure2Azure" || tpls[0]["schema"] == nil {
		t.Errorf("templates: %v", tpls)
	}
	job := values(e.must(200, "GET", euID, "servicePrincipals/"+sp+"/synchronization/jobs", nil))[0]["id"].(string)
	path := "servicePrincipals/" + sp + "/synchronization/jobs/" + job + "/schema/parseExpression"
	tests := []struct {
		expression    string
		parsed, evald bool
		result        any
	}{
		{`Join(" ", [givenName], [surname])`, true, true, []any{"Anna Berg"}},
		{`ToUpper([department])`, true, true, []any{"SALES"}},
		{`IIF([department]="Sales", "S", "O")`, true, true, []any{"S"}},
		{`[missing]`, true, true, []any{}},
		{`Join(" ", [givenName]`, false, false, nil},
		{`NoSuchFunction([a])`, false, false, nil},
	}
	for _, tt := range tests {
		got := e.must(200, "POST", euID, path, map[string]any{"expression": tt.expression,
			"testInputObject": map[string]any{"properties": []any{
				map[string]any{"key": "givenName", "value": "Anna"}, map[string]any{"key": "surname", "value": "Berg"},
				map[string]any{"key": "department", "value": "Sales"}}}})
		if got["parsingSucceeded"] != tt.parsed || got["evaluationSucceeded"] != tt.evald || !cmp.Equal(got["evaluationResult"], tt.result) {
			t.Errorf("%s: %v", tt.expression, got)
		}
	}
}
