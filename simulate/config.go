package simulate

import (
	"sort"
	"strings"

	"github.com/xtsync/xtsync/tenants"
	"github.com/xtsync/xtsync/tenants/expr"
)

// mapping kinds, compiled.
const (
	mkAttr = iota
	mkConst
	mkExpr
	mkManager
)

// cmapping is one effective mapping, compiled for a configuration.
type cmapping struct {
	target   string
	flow     tenants.Flow
	kind     int
	src      func(int32) any    // mkAttr, mkManager: the source attribute
	srcField func(*User) string // mkAttr of a string field: reads it unboxed
	constVal any
	expr     *expr.Expr
	tgt      func(int32) any // the target user's current value
}

// cfgRun is one configuration's cycle.
type cfgRun struct {
	r      *runner
	sc     *tenants.SyncConfig
	sx, tx *snapIndex
	srcTID string // lower-case
	tgt    *tenants.Tenant

	all      bool
	assigned []bool
	via      map[int32]string // explain: how a user is assigned
	linked   []int32          // per source user: linked target user or -1
	filters  [][]*clause
	attrs    []*cmapping // mappings written as attributes
	upn      *cmapping   // userPrincipalName (never written as attribute)
	enabled  *cmapping   // accountEnabled
	show     *cmapping   // showInAddressList
	userType *cmapping
	manager  *cmapping       // the manager reference (also in attrs); nil when not mapped
	created  map[string]bool // lower-cased mails created this cycle
	domain   string          // initialDomain, once known

	// others caches the scope of the pair's other configurations, by
	// name (nil: no such configuration in the repository).
	others map[string]*cfgRun

	// exprErr is the first mapping that failed to evaluate for the user
	// being decided (nil: none); user resets it.
	exprErr *exprFailure

	cur int32 // the source user an expression reads
	env expr.Env

	tgtShow func(int32) any // the target users' showInAddressList
	vals    []any           // after's values of attrs, one run at a time
	tus     []TargetUser    // newTargetUser's block
}

func (r *runner) compile(sc *tenants.SyncConfig, explain bool) *cfgRun {
	c := &cfgRun{r: r, sc: sc, sx: r.idx[sc.Source], tx: r.idx[sc.Target], tgt: r.repo.Tenant(sc.Target), created: map[string]bool{}}
	if src := r.repo.Tenant(sc.Source); src != nil {
		c.srcTID = strings.ToLower(src.TenantID)
	}
	if c.srcTID == "" && c.sx != nil {
		c.srcTID = strings.ToLower(c.sx.s.TenantID)
	}
	c.sx.source()
	c.tx.target()
	n := len(c.sx.s.Users)

	// Assignment: scope.all, direct users, direct members of direct groups.
	c.all = sc.Scope.All
	c.assigned = make([]bool, n)
	c.via = map[int32]string{}
	for _, ref := range sc.Scope.Users {
		for _, i := range c.sx.resolveUser(ref) {
			c.assigned[i] = true
			if explain {
				c.via[i] = "assigned directly (scope.users " + quote(ref) + ")"
			}
		}
	}
	for _, ref := range sc.Scope.Groups {
		for _, g := range c.sx.resolveGroup(ref) {
			grp := &c.sx.s.Groups[g]
			c.sx.members(int(g), func(i int32) {
				c.assigned[i] = true
				if _, seen := c.via[i]; explain && !seen {
					c.via[i] = "direct member of group " + quote(grp.DisplayName)
				}
			})
		}
	}

	// Links of this configuration.
	c.linked = make([]int32, n)
	for i := range c.linked {
		c.linked[i] = -1
	}
	for _, t := range c.tx.byConfig[cfgKey{c.srcTID, sc.Name}] {
		if i, ok := c.sx.user(c.tx.s.Users[t].Source.UserID); ok {
			c.linked[i] = better(c.tx.s, c.linked[i], t)
		}
	}

	// Filters.
	for _, f := range sc.Scope.Filters {
		var cl []*clause
		for _, x := range f.Clauses {
			cl = append(cl, r.compileClause(c.sx, f.Name, x))
		}
		c.filters = append(c.filters, cl)
	}

	// Mappings.
	exprAttrs := map[string]func(int32) any{}
	for _, m := range tenants.EffectiveMappings(sc) {
		cm := &cmapping{target: m.Target, flow: m.Flow, tgt: c.tx.accessor(m.Target)}
		switch {
		case m.Kind == tenants.MappingSource && m.Target == "manager" && m.Value == "manager":
			cm.kind = mkManager
			cm.src = c.sx.accessor("manager")
			c.manager = cm
		case m.Kind == tenants.MappingSource:
			cm.kind = mkAttr
			cm.src = c.sx.accessor(m.Value)
			cm.srcField = stringField(m.Value)
		case m.Kind == tenants.MappingConstant:
			cm.kind = mkConst
			cm.constVal = m.Value
		default:
			cm.kind = mkExpr
			cm.expr = m.Expr
			for _, a := range m.Expr.Attributes() {
				if _, ok := exprAttrs[a]; !ok {
					exprAttrs[a] = c.sx.accessor(a)
				}
			}
		}
		switch m.Target {
		case "userPrincipalName":
			c.upn = cm
		case "accountEnabled":
			c.enabled = cm
		case "showInAddressList":
			c.show = cm
		case "userType":
			c.userType = cm
		default:
			c.attrs = append(c.attrs, cm)
		}
	}
	c.vals = make([]any, len(c.attrs))
	c.tgtShow = c.tx.column("showInAddressList")
	c.env = expr.Env{Attr: func(name string) any {
		if f := exprAttrs[name]; f != nil {
			return f(c.cur)
		}
		return nil
	}}
	return c
}

