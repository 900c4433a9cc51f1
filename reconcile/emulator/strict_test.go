package emulator

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite ../template-schema.json (the reconciler's copy) from the emulator's template")

// newJob instantiates a configuration in contoso-eu with a job and
// returns the paths of its service principal and job.
func (e *testEnv) newJob(name string) (sp, job string) {
	e.t.Helper()
	inst := e.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": name})
	sp = "servicePrincipals/" + inst["servicePrincipal"].(map[string]any)["id"].(string)
	j := e.must(201, "POST", euID, sp+"/synchronization/jobs", map[string]any{"templateId": "Azure2Azure"})
	return sp, sp + "/synchronization/jobs/" + j["id"].(string)
}

// schemaWith returns the job's schema (as GET returns it) changed by edit.
func (e *testEnv) schemaWith(job string, edit func(s map[string]any)) map[string]any {
	e.t.Helper()
	s := e.must(200, "GET", euID, job+"/schema", nil)
	delete(s, "@odata.context")
	edit(s)
	return s
}

// userObjMapping returns the user object mapping of a schema.
func userObjMapping(s map[string]any) map[string]any {
	return s["synchronizationRules"].([]any)[0].(map[string]any)["objectMappings"].([]any)[0].(map[string]any)
}

func addMapping(s map[string]any, target string, src map[string]any) {
	om := userObjMapping(s)
	om["attributeMappings"] = append(om["attributeMappings"].([]any), map[string]any{
		"targetAttributeName": target, "flowType": "Always", "flowBehavior": "FlowWhenChanged", "matchingPriority": 0,
		"defaultValue": nil, "exportMissingReferences": false, "source": src})
}

func attrSource(name string) map[string]any {
	return map[string]any{"type": "Attribute", "name": name, "expression": "[" + name + "]", "parameters": []any{}}
}

// TestStrictRequests: what Graph v1.0 refuses, the emulator refuses, with
// Graph's status, error code and message shape — and what Graph accepts
// (the same calls made right) still works.
func TestStrictRequests(t *testing.T) {
	e := newEnv(t, Options{})
	e.setupTrust(true, true, true)
	sp, job := e.newJob("strict")
	is := partners + "/" + euID + "/identitySynchronization"
	secrets := sp + "/synchronization/secrets"

	tests := []struct {
		name         string
		tenant       string
		method, path string
		body         any
		status       int
		code, msg    string
	}{
		// Unknown, beta-only and mistyped properties (400 BadRequest).
		{"partner: unknown property", usID, "PATCH", partners + "/" + euID, map[string]any{"automaticUserConsent": map[string]any{"inboundAllowed": true}},
			400, "BadRequest", "The property 'automaticUserConsent' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'"},
		{"partner: beta-only property", ukID, "POST", partners, map[string]any{"tenantId": euID, "tenantRestrictions": map[string]any{}},
			400, "BadRequest", "'tenantRestrictions' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'. Make sure to only use property names that are defined by the type. It exists in the beta endpoint only"},
		{"partner: nested unknown property", usID, "PATCH", partners + "/" + euID, map[string]any{"automaticUserConsentSettings": map[string]any{"inbound": true}},
			400, "BadRequest", "The property 'inbound' does not exist on type 'microsoft.graph.inboundOutboundPolicyConfiguration'. Make sure to only use property names that are defined by the type. (at automaticUserConsentSettings)"},
		{"partner: string for a boolean", usID, "PATCH", partners + "/" + euID, map[string]any{"automaticUserConsentSettings": map[string]any{"inboundAllowed": "true"}},
			400, "BadRequest", "Cannot convert the literal 'true' to the expected type 'Edm.Boolean'. (at automaticUserConsentSettings.inboundAllowed)"},
		{"partner: array for an object", usID, "PATCH", partners + "/" + euID, map[string]any{"inboundTrust": []any{}},
			400, "BadRequest", "An unexpected 'StartArray' node was found for property named 'inboundTrust' when reading from the JSON reader. A 'StartObject' node was expected."},
		{"partner: enum member", usID, "PATCH", partners + "/" + euID, map[string]any{"b2bCollaborationInbound": map[string]any{"usersAndGroups": map[string]any{"accessType": "permitted"}}},
			400, "BadRequest", "Cannot convert the literal 'permitted' to the expected type 'microsoft.graph.crossTenantAccessPolicyTargetConfigurationAccessType'."},
		{"partner: not JSON", usID, "PATCH", partners + "/" + euID, json.RawMessage(`{"inboundTrust":`), 400, "BadRequest", "Unable to read JSON request payload"},
		{"identitySync: beta-only groupSyncInbound", usID, "PATCH", is, map[string]any{"groupSyncInbound": map[string]any{"isSyncAllowed": true}},
			400, "BadRequest", "'groupSyncInbound' does not exist on type 'microsoft.graph.crossTenantIdentitySyncPolicyPartner'. Make sure to only use property names that are defined by the type. It exists in the beta endpoint only"},
		{"identitySync: number for a boolean", usID, "PATCH", is, map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": 1}},
			400, "BadRequest", "Cannot convert the literal '1' to the expected type 'Edm.Boolean'."},
		{"instantiate: unknown parameter", euID, "POST", "applicationTemplates/" + XTSTemplateID + "/instantiate", map[string]any{"displayName": "x", "tags": []any{"xtsync"}},
			400, "BadRequest", "The parameter 'tags' in the request payload is not a valid parameter for the operation 'instantiate'."},
		{"servicePrincipal: string for a collection", euID, "PATCH", sp, map[string]any{"tags": "xtsync"},
			400, "BadRequest", "An unexpected 'PrimitiveValue' node was found for property named 'tags' when reading from the JSON reader. A 'StartArray' node was expected."},
		{"servicePrincipal: null collection", euID, "PATCH", sp, map[string]any{"tags": nil},
			400, "BadRequest", "A null value was found for the property named 'tags', which has the expected type 'Collection(Edm.String)[Nullable=False]'"},
		{"servicePrincipal: beta-only property", euID, "PATCH", sp, map[string]any{"samlMetadataUrl": "https://x"},
			400, "BadRequest", "It exists in the beta endpoint only"},
		{"servicePrincipal: notes over 1024 characters", euID, "PATCH", sp, map[string]any{"notes": strings.Repeat("é", 1025)},
			400, "BadRequest", "Invalid value specified for property 'notes': it is longer than the maximum allowed size of 1024 characters."},
		{"servicePrincipal: notes of 1024 characters", euID, "PATCH", sp, map[string]any{"notes": strings.Repeat("é", 1024)}, 204, "", ""},
		{"assignment: principalId not a GUID", euID, "POST", sp + "/appRoleAssignedTo", map[string]any{"principalId": "GlobalEmployees", "resourceId": strings.TrimPrefix(sp, "servicePrincipals/"), "appRoleId": "00000000-0000-0000-0000-000000000000"},
			400, "BadRequest", "Cannot convert the literal 'GlobalEmployees' to the expected type 'Edm.Guid'. (at principalId)"},
		{"job: unknown property", euID, "POST", sp + "/synchronization/jobs", map[string]any{"templateId": "Azure2Azure", "template": "x"},
			400, "BadRequest", "The property 'template' does not exist on type 'microsoft.graph.synchronizationJob'."},
		{"restart: reset scope outside the enum", euID, "POST", job + "/restart", map[string]any{"criteria": map[string]any{"resetScope": "Watermark, Everything"}},
			400, "BadRequest", "Cannot convert the literal 'Watermark, Everything' to the expected type 'microsoft.graph.synchronizationJobRestartScope'."},
		{"provisionOnDemand: subjects not a list", euID, "POST", job + "/provisionOnDemand", map[string]any{"parameters": []any{map[string]any{"ruleId": "USER_INBOUND_USER", "subjects": map[string]any{}}}},
			400, "BadRequest", "A 'StartArray' node was expected."},

		{"members $ref: a property instead of @odata.id", euID, "POST", "groups/e2000000-0000-4000-8000-000000000001/members/$ref", map[string]any{"id": "e1000000-0000-4000-8000-000000000002"},
			400, "BadRequest", "The property 'id' does not exist on type 'microsoft.graph.referenceCreate'."},
		{"members $ref: @odata.id", euID, "POST", "groups/e2000000-0000-4000-8000-000000000001/members/$ref", map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/e1000000-0000-4000-8000-000000000004"},
			204, "", ""},

		// Secrets: keys from the synchronizationSecret enumeration only.
		{"secrets: key outside the enum", euID, "PUT", secrets, map[string]any{"value": []any{map[string]any{"key": "CompanyId", "value": usID}, map[string]any{"key": "TargetTenant", "value": usID}}},
			400, "BadRequest", "Cannot convert the literal 'TargetTenant' to the expected type 'microsoft.graph.synchronizationSecret'. (at value[1].key)"},
		{"validateCredentials: key outside the enum", euID, "POST", sp + "/synchronization/jobs/validateCredentials", map[string]any{"templateId": "Azure2Azure", "credentials": []any{map[string]any{"key": "TenantId", "value": usID}}},
			400, "BadRequest", "Cannot convert the literal 'TenantId' to the expected type 'microsoft.graph.synchronizationSecret'."},
		{"secrets: the documented keys", euID, "PUT", secrets, map[string]any{"value": []any{
			map[string]any{"key": "AuthenticationType", "value": "SyncPolicy"}, map[string]any{"key": "CompanyId", "value": usID},
			map[string]any{"key": "SyncAll", "value": "false"}, map[string]any{"key": "SyncNotificationSettings", "value": `{"Enabled":false,"DeleteThresholdEnabled":true,"DeleteThresholdValue":500}`}}},
			204, "", ""},

		// Duplicates and order (409, 400).
		{"second partner", usID, "POST", partners, map[string]any{"tenantId": euID},
			409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property tenantId already exists."},
		{"second identitySynchronization", usID, "PUT", is, map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}},
			409, "Request_MultipleObjectsWithSameKeyValue", "A conflicting object with one or more of the specified property values is present in the directory."},
		{"partner before its identitySynchronization", usID, "DELETE", partners + "/" + euID, nil,
			400, "Request_BadRequest", "includes a user synchronization policy: delete its identitySynchronization first"},
		{"PATCH of a missing identitySynchronization", euID, "PATCH", partners + "/" + usID + "/identitySynchronization", map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}},
			404, "Directory_ObjectNotFound", ""},

		// $batch.
		{"batch: unknown request property", euID, "POST", "$batch", map[string]any{"requests": []any{map[string]any{"id": "1", "method": "GET", "url": "/users", "atomicityGroup": "a"}}},
			400, "BadRequest", "The property 'atomicityGroup' does not exist on type 'microsoft.graph.batchRequest'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doRaw(tt.method, tt.tenant, tt.path, tt.body)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %v", r.Status, tt.status, r.Body)
			}
			if tt.code == "" {
				return
			}
			ge, _ := r.Body["error"].(map[string]any)
			if ge["code"] != tt.code || !strings.Contains(ge["message"].(string), tt.msg) {
				t.Errorf("error %v %q, want %s with %q", ge["code"], ge["message"], tt.code, tt.msg)
			}
			if ie, _ := ge["innerError"].(map[string]any); ie["request-id"] == nil || ie["date"] == nil {
				t.Errorf("error without Graph's innerError: %v", ge)
			}
		})
	}
}

