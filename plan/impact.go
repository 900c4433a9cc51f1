package plan

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// Snapshots are directory snapshots keyed by repo tenant name.
type Snapshots map[string]*simulate.Snapshot

// userKey names one B2B user of a target: the source user it represents.
type userKey struct {
	target, source, userID string
}

// member is one user's place in a target's B2B user set after a cycle.
type member struct {
	in bool
	// row is the cycle's row for the user (nil: no configuration touched it,
	// so it is as the target snapshot shows).
	row *simulate.UserResult
	// transferredTo is the configuration whose row transfers the user
	// (reason transferred) while row soft-deletes it: the jobs run
	// independently, so the soft delete counts.
	transferredTo string
}

// b2bSet is every target's B2B user set after one cycle.
type b2bSet map[userKey]*member

// names maps tenant ids to repo tenant names, through the snapshots and the
// repositories.
type names map[string]string

func newNames(snaps Snapshots, repos ...*tenants.Repo) names {
	n := names{}
	for _, r := range repos {
		if r == nil {
			continue
		}
		for _, t := range r.Tenants {
			n[strings.ToLower(t.TenantID)] = t.Name
		}
	}
	for name, s := range snaps {
		if s != nil && s.TenantID != "" {
			n[strings.ToLower(s.TenantID)] = name
		}
	}
	return n
}

func (n names) of(tenantID string) string {
	if name, ok := n[strings.ToLower(tenantID)]; ok {
		return name
	}
	return tenantID
}

// snapshotSet is the B2B user set the target snapshots show: users with a
// source link that are not soft-deleted.
func snapshotSet(snaps Snapshots, n names) b2bSet {
	set := b2bSet{}
	for target, s := range snaps {
		if s == nil {
			continue
		}
		for i := range s.Users {
			u := &s.Users[i]
			if u.Source == nil || u.Deleted {
				continue
			}
			set[userKey{target, n.of(u.Source.TenantID), u.Source.UserID}] = &member{in: true}
		}
	}
	return set
}

// cycleSet is the B2B user sets once a cycle's actions are applied to the
// snapshots: users no row touches stay as they are (paused and blocked
// configurations, guests invited by hand), staged deletes have not
// happened, skipped and failed users change nothing.
func cycleSet(res *simulate.Result, snaps Snapshots, n names) b2bSet {
	set := snapshotSet(snaps, n)
	if res == nil {
		return set
	}
	for i := range res.Users {
		row := &res.Users[i]
		in, ok := rowMembership(row)
		if !ok {
			continue
		}
		k := userKey{row.Target, row.Source, row.SourceUserID}
		if m := set[k]; m != nil && m.row != nil {
			// One configuration transfers the user another soft-deletes
			// (DESIGN §4): the soft delete counts.
			switch {
			case m.row.Action == simulate.ActionDelete && row.Reason == simulate.ReasonTransferred:
				m.transferredTo = row.Config
				continue
			case row.Action == simulate.ActionDelete && m.row.Reason == simulate.ReasonTransferred:
				set[k] = &member{in: false, row: row, transferredTo: m.row.Config}
				continue
			}
		}
		set[k] = &member{in: in, row: row}
	}
	return set
}

