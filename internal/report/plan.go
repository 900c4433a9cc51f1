package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
)

// PlanOptions tune the human renderings of a plan.
type PlanOptions struct {
	// MaxUsers is how many users each list shows before "and N more"
	// (0: the default, 50; negative: none, counts only). Markdown lowers it
	// further to stay under MaxBytes.
	MaxUsers int
	// LinkBase, when set, turns file:line references of the Markdown into
	// links: LinkBase + file + "#L" + line (e.g.
	// "https://github.com/org/repo/blob/<sha>/").
	LinkBase string
	// MaxBytes is the Markdown size limit (default 65,000, under GitHub's
	// 65,536-character comment limit).
	MaxBytes int
	// NoSnapshots says the plan was built without directory snapshots: a
	// banner says the user impact was not computed.
	NoSnapshots bool
}

func (o PlanOptions) maxUsers() int {
	switch {
	case o.MaxUsers == 0:
		return 50
	case o.MaxUsers < 0:
		return 0
	}
	return o.MaxUsers
}

func (o PlanOptions) maxBytes() int {
	if o.MaxBytes <= 0 {
		return 65000
	}
	return o.MaxBytes
}

// PlanJSON writes the plan as its JSON contract (DESIGN §6), indented.
func PlanJSON(w io.Writer, p *plan.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("write plan json: %w", err)
	}
	return nil
}

// reasonText explains a row's reason code, and the plan's own codes for
// users head's cycle leaves alone.
var reasonText = map[string]string{
	"unassigned":              "not a direct member of a scope group nor a scope user (or no longer eligible)",
	"filtered":                "assigned but fails every scoping filter",
	"source-deleted":          "the source user is deleted or gone from the source snapshot",
	"deleted-in-target":       "soft-deleted by a target admin, not by the sync",
	"update-action-disabled":  "values differ but the configuration's actions exclude update",
	"create-action-disabled":  "in scope but the configuration's actions exclude create",
	"delete-action-disabled":  "out of scope but the configuration's actions exclude delete",
	"disabled-user":           "the source user is disabled and was never provisioned",
	"managed-by-other-config": "another configuration already manages this user's B2B user",
	"adopted":                 "an unmanaged B2B user of the same source user is adopted",
	"unverified-mail-domain":  "the user's mail domain is not verified in the source tenant",
	"ambiguous-target-user":   "a target user without a source link has the same mail or proxy address",
	"duplicate-mail":          "another user created in this cycle has the same mail",
	"already-deleted":         "the target user is already soft-deleted",
	"disabled-not-deleted":    "the source user is disabled; its target user stays disabled",
	"too-many-deletes":        "held back: the cycle's deletes and disables exceed the deletion threshold",
	"external-user":           "the source user is an external identity (alternative security ids)",
	"guest-user":              "the source user is not a Member",
	"config-paused":           "the configuration is paused at head: users stay as they are",
	"config-blocked":          "the configuration is blocked at head: users stay as they are",
	"config-removed":          "the configuration is gone at head: users stay as they are",
	"not-created":             "base's cycle would create it; at head it is out of scope, so it is never created",
	"not-restored":            "base's cycle would restore it; at head it is out of scope and stays soft-deleted",
	"not-adopted":             "base's cycle would adopt this unmanaged B2B user; at head it is out of scope and stays as it is",
	"out-of-scope":            "at head the user is neither in scope nor linked: its cycle leaves it as it is",
	"config-unknown":          "the configuration was not simulated at head",
}

// why renders a user's action and reason for humans:
// "delete, unassigned: not a direct member of a scope group …".
func why(action, reason string) string {
	s := action
	if reason != "" {
		if s != "" {
			s += ", "
		}
		s += reason
		if t, ok := reasonText[reason]; ok {
			s += ": " + t
		}
	}
	return s
}

// value renders a before/after value compactly as JSON; absent is "—".
func value(v any) string {
	if v == nil {
		return "—"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// changesText renders attribute changes "department: "Sales" → "Ops"",
// sorted by attribute.
func changesText(ch map[string]simulate.Change) []string {
	return changeLines(ch, func(k string, c simulate.Change) string {
		return fmt.Sprintf("%s: %s → %s", k, value(c.From), value(c.To))
	})
}

// changeLines renders each attribute change with line, sorted by
// attribute.
func changeLines(ch map[string]simulate.Change, line func(k string, c simulate.Change) string) []string {
	keys := make([]string, 0, len(ch))
	for k := range ch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, line(k, ch[k]))
	}
	return out
}

// changeObject names a change's object the way every message does:
// "sync/contoso-eu/eu-to-us", "partner/contoso-us/contoso-eu".
func changeObject(c plan.Change) string {
	switch c.Kind {
	case plan.KindSettings:
		return "settings"
	case plan.KindTenant:
		return "tenant/" + c.Tenant
	}
	return c.Kind + "/" + c.Tenant + "/" + c.Name
}

func opSymbol(op string) string {
	switch op {
	case plan.OpAdd:
		return "+"
	case plan.OpRemove:
		return "-"
	}
	return "~"
}

func where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

