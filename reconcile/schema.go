package reconcile

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xtsync/xtsync/tenants"
)

// templateSchema is the Azure2Azure template's synchronizationSchema (a
// copy of the one a new job gets): the template defaults that a removed
// repo mapping returns to, and what Import compares mappings against.
//
//go:embed template-schema.json
var templateSchema []byte

// The names of the managed part of a schema.
const (
	userRuleID        = "USER_INBOUND_USER"
	userMappingName   = "Provision Azure Active Directory Users"
	externalUsersName = "Filter external users"
)

// engineMappings are the template's mappings xtsync never changes.
var engineMappings = map[string]bool{"alternativeSecurityIds": true, "IsSoftDeleted": true}

// templateUserMapping is the template's User object mapping, parsed once.
// It is only ever read: MergeSchema copies what it takes from it.
var templateUserMapping = sync.OnceValue(func() map[string]any {
	var t map[string]any
	if err := json.Unmarshal(templateSchema, &t); err != nil {
		panic("reconcile: the embedded template schema is not JSON: " + err.Error())
	}
	return userObjectMapping(t)
})

// templateMapping is the User object mapping of a live template schema,
// or the embedded one when template is nil or has none.
func templateMapping(template json.RawMessage) map[string]any {
	if len(template) > 0 {
		var t map[string]any
		if json.Unmarshal(template, &t) == nil {
			if om := userObjectMapping(t); om != nil {
				return om
			}
		}
	}
	return templateUserMapping()
}

// TemplateSchema returns a copy of the template schema xtsync knows.
func TemplateSchema() json.RawMessage { return append(json.RawMessage(nil), templateSchema...) }

// userObjectMapping finds the User object mapping of rule USER_INBOUND_USER
// (or of the first rule that has one).
func userObjectMapping(schema map[string]any) map[string]any {
	rules, _ := schema["synchronizationRules"].([]any)
	var fallback map[string]any
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		oms, _ := rm["objectMappings"].([]any)
		for _, o := range oms {
			om, _ := o.(map[string]any)
			if om == nil || !strings.EqualFold(str(om["sourceObjectName"]), "User") {
				continue
			}
			if str(rm["id"]) == userRuleID {
				return om
			}
			if fallback == nil {
				fallback = om
			}
		}
	}
	return fallback
}

func str(v any) string { s, _ := v.(string); return s }

// externalUsersClause is the template's "Filter external users" clause:
// taken from base when it has it, else the template's.
func externalUsersClause(om map[string]any) map[string]any {
	if c := findExternalClause(om); c != nil {
		return c
	}
	return findExternalClause(templateUserMapping())
}

func findExternalClause(om map[string]any) map[string]any {
	scope, _ := om["scope"].(map[string]any)
	groups, _ := scope["groups"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		cls, _ := gm["clauses"].([]any)
		for _, c := range cls {
			if cm, _ := c.(map[string]any); isExternalClause(cm) {
				return cm
			}
		}
	}
	return nil
}

func isExternalClause(cm map[string]any) bool {
	if cm == nil || str(cm["sourceOperandName"]) != "userType" || !strings.EqualFold(str(cm["operatorName"]), string(tenants.OpNotRegexMatch)) {
		return false
	}
	to, _ := cm["targetOperand"].(map[string]any)
	vals, _ := to["values"].([]any)
	return len(vals) == 1 && strings.Contains(strings.ToLower(str(vals[0])), "guest")
}

// flowTypes is the objectMapping flowTypes text of a configuration's actions.
func flowTypes(actions []tenants.Action) string {
	var out []string
	for _, a := range []struct {
		a tenants.Action
		s string
	}{{tenants.ActionCreate, "Add"}, {tenants.ActionUpdate, "Update"}, {tenants.ActionDelete, "Delete"}} {
		for _, x := range actions {
			if x == a.a {
				out = append(out, a.s)
				break
			}
		}
	}
	return strings.Join(out, ", ")
}