// unionKeys is the set of users of either set.
func unionKeys(a, b b2bSet) map[userKey]bool {
	keys := make(map[userKey]bool, len(a)+len(b))
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// rowMembership says whether a row leaves its user in the target's B2B user
// set, and whether the row decides it at all.
func rowMembership(row *simulate.UserResult) (in, decides bool) {
	switch row.Action {
	case simulate.ActionDelete:
		return false, true
	case simulate.ActionSkip, simulate.ActionFail:
		if row.TargetUser == nil {
			return false, false
		}
	}
	if row.TargetUser != nil {
		return !row.TargetUser.Deleted, true
	}
	switch row.Action {
	case simulate.ActionCreate, simulate.ActionRestore, simulate.ActionUpdate, simulate.ActionDisable, simulate.ActionStaged:
		return true, true
	}
	return false, false
}

// Impact compares the B2B user sets each target tenant has after one cycle
// at base and at head, both simulated against the same snapshots: added and
// removed users, users in both whose written values differ (changed), and
// the users head's cycle disables or holds back by the deletion threshold
// (disabled, staged). restartsJob lists head's configurations into the
// target whose scope, filters or mappings change: Entra restarts their job,
// a full cycle. One entry per target of a configuration at base or head,
// sorted by target; users sorted by source, configuration, lower-cased UPN
// and id. snaps may be nil (then only the cycles' rows count).
func Impact(base, head *simulate.Result, baseRepo, headRepo *tenants.Repo, snaps Snapshots) []TargetImpact {
	return impact(base, head, baseRepo, headRepo, snaps, Diff(baseRepo, headRepo))
}

func impact(base, head *simulate.Result, baseRepo, headRepo *tenants.Repo, snaps Snapshots, changes []Change) []TargetImpact {
	n := newNames(snaps, baseRepo, headRepo)
	bset, hset := cycleSet(base, snaps, n), cycleSet(head, snaps, n)
	upns := sourceUPNs(snaps)

	byTarget := map[string]*TargetImpact{}
	get := func(target string) *TargetImpact {
		ti := byTarget[target]
		if ti == nil {
			ti = &TargetImpact{Target: target, Added: []ImpactUser{}, Removed: []ImpactUser{}, Changed: []ImpactUser{},
				Disabled: []ImpactUser{}, Staged: []ImpactUser{}, RestartsJob: []string{}}
			byTarget[target] = ti
		}
		return ti
	}
	for _, res := range []*simulate.Result{base, head} {
		if res == nil {
			continue
		}
		for _, c := range res.Configs {
			get(c.Target)
		}
	}
	for _, r := range []*tenants.Repo{baseRepo, headRepo} {
		if r == nil {
			continue
		}
		for _, s := range r.SyncConfigs() {
			get(s.Target)
		}
	}

	states := configStates(head, headRepo)
	for k := range unionKeys(bset, hset) {
		b, h := bset[k], hset[k]
		bin, hin := b != nil && b.in, h != nil && h.in
		switch {
		case hin && !bin:
			get(k.target).Added = append(get(k.target).Added, withBase(impactUser(k, h, b, states, upns), b))
		case bin && !hin:
			get(k.target).Removed = append(get(k.target).Removed, withBase(impactUser(k, h, b, states, upns), b))
		case bin && hin:
			if ch := writtenChanges(b.row, h.row); len(ch) > 0 {
				u := withBase(impactUser(k, h, b, states, upns), b)
				u.Changes = ch
				get(k.target).Changed = append(get(k.target).Changed, u)
			}
		}
	}
	if head != nil {
		for i := range head.Users {
			row := &head.Users[i]
			b := bset[userKey{row.Target, row.Source, row.SourceUserID}]
			switch row.Action {
			case simulate.ActionDisable:
				get(row.Target).Disabled = append(get(row.Target).Disabled, withBase(rowUser(row), b))
			case simulate.ActionStaged:
				get(row.Target).Staged = append(get(row.Target).Staged, withBase(rowUser(row), b))
			}
		}
	}
	for _, key := range restarts(changes, headRepo) {
		ti := get(key.target)
		ti.RestartsJob = append(ti.RestartsJob, key.config)
	}

	out := make([]TargetImpact, 0, len(byTarget))
	for _, t := range sortedKeys(byTarget) {
		ti := byTarget[t]
		for _, l := range [][]ImpactUser{ti.Added, ti.Removed, ti.Changed, ti.Disabled, ti.Staged} {
			sortUsers(l)
		}
		sort.Strings(ti.RestartsJob)
		out = append(out, *ti)
	}
	return out
}

// impactUser describes a user that is added, removed or changed: with the
// head row's action and reason when head's cycle touches it, else why it
// stays as it is.
func impactUser(k userKey, h, b *member, states map[string]string, upns map[srcKey]string) ImpactUser {
	if h != nil && h.row != nil {
		u := rowUser(h.row)
		u.TransferredTo = h.transferredTo
		return u
	}
	u := ImpactUser{Source: k.source, SourceUserID: k.userID, SourceUserPrincipalName: upns[srcKey{k.source, k.userID}]}
	if b != nil && b.row != nil {
		u.Config = b.row.Config
		if u.SourceUserPrincipalName == "" {
			u.SourceUserPrincipalName = b.row.SourceUserPrincipalName
		}
		u.Reason = untouchedReason(b.row, states)
	}
	return u
}

// The reasons of users head's cycle leaves as they are while base's cycle
// acts on them.
const (
	ReasonConfigRemoved = "config-removed" // the configuration is gone at head
	ReasonNotCreated    = "not-created"    // base creates the user; at head it is out of scope
	ReasonNotRestored   = "not-restored"   // base restores the user; at head it is out of scope
	ReasonNotAdopted    = "not-adopted"    // base adopts an unmanaged B2B user; at head it is out of scope
	ReasonOutOfScope    = "out-of-scope"   // base acts on the user; at head it is neither in scope nor linked
)

// untouchedReason says why head's cycle leaves a user alone that base's
// cycle acts on: head's configuration is paused, blocked or gone
// ("config-paused" …), or it runs and the user is out of its scope (a linked
// user always has a row).
func untouchedReason(base *simulate.UserResult, states map[string]string) string {
	st, ok := states[base.Source+"/"+base.Config]
	switch {
	case !ok:
		return ReasonConfigRemoved
	case st != "config-"+string(simulate.StateActive) && st != "config-"+string(simulate.StateQuarantine):
		return st
	}
	switch {
	case base.Action == simulate.ActionCreate:
		return ReasonNotCreated
	case base.Action == simulate.ActionRestore:
		return ReasonNotRestored
	case base.Reason == "adopted":
		return ReasonNotAdopted
	}
	return ReasonOutOfScope
}

// withBase records base's action and reason on an impact user.
func withBase(u ImpactUser, b *member) ImpactUser {
	if b != nil && b.row != nil {
		u.BaseAction, u.BaseReason = string(b.row.Action), b.row.Reason
	}
	return u
}

// HeldBack is what a row's action does or, staged, holds back: the
// simulator stages a disable with reason too-many-deletes (an empty reason
// reads the same) and a delete with the delete's own reason
// (source-deleted, unassigned, filtered); any other staged row holds back a
// create, update or restore, and stays "staged".
func HeldBack(action, reason string) string {
	if action != string(simulate.ActionStaged) {
		return action
	}
	switch reason {
	case "", simulate.ReasonTooManyDeletes:
		return string(simulate.ActionDisable)
	case simulate.ReasonSourceDeleted, simulate.ReasonUnassigned, simulate.ReasonFiltered:
		return string(simulate.ActionDelete)
	}
	return action
}

// Pending reports whether a user of the disabled or staged list is already
// pending without the change: base's cycle disables (or deletes) it too,
// or holds back the same. Otherwise this change causes it.
func (u ImpactUser) Pending() bool {
	return u.BaseAction != "" && HeldBack(u.BaseAction, u.BaseReason) == HeldBack(u.Action, u.Reason)
}

func rowUser(row *simulate.UserResult) ImpactUser {
	return ImpactUser{
		Source: row.Source, Config: row.Config, SourceUserID: row.SourceUserID,
		SourceUserPrincipalName: row.SourceUserPrincipalName,
		Action:                  string(row.Action), Reason: row.Reason,
	}
}

// configStates maps "source/config" to the head state of each configuration
// that exists at head ("paused", "blocked" …), for users head's cycle leaves
// alone.
func configStates(head *simulate.Result, headRepo *tenants.Repo) map[string]string {
	st := map[string]string{}
	if headRepo != nil {
		for _, s := range headRepo.SyncConfigs() {
			st[s.Key()] = "config-unknown" // not in head's result: not simulated
		}
	}
	if head != nil {
		for _, c := range head.Configs {
			st[c.Source+"/"+c.Name] = "config-" + string(c.State)
		}
	}
	return st
}

// srcKey is a source user: its tenant's name and its id.
type srcKey struct{ source, id string }

// sourceUPNs maps source users to their UPNs, from the snapshots.
func sourceUPNs(snaps Snapshots) map[srcKey]string {
	m := map[srcKey]string{}
	for name, s := range snaps {
		if s == nil {
			continue
		}
		for i := range s.Users {
			m[srcKey{name, s.Users[i].ID}] = s.Users[i].UserPrincipalName
		}
	}
	return m
}

// restartKey is a configuration whose job restarts, with its target.
type restartKey struct{ target, config string }

// restartPaths are the sync fields whose change rewrites the job's schema
// or scope: Entra restarts the job (a full cycle). userType, userTypeFlow
// and showInAddressList are attribute mappings in Entra's schema.
func restartsJobPath(path string) bool {
	for _, p := range []string{"scope", "mappings", "userType", "userTypeFlow", "showInAddressList"} {
		if path == p || strings.HasPrefix(path, p+".") {
			return true
		}
	}
	return false
}

func restarts(changes []Change, headRepo *tenants.Repo) []restartKey {
	seen := map[restartKey]bool{}
	var out []restartKey
	for _, c := range changes {
		if c.Kind != KindSync || c.Op != OpModify || !restartsJobPath(c.Path) || headRepo == nil {
			continue
		}
		t := findTenant(headRepo, c.Tenant)
		if t == nil {
			continue
		}
		for _, s := range t.Sync {
			if s.Name == c.Name {
				k := restartKey{s.Target, s.Key()}
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// writtenChanges compares what two cycles leave written on one target user:
// the mapped attributes, userType, accountEnabled and showInAddressList.
// A side without a row keeps the target's current values, which the other
// side's row records as the "from" of its changes.
func writtenChanges(b, h *simulate.UserResult) map[string]simulate.Change {
	bs, hs := writtenState(b), writtenState(h)
	switch {
	case bs.tu == nil && hs.tu == nil:
		return nil
	case bs.tu == nil:
		bs = written{tu: hs.tu, undo: h.Changes}
	case hs.tu == nil:
		hs = written{tu: bs.tu, undo: b.Changes}
	}
	var out map[string]simulate.Change
	diff := func(k string) {
		bv, hv := bs.get(k), hs.get(k)
		if !sameValue(bv, hv) {
			if out == nil {
				out = map[string]simulate.Change{}
			}
			out[k] = simulate.Change{From: bv, To: hv}
		}
	}
	bs.keys(diff)
	hs.keys(func(k string) {
		if !bs.has(k) {
			diff(k)
		}
	})
	return out
}

// written is what a cycle leaves written on a target user: its target
// user's values, or with undo, the values before the cycle's changes.
type written struct {
	tu   *simulate.TargetUser
	undo map[string]simulate.Change
}

func writtenState(row *simulate.UserResult) written {
	if row == nil {
		return written{}
	}
	return written{tu: row.TargetUser}
}

// get is the value of attribute k (nil: none). A change undone counts
// first, then a mapped attribute, then the target user's own fields.
func (w written) get(k string) any {
	if c, ok := w.undo[k]; ok {
		return c.From
	}
	if v, ok := w.tu.Attributes[k]; ok {
		return v
	}
	switch k {
	case "userType":
		return w.tu.UserType
	case "accountEnabled":
		return w.tu.AccountEnabled
	case "showInAddressList":
		return w.tu.ShowInAddressList
	}
	return nil
}

func (w written) has(k string) bool {
	if _, ok := w.undo[k]; ok {
		return true
	}
	if _, ok := w.tu.Attributes[k]; ok {
		return true
	}
	return k == "userType" || k == "accountEnabled" || k == "showInAddressList"
}

// keys calls f with every attribute the state holds (some more than once).
func (w written) keys(f func(string)) {
	f("userType")
	f("accountEnabled")
	f("showInAddressList")
	for k := range w.tu.Attributes {
		f(k)
	}
	for k := range w.undo {
		f(k)
	}
}

// sameValue compares attribute values the way a cycle writes them: empty
// strings and lists are no value, numbers compare by value whatever their
// Go type.
func sameValue(a, b any) bool {
	switch x := a.(type) { // the usual cases, without reflection
	case string:
		if y, ok := b.(string); ok && x != "" {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	}
	a, b = normValue(a), normValue(b)
	if reflect.DeepEqual(a, b) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func normValue(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
	case []string:
		if len(x) == 0 {
			return nil
		}
	}
	return v
}

func sortUsers(us []ImpactUser) {
	sort.SliceStable(us, func(i, j int) bool { return userLess(us[i], us[j]) })
}

// userLess orders users by source, configuration, lower-cased UPN and id.
func userLess(a, b ImpactUser) bool {
	if a.Source != b.Source {
		return a.Source < b.Source
	}
	if a.Config != b.Config {
		return a.Config < b.Config
	}
	la, lb := strings.ToLower(a.SourceUserPrincipalName), strings.ToLower(b.SourceUserPrincipalName)
	if la != lb {
		return la < lb
	}
	return a.SourceUserID < b.SourceUserID
}