// better picks between two target users linked to one source user: the one
// not deleted counts, else the first.
func better(s *Snapshot, cur, t int32) int32 {
	if cur < 0 || (s.Users[cur].Deleted && !s.Users[t].Deleted) {
		return t
	}
	return cur
}

func quote(s string) string { return `"` + s + `"` }

// state returns a configuration's result with its blockers and state.
func (r *runner) state(sc *tenants.SyncConfig) configOut {
	out := configOut{res: ConfigResult{Source: sc.Source, Name: sc.Name, Target: sc.Target, Blockers: r.blockers(sc)}}
	switch {
	case !sc.Enabled:
		out.res.State = StatePaused
	case len(out.res.Blockers) > 0:
		out.res.State = StateBlocked
	default:
		out.res.State = StateActive
	}
	return out
}

// cfgPlan is a configuration's cycle before its rows are made: which users
// get a row, in row order, so that the rows can be written straight into
// their place in Result.Users.
type cfgPlan struct {
	r   *runner
	sc  *tenants.SyncConfig
	out configOut
	c   *cfgRun // nil when the configuration does not run
	// items lists the rows in order: i >= 0 is source user i, i < 0 is
	// gone[-i-1].
	items []int32
	gone  []goneRow
	n     int // rows
}

// goneRow is a target user linked to a source user missing from the
// source snapshot.
type goneRow struct {
	id       string
	lowerUPN string
}

// prepare decides a configuration's state and, when it runs, which users
// get a row: a source user gets one when it is linked, or assigned and not
// deleted (exactly when cfgRun.user reports ok); a linked target user
// whose source user is gone when gone does. Rows are ordered by lower-cased
// source UPN, then source user id.
func (r *runner) prepare(sc *tenants.SyncConfig) *cfgPlan {
	p := &cfgPlan{r: r, sc: sc, out: r.state(sc)}
	if p.out.res.State != StateActive {
		return p
	}
	c := r.compile(sc, false)
	p.c = c
	// fill makes the creates' duplicate-mail check itself, in row order.
	c.created = nil
	users := c.sx.s.Users
	// Decided in snapshot order (sequential reads), listed in UPN order.
	listed := make([]bool, len(users))
	n := 0
	for i := range users {
		if c.linked[i] >= 0 || !users[i].Deleted && (c.all || c.assigned[i]) {
			listed[i] = true
			n++
		}
	}
	items := make([]int32, 0, n)
	for _, i := range c.sx.order {
		if listed[i] {
			items = append(items, i)
		}
	}
	// Linked users whose source user is gone from the snapshot.
	for _, t := range c.tx.byConfig[cfgKey{c.srcTID, sc.Name}] {
		tu := &c.tx.s.Users[t]
		id := tu.Source.UserID
		if _, ok := c.sx.user(id); ok {
			continue
		}
		if L := c.tx.linkedIn(c.srcTID, id, sc.Name); L >= 0 && c.tx.s.Users[L].ID == tu.ID {
			p.gone = append(p.gone, goneRow{id: id, lowerUPN: strings.ToLower(sourceUPNOf(&c.tx.s.Users[L]))})
		}
	}
	if len(p.gone) > 0 {
		sort.SliceStable(p.gone, func(a, b int) bool {
			x, y := &p.gone[a], &p.gone[b]
			if x.lowerUPN != y.lowerUPN {
				return x.lowerUPN < y.lowerUPN
			}
			return x.id < y.id
		})
		// Merge them among the source users (a gone id is never a source
		// user's id, so no two keys are equal).
		merged := make([]int32, 0, len(items)+len(p.gone))
		g := 0
		for _, i := range items {
			for g < len(p.gone) && goneBefore(&p.gone[g], c.sx.lowerUPN[i], users[i].ID) {
				merged = append(merged, int32(-g-1))
				g++
			}
			merged = append(merged, i)
		}
		for ; g < len(p.gone); g++ {
			merged = append(merged, int32(-g-1))
		}
		items = merged
	}
	p.items = items
	p.n = len(items)
	return p
}