// doRaw is do that sends a json.RawMessage body as it is, even when it is
// not JSON.
func (e *testEnv) doRaw(method, tenant, path string, body any) result {
	e.t.Helper()
	raw, isRaw := body.(json.RawMessage)
	if !isRaw {
		return e.do(method, tenant, path, body)
	}
	req, err := http.NewRequest(method, e.base+"/v1.0/"+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+Token(tenant, nil))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	r := result{Status: resp.StatusCode, Header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&r.Body); err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// TestStrictSchema: a schema PUT must be a whole schema whose names the
// directories define; the matching attribute cannot change; the beta-only
// parts of a rule are refused. A schema made right is accepted and read
// back as it was put.
func TestStrictSchema(t *testing.T) {
	e := newEnv(t, Options{})
	_, job := e.newJob("schema")
	tests := []struct {
		name string
		edit func(s map[string]any)
		msg  string // "" = accepted
	}{
		{"as read", func(map[string]any) {}, ""},
		{"a mapping of a defined attribute", func(s map[string]any) { addMapping(s, "employeeType", attrSource("employeeType")) }, ""},
		{"an expression over defined attributes", func(s map[string]any) {
			addMapping(s, "companyName", map[string]any{"type": "Function", "name": "Join", "expression": `Join(" ", [givenName], [surname])`, "parameters": []any{}})
		}, ""},
		{"a directory extension added to both directories, then mapped", func(s map[string]any) {
			for _, d := range s["directories"].([]any) {
				user := d.(map[string]any)["objects"].([]any)[0].(map[string]any)
				user["attributes"] = append(user["attributes"].([]any), map[string]any{"name": "extension_abc_costCenter", "type": "String", "multivalued": false})
			}
			addMapping(s, "extension_abc_costCenter", attrSource("extension_abc_costCenter"))
		}, ""},
		{"no directories", func(s map[string]any) { delete(s, "directories") }, "The schema is not whole: a PUT replaces the schema, so it needs its directories and its synchronizationRules"},
		{"no rules", func(s map[string]any) { s["synchronizationRules"] = []any{} }, "this one has 2 directories and 0 rules"},
		{"a target attribute the directories do not define", func(s map[string]any) { addMapping(s, "costCenter", attrSource("department")) },
			"The targetAttributeName 'costCenter' of object mapping 'Provision Azure Active Directory Users' of synchronization rule 'USER_INBOUND_USER' is not an attribute of object 'User' of directory 'Azure Active Directory (target tenant)'."},
		{"a source attribute the directories do not define", func(s map[string]any) { addMapping(s, "extensionAttribute1", attrSource("company")) },
			"reads the attribute 'company', which is not defined"},
		{"a Graph name instead of the provisioning name", func(s map[string]any) { addMapping(s, "mobile", attrSource("mobilePhone")) },
			"reads the attribute 'mobilePhone', which is not defined"},
		{"an expression reading an undefined attribute", func(s map[string]any) {
			addMapping(s, "extensionAttribute2", map[string]any{"type": "Function", "name": "ToUpper", "expression": "ToUpper([organization])", "parameters": []any{}})
		}, "reads the attribute 'organization', which is not defined"},
		{"an expression that does not parse", func(s map[string]any) {
			addMapping(s, "extensionAttribute3", map[string]any{"type": "Function", "name": "Join", "expression": `Join(" ", [givenName]`, "parameters": []any{}})
		}, "cannot parse the expression"},
		{"a scoping clause on an undefined attribute", func(s map[string]any) {
			g := userObjMapping(s)["scope"].(map[string]any)["groups"].([]any)[0].(map[string]any)
			g["clauses"] = append(g["clauses"].([]any), map[string]any{"operatorName": "EQUALS", "sourceOperandName": "division", "targetOperand": map[string]any{"values": []any{"x"}}})
		}, "The sourceOperandName 'division' of scoping filter 'Filter external users'"},
		{"a scoping clause with an unknown operator", func(s map[string]any) {
			g := userObjMapping(s)["scope"].(map[string]any)["groups"].([]any)[0].(map[string]any)
			g["clauses"] = append(g["clauses"].([]any), map[string]any{"operatorName": "CONTAINS", "sourceOperandName": "department", "targetOperand": map[string]any{"values": []any{"x"}}})
		}, "The operatorName 'CONTAINS' of scoping filter 'Filter external users'"},
		{"a rule naming no directory", func(s map[string]any) {
			s["synchronizationRules"].([]any)[0].(map[string]any)["targetDirectoryName"] = "Microsoft Entra ID (target tenant)"
		}, "The targetDirectoryName 'Microsoft Entra ID (target tenant)' of synchronization rule 'USER_INBOUND_USER' matches no directory definition"},
		{"an object mapping naming no object", func(s map[string]any) { userObjMapping(s)["sourceObjectName"] = "Person" },
			"The sourceObjectName 'Person' of object mapping 'Provision Azure Active Directory Users'"},
		{"an attribute defined twice", func(s map[string]any) {
			user := s["directories"].([]any)[0].(map[string]any)["objects"].([]any)[0].(map[string]any)
			user["attributes"] = append(user["attributes"].([]any), map[string]any{"name": "city", "type": "String"})
		}, "The attribute name 'city' is used twice in object 'User' of directory 'Azure Active Directory'"},
		{"a second matching attribute", func(s map[string]any) {
			for _, m := range userObjMapping(s)["attributeMappings"].([]any) {
				if m.(map[string]any)["targetAttributeName"] == "mail" {
					m.(map[string]any)["matchingPriority"] = 2
				}
			}
		}, "schemaInvalid: 'mail' of object mapping 'Provision Azure Active Directory Users' cannot become a matching attribute"},
		{"the matching mapping removed", func(s map[string]any) {
			om := userObjMapping(s)
			om["attributeMappings"] = om["attributeMappings"].([]any)[1:]
		}, "schemaInvalid: the matching attribute 'alternativeSecurityIds' of object mapping 'Provision Azure Active Directory Users' (matchingPriority 1) cannot be changed or removed."},
		{"a beta-only rule property", func(s map[string]any) {
			s["synchronizationRules"].([]any)[0].(map[string]any)["containerFilter"] = map[string]any{"includedContainers": []any{}}
		}, "The property 'containerFilter' does not exist on type 'microsoft.graph.synchronizationRule'. Make sure to only use property names that are defined by the type. It exists in the beta endpoint only"},
		{"a flow type outside the enum", func(s map[string]any) {
			userObjMapping(s)["attributeMappings"].([]any)[3].(map[string]any)["flowType"] = "OnCreate"
		}, "Cannot convert the literal 'OnCreate' to the expected type 'microsoft.graph.attributeFlowType'. (at synchronizationRules[0].objectMappings[0].attributeMappings[3].flowType)"},
		{"object flow types outside the enum", func(s map[string]any) { userObjMapping(s)["flowTypes"] = "Add, Update, Remove" },
			"Cannot convert the literal 'Add, Update, Remove' to the expected type 'microsoft.graph.objectFlowTypes'."},
		{"an expression over 10,000 characters", func(s map[string]any) {
			addMapping(s, "extensionAttribute4", map[string]any{"type": "Function", "name": "Join", "expression": `Join("", [givenName]` + strings.Repeat(`, [surname]`, 1000) + `)`, "parameters": []any{}})
		}, "Invalid value specified for property 'expression': it is longer than the maximum allowed size of 10000 characters."},
		{"a string for an integer", func(s map[string]any) {
			userObjMapping(s)["attributeMappings"].([]any)[3].(map[string]any)["matchingPriority"] = "0"
		}, "Cannot convert the literal '0' to the expected type 'Edm.Int32'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := e.schemaWith(job, tt.edit)
			r := e.do("PUT", euID, job+"/schema", s)
			if tt.msg == "" {
				if r.Status != 204 {
					t.Fatalf("PUT: %d %v", r.Status, r.Body)
				}
				got := e.must(200, "GET", euID, job+"/schema", nil)
				delete(got, "@odata.context")
				var want map[string]any
				b, _ := json.Marshal(s)
				_ = json.Unmarshal(b, &want)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("read back (-put +got):\n%s", diff)
				}
				return
			}
			if r.Status != 400 {
				t.Fatalf("PUT: %d, want 400 (%s)", r.Status, tt.msg)
			}
			if msg := r.Body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q\nwant it to contain %q", msg, tt.msg)
			}
		})
	}
}

