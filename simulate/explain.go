package simulate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// Explanation is, for one configuration, how the cycle decides about one
// source user, step by step (`xtsync simulate --user UPN`).
type Explanation struct {
	Source   string    `json:"source"`
	Config   string    `json:"config"`
	Target   string    `json:"target"`
	State    State     `json:"state"`
	Blockers []Blocker `json:"blockers"`
	Steps    []Step    `json:"steps"`
	// Found says the configuration's source snapshot has the user, or its
	// target a B2B user linked to it through the configuration.
	Found bool `json:"found"`
	// Result is the user's row, nil when the user gets none.
	Result *UserResult `json:"result,omitempty"`
}

// Step is one decision of an explanation.
type Step struct {
	// Step is eligible, assigned, filter, clause, rule or note.
	Step   string `json:"step"`
	Detail string `json:"detail"`
}

// Explain explains, for every configuration of the repository, what one
// cycle does to the source user with the UPN (any case): whether it is
// eligible, how it is assigned, each filter clause with its value and
// result, which row of the action table matches and what would be written.
// The result is the user's row of the full cycle (Run): what the passes
// after the action table change (duplicate mails, manager references, the
// deletion threshold) is explained too.
func Explain(repo *tenants.Repo, snaps map[string]*Snapshot, opts Options, upn string) []Explanation {
	return NewExplainer(repo, snaps, opts).Explain(upn)
}

// Explainer explains users against one full cycle: NewExplainer runs it
// once, then Explain answers for any number of users.
type Explainer struct {
	repo    *tenants.Repo
	r       *runner
	full    *Result
	rows    map[rowKey]*UserResult
	byUser  map[userKey][]*UserResult // every configuration's rows of a source user in a target
	configs map[string]*ConfigResult  // by source/name
	runs    map[string]*cfgRun        // compiled for explaining, by source/name
	// upns: source tenant -> lower-cased UPN -> user id; linkedUPNs:
	// configuration -> lower-cased source UPN of its linked B2B users ->
	// source user id (both made on first use).
	upns, linkedUPNs map[string]map[string]string
}

type rowKey struct{ source, config, user string }

type userKey struct{ source, target, user string }

// NewExplainer runs the full cycle the explanations are taken from.
func NewExplainer(repo *tenants.Repo, snaps map[string]*Snapshot, opts Options) *Explainer {
	p := Prepare(snaps)
	x := &Explainer{repo: repo, r: p.runner(repo, opts), full: p.Run(repo, opts),
		rows: map[rowKey]*UserResult{}, byUser: map[userKey][]*UserResult{}, configs: map[string]*ConfigResult{}, runs: map[string]*cfgRun{},
		upns: map[string]map[string]string{}, linkedUPNs: map[string]map[string]string{}}
	for i := range x.full.Users {
		u := &x.full.Users[i]
		x.rows[rowKey{u.Source, u.Config, u.SourceUserID}] = u
		k := userKey{u.Source, u.Target, u.SourceUserID}
		x.byUser[k] = append(x.byUser[k], u)
	}
	for i := range x.full.Configs {
		c := &x.full.Configs[i]
		x.configs[c.Source+"/"+c.Name] = c
	}
	return x
}

// Result is the full cycle the explanations come from.
func (x *Explainer) Result() *Result { return x.full }