func graphFlow(f tenants.Flow) string {
	if f == tenants.FlowOnCreate {
		return "ObjectAddOnly"
	}
	return "Always"
}

// mappingSource is the attributeMapping source of a repo mapping.
// graphSpelled is m in the attribute names of the synchronization schema's
// directories — the provisioning vocabulary (mobile, telephoneNumber,
// physicalDeliveryOfficeName) — whichever of the two vocabularies the
// repository writes: the target, a source attribute, and the attributes an
// expression reads. Entra refuses a schema whose mappings name attributes
// its directories do not define.
func graphSpelled(m tenants.Mapping) tenants.Mapping {
	m.Target = tenants.ProvisioningName(m.Target)
	switch m.Kind {
	case tenants.MappingSource:
		m.Value = tenants.ProvisioningName(m.Value)
	case tenants.MappingExpression:
		m.Value = provisioningExpression(m.Value)
	}
	return m
}

// provisioningExpression rewrites the attribute references of an
// expression ([mobilePhone]) to their provisioning names ([mobile]).
func provisioningExpression(x string) string {
	for _, a := range tenants.Aliases() {
		x = strings.ReplaceAll(x, "["+a[1]+"]", "["+a[0]+"]")
	}
	return x
}

func mappingSource(m tenants.Mapping) map[string]any {
	switch m.Kind {
	case tenants.MappingSource:
		return map[string]any{"type": "Attribute", "name": m.Value, "expression": "[" + m.Value + "]", "parameters": []any{}}
	case tenants.MappingConstant:
		return map[string]any{"type": "Constant", "name": m.Value, "expression": strconv.Quote(m.Value), "parameters": []any{}}
	default:
		name := m.Value
		if i := strings.IndexByte(name, '('); i > 0 {
			name = strings.TrimSpace(name[:i])
		}
		return map[string]any{"type": "Function", "name": name, "expression": m.Value, "parameters": []any{}}
	}
}

// MergeSchema returns the schema to PUT: base (the live job's or the
// template's synchronizationSchema, raw JSON) with the paths xtsync
// manages replaced from the configuration, everything else kept. The
// managed paths are those of the User object mapping of rule
// USER_INBOUND_USER: flowTypes (from actions), scope.groups (one group per
// scoping filter, each with the template's "Filter external users" clause
// added, since groups are ORed; the external-users group alone when there
// is no filter) and attributeMappings (the template's defaults, userType
// and showInAddressList from the configuration, then each repo mapping by
// target attribute; a mapping that base has keeps its other keys).
func MergeSchema(base json.RawMessage, sc *tenants.SyncConfig) (json.RawMessage, error) {
	return MergeSchemaWith(base, nil, sc)
}