// goneBefore reports whether a gone row sorts before the source user with
// this lower-cased UPN and id.
func goneBefore(g *goneRow, lowerUPN, id string) bool {
	if g.lowerUPN != lowerUPN {
		return g.lowerUPN < lowerUPN
	}
	return g.id < id
}

// fill evaluates the configuration's users into rows (len(rows) == p.n),
// applies the deletion threshold and counts.
func (p *cfgPlan) fill(rows []UserResult) {
	if p.c == nil {
		return
	}
	c := p.c
	// Source users are evaluated in snapshot order, not row order: the
	// attribute columns are then read front to back instead of at random.
	users := c.sx.s.Users
	slot := make([]int32, len(users)) // row index + 1; 0: no row
	for k, i := range p.items {
		if i >= 0 {
			slot[i] = int32(k) + 1
			continue
		}
		row, ok := c.gone(p.gone[-i-1].id, nil)
		if !ok {
			panic("simulate: a planned row was not made") // prepare and gone disagree: a bug
		}
		rows[k] = row
	}
	for i, k := range slot {
		if k == 0 {
			continue
		}
		row, ok := c.user(int32(i), nil)
		if !ok {
			panic("simulate: a planned row was not made") // prepare and user disagree: a bug
		}
		rows[k-1] = row
	}
	// Duplicate mails: of the creates with one mail (any case), the first
	// in row order (lower-cased UPN) creates, the others are skipped; so is
	// a create whose mail a target user this configuration links (to
	// another source user) already has: Entra links both source users to
	// that one target user (known issue "Two users in the source tenant
	// matched with the same user in the target tenant").
	var mails map[string]bool // the creates' mails: true when a linked target user has it
	for k, i := range p.items {
		if i >= 0 && rows[k].Action == ActionCreate && users[i].Mail != "" {
			if mails == nil {
				mails = map[string]bool{}
			}
			mails[strings.ToLower(users[i].Mail)] = false
		}
	}
	if len(mails) > 0 {
		for _, t := range c.tx.byConfig[cfgKey{c.srcTID, c.sc.Name}] {
			if tu := &c.tx.s.Users[t]; !tu.Deleted && tu.Mail != "" {
				if lm := strings.ToLower(tu.Mail); !mails[lm] {
					if _, create := mails[lm]; create {
						mails[lm] = true
					}
				}
			}
		}
	}
	created := map[string]bool{}
	for k, i := range p.items {
		row := &rows[k]
		if i < 0 || row.Action != ActionCreate || users[i].Mail == "" {
			continue
		}
		lm := strings.ToLower(users[i].Mail)
		if created[lm] || mails[lm] {
			*row = UserResult{Source: row.Source, Config: row.Config, Target: row.Target, SourceUserID: row.SourceUserID, SourceUserPrincipalName: row.SourceUserPrincipalName,
				Action: ActionSkip, Reason: ReasonDuplicateMail}
			continue
		}
		created[lm] = true
	}
	if c.manager != nil {
		c.references(p.items, slot, rows)
	}
	out := &p.out
	p.r.threshold(p.sc, out, rows)
	out.rows = rows
	for i := range rows {
		out.res.Counts.add(rows[i].Action)
		switch rows[i].Action {
		case ActionCreate, ActionRestore:
			out.added++
		case ActionDelete:
			out.removed++
		}
	}
}

// threshold applies accidental-deletion prevention: more deletes + disables
// than deletionThreshold stages them and quarantines the configuration.
func (r *runner) threshold(sc *tenants.SyncConfig, out *configOut, rows []UserResult) {
	if sc.DeletionThreshold <= 0 {
		return
	}
	n := 0
	for i := range rows {
		if a := rows[i].Action; a == ActionDelete || a == ActionDisable {
			n++
		}
	}
	if n <= sc.DeletionThreshold {
		return
	}
	out.res.State = StateQuarantine
	for i := range rows {
		row := &rows[i]
		switch row.Action {
		case ActionDelete:
			stage(row, row.Reason)
		case ActionDisable:
			stage(row, ReasonTooManyDeletes)
		case ActionCreate, ActionUpdate, ActionRestore:
			if !r.quarantineCreates {
				reason := row.Reason
				if reason == "" {
					reason = ReasonCycleHeldBack
				}
				stage(row, reason)
			}
		}
	}
}

