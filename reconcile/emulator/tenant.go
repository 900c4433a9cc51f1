package emulator

import (
	"fmt"
	"maps"
)

// TenantState is a handle on one tenant of a Server, for tests: it changes
// the directory the way an admin would, so delta queries and provisioning
// have something to report. Every change is saved like a Graph write.
type TenantState struct {
	s  *Server
	id string
}

// Tenant returns the tenant with this name or id, or nil.
func (s *Server) Tenant(nameOrID string) *TenantState {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.tenant(nameOrID)
	if t == nil {
		return nil
	}
	return &TenantState{s: s, id: t.ID}
}

// ID is the tenant id.
func (ts *TenantState) ID() string { return ts.id }

// Name is the tenant's name (its snapshot's name), or "".
func (ts *TenantState) Name() string {
	var name string
	ts.do(func(t *tenantData) error { name = t.Name; return nil })
	return name
}

// do runs f on the tenant under the lock and saves when f succeeds.
func (ts *TenantState) do(f func(t *tenantData) error) error {
	ts.s.mu.Lock()
	defer ts.s.mu.Unlock()
	t := ts.s.st.tenant(ts.id)
	if t == nil {
		return fmt.Errorf("tenant %s: %w", ts.id, errNotFound)
	}
	v := t.Version
	if err := f(t); err != nil {
		return err
	}
	if t.Version != v {
		t.touch()
		return ts.s.saveLocked()
	}
	return nil
}

// AddUser adds a user with these Graph properties; without an "id" one is
// generated. It returns the id.
func (ts *TenantState) AddUser(props map[string]any) (string, error) {
	p := maps.Clone(props)
	err := ts.do(func(t *tenantData) error {
		if str(p["id"]) == "" {
			p["id"] = ts.s.st.newID("user")
		}
		return t.addUser(p)
	})
	return str(p["id"]), err
}

// UpdateUser changes a user's properties; a nil value clears one.
func (ts *TenantState) UpdateUser(id string, props map[string]any) error {
	return ts.do(func(t *tenantData) error {
		u := t.liveUser(id)
		if u == nil {
			return fmt.Errorf("user %s: %w", id, errNotFound)
		}
		if v := t.Version + 1; u.setProps(maps.Clone(props), v) {
			t.Version = v
		}
		return nil
	})
}

// DeleteUser soft-deletes a user (deleted items; delta reports
// @removed reason "changed").
func (ts *TenantState) DeleteUser(id string) error {
	return ts.do(func(t *tenantData) error { return t.deleteUser(id, false) })
}

// PurgeUser deletes a user permanently (@removed reason "deleted").
func (ts *TenantState) PurgeUser(id string) error {
	return ts.do(func(t *tenantData) error { return t.deleteUser(id, true) })
}

// RestoreUser restores a soft-deleted user.
func (ts *TenantState) RestoreUser(id string) error {
	return ts.do(func(t *tenantData) error { return t.restoreUser(id) })
}

// User returns a copy of a user's properties (nil if it does not exist or
// was permanently deleted); "deletedDateTime" is set on a soft-deleted one.
func (ts *TenantState) User(id string) map[string]any {
	var out map[string]any
	ts.do(func(t *tenantData) error {
		if u := t.users[id]; u != nil && !u.Removed {
			out = clone(u.Props)
		}
		return nil
	})
	return out
}

// UserIDs returns the ids of the live users, sorted.
func (ts *TenantState) UserIDs() []string {
	var ids []string
	ts.do(func(t *tenantData) error {
		for _, u := range t.Users {
			if liveObject(u) {
				ids = append(ids, str(u.Props["id"]))
			}
		}
		return nil
	})
	return ids
}

// AddGroup adds a group with these properties and members; without an
// "id" one is generated. It returns the id.
func (ts *TenantState) AddGroup(props map[string]any, members ...string) (string, error) {
	p := maps.Clone(props)
	err := ts.do(func(t *tenantData) error {
		if str(p["id"]) == "" {
			p["id"] = ts.s.st.newID("group")
		}
		return t.addGroup(p, members)
	})
	return str(p["id"]), err
}

// AddMember adds a user or group to a group.
func (ts *TenantState) AddMember(groupID, memberID string) error {
	return ts.do(func(t *tenantData) error { return t.setMember(groupID, memberID, true) })
}

// RemoveMember removes a member from a group.
func (ts *TenantState) RemoveMember(groupID, memberID string) error {
	return ts.do(func(t *tenantData) error { return t.setMember(groupID, memberID, false) })
}

// Members returns a group's member ids.
func (ts *TenantState) Members(groupID string) []string {
	var out []string
	ts.do(func(t *tenantData) error {
		if g := t.liveGroup(groupID); g != nil {
			out = append(out, g.Members...)
		}
		return nil
	})
	return out
}

// DeleteGroup deletes a group permanently (groups delta reports @removed
// reason "deleted") and removes it from the groups it was a member of.
func (ts *TenantState) DeleteGroup(id string) error {
	return ts.do(func(t *tenantData) error {
		g := t.liveGroup(id)
		if g == nil {
			return fmt.Errorf("group %s: %w", id, errNotFound)
		}
		for _, other := range t.Groups {
			if contains(other.Members, id) {
				t.setMember(str(other.Props["id"]), id, false)
			}
		}
		g.Removed = true
		g.Members, g.MemberLog, g.PropVersion = nil, nil, nil
		g.Props = map[string]any{"id": id}
		g.Version = t.bump()
		return nil
	})
}