func shortRev(r string) string {
	if len(r) == 40 && strings.Trim(r, "0123456789abcdef") == "" {
		return r[:7]
	}
	return r
}

// userName is how a user is shown: its UPN, else its id.
func userName(u plan.ImpactUser) string {
	if u.SourceUserPrincipalName != "" {
		return u.SourceUserPrincipalName
	}
	return u.SourceUserID
}

func configKey(source, config string) string {
	if config == "" {
		return source
	}
	return source + "/" + config
}

// totals sums the impact of every target.
func totals(p *plan.Plan) plan.Counts {
	var c plan.Counts
	for i := range p.Impact {
		x := p.Impact[i].Counts()
		c.Added += x.Added
		c.Removed += x.Removed
		c.Changed += x.Changed
		c.Disabled += x.Disabled
		c.Staged += x.Staged
	}
	return c
}

func countFindings(p *plan.Plan) (deny, warn int) {
	for _, f := range p.Findings {
		if f.Level == plan.LevelDeny {
			deny++
		} else {
			warn++
		}
	}
	return deny, warn
}

// filesText lists changed files, "+path", "-path" or "~path", the first max
// of them.
func filesText(files []plan.File, max int, quote func(string) string) string {
	var parts []string
	for i, f := range files {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(files)-max))
			break
		}
		parts = append(parts, quote(opSymbol(f.Op)+f.Path))
	}
	return strings.Join(parts, ", ")
}

// userGroup is a part of an impact list that one thing really happens to:
// the removed users head's cycle soft-deletes apart from those base's
// cycle would create and head's never does, and so on.
type userGroup struct {
	label string // "soft-deleted"
	note  string // what it means, for the group's heading
	users []plan.ImpactUser
	// baseOnly: the values differ only because base's cycle would write
	// them and head's does not (held back, or left as it is): the changes
	// read "stays X (base's cycle would write Y)".
	baseOnly bool
}

// groupKind is one group of a list: its label, note, and which users it
// takes.
type groupKind struct {
	label, note string
	baseOnly    bool
	match       func(u plan.ImpactUser) bool
}