// Explain explains the cycle of every configuration for the source user
// with the UPN (any case).
func (x *Explainer) Explain(upn string) []Explanation {
	r := x.r
	var out []Explanation
	for _, sc := range x.repo.SyncConfigs() {
		ex := &explainer{}
		e := Explanation{Source: sc.Source, Config: sc.Name, Target: sc.Target, Steps: []Step{}, Blockers: []Blocker{}}
		if sx := r.idx[sc.Source]; sx != nil {
			ex.userID = x.findUser(sc, upn)
		}
		e.Found = ex.userID != ""
		if ex.userID == "" {
			e.Steps = append(e.Steps, Step{"note", fmt.Sprintf("%s has no user %s and %s no B2B user linked to one", sc.Source, upn, sc.Target)})
		}
		if cr := x.configs[sc.Key()]; cr != nil {
			e.State, e.Blockers = cr.State, cr.Blockers
		}
		switch e.State {
		case StatePaused:
			e.Steps = append(e.Steps, Step{"rule", "the configuration is paused (enabled: false): it changes nothing"})
		case StateBlocked:
			e.Steps = append(e.Steps, Step{"rule", "the configuration is blocked: it changes nothing"})
		}
		var own *UserResult // the action table's row, before the later passes
		if ex.userID != "" && (e.State == StateActive || e.State == StateQuarantine) {
			c := x.runs[sc.Key()]
			if c == nil {
				c = r.compile(sc, true)
				c.created = nil // duplicate mails: the full cycle decides
				x.runs[sc.Key()] = c
			}
			ex.c = c
			if i, ok := c.sx.user(ex.userID); ok {
				if row, ok := c.user(i, ex); ok {
					own = &row
				}
			} else if row, ok := c.gone(ex.userID, ex); ok {
				own = &row
			}
			e.Steps = append(e.Steps, ex.steps...)
		}
		if row := x.rows[rowKey{sc.Source, sc.Name, ex.userID}]; row != nil && ex.userID != "" {
			e.Steps = append(e.Steps, x.later(sc, own, row)...)
			cp := *row
			e.Result = &cp
			e.Steps = append(e.Steps, Step{"result", describeRow(row)})
		}
		out = append(out, e)
	}
	return out
}

// later explains what the passes after the action table make of the
// user's row: a duplicate mail, the manager reference, the deletion
// threshold.
func (x *Explainer) later(sc *tenants.SyncConfig, own, row *UserResult) []Step {
	var steps []Step
	c := x.runs[sc.Key()]
	if own != nil && own.Action == ActionCreate && row.Reason == ReasonDuplicateMail {
		if by := x.creatorOf(sc, row); by != "" {
			steps = append(steps, Step{"rule", "action table: in scope, not linked, a user created earlier in this cycle has the same mail" + by})
		} else {
			steps = append(steps, Step{"rule", "action table: in scope, not linked, a B2B user this configuration links to another source user has the same mail: Entra links both source users to that one target user"})
		}
	}
	if c != nil && c.manager != nil {
		if st, ok := x.managerStep(c, row); ok {
			steps = append(steps, st)
		}
	}
	// The guest <-> member switch: one configuration transfers the user
	// while the one it leaves soft-deletes it.
	for _, o := range x.byUser[userKey{row.Source, row.Target, row.SourceUserID}] {
		if o.Config == row.Config {
			continue
		}
		switch {
		case row.Action == ActionDelete && o.Reason == ReasonTransferred:
			steps = append(steps, Step{"note", fmt.Sprintf("configuration %s transfers this user in the same cycle; the jobs run independently, so the user is soft-deleted: Microsoft advises turning this configuration's Delete action off (actions: [create, update]) when moving users between configurations", quote(o.Config))})
		case row.Reason == ReasonTransferred && o.Action == ActionDelete:
			steps = append(steps, Step{"note", fmt.Sprintf("configuration %s soft-deletes this user in the same cycle (its Delete action is on); the jobs run independently, so the user ends soft-deleted", quote(o.Config))})
		}
	}
	if row.Action == ActionStaged {
		cr := x.configs[sc.Key()]
		what := "its deletes and disables"
		if row.Reason == ReasonCycleHeldBack || own != nil && (own.Action == ActionCreate || own.Action == ActionUpdate || own.Action == ActionRestore) {
			what = "its deletes and disables, and with quarantine-lets-creates-through off the whole cycle"
		}
		if cr != nil {
			steps = append(steps, Step{"rule", fmt.Sprintf("deletion threshold: the cycle's deletes and disables outnumber deletionThreshold %d: %s are held back (staged) and the configuration is in quarantine", sc.DeletionThreshold, what)})
		}
	}
	return steps
}

