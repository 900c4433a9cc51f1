package simulate_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/simulate"
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
