package reconcile

import (
	"fmt"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// choices draws decisions from fuzz bytes (zeros once they run out).
type choices struct {
	b []byte
	i int
}

func (c *choices) n(max int) int {
	if max <= 1 {
		return 0
	}
	if c.i >= len(c.b) {
		return 0
	}
	v := int(c.b[c.i])
	c.i++
	return v % max
}

func (c *choices) bool() bool { return c.n(2) == 1 }

func (c *choices) pick(xs ...string) string { return xs[c.n(len(xs))] }

// text is a short value drawn from the input, kept to what a YAML flow
// scalar in single quotes holds.
func (c *choices) text() string {
	n := c.n(12)
	var b strings.Builder
	for range n {
		ch := byte('a' + c.n(26))
		switch c.n(8) {
		case 0:
			ch = ' '
		case 1:
			ch = byte('0' + c.n(10))
		case 2:
			ch = "-_.@ÄÖ"[c.n(6)]
		}
		b.WriteByte(ch)
	}
	s := strings.TrimSpace(b.String())
	if s == "" || !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		s = "x" + s
	}
	return strings.ToValidUTF8(s, "")
}

// fuzzSync writes the sync configuration of the example's contoso-eu
// drawn from c: scope, filters, mappings, actions, threshold, user type,
// state.
func fuzzSync(c *choices) string {
	var b strings.Builder
	b.WriteString("sync:\n  - name: eu-to-us\n    target: contoso-us\n")
	fmt.Fprintf(&b, "    enabled: %v\n", c.bool())
	b.WriteString("    scope:\n")
	all := c.n(4) == 0
	fmt.Fprintf(&b, "      all: %v\n", all)
	var groups []string
	for _, g := range []string{"GlobalEmployees", "EU-Engineering"} {
		if c.bool() {
			groups = append(groups, g)
		}
	}
	fmt.Fprintf(&b, "      groups: [%s]\n", strings.Join(groups, ", "))
	var users []string
	for _, u := range []string{"anna@contoso.eu", "jonas@contoso.eu", "felix@contoso.eu"} {
		if c.n(3) == 0 {
			users = append(users, u)
		}
	}
	fmt.Fprintf(&b, "      users: [%s]\n", strings.Join(users, ", "))
	if nf := c.n(4); nf > 0 {
		b.WriteString("      filters:\n")
		for i := range nf {
			if c.bool() {
				fmt.Fprintf(&b, "        - name: 'f %d %s'\n          clauses:\n", i, c.text())
			} else {
				b.WriteString("        - clauses:\n")
			}
			for range 1 + c.n(3) {
				attr := c.pick("department", "employeeType", "jobTitle", "city", "country", "companyName", "employeeId", "accountEnabled",
					"telephoneNumber", "businessPhones", "officeLocation", "physicalDeliveryOfficeName", "extension_abc_costCenter")
				switch op := c.pick("EQUALS", "NOT EQUALS", "Includes", "ENDS_WITH", "REGEX MATCH", "NOT REGEX MATCH", "IS NULL",
					"IS NOT NULL", "IS TRUE", "IS FALSE", "Greater_Than", "Greater_Than_OR_EQUALS"); op {
				case "IS NULL", "IS NOT NULL":
					fmt.Fprintf(&b, "            - { attribute: %s, operator: %s }\n", attr, op)
				case "IS TRUE", "IS FALSE":
					fmt.Fprintf(&b, "            - { attribute: accountEnabled, operator: %s }\n", op)
				case "Greater_Than", "Greater_Than_OR_EQUALS":
					fmt.Fprintf(&b, "            - { attribute: employeeId, operator: %s, value: '%d' }\n", op, c.n(256)-100)
				case "REGEX MATCH", "NOT REGEX MATCH":
					fmt.Fprintf(&b, "            - { attribute: %s, operator: %s, value: '%s' }\n", attr, op, c.pick("(Sales|Ops)", "[A-Z].*", "^x$", ".*"))
				default:
					fmt.Fprintf(&b, "            - { attribute: %s, operator: %s, value: '%s' }\n", attr, op, c.text())
				}
			}
		}
	}
	fmt.Fprintf(&b, "    userType: %s\n    userTypeFlow: %s\n    showInAddressList: %v\n",
		c.pick("Member", "Guest"), c.pick("onCreate", "always"), c.bool())
	if nm := c.n(6); nm > 0 {
		b.WriteString("    mappings:\n")
		seen := map[string]bool{}
		for range nm {
			target := c.pick("companyName", "jobTitle", "department", "employeeType", "telephoneNumber", "city", "displayName",
				"mobile", "physicalDeliveryOfficeName", "extension_abc_costCenter", "postalCode", "preferredLanguage", "mobilePhone", "officeLocation")
			if seen[target] {
				continue
			}
			seen[target] = true
			flow := ""
			if c.bool() {
				flow = ", flow: " + c.pick("always", "onCreate")
			}
			switch c.n(4) {
			case 0:
				fmt.Fprintf(&b, "      %s: { source: %s%s }\n", target, c.pick("department", "employeeType", "jobTitle", "city", "mobile", "officeLocation", "mobilePhone", "businessPhones"), flow)
			case 1:
				fmt.Fprintf(&b, "      %s: { constant: '%s'%s }\n", target, c.text(), flow)
			case 2:
				fmt.Fprintf(&b, "      %s: { expression: '%s'%s }\n", target, c.pick(`ToUpper([jobTitle])`, `Join(" ", [givenName], [surname])`,
					`Switch([country], "Other", "DE", "Germany")`, `Coalesce([mobile], [telephoneNumber])`, `Coalesce([mobilePhone], [officeLocation])`), flow)
			default:
				if target != "extension_abc_costCenter" {
					fmt.Fprintf(&b, "      %s: { remove: true }\n", target)
				}
			}
		}
	}
	var actions []string
	for _, a := range []string{"create", "update", "delete"} {
		if c.n(4) != 0 {
			actions = append(actions, a)
		}
	}
	if len(actions) == 0 {
		actions = []string{"update"}
	}
	fmt.Fprintf(&b, "    actions: [%s]\n", strings.Join(actions, ", "))
	fmt.Fprintf(&b, "    deletionThreshold: %d\n", c.n(3)*c.n(250))
	if all {
		b.WriteString("    acknowledge: [scope-all]\n")
	}
	return b.String()
}

