package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/xtsync/xtsync/simulate"
)

// SimulateJSON writes the simulation result, the JSON contract of
// `xtsync simulate --output json` (DESIGN §5): indented, map keys sorted
// (simulate.WriteResultJSON, byte-identical to encoding/json and faster).
func SimulateJSON(w io.Writer, r *simulate.Result) error {
	return simulate.WriteResultJSON(w, r)
}

// countColumns are the action counts in the order the reports show them.
var countColumns = []string{"create", "update", "restore", "disable", "delete", "staged", "noop", "skip", "fail"}

func countValues(c simulate.Counts) []int {
	return []int{c.Create, c.Update, c.Restore, c.Disable, c.Delete, c.Staged, c.Noop, c.Skip, c.Fail}
}

// rowsByTarget splits the rows (sorted by target) into per-target runs.
func rowsByTarget(r *simulate.Result) map[string][]simulate.UserResult {
	out := map[string][]simulate.UserResult{}
	for i := 0; i < len(r.Users); {
		j := i
		for j < len(r.Users) && r.Users[j].Target == r.Users[i].Target {
			j++
		}
		out[r.Users[i].Target] = r.Users[i:j]
		i = j
	}
	return out
}

// SimulateText writes the simulation for a terminal: per configuration its
// state, blockers and counts; then per target tenant its B2B user set after
// the cycle and every row with its action, reason and changes, in aligned
// columns.
func SimulateText(w io.Writer, r *simulate.Result) error {
	b := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(b, "Configurations (%d):\n", len(r.Configs))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  CONFIGURATION\tTARGET\tSTATE\t%s\n", strings.ToUpper(strings.Join(countColumns, "\t")))
	for _, c := range r.Configs {
		fmt.Fprintf(tw, "  %s/%s\t%s\t%s", c.Source, c.Name, c.Target, c.State)
		for _, n := range countValues(c.Counts) {
			fmt.Fprintf(tw, "\t%d", n)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for _, c := range r.Configs {
		if len(c.Blockers) == 0 && c.State != simulate.StateQuarantine {
			continue
		}
		switch c.State {
		case simulate.StateQuarantine:
			fmt.Fprintf(b, "\n%s/%s is in quarantine: its deletes and disables exceed the deletion threshold and are staged.\n", c.Source, c.Name)
		case simulate.StateBlocked:
			fmt.Fprintf(b, "\n%s/%s is blocked and changes nothing:\n", c.Source, c.Name)
		default:
			fmt.Fprintf(b, "\n%s/%s (%s) has blockers:\n", c.Source, c.Name, c.State)
		}
		for _, bl := range c.Blockers {
			fmt.Fprintf(b, "  %s: %s", bl.Code, bl.Message)
			if bl.File != "" {
				fmt.Fprintf(b, " (%s)", where(bl.File, bl.Line))
			}
			fmt.Fprintln(b)
		}
	}
	byTarget := rowsByTarget(r)
	for _, t := range r.Tenants {
		rows := byTarget[t.Name]
		if len(rows) == 0 && t.Added == 0 && t.Removed == 0 {
			continue
		}
		fmt.Fprintf(b, "\nTarget %s: %s after the cycle (+%d added, -%d removed)\n", t.Name, Count(t.B2BUsers, "B2B user", "B2B users"), t.Added, t.Removed)
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  ACTION\tREASON\tSOURCE USER\tCONFIGURATION\tCHANGES\n")
		for i := range rows {
			u := &rows[i]
			reason := u.Reason
			if reason == "" {
				reason = "-"
			}
			ch := strings.Join(changesText(u.Changes), ", ")
			if u.Error != "" {
				ch = u.Error
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s/%s\t%s\n", u.Action, reason, u.SourceUserPrincipalName, u.Source, u.Config, ch)
		}
		tw.Flush()
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write simulation: %w", err)
	}
	return nil
}

// SimulateMarkdown writes the simulation as Markdown: a table of the
// configurations, their blockers, then per target tenant a table of rows.
func SimulateMarkdown(w io.Writer, r *simulate.Result) error {
	b := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(b, "## xtsync simulate\n\n")
	fmt.Fprintf(b, "| configuration | target | state | %s |\n", strings.Join(countColumns, " | "))
	fmt.Fprintf(b, "|---|---|---|%s\n", strings.Repeat("---:|", len(countColumns)))
	for _, c := range r.Configs {
		fmt.Fprintf(b, "| `%s/%s` | `%s` | %s |", c.Source, c.Name, c.Target, c.State)
		for _, n := range countValues(c.Counts) {
			fmt.Fprintf(b, " %d |", n)
		}
		fmt.Fprintln(b)
	}
	for _, c := range r.Configs {
		if c.State == simulate.StateQuarantine {
			fmt.Fprintf(b, "\n> [!WARNING]\n> `%s/%s` is in **quarantine**: its deletes and disables exceed the deletion threshold and are staged.\n", c.Source, c.Name)
		}
		if len(c.Blockers) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n**`%s/%s` is %s:**\n\n", c.Source, c.Name, c.State)
		for _, bl := range c.Blockers {
			fmt.Fprintf(b, "- `%s`: %s", bl.Code, mdCell(bl.Message))
			if bl.File != "" {
				fmt.Fprintf(b, " (`%s`)", where(bl.File, bl.Line))
			}
			fmt.Fprintln(b)
		}
	}
	byTarget := rowsByTarget(r)
	for _, t := range r.Tenants {
		rows := byTarget[t.Name]
		if len(rows) == 0 && t.Added == 0 && t.Removed == 0 {
			continue
		}
		fmt.Fprintf(b, "\n### %s: %s after the cycle (+%d, -%d)\n\n", t.Name, Count(t.B2BUsers, "B2B user", "B2B users"), t.Added, t.Removed)
		fmt.Fprintf(b, "| action | reason | source user | configuration | changes |\n|---|---|---|---|---|\n")
		for i := range rows {
			u := &rows[i]
			fmt.Fprintf(b, "| %s | %s | %s | `%s/%s` | %s |\n", u.Action, u.Reason, mdCell(u.SourceUserPrincipalName),
				u.Source, u.Config, mdCell(strings.Join(changesText(u.Changes), "; ")))
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write simulation: %w", err)
	}
	return nil
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "#", `\#`, "_", `\_`, "*", `\*`)
	return r.Replace(s)
}

// ExplainText writes `xtsync simulate --user` explanations for a terminal.
func ExplainText(w io.Writer, upn string, es []simulate.Explanation) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "User %s\n", upn)
	for _, e := range es {
		fmt.Fprintf(b, "\n%s/%s -> %s (%s)\n", e.Source, e.Config, e.Target, e.State)
		for _, bl := range e.Blockers {
			fmt.Fprintf(b, "  blocker %s: %s\n", bl.Code, bl.Message)
		}
		for _, s := range e.Steps {
			fmt.Fprintf(b, "  %-9s %s\n", s.Step+":", s.Detail)
		}
		if e.Result != nil && e.Result.TargetUser != nil {
			tu := e.Result.TargetUser
			fmt.Fprintf(b, "  target user after the cycle: %s (userType %s, accountEnabled %t, showInAddressList %t", tu.UserPrincipalName, tu.UserType, tu.AccountEnabled, tu.ShowInAddressList)
			if tu.Deleted {
				b.WriteString(", soft-deleted")
			}
			b.WriteString(")\n")
			for _, k := range sortedKeys(tu.Attributes) {
				fmt.Fprintf(b, "    %s = %s\n", k, value(tu.Attributes[k]))
			}
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write explanation: %w", err)
	}
	return nil
}

// ExplainMarkdown writes the explanations as Markdown.
func ExplainMarkdown(w io.Writer, upn string, es []simulate.Explanation) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "## %s\n", mdCell(upn))
	for _, e := range es {
		fmt.Fprintf(b, "\n### `%s/%s` → `%s` (%s)\n\n", e.Source, e.Config, e.Target, e.State)
		for _, bl := range e.Blockers {
			fmt.Fprintf(b, "- blocker `%s`: %s\n", bl.Code, mdCell(bl.Message))
		}
		for _, s := range e.Steps {
			fmt.Fprintf(b, "- **%s**: %s\n", s.Step, mdCell(s.Detail))
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write explanation: %w", err)
	}
	return nil
}

// AssumptionsText writes the assumptions table: id, default, the value in
// effect, whether xtsync.yaml may override it, and the summary.
func AssumptionsText(w io.Writer, as []simulate.Assumption) error {
	b := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\tDEFAULT\tVALUE\tOVERRIDABLE\tSUMMARY\n")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%t\t%t\t%t\t%s\n", a.ID, a.Default, a.Value, a.Overridable, a.Summary)
	}
	tw.Flush()
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write assumptions: %w", err)
	}
	return nil
}

// AssumptionsMarkdown writes the assumptions table as Markdown.
func AssumptionsMarkdown(w io.Writer, as []simulate.Assumption) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "| id | default | value | overridable | summary | source |\n|---|---|---|---|---|---|\n")
	for _, a := range as {
		fmt.Fprintf(b, "| `%s` | %t | %t | %t | %s | %s |\n", a.ID, a.Default, a.Value, a.Overridable, mdCell(a.Summary), mdCell(a.Source))
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write assumptions: %w", err)
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
