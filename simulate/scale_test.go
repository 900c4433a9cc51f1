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
	t.Logf("load %v, run %v, json %v: %d rows; live heap %d MB", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), len(res.Users), ms.HeapAlloc>>20)
}