// creatorOf names the user whose row creates the target user with the
// same mail as row's source user (" (anna@…)"), or "".
func (x *Explainer) creatorOf(sc *tenants.SyncConfig, row *UserResult) string {
	sx := x.r.idx[sc.Source]
	i, ok := sx.user(row.SourceUserID)
	if !ok {
		return ""
	}
	mail := strings.ToLower(sx.s.Users[i].Mail)
	for k := range x.full.Users {
		o := &x.full.Users[k]
		if o.Source != sc.Source || o.Config != sc.Name || o.Action != ActionCreate {
			continue
		}
		if j, ok := sx.user(o.SourceUserID); ok && strings.ToLower(sx.s.Users[j].Mail) == mail {
			return " (" + o.SourceUserPrincipalName + "): Entra links both source users to that one target user"
		}
	}
	return ""
}

// managerStep says what the manager reference does for a row that
// exports its user: written, or why nothing flows.
func (x *Explainer) managerStep(c *cfgRun, row *UserResult) (Step, bool) {
	switch {
	case row.Action == ActionCreate, row.Action == ActionUpdate, row.Action == ActionRestore, row.Action == ActionDisable,
		row.Action == ActionNoop && (row.Reason == "" || row.Reason == ReasonUpdateActionDisabled):
	default:
		return Step{}, false
	}
	i, ok := c.sx.user(row.SourceUserID)
	if !ok {
		return Step{}, false
	}
	id, _ := c.manager.src(i).(string)
	if id == "" {
		return Step{}, false // no manager in the source: nothing to say
	}
	mgr := id
	if j, ok := c.sx.user(id); ok {
		mgr = c.sx.s.Users[j].UserPrincipalName
	}
	if ch, changed := row.Changes["manager"]; changed {
		return Step{"note", fmt.Sprintf("manager: %s is in scope of this configuration; the reference is written after the objects: %s", mgr, changeValue(ch.To))}, true
	}
	m := x.rows[rowKey{row.Source, row.Config, id}]
	if v := managerRefOf(m); v != nil {
		if row.Action == ActionCreate {
			return Step{"note", fmt.Sprintf("manager: %s is in scope of this configuration; the reference is written after the objects: %s", mgr, FormatValue(v))}, true
		}
		return Step{"note", fmt.Sprintf("manager: %s, already the target user's manager", FormatValue(v))}, true
	}
	why := "is not in scope of this configuration (Entra: both the user and their manager must be in scope)"
	if m != nil {
		why = "has no target user through this configuration after the cycle (its row: " + string(m.Action)
		if m.Reason != "" {
			why += " " + m.Reason
		}
		why += ")"
	}
	return Step{"note", fmt.Sprintf("manager: nothing flows: the manager %s %s; the target keeps the manager it has", mgr, why)}, true
}

func managerRefOf(r *UserResult) any {
	if r == nil {
		return nil
	}
	return managerRef(r)
}

// findUser returns the id of the configuration's source user with the UPN
// (any case), or of a gone source user a B2B user of the target is linked
// to through the configuration. The lookups are indexed on first use.
func (x *Explainer) findUser(sc *tenants.SyncConfig, upn string) string {
	lu := strings.ToLower(upn)
	src := x.upns[sc.Source]
	if src == nil {
		src = map[string]string{}
		sx := x.r.idx[sc.Source]
		for i := range sx.s.Users {
			k := strings.ToLower(sx.s.Users[i].UserPrincipalName)
			if _, seen := src[k]; !seen {
				src[k] = sx.s.Users[i].ID
			}
		}
		x.upns[sc.Source] = src
	}
	if id, ok := src[lu]; ok {
		return id
	}
	tx := x.r.idx[sc.Target]
	if tx == nil {
		return ""
	}
	gone := x.linkedUPNs[sc.Key()]
	if gone == nil {
		gone = map[string]string{}
		for i := range tx.s.Users {
			u := &tx.s.Users[i]
			if u.Source != nil && u.Source.Config == sc.Name {
				k := strings.ToLower(sourceUPNOf(u))
				if _, seen := gone[k]; !seen {
					gone[k] = u.Source.UserID
				}
			}
		}
		x.linkedUPNs[sc.Key()] = gone
	}
	return gone[lu]
}

// explainer records the steps of one user's decision.
type explainer struct {
	userID string
	c      *cfgRun
	steps  []Step
}

func (ex *explainer) add(step, format string, args ...any) {
	ex.steps = append(ex.steps, Step{step, fmt.Sprintf(format, args...)})
}

