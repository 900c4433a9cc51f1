package cli

import (
	"path/filepath"
	"testing"

	"github.com/xtsync/xtsync/internal/gen"
)

// benchRepo writes `xtsync gen --tenants 100 --configs 200 --seed 1`.
func benchRepo(b *testing.B) string {
	b.Helper()
	out, err := gen.Generate(gen.Options{Tenants: 100, Configs: 200, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "gen")
	if err := out.Write(dir, gen.WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkReconcile100Tenants measures xtsync reconcile on the state of
// `xtsync gen --tenants 100 --configs 200` seeded into the emulator (over
// TLS, through msgraph-sdk-go): the first run from tenants with their
// directories alone, then a run with nothing to do. Requests and writes
// are the emulator's counts (docs/benchmarks.md).
func BenchmarkReconcile100Tenants(b *testing.B) {
	repo := benchRepo(b)
	b.Run("first", func(b *testing.B) {
		var requests, writes int64
		for b.Loop() {
			b.StopTimer()
			x := newE2E(b, e2eOptions{repo: repo})
			x.srv.ResetStats()
			b.StartTimer()
			r := x.reconcile("--allow-deletes")
			b.StopTimer()
			if r.code != ExitOK {
				b.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			st := x.srv.Requests()
			requests, writes = st.Requests, st.Writes
			b.StartTimer()
		}
		b.ReportMetric(float64(requests), "requests/op")
		b.ReportMetric(float64(writes), "writes/op")
	})
	b.Run("no-change", func(b *testing.B) {
		x := newE2E(b, e2eOptions{repo: repo})
		if r := x.reconcile("--allow-deletes"); r.code != ExitOK {
			b.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
		}
		x.reconcile() // the snapshots' delta links are set: the next pulls are incremental
		var requests, writes int64
		for b.Loop() {
			x.srv.ResetStats()
			r := x.reconcile()
			b.StopTimer()
			if r.code != ExitOK || len(r.report.Changes) != 0 {
				b.Fatalf("exit %d, %d changes\n%s", r.code, len(r.report.Changes), r.stderr)
			}
			st := x.srv.Requests()
			requests, writes = st.Requests, st.Writes
			b.StartTimer()
		}
		b.ReportMetric(float64(requests), "requests/op")
		b.ReportMetric(float64(writes), "writes/op")
	})
}
