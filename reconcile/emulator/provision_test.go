package emulator

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// configureSeeded configures the seeded eu-to-us configuration as the
// reconciler would: trust, secrets, a scoping filter, the group assigned,
// started. It returns the job's path.
func (e *testEnv) configureSeeded(filterValue string) (spPath, jobPath string) {
	e.t.Helper()
	e.setupTrust(true, true, true)
	sp := values(e.must(200, "GET", euID, "servicePrincipals?$filter=displayName%20eq%20'eu-to-us'", nil))[0]
	spPath = "servicePrincipals/" + sp["id"].(string)
	role := sp["appRoles"].([]any)[0].(map[string]any)["id"]
	job := values(e.must(200, "GET", euID, spPath+"/synchronization/jobs", nil))[0]
	jobPath = spPath + "/synchronization/jobs/" + job["id"].(string)
	e.must(204, "PUT", euID, spPath+"/synchronization/secrets", map[string]any{"value": []any{
		map[string]any{"key": "AuthenticationType", "value": "SyncPolicy"},
		map[string]any{"key": "CompanyId", "value": usID},
		map[string]any{"key": "SyncAll", "value": "false"},
		map[string]any{"key": "SyncNotificationSettings", "value": `{"Enabled":false,"DeleteThresholdEnabled":true,"DeleteThresholdValue":2}`},
	}})
	schema := e.must(200, "GET", euID, jobPath+"/schema", nil)
	delete(schema, "@odata.context")
	om := schema["synchronizationRules"].([]any)[0].(map[string]any)["objectMappings"].([]any)[0].(map[string]any)
	om["scope"].(map[string]any)["groups"] = []any{map[string]any{"name": "no contractors", "clauses": []any{
		map[string]any{"operatorName": "NOT REGEX MATCH", "sourceOperandName": "userType", "targetOperand": map[string]any{"values": []any{"(?i)(Guest)"}}},
		map[string]any{"operatorName": "NOT EQUALS", "sourceOperandName": "employeeType", "targetOperand": map[string]any{"values": []any{filterValue}}},
	}}}
	om["attributeMappings"] = append(om["attributeMappings"].([]any), map[string]any{"targetAttributeName": "companyName", "flowType": "Always",
		"source": map[string]any{"type": "Function", "name": "Join", "expression": `Join(" ", "Contoso", [department])`}})
	e.must(204, "PUT", euID, jobPath+"/schema", schema)
	e.must(201, "POST", euID, spPath+"/appRoleAssignedTo", map[string]any{"principalId": "e2000000-0000-4000-8000-000000000001", "resourceId": sp["id"], "appRoleId": role})
	e.must(204, "POST", euID, jobPath+"/start", nil)
	return spPath, jobPath
}

