package simulate

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
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
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	t0, c0 := time.Now(), cpu()
	repo, diags := tenants.Load(os.DirFS(dir))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	m, err := LoadSnapshotsWith(os.DirFS(dir), "snapshots", ReadOptions{Columnar: true})
	if err != nil {
		t.Fatal(err)
	}
	t1, c1 := time.Now(), cpu()
	res := Run(repo, m, Options{})
	t2, c2 := time.Now(), cpu()
	if err := WriteResultJSON(io.Discard, res); err != nil {
		t.Fatal(err)
	}
	t3, c3 := time.Now(), cpu()
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
	t.Logf("load %v (CPU %v), run %v (CPU %v), json %v (CPU %v): %d rows, %d evaluations (%.2fM evals/s, %.2fM rows/s in Run); live heap %d MB",
		t1.Sub(t0), c1-c0, t2.Sub(t1), c2-c1, t3.Sub(t2), c3-c2, len(res.Users), evals,
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
