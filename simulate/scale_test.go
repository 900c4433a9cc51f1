package simulate

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/xtsync/xtsync/tenants"
)

// TestScale runs the scale benchmark's dataset when XTSYNC_SCALE names a
// repository written by `xtsync gen` (docs/benchmarks.md); skipped
// otherwise. It reports times and memory; it asserts nothing about speed.
func TestScale(t *testing.T) {
	dir := os.Getenv("XTSYNC_SCALE")
	if dir == "" {
		t.Skip("set XTSYNC_SCALE to a generated repository")
	}
	t0 := time.Now()
	repo, diags := tenants.Load(os.DirFS(dir))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	m, err := LoadSnapshotsWith(os.DirFS(dir), "snapshots", ReadOptions{Columnar: true})
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	res := Run(repo, m, Options{})
	t2 := time.Now()
	if err := WriteResultJSON(io.Discard, res); err != nil {
		t.Fatal(err)
	}
	t3 := time.Now()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if p := os.Getenv("XTSYNC_SCALE_HEAP"); p != "" {
		f, _ := os.Create(p)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	runtime.KeepAlive(m)
	runtime.KeepAlive(res)
	evals := Evaluations(res, m)
	t.Logf("load %v, run %v, json %v: %d rows, %d evaluations (%.2fM evals/s, %.2fM rows/s in Run); live heap %d MB",
		t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), len(res.Users), evals,
		float64(evals)/t2.Sub(t1).Seconds()/1e6, float64(len(res.Users))/t2.Sub(t1).Seconds()/1e6, ms.HeapAlloc>>20)
}

// Evaluations counts the user evaluations of a run (see BenchmarkRun):
// for each running configuration, the users of its source snapshot plus
// its rows whose source user is not in that snapshot.
func Evaluations(res *Result, snaps map[string]*Snapshot) int {
	type key struct{ source, config string }
	running := map[key]bool{}
	n := 0
	for _, c := range res.Configs {
		if c.State == StateActive || c.State == StateQuarantine {
			running[key{c.Source, c.Name}] = true
			n += len(snaps[c.Source].Users)
		}
	}
	ids := map[string]map[string]bool{}
	for i := range res.Users {
		u := &res.Users[i]
		if !running[key{u.Source, u.Config}] {
			continue
		}
		m := ids[u.Source]
		if m == nil {
			m = make(map[string]bool, len(snaps[u.Source].Users))
			for _, su := range snaps[u.Source].Users {
				m[su.ID] = true
			}
			ids[u.Source] = m
		}
		if !m[u.SourceUserID] {
			n++
		}
	}
	return n
}