// stage holds a row's action back: the target user stays as it is (a
// staged create has none); Changes keep what was held back.
func stage(row *UserResult, reason string) {
	if row.Action == ActionCreate {
		row.TargetUser = nil
	}
	if tu := row.TargetUser; tu != nil {
		switch row.Action {
		case ActionDelete:
			tu.Deleted = false
		case ActionRestore:
			tu.Deleted = true
		}
		for k, ch := range row.Changes {
			switch k {
			case "accountEnabled":
				tu.AccountEnabled, _ = ch.From.(bool)
			case "showInAddressList":
				tu.ShowInAddressList, _ = ch.From.(bool)
			case "userType":
				tu.UserType, _ = ch.From.(string)
			case "userPrincipalName":
				tu.UserPrincipalName, _ = ch.From.(string)
			default:
				if ch.From == nil {
					delete(tu.Attributes, k)
				} else {
					tu.Attributes[k] = ch.From
				}
			}
		}
	}
	row.Action, row.Reason = ActionStaged, reason
}

func (c *Counts) add(a Action) {
	switch a {
	case ActionCreate:
		c.Create++
	case ActionUpdate:
		c.Update++
	case ActionRestore:
		c.Restore++
	case ActionDisable:
		c.Disable++
	case ActionDelete:
		c.Delete++
	case ActionStaged:
		c.Staged++
	case ActionNoop:
		c.Noop++
	case ActionSkip:
		c.Skip++
	case ActionFail:
		c.Fail++
	}
}

// eligible reports whether a source user can be provisioned at all, and
// the skip reason when not ("" for a deleted user, which is never listed
// unless linked).
func (c *cfgRun) eligible(u *User) (bool, string) {
	switch {
	case u.Deleted:
		return false, ""
	case len(u.AlternativeSecurityIDs) > 0:
		return false, ReasonExternalUser
	case u.UserType != "Member" && c.r.guestsSkipped:
		return false, ReasonGuestUser
	}
	return true, ""
}

// inFilters reports whether a user passes the scoping filters: no filters,
// or every clause of at least one.
func (c *cfgRun) inFilters(i int32, ex *explainer) bool {
	if len(c.filters) == 0 {
		return true
	}
	pass := false
	for k, f := range c.filters {
		all := true
		for _, cl := range f {
			ok := cl.eval(i)
			if ex != nil {
				ex.clause(c.sc.Scope.Filters[k].Name, cl, i, ok)
			}
			if !ok {
				all = false
				if ex == nil {
					break
				}
			}
		}
		if all {
			pass = true
			if ex == nil {
				break
			}
		}
	}
	return pass
}