// MergeSchemaWith is MergeSchema with the defaults of template, the
// synchronization template's schema as Graph serves it (nil or unreadable:
// the embedded copy), so that a default Microsoft changes is not reverted.
func MergeSchemaWith(base, template json.RawMessage, sc *tenants.SyncConfig) (json.RawMessage, error) {
	if sc == nil {
		return nil, errors.New("merge schema: no configuration")
	}
	var schema map[string]any
	if err := json.Unmarshal(base, &schema); err != nil {
		return nil, fmt.Errorf("merge schema of %s: read the base schema: %w", sc.Key(), err)
	}
	om := userObjectMapping(schema)
	if om == nil {
		return nil, fmt.Errorf("merge schema of %s: the base schema has no User object mapping", sc.Key())
	}
	tom := templateMapping(template)

	om["flowTypes"] = flowTypes(sc.Actions)

	ext := externalUsersClause(om)
	var groups []any
	if len(sc.Scope.Filters) == 0 {
		groups = []any{map[string]any{"name": externalUsersName, "clauses": []any{ext}}}
	}
	for i, f := range sc.Scope.Filters {
		var cls []any
		for _, c := range f.Clauses {
			vals := []any{}
			if !c.Operator.Unary() {
				vals = []any{c.Value}
			}
			cls = append(cls, map[string]any{
				"operatorName":      string(c.Operator),
				"sourceOperandName": tenants.ProvisioningName(c.Attribute),
				"targetOperand":     map[string]any{"values": vals},
			})
		}
		cls = append(cls, ext)
		name := f.Name
		if name == "" {
			name = "filter " + strconv.Itoa(i+1)
		}
		groups = append(groups, map[string]any{"name": name, "clauses": cls})
	}
	scope, _ := om["scope"].(map[string]any)
	if scope == nil {
		scope = map[string]any{"categoryFilterGroups": []any{}, "inputFilterGroups": []any{}}
		om["scope"] = scope
	}
	scope["groups"] = groups

	// attributeMappings: desired source and flow per target.
	baseByTarget := map[string]map[string]any{}
	bams, _ := om["attributeMappings"].([]any)
	for _, a := range bams {
		if am, _ := a.(map[string]any); am != nil {
			baseByTarget[str(am["targetAttributeName"])] = am
		}
	}
	type want struct {
		src  map[string]any
		flow string
	}
	wants := map[string]want{}
	var order []string
	tams, _ := tom["attributeMappings"].([]any)
	tmplByTarget := map[string]map[string]any{}
	for _, a := range tams {
		am, _ := a.(map[string]any)
		t := str(am["targetAttributeName"])
		tmplByTarget[t] = am
		order = append(order, t)
		src, _ := am["source"].(map[string]any)
		w := want{src: src, flow: str(am["flowType"])}
		if engineMappings[t] {
			if b := baseByTarget[t]; b != nil {
				w = want{}
			}
		}
		switch t {
		case "userType":
			if sc.UserType != "" {
				w.src = mappingSource(tenants.Mapping{Kind: tenants.MappingConstant, Value: sc.UserType})
			}
			if sc.UserTypeFlow != "" {
				w.flow = graphFlow(sc.UserTypeFlow)
			}
		case "showInAddressList":
			w.src = mappingSource(tenants.Mapping{Kind: tenants.MappingConstant, Value: strconv.FormatBool(sc.ShowInAddressList)})
		}
		wants[t] = w
	}
	for _, m := range sc.Mappings {
		m = graphSpelled(m)
		if m.Kind == tenants.MappingRemove {
			delete(wants, m.Target)
			continue
		}
		if _, ok := wants[m.Target]; !ok {
			order = append(order, m.Target)
		}
		wants[m.Target] = want{src: mappingSource(m), flow: graphFlow(m.Flow)}
	}
	// Keep base's order, then the new ones in template/repo order.
	var out []any
	seen := map[string]bool{}
	emit := func(t string) {
		w, ok := wants[t]
		if !ok || seen[t] {
			return
		}
		seen[t] = true
		am := map[string]any{}
		if b := baseByTarget[t]; b != nil {
			for k, v := range b {
				am[k] = v
			}
		} else if tm := tmplByTarget[t]; tm != nil {
			for k, v := range tm {
				am[k] = v
			}
		} else {
			am = map[string]any{"targetAttributeName": t, "flowBehavior": "FlowWhenChanged", "matchingPriority": 0, "defaultValue": nil, "exportMissingReferences": false}
		}
		if w.src != nil {
			am["source"] = w.src
			am["flowType"] = w.flow
		}
		out = append(out, am)
	}
	for _, a := range bams {
		am, _ := a.(map[string]any)
		emit(str(am["targetAttributeName"]))
	}
	for _, t := range order {
		emit(t)
	}
	om["attributeMappings"] = out
	return json.Marshal(schema)
}

// NormalizeSchema returns s in a canonical form, so that schemas equal in
// meaning compare byte-equal: keys sorted, no insignificant whitespace,
// attribute mappings sorted by target attribute, flowTypes spaced one way.
func NormalizeSchema(s json.RawMessage) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, fmt.Errorf("normalize schema: %w", err)
	}
	normalizeValue(v)
	return json.Marshal(v)
}

