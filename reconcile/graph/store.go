package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/xtsync/xtsync/simulate"
)

// deltaDir is the directory beside the snapshots that keeps the delta links.
const deltaDir = ".delta"

// DeltaPath is where the delta state of a tenant's snapshot lives:
// <snapshots>/.delta/<tenant>.json.
func DeltaPath(snapshots, tenant string) string {
	return filepath.Join(snapshots, deltaDir, tenant+".json")
}

// SnapshotPath is <snapshots>/<tenant>.json.
func SnapshotPath(snapshots, tenant string) string {
	return filepath.Join(snapshots, tenant+".json")
}

// ReadDeltaState reads a tenant's delta state; (nil, nil) when there is none.
func ReadDeltaState(snapshots, tenant string) (*DeltaState, error) {
	b, err := os.ReadFile(DeltaPath(snapshots, tenant))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read delta state: %w", err)
	}
	var st DeltaState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read delta state %s: %w", DeltaPath(snapshots, tenant), err)
	}
	return &st, nil
}

// Save writes a tenant's snapshot and then its delta state, each replaced
// atomically (temp file, fsync, rename). A crash between the two leaves a
// new snapshot with the old delta links, which the next pull re-applies
// harmlessly (deltas are idempotent).
func Save(snapshots, tenant string, snap *simulate.Snapshot, st DeltaState) error {
	data, err := EncodeSnapshot(snap)
	if err != nil {
		return fmt.Errorf("encode snapshot of %s: %w", tenant, err)
	}
	if err := os.MkdirAll(filepath.Join(snapshots, deltaDir), 0o700); err != nil {
		return fmt.Errorf("save snapshot of %s: %w", tenant, err)
	}
	if err := WriteFileAtomic(SnapshotPath(snapshots, tenant), data, 0o600); err != nil {
		return fmt.Errorf("save snapshot of %s: %w", tenant, err)
	}
	sb, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(DeltaPath(snapshots, tenant), append(sb, '\n'), 0o600); err != nil {
		return fmt.Errorf("save delta state of %s: %w", tenant, err)
	}
	return nil
}

// WriteFileAtomic replaces path with data: it writes a temp file in the same
// directory, syncs it, renames it over path and syncs the directory. Readers
// see the old file or the new one, never a torn one.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every file system syncs directories
		d.Close()
	}
	return nil
}

// ReadPrevious reads the tenant's current snapshot for an incremental pull;
// (nil, nil) when there is none.
func ReadPrevious(snapshots, tenant string) (*simulate.Snapshot, error) {
	b, err := os.ReadFile(SnapshotPath(snapshots, tenant))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DecodeSnapshot(b, SnapshotPath(snapshots, tenant))
}

// EncodeSnapshot renders a snapshot the way every snapshot file is
// written (simulate.WriteSnapshot: deterministic, one user per line).
func EncodeSnapshot(s *simulate.Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	if err := simulate.WriteSnapshot(&buf, s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeSnapshot reads a snapshot file's bytes (simulate.ReadSnapshot).
func DecodeSnapshot(b []byte, name string) (*simulate.Snapshot, error) {
	return simulate.ReadSnapshot(bytes.NewReader(b), name)
}
