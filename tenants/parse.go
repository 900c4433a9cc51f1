package tenants

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/xtsync/xtsync/tenants/expr"
)

// IsGUID reports whether s looks like a tenant or object id.
func IsGUID(s string) bool { return patterns[guidPattern].MatchString(s) }

// ParseTenant decodes one tenant file (file is its repository path, for
// positions) and applies the defaults. It checks everything a file can
// check on its own; references to other tenants and the file name are
// checked by Load. The tenant is nil when the file holds no mapping.
func ParseTenant(file string, data []byte) (*Tenant, Diagnostics) {
	t, l := parseTenant(file, data)
	return t, l.diags
}

func parseTenant(file string, data []byte) (*Tenant, *fileLoader) {
	l := newFileLoader(file)
	root := l.parseDoc(data, false)
	if root == nil {
		return nil, l
	}
	if !claimsTenant(root) {
		// A mapping that does not say it is a tenant file may be anything
		// (credentials in YAML or JSON, a Kubernetes Secret): say what is
		// wrong without quoting one key or value of it.
		l.errorf(&yaml.Node{Line: 1, Column: 1}, "not-a-tenant-file", "not an xtsync tenant file: want apiVersion: %s and kind: %s at the top of the file (the file's keys and values are not shown)", APIVersion, KindTenant)
		return nil, l
	}
	o := l.object(root, TenantFormat(), "", "")
	if o.node == nil {
		return nil, l
	}
	t := &Tenant{File: file, Pos: l.pos(root), Paths: l.paths, Cloud: CloudGlobal, Partners: []*Partner{}, Sync: []*SyncConfig{}}
	o.str("apiVersion")
	o.str("kind")
	t.Name, _, _ = o.str("name")
	if id, _, ok := o.str("tenantId"); ok {
		t.TenantID = strings.ToLower(id)
	}
	t.DisplayName, _, _ = o.str("displayName")
	t.InitialDomain, _, _ = o.str("initialDomain")
	if c, _, ok := o.str("cloud"); ok {
		t.Cloud = Cloud(c)
	}
	t.Suspend = parseSuspend(o)
	seenPartner := map[string]*yaml.Node{}
	for i, it := range o.list("partners") {
		var p *Partner
		paths := l.itemPaths(func() { p = parsePartner(o, it, i) })
		if p == nil {
			continue
		}
		if first := seenPartner[p.TenantID+"|"+p.Tenant]; first != nil {
			l.errorf(it, "duplicate-partner", "duplicate partner entry for %s (first at line %d): merge the two entries", p.Tenant, first.Line)
			continue
		}
		seenPartner[p.TenantID+"|"+p.Tenant] = it
		l.partnerPaths[p] = paths
		addPaths(l.paths, paths)
		t.Partners = append(t.Partners, p)
	}
	seenSync := map[string]*yaml.Node{}
	for i, it := range o.list("sync") {
		var sc *SyncConfig
		paths := l.itemPaths(func() { sc = parseSync(o, it, i) })
		if sc == nil {
			continue
		}
		sc.Source = t.Name
		if first := seenSync[sc.Name]; first != nil && sc.Name != "" {
			l.errorf(it, "duplicate-sync", "duplicate sync configuration name %q (first at line %d): names are unique within a tenant", sc.Name, first.Line)
			continue
		}
		seenSync[sc.Name] = it
		l.syncPaths[sc] = paths
		addPaths(l.paths, paths)
		t.Sync = append(t.Sync, sc)
	}
	return t, l
}