// user decides what the cycle does to source user i; ok is false when the
// user is neither assigned nor linked (no row).
func (c *cfgRun) user(i int32, ex *explainer) (UserResult, bool) {
	u := &c.sx.s.Users[i]
	row := UserResult{Source: c.sc.Source, Config: c.sc.Name, Target: c.sc.Target, SourceUserID: u.ID, SourceUserPrincipalName: u.UserPrincipalName}
	elig, skip := c.eligible(u)
	assigned := c.all || c.assigned[i]
	if ex != nil {
		ex.eligibility(c, u, elig, skip, assigned, i)
	}
	filtersOK := false
	if assigned && (elig || ex != nil) {
		filtersOK = c.inFilters(i, ex)
	}
	inScope := elig && assigned && filtersOK
	L := c.linked[i]
	if ex != nil {
		ex.scope(c, assigned, filtersOK, L)
	}
	// t is the target user an in-scope row writes (-1: a create).
	t := int32(-1)
	set := func(a Action, reason string, rule string) (UserResult, bool) {
		if f := c.exprErr; inScope && f != nil && a != ActionSkip && a != ActionFail && reason != ReasonDeletedInTarget {
			// An expression that fails for the user fails the user: Entra
			// neither creates nor updates it (how-provisioning-works,
			// "Errors and retries").
			c.exprErr = nil
			a, reason, rule = ActionFail, ReasonExpressionError, "in scope, an expression mapping fails for the user"
			row.Error = f.target + ": " + f.err.Error()
			row.Changes = nil
			row.TargetUser = nil
			if t >= 0 {
				row.TargetUser, _ = c.after(-1, t, false)
			}
			if ex != nil {
				ex.note("the mapping of " + f.target + " fails: " + f.err.Error())
			}
		}
		row.Action, row.Reason = a, reason
		if ex != nil {
			ex.rule(rule)
		}
		return row, true
	}
	c.exprErr = nil
	if inScope {
		t = L
		if L >= 0 {
			lu := &c.tx.s.Users[L]
			if lu.Deleted {
				bySync := lu.Source.DeletedBySync == nil || *lu.Source.DeletedBySync
				switch {
				case bySync && c.r.restore:
					row.TargetUser, row.Changes = c.after(i, L, true)
					row.TargetUser.Deleted = false
					return set(ActionRestore, "", "in scope, linked, target soft-deleted by the sync")
				case !bySync:
					row.TargetUser, _ = c.after(i, L, false)
					return set(ActionNoop, ReasonDeletedInTarget, "in scope, linked, target soft-deleted otherwise")
				}
				// restore-on-rescope off: the sync creates a new user.
			} else {
				// A disable is the accountEnabled mapping writing false to
				// an enabled target user: without the mapping, source
				// disables do not flow.
				if c.enabled != nil && lu.AccountEnabled {
					if b, ok := asBool(c.value(c.enabled, i)); ok && !b {
						row.TargetUser, row.Changes = c.after(i, L, true)
						return set(ActionDisable, "", "in scope, linked, source disabled (the accountEnabled mapping writes false), target enabled")
					}
				}
				tu, changes := c.after(i, L, c.sc.Allows(tenants.ActionUpdate))
				row.TargetUser = tu
				if len(changes) > 0 {
					if c.sc.Allows(tenants.ActionUpdate) {
						row.Changes = changes
						return set(ActionUpdate, "", "in scope, linked, mapped values differ, update in actions")
					}
					return set(ActionNoop, ReasonUpdateActionDisabled, "in scope, linked, mapped values differ, update not in actions")
				}
				return set(ActionNoop, "", "in scope, linked, nothing differs")
			}
		}
		if !u.AccountEnabled {
			return set(ActionSkip, ReasonDisabledUser, "in scope, not linked, source disabled")
		}
		other, unmanaged := c.otherLinks(u.ID)
		if other >= 0 {
			name := c.tx.s.Users[other].Source.Config
			if ex != nil {
				ex.note("linked to configuration " + quote(name) + " in the target: " + c.tx.s.Users[other].UserPrincipalName)
			}
			if !c.otherInScope(name, i) {
				t = other
				row.TargetUser, row.Changes = c.after(i, other, true)
				return set(ActionUpdate, ReasonTransferred, "in scope, not linked, a B2B user of the same source user is linked to another configuration of the pair that no longer has the user in scope")
			}
			return set(ActionFail, ReasonManagedByOtherConfig, "in scope, not linked, a B2B user of the same source user is linked to another configuration that still has the user in scope")
		}
		if unmanaged >= 0 {
			t = unmanaged
			row.TargetUser, row.Changes = c.after(i, unmanaged, true)
			return set(ActionUpdate, ReasonAdopted, "in scope, not linked, an unmanaged B2B user of the same source user exists in the target")
		}
		if !c.sc.Allows(tenants.ActionCreate) {
			return set(ActionSkip, ReasonCreateActionDisabled, "in scope, not linked, create not in actions")
		}
		if u.Mail != "" && !c.sx.domains()[mailDomain(u.Mail)] {
			return set(ActionFail, ReasonUnverifiedMailDomain, "in scope, not linked, mail on a domain not verified in the source")
		}
		lm := strings.ToLower(u.Mail)
		if u.Mail != "" && c.tx.mails[lm] {
			return set(ActionFail, ReasonAmbiguousTargetUser, "in scope, not linked, a target user without source has the same mail or smtp: address")
		}
		// created is nil in Run: cfgPlan.fill checks the creates in row
		// order afterwards.
		if u.Mail != "" && c.created != nil {
			if c.created[lm] {
				return set(ActionSkip, ReasonDuplicateMail, "in scope, not linked, a user created earlier in this cycle has the same mail")
			}
			c.created[lm] = true
		}
		t = -1
		row.TargetUser, _ = c.after(i, -1, true)
		return set(ActionCreate, "", "in scope, not linked")
	}
	if L >= 0 {
		lu := &c.tx.s.Users[L]
		row.TargetUser, _ = c.after(i, L, false)
		switch {
		case !c.sc.Allows(tenants.ActionDelete):
			return set(ActionNoop, ReasonDeleteActionDisabled, "linked, out of scope, delete not in actions")
		case lu.Deleted:
			return set(ActionNoop, ReasonAlreadyDeleted, "linked, out of scope, target already soft-deleted")
		case !u.Deleted && !u.AccountEnabled && !lu.AccountEnabled:
			return set(ActionNoop, ReasonDisabledNotDeleted, "linked, out of scope, source disabled, target disabled")
		}
		row.TargetUser.Deleted = true
		switch {
		case u.Deleted:
			return set(ActionDelete, ReasonSourceDeleted, "linked, source user deleted")
		case !assigned || !elig:
			return set(ActionDelete, ReasonUnassigned, "linked, not assigned or no longer eligible")
		}
		return set(ActionDelete, ReasonFiltered, "linked, assigned, failing every filter")
	}
	if u.Deleted || !assigned {
		if ex != nil {
			ex.rule("neither assigned nor linked: not listed")
		}
		return row, false
	}
	if !elig {
		return set(ActionSkip, skip, "assigned, not eligible")
	}
	return set(ActionSkip, ReasonFiltered, "assigned, failing every filter")
}

