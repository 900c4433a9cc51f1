package simulate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/gen"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// TestLoadSnapshotsForms: a generated repository of a few thousand users
// per snapshot (more than the reader samples before sizing its storage)
// reads the same from files on disk (mapped into memory, or gzipped) as
// from memory, with the attributes in maps or in columns, and simulates
// the same.
func TestLoadSnapshotsForms(t *testing.T) {
	out, err := gen.Generate(gen.Options{Tenants: 3, Users: 12000, Groups: 60, Configs: 6, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	dir, gzdir := t.TempDir(), t.TempDir()
	if err := out.Write(dir, gen.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := out.Write(gzdir, gen.WriteOptions{Gzip: true}); err != nil {
		t.Fatal(err)
	}
	mem, err := out.MapFS()
	if err != nil {
		t.Fatal(err)
	}
	repo, diags := tenants.Load(mem)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want, err := simulate.LoadSnapshotsWith(mem, "snapshots", simulate.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantBytes := snapshotBytes(t, want)
	wantRun := marshal(t, simulate.Run(repo, want, simulate.Options{}))
	for _, tt := range []struct {
		name string
		dir  string
		ro   simulate.ReadOptions
	}{
		{"disk maps", dir, simulate.ReadOptions{}},
		{"disk columnar", dir, simulate.ReadOptions{Columnar: true}},
		{"gzip columnar", gzdir, simulate.ReadOptions{Columnar: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := simulate.LoadSnapshotsWith(os.DirFS(tt.dir), "snapshots", tt.ro)
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range got {
				if n := len(s.Users); n < 1000 {
					t.Fatalf("%s has %d users: too few to test the sizing", name, n)
				}
			}
			if diff := cmp.Diff(wantBytes, snapshotBytes(t, got)); diff != "" {
				t.Errorf("snapshots (-memory +disk):\n%s", diff)
			}
			if diff := cmp.Diff(string(wantRun), string(marshal(t, simulate.Run(repo, got, simulate.Options{})))); diff != "" {
				t.Errorf("run (-memory +disk):\n%s", diff)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(gzdir, "snapshots")); err != nil {
		t.Fatal(err)
	}
}
