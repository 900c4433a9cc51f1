package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
)

// The results of a gate.
const (
	GatePass       = "pass"
	GateDeny       = "deny"
	GateOverridden = "overridden"
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
	Changes   []ReconcileChange   `json:"changes"`
	Unmanaged []string            `json:"unmanaged"`
	Impact    []plan.TargetImpact `json:"impact"`
	// Converged says the re-read after the writes left no diff; Remaining
	// names what is left when it did not.
	Converged  bool     `json:"converged"`
	Remaining  []string `json:"remaining,omitempty"`
	Requests   Requests `json:"requests"`
	DurationMs int64    `json:"durationMs"`
}

// Gate is one gate of the run and its findings.
type Gate struct {
	Gate     string         `json:"gate"`
	Result   string         `json:"result"`
	Findings []plan.Finding `json:"findings"`
	// Unblock says what would let the run through a gate that denied.
	Unblock string `json:"unblock,omitempty"`
}

// ReconcileChange is one planned change and what became of it.
type ReconcileChange struct {
	Object string            `json:"object"`
	Action reconcile.Action  `json:"action"`
	Fields []reconcile.Field `json:"fields"`
	Result string            `json:"result,omitempty"`
	Error  string            `json:"error,omitempty"`
}

// Requests counts the Graph requests of a run.
type Requests struct {
	Reads     int `json:"reads"`
	Writes    int `json:"writes"`
	Retries   int `json:"retries"`
	Throttled int `json:"throttled"`
}

// NewReconcile starts a run report.
func NewReconcile(revision string, dryRun bool) *Reconcile {
	return &Reconcile{FormatVersion: 1, Revision: revision, DryRun: dryRun,
		Gates: []Gate{}, Changes: []ReconcileChange{}, Unmanaged: []string{}, Impact: []plan.TargetImpact{}}
}

