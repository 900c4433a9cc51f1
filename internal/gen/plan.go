package gen

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type generator struct {
	o       Options
	tenants []tenant
	configs []config
	// targets[t] are the B2B users earlier cycles left in tenant t.
	targets [][]b2b
	// links[t][s][i] is the index in targets[t] of the B2B user linked to
	// user i of tenant s, or -1; nil when s syncs nothing to t.
	links [][][]int32
}

type tenant struct {
	name, display, id, initialDomain string
	domain, labsDomain, legacyDomain string
	cities                           []city
	users                            int
	groups                           []group // by rank: largest first
	out                              []int   // configs this tenant is the source of
	deleted                          []int32 // its soft-deleted users
}

type group struct {
	name, id string
	security bool
	members  []int32 // user indices
	nested   []int32 // group indices (larger rank)
}

type config struct {
	index, source, target int
	name                  string
	userType, flow        string
	enabled, showInGAL    bool
	actions               string // the YAML list
	all                   bool
	groups                []int // group ranks of the source
	groupByID             bool
	users                 []int // user indices of the source
	usersByID             bool
	filters               []filter
	mappings              []mapping
	threshold             int
	// Expected by construction, for the threshold.
	deletes, disables int
}

type filter struct {
	name    string
	clauses []clause
}

type clause struct {
	attr, op, value string
	re              *regexp.Regexp
}

type mapping struct {
	target, kind, value, flow string
}

// b2b is a user of a target tenant that an earlier cycle (or an admin)
// created for a source user.
type b2b struct {
	source int32
	user   int32 // the source user index; -1 for a source user gone from the snapshot
	config int32 // the managing configuration; cfgNone: invited by hand; cfgGuest: no link at all
	flags  uint8
}

const (
	cfgNone  = -1 // source.config null: invited by hand, adopted by the next cycle
	cfgGuest = -2 // a guest without source link sharing the source user's mail
)

const (
	flagStale         uint8 = 1 << iota // an attribute was edited since (update)
	flagDeleted                         // soft-deleted in the target
	flagDeletedByUser                   // … by an admin, not by the sync
	flagDisabled                        // accountEnabled false in the target
)

func newGenerator(o Options) *generator {
	g := &generator{o: o}
	g.tenants = make([]tenant, o.Tenants)
	for t := range g.tenants {
		tn := &g.tenants[t]
		if t < len(profiles) {
			p := profiles[t]
			tn.name, tn.display, tn.domain, tn.cities = p.name, p.display, p.domain, p.cities
		} else {
			p := profiles[t%len(profiles)]
			tn.name = fmt.Sprintf("tenant-%03d", t+1)
			tn.display = fmt.Sprintf("Tenant %03d", t+1)
			tn.domain = strings.ReplaceAll(tn.name, "-", "")
			tn.cities = p.cities
		}
		tn.id = g.uuid(kTenant, uint64(t), 0, 0)
		tn.initialDomain = tn.domain + ".onmicrosoft.com"
		base := tn.domain
		tn.domain = base + ".example"
		tn.labsDomain = base + "-labs.example"
		tn.legacyDomain = base + "-legacy.example"
		tn.users = o.Users / o.Tenants
		if t < o.Users%o.Tenants {
			tn.users++
		}
	}
	return g
}

func (g *generator) plan() {
	for t := range g.tenants {
		g.planGroups(t)
	}
	g.planConfigs()
	g.targets = make([][]b2b, len(g.tenants))
	g.links = make([][][]int32, len(g.tenants))
	for t := range g.links {
		g.links[t] = make([][]int32, len(g.tenants))
	}
	ur := newUserRand()
	for k := range g.configs {
		g.planLinks(ur, k)
	}
	for k := range g.configs {
		g.setThreshold(k)
	}
}

// groupSize is Zipf-like: the group of rank r holds 30 % / (r+1) of the users.
func groupSize(users, rank int) int {
	return max(1, min(users, users*3/(10*(rank+1))))
}

