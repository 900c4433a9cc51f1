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
	}{
		// The DONE scenario: GlobalEmployees leaves the EU -> US scope.
		{"scope-group-removed", edit(t, base, eu, "groups: [GlobalEmployees]", "groups: []")},
		{"scope-group-replaced", edit(t, base, eu, "groups: [GlobalEmployees]", "groups: [Sales-All]")},
		{"quarantine", edit(t, edit(t, base, eu, "groups: [GlobalEmployees]", "groups: []"), eu, "deletionThreshold: 500", "deletionThreshold: 1")},
		{"paused", edit(t, edit(t, base, eu, "groups: [GlobalEmployees]", "groups: [Sales-All]"), eu, "enabled: true ", "enabled: false ")},
		{"mapping-changed", edit(t, base, eu, "ToUpper([jobTitle])", "ToLower([jobTitle])")},
		{"unchanged", base},
	}
	snaps := exampleSnapshots(t)
	br := load(t, base)
	bres := simulate.Run(br, snaps, simulate.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