// SetChanges records the planned changes, secrets blanked.
func (r *Reconcile) SetChanges(cs reconcile.ChangeSet) {
	r.Changes = make([]ReconcileChange, 0, len(cs))
	for _, c := range cs {
		fs := make([]reconcile.Field, 0, len(c.Fields))
		for _, f := range c.Fields {
			if f.Secret {
				f.Before, f.After = redact(f.Before), redact(f.After)
			}
			fs = append(fs, f)
		}
		r.Changes = append(r.Changes, ReconcileChange{Object: c.Object, Action: c.Action, Fields: fs})
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

func impactCounts(im []plan.TargetImpact) (added, removed, changed, staged int) {
	for _, t := range im {
		added += len(t.Added)
		removed += len(t.Removed)
		changed += len(t.Changed)
		staged += len(t.Staged)
	}
	return
}

// ReconcileText writes the run report like a Terraform plan: the gates,
// then one line per object (+ create, ~ update, - delete) with its fields
// before → after, then the outcome.
func ReconcileText(w io.Writer, r *Reconcile) error {
	var b strings.Builder
	mode := "reconcile"
	if r.DryRun {
		mode = "reconcile (dry run)"
	}
	fmt.Fprintf(&b, "%s of %s\n\n", mode, shortRev(r.Revision))
	for _, g := range r.Gates {
		fmt.Fprintf(&b, "gate %-10s %s\n", g.Gate, g.Result)
		for _, f := range g.Findings {
			fmt.Fprintf(&b, "  %s %s: %s\n", f.Level, f.Policy, f.Msg)
		}
		if g.Unblock != "" && g.Result == GateDeny {
			fmt.Fprintf(&b, "  to unblock: %s\n", g.Unblock)
		}
	}
	if d := r.Denied(); d != nil {
		fmt.Fprintf(&b, "\nstopped at gate %s: nothing was written\n", d.Gate)
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("\n")
	if len(r.Changes) == 0 {
		b.WriteString("No changes: the live state matches the repository.\n")
	}
	for _, c := range r.Changes {
		line := fmt.Sprintf("%s %s", changeSign(c.Action), c.Object)
		if c.Result != "" {
			line += "  (" + c.Result + ")"
		}
		b.WriteString(line + "\n")
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "    %s: %s → %s\n", f.Name, fieldValue(f, f.Before), fieldValue(f, f.After))
		}
		if c.Error != "" {
			fmt.Fprintf(&b, "    error: %s\n", c.Error)
		}
	}
	for _, u := range r.Unmanaged {
		fmt.Fprintf(&b, "? %s  (unmanaged, left as it is)\n", u)
	}
	add, rm, ch, st := impactCounts(r.Impact)
	fmt.Fprintf(&b, "\nusers: %d added, %d removed, %d changed, %d staged\n", add, rm, ch, st)
	var n [4]int
	for _, c := range r.Changes {
		switch c.Action {
		case reconcile.ActionCreate:
			n[0]++
		case reconcile.ActionUpdate:
			n[1]++
		case reconcile.ActionDelete:
			n[2]++
		}
		if c.Result == string(reconcile.ResultFailed) {
			n[3]++
		}
	}
	fmt.Fprintf(&b, "changes: %d to create, %d to update, %d to delete", n[0], n[1], n[2])
	if n[3] > 0 {
		fmt.Fprintf(&b, ", %d failed", n[3])
	}
	b.WriteString("\n")
	if !r.DryRun {
		if r.Converged {
			b.WriteString("converged: the live state matches the repository\n")
		} else {
			fmt.Fprintf(&b, "not converged: %s left\n", Count(len(r.Remaining), "change", "changes"))
			for _, o := range r.Remaining {
				fmt.Fprintf(&b, "  %s\n", o)
			}
		}
	}
	fmt.Fprintf(&b, "requests: %d reads, %d writes, %d retries, %d throttled\n",
		r.Requests.Reads, r.Requests.Writes, r.Requests.Retries, r.Requests.Throttled)
	_, err := io.WriteString(w, b.String())
	return err
}

// ReconcileMarkdown writes the run report for a pull request or issue.
func ReconcileMarkdown(w io.Writer, r *Reconcile) error {
	var b strings.Builder
	title := "xtsync reconcile"
	if r.DryRun {
		title += " (dry run)"
	}
	fmt.Fprintf(&b, "### %s of `%s`\n\n", title, shortRev(r.Revision))
	if len(r.Gates) > 0 {
		b.WriteString("| gate | result | findings |\n|---|---|---|\n")
		for _, g := range r.Gates {
			var fs []string
			for _, f := range g.Findings {
				fs = append(fs, mdCell(f.Level+" "+f.Policy+": "+f.Msg))
			}
			if g.Unblock != "" && g.Result == GateDeny {
				fs = append(fs, mdCell("to unblock: "+g.Unblock))
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", g.Gate, g.Result, strings.Join(fs, "<br>"))
		}
		b.WriteString("\n")
	}
	if d := r.Denied(); d != nil {
		fmt.Fprintf(&b, "> [!CAUTION]\n> Stopped at gate **%s**: nothing was written.\n", d.Gate)
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(r.Changes) == 0 {
		b.WriteString("No changes: the live state matches the repository.\n")
	} else {
		b.WriteString("```diff\n")
		for _, c := range r.Changes {
			line := fmt.Sprintf("%s %s", changeSign(c.Action), c.Object)
			if c.Result != "" {
				line += "  (" + c.Result + ")"
			}
			if c.Action == reconcile.ActionUpdate {
				line = "!" + line[1:]
			}
			b.WriteString(line + "\n")
			for _, f := range c.Fields {
				fmt.Fprintf(&b, "    %s: %s → %s\n", f.Name, fieldValue(f, f.Before), fieldValue(f, f.After))
			}
			if c.Error != "" {
				fmt.Fprintf(&b, "    error: %s\n", c.Error)
			}
		}
		b.WriteString("```\n")
	}
	if len(r.Unmanaged) > 0 {
		b.WriteString("\nUnmanaged (left as they are): ")
		for i, u := range r.Unmanaged {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + u + "`")
		}
		b.WriteString("\n")
	}
	add, rm, ch, st := impactCounts(r.Impact)
	fmt.Fprintf(&b, "\n**Users:** %d added, %d removed, %d changed, %d staged\n", add, rm, ch, st)
	if !r.DryRun {
		if r.Converged {
			b.WriteString("\n**Converged:** the live state matches the repository.\n")
		} else {
			fmt.Fprintf(&b, "\n**Not converged:** %s left.\n", Count(len(r.Remaining), "change", "changes"))
		}
	}
	fmt.Fprintf(&b, "\n<sub>%d reads, %d writes, %d retries, %d throttled</sub>\n",
		r.Requests.Reads, r.Requests.Writes, r.Requests.Retries, r.Requests.Throttled)
	_, err := io.WriteString(w, b.String())
	return err
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