// claimsTenant reports whether a file's root looks like a tenant file: not a
// mapping (reported as such, without its content), a mapping whose
// apiVersion starts with "xtsync/" or whose kind is Tenant, or one whose
// keys are all keys of a tenant file (one that forgot apiVersion and kind).
// Any other file is not quoted key by key.
func claimsTenant(root *yaml.Node) bool {
	if root.Kind != yaml.MappingNode {
		return true
	}
	known := map[string]bool{}
	for _, f := range TenantFormat().Fields {
		known[f.Key] = true
	}
	all := true
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !known[root.Content[i].Value] {
			all = false
		}
	}
	if all {
		return true
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			continue
		}
		switch {
		case k.Value == "apiVersion" && strings.HasPrefix(v.Value, "xtsync/"):
			return true
		case k.Value == "kind" && v.Value == KindTenant:
			return true
		}
	}
	return false
}

// itemPaths runs parse with a fresh paths map and returns the paths it
// recorded: a list item's paths join the tenant's only once the item is
// known not to be a duplicate, so a duplicate never moves the first entry's
// positions.
func (l *fileLoader) itemPaths(parse func()) map[string]Pos {
	saved := l.paths
	l.paths = map[string]Pos{}
	defer func() { l.paths = saved }()
	parse()
	return l.paths
}

// addPaths copies src into dst, keeping the positions dst already has.
func addPaths(dst, src map[string]Pos) {
	for k, v := range src {
		if _, ok := dst[k]; !ok {
			dst[k] = v
		}
	}
}

// itemKey names a list item in Paths: the scalar value of its field (a
// partner's tenant, a configuration's name), else its index.
func itemKey(it *yaml.Node, field string, i int) string {
	if it.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(it.Content); j += 2 {
			if k, v := it.Content[j], it.Content[j+1]; k.Value == field && v.Kind == yaml.ScalarNode && v.Value != "" {
				return v.Value
			}
		}
	}
	return strconv.Itoa(i)
}

func parsePartner(o *obj, it *yaml.Node, i int) *Partner {
	// The path key is the partner as written; Load renames it once resolved.
	key := itemKey(it, "tenant", i)
	if IsGUID(key) {
		key = strings.ToLower(key)
	}
	path := "partners." + key
	po := o.item("partners", it, path)
	if po.node == nil {
		return nil
	}
	o.l.paths[path] = o.l.pos(it)
	p := &Partner{Pos: o.l.pos(it)}
	name, _, ok := po.str("tenant")
	if !ok {
		return nil
	}
	if IsGUID(name) {
		p.Tenant = strings.ToLower(name)
		p.TenantID = p.Tenant
	} else {
		p.Tenant = name
	}
	if in := po.child("inbound"); in != nil && in.node != nil {
		p.Inbound = &Inbound{UserSync: in.boolean("userSync", false), AutoRedeem: in.boolean("autoRedeem", false)}
		if lim := in.child("limits"); lim != nil && lim.node != nil {
			p.Inbound.Limits = &Limits{}
			p.Inbound.Limits.UserTypes, _, _ = lim.strs("userTypes")
			if n, ok := lim.integer("maxUsers", 0); ok {
				p.Inbound.Limits.MaxUsers = &n
			}
		}
	}
	if out := po.child("outbound"); out != nil && out.node != nil {
		p.Outbound = &Outbound{AutoRedeem: out.boolean("autoRedeem", false)}
	}
	return p
}

