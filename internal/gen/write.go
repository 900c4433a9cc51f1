package gen

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// WriteOptions say how Output.Write lays the repository out.
type WriteOptions struct {
	// Gzip writes snapshots/<tenant>.json.gz instead of .json.
	Gzip bool
	// Workers is the number of snapshots written at once (default GOMAXPROCS).
	Workers int
}

// SnapshotPath is the path of a tenant's snapshot in the repository.
func SnapshotPath(tenant string, gz bool) string {
	if gz {
		return "snapshots/" + tenant + ".json.gz"
	}
	return "snapshots/" + tenant + ".json"
}

// Write writes the repository under dir: xtsync.yaml, tenants/*.yaml and
// snapshots/*.json (or .json.gz). It overwrites files of the same names
// and leaves other files alone.
func (o *Output) Write(dir string, wo WriteOptions) error {
	for _, f := range o.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755); err != nil {
		return fmt.Errorf("write snapshots: %w", err)
	}
	workers := wo.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(o.Snapshots))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(o.Snapshots)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = writeSnapshot(dir, o.Snapshots[i], wo.Gzip)
			}
		}()
	}
	for i := range o.Snapshots {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func writeSnapshot(dir string, s *Snapshot, gz bool) (err error) {
	rel := SnapshotPath(s.Tenant, gz)
	f, err := os.Create(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", rel, cerr)
		}
	}()
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		// BestSpeed: the snapshots are large and compress well anyway; the
		// header carries no name or time, so the bytes stay reproducible.
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	if _, err := s.WriteTo(w); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
	}
	return nil
}