// cycle runs the cycles through the control endpoint.
func (e *testEnv) cycle() []CycleResult {
	e.t.Helper()
	resp, err := http.Post(e.base+"/_emulator/cycle", "application/json", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Value []CycleResult `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("cycle: %d %v", resp.StatusCode, err)
	}
	return body.Value
}

// b2b lists contoso-us's live users created for contoso-eu: UPN -> props.
func (e *testEnv) b2b() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, u := range values(e.must(200, "GET", usID, "users?$select=userPrincipalName,displayName,department,companyName,accountEnabled,userType,manager", nil)) {
		if upn := u["userPrincipalName"].(string); strings.HasSuffix(upn, "#EXT#@contosous.onmicrosoft.com") && !strings.HasPrefix(upn, "gina") {
			delete(u, "id")
			out[upn] = u
		}
	}
	return out
}

func TestProvisioningCycle(t *testing.T) {
	e := newEnv(t, Options{})
	if got := e.cycle(); len(got) != 0 {
		t.Fatalf("seeded jobs are paused, yet cycles ran: %+v", got)
	}
	_, jobPath := e.configureSeeded("Contractor")
	_, usDelta, _ := e.deltaRound(usID, "users/delta()?$select=userPrincipalName,department")

	res := e.cycle()
	if len(res) != 1 || res[0].State != "Active" || res[0].Created != 1 || res[0].Updated != 1 || res[0].Deleted != 0 {
		t.Fatalf("first cycle: %+v", res)
	}
	want := map[string]map[string]any{
		"anna_contoso.eu#EXT#@contosous.onmicrosoft.com": {"userPrincipalName": "anna_contoso.eu#EXT#@contosous.onmicrosoft.com", "displayName": "Anna Berg",
			"department": "Sales", "companyName": "Contoso Sales", "accountEnabled": true, "userType": "Member", "manager": "CHLOE"},
		"chloe_contoso.eu#EXT#@contosous.onmicrosoft.com": {"userPrincipalName": "chloe_contoso.eu#EXT#@contosous.onmicrosoft.com", "displayName": "Chloé Dubois",
			"department": "Sales", "companyName": "Contoso Sales", "accountEnabled": true, "userType": "Member", "manager": nil},
	}
	got := e.b2b()
	// Anna's manager is Chloé's new target user (a reference mapping).
	want["anna_contoso.eu#EXT#@contosous.onmicrosoft.com"]["manager"] = got["anna_contoso.eu#EXT#@contosous.onmicrosoft.com"]["manager"]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the first cycle (-want +got):\n%s", diff)
	}
	if m := got["anna_contoso.eu#EXT#@contosous.onmicrosoft.com"]["manager"]; m == nil {
		t.Error("manager reference did not flow")
	}

	// The target's delta shows the new user; the job status, the run.
	objs, _, _ := e.deltaRound(usID, usDelta)
	var upns []string
	for _, o := range objs {
		if u, has := o["userPrincipalName"]; has {
			upns = append(upns, u.(string))
		}
	}
	if diff := cmp.Diff([]string{"chloe_contoso.eu#EXT#@contosous.onmicrosoft.com"}, upns); diff != "" {
		t.Errorf("target delta after the cycle (-want +got):\n%s", diff)
	}
	job := e.must(200, "GET", euID, jobPath, nil)
	if job["status"].(map[string]any)["lastExecution"] == nil {
		t.Errorf("job status after a cycle: %v", job["status"])
	}

	// A second cycle with nothing changed changes nothing.
	if res := e.cycle(); res[0].Created+res[0].Updated+res[0].Deleted != 0 {
		t.Errorf("idle cycle: %+v", res[0])
	}

	// Source changes: Chloé moves, Anna leaves the group, Bruno stops
	// being a contractor.
	eu := e.s.Tenant("contoso-eu")
	eu.UpdateUser("e1000000-0000-4000-8000-000000000003", map[string]any{"department": "Legal"})
	eu.RemoveMember("e2000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000001")
	eu.UpdateUser("e1000000-0000-4000-8000-000000000002", map[string]any{"employeeType": "Employee"})
	res = e.cycle()
	if res[0].Created != 1 || res[0].Updated != 1 || res[0].Deleted != 1 {
		t.Errorf("cycle after changes: %+v", res[0])
	}
	got = e.b2b()
	var names []string
	for upn := range got {
		names = append(names, upn)
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"bruno_contoso.eu#EXT#@contosous.onmicrosoft.com", "chloe_contoso.eu#EXT#@contosous.onmicrosoft.com"}, names); diff != "" {
		t.Errorf("B2B users after changes (-want +got):\n%s", diff)
	}
	if d := got["chloe_contoso.eu#EXT#@contosous.onmicrosoft.com"]["department"]; d != "Legal" {
		t.Errorf("Chloé's department in the target: %v", d)
	}
	deleted := ids(values(e.must(200, "GET", usID, "directory/deletedItems/microsoft.graph.user", nil)))
	if !cmp.Equal(deleted, []string{"a1000000-0000-4000-8000-000000000002", "a1000000-0000-4000-8000-000000000003"}) {
		t.Errorf("deleted items: %v", deleted)
	}
	// Anna back in the group: restored, not duplicated.
	eu.AddMember("e2000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000001")
	if res := e.cycle(); res[0].Created != 0 || res[0].Updated != 1 {
		t.Errorf("restore cycle: %+v", res[0])
	}
	if _, back := e.b2b()["anna_contoso.eu#EXT#@contosous.onmicrosoft.com"]; !back {
		t.Error("Anna was not restored")
	}
	// The logs tell a client every link.
	logs := values(e.must(200, "GET", euID, "auditLogs/provisioning?$filter=provisioningAction%20eq%20'create'", nil))
	if len(logs) != 4 { // 2 seeded + Chloé + Bruno
		t.Errorf("create entries: %d", len(logs))
	}
}

func TestProvisioningQuarantine(t *testing.T) {
	e := newEnv(t, Options{})
	_, jobPath := e.configureSeeded("Contractor")
	// The target withdraws inbound sync: the job goes to quarantine.
	e.must(204, "PATCH", usID, partners+"/"+euID+"/identitySynchronization", map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": false}})
	res := e.cycle()
	if res[0].State != "Quarantine" || res[0].Created != 0 {
		t.Errorf("cycle without inbound trust: %+v", res[0])
	}
	if st := e.must(200, "GET", euID, jobPath, nil)["status"].(map[string]any); st["code"] != "Quarantine" || st["quarantine"] == nil {
		t.Errorf("job status: %v", st)
	}
	e.must(204, "PATCH", usID, partners+"/"+euID+"/identitySynchronization", map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}})
	if res := e.cycle(); res[0].State != "Active" {
		t.Errorf("cycle after trust is back: %+v", res[0])
	}
	// Deletion threshold (2): three unassignments are staged, not done.
	eu := e.s.Tenant("contoso-eu")
	eu.UpdateUser("e1000000-0000-4000-8000-000000000002", map[string]any{"employeeType": "Employee"})
	e.cycle() // Bruno created: 3 B2B users now
	for _, u := range []string{"1", "2", "3"} {
		eu.RemoveMember("e2000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-00000000000"+u)
	}
	res = e.cycle()
	if res[0].Staged != 3 || res[0].Deleted != 0 || res[0].State != "Quarantine" {
		t.Errorf("over the threshold: %+v", res[0])
	}
	if len(e.b2b()) != 3 {
		t.Errorf("staged deletes happened: %v", e.b2b())
	}
	// "Allow deletes": restart with ForceDeletes lets the next cycle through.
	e.must(204, "POST", euID, jobPath+"/restart", map[string]any{"criteria": map[string]any{"resetScope": "ForceDeletes"}})
	res = e.cycle()
	if res[0].Deleted != 3 || res[0].State != "Active" || len(e.b2b()) != 0 {
		t.Errorf("after ForceDeletes: %+v, %d B2B users left", res[0], len(e.b2b()))
	}
}

// newConfig creates, configures and starts a configuration in src that
// syncs the assigned principals to usID with the default schema.
func (e *testEnv) newConfig(src, name string, principals ...string) {
	e.t.Helper()
	sp := e.must(201, "POST", src, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": name})["servicePrincipal"].(map[string]any)
	spPath := "servicePrincipals/" + sp["id"].(string)
	job := e.must(201, "POST", src, spPath+"/synchronization/jobs", map[string]any{"templateId": "Azure2Azure"})
	e.must(204, "PUT", src, spPath+"/synchronization/secrets", map[string]any{"value": []any{map[string]any{"key": "CompanyId", "value": usID}}})
	for _, p := range principals {
		e.must(201, "POST", src, spPath+"/appRoleAssignedTo", map[string]any{"principalId": p, "resourceId": sp["id"], "appRoleId": sp["appRoles"].([]any)[0].(map[string]any)["id"]})
	}
	e.must(204, "POST", src, spPath+"/synchronization/jobs/"+job["id"].(string)+"/start", nil)
}

func TestProvisioningMatching(t *testing.T) {
	e := newEnv(t, Options{})
	e.setupTrust(true, true, true)
	// fabrikam-uk trusts contoso-us too.
	e.must(201, "POST", usID, partners, map[string]any{"tenantId": ukID, "automaticUserConsentSettings": map[string]any{"inboundAllowed": true}})
	e.must(204, "PUT", usID, partners+"/"+ukID+"/identitySynchronization", map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}})
	e.must(201, "POST", ukID, partners, map[string]any{"tenantId": usID, "automaticUserConsentSettings": map[string]any{"outboundAllowed": true}})

	// Gina was invited by hand (no configuration): the new one adopts her.
	e.newConfig(ukID, "uk-to-us", "f1000000-0000-4000-8000-000000000001")
	// Anna is managed by the (paused) seeded eu-to-us, which still has her
	// in scope: a second configuration assigning her fails instead of
	// duplicating her.
	e.assignSeeded("e1000000-0000-4000-8000-000000000001")
	e.newConfig(euID, "eu-to-us-2", "e1000000-0000-4000-8000-000000000001")
	before := len(e.s.Tenant(usID).UserIDs())
	res := map[string]CycleResult{}
	for _, r := range e.cycle() {
		res[r.Config] = r
	}
	if r := res["uk-to-us"]; r.Updated != 1 || r.Created != 0 || r.Failed != 0 {
		t.Errorf("adoption: %+v", r)
	}
	if r := res["eu-to-us-2"]; r.Failed != 1 || r.Created != 0 {
		t.Errorf("managed by another configuration: %+v", r)
	}
	if after := len(e.s.Tenant(usID).UserIDs()); after != before {
		t.Errorf("target users %d -> %d: a duplicate was created", before, after)
	}
	gina := e.s.Tenant(usID).User("a1000000-0000-4000-8000-000000000004")
	if gina["department"] != "Legal" {
		t.Errorf("adopted user not updated: %v", gina)
	}
	logs := values(e.must(200, "GET", ukID, "auditLogs/provisioning", nil))
	if len(logs) != 1 || logs[0]["targetIdentity"].(map[string]any)["id"] != "a1000000-0000-4000-8000-000000000004" {
		t.Errorf("adoption log: %v", logs)
	}
	failed := values(e.must(200, "GET", euID, "auditLogs/provisioning?$filter=servicePrincipal/displayName%20eq%20'eu-to-us-2'", nil))
	if len(failed) != 1 || failed[0]["provisioningStatusInfo"].(map[string]any)["status"] != "failure" {
		t.Errorf("failure log: %v", failed)
	}
}

// assignSeeded assigns principals to the seeded eu-to-us configuration.
func (e *testEnv) assignSeeded(principals ...string) {
	e.t.Helper()
	sp := values(e.must(200, "GET", euID, "servicePrincipals?$filter=displayName%20eq%20'eu-to-us'", nil))[0]
	for _, p := range principals {
		e.must(201, "POST", euID, "servicePrincipals/"+sp["id"].(string)+"/appRoleAssignedTo", map[string]any{"principalId": p, "resourceId": sp["id"], "appRoleId": sp["appRoles"].([]any)[0].(map[string]any)["id"]})
	}
}

// TestProvisioningTransfer: Microsoft's guest <-> member switch. Anna is
// linked to the seeded eu-to-us, which assigns Chloé only and so no longer
// has her in scope; a second configuration of the pair that has her in
// scope takes her over (an update, now linked to it) instead of failing,
// and its next cycle sees her as its own. While nobody has assigned
// anything to the seeded configuration its scope is unknown and it keeps
// her (managed by another configuration), as the simulator keeps the users
// of a configuration the repository does not declare.
func TestProvisioningTransfer(t *testing.T) {
	e := newEnv(t, Options{})
	e.setupTrust(true, true, true)
	e.newConfig(euID, "eu-to-us-2", "e1000000-0000-4000-8000-000000000001")
	for _, r := range e.cycle() {
		if r.Config == "eu-to-us-2" && r.Failed != 1 {
			t.Errorf("a seeded configuration of unknown scope does not keep its user: %+v", r)
		}
	}
	e.assignSeeded("e1000000-0000-4000-8000-000000000003")
	before := len(e.s.Tenant(usID).UserIDs())
	res := map[string]CycleResult{}
	for _, r := range e.cycle() {
		res[r.Config] = r
	}
	if r := res["eu-to-us-2"]; r.Updated != 1 || r.Created != 0 || r.Failed != 0 {
		t.Errorf("transfer: %+v", r)
	}
	if after := len(e.s.Tenant(usID).UserIDs()); after != before {
		t.Errorf("target users %d -> %d: a duplicate was created", before, after)
	}
	for _, r := range e.cycle() {
		if r.Config == "eu-to-us-2" && (r.Updated != 0 || r.Created != 0 || r.Failed != 0) {
			t.Errorf("second cycle after the transfer: %+v", r)
		}
	}
}

func TestLogTimesIncrease(t *testing.T) {
	e := newEnv(t, Options{})
	e.configureSeeded("Contractor")
	eu := e.s.Tenant("contoso-eu")
	for i := range 3 {
		eu.RemoveMember("e2000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000003")
		e.cycle()
		eu.AddMember("e2000000-0000-4000-8000-000000000001", "e1000000-0000-4000-8000-000000000003")
		e.cycle()
		_ = i
	}
	logs := values(e.must(200, "GET", euID, "auditLogs/provisioning", nil)) // newest first
	for i := 1; i < len(logs); i++ {
		a, b := logs[i-1]["activityDateTime"].(string), logs[i]["activityDateTime"].(string)
		if a <= b && !strings.HasPrefix(b, "2026-11-26T10:0") {
			t.Errorf("entry %d at %s is not after entry %d at %s", i-1, a, i, b)
		}
	}
}

func TestProvisionOnDemand(t *testing.T) {
	e := newEnv(t, Options{})
	_, jobPath := e.configureSeeded("Contractor")
	e.must(204, "POST", euID, jobPath+"/pause", nil)
	pod := func(user string) map[string]any {
		t.Helper()
		body := e.must(200, "POST", euID, jobPath+"/provisionOnDemand", map[string]any{"parameters": []any{map[string]any{"ruleId": "USER_INBOUND_USER",
			"subjects": []any{map[string]any{"objectId": user, "objectTypeName": "User"}}}}})
		var v map[string]any
		if err := json.Unmarshal([]byte(body["value"].(string)), &v); err != nil {
			t.Fatalf("value is not JSON: %v", body)
		}
		return v
	}
	tests := []struct {
		user, action, status, reason string
	}{
		{"e1000000-0000-4000-8000-000000000003", "Create", "Success", ""},              // Chloé: assigned, not yet in the target
		{"e1000000-0000-4000-8000-000000000003", "Skip", "Skipped", "RedundantExport"}, // nothing left to do
		{"e1000000-0000-4000-8000-000000000002", "Skip", "Skipped", "NotEffectivelyEntitled"},
		{"e1000000-0000-4000-8000-000000000001", "Update", "Success", ""}, // Anna: linked, values differ
	}
	for _, tt := range tests {
		got := pod(tt.user)
		if got["action"] != tt.action || got["status"] != tt.status || got["reason"] != tt.reason {
			t.Errorf("POD %s: %v, want %s %s %q", tt.user, got, tt.action, tt.status, tt.reason)
		}
	}
	if _, created := e.b2b()["chloe_contoso.eu#EXT#@contosous.onmicrosoft.com"]; !created {
		t.Error("POD did not create Chloé")
	}
	job := e.must(200, "GET", euID, jobPath, nil)
	if job["status"].(map[string]any)["code"] != "Paused" || job["status"].(map[string]any)["lastExecution"] != nil {
		t.Errorf("POD changed the job's status: %v", job["status"])
	}
	if r := e.do("POST", euID, jobPath+"/provisionOnDemand", map[string]any{"parameters": []any{map[string]any{"subjects": []any{
		map[string]any{"objectId": "e2000000-0000-4000-8000-000000000001", "objectTypeName": "Group"}}}}}); r.Status != 400 {
		t.Errorf("POD of a group: %d", r.Status)
	}
}

// TestProvisioningExpressionError: a mapping whose expression fails for a
// user fails the user (how-provisioning-works, "Errors and retries"): no
// create, no update, a failure in the provisioning log naming the
// attribute. An IIF whose condition reads a null attribute is such a
// failure (functions page, IIF known limitations).
func TestProvisioningExpressionError(t *testing.T) {
	e := newEnv(t, Options{})
	_, jobPath := e.configureSeeded("Contractor")
	schema := e.must(200, "GET", euID, jobPath+"/schema", nil)
	delete(schema, "@odata.context")
	om := schema["synchronizationRules"].([]any)[0].(map[string]any)["objectMappings"].([]any)[0].(map[string]any)
	om["attributeMappings"] = append(om["attributeMappings"].([]any), map[string]any{"targetAttributeName": "employeeType", "flowType": "Always",
		"source": map[string]any{"type": "Function", "name": "IIF", "expression": `IIF([extensionAttribute9]="x", "a", "b")`}})
	e.must(204, "PUT", euID, jobPath+"/schema", schema)
	before := e.b2b()
	res := e.cycle()
	if len(res) != 1 || res[0].Created != 0 || res[0].Updated != 0 || res[0].Failed != 2 {
		t.Fatalf("cycle: %+v", res)
	}
	if diff := cmp.Diff(before, e.b2b()); diff != "" {
		t.Errorf("target users changed (-before +after):\n%s", diff)
	}
	logs := values(e.must(200, "GET", euID, "auditLogs/provisioning", nil))
	failed := 0
	for _, l := range logs {
		info := l["provisioningStatusInfo"].(map[string]any)
		if info["status"] == "failure" {
			failed++
			if r := info["errorInformation"].(map[string]any)["reason"].(string); !strings.Contains(r, "employeeType") || !strings.Contains(r, "[extensionAttribute9]") {
				t.Errorf("failure reason %q does not name the attribute and the error", r)
			}
		}
	}
	if failed != 2 {
		t.Errorf("%d failures logged, want 2", failed)
	}
}