func parseSync(o *obj, it *yaml.Node, i int) *SyncConfig {
	path := "sync." + itemKey(it, "name", i)
	so := o.item("sync", it, path)
	if so.node == nil {
		return nil
	}
	l := o.l
	l.paths[path] = l.pos(it)
	sc := &SyncConfig{
		Enabled:           true,
		UserType:          "Member",
		UserTypeFlow:      FlowOnCreate,
		ShowInAddressList: true,
		Actions:           []Action{ActionCreate, ActionUpdate, ActionDelete},
		DeletionThreshold: 500,
		Scope:             Scope{Groups: []string{}, Users: []string{}, Filters: []Filter{}},
		Mappings:          []Mapping{},
		Acknowledge:       []string{},
		Pos:               l.pos(it),
	}
	sc.Name, _, _ = so.str("name")
	sc.ID, _, _ = so.str("id")
	sc.Target, _, _ = so.str("target")
	if IsGUID(sc.Target) {
		sc.Target = strings.ToLower(sc.Target)
	}
	sc.Enabled = so.boolean("enabled", true)
	if sco := so.child("scope"); sco != nil && sco.node != nil {
		parseScope(sco, &sc.Scope)
	}
	if v, _, ok := so.str("userType"); ok {
		sc.UserType = v
	}
	if v, _, ok := so.str("userTypeFlow"); ok {
		sc.UserTypeFlow = Flow(v)
	}
	sc.ShowInAddressList = so.boolean("showInAddressList", true)
	for _, e := range so.entries("mappings") {
		if m, ok := parseMapping(so, e); ok {
			sc.Mappings = append(sc.Mappings, m)
		}
	}
	sort.Slice(sc.Mappings, func(i, j int) bool { return sc.Mappings[i].Target < sc.Mappings[j].Target })
	if acts, nodes, present := so.strs("actions"); present {
		sc.Actions = []Action{}
		seen := map[string]bool{}
		for i, a := range acts {
			if seen[a] {
				l.errorf(nodes[i], "duplicate-value", "actions: %q is listed twice", a)
				continue
			}
			seen[a] = true
			sc.Actions = append(sc.Actions, Action(a))
		}
		if n := so.get("actions"); n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
			l.errorf(so.keyNode("actions"), "empty-actions", "actions: empty: list at least one of create, update, delete (to stop the sync, set enabled: false)")
		}
	}
	if n, ok := so.integer("deletionThreshold", 500); ok {
		sc.DeletionThreshold = n
	}
	if ack, nodes, _ := so.strs("acknowledge"); len(ack) > 0 {
		seen := map[string]bool{}
		for i, a := range ack {
			if seen[a] {
				l.errorf(nodes[i], "duplicate-value", "acknowledge: %q is listed twice", a)
				continue
			}
			seen[a] = true
			sc.Acknowledge = append(sc.Acknowledge, a)
		}
	}
	sc.Suspend = parseSuspend(so)
	return sc
}

func parseScope(o *obj, s *Scope) {
	s.All = o.boolean("all", false)
	l := o.l
	// Each reference's own position ("scope.groups.0"), for a message
	// about one of them: a reference that resolves to nothing, a lookalike
	// letter.
	if g, nodes, _ := o.strs("groups"); g != nil {
		s.Groups = g
		for i, n := range nodes {
			l.paths[join(o.path, "groups."+strconv.Itoa(i))] = l.pos(n)
		}
	}
	if u, nodes, _ := o.strs("users"); u != nil {
		s.Users = u
		for i, n := range nodes {
			l.paths[join(o.path, "users."+strconv.Itoa(i))] = l.pos(n)
		}
	}
	for i, it := range o.list("filters") {
		fo := o.item("filters", it, join(o.path, "filters."+strconv.Itoa(i)))
		if fo.node == nil {
			continue
		}
		l.paths[fo.path] = l.pos(it)
		f := Filter{Pos: l.pos(it), Clauses: []Clause{}}
		f.Name, _, _ = fo.str("name")
		items := fo.list("clauses")
		if len(items) == 0 {
			l.errorf(fo.keyNode("clauses"), "empty-filter", "filter has no clauses: a filter needs at least one (remove the filter to filter nothing)")
		}
		for j, cit := range items {
			if c, ok := parseClause(fo.item("clauses", cit, join(fo.path, "clauses."+strconv.Itoa(j)))); ok {
				f.Clauses = append(f.Clauses, c)
			}
		}
		s.Filters = append(s.Filters, f)
	}
}

