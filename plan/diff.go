package plan

import (
	"reflect"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// The kinds and operations of a Change.
const (
	KindSettings = "settings"
	KindTenant   = "tenant"
	KindPartner  = "partner"
	KindSync     = "sync"

	OpAdd    = "add"
	OpRemove = "remove"
	OpModify = "modify"
)

// Diff lists the config changes from base to head: xtsync.yaml settings,
// tenants added or removed (with their partners and sync configurations),
// a tenant's own fields, partner entries added, removed or modified field by
// field (inbound.userSync, inbound.limits.maxUsers, outbound.autoRedeem …),
// and sync configurations added, removed or modified field by field
// (scope.groups, scope.filters, mappings.jobTitle, enabled,
// deletionThreshold …). Each change points at the file and line in head, or
// in base for a removal. A sync configuration with an id keeps its identity
// across a rename (a "name" change). The order is deterministic: settings,
// then by tenant, kind, name and path.
//
// A nil repository counts as an empty one.
func Diff(base, head *tenants.Repo) []Change {
	if base == nil {
		base = &tenants.Repo{}
	}
	if head == nil {
		head = &tenants.Repo{}
	}
	d := &differ{out: []Change{}}
	d.settings(base, head)
	for _, name := range tenantNames(base, head) {
		b, h := findTenant(base, name), findTenant(head, name)
		switch {
		case b == nil:
			d.tenantAdded(h)
		case h == nil:
			d.tenantRemoved(b)
		default:
			d.tenant(b, h)
		}
	}
	return d.out
}

type differ struct {
	out []Change
}

func (d *differ) add(c Change) { d.out = append(d.out, c) }

func tenantNames(repos ...*tenants.Repo) []string {
	seen := map[string]bool{}
	var names []string
	for _, r := range repos {
		for _, t := range r.Tenants {
			if !seen[t.Name] {
				seen[t.Name] = true
				names = append(names, t.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// findTenant finds a tenant by name only (Repo.Tenant also matches ids).
func findTenant(r *tenants.Repo, name string) *tenants.Tenant {
	for _, t := range r.Tenants {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (d *differ) settings(base, head *tenants.Repo) {
	b, h := settingsValue(&base.Settings), settingsValue(&head.Settings)
	if base.Tenants == nil && base.Settings.File == "" {
		return // an empty base: nothing to compare settings with
	}
	file, line := head.Settings.File, head.Settings.Pos.Line
	if file == "" {
		file = tenants.SettingsFile
	}
	for _, fc := range diffValues("", b, h, map[string]bool{"": true}) {
		d.add(Change{Kind: KindSettings, Op: OpModify, Name: tenants.SettingsFile, Path: fc.path,
			Before: fc.before, After: fc.after, File: file, Line: line})
	}
}

func (d *differ) tenantAdded(t *tenants.Tenant) {
	d.whole(t, KindTenant, OpAdd, t.Name, "", tenantFields(t))
	for _, p := range sortedBy(t.Partners, partnerName) {
		d.partnerAdded(t, p)
	}
	for _, s := range sortedBy(t.Sync, syncName) {
		d.syncAdded(t, s)
	}
}

func (d *differ) tenantRemoved(t *tenants.Tenant) {
	d.whole(t, KindTenant, OpRemove, t.Name, "", tenantFields(t))
	for _, p := range sortedBy(t.Partners, partnerName) {
		d.partnerRemoved(t, p)
	}
	for _, s := range sortedBy(t.Sync, syncName) {
		d.syncRemoved(t, s)
	}
}

func (d *differ) tenant(b, h *tenants.Tenant) {
	for _, fc := range diffValues("", tenantFields(b), tenantFields(h), map[string]bool{"": true}) {
		d.add(Change{Kind: KindTenant, Op: OpModify, Tenant: h.Name, Name: h.Name, Path: fc.path,
			Before: fc.before, After: fc.after, File: h.File, Line: h.PathPos(fc.path).Line})
	}
	d.partners(b, h)
	d.syncs(b, h)
}

// partnerRecurse are the partner paths whose fields are compared one by one.
var partnerRecurse = map[string]bool{"": true, "inbound": true, "outbound": true, "inbound.limits": true}

func (d *differ) partners(b, h *tenants.Tenant) {
	keys := map[string]bool{}
	for _, p := range b.Partners {
		keys[partnerKey(p)] = true
	}
	for _, p := range h.Partners {
		keys[partnerKey(p)] = true
	}
	for _, k := range sortedKeys(keys) {
		bp, hp := findPartner(b, k), findPartner(h, k)
		switch {
		case bp == nil:
			d.partnerAdded(h, hp)
		case hp == nil:
			d.partnerRemoved(b, bp)
		default:
			for _, fc := range diffValues("", partnerValue(bp), partnerValue(hp), partnerRecurse) {
				pos := h.PathPos("partners." + hp.Tenant + "." + fc.path)
				d.add(Change{Kind: KindPartner, Op: OpModify, Tenant: h.Name, Name: hp.Tenant, Path: fc.path,
					Before: fc.before, After: fc.after, File: h.File, Line: pos.Line})
			}
		}
	}
}

// partnerKey identifies a partner entry across revisions: its tenant id when
// known (a partner written by name or by GUID is the same entry), else what
// the file wrote.
func partnerKey(p *tenants.Partner) string {
	if p.TenantID != "" {
		return strings.ToLower(p.TenantID)
	}
	return p.Tenant
}

func findPartner(t *tenants.Tenant, key string) *tenants.Partner {
	for _, p := range t.Partners {
		if partnerKey(p) == key {
			return p
		}
	}
	return nil
}

// sortedBy returns a copy of xs sorted by key.
func sortedBy[T any](xs []T, key func(T) string) []T {
	out := append([]T(nil), xs...)
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func partnerName(p *tenants.Partner) string { return p.Tenant }

func syncName(s *tenants.SyncConfig) string { return s.Name }

// whole records an object added or removed as a whole, at the position of
// path in t (head's file for an add, base's for a removal).
func (d *differ) whole(t *tenants.Tenant, kind, op, name, path string, v any) {
	c := Change{Kind: kind, Op: op, Tenant: t.Name, Name: name, File: t.File, Line: t.PathPos(path).Line}
	if op == OpAdd {
		c.After = v
	} else {
		c.Before = v
	}
	d.add(c)
}

func (d *differ) partnerAdded(t *tenants.Tenant, p *tenants.Partner) {
	d.whole(t, KindPartner, OpAdd, p.Tenant, "partners."+p.Tenant, partnerValue(p))
}

func (d *differ) partnerRemoved(t *tenants.Tenant, p *tenants.Partner) {
	d.whole(t, KindPartner, OpRemove, p.Tenant, "partners."+p.Tenant, partnerValue(p))
}

// syncRecurse are the sync paths whose fields are compared one by one; a
// mapping or a filter list is compared whole.
var syncRecurse = map[string]bool{"": true, "scope": true, "mappings": true}

func (d *differ) syncs(b, h *tenants.Tenant) {
	type pair struct{ b, h *tenants.SyncConfig }
	var pairs []pair
	matched := map[*tenants.SyncConfig]bool{}
	// Same id first (a rename), then same name.
	for _, hs := range h.Sync {
		for _, bs := range b.Sync {
			if hs.ID != "" && strings.EqualFold(hs.ID, bs.ID) && !matched[bs] {
				pairs = append(pairs, pair{bs, hs})
				matched[bs], matched[hs] = true, true
				break
			}
		}
	}
	for _, hs := range h.Sync {
		if matched[hs] {
			continue
		}
		for _, bs := range b.Sync {
			if !matched[bs] && bs.Name == hs.Name {
				pairs = append(pairs, pair{bs, hs})
				matched[bs], matched[hs] = true, true
				break
			}
		}
	}
	for _, bs := range b.Sync {
		if !matched[bs] {
			pairs = append(pairs, pair{b: bs})
		}
	}
	for _, hs := range h.Sync {
		if !matched[hs] {
			pairs = append(pairs, pair{h: hs})
		}
	}
	name := func(p pair) string {
		if p.h != nil {
			return p.h.Name
		}
		return p.b.Name
	}
	sort.SliceStable(pairs, func(i, j int) bool { return name(pairs[i]) < name(pairs[j]) })
	for _, p := range pairs {
		switch {
		case p.b == nil:
			d.syncAdded(h, p.h)
		case p.h == nil:
			d.syncRemoved(b, p.b)
		default:
			for _, fc := range diffValues("", syncValue(p.b), syncValue(p.h), syncRecurse) {
				file, pos := h.File, h.PathPos("sync."+p.h.Name+"."+fc.path)
				d.add(Change{Kind: KindSync, Op: OpModify, Tenant: h.Name, Name: p.h.Name, Path: fc.path,
					Before: fc.before, After: fc.after, File: file, Line: pos.Line})
			}
		}
	}
}

func (d *differ) syncAdded(t *tenants.Tenant, s *tenants.SyncConfig) {
	d.whole(t, KindSync, OpAdd, s.Name, "sync."+s.Name, syncValue(s))
}

func (d *differ) syncRemoved(t *tenants.Tenant, s *tenants.SyncConfig) {
	d.whole(t, KindSync, OpRemove, s.Name, "sync."+s.Name, syncValue(s))
}

// fieldChange is one differing leaf of two normalised values.
type fieldChange struct {
	path          string
	before, after any
}

// diffValues compares two normalised maps key by key (sorted), recursing
// into the maps whose path is in recurse; anything else is compared whole.
// A key present on one side only is a change with nil on the other.
func diffValues(path string, b, h map[string]any, recurse map[string]bool) []fieldChange {
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range h {
		keys[k] = true
	}
	var out []fieldChange
	for _, k := range sortedKeys(keys) {
		p := k
		if path != "" {
			p = path + "." + k
		}
		bv, bok := b[k]
		hv, hok := h[k]
		bm, bIsMap := bv.(map[string]any)
		hm, hIsMap := hv.(map[string]any)
		if recurse[p] && bIsMap && hIsMap {
			out = append(out, diffValues(p, bm, hm, recurse)...)
			continue
		}
		if bok && hok && reflect.DeepEqual(bv, hv) {
			continue
		}
		out = append(out, fieldChange{path: p, before: bv, after: hv})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
