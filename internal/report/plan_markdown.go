package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/plan"
)

// PlanMarkdown writes the plan as a pull-request comment: a summary table
// per target (+added / -removed / ~changed), a Mermaid diagram of the
// tenants and sync flows with those counts, the config changes with links
// to file lines, the policy findings, then per target the users in
// collapsible sections (staged deletions under a quarantine banner) and the
// drift. It stays under opts.MaxBytes by showing fewer users per list
// ("… and N more"), never by cutting a table.
func PlanMarkdown(w io.Writer, p *plan.Plan, opts PlanOptions) error {
	limit := opts.maxBytes()
	var out []byte
	for n := opts.maxUsers(); ; n /= 2 {
		m := &mdPlan{opts: opts, max: n, valueMax: 120}
		if n < 10 {
			m.valueMax = 60
		}
		out = m.render(p)
		if len(out) <= limit || n == 0 {
			break
		}
	}
	if len(out) > limit {
		// Even without per-user detail it is too big (thousands of config
		// changes): keep the counts only.
		m := &mdPlan{opts: opts, max: 0, valueMax: 60, countsOnly: true}
		out = m.render(p)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

type mdPlan struct {
	b          bytes.Buffer
	opts       PlanOptions
	max        int // users per list
	valueMax   int // runes per before/after cell
	countsOnly bool
	cut        bool // some list was summarised
}

func (m *mdPlan) f(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }

func (m *mdPlan) render(p *plan.Plan) []byte {
	deny, warn := countFindings(p)
	tot := totals(p)
	m.f("## xtsync plan\n\n")
	m.f("**base** `%s` → **head** `%s`\n\n", shortRev(p.Base), shortRev(p.Head))
	switch {
	case deny > 0:
		m.f("❌ **Denied by policy:** %s", Count(deny, "deny", "denies"))
	case warn > 0:
		m.f("⚠️ **Allowed with warnings:** %s", Count(warn, "warning", "warnings"))
	case m.opts.NoSnapshots:
		// Policies that count users saw none: no finding proves nothing.
		m.f("❔ **No policy finding, user impact unknown** (no directory snapshots)")
	default:
		m.f("✅ **No policy finding**")
	}
	if m.opts.NoSnapshots {
		m.f(" · %s · users **not computed**", Count(len(p.Changes), "config change", "config changes"))
	} else {
		m.f(" · %s · users **+%d / -%d / ~%d**", Count(len(p.Changes), "config change", "config changes"), tot.Added, tot.Removed, tot.Changed)
	}
	var parts []string
	for _, x := range []struct {
		n     int
		sym   string
		kinds []groupKind
		list  func(*plan.TargetImpact) []plan.ImpactUser
	}{{tot.Removed, "-", removedKinds, removed}, {tot.Added, "+", addedKinds, added}, {tot.Changed, "~", changedKinds, changed}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%s%d: %s", x.sym, x.n, breakdown(groupUsers(allUsers(p, x.list), x.kinds))))
		}
	}
	if len(parts) > 0 {
		m.f(" (%s)", strings.Join(parts, "; "))
	}
	if tot.Disabled > 0 {
		m.f(" · %s", withBreakdown("", tot.Disabled, "disabled", groupUsers(allUsers(p, disabled), disabledKinds)))
	}
	if tot.Staged > 0 {
		m.f(" · ⚠️ **%s**", withBreakdown("", tot.Staged, "staged in quarantine", groupUsers(allUsers(p, staged), stagedKinds)))
	}
	if len(p.Drift) > 0 {
		m.f(" · %s", Count(len(p.Drift), "drifted user not explained by this change", "drifted users not explained by this change"))
	}
	m.f("\n\n")
	if m.opts.NoSnapshots {
		m.f("> [!NOTE]\n> **No directory snapshots: user impact not computed.** Only the config changes are listed. `xtsync snapshot pull` writes them; `--snapshots DIR` reads them from elsewhere.\n\n")
	}

	m.summary(p)
	m.mermaid(p)
	m.changes(p)
	m.findings(p)
	m.states(p)
	if !m.countsOnly {
		for i := range p.Impact {
			m.target(&p.Impact[i])
		}
		m.drift(p)
	}
	if m.cut || m.countsOnly {
		m.f("---\n_This comment is summarised to stay under GitHub's comment size limit; `xtsync plan --output json` lists everything._\n")
	}
	return m.b.Bytes()
}

func (m *mdPlan) summary(p *plan.Plan) {
	if len(p.Impact) == 0 {
		return
	}
	m.f("| Target tenant | Users +added / -removed / ~changed | What happens | Disabled | Staged | Job restarts |\n")
	m.f("|---|---|---|---:|---:|---|\n")
	for i := range p.Impact {
		ti := &p.Impact[i]
		c := ti.Counts()
		restarts := "—"
		if len(ti.RestartsJob) > 0 {
			restarts = code(strings.Join(ti.RestartsJob, ", "))
		}
		var what []string
		for _, x := range []struct {
			sym   string
			us    []plan.ImpactUser
			kinds []groupKind
		}{{"-", ti.Removed, removedKinds}, {"+", ti.Added, addedKinds}, {"~", ti.Changed, changedKinds}} {
			if len(x.us) > 0 {
				what = append(what, fmt.Sprintf("%s%d: %s", x.sym, len(x.us), breakdown(groupUsers(x.us, x.kinds))))
			}
		}
		whatCell := "—"
		if len(what) > 0 {
			whatCell = cell(strings.Join(what, "; "))
		}
		dis := fmt.Sprint(c.Disabled)
		staged := fmt.Sprint(c.Staged)
		if n := pendingCount(ti.Staged); n > 0 {
			staged += fmt.Sprintf(" (%d already pending)", n)
		}
		if c.Staged > 0 {
			staged = "⚠️ " + staged
		}
		m.f("| %s | `+%d / -%d / ~%d` | %s | %s | %s | %s |\n", cell(ti.Target), c.Added, c.Removed, c.Changed, whatCell, dis, staged, restarts)
	}
	m.f("\n")
}

// mermaid draws the tenants and the sync flows of head (and of base for
// removed ones), each edge labelled with its configuration's user counts.
func (m *mdPlan) mermaid(p *plan.Plan) {
	if len(p.Configs) == 0 {
		return
	}
	type counts struct{ added, removed, changed, staged int }
	per := map[string]*counts{}
	get := func(source, config string) *counts {
		k := source + "/" + config
		if per[k] == nil {
			per[k] = &counts{}
		}
		return per[k]
	}
	for i := range p.Impact {
		for _, u := range p.Impact[i].Added {
			get(u.Source, u.Config).added++
		}
		for _, u := range p.Impact[i].Removed {
			get(u.Source, u.Config).removed++
		}
		for _, u := range p.Impact[i].Changed {
			get(u.Source, u.Config).changed++
		}
		for _, u := range p.Impact[i].Staged {
			get(u.Source, u.Config).staged++
		}
	}
	var tenants []string
	seen := map[string]bool{}
	for _, c := range p.Configs {
		for _, t := range []string{c.Source, c.Target} {
			if !seen[t] {
				seen[t] = true
				tenants = append(tenants, t)
			}
		}
	}
	sort.Strings(tenants)
	id := map[string]string{}
	m.f("```mermaid\nflowchart LR\n")
	for i, t := range tenants {
		id[t] = fmt.Sprintf("t%d", i)
		m.f("  %s[\"%s\"]\n", id[t], mermaidText(t))
	}
	for _, c := range p.Configs {
		n := get(c.Source, c.Name)
		label := fmt.Sprintf("%s: +%d / -%d / ~%d", c.Name, n.added, n.removed, n.changed)
		if n.staged > 0 {
			label += fmt.Sprintf(", %d staged", n.staged)
		}
		state := string(c.Head)
		switch {
		case c.Head == "":
			state = "removed"
		case c.Base == "":
			state = "new, " + string(c.Head)
		}
		if state != "active" && state != "unknown" {
			label += " (" + state + ")"
		}
		arrow := "-- \"%s\" -->"
		if c.Head != "active" && c.Head != "quarantine" && c.Head != plan.StateUnknown {
			arrow = "-. \"%s\" .->"
		}
		m.f("  %s "+arrow+" %s\n", id[c.Source], mermaidText(label), id[c.Target])
	}
	m.f("```\n\n")
}

func (m *mdPlan) changes(p *plan.Plan) {
	m.f("### Config changes (%d)\n\n", len(p.Changes))
	if len(p.Files) > 0 {
		m.f("Files: %s\n\n", filesText(p.Files, 20, code))
	}
	if len(p.Changes) == 0 {
		m.f("None: the configuration is the same at both revisions.\n\n")
		return
	}
	max := len(p.Changes)
	if m.countsOnly && max > 100 {
		max = 100
	}
	m.f("| | Object | Field | Before | After | Where |\n|---|---|---|---|---|---|\n")
	for i, c := range p.Changes {
		if i == max {
			break
		}
		field := "—"
		if c.Path != "" {
			field = code(c.Path)
		}
		before, after := "—", "—"
		if c.Op != plan.OpAdd {
			before = code(clip(value(c.Before), m.valueMax))
		}
		if c.Op != plan.OpRemove {
			after = code(clip(value(c.After), m.valueMax))
		}
		m.f("| %s | %s | %s | %s | %s | %s |\n", opSymbol(c.Op), code(changeObject(c)), field, before, after, m.link(c.File, c.Line))
	}
	if max < len(p.Changes) {
		m.cut = true
		m.f("\n… and %d more config changes.\n", len(p.Changes)-max)
	}
	m.f("\n")
}

func (m *mdPlan) findings(p *plan.Plan) {
	m.f("### Policy findings (%d)\n\n", len(p.Findings))
	if len(p.Findings) == 0 {
		m.f("None.\n\n")
		return
	}
	max := len(p.Findings)
	if m.countsOnly && max > 50 {
		max = 50
	}
	for _, f := range p.Findings[:max] {
		icon := "⚠️"
		if f.Level == plan.LevelDeny {
			icon = "❌"
		}
		m.f("- %s **%s** `%s`: %s", icon, f.Level, f.Policy, cell(f.Msg))
		if f.File != "" {
			m.f(" (%s)", m.link(f.File, f.Line))
		}
		m.f("\n")
	}
	if max < len(p.Findings) {
		m.cut = true
		m.f("\n… and %d more findings.\n", len(p.Findings)-max)
	}
	m.f("\n")
}

// states lists the configurations that will not run normally at head:
// paused, blocked (with the blockers) or quarantined.
func (m *mdPlan) states(p *plan.Plan) {
	var lines []string
	for _, c := range p.Configs {
		var what string
		switch c.Head {
		case "paused":
			what = "⏸️ paused (`enabled: false`): its users stay as they are"
		case "blocked":
			what = "⛔ blocked: it changes nothing until this is fixed"
		case "quarantine":
			what = "⚠️ in quarantine: the deletion threshold holds its deletes back"
		default:
			continue
		}
		lines = append(lines, fmt.Sprintf("- %s %s\n", code(c.Source+"/"+c.Name), what))
		for _, b := range c.Blockers {
			l := fmt.Sprintf("  - `%s`: %s", b.Code, cell(b.Message))
			if b.File != "" {
				l += " (" + m.link(b.File, b.Line) + ")"
			}
			lines = append(lines, l+"\n")
		}
	}
	if len(lines) == 0 {
		return
	}
	m.f("### Configurations that will not run normally\n\n")
	for _, l := range lines {
		m.b.WriteString(l)
	}
	m.f("\n")
}

func (m *mdPlan) target(ti *plan.TargetImpact) {
	c := ti.Counts()
	m.f("### %s: `+%d / -%d / ~%d`\n\n", cell(ti.Target), c.Added, c.Removed, c.Changed)
	for _, r := range ti.RestartsJob {
		m.f("- 🔄 Job %s restarts: its scope, filters or mappings change, so Entra runs a full cycle.\n", code(r))
	}
	if len(ti.RestartsJob) > 0 {
		m.f("\n")
	}
	if len(ti.Staged) > 0 {
		m.f("> [!WARNING]\n> **Quarantine:** %s held back by the deletion threshold. ", Count(len(ti.Staged), "deletion or disable is", "deletions or disables are"))
		m.f("%s.\n\n", quarantineNote)
		m.groups("⏸️ Staged (quarantine)", groupUsers(ti.Staged, stagedKinds), true)
	}
	m.groups("➖ Removed", groupUsers(ti.Removed, removedKinds), true)
	m.groups("➕ Added", groupUsers(ti.Added, addedKinds), false)
	m.groups("✏️ Changed", groupUsers(ti.Changed, changedKinds), false)
	m.groups("🚫 Disabled", groupUsers(disabled(ti), disabledKinds), false)
	if ti.Empty() {
		m.f("No user changes.\n\n")
	}
}

// groups writes a list's groups, each a collapsible table titled
// "➖ Removed — soft-deleted: 3 users" with what it means.
func (m *mdPlan) groups(title string, gs []userGroup, open bool) {
	for _, g := range gs {
		m.users(fmt.Sprintf("%s — %s", title, g.label), g, open)
	}
}

func (m *mdPlan) users(title string, g userGroup, open bool) {
	us := g.users
	if len(us) == 0 {
		return
	}
	m.details(fmt.Sprintf("%s: %s <i>(%s)</i>", title, Count(len(us), "user", "users"), cell(g.note)), open && len(us) <= 20,
		"| User | Configuration | Why |\n|---|---|---|\n", len(us), func(i int) string {
			u := us[i]
			detail := cell(userWhy(u))
			if ch := m.changeCells(userChanges(u.Changes, g.baseOnly)); ch != "" {
				if detail != "" {
					detail += "<br>"
				}
				detail += ch
			}
			if detail == "" {
				detail = "—"
			}
			return fmt.Sprintf("| %s | %s | %s |\n", cell(userName(u)), code(configKey(u.Source, u.Config)), detail)
		})
}

func (m *mdPlan) drift(p *plan.Plan) {
	if len(p.Drift) == 0 {
		m.f("### Drift not explained by this change\n\nNone: apart from the users above, the target snapshots match head.\n\n")
		return
	}
	m.f("### Drift not explained by this change (%d)\n\nHead's simulated result against the target snapshots as they are now, without the users listed above: what the first cycle after merging would also change there, though this change does not cause it (the snapshots lag, or the target was changed by hand).\n\n", len(p.Drift))
	m.details(Count(len(p.Drift), "drifted user", "drifted users"), false,
		"| Target | User | Configuration | Kind | Values |\n|---|---|---|---|---|\n", len(p.Drift), func(i int) string {
			d := p.Drift[i]
			name := d.SourceUserPrincipalName
			if name == "" {
				name = d.SourceUserID
			}
			vals := m.changeCells(changesText(d.Changes))
			if vals == "" {
				vals = "—"
			}
			return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", cell(d.Target), cell(name), code(configKey(d.Source, d.Config)), d.Kind, vals)
		})
}

// details writes a collapsible table of n rows, the first m.max of them
// ("… and N more"; none when m.max is 0).
func (m *mdPlan) details(summary string, open bool, header string, n int, row func(i int) string) {
	attr := ""
	if open {
		attr = " open"
	}
	m.f("<details%s><summary>%s</summary>\n\n", attr, summary)
	if m.max == 0 {
		m.cut = true
		m.f("Per-user detail left out to keep this comment short.\n\n</details>\n\n")
		return
	}
	m.b.WriteString(header)
	for i := 0; i < n && i < m.max; i++ {
		m.b.WriteString(row(i))
	}
	if n > m.max {
		m.cut = true
		m.f("\n… and %d more.\n", n-m.max)
	}
	m.f("\n</details>\n\n")
}

// changeCells renders attribute changes as code spans joined by <br>.
func (m *mdPlan) changeCells(lines []string) string {
	for j := range lines {
		lines[j] = code(clip(lines[j], m.valueMax))
	}
	return strings.Join(lines, "<br>")
}

// link renders file:line, as a link when a link base is set.
func (m *mdPlan) link(file string, line int) string {
	if file == "" {
		return "—"
	}
	text := code(where(file, line))
	if m.opts.LinkBase == "" {
		return text
	}
	url := m.opts.LinkBase + file
	if line > 0 {
		url += fmt.Sprintf("#L%d", line)
	}
	return fmt.Sprintf("[%s](%s)", text, url)
}

// pendingCount counts the users already pending without the change.
func pendingCount(us []plan.ImpactUser) int {
	n := 0
	for _, u := range us {
		if u.Pending() {
			n++
		}
	}
	return n
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// code renders s as a code span that is safe in a table cell.
func code(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// mermaidText escapes a Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ", "<", "#lt;", ">", "#gt;").Replace(s)
}
