package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/reconcile"
)

// The gates of a reconcile run, in the order they are passed (DESIGN §7).
const (
	GateLoad      = "load"
	GateSignature = "signature"
	GatePolicy    = "policy"
	GateDeletions = "deletions"
	GateOwnership = "ownership"
	// GateWindow and GateSuspend hold changes rather than stop the run:
	// the changes a closed change window or a suspension covers are
	// planned, reported and not written.
	GateWindow  = "window"
	GateSuspend = "suspend"
)

// The results of a gate.
const (
	GatePass       = "pass"
	GateDeny       = "deny"
	GateOverridden = "overridden"
	// GateHold: the gate holds some changes back; the others are written.
	GateHold = "hold"
)

// Reconcile is the run report of 'xtsync reconcile' (DESIGN §7), its JSON
// the contract.
type Reconcile struct {
	FormatVersion int    `json:"formatVersion"`
	Revision      string `json:"revision"`
	DryRun        bool   `json:"dryRun"`
	Gates         []Gate `json:"gates"`
	// Changes are the planned changes in order, each with its result once
	// applied ("" in a dry run or when a gate stopped the run).
	Changes []ReconcileChange `json:"changes"`
	// Unmanaged are the live objects xtsync found and does not manage: left
	// as they are, or deleted with prune.
	Unmanaged []Unmanaged `json:"unmanaged"`
	// Ignored is the drift xtsync.yaml's ignore rules cover: reported,
	// never repaired (fields live → repository).
	Ignored []reconcile.IgnoredDrift `json:"ignored"`
	// Impact is the plan's user impact of the change live -> desired: what
	// the provisioning cycles after the run do to each target's users.
	Impact []plan.TargetImpact `json:"impact"`
	// Converged says the re-read after the writes left no diff; Remaining
	// names what is left when it did not.
	Converged bool     `json:"converged"`
	Remaining []string `json:"remaining,omitempty"`
	// ResumeAt is the earliest time a held change may be written, RFC 3339
	// ("" when no change is held, or none has a known time).
	ResumeAt   string   `json:"resumeAt,omitempty"`
	Requests   Requests `json:"requests"`
	DurationMs int64    `json:"durationMs"`
}

// Unmanaged is a live object the run leaves alone (or deletes, with
// prune), and why.
type Unmanaged struct {
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
	Reason  string `json:"reason"`
}

// Gate is one gate of the run and its findings.
type Gate struct {
	Gate     string         `json:"gate"`
	Result   string         `json:"result"`
	Findings []plan.Finding `json:"findings"`
	// Unblock says what would let the run through a gate that denied or
	// holds changes.
	Unblock string `json:"unblock,omitempty"`
	// Reason is the operator's --reason for an overridden gate.
	Reason string `json:"reason,omitempty"`
}

// ReconcileChange is one planned change and what became of it.
type ReconcileChange struct {
	Object string            `json:"object"`
	Action reconcile.Action  `json:"action"`
	Fields []reconcile.Field `json:"fields"`
	Result string            `json:"result,omitempty"`
	Error  string            `json:"error,omitempty"`
	// Hold says why the change is not written in this run (a change
	// window, a suspension); its result is then "held".
	Hold string `json:"hold,omitempty"`
}

// ResultHeld is the result of a change a window or a suspension held.
const ResultHeld = "held"

// Requests counts the Graph requests of a run.
type Requests struct {
	Reads     int `json:"reads"`
	Writes    int `json:"writes"`
	Retries   int `json:"retries"`
	Throttled int `json:"throttled"`
}

// String reads "40 reads, 3 writes, 1 retry, 0 throttled".
func (q Requests) String() string {
	return fmt.Sprintf("%s, %s, %s, %d throttled", Count(q.Reads, "read", "reads"), Count(q.Writes, "write", "writes"),
		Count(q.Retries, "retry", "retries"), q.Throttled)
}

