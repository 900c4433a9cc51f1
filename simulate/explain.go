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
func Explain(repo *tenants.Repo, snaps map[string]*Snapshot, opts Options, upn string) []Explanation {
	r := newRunner(repo, snaps, opts)
	var out []Explanation
	for _, sc := range repo.SyncConfigs() {
		ex := &explainer{}
		e := Explanation{Source: sc.Source, Config: sc.Name, Target: sc.Target, Steps: []Step{}}
		if sx := r.idx[sc.Source]; sx != nil {
			ex.userID = findUser(r, sc, upn)
		}
		e.Found = ex.userID != ""
		if ex.userID == "" {
			e.Steps = append(e.Steps, Step{"note", fmt.Sprintf("%s has no user %s and %s no B2B user linked to one", sc.Source, upn, sc.Target)})
		}
		o := r.config(sc, ex)
		e.State, e.Blockers = o.res.State, o.res.Blockers
		switch {
		case o.res.State == StatePaused:
			e.Steps = append(e.Steps, Step{"rule", "the configuration is paused (enabled: false): it changes nothing"})
		case o.res.State == StateBlocked:
			e.Steps = append(e.Steps, Step{"rule", "the configuration is blocked: it changes nothing"})
		}
		if ex.userID != "" {
			e.Steps = append(e.Steps, ex.steps...)
		}
		if len(o.rows) == 1 {
			row := o.rows[0]
			e.Result = &row
			e.Steps = append(e.Steps, Step{"result", describeRow(&row)})
		}
		out = append(out, e)
	}
	return out
}

// findUser returns the id of the configuration's source user with the UPN,
// or of a gone source user a B2B user of the target is linked to.
func findUser(r *runner, sc *tenants.SyncConfig, upn string) string {
	sx := r.idx[sc.Source]
	for i := range sx.s.Users {
		if strings.EqualFold(sx.s.Users[i].UserPrincipalName, upn) {
			return sx.s.Users[i].ID
		}
	}
	tx := r.idx[sc.Target]
	if tx == nil {
		return ""
	}
	for i := range tx.s.Users {
		u := &tx.s.Users[i]
		if u.Source != nil && u.Source.Config == sc.Name && strings.EqualFold(sourceUPNOf(u), upn) {
			return u.Source.UserID
		}
	}
	return ""
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