func (g *generator) planGroups(t int) {
	tn := &g.tenants[t]
	n := g.o.Groups / len(g.tenants)
	if t < g.o.Groups%len(g.tenants) {
		n++
	}
	ur := newUserRand()
	for i := 0; i < tn.users; i++ {
		if g.status(t, i).deleted {
			tn.deleted = append(tn.deleted, int32(i))
		}
	}
	var seen []uint64 // bitset over users
	if tn.users > 0 {
		seen = make([]uint64, (tn.users+63)/64)
	}
	tn.groups = make([]group, n)
	for rank := range tn.groups {
		r := g.seedRand(ur, kGroup, t, rank)
		gr := &tn.groups[rank]
		gr.id = g.uuid(kGroup, uint64(t), uint64(rank), 0)
		gr.name = groupName(rank)
		gr.security = r.IntN(10) != 0
		if tn.users == 0 {
			continue
		}
		size := groupSize(tn.users, rank)
		clear(seen)
		if size*2 <= tn.users {
			gr.members = make([]int32, 0, size)
			for len(gr.members) < size {
				i := r.IntN(tn.users)
				if seen[i/64]&(1<<(i%64)) != 0 {
					continue
				}
				seen[i/64] |= 1 << (i % 64)
				if !g.status(t, i).deleted { // Graph lists no deleted members
					gr.members = append(gr.members, int32(i))
				} else {
					size--
				}
			}
		} else {
			for out := tn.users - size; out > 0; {
				i := r.IntN(tn.users)
				if seen[i/64]&(1<<(i%64)) == 0 {
					seen[i/64] |= 1 << (i % 64)
					out--
				}
			}
			gr.members = make([]int32, 0, size)
			for i := 0; i < tn.users; i++ {
				if seen[i/64]&(1<<(i%64)) == 0 && !g.status(t, i).deleted {
					gr.members = append(gr.members, int32(i))
				}
			}
		}
		// One group in ten (not the largest two) has groups as members too.
		if rank >= 2 && rank+1 < n && r.IntN(10) == 0 {
			for c := 1 + r.IntN(2); c > 0; c-- {
				gr.nested = append(gr.nested, int32(rank+1+r.IntN(n-rank-1)))
			}
		}
	}
}

func groupName(rank int) string {
	switch {
	case rank == 0:
		return "All-Staff"
	case rank <= len(departments):
		return strings.ReplaceAll(departments[rank-1].name, " ", "") + "-All"
	}
	return groupWords[rank%len(groupWords)] + "-" + strconv.Itoa(rank)
}

// pairs lists the source→target directions: first every tenant to its next
// neighbour, then to the one after, and so on.
func pairs(n int) [][2]int {
	var out [][2]int
	for d := 1; d < n; d++ {
		for s := 0; s < n; s++ {
			out = append(out, [2]int{s, (s + d) % n})
		}
	}
	return out
}

// filterSets are the scoping filters configurations choose from, using
// every operator the simulator knows. %s is the source's primary domain.
var filterSets = [][]filter{
	{{name: "no contractors", clauses: []clause{{attr: "employeeType", op: "NOT EQUALS", value: "Contractor"}}}},
	{
		{name: "employees", clauses: []clause{{attr: "employeeType", op: "EQUALS", value: "Employee"}}},
		{name: "interns", clauses: []clause{{attr: "employeeType", op: "EQUALS", value: "Intern"}, {attr: "department", op: "IS NOT NULL"}}},
	},
	{
		{name: "commercial teams", clauses: []clause{{attr: "department", op: "REGEX MATCH", value: "^(Sales|Marketing|Customer Success)$"}, {attr: "accountEnabled", op: "IS TRUE"}}},
		{name: "leaving sales", clauses: []clause{{attr: "department", op: "EQUALS", value: "Sales"}, {attr: "accountEnabled", op: "IS FALSE"}}},
	},
	{{name: "primary domain, no test accounts", clauses: []clause{{attr: "mail", op: "ENDS_WITH", value: "@%s"}, {attr: "userPrincipalName", op: "NOT REGEX MATCH", value: `(svc|test)[-.].*`}}}},
	{
		{name: "engineers", clauses: []clause{{attr: "jobTitle", op: "Includes", value: "Engineer"}}},
		{name: "research", clauses: []clause{{attr: "department", op: "EQUALS", value: "Research"}}},
	},
	{
		{name: "staff ids", clauses: []clause{{attr: "employeeId", op: "Greater_Than", value: "100050"}, {attr: "companyName", op: "IS NOT NULL"}}},
		{name: "vendors without mobile", clauses: []clause{{attr: "employeeType", op: "EQUALS", value: "Vendor"}, {attr: "mobilePhone", op: "IS NULL"}, {attr: "employeeId", op: "Greater_Than_OR_EQUALS", value: "100000"}}},
	},
	nil, // scope.all configurations use financeFilter
	nil, // no filter
}