// NewReconcile starts a run report.
func NewReconcile(revision string, dryRun bool) *Reconcile {
	return &Reconcile{FormatVersion: 1, Revision: revision, DryRun: dryRun,
		Gates: []Gate{}, Changes: []ReconcileChange{}, Unmanaged: []Unmanaged{}, Ignored: []reconcile.IgnoredDrift{}, Impact: []plan.TargetImpact{}}
}

// SetChanges records the planned changes, secrets blanked.
func (r *Reconcile) SetChanges(cs reconcile.ChangeSet) {
	r.Changes = make([]ReconcileChange, 0, len(cs))
	for _, c := range cs {
		r.Changes = append(r.Changes, ReconcileChange{Object: c.Object, Action: c.Action, Fields: redactFields(c.Fields)})
	}
}

// redactFields copies fields with the values of secret ones blanked.
func redactFields(in []reconcile.Field) []reconcile.Field {
	fs := make([]reconcile.Field, 0, len(in))
	for _, f := range in {
		if f.Secret {
			f.Before, f.After = redact(f.Before), redact(f.After)
		}
		fs = append(fs, f)
	}
	return fs
}

// SetIgnored records the drift the ignore rules cover, secrets blanked.
func (r *Reconcile) SetIgnored(ds []reconcile.IgnoredDrift) {
	r.Ignored = make([]reconcile.IgnoredDrift, 0, len(ds))
	for _, d := range ds {
		d.Fields = redactFields(d.Fields)
		r.Ignored = append(r.Ignored, d)
	}
}

// SetResults records the outcome of each change, by object.
func (r *Reconcile) SetResults(rs []reconcile.Result) {
	by := map[string]reconcile.Result{}
	for _, x := range rs {
		by[x.Object] = x
	}
	for i := range r.Changes {
		if x, ok := by[r.Changes[i].Object]; ok {
			r.Changes[i].Result, r.Changes[i].Error = string(x.Result), x.Error
		}
	}
}

// SetHolds marks the held changes with why; in a run that writes, their
// result is "held".
func (r *Reconcile) SetHolds(h reconcile.Holds) {
	for i := range r.Changes {
		if x, ok := h.ByObject[r.Changes[i].Object]; ok {
			r.Changes[i].Hold = x.Reason
			if !r.DryRun {
				r.Changes[i].Result = ResultHeld
			}
		}
	}
	if t := h.Resume(); !t.IsZero() {
		r.ResumeAt = t.UTC().Format(time.RFC3339)
	}
}

// Held counts the changes held back.
func (r *Reconcile) Held() int {
	n := 0
	for _, c := range r.Changes {
		if c.Hold != "" {
			n++
		}
	}
	return n
}

// Denied returns the first gate that denied, or nil.
func (r *Reconcile) Denied() *Gate {
	for i := range r.Gates {
		if r.Gates[i].Result == GateDeny {
			return &r.Gates[i]
		}
	}
	return nil
}

// Failed reports whether a change failed.
func (r *Reconcile) Failed() bool {
	for _, c := range r.Changes {
		if c.Result == string(reconcile.ResultFailed) {
			return true
		}
	}
	return false
}

// Unconverged reports whether a run that wrote left changes (not held
// ones) undone.
func (r *Reconcile) Unconverged() bool { return !r.DryRun && len(r.Remaining) > 0 }

// Pending reports whether the run plans writes.
func (r *Reconcile) Pending() bool { return len(r.Changes) > 0 }

func redact(v any) any {
	if v == nil {
		return nil
	}
	return "(secret)"
}

// ReconcileJSON writes the run report as its JSON contract, indented.
func ReconcileJSON(w io.Writer, r *Reconcile) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	out := *r
	out.Gates = make([]Gate, len(r.Gates))
	for i, g := range r.Gates {
		if g.Findings == nil {
			g.Findings = []plan.Finding{}
		}
		out.Gates[i] = g
	}
	if out.Ignored == nil {
		out.Ignored = []reconcile.IgnoredDrift{}
	}
	out.Changes = make([]ReconcileChange, len(r.Changes))
	for i, c := range r.Changes {
		if c.Fields == nil {
			c.Fields = []reconcile.Field{}
		}
		out.Changes[i] = c
	}
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("write reconcile json: %w", err)
	}
	return nil
}

