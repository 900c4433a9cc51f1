package gen

import (
	"bytes"
	"fmt"
	"testing/fstest"
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
