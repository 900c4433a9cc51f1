package gen

import (
	"bytes"
	"fmt"
	"testing/fstest"

	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// MapFS renders the whole repository, snapshots included (uncompressed),
// into memory: for tests and benchmarks that read it through fs.FS.
func (o *Output) MapFS() (fstest.MapFS, error) {
	fsys := fstest.MapFS{}
	for _, f := range o.Files {
		fsys[f.Path] = &fstest.MapFile{Data: f.Data}
	}
	for _, s := range o.Snapshots {
		var buf bytes.Buffer
		if _, err := s.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("render snapshot of %s: %w", s.Tenant, err)
		}
		fsys[SnapshotPath(s.Tenant, false)] = &fstest.MapFile{Data: buf.Bytes()}
	}
	return fsys, nil
}

// Load renders the output into memory and loads it as xtsync does: the
// repository (an error when it has load errors) and its snapshots, read
// with ro. For tests and benchmarks that simulate generated data.
func (o *Output) Load(ro simulate.ReadOptions) (*tenants.Repo, map[string]*simulate.Snapshot, error) {
	fsys, err := o.MapFS()
	if err != nil {
		return nil, nil, err
	}
	repo, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		return nil, nil, fmt.Errorf("load the generated repository: %w", diags)
	}
	snaps, err := simulate.LoadSnapshotsWith(fsys, "snapshots", ro)
	if err != nil {
		return nil, nil, err
	}
	return repo, snaps, nil
}