// TestOutputsAreValidInput: what the emulator returns can be sent back:
// every object a GET answers validates against the type of its writes
// (a client that round-trips a GET is never refused for the emulator's own
// properties).
func TestOutputsAreValidInput(t *testing.T) {
	e := newEnv(t, Options{})
	e.setupTrust(true, true, true)
	sp, job := e.newJob("round-trip")
	spID := strings.TrimPrefix(sp, "servicePrincipals/")
	group := "e2000000-0000-4000-8000-000000000001"
	roles := e.must(200, "GET", euID, sp, nil)["appRoles"].([]any)
	e.must(201, "POST", euID, sp+"/appRoleAssignedTo", map[string]any{"principalId": group, "resourceId": spID, "appRoleId": roles[0].(map[string]any)["id"]})
	appID := e.must(200, "GET", euID, sp, nil)["appId"].(string)
	tpl := values(e.must(200, "GET", euID, sp+"/synchronization/templates", nil))[0]["schema"]
	for _, tc := range []struct {
		typ, tenant, path string
		pick              func(map[string]any) any
	}{
		{"crossTenantAccessPolicyConfigurationPartner", usID, partners + "/" + euID, nil},
		{"crossTenantIdentitySyncPolicyPartner", usID, partners + "/" + euID + "/identitySynchronization", nil},
		{"servicePrincipal", euID, sp, nil},
		{"application", euID, "applications(appId='" + appID + "')", nil},
		{"synchronizationJob", euID, job, nil},
		{"synchronizationSchema", euID, job + "/schema", nil},
		{"appRoleAssignment", euID, sp + "/appRoleAssignedTo", func(b map[string]any) any { return values(b)[0] }},
		{"synchronizationSchema", euID, sp + "/synchronization/templates", func(map[string]any) any { return tpl }},
		{"synchronizationSecrets", euID, sp + "/synchronization/secrets", nil},
	} {
		body := e.must(200, "GET", tc.tenant, tc.path, nil)
		var v any = body
		if tc.pick != nil {
			v = tc.pick(body)
		}
		b, _ := json.Marshal(v)
		if r := validateBody(graphTypes, tc.typ, b); r != nil {
			t.Errorf("GET %s does not validate as %s: %v", tc.path, tc.typ, r.body)
		}
	}
}

