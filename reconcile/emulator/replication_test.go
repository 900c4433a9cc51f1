package emulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReplicationReads(t *testing.T) {
	e := newEnv(t, Options{ReplicationReads: 2})
	inst := e.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": "eu-to-us-2"})
	sp := inst["servicePrincipal"].(map[string]any)
	app := inst["application"].(map[string]any)
	var got []int
	for _, p := range []string{
		"servicePrincipals/" + sp["id"].(string),
		"servicePrincipals(appId='" + sp["appId"].(string) + "')",
		"servicePrincipals/" + sp["id"].(string),
		"applications/" + app["id"].(string),
		"applications/" + app["id"].(string),
		"applications/" + app["id"].(string),
	} {
		got = append(got, e.do("GET", euID, p, nil).Status)
	}
	if diff := cmp.Diff([]int{404, 404, 200, 404, 404, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// A job cannot be created on a service principal still replicating.
	e2 := newEnv(t, Options{ReplicationReads: 1})
	sp2 := e2.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": "x"})["servicePrincipal"].(map[string]any)["id"].(string)
	if r := e2.do("POST", euID, "servicePrincipals/"+sp2+"/synchronization/jobs", map[string]any{"templateId": "Azure2Azure"}); r.Status != 404 {
		t.Errorf("create job during replication: status %d, want 404", r.Status)
	}
}

func TestReplicationDelay(t *testing.T) {
	e := newEnv(t, Options{ReplicationDelay: 200 * time.Millisecond})
	sp := e.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": "x"})["servicePrincipal"].(map[string]any)["id"].(string)
	if r := e.do("GET", euID, "servicePrincipals/"+sp, nil); r.Status != 404 {
		t.Errorf("GET right after instantiate: status %d, want 404", r.Status)
	}
	time.Sleep(250 * time.Millisecond)
	if r := e.do("GET", euID, "servicePrincipals/"+sp, nil); r.Status != 200 {
		t.Errorf("GET after the delay: status %d, want 200", r.Status)
	}
}

func TestStatsCountsReadsAndWrites(t *testing.T) {
	e := newEnv(t, Options{})
	e.must(200, "GET", euID, "users", nil)
	if r := e.do("DELETE", "", e.base+"/_emulator/stats", nil); r.Status != http.StatusNoContent {
		t.Fatalf("reset stats: status %d", r.Status)
	}
	e.must(200, "GET", euID, "users", nil)
	e.must(201, "POST", euID, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": "x"})
	e.must(200, "POST", euID, "$batch", map[string]any{"requests": []map[string]any{
		{"id": "1", "method": "GET", "url": "/users"},
		{"id": "2", "method": "PATCH", "url": "/users/nobody", "body": map[string]any{"jobTitle": "x"}, "headers": map[string]string{"Content-Type": "application/json"}},
	}})
	got := e.must(200, "GET", "", e.base+"/_emulator/stats", nil)
	delete(got, "bytes")
	want := map[string]any{
		"requests": 4.0, "faults": 0.0, "reads": 2.0, "writes": 2.0,
		"byMethod": map[string]any{"GET": 2.0, "POST": 1.0, "PATCH": 1.0},
		"byClass":  map[string]any{"graph": 3.0, "control": 1.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}
