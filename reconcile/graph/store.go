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
	return DecodeSnapshot(b)
}

// EncodeSnapshot renders a snapshot deterministically.
// TODO(graph): switch to simulate.WriteSnapshot when it lands.
func EncodeSnapshot(s *simulate.Snapshot) ([]byte, error) {
	type jsonSnap struct {
		FormatVersion   int              `json:"formatVersion"`
		TenantID        string           `json:"tenantId"`
		CapturedAt      string           `json:"capturedAt,omitempty"`
		VerifiedDomains []string         `json:"verifiedDomains"`
		Users           []map[string]any `json:"users"`
		Groups          []simulate.Group `json:"groups"`
	}
	js := jsonSnap{FormatVersion: s.FormatVersion, TenantID: s.TenantID, CapturedAt: s.CapturedAt,
		VerifiedDomains: s.VerifiedDomains, Users: []map[string]any{}, Groups: s.Groups}
	if js.VerifiedDomains == nil {
		js.VerifiedDomains = []string{}
	}
	if js.Groups == nil {
		js.Groups = []simulate.Group{}
	}
	for _, u := range s.Users {
		m := map[string]any{}
		for k, v := range u.Attributes {
			m[k] = v
		}
		b, err := json.Marshal(u)
		if err != nil {
			return nil, err
		}
		var known map[string]any
		if err := json.Unmarshal(b, &known); err != nil {
			return nil, err
		}
		for k, v := range known {
			m[k] = v
		}
		js.Users = append(js.Users, m)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(js); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeSnapshot reads a snapshot written by EncodeSnapshot.
// TODO(graph): switch to simulate.ReadSnapshot when it lands.
func DecodeSnapshot(b []byte) (*simulate.Snapshot, error) {
	var raw struct {
		simulate.Snapshot
		Users []map[string]json.RawMessage `json:"users"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	s := raw.Snapshot
	s.Users = nil
	for _, obj := range raw.Users {
		var u simulate.User
		if err := ApplyUser(&u, obj); err != nil {
			return nil, err
		}
		for _, k := range []string{"deleted", "source"} {
			if v, ok := obj[k]; ok && !isNull(v) {
				var err error
				if k == "deleted" {
					err = json.Unmarshal(v, &u.Deleted)
				} else {
					err = json.Unmarshal(v, &u.Source)
				}
				if err != nil {
					return nil, fmt.Errorf("user %q: %s: %w", u.ID, k, err)
				}
			}
		}
		s.Users = append(s.Users, u)
	}
	return &s, nil
}