// TestGraphTypesTable: every type the table and the routes name exists,
// every entry cites a v1.0 page, and docs/emulator.md cites every page.
func TestGraphTypesTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/emulator.md")
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`^(?:Collection\()?([A-Za-z0-9]+)(?:\(\d+\))?\)?\??$`)
	prims := []string{"String", "Boolean", "Int32", "Int64", "Guid", "DateTimeOffset", "Duration", "Any", "Object"}
	var missing []string
	for name, bt := range graphTypes {
		if !strings.HasPrefix(bt.Page, "api-reference/v1.0/") && !strings.HasPrefix(bt.Page, "concepts/") {
			t.Errorf("%s: page %q is not a v1.0 reference page", name, bt.Page)
		}
		if !bytes.Contains(doc, []byte(bt.Page[strings.LastIndexByte(bt.Page, '/')+1:])) {
			missing = append(missing, bt.Page)
		}
		if (bt.Enum == nil) == (bt.Props == nil) {
			t.Errorf("%s: a type has properties or members, not both or neither", name)
		}
		for p, pt := range bt.Props {
			m := ref.FindStringSubmatch(pt)
			if m == nil || (!slices.Contains(prims, m[1]) && graphTypes[m[1]] == nil) {
				t.Errorf("%s.%s: unknown type %q", name, p, pt)
			}
		}
		for _, b := range bt.Beta {
			if _, both := bt.Props[b]; both {
				t.Errorf("%s.%s is listed as v1.0 and as beta-only", name, b)
			}
		}
	}
	sort.Strings(missing)
	if missing = slices.Compact(missing); len(missing) > 0 {
		t.Errorf("docs/emulator.md does not cite these pages:\n%s", strings.Join(missing, "\n"))
	}
}

