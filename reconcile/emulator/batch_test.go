package emulator

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBatch(t *testing.T) {
	e := newEnv(t, Options{})
	body := e.must(200, "POST", usID, "$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/policies/crossTenantAccessPolicy/partners", "headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"tenantId": euID}},
		map[string]any{"id": "2", "method": "PUT", "url": "/policies/crossTenantAccessPolicy/partners/" + euID + "/identitySynchronization", "dependsOn": []any{"1"},
			"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"displayName": "eu", "userSyncInbound": map[string]any{"isSyncAllowed": true}}},
		map[string]any{"id": "3", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users/a1000000-0000-4000-8000-000000000001?$select=department"},
		map[string]any{"id": "4", "method": "GET", "url": "/users/nobody"},
		map[string]any{"id": "5", "method": "GET", "url": "/users", "dependsOn": []any{"4"}},
	}})
	var got []string
	for _, r := range body["responses"].([]any) {
		m := r.(map[string]any)
		got = append(got, fmt.Sprintf("%v:%v", m["id"], m["status"]))
	}
	if diff := cmp.Diff([]string{"1:201", "2:204", "3:200", "4:404", "5:424"}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	third := body["responses"].([]any)[2].(map[string]any)["body"].(map[string]any)
	if third["department"] != "IT" {
		t.Errorf("inner GET body: %v", third)
	}
	pol := e.must(200, "GET", usID, "policies/crossTenantAccessPolicy/partners/"+euID+"/identitySynchronization", nil)
	if pol["userSyncInbound"].(map[string]any)["isSyncAllowed"] != true {
		t.Errorf("batched PUT did not apply: %v", pol)
	}

	var many []any
	for i := range 21 {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/users"})
	}
	for name, reqs := range map[string][]any{
		"too many": many,
		"cycle": {map[string]any{"id": "a", "method": "GET", "url": "/users", "dependsOn": []any{"b"}},
			map[string]any{"id": "b", "method": "GET", "url": "/users", "dependsOn": []any{"a"}}},
		"unknown dependency": {map[string]any{"id": "a", "method": "GET", "url": "/users", "dependsOn": []any{"z"}}},
		"duplicate id":       {map[string]any{"id": "a", "method": "GET", "url": "/users"}, map[string]any{"id": "a", "method": "GET", "url": "/users"}},
		"empty":              {},
	} {
		if r := e.do("POST", usID, "$batch", map[string]any{"requests": reqs}); r.Status != 400 {
			t.Errorf("%s: status %d, want 400", name, r.Status)
		}
	}
	// Inner requests carry the batch's token: its roles apply to each.
	body = e.must(200, "POST", "token:"+Token(usID, []string{"User.Read.All"}), "$batch", map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/users"},
		map[string]any{"id": "2", "method": "GET", "url": "/auditLogs/provisioning"},
	}})
	var statuses []any
	for _, r := range body["responses"].([]any) {
		statuses = append(statuses, r.(map[string]any)["status"])
	}
	if diff := cmp.Diff([]any{200.0, 403.0}, statuses); diff != "" {
		t.Errorf("roles in a batch (-want +got):\n%s", diff)
	}
}
