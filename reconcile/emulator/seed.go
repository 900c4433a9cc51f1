package emulator

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/xtsync/xtsync/simulate"
)

// LoadSnapshots replaces the whole state with the snapshots' directories
// (tenant name -> snapshot): each snapshot's users and groups become its
// tenant's directory, soft-deleted users go to deleted items. Every B2B
// user with a source link managed by a configuration (source.config) gets,
// in its source tenant, the configuration's service principal (display
// name = the configuration's name, with a paused Azure2Azure job and
// CompanyId = the target) and a provisioning log entry "create" from the
// source user to it (plus "delete" when the sync soft-deleted it), so a
// client derives the links as it would from Graph (docs/emulator.md).
func (s *Server) LoadSnapshots(snaps map[string]*simulate.Snapshot) error {
	return s.Seed(snaps, SeedOptions{Configurations: true})
}

// SeedOptions say what Seed makes of the snapshots besides the directories.
type SeedOptions struct {
	// Configurations: every configuration the B2B users' source links name
	// exists in its source tenant, as made in the portal (untagged, job
	// paused, no trust, no assignments), with the provisioning log entries
	// that link its users. Without it the tenants hold their directories
	// alone: no sync configuration, no provisioning log, and the B2B users
	// are matched to their source users only by what Graph shows of them
	// (their #EXT# user principal names), as after a configuration was
	// deleted or before any exists.
	Configurations bool
}

// Seed replaces the whole state with the snapshots' directories, as
// LoadSnapshots does, with opts.
func (s *Server) Seed(snaps map[string]*simulate.Snapshot, opts SeedOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &state{FormatVersion: stateFormatVersion, Counter: s.st.Counter}
	names := sortedKeys(snaps)
	for _, name := range names {
		snap := snaps[name]
		if snap == nil {
			return fmt.Errorf("load snapshot %s: nil snapshot", name)
		}
		if !isGUID(snap.TenantID) {
			return fmt.Errorf("load snapshot %s: tenantId %q is not a GUID", name, snap.TenantID)
		}
		if t := st.tenant(snap.TenantID); t != nil {
			return fmt.Errorf("load snapshot %s: tenant %s is also snapshot %s", name, snap.TenantID, t.Name)
		}
		t := st.addTenant(snap.TenantID, name)
		t.Epoch = st.newID("epoch")
		t.VerifiedDomains = append([]string(nil), snap.VerifiedDomains...)
		// In id order: the directory is kept sorted by id, and appending is
		// cheap where inserting is not.
		order := make([]int, len(snap.Users))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return snap.Users[order[a]].ID < snap.Users[order[b]].ID })
		for _, i := range order {
			u := &snap.Users[i]
			if u.ID == "" {
				return fmt.Errorf("load snapshot %s: users[%d] has no id", name, i)
			}
			if err := t.addUser(userProps(u)); err != nil {
				return fmt.Errorf("load snapshot %s: %w", name, err)
			}
			if u.Source != nil && u.Source.UserID != "" {
				t.users[u.ID].SourceKey = strings.ToLower(u.Source.TenantID) + "/" + u.Source.UserID
			}
			if u.Deleted {
				t.users[u.ID].SoftDeleted = true
				t.users[u.ID].Props["deletedDateTime"] = nonEmpty(snap.CapturedAt, "2026-01-01T00:00:00Z")
			}
		}
		for i, g := range snap.Groups {
			if g.ID == "" {
				return fmt.Errorf("load snapshot %s: groups[%d] has no id", name, i)
			}
			props := map[string]any{"id": g.ID, "displayName": g.DisplayName, "securityEnabled": g.SecurityEnabled, "mailEnabled": false, "groupTypes": []any{}}
			if err := t.addGroup(props, g.Members); err != nil {
				return fmt.Errorf("load snapshot %s: %w", name, err)
			}
		}
	}
	// Links: after every tenant exists, so sources resolve by id. The
	// soft-deleted users' entries first: when a live and a deleted target
	// user link one source user, the live one is the job's link.
	for _, name := range names {
		if !opts.Configurations {
			break
		}
		snap := snaps[name]
		target := st.tenant(snap.TenantID)
		order := make([]int, len(snap.Users))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return snap.Users[order[a]].Deleted && !snap.Users[order[b]].Deleted })
		for _, i := range order {
			u := &snap.Users[i]
			if u.Source == nil || u.Source.Config == "" || !isGUID(u.Source.TenantID) {
				continue
			}
			src := st.tenant(u.Source.TenantID)
			if src == nil {
				src = st.addTenant(u.Source.TenantID, "")
				src.Epoch = st.newID("epoch")
			}
			sp, job := seedConfig(st, src, u.Source.Config, target.ID)
			// A soft-deleted user's entries are older than a live one's, so
			// that logs sorted by time agree with their order.
			when := nonEmpty(snap.CapturedAt, "2026-01-01T00:00:00Z")
			at := func(d time.Duration) string {
				if t, err := time.Parse(time.RFC3339, when); err == nil {
					return t.Add(d).UTC().Format(time.RFC3339)
				}
				return when
			}
			created := when
			if u.Deleted {
				created = at(-2 * time.Minute)
			}
			src.Logs = append(src.Logs, provisioningEntry(st, src, target, sp, job, "create", u.Source.UserID, srcName(src, u.Source.UserID), u.ID, u.DisplayName, created))
			if u.Deleted && (u.Source.DeletedBySync == nil || *u.Source.DeletedBySync) {
				src.Logs = append(src.Logs, provisioningEntry(st, src, target, sp, job, "delete", u.Source.UserID, srcName(src, u.Source.UserID), u.ID, u.DisplayName, at(-time.Minute)))
			}
		}
	}
	s.st = st
	return s.saveLocked()
}

