package emulator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// defaultUserProps is what Graph returns for a user without $select.
var defaultUserProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

// bump starts a new directory version and returns it.
func (t *tenantData) bump() int64 {
	t.Version++
	return t.Version
}

// newDirObject makes a user or group whose every property is new at v.
func newDirObject(props map[string]any, v int64) *dirObject {
	return &dirObject{Props: props, Version: v, Created: v}
}

// propVersion is the version of a property's last change: its creation's
// unless it changed since.
func (o *dirObject) propVersion(k string) int64 {
	if v, changed := o.PropVersion[k]; changed {
		return v
	}
	return o.Created
}

// setProps changes properties (a nil value clears one) and records which
// changed; it reports whether anything did.
func (o *dirObject) setProps(props map[string]any, v int64) bool {
	changed := false
	for k, val := range props {
		if k == "id" {
			continue
		}
		old, had := o.Props[k]
		if had && jsonEqual(old, val) || !had && val == nil {
			continue
		}
		if val == nil {
			delete(o.Props, k)
		} else {
			o.Props[k] = val
		}
		if o.PropVersion == nil {
			o.PropVersion = map[string]int64{}
		}
		o.PropVersion[k] = v
		changed = true
	}
	if changed {
		o.Version = v
	}
	return changed
}

// addUser adds a user; props must hold a unique id.
func (t *tenantData) addUser(props map[string]any) error {
	id := str(props["id"])
	if id == "" {
		return fmt.Errorf("add user: no id")
	}
	if t.users[id] != nil {
		return fmt.Errorf("add user %s: %w", id, errExists)
	}
	o := newDirObject(props, t.bump())
	t.Users = insertSorted(t.Users, o)
	t.users[id] = o
	return nil
}

// addGroup adds a group with its members.
func (t *tenantData) addGroup(props map[string]any, members []string) error {
	id := str(props["id"])
	if id == "" {
		return fmt.Errorf("add group: no id")
	}
	if t.groups[id] != nil {
		return fmt.Errorf("add group %s: %w", id, errExists)
	}
	v := t.bump()
	o := newDirObject(props, v)
	for _, m := range members {
		if !contains(o.Members, m) {
			o.Members = append(o.Members, m)
			o.MemberLog = append(o.MemberLog, memberChange{ID: m, Version: v})
		}
	}
	t.Groups = insertSorted(t.Groups, o)
	t.groups[id] = o
	return nil
}

// liveUser returns a user that is neither soft- nor permanently deleted.
func (t *tenantData) liveUser(id string) *dirObject {
	u := t.users[id]
	if u == nil || u.SoftDeleted || u.Removed {
		return nil
	}
	return u
}

func (t *tenantData) liveGroup(id string) *dirObject {
	g := t.groups[id]
	if g == nil || g.Removed {
		return nil
	}
	return g
}

// setMember adds or removes a group member.
func (t *tenantData) setMember(groupID, memberID string, add bool) error {
	g := t.liveGroup(groupID)
	if g == nil {
		return fmt.Errorf("group %s: %w", groupID, errNotFound)
	}
	has := contains(g.Members, memberID)
	if has == add {
		return nil
	}
	v := t.bump()
	if add {
		if t.liveUser(memberID) == nil && t.liveGroup(memberID) == nil {
			return fmt.Errorf("member %s: %w", memberID, errNotFound)
		}
		g.Members = append(g.Members, memberID)
	} else {
		g.Members = remove(g.Members, memberID)
	}
	g.MemberLog = append(g.MemberLog, memberChange{ID: memberID, Removed: !add, Version: v})
	g.Version = v
	return nil
}

// deleteUser soft-deletes (or with purge permanently deletes) a user and
// removes it from every group.
func (t *tenantData) deleteUser(id string, purge bool) error {
	u := t.users[id]
	if u == nil || u.Removed || (u.SoftDeleted && !purge) {
		return fmt.Errorf("user %s: %w", id, errNotFound)
	}
	for _, g := range t.Groups {
		if contains(g.Members, id) {
			t.setMember(str(g.Props["id"]), id, false)
		}
	}
	v := t.bump()
	u.Version = v
	if purge {
		u.Removed = true
		u.SoftDeleted = false
		u.Props = map[string]any{"id": id}
		u.PropVersion = nil
	} else {
		u.SoftDeleted = true
		u.Props["deletedDateTime"] = "2026-01-01T00:00:00Z"
	}
	return nil
}

// restoreUser brings back a soft-deleted user.
func (t *tenantData) restoreUser(id string) error {
	u := t.users[id]
	if u == nil || !u.SoftDeleted {
		return fmt.Errorf("deleted user %s: %w", id, errNotFound)
	}
	v := t.bump()
	u.SoftDeleted = false
	delete(u.Props, "deletedDateTime")
	u.Created = v // a restored user comes back whole
	u.Version = v
	return nil
}

// project returns the properties of o that a response shows: sel (or
// def, or all with def nil), only those changed after since when since > 0.
func project(o *dirObject, sel, def []string, since int64) map[string]any {
	id := str(o.Props["id"])
	out := map[string]any{"id": id}
	if o.Created > since {
		since = 0 // new since the last round: everything is news
	}
	names := sel
	if len(names) == 0 {
		names = def
	}
	if names == nil {
		for k, v := range o.Props {
			if since > 0 && o.propVersion(k) <= since {
				continue
			}
			out[k] = v
		}
		return out
	}
	for _, n := range names {
		key, v := propFold(o.Props, n)
		if since > 0 && o.propVersion(key) <= since {
			continue
		}
		if v == nil && n == "businessPhones" {
			v = []any{}
		}
		out[key] = v
	}
	return out
}

// propFold finds a property case-insensitively; it returns the stored name
// (or n when absent) and the value.
func propFold(m map[string]any, n string) (string, any) {
	if v, found := m[n]; found {
		return n, v
	}
	for k, v := range m {
		if strings.EqualFold(k, n) {
			return k, v
		}
	}
	return n, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// memberType is the @odata.type of a member id.
func (t *tenantData) memberType(id string) string {
	if t.groups[id] != nil {
		return "#microsoft.graph.group"
	}
	return "#microsoft.graph.user"
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// clone copies a JSON object deeply enough for callers to mutate it.
func clone(m map[string]any) map[string]any {
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = cloneValue(v)
	}
	return out
}

// cloneValue deep-copies a JSON value; an empty list stays a list (JSON
// [], as Graph answers an empty collection), never null.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return clone(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}