// gone decides what the cycle does to the target user linked to a source
// user that is no longer in the source snapshot.
func (c *cfgRun) gone(id string, ex *explainer) (UserResult, bool) {
	L := c.tx.linkedIn(c.srcTID, id, c.sc.Name)
	if L < 0 {
		if ex != nil {
			ex.rule("no such source user and no B2B user linked to it: not listed")
		}
		return UserResult{}, false
	}
	lu := &c.tx.s.Users[L]
	row := UserResult{Source: c.sc.Source, Config: c.sc.Name, Target: c.sc.Target, SourceUserID: id, SourceUserPrincipalName: sourceUPNOf(lu)}
	row.TargetUser, _ = c.after(-1, L, false)
	rule := func(r string) {
		if ex != nil {
			ex.note("the source user is gone from the snapshot; the target user " + lu.UserPrincipalName + " is linked to it")
			ex.rule(r)
		}
	}
	switch {
	case !c.sc.Allows(tenants.ActionDelete):
		row.Action, row.Reason = ActionNoop, ReasonDeleteActionDisabled
		rule("linked, out of scope, delete not in actions")
	case lu.Deleted:
		row.Action, row.Reason = ActionNoop, ReasonAlreadyDeleted
		rule("linked, out of scope, target already soft-deleted")
	default:
		row.Action, row.Reason = ActionDelete, ReasonSourceDeleted
		row.TargetUser.Deleted = true
		rule("linked, source user gone from the snapshot")
	}
	return row, true
}

// sourceUPNOf recovers a source UPN from a B2B user's #EXT# UPN
// (anna_contoso.eu#EXT#@… -> anna@contoso.eu), else its mail.
func sourceUPNOf(u *User) string {
	if i := strings.Index(u.UserPrincipalName, "#EXT#"); i > 0 {
		s := u.UserPrincipalName[:i]
		if j := strings.LastIndexByte(s, '_'); j > 0 {
			return s[:j] + "@" + s[j+1:]
		}
	}
	if u.Mail != "" {
		return u.Mail
	}
	return u.UserPrincipalName
}

// otherInScope reports whether the pair's configuration name has source
// user i in scope (eligible, assigned, passing a filter), whatever its
// state: a paused or blocked configuration keeps its users. A
// configuration the repository does not declare (removed, renamed without
// an id, made by hand) counts as keeping its users: its scope is unknown,
// and Microsoft documents the switch between two live configurations.
func (c *cfgRun) otherInScope(name string, i int32) bool {
	if c.others == nil {
		c.others = map[string]*cfgRun{}
	}
	o, seen := c.others[name]
	if !seen {
		for _, sc := range c.r.repo.SyncConfigs() {
			if sc.Source == c.sc.Source && sc.Target == c.sc.Target && sc.Name == name {
				o = c.r.compile(sc, false)
				break
			}
		}
		c.others[name] = o
	}
	if o == nil {
		return true
	}
	u := &o.sx.s.Users[i]
	if elig, _ := o.eligible(u); !elig || !(o.all || o.assigned[i]) {
		return false
	}
	return o.inFilters(i, nil)
}

// otherLinks finds, among the target's non-deleted B2B users of the source
// user, one linked to another configuration and one unmanaged (-1: none).
func (c *cfgRun) otherLinks(id string) (other, unmanaged int32) {
	other, unmanaged = -1, -1
	for t := range c.tx.links.all(linkKey{c.srcTID, id}) {
		tu := &c.tx.s.Users[t]
		if tu.Deleted {
			continue
		}
		switch tu.Source.Config {
		case "":
			if unmanaged < 0 {
				unmanaged = t
			}
		case c.sc.Name:
		default:
			if other < 0 {
				other = t
			}
		}
	}
	return other, unmanaged
}

