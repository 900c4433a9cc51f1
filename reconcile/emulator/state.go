package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// stateFormatVersion is the version of state.json.
const stateFormatVersion = 1

// stateFile is the name of the persisted state inside Options.StateDir.
const stateFile = "state.json"

// state is everything the emulator holds; it is persisted as one JSON file.
type state struct {
	FormatVersion int           `json:"formatVersion"`
	Counter       uint64        `json:"counter"` // ids and request ids are derived from it
	Tenants       []*tenantData `json:"tenants"`
}

// tenantData is one tenant's directory and configuration objects.
type tenantData struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Version counts directory changes; every user and group records the
	// version of its last change, which is what delta tokens compare.
	Version           int64                     `json:"version"`
	Epoch             string                    `json:"epoch,omitempty"` // changes when the tenant is reseeded
	VerifiedDomains   []string                  `json:"verifiedDomains,omitempty"`
	Users             []*dirObject              `json:"users"`  // sorted by id
	Groups            []*dirObject              `json:"groups"` // sorted by id
	Partners          []map[string]any          `json:"partners"`
	IdentitySync      map[string]map[string]any `json:"identitySynchronization"` // partner tenant id -> policy
	Applications      []map[string]any          `json:"applications"`
	ServicePrincipals []*servicePrincipal       `json:"servicePrincipals"`
	Logs              []map[string]any          `json:"provisioningLogs"`

	users  map[string]*dirObject
	groups map[string]*dirObject
	// enc is the tenant's JSON as last saved; nil once it changed (touch).
	enc []byte
}

// touch marks the tenant changed: the next save encodes it again.
func (t *tenantData) touch() { t.enc = nil }

// dirObject is a user or a group. Props are its Graph properties (for a
// group without members).
type dirObject struct {
	Props   map[string]any `json:"props"`
	Version int64          `json:"version"`
	Created int64          `json:"created"` // version of creation (or restore)
	// PropVersion is the version of each property changed after the
	// object's creation (or restore), so an incremental delta returns what
	// changed.
	PropVersion map[string]int64 `json:"propVersion,omitempty"`
	SoftDeleted bool             `json:"softDeleted,omitempty"`
	Removed     bool             `json:"removed,omitempty"` // permanently deleted: a tombstone for delta
	// SourceKey is "<source tenant id>/<source user id>" on a B2B user: the
	// engine's matching attribute (alternativeSecurityIds from netId),
	// which Graph v1.0 does not expose.
	SourceKey string         `json:"sourceKey,omitempty"`
	Members   []string       `json:"members,omitempty"`
	MemberLog []memberChange `json:"memberLog,omitempty"`
}

// memberChange is one membership change of a group, for groups delta.
type memberChange struct {
	ID      string `json:"id"`
	Removed bool   `json:"removed,omitempty"`
	Version int64  `json:"version"`
}

// servicePrincipal is a service principal with what hangs off it.
type servicePrincipal struct {
	Props       map[string]any   `json:"props"`
	Jobs        []*syncJob       `json:"jobs"`
	Secrets     []map[string]any `json:"secrets"`
	Assignments []map[string]any `json:"appRoleAssignedTo"`
}

// syncJob is a synchronization job and its schema.
type syncJob struct {
	Props  map[string]any `json:"props"`
	Schema map[string]any `json:"schema"`
	// ForceDeletes lets the next cycle exceed the deletion threshold
	// (restart with resetScope ForceDeletes, the portal's "Allow deletes").
	ForceDeletes bool `json:"forceDeletes,omitempty"`
	// Seeded marks a job LoadSnapshots made for a configuration a snapshot
	// names: its scope is unknown until someone assigns principals to it.
	Seeded bool `json:"seeded,omitempty"`
}

func (s *servicePrincipal) id() string { return str(s.Props["id"]) }

// str returns v if it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// index rebuilds the id lookup maps.
func (t *tenantData) index() {
	t.users = make(map[string]*dirObject, len(t.Users))
	for _, u := range t.Users {
		t.users[str(u.Props["id"])] = u
	}
	t.groups = make(map[string]*dirObject, len(t.Groups))
	for _, g := range t.Groups {
		t.groups[str(g.Props["id"])] = g
	}
	if t.IdentitySync == nil {
		t.IdentitySync = map[string]map[string]any{}
	}
}

// insertSorted puts o into list, kept sorted by id.
func insertSorted(list []*dirObject, o *dirObject) []*dirObject {
	id := str(o.Props["id"])
	i := sort.Search(len(list), func(i int) bool { return str(list[i].Props["id"]) >= id })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = o
	return list
}

// tenant returns the tenant with this id or name, or nil.
func (st *state) tenant(nameOrID string) *tenantData {
	for _, t := range st.Tenants {
		if strings.EqualFold(t.ID, nameOrID) || (t.Name != "" && t.Name == nameOrID) {
			return t
		}
	}
	return nil
}

// addTenant adds an empty tenant.
func (st *state) addTenant(id, name string) *tenantData {
	t := &tenantData{ID: strings.ToLower(id), Name: name}
	t.index()
	st.Tenants = append(st.Tenants, t)
	sort.Slice(st.Tenants, func(i, j int) bool { return st.Tenants[i].ID < st.Tenants[j].ID })
	return t
}

// newID returns a fresh, deterministic GUID.
func (st *state) newID(kind string) string {
	st.Counter++
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", kind, st.Counter)))
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// loadState reads dir/state.json; a missing file is an empty state.
func loadState(dir string) (*state, error) {
	st := &state{FormatVersion: stateFormatVersion}
	if dir == "" {
		return st, nil
	}
	removeStaleTemps(dir, time.Now())
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read emulator state: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("read emulator state %s: %w", filepath.Join(dir, stateFile), err)
	}
	if st.FormatVersion != stateFormatVersion {
		return nil, fmt.Errorf("read emulator state %s: format version %d, want %d", filepath.Join(dir, stateFile), st.FormatVersion, stateFormatVersion)
	}
	for _, t := range st.Tenants {
		t.index()
	}
	return st, nil
}

// removeStaleTemps removes the temp files writeFileAtomic leaves behind
// when the emulator is killed between writing and renaming
// (.state.json.tmp123, .cert.pem.tmp456). Only files older than a minute
// go: another emulator on the same directory may be writing one now.
func removeStaleTemps(dir string, now time.Time) {
	for _, name := range []string{stateFile, CertFile, KeyFile} {
		matches, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp*"))
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > time.Minute {
				os.Remove(m)
			}
		}
	}
}

// save writes the state atomically: a temp file in dir, fsync, rename,
// fsync of the directory. A reader never sees a torn file.
func (st *state) save(dir string) error {
	if dir == "" {
		return nil
	}
	// Only the tenants that changed since the last save are encoded again.
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"formatVersion":%d,"counter":%d,"tenants":[`, st.FormatVersion, st.Counter)
	for i, t := range st.Tenants {
		if t.enc == nil {
			enc, err := json.Marshal(t)
			if err != nil {
				return fmt.Errorf("save emulator state: tenant %s: %w", t.ID, err)
			}
			t.enc = enc
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(t.enc)
	}
	b.WriteString("]}")
	return writeFileAtomic(filepath.Join(dir, stateFile), b.Bytes(), 0o600)
}

// writeFileAtomic writes data to path through a temp file and a rename.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: the rename is durable once the directory is
		d.Close()
	}
	return nil
}
