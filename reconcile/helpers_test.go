package reconcile

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func loadExample(t testing.TB) (*tenants.Repo, Directory) {
	t.Helper()
	fsys := os.DirFS("../testdata/example")
	repo, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		t.Fatalf("load example: %v", diags)
	}
	snaps, err := simulate.LoadSnapshots(fsys, "snapshots")
	if err != nil {
		t.Fatalf("load snapshots: %v", err)
	}
	return repo, NewDirectory(plan.Snapshots(snaps))
}

// liveOf is what Graph would hold after every change of desired applied:
// ids given, schemas merged into the template, tags, nothing else.
func liveOf(t testing.TB, desired *State) *State {
	t.Helper()
	b, err := json.Marshal(desired)
	if err != nil {
		t.Fatal(err)
	}
	var live State
	if err := json.Unmarshal(b, &live); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, id := range sortedKeys(live.Tenants) {
		lt, dt := live.Tenants[id], desired.Tenants[id]
		lt.Name = ""
		for i, c := range lt.Configs {
			dc := dt.Configs[i]
			n++
			if c.ServicePrincipalID == "" {
				c.ServicePrincipalID = fmt.Sprintf("00000000-0000-0000-0000-%012d", n)
			}
			c.Source, c.Name = "", ""
			c.ApplicationID, c.AppID, c.AppRoleID = "app-"+c.ServicePrincipalID, "appid-"+c.ServicePrincipalID, "role-msiam"
			c.Job.ID = "Azure2Azure.job" + c.ServicePrincipalID[len(c.ServicePrincipalID)-4:]
			if dc.conf != nil {
				s, err := MergeSchema(TemplateSchema(), dc.conf)
				if err != nil {
					t.Fatal(err)
				}
				c.Job.Schema = s
			}
			for j := range c.Assignments {
				c.Assignments[j].ID = fmt.Sprintf("asg-%d-%d", n, j)
				c.Assignments[j].AppRoleID = "role-msiam"
			}
		}
	}
	return &live
}

type golden struct {
	Changes   []goldenChange `json:"changes"`
	Ownership Ownership      `json:"ownership"`
	Problems  []Problem      `json:"problems,omitempty"`
}

type goldenChange struct {
	Change
	Merges bool `json:"mergesSchema,omitempty"`
}

func checkGolden(t *testing.T, name string, cs ChangeSet, own Ownership, problems []Problem) {
	t.Helper()
	g := golden{Ownership: own, Problems: problems, Changes: []goldenChange{}}
	for _, c := range cs {
		g.Changes = append(g.Changes, goldenChange{Change: c, Merges: c.MergeSchema != nil})
	}
	got, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}

func objects(cs ChangeSet) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, string(c.Action)+" "+c.Object)
	}
	return out
}

func tenantByName(s *State, name string) *TenantState {
	for _, t := range s.Tenants {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func configNamed(ts *TenantState, name string) *SyncConfig {
	for _, c := range ts.Configs {
		if c.DisplayName == name || strings.HasSuffix(taggedKey(c.Tags), "/"+name) {
			return c
		}
	}
	return nil
}
