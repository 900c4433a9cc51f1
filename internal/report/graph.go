package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// Graph is the picture of a repository: its tenants, the trust between
// them (inbound user sync, automatic redemption in each direction) and the
// sync flows, with user counts when a simulation is at hand. JSON is its
// contract; Mermaid, DOT and SVG render it.
type Graph struct {
	FormatVersion int          `json:"formatVersion"`
	Tenants       []GraphNode  `json:"tenants"`
	Trust         []GraphTrust `json:"trust"`
	Flows         []GraphFlow  `json:"flows"`
	// Simulated tells whether the flows carry user counts.
	Simulated bool `json:"simulated"`
}

// GraphNode is one tenant.
type GraphNode struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	// External marks a partner the repository names by tenant id only.
	External bool `json:"external,omitempty"`
}

// GraphTrust is what a target allows a source: inbound user sync and
// automatic redemption as the target grants it (inbound) and as the source
// grants it (outbound). Redemption is automatic only when both do.
type GraphTrust struct {
	Source             string `json:"source"`
	Target             string `json:"target"`
	UserSync           bool   `json:"userSync"`
	InboundAutoRedeem  bool   `json:"inboundAutoRedeem"`
	OutboundAutoRedeem bool   `json:"outboundAutoRedeem"`
}

// GraphFlow is one sync configuration.
type GraphFlow struct {
	Source  string `json:"source"`
	Name    string `json:"name"`
	Target  string `json:"target"`
	Enabled bool   `json:"enabled"`
	// State, Users (B2B users it keeps after the cycle), Created and
	// Deleted come from the simulation (Simulated).
	State   string `json:"state,omitempty"`
	Users   int    `json:"users"`
	Created int    `json:"created"`
	Deleted int    `json:"deleted"`
}

// BuildGraph draws repo; res (may be nil) adds each flow's users.
func BuildGraph(repo *tenants.Repo, res *simulate.Result) *Graph {
	g := &Graph{FormatVersion: 1, Tenants: []GraphNode{}, Trust: []GraphTrust{}, Flows: []GraphFlow{}, Simulated: res != nil}
	seen := map[string]bool{}
	node := func(n GraphNode) {
		if !seen[n.Name] {
			seen[n.Name] = true
			g.Tenants = append(g.Tenants, n)
		}
	}
	trust := map[[2]string]*GraphTrust{}
	edge := func(source, target string) *GraphTrust {
		k := [2]string{source, target}
		if trust[k] == nil {
			trust[k] = &GraphTrust{Source: source, Target: target}
		}
		return trust[k]
	}
	for _, t := range repo.Tenants {
		node(GraphNode{Name: t.Name, DisplayName: t.DisplayName})
	}
	for _, t := range repo.Tenants {
		for _, p := range t.Partners {
			if !seen[p.Tenant] {
				node(GraphNode{Name: p.Tenant, External: true})
			}
			if p.Inbound != nil && (p.Inbound.UserSync || p.Inbound.AutoRedeem) {
				e := edge(p.Tenant, t.Name)
				e.UserSync = e.UserSync || p.Inbound.UserSync
				e.InboundAutoRedeem = e.InboundAutoRedeem || p.Inbound.AutoRedeem
			}
			if p.Outbound != nil && p.Outbound.AutoRedeem {
				edge(t.Name, p.Tenant).OutboundAutoRedeem = true
			}
		}
	}
	for _, e := range trust {
		g.Trust = append(g.Trust, *e)
	}
	sort.Slice(g.Trust, func(i, j int) bool {
		a, b := g.Trust[i], g.Trust[j]
		return a.Source+"\x00"+a.Target < b.Source+"\x00"+b.Target
	})
	type key struct{ source, name string }
	users := map[key]*GraphFlow{}
	for _, t := range repo.Tenants {
		for _, sc := range t.Sync {
			g.Flows = append(g.Flows, GraphFlow{Source: t.Name, Name: sc.Name, Target: sc.Target, Enabled: sc.Enabled})
		}
	}
	for i := range g.Flows {
		users[key{g.Flows[i].Source, g.Flows[i].Name}] = &g.Flows[i]
	}
	if res != nil {
		for _, c := range res.Configs {
			if f := users[key{c.Source, c.Name}]; f != nil {
				f.State = string(c.State)
				n := c.Counts
				f.Users = n.Create + n.Update + n.Restore + n.Noop + n.Disable + n.Staged
				f.Created = n.Create + n.Restore
				f.Deleted = n.Delete
			}
		}
	}
	sort.Slice(g.Flows, func(i, j int) bool {
		a, b := g.Flows[i], g.Flows[j]
		return a.Source+"\x00"+a.Name < b.Source+"\x00"+b.Name
	})
	return g
}