func parseClause(o *obj) (Clause, bool) {
	if o.node == nil {
		return Clause{}, false
	}
	l := o.l
	l.paths[o.path] = l.pos(o.node)
	c := Clause{Pos: l.pos(o.node)}
	ok := true
	attr, an, aok := o.str("attribute")
	if aok {
		if fine, why := Filterable(attr); !fine {
			l.errorf(an, "unfilterable-attribute", "attribute %q cannot be used in a scoping filter: %s", attr, why)
			ok = false
		}
		c.Attribute = attr
	} else {
		ok = false
	}
	// The operator is checked by hand for the refused ones and the reason.
	opNode := o.get("operator")
	if opNode == nil {
		return c, false
	}
	if !l.scalarOf(opNode, "!!str", "a string", "operator") {
		return c, false
	}
	op := Operator(opNode.Value)
	if why, refused := refusedOperators[opNode.Value]; refused {
		l.errorf(opNode, "refused-operator", "operator %q is not supported: %s", opNode.Value, why)
		return c, false
	}
	if !op.Valid() {
		msg := fmt.Sprintf("unknown operator %q: want one of %s", opNode.Value, strings.Join(operatorNames(), ", "))
		if s := suggest(opNode.Value, operatorNames()); s != "" {
			msg = fmt.Sprintf("unknown operator %q: did you mean %q? (valid: %s)", opNode.Value, s, strings.Join(operatorNames(), ", "))
		}
		l.errorf(opNode, "unknown-operator", "%s", msg)
		return c, false
	}
	c.Operator = op
	val, vn, has := o.scalar("value")
	switch {
	case op.Unary() && o.keys["value"] != nil:
		l.errorf(o.keys["value"], "unexpected-value", "operator %s takes no value: remove value", op)
		ok = false
	case !op.Unary() && !has:
		if vn == nil {
			l.errorf(o.keyNode("value"), "missing-value", "operator %s needs a value", op)
		}
		ok = false
	case op.Regex():
		if _, err := regexp.Compile(val); err != nil {
			l.errorf(vn, "invalid-regex", "invalid regular expression %q (RE2 syntax): %s", val, regexReason(err))
			ok = false
		}
	case op.Integer():
		if !expr.IsInteger(val) {
			l.errorf(vn, "invalid-value", "operator %s compares integers: want an integer value, got %q", op, val)
			ok = false
		}
	}
	c.Value = val
	return c, ok
}

func regexReason(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "error parsing regexp: ")
}

// configKeys are mapping targets the configuration sets with its own keys.
var configKeys = map[string]string{
	"userType":          "set the configuration's userType and userTypeFlow instead",
	"showInAddressList": "set the configuration's showInAddressList instead",
}

