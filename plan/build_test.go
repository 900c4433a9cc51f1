package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/simulate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// exampleSnapshots are small snapshots of the example's tenants in which
// the target holds exactly what base's cycle provisions.
func exampleSnapshots(t testing.TB) Snapshots {
	t.Helper()
	snaps, err := simulate.LoadSnapshots(os.DirFS("testdata/snapshots"), ".")
	if err != nil {
		t.Fatal(err)
	}
	return snaps
}

// TestBuildGolden runs the whole plan on the example: load both revisions,
// simulate both against the same snapshots, build. The golden JSON is the
// contract a reviewer reads.
func TestBuildGolden(t *testing.T) {
	base := exampleFS(t)
	tests := []struct {
		name string
		head fstest.MapFS
		// example: simulate against the example's own snapshots (which
		// lag: base's cycle deletes and disables there) instead of
		// exampleSnapshots.
		example bool
	}{
		// The DONE scenario: GlobalEmployees leaves the EU -> US scope.
		{"scope-group-removed", edit(t, base, eu, "groups: [GlobalEmployees]", "groups: []"), false},
		{"scope-group-replaced", edit(t, base, eu, "groups: [GlobalEmployees]", "groups: [Sales-All]"), false},
		{"quarantine", edit(t, edit(t, base, eu, "groups: [GlobalEmployees]", "groups: []"), eu, "deletionThreshold: 500", "deletionThreshold: 1"), false},
		{"paused", edit(t, edit(t, base, eu, "groups: [GlobalEmployees]", "groups: [Sales-All]"), eu, "enabled: true ", "enabled: false "), false},
		{"mapping-changed", edit(t, base, eu, "ToUpper([jobTitle])", "ToLower([jobTitle])"), false},
		{"unchanged", base, false},
		// Only the threshold is lowered: base's cycle deletes emma and
		// disables david; head's holds both back. The change deletes nobody.
		{"threshold-lowered", edit(t, base, eu, "deletionThreshold: 500", "deletionThreshold: 1"), true},
	}
	br := load(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snaps := exampleSnapshots(t)
			if tt.example {
				var err error
				if snaps, err = simulate.LoadSnapshots(os.DirFS(filepath.Join("..", "testdata", "example", "snapshots")), "."); err != nil {
					t.Fatal(err)
				}
			}
			bres := simulate.Run(br, snaps, simulate.Options{})
			hr := load(t, tt.head)
			p := Build(Input{Base: "base", Head: "head", BaseRepo: br, HeadRepo: hr,
				BaseResult: bres, HeadResult: simulate.Run(hr, snaps, simulate.Options{}), Snapshots: snaps})
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetIndent("", "  ")
			if err := enc.Encode(p); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", tt.name+".json")
			if *update {
				if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", file, diff)
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	base := exampleFS(b)
	br, hr := load(b, base), load(b, edit(b, base, eu, "groups: [GlobalEmployees]", "groups: []"))
	snaps := exampleSnapshots(b)
	bres, hres := simulate.Run(br, snaps, simulate.Options{}), simulate.Run(hr, snaps, simulate.Options{})
	for b.Loop() {
		Build(Input{BaseRepo: br, HeadRepo: hr, BaseResult: bres, HeadResult: hres, Snapshots: snaps})
	}
}