// label is a flow's edge label.
func (f GraphFlow) label(simulated bool) string {
	s := f.Name
	if simulated {
		s += fmt.Sprintf(": %d users", f.Users)
		if f.Created > 0 || f.Deleted > 0 {
			s += fmt.Sprintf(" (+%d −%d)", f.Created, f.Deleted)
		}
		if f.State != "" && f.State != "active" {
			s += ", " + f.State
		}
	} else if !f.Enabled {
		s += ", paused"
	}
	return s
}

// label is a trust edge's label.
func (t GraphTrust) label() string {
	var parts []string
	if t.UserSync {
		parts = append(parts, "sync allowed")
	}
	switch {
	case t.InboundAutoRedeem && t.OutboundAutoRedeem:
		parts = append(parts, "auto-redeem")
	case t.InboundAutoRedeem:
		parts = append(parts, "auto-redeem in only")
	case t.OutboundAutoRedeem:
		parts = append(parts, "auto-redeem out only")
	}
	return strings.Join(parts, ", ")
}

func (g *Graph) ids() map[string]string {
	id := map[string]string{}
	for i, t := range g.Tenants {
		id[t.Name] = fmt.Sprintf("t%d", i)
	}
	return id
}

func (n GraphNode) title() string {
	if n.DisplayName != "" && n.DisplayName != n.Name {
		return n.Name + "\n" + n.DisplayName
	}
	return n.Name
}

// GraphMermaid writes the graph as a Mermaid flowchart: solid arrows are
// sync flows, dotted ones trust.
func GraphMermaid(w io.Writer, g *Graph) error {
	var b strings.Builder
	id := g.ids()
	b.WriteString("flowchart LR\n")
	for _, t := range g.Tenants {
		text := mermaidText(strings.ReplaceAll(t.title(), "\n", " · "))
		if t.External {
			fmt.Fprintf(&b, "  %s[(\"%s\")]\n", id[t.Name], text)
		} else {
			fmt.Fprintf(&b, "  %s[\"%s\"]\n", id[t.Name], text)
		}
	}
	for _, t := range g.Trust {
		fmt.Fprintf(&b, "  %s -. \"%s\" .-> %s\n", id[t.Source], mermaidText(t.label()), id[t.Target])
	}
	for _, f := range g.Flows {
		arrow := "==>"
		if !f.Enabled || (f.State != "" && f.State != "active" && f.State != "quarantine") {
			arrow = "-->"
		}
		fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", id[f.Source], arrow, mermaidText(f.label(g.Simulated)), id[f.Target])
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write graph: %w", err)
	}
	return nil
}

// GraphDOT writes the graph in Graphviz's DOT language.
func GraphDOT(w io.Writer, g *Graph) error {
	var b strings.Builder
	id := g.ids()
	b.WriteString("digraph xtsync {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for _, t := range g.Tenants {
		attrs := "label=" + dotQuote(t.title())
		if t.External {
			attrs += ", style=\"rounded,dashed\""
		}
		fmt.Fprintf(&b, "  %s [%s];\n", id[t.Name], attrs)
	}
	for _, t := range g.Trust {
		fmt.Fprintf(&b, "  %s -> %s [label=%s, style=dashed, color=gray40];\n", id[t.Source], id[t.Target], dotQuote(t.label()))
	}
	for _, f := range g.Flows {
		style := "bold"
		if !f.Enabled {
			style = "solid"
		}
		fmt.Fprintf(&b, "  %s -> %s [label=%s, style=%s, color=\"#1f6feb\"];\n", id[f.Source], id[f.Target], dotQuote(f.label(g.Simulated)), style)
	}
	b.WriteString("}\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write graph: %w", err)
	}
	return nil
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