func mailDomain(mail string) string {
	i := strings.LastIndexByte(mail, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(mail[i+1:])
}

// isExtUPN reports whether upn is ExtUPN(sourceUPN, initialDomain),
// without building it.
func isExtUPN(upn, sourceUPN, initialDomain string) bool {
	if len(upn) != len(sourceUPN)+len("#EXT#@")+len(initialDomain) {
		return false
	}
	for k := 0; k < len(sourceUPN); k++ {
		want := sourceUPN[k]
		if want == '@' {
			want = '_'
		}
		if upn[k] != want {
			return false
		}
	}
	rest := upn[len(sourceUPN):]
	return rest[:len("#EXT#@")] == "#EXT#@" && rest[len("#EXT#@"):] == initialDomain
}

// ExtUPN is the UPN a B2B user created by cross-tenant sync gets: the source
// UPN with @ replaced by _, then #EXT#@ and the target's initial domain.
func ExtUPN(sourceUPN, initialDomain string) string {
	return strings.ReplaceAll(sourceUPN, "@", "_") + "#EXT#@" + initialDomain
}

// value evaluates a mapping for source user i; nil when nothing flows.
func (c *cfgRun) value(m *cmapping, i int32) any {
	if i < 0 {
		return nil
	}
	var v any
	switch m.kind {
	case mkAttr:
		v = m.src(i)
	case mkConst:
		v = m.constVal
	case mkManager:
		return nil // a reference: references sets it once every row is made
	case mkExpr:
		c.cur = i
		var err error
		v, err = m.expr.Eval(c.env)
		if err != nil {
			if c.exprErr == nil {
				c.exprErr = &exprFailure{target: m.target, err: err}
			}
			return nil
		}
	}
	if nullish(v) {
		return nil
	}
	return v
}

// after returns the target user after the cycle and the attributes that
// change: for a create (t < 0) every mapped value; else the linked user t
// with the always-flowing mappings applied when write (changes are computed
// either way). Source user i < 0 (gone) reads as null.
func (c *cfgRun) after(i, t int32, write bool) (*TargetUser, map[string]Change) {
	var changes map[string]Change
	change := func(k string, from, to any) {
		if changes == nil {
			changes = map[string]Change{}
		}
		changes[k] = Change{From: from, To: to}
	}
	// vals[k] is the value of c.attrs[k] (nil: none); the map is made at
	// its exact size from them: a million rows hold a million of them.
	vals := c.vals
	clear(vals)
	if t < 0 {
		u := &c.sx.s.Users[i]
		tu := c.newTargetUser()
		*tu = TargetUser{UserPrincipalName: ExtUPN(u.UserPrincipalName, c.initialDomain()), AccountEnabled: u.AccountEnabled, ShowInAddressList: c.sc.ShowInAddressList, UserType: c.sc.UserType}
		if c.enabled != nil {
			if b, ok := asBool(c.value(c.enabled, i)); ok {
				tu.AccountEnabled = b
			}
		}
		if c.show != nil {
			if b, ok := asBool(c.value(c.show, i)); ok {
				tu.ShowInAddressList = b
			}
		}
		if c.userType != nil {
			if s, ok := c.value(c.userType, i).(string); ok {
				tu.UserType = s
			}
		}
		for k, m := range c.attrs {
			vals[k] = c.value(m, i)
		}
		tu.Attributes = c.attrMap(vals)
		return tu, nil
	}
	lu := &c.tx.s.Users[t]
	tu := c.newTargetUser()
	*tu = TargetUser{ID: lu.ID, UserPrincipalName: lu.UserPrincipalName, UserType: lu.UserType, AccountEnabled: lu.AccountEnabled, Deleted: lu.Deleted}
	if c.tgtShow != nil {
		if b, ok := asBool(c.tgtShow(t)); ok {
			tu.ShowInAddressList = b
		}
	}
	for k, m := range c.attrs {
		if v := m.tgt(t); !nullish(v) {
			vals[k] = v
		}
	}
	if i < 0 {
		tu.Attributes = c.attrMap(vals)
		return tu, nil
	}
	// The always-flowing values: compared with the target's, written when
	// they differ and write.
	if c.enabled != nil {
		if b, ok := asBool(c.value(c.enabled, i)); ok && b != tu.AccountEnabled {
			change("accountEnabled", tu.AccountEnabled, b)
			if write {
				tu.AccountEnabled = b
			}
		}
	}
	if c.show != nil && c.show.flow == tenants.FlowAlways {
		if b, ok := asBool(c.value(c.show, i)); ok && b != tu.ShowInAddressList {
			change("showInAddressList", tu.ShowInAddressList, b)
			if write {
				tu.ShowInAddressList = b
			}
		}
	}
	// userPrincipalName follows a source rename: Entra renders it from the
	// source UPN on every export (the configure page's troubleshooting
	// names pending acceptance as the only case where it does not).
	if c.upn != nil && c.upn.flow == tenants.FlowAlways {
		if src, dom := c.sx.s.Users[i].UserPrincipalName, c.initialDomain(); !isExtUPN(tu.UserPrincipalName, src, dom) {
			want := ExtUPN(src, dom)
			change("userPrincipalName", tu.UserPrincipalName, want)
			if write {
				tu.UserPrincipalName = want
			}
		}
	}
	if c.userType != nil && c.userType.flow == tenants.FlowAlways {
		if s, ok := c.value(c.userType, i).(string); ok && s != tu.UserType {
			change("userType", nilIfEmpty(tu.UserType), s)
			if write {
				tu.UserType = s
			}
		}
	}
	src := &c.sx.s.Users[i]
	for k, m := range c.attrs {
		if m.flow != tenants.FlowAlways {
			continue
		}
		old := vals[k]
		var v any
		if m.srcField != nil {
			// Compare unboxed; box only a value that changes.
			sv := m.srcField(src)
			if sv == "" {
				continue
			}
			if o, ok := old.(string); ok && o == sv {
				continue
			}
			v = sv
		} else if v = c.value(m, i); v == nil {
			continue
		}
		if !equalValue(old, v) {
			change(m.target, old, v)
			if write {
				vals[k] = v
			}
		}
	}
	tu.Attributes = c.attrMap(vals)
	return tu, changes
}

// attrMap makes the attributes map of the values of c.attrs that are not
// nil, at its exact size.
func (c *cfgRun) attrMap(vals []any) map[string]any {
	n := 0
	for _, v := range vals {
		if v != nil {
			n++
		}
	}
	m := make(map[string]any, n)
	for k, v := range vals {
		if v != nil {
			m[c.attrs[k].target] = v
		}
	}
	return m
}

// newTargetUser hands out a TargetUser from a block allocated for many:
// one allocation per tuBlock rows instead of one per row.
func (c *cfgRun) newTargetUser() *TargetUser {
	if len(c.tus) == 0 {
		c.tus = make([]TargetUser, tuBlock)
	}
	tu := &c.tus[0]
	c.tus = c.tus[1:]
	return tu
}

const tuBlock = 256

// stringField returns a reader of a User string field by its name, nil for
// any other attribute.
func stringField(name string) func(*User) string {
	switch name {
	case "mail":
		return func(u *User) string { return u.Mail }
	case "displayName":
		return func(u *User) string { return u.DisplayName }
	case "userPrincipalName":
		return func(u *User) string { return u.UserPrincipalName }
	case "userType":
		return func(u *User) string { return u.UserType }
	case "id", "objectId":
		return func(u *User) string { return u.ID }
	}
	return nil
}

// initialDomain is the target's initialDomain, else the verified
// *.onmicrosoft.com domain of its snapshot, else <target>.onmicrosoft.com.
func (c *cfgRun) initialDomain() string {
	if c.domain != "" {
		return c.domain
	}
	c.domain = c.sc.Target + ".onmicrosoft.com"
	for _, d := range c.tx.s.VerifiedDomains {
		if strings.HasSuffix(d, ".onmicrosoft.com") && strings.Count(d, ".") == 2 {
			c.domain = d
			break
		}
	}
	if c.tgt != nil && c.tgt.InitialDomain != "" {
		c.domain = c.tgt.InitialDomain
	}
	return c.domain
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// references writes the manager of each row that exports its user, once
// every row of the configuration is made (how-provisioning-works, initial
// cycle: reference attributes after the objects): the target user of the
// source manager's row when the manager is in scope of this configuration
// and has a target user after the cycle ("Both the user and their manager
// must be in scope", overview FAQ). That is the target user's id, or the
// userPrincipalName of one this cycle creates. Otherwise nothing flows and
// the target keeps its manager. items are the rows' source users (i < 0:
// gone) in row order, slot[i] is source user i's row + 1 (0: none).
func (c *cfgRun) references(items, slot []int32, rows []UserResult) {
	m := c.manager
	update := c.sc.Allows(tenants.ActionUpdate)
	for k, i := range items {
		r := &rows[k]
		if i < 0 || r.TargetUser == nil {
			continue
		}
		switch {
		case r.Action == ActionCreate:
		case m.flow != tenants.FlowAlways:
			continue
		case r.Action == ActionUpdate, r.Action == ActionRestore, r.Action == ActionDisable:
		case r.Action == ActionNoop && r.Reason == "":
		default:
			continue
		}
		id, _ := m.src(i).(string)
		j, ok := c.sx.user(id)
		if id == "" || !ok || slot[j] == 0 {
			continue
		}
		v := managerRef(&rows[slot[j]-1])
		if v == nil {
			continue
		}
		old := r.TargetUser.Attributes[m.target]
		if equalValue(old, v) {
			continue
		}
		if r.Action == ActionNoop {
			if !update {
				r.Reason = ReasonUpdateActionDisabled
				continue
			}
			r.Action = ActionUpdate
		}
		r.TargetUser.Attributes[m.target] = v
		if r.Action != ActionCreate {
			if r.Changes == nil {
				r.Changes = map[string]Change{}
			}
			r.Changes[m.target] = Change{From: old, To: v}
		}
	}
}

// managerRef is what a manager reference to the user of this row writes:
// the id of its target user when it is in scope and has one that is not
// deleted after the cycle, the userPrincipalName of one the cycle creates;
// nil otherwise.
func managerRef(r *UserResult) any {
	tu := r.TargetUser
	if tu == nil || tu.Deleted {
		return nil
	}
	switch {
	case r.Action == ActionCreate:
		return tu.UserPrincipalName
	case r.Action == ActionUpdate, r.Action == ActionRestore, r.Action == ActionDisable,
		r.Action == ActionNoop && (r.Reason == "" || r.Reason == ReasonUpdateActionDisabled),
		r.Action == ActionFail && r.Reason == ReasonExpressionError:
		if tu.ID != "" {
			return tu.ID
		}
	}
	return nil
}

// exprFailure is a mapping that failed to evaluate for a user.
type exprFailure struct {
	target string
	err    error
}