// groupUsers splits us over kinds, in order, each user in the first kind
// it matches (the last kind should take the rest); empty groups are left
// out.
func groupUsers(us []plan.ImpactUser, kinds []groupKind) []userGroup {
	gs := make([]userGroup, len(kinds))
	for i, k := range kinds {
		gs[i] = userGroup{label: k.label, note: k.note, baseOnly: k.baseOnly}
	}
	for _, u := range us {
		for i, k := range kinds {
			if k.match(u) {
				gs[i].users = append(gs[i].users, u)
				break
			}
		}
	}
	out := gs[:0]
	for _, g := range gs {
		if len(g.users) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func rest(plan.ImpactUser) bool { return true }

func baseDoes(u plan.ImpactUser, action, reason string) bool {
	return u.BaseAction == action && (reason == "" || u.BaseReason == reason)
}

// removedKinds: the removed users head's cycle soft-deletes, and those it
// never creates, restores or adopts (they never were the target's B2B
// users: nothing is deleted).
var removedKinds = []groupKind{
	{"soft-deleted", "head's cycle soft-deletes these existing B2B users", false,
		func(u plan.ImpactUser) bool { return u.Action == string(simulate.ActionDelete) }},
	{"no longer restored", "base's cycle would restore them; at head they stay soft-deleted", false,
		func(u plan.ImpactUser) bool {
			return baseDoes(u, string(simulate.ActionRestore), "") || u.Reason == plan.ReasonNotRestored
		}},
	{"no longer adopted", "base's cycle would adopt these unmanaged B2B users; at head they stay as they are", false,
		func(u plan.ImpactUser) bool {
			return u.BaseReason == simulate.ReasonAdopted || u.Reason == plan.ReasonNotAdopted
		}},
	{"no longer created", "base's cycle would create them; at head they are never created: nothing existing is deleted", false, rest},
}

// addedKinds: the added users head's cycle creates, restores or adopts,
// and those it keeps that base's cycle would soft-delete.
var addedKinds = []groupKind{
	{"created", "head's cycle creates them", false,
		func(u plan.ImpactUser) bool { return u.Action == string(simulate.ActionCreate) }},
	{"restored", "head's cycle restores their soft-deleted B2B users", false,
		func(u plan.ImpactUser) bool { return u.Action == string(simulate.ActionRestore) }},
	{"adopted", "head's cycle adopts their unmanaged B2B users", false,
		func(u plan.ImpactUser) bool { return u.Reason == simulate.ReasonAdopted }},
	{"kept", "base's cycle would soft-delete them; at head the deletion threshold holds the delete back, so they are listed as staged too", false,
		func(u plan.ImpactUser) bool { return u.Action == string(simulate.ActionStaged) }},
	{"kept", "base's cycle would soft-delete them; at head they stay", false, rest},
}

// changedKinds: users whose values head's cycle writes differently from
// base's, and users whose values differ only because base's cycle would
// write them and head's holds that back or leaves them alone.
var changedKinds = []groupKind{
	{"held back at head", "base's cycle would write these values; at head the deletion threshold holds the user back", true,
		func(u plan.ImpactUser) bool { return u.Action == string(simulate.ActionStaged) }},
	{"written by this change", "head's cycle writes other values than base's", false,
		func(u plan.ImpactUser) bool {
			switch simulate.Action(u.Action) {
			case simulate.ActionCreate, simulate.ActionRestore, simulate.ActionUpdate, simulate.ActionDisable:
				return true
			}
			return false
		}},
	{"left as is at head", "base's cycle would write these values; head's cycle leaves the user as it is", true, rest},
}

// disabledKinds: the disabled users this change causes. Those base's cycle
// disables too are pending without it, and listed as drift
// (plan.CausedDisables).
var disabledKinds = []groupKind{
	{"caused by this change", "without this change they would not be disabled", false, rest},
}

// stagedKinds split the staged users: those this change causes, and those
// already pending without it, by what base's cycle does to them.
var stagedKinds = []groupKind{
	{"caused by this change", "without this change they would not be held back", false,
		func(u plan.ImpactUser) bool { return !u.Pending() }},
	{"already pending without this change", "base's cycle would soft-delete them; at head the deletion threshold holds the delete back", false,
		func(u plan.ImpactUser) bool { return u.BaseAction == string(simulate.ActionDelete) }},
	{"already pending without this change", "base's cycle would disable them; at head the deletion threshold holds the disable back", false,
		func(u plan.ImpactUser) bool { return u.BaseAction == string(simulate.ActionDisable) }},
	{"already pending without this change", "base's cycle holds them back the same way", false, rest},
}

// breakdown renders group counts: "3 soft-deleted, 2 no longer created";
// groups of the same label count once, at the first one's place.
func breakdown(gs []userGroup) string {
	var labels []string
	n := map[string]int{}
	for _, g := range gs {
		if _, ok := n[g.label]; !ok {
			labels = append(labels, g.label)
		}
		n[g.label] += len(g.users)
	}
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		parts = append(parts, fmt.Sprintf("%d %s", n[l], l))
	}
	return strings.Join(parts, ", ")
}

// withBreakdown renders a count with its breakdown when it has any:
// "-5 removed (3 soft-deleted, 2 no longer created)".
func withBreakdown(prefix string, n int, word string, gs []userGroup) string {
	s := fmt.Sprintf("%s%d %s", prefix, n, word)
	if n > 0 {
		s += " (" + breakdown(gs) + ")"
	}
	return s
}

// allUsers concatenates a list of every target.
func allUsers(p *plan.Plan, list func(*plan.TargetImpact) []plan.ImpactUser) []plan.ImpactUser {
	var out []plan.ImpactUser
	for i := range p.Impact {
		out = append(out, list(&p.Impact[i])...)
	}
	return out
}

func added(t *plan.TargetImpact) []plan.ImpactUser    { return t.Added }
func removed(t *plan.TargetImpact) []plan.ImpactUser  { return t.Removed }
func changed(t *plan.TargetImpact) []plan.ImpactUser  { return t.Changed }
func disabled(t *plan.TargetImpact) []plan.ImpactUser { return plan.CausedDisables(t.Disabled) }
func staged(t *plan.TargetImpact) []plan.ImpactUser   { return t.Staged }

// userChanges renders a user's changes: "department: "Sales" → "Ops"", or
// for a group of base-only values "department: stays "Sales" (base's
// cycle would write "Ops")".
func userChanges(ch map[string]simulate.Change, baseOnly bool) []string {
	if !baseOnly {
		return changesText(ch)
	}
	return changeLines(ch, func(k string, c simulate.Change) string {
		return fmt.Sprintf("%s: stays %s (base's cycle would write %s)", k, value(c.To), value(c.From))
	})
}

// userWhy is a user's action and reason, and, when base's cycle does
// something else, what: "staged, unassigned: …; base's cycle would
// disable".
func userWhy(u plan.ImpactUser) string {
	s := why(u.Action, u.Reason)
	explained := u.Reason == plan.ReasonNotCreated || u.Reason == plan.ReasonNotRestored || u.Reason == plan.ReasonNotAdopted
	if !explained && u.BaseAction != "" && u.BaseAction != string(simulate.ActionNoop) && (u.BaseAction != u.Action || u.BaseReason != u.Reason) {
		b := u.BaseAction
		if u.BaseReason != "" {
			b += ", " + u.BaseReason
		}
		if s != "" {
			s += "; "
		}
		s += "base's cycle would " + b
	}
	return s
}

// quarantineNote says what Entra does with a cycle over the deletion
// threshold.
const quarantineNote = "Entra quarantines the job (TooManyDeletes): they wait until an admin allows the deletes (the portal's \"Allow deletes\", or a job restart with ForceDeletes), or the change is split so that each cycle stays under deletionThreshold"

// noSnapshotsNote is the banner of a plan without directory snapshots.
const noSnapshotsNote = "no directory snapshots: user impact not computed (only the config changes are listed). xtsync snapshot pull writes them; --snapshots DIR reads them from elsewhere"