func srcName(t *tenantData, id string) string {
	if u := t.users[id]; u != nil {
		return str(u.Props["displayName"])
	}
	return ""
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// seedConfig finds or creates the configuration (service principal and
// paused job) named name in src that syncs to targetID.
func seedConfig(st *state, src *tenantData, name, targetID string) (*servicePrincipal, *syncJob) {
	for _, sp := range src.ServicePrincipals {
		if str(sp.Props["displayName"]) == name && len(sp.Jobs) > 0 {
			return sp, sp.Jobs[0]
		}
	}
	_, sp := instantiateXTS(st, src, name)
	// Paused: the snapshot does not say what the configuration assigns or
	// filters, so a cycle now would deprovision its users. The reconciler
	// configures and starts it.
	job := newJob(st, "Azure2Azure")
	job.Seeded = true
	sp.Jobs = append(sp.Jobs, job)
	sp.Secrets = []map[string]any{
		{"key": "AuthenticationType", "value": "SyncPolicy"},
		{"key": "CompanyId", "value": targetID},
		{"key": "SyncAll", "value": "false"},
	}
	return sp, job
}

// userProps turns a snapshot user into Graph user properties.
func userProps(u *simulate.User) map[string]any {
	p := map[string]any{}
	for k, v := range u.Attributes {
		p[k] = jsonValue(v)
	}
	p["id"] = u.ID
	p["userPrincipalName"] = u.UserPrincipalName
	p["accountEnabled"] = u.AccountEnabled
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("mail", u.Mail)
	set("displayName", u.DisplayName)
	set("userType", u.UserType)
	if len(u.ProxyAddresses) > 0 {
		p["proxyAddresses"] = toAnyList(u.ProxyAddresses)
	}
	if len(u.AlternativeSecurityIDs) > 0 {
		var ids []any
		for _, a := range u.AlternativeSecurityIDs {
			ids = append(ids, map[string]any{"type": float64(a.Type), "identityProvider": a.IdentityProvider, "key": a.Key})
		}
		p["alternativeSecurityIds"] = ids
	}
	if u.Source != nil {
		if _, has := p["creationType"]; !has && u.Source.Config == "" {
			p["creationType"] = "Invitation"
		}
		if _, has := p["externalUserState"]; !has {
			p["externalUserState"] = "Accepted"
		}
	}
	return p
}

// jsonValue is v as it reads back from JSON (integers as float64), so a
// seeded value equals its persisted copy.
func jsonValue(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	}
	return v
}

func toAnyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ReadSnapshotDir reads every <name>.json and <name>.json.gz of dir as a
// snapshot keyed by name (simulate.LoadSnapshots). A directory without
// snapshots is an error.
func ReadSnapshotDir(dir string) (map[string]*simulate.Snapshot, error) {
	snaps, err := simulate.LoadSnapshots(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("read snapshots in %s: %w", dir, err)
	}
	if len(snaps) == 0 {
		return nil, fmt.Errorf("read snapshots: no *.json or *.json.gz in %s", dir)
	}
	return snaps, nil
}