// TestTemplateAgreesWithReconciler: the reconciler's copy of the
// Azure2Azure template (reconcile/template-schema.json) is the emulator's
// (-update rewrites it).
func TestTemplateAgreesWithReconciler(t *testing.T) {
	const path = "../template-schema.json"
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	var v any
	b, _ := json.Marshal(defaultSchema())
	_ = json.Unmarshal(b, &v) // keys sorted
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if diff := cmp.Diff(v, g); diff != "" {
		t.Errorf("%s differs from the emulator's template (-emulator +reconciler; go test -update rewrites it):\n%s", path, diff)
	}
}

// FuzzValidateBody: the body check never panics, answers the same for the
// same body, and what it accepts it accepts again once decoded and
// re-encoded (key order and spacing do not matter).
func FuzzValidateBody(f *testing.F) {
	names := make([]string, 0, len(graphTypes))
	for n, bt := range graphTypes {
		if bt.Enum == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	// A small schema: the fuzzer makes little progress mutating the whole
	// template (60 kB).
	f.Add(uint8(slices.Index(names, "synchronizationSchema")), `{"directories":[{"name":"A","objects":[{"name":"User","attributes":[{"name":"mail","type":"String","multivalued":false,"metadata":[]}]}]}],`+
		`"synchronizationRules":[{"name":"R","priority":1,"sourceDirectoryName":"A","objectMappings":[{"flowTypes":"Add, Update","scope":{"groups":[{"clauses":[{"operatorName":"EQUALS","targetOperand":{"values":["x"]}}]}]},`+
		`"attributeMappings":[{"matchingPriority":0,"flowType":"Always","source":{"type":"Function","expression":"Join(\" \", [mail])","parameters":null}}]}]}]}`)
	f.Add(uint8(slices.Index(names, "crossTenantAccessPolicyConfigurationPartner")), `{"tenantId":"x","automaticUserConsentSettings":{"inboundAllowed":true},"@odata.type":"#microsoft.graph.x"}`)
	f.Add(uint8(slices.Index(names, "synchronizationSecrets")), `{"value":[{"key":"companyid","value":"x"},{"key":"SyncAll","value":null}]}`)
	f.Add(uint8(slices.Index(names, "restart")), `{"criteria":{"resetScope":" Watermark ,Escrows"}}`)
	f.Add(uint8(slices.Index(names, "appRoleAssignment")), `{"principalId":"E2000000-0000-4000-8000-000000000001","createdDateTime":"2026-01-01T00:00:00.5+01:00"}`)
	f.Add(uint8(0), `[1,2]`)
	f.Fuzz(func(t *testing.T, i uint8, body string) {
		typ := names[int(i)%len(names)]
		r := validateBody(graphTypes, typ, []byte(body))
		if again := validateBody(graphTypes, typ, []byte(body)); (r == nil) != (again == nil) || (r != nil && r.body != again.body) {
			t.Fatalf("%s %q: %v, then %v", typ, body, r, again)
		}
		if r != nil {
			if r.status != 400 {
				t.Fatalf("%s %q: status %d", typ, body, r.status)
			}
			return
		}
		var v any
		if json.Unmarshal([]byte(body), &v) != nil {
			return // empty or blank: left to the handler
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if r := validateBody(graphTypes, typ, b); r != nil {
			t.Fatalf("%s: %q accepted, re-encoded %s refused: %v", typ, body, b, r.body)
		}
	})
}

// BenchmarkCheckSchemaPut: what the strictness adds to a schema PUT of the
// whole template: the body check against the reference table and the
// schema rules (names defined by the directories, expressions parsed).
func BenchmarkCheckSchemaPut(b *testing.B) {
	s := defaultSchema()
	body, _ := json.Marshal(s)
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := validateBody(graphTypes, "synchronizationSchema", body); r != nil {
			b.Fatal(r.body)
		}
		if e := checkSchema(v, v); e != nil {
			b.Fatal(e)
		}
	}
}