var financeFilter = []filter{{name: "finance", clauses: []clause{{attr: "department", op: "EQUALS", value: "Finance"}, {attr: "country", op: "IS NOT NULL"}}}}

func (g *generator) planConfigs() {
	ps := pairs(len(g.tenants))
	if len(ps) == 0 {
		return
	}
	used := map[string]int{}
	g.configs = make([]config, g.o.Configs)
	for k := range g.configs {
		p := ps[k%len(ps)]
		src, tgt := &g.tenants[p[0]], &g.tenants[p[1]]
		c := &g.configs[k]
		c.index, c.source, c.target = k, p[0], p[1]
		c.name = shortName(src.name) + "-to-" + shortName(tgt.name)
		key := src.name + "/" + c.name
		if n := used[key]; n > 0 {
			c.name += "-" + strconv.Itoa(n+1)
		}
		used[key]++
		j := len(src.out)
		src.out = append(src.out, k)

		c.enabled = k%13 != 9
		c.userType = "Member"
		if k%6 == 5 {
			c.userType = "Guest"
		}
		if k%9 == 4 {
			c.flow = "always"
		}
		c.showInGAL = k%8 != 6
		switch {
		case k%11 == 5:
			c.actions = "[create, update]" // users leaving the scope stay
		case k%19 == 10:
			c.actions = "[create, delete]" // stale users stay stale
		default:
			c.actions = "[create, update, delete]"
		}
		c.all = k%20 == 6 // one in twenty: scope.all assigns everyone, and every user failing its filter is a skip row
		r := rand.New(rand.NewPCG(g.hash(kConfig, uint64(k), 0, 0), uint64(k)))
		switch {
		case c.all:
			c.filters = financeFilter
		default:
			c.filters = filterSets[k%len(filterSets)]
			if ng := len(src.groups); ng > 0 {
				c.groups = append(c.groups, j%min(4, ng))
				if k%2 == 1 && ng > 6 {
					c.groups = append(c.groups, 5+r.IntN(min(ng-5, 35)))
				}
				c.groupByID = k%4 == 3
			}
			if src.users > 0 {
				for n := min(2, src.users); len(c.users) < n; {
					if i := r.IntN(src.users); !slices.Contains(c.users, i) {
						c.users = append(c.users, i)
					}
				}
				c.usersByID = k%3 == 0
			}
		}
		c.mappings = append(c.mappings, mapping{target: "companyName", kind: "constant", value: src.display})
		if k%2 == 0 {
			c.mappings = append(c.mappings, mapping{target: "employeeType", kind: "source", value: "employeeType"})
		}
		switch k % 3 {
		case 0:
			c.mappings = append(c.mappings, mapping{target: "jobTitle", kind: "expression", value: "ToUpper([jobTitle])"})
		case 1:
			c.mappings = append(c.mappings, mapping{target: "displayName", kind: "expression", value: `Join(" ", [givenName], [surname])`})
		}
		if k%4 == 1 {
			c.mappings = append(c.mappings, mapping{target: "telephoneNumber", kind: "remove"})
		}
		if k%5 == 2 {
			c.mappings = append(c.mappings, mapping{target: "employeeId", kind: "source", value: "employeeId", flow: "onCreate"})
		}
		if k%7 == 3 {
			c.mappings = append(c.mappings, mapping{target: "mobile", kind: "source", value: "mobile"})
		}
	}
	for k := range g.configs {
		c := &g.configs[k]
		fs := make([]filter, len(c.filters))
		for fi, f := range c.filters {
			cl := make([]clause, len(f.clauses))
			copy(cl, f.clauses)
			for ci := range cl {
				if strings.Contains(cl[ci].value, "%s") {
					cl[ci].value = fmt.Sprintf(cl[ci].value, g.tenants[c.source].domain)
				}
				if strings.HasSuffix(cl[ci].op, "REGEX MATCH") {
					cl[ci].re = regexp.MustCompile(`^(?:` + cl[ci].value + `)$`) // the whole value (assumption regex-whole-value)
				}
			}
			fs[fi] = filter{name: f.name, clauses: cl}
		}
		c.filters = fs
	}
}