// FuzzImportRoundTrip: for every repository the loader accepts,
// Import(Desired(repo)) is the repository again, in every field xtsync
// manages, and the desired state of the import asks for nothing more.
func FuzzImportRoundTrip(f *testing.F) {
	for _, seed := range [][]byte{nil, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3}, []byte("the quick brown fox jumps over it"), {255, 0, 255, 0, 7, 9, 2, 200, 13, 77, 5, 5, 5, 5, 5}} {
		f.Add(seed)
	}
	example := os.DirFS("../testdata/example")
	eu, err := os.ReadFile("../testdata/example/tenants/contoso-eu.yaml")
	if err != nil {
		f.Fatal(err)
	}
	head := string(eu[:strings.Index(string(eu), "\nsync:")+1])
	snaps, err := simulate.LoadSnapshots(example, "snapshots")
	if err != nil {
		f.Fatal(err)
	}
	dir := NewDirectory(plan.Snapshots(snaps))
	files := fstest.MapFS{}
	for _, name := range []string{"xtsync.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml"} {
		b, err := os.ReadFile(path.Join("../testdata/example", name))
		if err != nil {
			f.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: b}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := head + fuzzSync(&choices{b: data})
		fsys := fstest.MapFS{"tenants/contoso-eu.yaml": &fstest.MapFile{Data: []byte(src)}}
		for k, v := range files {
			fsys[k] = v
		}
		repo, diags := tenants.Load(fsys)
		if repo == nil || diags.HasErrors() {
			return // the loader refuses it: nothing to apply
		}
		// A remove of a mapping the defaults do not have is a no-op the
		// loader warns about (remove-not-default): nothing to round-trip.
		defaults := map[string]bool{}
		for _, m := range tenants.DefaultMappings() {
			defaults[m.Target] = true
		}
		for _, t := range repo.Tenants {
			for _, sc := range t.Sync {
				kept := sc.Mappings[:0]
				for _, m := range sc.Mappings {
					if m.Kind != tenants.MappingRemove || defaults[m.Target] {
						kept = append(kept, m)
					}
				}
				sc.Mappings = kept
			}
		}
		desired, _, err := Desired(repo, nil, dir)
		if err != nil {
			t.Fatalf("desired: %v\n%s", err, src)
		}
		live := liveOf(t, desired)
		got := Import(live, repo, dir)
		if d := plan.Diff(repo, got); len(d) > 0 {
			t.Fatalf("Import(Desired(repo)) differs from repo: %+v\n%s", d, src)
		}
		again, _, err := Desired(got, live, dir)
		if err != nil {
			t.Fatal(err)
		}
		if cs, _ := Diff(again, live, OptionsFrom(repo)); len(cs) > 0 {
			t.Fatalf("Diff(Desired(Import(live)), live) plans %v\n%s", objects(cs), src)
		}
	})
}
