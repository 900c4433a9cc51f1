package simulate_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/gen"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// TestPrepared: runs on prepared snapshots, one after the other or at the
// same time, with other options or another repository, give what Run gives.
func TestPrepared(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			sc := loadScenario(t, file)
			want := string(marshal(t, simulate.Run(sc.repo, sc.snaps, sc.opts)))
			flipped := simulate.Options{Assumptions: map[string]bool{"restore-on-rescope": false, "internal-guests-skipped": false}}
			wantFlipped := string(marshal(t, simulate.Run(sc.repo, sc.snaps, flipped)))
			p := simulate.Prepare(sc.snaps)
			got := make([]*simulate.Result, 4)
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() {
					if i%2 == 0 {
						got[i] = p.Run(sc.repo, sc.opts)
					} else {
						got[i] = p.Run(sc.repo, flipped)
					}
				})
			}
			wg.Wait()
			for i, res := range got {
				w := want
				if i%2 == 1 {
					w = wantFlipped
				}
				if diff := cmp.Diff(w, string(marshal(t, res))); diff != "" {
					t.Errorf("run %d on the prepared snapshots (-Run +Prepared.Run):\n%s", i, diff)
				}
			}
			if diff := cmp.Diff(want, string(marshal(t, p.Run(sc.repo, sc.opts)))); diff != "" {
				t.Errorf("a later run (-Run +Prepared.Run):\n%s", diff)
			}
		})
	}
}

// TestPreparedWhileLoading: snapshots added as they are read (ReadOptions.
// Loaded, Prepared.Add, each once) simulate as Run simulates them.
func TestPreparedWhileLoading(t *testing.T) {
	out, err := gen.Generate(gen.Options{Tenants: 4, Users: 8000, Configs: 8, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := out.MapFS()
	if err != nil {
		t.Fatal(err)
	}
	repo, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	sources := map[string]bool{}
	for _, sc := range repo.SyncConfigs() {
		sources[sc.Source] = true
	}
	p := simulate.NewPrepared()
	var mu sync.Mutex
	added := map[string]int{}
	snaps, err := simulate.LoadSnapshotsWith(fsys, "snapshots", simulate.ReadOptions{Columnar: true, Loaded: func(tenant string, s *simulate.Snapshot) {
		mu.Lock()
		added[tenant]++
		mu.Unlock()
		p.Add(tenant, s, sources[tenant])
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for name := range snaps {
		want[name] = 1
	}
	if diff := cmp.Diff(want, added); diff != "" {
		t.Errorf("Loaded calls per tenant (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(string(marshal(t, simulate.Run(repo, snaps, simulate.Options{}))), string(marshal(t, p.Run(repo, simulate.Options{})))); diff != "" {
		t.Errorf("(-Run +Prepared.Run):\n%s", diff)
	}
}