// shortName drops a shared company prefix: contoso-eu → eu.
func shortName(n string) string {
	if i := strings.IndexByte(n, '-'); i > 0 && !strings.HasPrefix(n, "tenant-") {
		return n[i+1:]
	}
	return n
}

// passes evaluates the scoping filters on a user (DESIGN §4).
func (c *config) passes(u *user) bool {
	if len(c.filters) == 0 {
		return true
	}
	for _, f := range c.filters {
		ok := true
		for _, cl := range f.clauses {
			if !cl.holds(u.attr(cl.attr)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (cl *clause) holds(v string) bool {
	if v == "" {
		return cl.op == "IS NULL"
	}
	switch cl.op {
	case "EQUALS":
		return v == cl.value
	case "NOT EQUALS":
		return v != cl.value
	case "Includes":
		return strings.Contains(v, cl.value)
	case "ENDS_WITH":
		return strings.HasSuffix(v, cl.value)
	case "REGEX MATCH":
		return cl.re.MatchString(v)
	case "NOT REGEX MATCH":
		return !cl.re.MatchString(v)
	case "IS NOT NULL":
		return true
	case "IS TRUE":
		return v == "True"
	case "IS FALSE":
		return v == "False"
	case "Greater_Than", "Greater_Than_OR_EQUALS":
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(cl.value, 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return a > b || (a == b && cl.op == "Greater_Than_OR_EQUALS")
	}
	return false
}

// The shares of link planning, in parts per 10,000 of the users concerned.
const (
	linkedInScope   = 9200 // in scope and already provisioned
	invitedByHand   = 100  // in scope, a guest invited by hand (adoption)
	guestSameMail   = 20   // in scope, an unlinked guest with the same mail (ambiguous)
	staleShare      = 500  // of the linked: an attribute differs (update)
	targetDeleted   = 40   // of the linked: soft-deleted in the target
	byAdmin         = 3000 // of those: by an admin (no restore)
	disabledSynced  = 9000 // of the linked disabled: already disabled in the target
	linkedFiltered  = 100  // of the in-scope count: assigned, failing the filters, still linked (delete)
	linkedOutside   = 60   // of the in-scope count: linked users no longer assigned (delete)
	ghostShare      = 10   // of the in-scope count: source user gone (delete)
	leftDeleted     = 500  // of those out of scope: already soft-deleted in the target
	linkedDeletedSh = 5000 // of the deleted users in the scope's share: still linked (delete)
)

func (g *generator) planLinks(ur *userRand, k int) {
	c := &g.configs[k]
	s, t := c.source, c.target
	src := &g.tenants[s]
	if g.links[t][s] == nil {
		l := make([]int32, src.users)
		for i := range l {
			l[i] = -1
		}
		g.links[t][s] = l
	}
	links := g.links[t][s]
	add := func(i int, cfg int32, flags uint8) {
		if i >= 0 {
			links[i] = int32(len(g.targets[t]))
		}
		g.targets[t] = append(g.targets[t], b2b{source: int32(s), user: int32(i), config: cfg, flags: flags})
	}
	// Sort the assigned users: in scope, or eligible but failing the filters.
	assigned := g.assigned(c)
	var inScope, filtered []int32
	for i := 0; i < src.users; i++ {
		if !assigned.has(i) || links[i] >= 0 || !g.status(s, i).eligible() {
			continue // linked by another configuration of the pair, or never provisioned
		}
		u := g.user(ur, s, i)
		if strings.HasSuffix(u.mail, "@"+src.legacyDomain) || strings.HasPrefix(u.mail, "team@") {
			continue // never created: the mail's domain is not verified, or the mail is shared
		}
		if c.passes(&u) {
			inScope = append(inScope, int32(i))
		} else {
			filtered = append(filtered, int32(i))
		}
	}
	for _, i32 := range inScope {
		i := int(i32)
		st := g.status(s, i)
		h := g.hash(kLink, uint64(t), uint64(s), uint64(i))
		switch r := int(h % 10000); {
		case r < linkedInScope:
			var f uint8
			if int(h>>16%10000) < staleShare {
				f |= flagStale
			}
			if int(h>>32%10000) < targetDeleted {
				f |= flagDeleted
				if int(h>>48%10000) < byAdmin {
					f |= flagDeletedByUser
				}
			}
			if st.disabled {
				if int(h>>48%10000) < disabledSynced {
					f |= flagDisabled
				} else if f&flagDeleted == 0 {
					c.disables++
				}
			}
			add(i, int32(k), f)
		case r < linkedInScope+invitedByHand:
			add(i, cfgNone, 0)
		case r < linkedInScope+invitedByHand+guestSameMail:
			if u := g.user(ur, s, i); u.mail != "" {
				add(i, cfgGuest, 0)
			}
		}
	}
	// leftScope links a user out of scope: soft-deleted already (a few),
	// disabled with its disabled source, else to be deleted.
	leftScope := func(i int) {
		h := g.hash(kLink, uint64(t), uint64(s), uint64(i)) >> 20
		var f uint8
		switch {
		case int(h%10000) < leftDeleted:
			f = flagDeleted
		case g.status(s, i).disabled:
			f = flagDisabled
		default:
			c.deletes++
		}
		add(i, int32(k), f)
	}
	count := len(inScope)
	if len(filtered) > 0 {
		// Users an edit of the filters took out of scope since the last cycle.
		p := float64(count) * linkedFiltered / 10000 / float64(len(filtered))
		for _, i := range filtered {
			if float64(g.hash(kLink, uint64(t), uint64(s), uint64(i))%10000) < p*10000 {
				leftScope(int(i))
			}
		}
	}
	if src.users == 0 {
		return
	}
	// Linked users the scope no longer assigns, deleted source users, and
	// source users gone from the snapshot: each a delete.
	r := rand.New(rand.NewPCG(g.hash(kLink, uint64(k), 1, 0), uint64(k)))
	for n := count * linkedOutside / 10000; n > 0; n-- {
		i := r.IntN(src.users)
		if assigned.has(i) || links[i] >= 0 || !g.status(s, i).eligible() {
			continue
		}
		leftScope(i)
	}
	share := float64(count) / float64(src.users)
	for _, i := range src.deleted {
		if links[i] < 0 && r.Float64() < share*linkedDeletedSh/10000 {
			add(int(i), int32(k), 0)
			c.deletes++
		}
	}
	for n := count * ghostShare / 10000; n > 0; n-- {
		add(-1, int32(k), 0)
		c.deletes++
	}
}

// setThreshold sets the deletion threshold above what the cycle will
// delete, except for configuration 1, which is meant to trip it.
func (g *generator) setThreshold(k int) {
	c := &g.configs[k]
	n := c.deletes + c.disables
	switch {
	case k == 1 && n > 1:
		c.threshold = n / 2
	case 2*n <= 500:
		c.threshold = 500
	default:
		c.threshold = (2*n + 999) / 1000 * 1000
	}
}

type bitset []uint64

func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }

// assigned is the set of users a configuration assigns: everyone with
// scope.all, else the direct members of its groups and its users.
func (g *generator) assigned(c *config) bitset {
	src := &g.tenants[c.source]
	b := make(bitset, (src.users+63)/64)
	if c.all {
		for i := 0; i < src.users; i++ {
			b.set(i)
		}
		return b
	}
	for _, rank := range c.groups {
		for _, i := range src.groups[rank].members {
			b.set(int(i))
		}
	}
	for _, i := range c.users {
		b.set(i)
	}
	return b
}

func (g *generator) stats() Stats {
	s := Stats{Tenants: len(g.tenants), HomeUsers: g.o.Users, Configs: len(g.configs)}
	for t := range g.tenants {
		for _, gr := range g.tenants[t].groups {
			s.Groups++
			s.Memberships += len(gr.members) + len(gr.nested)
		}
		for _, b := range g.targets[t] {
			if b.config == cfgGuest {
				s.OtherGuests++
			} else {
				s.B2BUsers++
			}
		}
	}
	return s
}
