package simulate

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/xtsync/xtsync/tenants"
)

func TestBigLoad(t *testing.T) {
	dir := os.Getenv("XTSYNC_BIG")
	if dir == "" {
		t.Skip()
	}
	t0 := time.Now()
	repo, diags := tenants.Load(os.DirFS(dir))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	m, err := LoadSnapshotsWith(os.DirFS(dir), "snapshots", ReadOptions{Columnar: os.Getenv("COL") != ""})
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	res := Run(repo, m, Options{})
	t2 := time.Now()
	w := bufio.NewWriterSize(io.Discard, 1<<20)
	json.NewEncoder(w).Encode(res)
	t3 := time.Now()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(m)
	t.Logf("load %v run %v json %v rows %d, heap %d MB, sys %d MB", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), len(res.Users), ms.HeapAlloc>>20, ms.Sys>>20)
	for _, c := range res.Configs {
		t.Logf("%+v", c)
	}
}
