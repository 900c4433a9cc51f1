package simulate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/gen"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// TestExplainAgreesWithRun: `simulate --user` gives, for every row of the
// full cycle, that very row (same action, reason, target user and changes)
// — the passes after the action table (duplicate mails, manager
// references, the deletion threshold) included — on the example, every
// golden scenario and generated datasets, one of them large enough to hold
// every action and reason.
func TestExplainAgreesWithRun(t *testing.T) {
	type dataset struct {
		repo  *tenants.Repo
		snaps map[string]*simulate.Snapshot
		opts  simulate.Options
	}
	sets := map[string]func(t *testing.T) dataset{
		"example": func(t *testing.T) dataset {
			repo, diags := tenants.Load(os.DirFS("../testdata/example"))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			snaps, err := simulate.LoadSnapshots(os.DirFS("../testdata/example"), repo.Settings.Snapshots)
			if err != nil {
				t.Fatal(err)
			}
			return dataset{repo, snaps, simulate.Options{}}
		},
	}
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	for _, file := range files {
		sets["scenario "+strings.TrimSuffix(filepath.Base(file), ".txtar")] = func(t *testing.T) dataset {
			sc := loadScenario(t, file)
			return dataset{sc.repo, sc.snaps, sc.opts}
		}
	}
	for name, o := range map[string]gen.Options{
		"gen small":        {Tenants: 3, Users: 2000, Groups: 30, Configs: 5, Seed: 3},
		"gen every action": {Tenants: 5, Users: 40000, Groups: 200, Configs: 20, Seed: 1},
	} {
		sets[name] = func(t *testing.T) dataset {
			out, err := gen.Generate(o)
			if err != nil {
				t.Fatal(err)
			}
			repo, snaps, err := out.Load(simulate.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return dataset{repo, snaps, simulate.Options{}}
		}
	}
	for name, load := range sets {
		t.Run(name, func(t *testing.T) {
			d := load(t)
			x := simulate.NewExplainer(d.repo, d.snaps, d.opts)
			res := x.Result()
			if len(res.Users) == 0 && !strings.HasPrefix(name, "scenario") {
				t.Fatal("no rows")
			}
			byUPN := map[string][]simulate.UserResult{}
			var upns []string
			for _, row := range res.Users {
				k := strings.ToLower(row.SourceUserPrincipalName)
				if _, seen := byUPN[k]; !seen {
					upns = append(upns, k)
				}
				byUPN[k] = append(byUPN[k], row)
			}
			bad := 0
			for _, upn := range upns {
				got := map[string]*simulate.UserResult{}
				for _, e := range x.Explain(upn) {
					if e.Result != nil {
						got[e.Source+"/"+e.Config+"/"+e.Result.SourceUserID] = e.Result
					}
				}
				for _, want := range byUPN[upn] {
					g := got[want.Source+"/"+want.Config+"/"+want.SourceUserID]
					if g == nil {
						t.Errorf("--user %s: no result for %s/%s, the cycle's row is %s %s", upn, want.Source, want.Config, want.Action, want.Reason)
					} else if diff := cmp.Diff(want, *g); diff != "" {
						t.Errorf("--user %s, %s/%s (-run +explain):\n%s", upn, want.Source, want.Config, diff)
					}
					if t.Failed() {
						if bad++; bad > 5 {
							t.FailNow()
						}
					}
				}
			}
		})
	}
}
