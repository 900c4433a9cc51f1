package emulator

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
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
	byID := map[string]map[string]any{}
	var got []string
	for _, r := range body["responses"].([]any) {
		m := r.(map[string]any)
		byID[m["id"].(string)] = m
		got = append(got, fmt.Sprintf("%v:%v", m["id"], m["status"]))
	}
	sort.Strings(got)
	if diff := cmp.Diff([]string{"1:201", "2:204", "3:200", "4:404", "5:424"}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	third := byID["3"]["body"].(map[string]any)
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
		"unknown dependency":         {map[string]any{"id": "a", "method": "GET", "url": "/users", "dependsOn": []any{"z"}}},
		"duplicate id":               {map[string]any{"id": "a", "method": "GET", "url": "/users"}, map[string]any{"id": "a", "method": "GET", "url": "/users"}},
		"ids differing in case only": {map[string]any{"id": "a", "method": "GET", "url": "/users"}, map[string]any{"id": "A", "method": "GET", "url": "/users"}},
		"body without Content-Type":  {map[string]any{"id": "1", "method": "POST", "url": "/policies/crossTenantAccessPolicy/partners", "body": map[string]any{"tenantId": ukID}}},
		"empty":                      {},
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
	statuses := map[any]any{}
	for _, r := range body["responses"].([]any) {
		statuses[r.(map[string]any)["id"]] = r.(map[string]any)["status"]
	}
	if diff := cmp.Diff(map[any]any{"1": 200.0, "2": 403.0}, statuses); diff != "" {
		t.Errorf("roles in a batch (-want +got):\n%s", diff)
	}
}

// TestBatchOrder: by default a $batch's independent requests run in a
// shuffled order and answer in another (seeded: the same seed gives the
// same orders), a request still runs after what it dependsOn; with
// BatchInOrder both follow the request.
func TestBatchOrder(t *testing.T) {
	// Twenty independent creations of partners run in some order: the
	// order the partners were created in is the order they list in.
	run := func(opts Options, dependsOn bool) (answered, ran []string) {
		e := newEnv(t, opts)
		var reqs []any
		for i := range 20 {
			r := map[string]any{"id": strconv.Itoa(i), "method": "POST", "url": "/policies/crossTenantAccessPolicy/partners",
				"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"tenantId": fmt.Sprintf("00000000-0000-4000-8000-%012d", i)}}
			if dependsOn && i > 0 {
				r["dependsOn"] = []any{strconv.Itoa(i - 1)}
			}
			reqs = append(reqs, r)
		}
		body := e.must(200, "POST", ukID, "$batch", map[string]any{"requests": reqs})
		for _, r := range body["responses"].([]any) {
			m := r.(map[string]any)
			if m["status"] != 201.0 {
				t.Fatalf("request %v: %v", m["id"], m)
			}
			answered = append(answered, m["id"].(string))
		}
		for _, p := range values(e.must(200, "GET", ukID, partners, nil)) {
			n, _ := strconv.Atoi(p["tenantId"].(string)[24:])
			ran = append(ran, strconv.Itoa(n))
		}
		return answered, ran
	}
	inOrder := make([]string, 20)
	for i := range inOrder {
		inOrder[i] = strconv.Itoa(i)
	}
	answered, ran := run(Options{Seed: 1}, false)
	if slices.Equal(answered, inOrder) || slices.Equal(ran, inOrder) || slices.Equal(answered, ran) {
		t.Errorf("shuffled batch: answered %v, ran %v; want both shuffled, differently", answered, ran)
	}
	again, ranAgain := run(Options{Seed: 1}, false)
	if !slices.Equal(answered, again) || !slices.Equal(ran, ranAgain) {
		t.Errorf("same seed, other orders: answered %v then %v, ran %v then %v", answered, again, ran, ranAgain)
	}
	if other, _ := run(Options{Seed: 2}, false); slices.Equal(other, answered) {
		t.Errorf("seeds 1 and 2 answered in the same order %v", other)
	}
	if _, chained := run(Options{Seed: 1}, true); !slices.Equal(chained, inOrder) {
		t.Errorf("dependsOn chain ran in order %v", chained)
	}
	if answered, ran := run(Options{BatchInOrder: true}, false); !slices.Equal(answered, inOrder) || !slices.Equal(ran, inOrder) {
		t.Errorf("BatchInOrder: answered %v, ran %v", answered, ran)
	}
}
