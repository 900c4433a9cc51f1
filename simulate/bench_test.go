package simulate_test

import (
	"bytes"
	"io"
	"testing"
	"testing/fstest"

	"github.com/xtsync/xtsync/internal/gen"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// genRepo generates a repository with its snapshots in memory.
func genRepo(b *testing.B, users int) (*tenants.Repo, fstest.MapFS) {
	b.Helper()
	out, err := gen.Generate(gen.Options{Tenants: 3, Users: users, Configs: 6, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	fsys, err := out.MapFS()
	if err != nil {
		b.Fatal(err)
	}
	repo, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	return repo, fsys
}

// BenchmarkReadSnapshot decodes one generated snapshot of ~70,000 users.
func BenchmarkReadSnapshot(b *testing.B) {
	_, fsys := genRepo(b, 200_000)
	var data []byte
	for name, f := range fsys {
		if len(f.Data) > len(data) && bytes.HasPrefix([]byte(name), []byte("snapshots/")) {
			data = f.Data
		}
	}
	for _, columnar := range []bool{false, true} {
		name := "maps"
		if columnar {
			name = "columnar"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			users := 0
			for b.Loop() {
				m, err := simulate.LoadSnapshotsWith(fstest.MapFS{"s/x.json": {Data: data}}, "s", simulate.ReadOptions{Columnar: columnar})
				if err != nil {
					b.Fatal(err)
				}
				users += len(m["x"].Users)
			}
			b.ReportMetric(float64(users)/b.Elapsed().Seconds(), "users/s")
		})
	}
}

// BenchmarkRun simulates one cycle of 6 configurations over 3 tenants of
// 200,000 users (the indexes included, the snapshots' loading not). It
// reports two rates:
//
//   - evals/s: user evaluations per second. One evaluation is one
//     (configuration, user) pair a running configuration (active or
//     quarantined) decides about: every user of its source snapshot
//     (assigned or not: the cycle considers each) plus every target user
//     linked to it whose source user is gone from the snapshot. Paused and
//     blocked configurations evaluate nobody. This is the "user evaluations"
//     of the scale target (≥ 2M/s; docs/benchmarks.md).
//   - rows/s: result rows (Result.Users) per second.
func BenchmarkRun(b *testing.B) {
	repo, fsys := genRepo(b, 200_000)
	snaps, err := simulate.LoadSnapshotsWith(fsys, "snapshots", simulate.ReadOptions{Columnar: true})
	if err != nil {
		b.Fatal(err)
	}
	// Every run of the same inputs gives the same result: count once.
	res := simulate.Run(repo, snaps, simulate.Options{})
	evals, rows := simulate.Evaluations(res, snaps), len(res.Users)
	res = nil
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		simulate.Run(repo, snaps, simulate.Options{})
		n++
	}
	b.ReportMetric(float64(evals*n)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWriteResultJSON writes the result of BenchmarkRun's cycle.
func BenchmarkWriteResultJSON(b *testing.B) {
	repo, fsys := genRepo(b, 200_000)
	snaps, err := simulate.LoadSnapshotsWith(fsys, "snapshots", simulate.ReadOptions{Columnar: true})
	if err != nil {
		b.Fatal(err)
	}
	res := simulate.Run(repo, snaps, simulate.Options{})
	b.ReportAllocs()
	for b.Loop() {
		if err := simulate.WriteResultJSON(io.Discard, res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Users)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