func changeSign(a reconcile.Action) string {
	switch a {
	case reconcile.ActionCreate:
		return "+"
	case reconcile.ActionDelete:
		return "-"
	}
	return "~"
}

func fieldValue(f reconcile.Field, v any) string {
	if f.Secret {
		if v == nil {
			return "—"
		}
		return "(secret)"
	}
	return clip(value(v), 120)
}

// planned reports whether the run got as far as planning its changes (a
// run stopped by gate load or signature did not).
func (r *Reconcile) planned() bool {
	for _, g := range r.Gates {
		if g.Gate == GateOwnership {
			return true
		}
	}
	return false
}

// outcome says in one line what the run did: stopped at a gate, a dry
// run, or applied (and whether it converged).
func (r *Reconcile) outcome() string {
	n := changeCounts(r.Changes)
	if d := r.Denied(); d != nil && !r.planned() {
		return fmt.Sprintf("stopped at gate %s: nothing was read from Graph or written", d.Gate)
	}
	if d := r.Denied(); d != nil {
		return fmt.Sprintf("stopped at gate %s: nothing was written (%s planned)", d.Gate, n.planned())
	}
	held := ""
	if h := r.Held(); h > 0 {
		held = fmt.Sprintf("%s held", Count(h, "change", "changes"))
		if r.ResumeAt != "" {
			held += " until " + r.ResumeAt
		}
	}
	if r.DryRun {
		if len(r.Changes) == 0 {
			return "dry run: nothing to do, the live state matches the repository"
		}
		s := fmt.Sprintf("dry run: nothing was written; %s pending", n.planned())
		if held != "" {
			s += "; a run now would write them but " + held
		}
		return s
	}
	if held != "" && r.Held() == len(r.Changes) {
		return "held: nothing was written; " + held + " (see gates window and suspend)"
	}
	s := fmt.Sprintf("applied: %s", n.results())
	switch {
	case r.Converged:
		s += "; converged: the live state matches the repository"
	case held != "" && len(r.Remaining) == 0:
		s += "; " + held + "; everything else matches the repository"
	default:
		s += fmt.Sprintf("; not converged: %s left", Count(len(r.Remaining), "change", "changes"))
	}
	return s
}

type changeTally struct {
	create, update, del int
	byResult            map[string]int
}

func changeCounts(cs []ReconcileChange) changeTally {
	t := changeTally{byResult: map[string]int{}}
	for _, c := range cs {
		switch c.Action {
		case reconcile.ActionCreate:
			t.create++
		case reconcile.ActionUpdate:
			t.update++
		case reconcile.ActionDelete:
			t.del++
		}
		if c.Result != "" && c.Result != ResultHeld {
			t.byResult[c.Result]++
		}
	}
	return t
}

func (t changeTally) planned() string {
	return fmt.Sprintf("%s: %d to create, %d to update, %d to delete", Count(t.create+t.update+t.del, "change", "changes"), t.create, t.update, t.del)
}