func (ex *explainer) note(s string) { ex.add("note", "%s", s) }

func (ex *explainer) rule(s string) { ex.add("rule", "action table: %s", s) }

func (ex *explainer) eligibility(c *cfgRun, u *User, elig bool, skip string, assigned bool, i int32) {
	switch {
	case elig:
		ex.add("eligible", "yes: userType Member, no alternative security ids, not deleted")
	case u.Deleted:
		ex.add("eligible", "no: the source user is soft-deleted")
	case skip == ReasonExternalUser:
		ex.add("eligible", "no (%s): the user has %d alternative security id(s): a B2B or external user, or SMS sign-in", skip, len(u.AlternativeSecurityIDs))
	default:
		ex.add("eligible", "no (%s): userType is %q, not Member", skip, u.UserType)
	}
	nested := ""
	if !c.all && !assigned {
		nested = nestedPath(c, i)
	}
	switch {
	case c.all:
		ex.add("assigned", "yes: scope.all (sync all users)")
	case assigned:
		ex.add("assigned", "yes: %s", c.via[i])
	case nested != "":
		ex.add("assigned", "no: %s", nested)
	default:
		ex.add("assigned", "no: not assigned directly and not a direct member of an assigned group (nested groups are not followed)")
	}
}

func (ex *explainer) scope(c *cfgRun, assigned, filtersOK bool, linked int32) {
	if assigned && len(c.filters) > 0 {
		if filtersOK {
			ex.add("filter", "passes: every clause of at least one filter holds")
		} else {
			ex.add("filter", "fails: no filter has all its clauses true")
		}
	} else if assigned {
		ex.add("filter", "no scoping filters")
	}
	if linked >= 0 {
		t := &c.tx.s.Users[linked]
		state := "not deleted"
		if t.Deleted {
			state = "soft-deleted"
		}
		ex.add("linked", "yes: %s (%s) in %s", t.UserPrincipalName, state, c.sc.Target)
	} else {
		ex.add("linked", "no B2B user in %s is linked to this user through %s", c.sc.Target, c.sc.Key())
	}
}

func (ex *explainer) clause(filter string, cl *clause, i int32, ok bool) {
	v := cl.get(i)
	shown := "null"
	if !nullish(v) {
		if s, isText := textOf(v); isText {
			shown = fmt.Sprintf("%q", s)
		} else {
			shown = fmt.Sprint(v)
		}
	}
	op := string(cl.src.Operator)
	if !cl.src.Operator.Unary() {
		op += fmt.Sprintf(" %q", cl.src.Value)
	}
	ex.add("clause", "filter %q: %s %s with value %s: %t", filter, cl.src.Attribute, op, shown, ok)
}

// describeRow says what a row does in one line.
func describeRow(row *UserResult) string {
	var b strings.Builder
	b.WriteString(string(row.Action))
	if row.Reason != "" {
		b.WriteString(" (" + row.Reason + ")")
	}
	if row.Error != "" {
		b.WriteString(": " + row.Error)
	}
	if tu := row.TargetUser; tu != nil {
		fmt.Fprintf(&b, ": %s userType %s accountEnabled %t", tu.UserPrincipalName, tu.UserType, tu.AccountEnabled)
	}
	if len(row.Changes) > 0 {
		b.WriteString("; changes ")
		b.WriteString(formatChanges(row.Changes))
	}
	return b.String()
}

// formatChanges renders changes as `k: from → to, …`, sorted, with "—" for
// null: the notation of the simulate and plan reports.
func formatChanges(ch map[string]Change) string {
	keys := make([]string, 0, len(ch))
	for k := range ch {
		keys = append(keys, k)
	}
	sortStrings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %s → %s", k, changeValue(ch[k].From), changeValue(ch[k].To))
	}
	return strings.Join(parts, ", ")
}

// FormatValue renders an attribute value for people: null, strings quoted.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

// changeValue is FormatValue with "—" for null, as the reports show changes.
func changeValue(v any) string {
	if v == nil {
		return "—"
	}
	return FormatValue(v)
}

func sortStrings(s []string) { sort.Strings(s) }