func parseMapping(so *obj, e mapEntry) (Mapping, bool) {
	l := so.l
	m := Mapping{Target: e.key, Flow: FlowAlways, Pos: l.pos(e.keyNode)}
	mo := so.elem("mappings", e)
	if mo.node == nil {
		if isNull(l.resolve(e.valNode)) {
			l.errorf(e.keyNode, "invalid-mapping", "mapping %s: want one of { source: ATTR }, { constant: TEXT }, { expression: EXPR }, { remove: true }", e.key)
		}
		return m, false
	}
	ok := true
	if fine, why := Writable(e.key); !fine {
		l.errorf(e.keyNode, "unwritable-attribute", "mapping %s: the target attribute cannot be written: %s", e.key, why)
		ok = false
	}
	if why, reserved := configKeys[e.key]; reserved {
		l.errorf(e.keyNode, "reserved-mapping", "mapping %s: %s", e.key, why)
		ok = false
	}
	var kinds []string
	for _, k := range mo.spec.OneOf {
		if mo.keys[k] != nil {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		l.errorf(mo.node, "invalid-mapping", "mapping %s: want one of source, constant, expression, remove", e.key)
		ok = false
	case 1:
	default:
		l.errorf(mo.node, "invalid-mapping", "mapping %s: has %s: want exactly one of source, constant, expression, remove", e.key, strings.Join(kinds, " and "))
		ok = false
	}
	if f, _, fok := mo.str("flow"); fok {
		m.Flow = Flow(f)
	}
	if src, sn, sok := mo.str("source"); sok && len(kinds) == 1 {
		m.Kind, m.Value = MappingSource, src
		if src == "" {
			l.errorf(sn, "invalid-mapping", "mapping %s: source: want an attribute name", e.key)
			ok = false
		} else if strings.EqualFold(src, "userType") {
			l.errorf(sn, "invalid-mapping", "mapping %s: userType is not available as a source attribute in Entra", e.key)
			ok = false
		}
	}
	if c, _, cok := mo.scalar("constant"); cok && len(kinds) == 1 {
		m.Kind, m.Value = MappingConstant, c
	}
	if x, xn, xok := mo.str("expression"); xok && len(kinds) == 1 {
		m.Kind, m.Value = MappingExpression, x
		if px, err := expr.Parse(x); err != nil {
			var pe *expr.Error
			if errors.As(err, &pe) {
				l.errorf(xn, "invalid-expression", "mapping %s: invalid expression at column %d: %s", e.key, pe.Col, pe.Msg)
			} else {
				l.errorf(xn, "invalid-expression", "mapping %s: invalid expression: %v", e.key, err)
			}
			ok = false
		} else {
			for _, f := range px.Functions() {
				if f == "SelectUniqueValue" {
					l.errorf(xn, "unsupported-function", "mapping %s: SelectUniqueValue is not supported in cross-tenant synchronization: Microsoft supports it only for Workday and SuccessFactors to Active Directory user provisioning and API-driven provisioning to on-premises Active Directory", e.key)
					ok = false
				}
			}
			for _, c := range px.Cautions() {
				l.warnf(xn, "expression-caution", "mapping %s: col %d: %s", e.key, c.Col, c.Msg)
			}
		}
	}
	// Entra renders a B2B user's userPrincipalName itself from the source
	// UPN (alias_domain#EXT#@initial domain): the default source mapping
	// is honoured (flow onCreate stops renames from following), any other
	// would be accepted by Graph without xtsync knowing what it gives.
	if e.key == "userPrincipalName" && len(kinds) == 1 && !(m.Kind == MappingSource && m.Value == "userPrincipalName") {
		l.errorf(e.keyNode, "unsupported-mapping", "mapping userPrincipalName: Entra derives a B2B user's userPrincipalName from the source's (alias_domain#EXT#@ the target's initial domain); only { source: userPrincipalName } (optionally with flow: onCreate) is supported")
		ok = false
	}
	if rn := mo.get("remove"); rn != nil && len(kinds) == 1 {
		if l.scalarOf(rn, "!!bool", "a boolean", "remove") {
			if rn.Value != "true" {
				l.errorf(rn, "invalid-mapping", "mapping %s: remove: false means nothing: leave the mapping out to keep the default", e.key)
				ok = false
			}
			m.Kind = MappingRemove
			if mo.keys["flow"] != nil {
				l.errorf(mo.keys["flow"], "invalid-mapping", "mapping %s: flow has no effect with remove", e.key)
				ok = false
			}
			if !isDefaultTarget(e.key) {
				l.warnf(e.keyNode, "remove-not-default", "mapping %s: remove has no effect: %s is not a default mapping", e.key, e.key)
			}
		} else {
			ok = false
		}
	}
	if len(kinds) == 1 && m.Kind == "" {
		if isNull(l.resolve(mo.vals[kinds[0]])) {
			l.errorf(mo.keys[kinds[0]], "invalid-mapping", "mapping %s: %s has no value", e.key, kinds[0])
		}
		ok = false
	}
	if ok && m.Kind != MappingRemove {
		m.Expr, _ = MappingExpr(m.Kind, m.Value)
	}
	return m, ok
}

func isDefaultTarget(attr string) bool {
	for _, m := range DefaultMappings() {
		if m.Target == attr {
			return true
		}
	}
	return false
}