// EqualSchemas reports whether two schemas are equal in meaning, as their
// NormalizeSchema forms are, without encoding either again.
func EqualSchemas(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	normalizeValue(va)
	normalizeValue(vb)
	return reflect.DeepEqual(va, vb)
}

func normalizeValue(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if strings.HasPrefix(k, "@odata.") {
				delete(x, k) // annotations of the response, not the schema
				continue
			}
			normalizeValue(c)
			if k == "flowTypes" {
				if s, ok := c.(string); ok {
					parts := strings.Split(s, ",")
					for i := range parts {
						parts[i] = strings.TrimSpace(parts[i])
					}
					x[k] = strings.Join(parts, ", ")
				}
			}
		}
		if ams, ok := x["attributeMappings"].([]any); ok {
			sort.SliceStable(ams, func(i, j int) bool {
				a, _ := ams[i].(map[string]any)
				b, _ := ams[j].(map[string]any)
				return str(a["targetAttributeName"]) < str(b["targetAttributeName"])
			})
		}
	case []any:
		for _, c := range x {
			normalizeValue(c)
		}
	}
}

// schemaFields says in readable terms what differs between two schemas'
// managed parts: actions, scope.filters, mappings.<target>; "schema" when
// only unmanaged paths differ.
func schemaFields(before, after json.RawMessage) []Field {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	bom, aom := userObjectMapping(b), userObjectMapping(a)
	var fs []Field
	if str(bom["flowTypes"]) != str(aom["flowTypes"]) {
		fs = append(fs, Field{Name: "actions", Before: str(bom["flowTypes"]), After: str(aom["flowTypes"])})
	}
	bg, ag := scopeGroups(bom), scopeGroups(aom)
	if !reflect.DeepEqual(bg, ag) {
		fs = append(fs, Field{Name: "scope.filters", Before: bg, After: ag})
	}
	bm, am := mappingTexts(bom), mappingTexts(aom)
	var targets []string
	for t := range bm {
		targets = append(targets, t)
	}
	for t := range am {
		if _, ok := bm[t]; !ok {
			targets = append(targets, t)
		}
	}
	sort.Strings(targets)
	for _, t := range targets {
		x, okx := bm[t]
		y, oky := am[t]
		if x == y && okx == oky {
			continue
		}
		f := Field{Name: "mappings." + t}
		if okx {
			f.Before = x
		}
		if oky {
			f.After = y
		}
		fs = append(fs, f)
	}
	if len(fs) == 0 {
		fs = append(fs, Field{Name: "schema", Before: "(other paths)", After: "(as the base schema)"})
	}
	return fs
}

// scopeGroups renders the scope groups as "attr OP value AND …" lines,
// without the external-users clause.
func scopeGroups(om map[string]any) []string {
	scope, _ := om["scope"].(map[string]any)
	groups, _ := scope["groups"].([]any)
	out := []string{}
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		cls, _ := gm["clauses"].([]any)
		var parts []string
		for _, c := range cls {
			cm, _ := c.(map[string]any)
			if isExternalClause(cm) {
				continue
			}
			p := str(cm["sourceOperandName"]) + " " + str(cm["operatorName"])
			to, _ := cm["targetOperand"].(map[string]any)
			if vals, _ := to["values"].([]any); len(vals) > 0 {
				p += " " + fmt.Sprint(vals[0])
			}
			parts = append(parts, p)
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, " AND "))
		}
	}
	return out
}

// mappingTexts maps each target attribute to "expression (flow)".
func mappingTexts(om map[string]any) map[string]string {
	out := map[string]string{}
	ams, _ := om["attributeMappings"].([]any)
	for _, a := range ams {
		am, _ := a.(map[string]any)
		src, _ := am["source"].(map[string]any)
		text := str(src["expression"])
		if text == "" {
			text = str(src["type"]) + " " + str(src["name"])
		}
		out[str(am["targetAttributeName"])] = text + " (" + str(am["flowType"]) + ")"
	}
	return out
}
