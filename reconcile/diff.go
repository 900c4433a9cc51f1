package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// differ collects the changes of a Diff by phase, in DESIGN §7's order.
type differ struct {
	opts Options
	// names maps lower-case tenant ids to repo tenant names.
	names map[string]string
	// Setup: target trust, identity sync, source trust, then per config.
	targetPartners, identitySyncs, sourcePartners, configs []Change
	// Teardown: configurations, identity syncs, partners.
	tdConfigs, tdIdentity, tdPartners []Change
	own                               Ownership
	// rules are the drift rules; ignoredWhole the changes they drop
	// whole, and dropped those changes.
	rules        []ignoreRule
	ignoredWhole map[string]Hold
	dropped      []Change
}

func (d *differ) name(id string) string {
	if n, ok := d.names[strings.ToLower(id)]; ok && n != "" {
		return n
	}
	return strings.ToLower(id)
}

func (d *differ) ignored(id string) bool {
	for _, x := range d.opts.IgnorePartners {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

// Diff returns the ordered ChangeSet from live to desired (DESIGN §7,
// Order) and the ownership report. Only the tenants of desired are looked
// at; a delete is planned only for an object xtsync owns (an unmanaged
// partner with Prune and not in IgnorePartners, a tagged configuration the
// repo no longer declares with Prune).
func Diff(desired, live *State, opts Options) (ChangeSet, Ownership) {
	d := &differ{opts: opts, names: map[string]string{}, rules: compileIgnore(opts.Ignore), ignoredWhole: map[string]Hold{}}
	if desired == nil {
		return ChangeSet{}, d.own
	}
	for id, t := range desired.Tenants {
		d.names[strings.ToLower(id)] = t.Name
	}
	for _, id := range sortedKeys(desired.Tenants) {
		dt := desired.Tenants[id]
		var lt *TenantState
		if live != nil {
			lt = live.Tenants[id]
		}
		if lt == nil {
			lt = &TenantState{TenantID: id}
		}
		d.partners(dt, lt)
		d.syncConfigs(dt, lt)
	}
	var cs ChangeSet
	for _, part := range [][]Change{d.targetPartners, d.identitySyncs, d.sourcePartners, d.configs, d.tdConfigs, d.tdIdentity, d.tdPartners} {
		cs = append(cs, part...)
	}
	cs = d.ignoreDependents(cs)
	d.keptByRules(cs)
	// A dependency on an object with no change in the set is met.
	in := map[string]bool{}
	for _, c := range cs {
		in[c.Object] = true
	}
	for i := range cs {
		var deps []string
		for _, x := range cs[i].DependsOn {
			if in[x] && x != cs[i].Object {
				deps = append(deps, x)
			}
		}
		cs[i].DependsOn = deps
	}
	if cs == nil {
		cs = ChangeSet{}
	}
	return cs, d.own
}

// keep appends c to list unless the drift rules drop it (see ignore).
func (d *differ) keep(list []Change, lp *Partner, lc *SyncConfig, c Change) []Change {
	if c, ok := d.ignore(c, lp, lc); ok {
		return append(list, c)
	}
	return list
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func bv(b *bool) bool { return b != nil && *b }

func (d *differ) partners(dt, lt *TenantState) {
	tname := d.name(dt.TenantID)
	for _, pid := range sortedKeys(dt.Partners) {
		dp := dt.Partners[pid]
		lp := lt.Partners[pid]
		obj := "partner/" + tname + "/" + d.name(pid)
		isObj := "identitySync/" + tname + "/" + d.name(pid)
		targetSide := bv(dp.InboundAutoRedeem) || dp.IdentitySync != nil
		ch := Change{Object: obj, Kind: KindPartner, TenantID: dt.TenantID, Partner: dp}
		if lp == nil {
			ch.Action = ActionCreate
			ch.Fields = []Field{
				{Name: "inboundAutoRedeem", Before: nil, After: bv(dp.InboundAutoRedeem)},
				{Name: "outboundAutoRedeem", Before: nil, After: bv(dp.OutboundAutoRedeem)},
			}
		} else {
			ch.Action = ActionUpdate
			if bv(dp.InboundAutoRedeem) != bv(lp.InboundAutoRedeem) {
				ch.Fields = append(ch.Fields, Field{Name: "inboundAutoRedeem", Before: bv(lp.InboundAutoRedeem), After: bv(dp.InboundAutoRedeem)})
			}
			if bv(dp.OutboundAutoRedeem) != bv(lp.OutboundAutoRedeem) {
				ch.Fields = append(ch.Fields, Field{Name: "outboundAutoRedeem", Before: bv(lp.OutboundAutoRedeem), After: bv(dp.OutboundAutoRedeem)})
			}
		}
		if len(ch.Fields) > 0 {
			if ch, ok := d.ignore(ch, lp, nil); !ok {
			} else if targetSide {
				d.targetPartners = append(d.targetPartners, ch)
			} else {
				d.sourcePartners = append(d.sourcePartners, ch)
			}
		}
		var lis *IdentitySync
		if lp != nil {
			lis = lp.IdentitySync
		}
		switch {
		case dp.IdentitySync != nil && lis == nil:
			d.identitySyncs = d.keep(d.identitySyncs, lp, nil, Change{Object: isObj, Kind: KindIdentitySync, Action: ActionCreate, TenantID: dt.TenantID,
				Fields: []Field{{Name: "userSyncInbound", Before: nil, After: dp.IdentitySync.UserSyncInbound}}, DependsOn: []string{obj},
				Partner: dp, IdentitySync: dp.IdentitySync})
		case dp.IdentitySync != nil && lis.UserSyncInbound != dp.IdentitySync.UserSyncInbound:
			d.identitySyncs = d.keep(d.identitySyncs, lp, nil, Change{Object: isObj, Kind: KindIdentitySync, Action: ActionUpdate, TenantID: dt.TenantID,
				Fields: []Field{{Name: "userSyncInbound", Before: lis.UserSyncInbound, After: dp.IdentitySync.UserSyncInbound}}, DependsOn: []string{obj},
				Partner: dp, IdentitySync: dp.IdentitySync})
		case dp.IdentitySync == nil && lis != nil && lis.UserSyncInbound:
			// A declared partner that no longer allows user sync: the
			// identity sync policy goes, before any configuration is lost.
			// (One that already disallows it, as the portal leaves it when
			// the box is unticked, says what the repository says.)
			d.tdIdentity = d.keep(d.tdIdentity, lp, nil, Change{Object: isObj, Kind: KindIdentitySync, Action: ActionDelete, TenantID: dt.TenantID,
				Fields: []Field{{Name: "userSyncInbound", Before: lis.UserSyncInbound, After: nil}}, Partner: lp, IdentitySync: lis})
		}
	}
	for _, pid := range sortedKeys(lt.Partners) {
		if _, ok := dt.Partners[pid]; ok {
			continue
		}
		lp := lt.Partners[pid]
		obj := "partner/" + tname + "/" + d.name(pid)
		u := Unmanaged{Object: obj, TenantID: dt.TenantID, Partner: pid}
		switch {
		case d.ignored(pid):
			u.Reason = "the repo does not declare this partner and ignorePartners lists it: never touched"
		case !d.opts.Prune:
			u.Reason = fmt.Sprintf("the repo does not declare this partner: left as it is (declare it in the partners of %s to manage it, or set prune: true in xtsync.yaml to delete it)", tname)
		default:
			u.Deleted = true
			u.Reason = "the repo does not declare this partner and prune is on: deleted"
			var deps []string
			if lp.IdentitySync != nil {
				isObj := "identitySync/" + tname + "/" + d.name(pid)
				d.tdIdentity = d.keep(d.tdIdentity, lp, nil, Change{Object: isObj, Kind: KindIdentitySync, Action: ActionDelete, TenantID: dt.TenantID,
					Fields: []Field{{Name: "userSyncInbound", Before: lp.IdentitySync.UserSyncInbound, After: nil}}, Partner: lp, IdentitySync: lp.IdentitySync})
				deps = append(deps, isObj)
			}
			d.tdPartners = d.keep(d.tdPartners, lp, nil, Change{Object: obj, Kind: KindPartner, Action: ActionDelete, TenantID: dt.TenantID,
				Fields:    []Field{{Name: "inboundAutoRedeem", Before: bv(lp.InboundAutoRedeem), After: nil}, {Name: "outboundAutoRedeem", Before: bv(lp.OutboundAutoRedeem), After: nil}},
				DependsOn: deps, Partner: lp})
		}
		d.own.Unmanaged = append(d.own.Unmanaged, u)
	}
}

func (d *differ) syncConfigs(dt, lt *TenantState) {
	taken := map[*SyncConfig]bool{}
	type pair struct {
		d, l *SyncConfig
		k    matchKind
	}
	var pairs []pair
	// Ids and tags first, so a display-name match never steals a
	// configuration another one owns.
	rest := []*SyncConfig{}
	for _, dc := range dt.Configs {
		l, k := matchConfig(dc, lt.Configs, taken)
		if k == matchID || k == matchTags {
			taken[l] = true
			pairs = append(pairs, pair{dc, l, k})
			continue
		}
		rest = append(rest, dc)
	}
	for _, dc := range rest {
		l, k := matchConfig(dc, lt.Configs, taken)
		if l != nil {
			taken[l] = true
		}
		pairs = append(pairs, pair{dc, l, k})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return configKey(pairs[i].d) < configKey(pairs[j].d) })
	for _, p := range pairs {
		obj := "sync/" + configKey(p.d)
		if p.k == matchConflict {
			d.own.Conflicts = append(d.own.Conflicts, Conflict{Object: obj, TenantID: dt.TenantID, ServicePrincipalID: p.l.ServicePrincipalID,
				Reason: fmt.Sprintf("a configuration named %q that xtsync did not make (service principal %s, not tagged) is in the way: nothing planned for it; to adopt it write id: %s in sync %s, or rename one of them",
					p.d.DisplayName, p.l.ServicePrincipalID, p.l.ServicePrincipalID, p.d.Name)})
			continue
		}
		d.config(dt, p.d, p.l, p.k)
	}
	for _, l := range lt.Configs {
		if taken[l] {
			continue
		}
		key := taggedKey(l.Tags)
		if key == "" {
			continue // not xtsync's: never touched
		}
		d.orphan(dt, l, key)
	}
}

func (d *differ) config(dt *TenantState, dc, lc *SyncConfig, k matchKind) {
	key := configKey(dc)
	obj := "sync/" + key
	app := obj + "/app"
	var trust []string
	if dc.targetID != "" {
		tn := d.name(dc.targetID)
		trust = []string{"partner/" + tn + "/" + dt.Name, "identitySync/" + tn + "/" + dt.Name, "partner/" + dt.Name + "/" + tn}
	}
	if lc != nil && dc.ServicePrincipalID == "" {
		// A half-made configuration: the ids are live's.
		c := *dc
		c.ServicePrincipalID, c.ApplicationID, c.AppID, c.AppRoleID = lc.ServicePrincipalID, lc.ApplicationID, lc.AppID, lc.AppRoleID
		dc = &c
	}
	var out []Change
	var live *SyncConfig // lc once known
	add := func(c Change) {
		c.TenantID = dt.TenantID
		c.Config = key
		c.Sync = dc
		out = d.keep(out, nil, live, c)
	}
	live = lc
	if lc == nil {
		lc = &SyncConfig{}
		add(Change{Object: app, Kind: KindApp, Action: ActionCreate, DependsOn: trust,
			Fields: []Field{{Name: "displayName", After: dc.DisplayName}, {Name: "tags", After: dc.Tags}}})
	} else {
		var fs []Field
		if !subset(dc.Tags, lc.Tags) {
			fs = append(fs, Field{Name: "tags", Before: nonNilStrings(lc.Tags), After: union(lc.Tags, dc.Tags)})
			switch k {
			case matchHalfMade:
				d.own.HalfMade = append(d.own.HalfMade, obj)
			case matchID:
				d.own.Adopted = append(d.own.Adopted, obj)
			}
		}
		if lc.DisplayName != dc.DisplayName {
			fs = append(fs, Field{Name: "displayName", Before: lc.DisplayName, After: dc.DisplayName})
		}
		if len(fs) > 0 {
			add(Change{Object: app, Kind: KindApp, Action: ActionUpdate, Fields: fs, DependsOn: trust})
		}
	}
	job := obj + "/job"
	if lc.Job == nil {
		add(Change{Object: job, Kind: KindJob, Action: ActionCreate, DependsOn: []string{app},
			Fields: []Field{{Name: "templateId", After: JobTemplateID}}})
	}
	// Secrets: only the managed non-secret keys are compared and shown.
	ms, ls := managedSecrets(dc.Secrets), managedSecrets(lc.Secrets)
	var sf []Field
	for _, n := range []string{"companyId", "authenticationType", "syncAll", "deletionThreshold"} {
		if lc.Secrets == nil || !reflect.DeepEqual(ms[n], ls[n]) {
			f := Field{Name: n, After: ms[n]}
			if lc.Secrets != nil {
				f.Before = ls[n]
			}
			sf = append(sf, f)
		}
	}
	if len(sf) > 0 {
		act := ActionUpdate
		if lc.Secrets == nil {
			act = ActionCreate
		}
		add(Change{Object: obj + "/secrets", Kind: KindSecrets, Action: act, Fields: sf, DependsOn: []string{app, job}})
	}
	// Schema.
	schemaObj := obj + "/schema"
	if sc := d.schemaChange(dc, lc); sc != nil {
		sc.Object, sc.Kind, sc.DependsOn = schemaObj, KindSchema, []string{app, job}
		add(*sc)
	}
	// Assignments.
	livePrincipals := map[string]Assignment{}
	for _, a := range lc.Assignments {
		livePrincipals[strings.ToLower(a.PrincipalID)] = a
	}
	want := map[string]bool{}
	for _, a := range dc.Assignments {
		id := strings.ToLower(a.PrincipalID)
		want[id] = true
		if _, ok := livePrincipals[id]; ok {
			continue
		}
		a := a
		add(Change{Object: obj + "/assignment/" + principalName(a), Kind: KindAssignment, Action: ActionCreate, Assignment: &a,
			Fields: []Field{{Name: "principal", After: principalName(a)}, {Name: "principalType", After: a.PrincipalType}}, DependsOn: []string{app}})
	}
	for _, a := range lc.Assignments {
		if want[strings.ToLower(a.PrincipalID)] {
			continue
		}
		a := a
		add(Change{Object: obj + "/assignment/" + principalName(a), Kind: KindAssignment, Action: ActionDelete, Assignment: &a,
			Fields: []Field{{Name: "principal", Before: principalName(a)}, {Name: "principalType", Before: a.PrincipalType}}, DependsOn: []string{app}})
	}
	// State.
	dStarted := dc.Job != nil && dc.Job.Started
	lStarted := lc.Job != nil && lc.Job.Started
	if dStarted != lStarted {
		var deps []string
		for _, c := range out {
			if c.Kind != KindState {
				deps = append(deps, c.Object)
			}
		}
		deps = append(deps, app, job)
		add(Change{Object: obj + "/state", Kind: KindState, Action: ActionUpdate, DependsOn: uniq(deps),
			Fields: []Field{{Name: "started", Before: lStarted, After: dStarted}}})
	}
	d.configs = append(d.configs, out...)
}

func principalName(a Assignment) string {
	if a.PrincipalName != "" {
		return a.PrincipalName
	}
	return strings.ToLower(a.PrincipalID)
}

// schemaChange plans the schema write of a configuration, or nil when the
// merged schema equals the live one.
func (d *differ) schemaChange(dc, lc *SyncConfig) *Change {
	var merge func(base, template json.RawMessage) (json.RawMessage, error)
	if dc.conf != nil {
		conf := dc.conf
		merge = func(base, template json.RawMessage) (json.RawMessage, error) {
			return MergeSchemaWith(base, template, conf)
		}
	} else if dc.Job != nil && len(dc.Job.Schema) > 0 {
		want := append(json.RawMessage(nil), dc.Job.Schema...)
		merge = func(json.RawMessage, json.RawMessage) (json.RawMessage, error) { return want, nil }
	} else {
		return nil
	}
	if lc.Job == nil || len(lc.Job.Schema) == 0 {
		ch := &Change{Action: ActionCreate, MergeSchema: merge}
		base := TemplateSchema() // a new job's schema is the template's
		if len(dc.template) > 0 {
			base = dc.template
		}
		if after, err := merge(base, dc.template); err == nil {
			ch.Fields = schemaFields(base, after)
		}
		return ch
	}
	var after json.RawMessage
	var err error
	if dc.Job != nil && len(dc.Job.Schema) > 0 && bytes.Equal(dc.mergedFrom, lc.Job.Schema) {
		after = dc.Job.Schema // Desired merged it into this very schema
	} else {
		after, err = merge(lc.Job.Schema, dc.template)
	}
	if err != nil {
		return &Change{Action: ActionUpdate, MergeSchema: merge, Fields: []Field{{Name: "schema", Before: "(live)", After: "cannot merge: " + err.Error()}}}
	}
	if EqualSchemas(after, lc.Job.Schema) {
		return nil
	}
	return &Change{Action: ActionUpdate, MergeSchema: merge, Fields: schemaFields(lc.Job.Schema, after)}
}

func (d *differ) orphan(dt *TenantState, l *SyncConfig, key string) {
	obj := "sync/" + key
	o := Orphan{Object: obj, TenantID: dt.TenantID, ServicePrincipalID: l.ServicePrincipalID}
	if !d.opts.Prune {
		o.Reason = "tagged as xtsync's but the repo no longer declares it: left running (set prune: true in xtsync.yaml to delete it; deleting a configuration never deletes the users it made)"
		d.own.Orphaned = append(d.own.Orphaned, o)
		return
	}
	o.Deleted = true
	o.Reason = "tagged as xtsync's, no longer declared, prune is on: paused, unassigned and deleted; the B2B users it made stay in the target, unmanaged (deleting a configuration never deletes users: to remove them, empty its scope first and let a cycle run)"
	d.own.Orphaned = append(d.own.Orphaned, o)
	var deps []string
	add := func(c Change) {
		c.TenantID, c.Config, c.Sync = dt.TenantID, key, l
		if c, ok := d.ignore(c, nil, l); ok {
			d.tdConfigs = append(d.tdConfigs, c)
			deps = append(deps, c.Object)
		}
	}
	if l.Job != nil && l.Job.Started {
		add(Change{Object: obj + "/state", Kind: KindState, Action: ActionUpdate, Fields: []Field{{Name: "started", Before: true, After: false}}})
	}
	for _, a := range l.Assignments {
		a := a
		add(Change{Object: obj + "/assignment/" + principalName(a), Kind: KindAssignment, Action: ActionDelete, Assignment: &a,
			Fields: []Field{{Name: "principal", Before: principalName(a)}, {Name: "principalType", Before: a.PrincipalType}}})
	}
	d.tdConfigs = d.keep(d.tdConfigs, nil, l, Change{Object: obj + "/app", Kind: KindApp, Action: ActionDelete, TenantID: dt.TenantID, Config: key, Sync: l,
		Fields: []Field{{Name: "displayName", Before: l.DisplayName}, {Name: "servicePrincipalId", Before: l.ServicePrincipalID}}, DependsOn: deps})
}

func subset(a, b []string) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func union(a, b []string) []string {
	out := append([]string{}, a...)
	for _, x := range b {
		if !subset([]string{x}, out) {
			out = append(out, x)
		}
	}
	return out
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