func (t changeTally) results() string {
	var parts []string
	for _, k := range []reconcile.ResultKind{reconcile.ResultCreated, reconcile.ResultUpdated, reconcile.ResultDeleted,
		reconcile.ResultUnchanged, reconcile.ResultFailed, reconcile.ResultSkipped} {
		if n := t.byResult[string(k)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(parts) == 0 {
		return "nothing to do"
	}
	return strings.Join(parts, ", ")
}

// ReconcileText writes the run report like a Terraform plan: the gates,
// then one line per object (+ create, ~ update, - delete) with its fields
// before → after and its result, the unmanaged objects, the user impact
// per target, and the outcome. Secrets are never shown.
func ReconcileText(w io.Writer, r *Reconcile) error {
	bw := bufio.NewWriter(w)
	t := &textPlan{w: bw, max: 50}
	mode := ""
	if r.DryRun {
		mode = " (dry run)"
	}
	t.f("reconcile of %s%s\n\nGates:\n", shortRev(r.Revision), mode)
	for _, g := range r.Gates {
		t.f("  %-10s %s\n", g.Gate, g.Result)
		for _, f := range g.Findings {
			t.f("    %s %s: %s", f.Level, f.Policy, f.Msg)
			if f.File != "" {
				t.f(" (%s)", where(f.File, f.Line))
			}
			t.f("\n")
		}
		if g.Unblock != "" && (g.Result == GateDeny || g.Result == GateHold) {
			t.f("    to unblock: %s\n", g.Unblock)
		}
		if g.Reason != "" {
			t.f("    reason given: %s\n", g.Reason)
		}
	}
	if r.planned() {
		t.f("\nChanges (%s):\n", changeCounts(r.Changes).planned())
	}
	if r.planned() && len(r.Changes) == 0 {
		t.f("  none: the live state matches the repository\n")
	}
	lastHold := "" // a run of changes held for one reason says it once
	for _, c := range r.Changes {
		t.f("%s %s", changeSign(c.Action), c.Object)
		if c.Result != "" {
			t.f("  (%s)", c.Result)
		}
		t.f("\n")
		for _, f := range c.Fields {
			t.f("    %s: %s → %s\n", f.Name, fieldValue(f, f.Before), fieldValue(f, f.After))
		}
		if c.Error != "" {
			t.f("    error: %s\n", c.Error)
		}
		if c.Hold != "" && c.Hold != lastHold {
			t.f("    held: %s\n", c.Hold)
		}
		lastHold = c.Hold
	}
	if len(r.Ignored) > 0 {
		t.f("\nIgnored drift (%d): reported, never repaired (xtsync.yaml ignore; live → repository):\n", len(r.Ignored))
		for _, d := range r.Ignored {
			t.f("# %s\n", d.Object)
			for _, f := range d.Fields {
				t.f("    %s: %s → %s\n", f.Name, fieldValue(f, f.Before), fieldValue(f, f.After))
			}
			t.f("    ignored: %s", d.Reason)
			if d.Rule != "" {
				t.f(" (%s)", d.Rule)
			}
			t.f("\n")
		}
	}
	if len(r.Unmanaged) > 0 {
		t.f("\nUnmanaged (%d):\n", len(r.Unmanaged))
		for _, u := range r.Unmanaged {
			sign := "?"
			if u.Deleted {
				sign = "-"
			}
			t.f("%s %s: %s\n", sign, u.Object, u.Reason)
		}
	}
	if len(r.Impact) > 0 {
		t.f("\nUsers: what the provisioning cycles do once the repository is applied (base: the live configuration, head: the repository)\n")
		for i := range r.Impact {
			t.target(&r.Impact[i])
		}
	}
	t.f("\n%s\n", r.outcome())
	if !r.DryRun && !r.Converged && r.Denied() == nil {
		for _, o := range r.Remaining {
			t.f("  left: %s\n", o)
		}
	}
	t.f("requests: %s\n", r.Requests)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write reconcile report: %w", err)
	}
	return nil
}

// ReconcileMarkdown writes the run report for a pull request, an issue or
// a job summary.
func ReconcileMarkdown(w io.Writer, r *Reconcile) error {
	m := &mdPlan{max: 50, valueMax: 120}
	title := "xtsync reconcile"
	if r.DryRun {
		title += " (dry run)"
	}
	m.f("## %s of `%s`\n\n", title, shortRev(r.Revision))
	if d := r.Denied(); d != nil {
		m.f("> [!CAUTION]\n> %s.\n\n", capitalize(r.outcome()))
	} else if r.Held() > 0 {
		m.f("> [!NOTE]\n> %s.\n\n", capitalize(r.outcome()))
	} else {
		m.f("%s.\n\n", capitalize(r.outcome()))
	}
	if len(r.Gates) > 0 {
		m.f("| Gate | Result | Findings |\n|---|---|---|\n")
		for _, g := range r.Gates {
			var fs []string
			for _, f := range g.Findings {
				txt := f.Level + " " + f.Policy + ": " + f.Msg
				if f.File != "" {
					txt += " (" + where(f.File, f.Line) + ")"
				}
				fs = append(fs, mdCell(txt))
			}
			if g.Unblock != "" && (g.Result == GateDeny || g.Result == GateHold) {
				fs = append(fs, mdCell("to unblock: "+g.Unblock))
			}
			if g.Reason != "" {
				fs = append(fs, mdCell("reason given: "+g.Reason))
			}
			m.f("| %s | %s | %s |\n", g.Gate, g.Result, strings.Join(fs, "<br>"))
		}
		m.f("\n")
	}
	switch {
	case !r.planned():
	case len(r.Changes) == 0:
		m.f("### Changes\n\nNone: the live state matches the repository.\n\n")
	default:
		m.f("### Changes (%s)\n\n", changeCounts(r.Changes).planned())
		m.f("```diff\n")
		lastHold := ""
		for _, c := range r.Changes {
			line := fmt.Sprintf("%s %s", changeSign(c.Action), c.Object)
			if c.Action == reconcile.ActionUpdate {
				line = "!" + line[1:]
			}
			if c.Result != "" {
				line += "  (" + c.Result + ")"
			}
			m.f("%s\n", line)
			for _, f := range c.Fields {
				m.f("    %s: %s → %s\n", f.Name, fieldValue(f, f.Before), fieldValue(f, f.After))
			}
			if c.Error != "" {
				m.f("    error: %s\n", c.Error)
			}
			if c.Hold != "" && c.Hold != lastHold {
				m.f("    held: %s\n", c.Hold)
			}
			lastHold = c.Hold
		}
		m.f("```\n\n")
	}
	if len(r.Ignored) > 0 {
		m.f("### Ignored drift (%d)\n\nReported, never repaired (xtsync.yaml `ignore`); live → repository.\n\n| Object | Fields | Why |\n|---|---|---|\n", len(r.Ignored))
		for _, d := range r.Ignored {
			var fs []string
			for _, f := range d.Fields {
				fs = append(fs, mdCell(fmt.Sprintf("%s: %s → %s", f.Name, fieldValue(f, f.Before), fieldValue(f, f.After))))
			}
			why := d.Reason
			if d.Rule != "" {
				why += " (" + d.Rule + ")"
			}
			m.f("| `%s` | %s | %s |\n", d.Object, strings.Join(fs, "<br>"), mdCell(why))
		}
		m.f("\n")
	}
	if len(r.Unmanaged) > 0 {
		m.f("### Unmanaged (%d)\n\n| Object | |\n|---|---|\n", len(r.Unmanaged))
		for _, u := range r.Unmanaged {
			m.f("| `%s` | %s |\n", u.Object, mdCell(u.Reason))
		}
		m.f("\n")
	}
	if len(r.Impact) > 0 {
		m.f("### Users\n\nWhat the provisioning cycles do once the repository is applied (base: the live configuration, head: the repository).\n\n")
		for i := range r.Impact {
			m.target(&r.Impact[i])
		}
	}
	m.f("<sub>Graph requests: %s</sub>\n", r.Requests)
	if _, err := w.Write(m.b.Bytes()); err != nil {
		return fmt.Errorf("write reconcile report: %w", err)
	}
	return nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ReconcileWrite renders the report in format (text, json, markdown).
func ReconcileWrite(w io.Writer, r *Reconcile, format string) error {
	switch format {
	case "json":
		return ReconcileJSON(w, r)
	case "markdown":
		return ReconcileMarkdown(w, r)
	}
	return ReconcileText(w, r)
}
