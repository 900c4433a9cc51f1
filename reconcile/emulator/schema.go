package emulator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/tenants"
	"github.com/xtsync/xtsync/tenants/expr"
)

// defaultUserMappings are the Azure2Azure template's default user
// attribute mappings (Entra doc §3.5): target attribute, source expression
// type, source, flow type, matching priority.
var defaultUserMappings = []struct {
	target, kind, source, flow string
	matching                   int
}{
	{"alternativeSecurityIds", "Function", "AltSecIdFromNetId([netId])", "Always", 1},
	{"IsSoftDeleted", "Attribute", "IsSoftDeleted", "Always", 0},
	{"accountEnabled", "Attribute", "accountEnabled", "Always", 0},
	{"streetAddress", "Attribute", "streetAddress", "Always", 0},
	{"city", "Attribute", "city", "Always", 0},
	{"state", "Attribute", "state", "Always", 0},
	{"postalCode", "Attribute", "postalCode", "Always", 0},
	{"country", "Attribute", "country", "Always", 0},
	{"department", "Attribute", "department", "Always", 0},
	{"employeeId", "Attribute", "employeeId", "Always", 0},
	{"displayName", "Attribute", "displayName", "Always", 0},
	{"givenName", "Attribute", "givenName", "Always", 0},
	{"jobTitle", "Attribute", "jobTitle", "Always", 0},
	{"mailNickname", "Attribute", "mailNickname", "Always", 0},
	{"manager", "Attribute", "manager", "Always", 0},
	{"physicalDeliveryOfficeName", "Attribute", "physicalDeliveryOfficeName", "Always", 0},
	{"preferredLanguage", "Attribute", "preferredLanguage", "Always", 0},
	{"surname", "Attribute", "surname", "Always", 0},
	{"telephoneNumber", "Attribute", "telephoneNumber", "Always", 0},
	{"userPrincipalName", "Attribute", "userPrincipalName", "Always", 0},
	{"showInAddressList", "Constant", "true", "Always", 0},
	{"mail", "Attribute", "mail", "Always", 0},
	{"userType", "Constant", "Member", "ObjectAddOnly", 0},
}

// The directories of the Azure2Azure template: names as the provisioning
// service writes them (Entra doc §6.4; the logs' sourceSystem/targetSystem).
const (
	sourceDirectory = "Azure Active Directory"
	targetDirectory = "Azure Active Directory (target tenant)"
)

// attrDef is one attribute definition of a directory object
// (synchronization-attributedefinition.md).
type attrDef struct {
	name, typ       string // typ: String, Boolean, DateTime, Binary, Reference
	multi, required bool
	readOnly        bool
	refs            []string // referenced objects of a Reference
}

// userAttributes are the attributes of the User object of both
// directories, in the provisioning vocabulary (AAD Graph names: the
// objectDefinition sample and the parseExpression test object of the v1.0
// reference, and Entra doc §3.5); sourceOnly and targetOnly the ones of one
// side.
func userAttributes(target bool) []attrDef {
	a := []attrDef{
		{name: "objectId", typ: "String"},
		{name: "IsSoftDeleted", typ: "Boolean", required: true},
		{name: "accountEnabled", typ: "Boolean", required: true},
		{name: "ageGroup", typ: "String"},
		{name: "city", typ: "String"},
		{name: "companyName", typ: "String"},
		{name: "consentProvidedForMinor", typ: "String"},
		{name: "country", typ: "String"},
		{name: "department", typ: "String"},
		{name: "displayName", typ: "String", required: true},
		{name: "employeeHireDate", typ: "DateTime"},
		{name: "employeeId", typ: "String"},
		{name: "employeeLeaveDateTime", typ: "DateTime"},
		{name: "employeeOrgData.costCenter", typ: "String"},
		{name: "employeeOrgData.division", typ: "String"},
		{name: "employeeType", typ: "String"},
	}
	for i := 1; i <= 15; i++ {
		a = append(a, attrDef{name: "extensionAttribute" + strconv.Itoa(i), typ: "String"})
	}
	a = append(a,
		attrDef{name: "facsimileTelephoneNumber", typ: "String"},
		attrDef{name: "givenName", typ: "String"},
		attrDef{name: "jobTitle", typ: "String"},
		attrDef{name: "mail", typ: "String"},
		attrDef{name: "mailNickname", typ: "String"},
		attrDef{name: "manager", typ: "Reference", refs: []string{"User"}},
		attrDef{name: "mobile", typ: "String"},
		attrDef{name: "otherMails", typ: "String", multi: true, readOnly: target},
		attrDef{name: "physicalDeliveryOfficeName", typ: "String"},
		attrDef{name: "postalCode", typ: "String"},
		attrDef{name: "preferredLanguage", typ: "String"},
		attrDef{name: "proxyAddresses", typ: "String", multi: true, readOnly: target},
		attrDef{name: "showInAddressList", typ: "Boolean"},
		attrDef{name: "state", typ: "String"},
		attrDef{name: "streetAddress", typ: "String"},
		attrDef{name: "surname", typ: "String"},
		attrDef{name: "telephoneNumber", typ: "String"},
		attrDef{name: "usageLocation", typ: "String"},
		attrDef{name: "userPrincipalName", typ: "String", required: true},
		attrDef{name: "userType", typ: "String"},
	)
	if target {
		return append(a, attrDef{name: "alternativeSecurityIds", typ: "String", multi: true})
	}
	return append(a,
		attrDef{name: "appRoleAssignments", typ: "String", multi: true, readOnly: true},
		attrDef{name: "legalAgeGroupClassification", typ: "String", readOnly: true},
		attrDef{name: "netId", typ: "Binary", readOnly: true},
		attrDef{name: "onPremisesDistinguishedName", typ: "String", readOnly: true},
		attrDef{name: "onPremisesDomainName", typ: "String", readOnly: true},
		attrDef{name: "onPremisesImmutableId", typ: "String", readOnly: true},
		attrDef{name: "onPremisesSamAccountName", typ: "String", readOnly: true},
		attrDef{name: "onPremisesSecurityIdentifier", typ: "String", readOnly: true},
		attrDef{name: "onPremisesUserPrincipalName", typ: "String", readOnly: true},
	)
}

// groupAttributes are the Group object's attributes (the group mapping,
// disabled by default).
func groupAttributes() []attrDef {
	return []attrDef{
		{name: "objectId", typ: "String"},
		{name: "IsSoftDeleted", typ: "Boolean", required: true},
		{name: "description", typ: "String"},
		{name: "displayName", typ: "String", required: true},
		{name: "mailEnabled", typ: "Boolean"},
		{name: "mailNickname", typ: "String"},
		{name: "members", typ: "Reference", multi: true, refs: []string{"User", "Group"}},
		{name: "securityEnabled", typ: "Boolean"},
	}
}

// objectDef is an objectDefinition with its attributes.
func objectDef(name string, attrs []attrDef) map[string]any {
	var as []any
	for _, a := range attrs {
		refs := []any{}
		for _, r := range a.refs {
			refs = append(refs, map[string]any{"referencedObjectName": r, "referencedProperty": nil})
		}
		mut := "ReadWrite"
		if a.readOnly {
			mut = "ReadOnly"
		}
		as = append(as, map[string]any{
			"anchor":            a.name == "objectId",
			"caseExact":         false,
			"defaultValue":      nil,
			"flowNullValues":    false,
			"metadata":          []any{},
			"multivalued":       a.multi,
			"mutability":        mut,
			"name":              a.name,
			"referencedObjects": refs,
			"required":          a.required,
			"type":              a.typ,
		})
	}
	md := []any{
		map[string]any{"key": "IsSoftDeletionSupported", "value": "true"},
		map[string]any{"key": "ConnectorDataStorageRequired", "value": "true"},
		map[string]any{"key": "IsSynchronizeAllSupported", "value": "true"},
	}
	if name == "User" {
		md = append(md, map[string]any{"key": "PropertyNameAccountEnabled", "value": "accountEnabled"})
	}
	md = append(md, map[string]any{"key": "PropertyNameSoftDeleted", "value": "IsSoftDeleted"})
	return map[string]any{"name": name, "attributes": as, "metadata": md, "supportedApis": []any{}}
}

// directoryDef is a directoryDefinition of the template.
func directoryDef(id, name string, target bool) map[string]any {
	return map[string]any{
		"id":                id,
		"name":              name,
		"discoverabilities": "None",
		"discoveryDateTime": nil,
		"readOnly":          false,
		"version":           nil,
		"objects":           []any{objectDef("User", userAttributes(target)), objectDef("Group", groupAttributes())},
	}
}

// defaultSchema is the schema of a new Azure2Azure job, as v1.0 returns
// it: the two directories with their object and attribute definitions, and
// one rule USER_INBOUND_USER with the user object mapping "Provision Azure
// Active Directory Users" (default mappings, the "Filter external users"
// scope) and the group mapping, disabled. (The rule's containerFilter and
// groupFilter exist in beta only.)
func defaultSchema() map[string]any {
	var mappings []any
	for _, m := range defaultUserMappings {
		src := map[string]any{"type": m.kind, "name": m.source, "expression": "[" + m.source + "]", "parameters": []any{}}
		switch m.kind {
		case "Constant":
			src["expression"] = `"` + m.source + `"`
		case "Function":
			src["name"] = "AltSecIdFromNetId"
			src["expression"] = m.source
			src["parameters"] = []any{map[string]any{"key": "netId", "value": map[string]any{"type": "Attribute", "name": "netId", "expression": "[netId]", "parameters": []any{}}}}
		}
		mappings = append(mappings, map[string]any{
			"targetAttributeName":     m.target,
			"flowType":                m.flow,
			"flowBehavior":            "FlowWhenChanged",
			"matchingPriority":        m.matching,
			"defaultValue":            nil,
			"exportMissingReferences": false,
			"source":                  src,
		})
	}
	externalUsers := map[string]any{
		"name": "Filter external users",
		"clauses": []any{map[string]any{
			"operatorName":      "NOT REGEX MATCH",
			"sourceOperandName": "userType",
			"targetOperand":     map[string]any{"values": []any{"(?i)(Guest)"}},
		}},
	}
	return map[string]any{
		"id":      "Azure2Azure",
		"version": "v1.2",
		"directories": []any{
			directoryDef("AzureActiveDirectory", sourceDirectory, false),
			directoryDef("AzureActiveDirectoryTarget", targetDirectory, true),
		},
		"synchronizationRules": []any{map[string]any{
			"id":                  "USER_INBOUND_USER",
			"name":                "USER_INBOUND_USER",
			"editable":            true,
			"priority":            1,
			"sourceDirectoryName": sourceDirectory,
			"targetDirectoryName": targetDirectory,
			"metadata": []any{
				map[string]any{"key": "defaultSourceObjectMappings", "value": "[\"User\"]"},
				map[string]any{"key": "supportsProvisionOnDemand", "value": "true"},
			},
			"objectMappings": []any{
				map[string]any{
					"name":              "Provision Azure Active Directory Users",
					"enabled":           true,
					"flowTypes":         "Add, Update, Delete",
					"sourceObjectName":  "User",
					"targetObjectName":  "User",
					"metadata":          []any{},
					"attributeMappings": mappings,
					"scope": map[string]any{
						"categoryFilterGroups": []any{},
						"groups":               []any{externalUsers},
						"inputFilterGroups":    []any{},
					},
				},
				map[string]any{
					"name":              "Provision Azure Active Directory Groups",
					"enabled":           false,
					"flowTypes":         "Add, Update, Delete",
					"sourceObjectName":  "Group",
					"targetObjectName":  "Group",
					"metadata":          []any{},
					"attributeMappings": []any{},
					"scope":             nil,
				},
			},
		}},
	}
}

// schemaError is why a schema PUT is refused.
type schemaError struct{ msg string }

func (e *schemaError) Error() string { return e.msg }

func schemaErrorf(format string, args ...any) *schemaError {
	return &schemaError{fmt.Sprintf(format, args...)}
}

// checkSchema checks a schema PUT (already of the right shape, see
// graphTypes) the way the synchronization engine does: it must be whole —
// directories and synchronization rules — every name a rule, an object
// mapping, an attribute mapping or a scoping clause uses must be defined by
// the directories, and the matching attributes of old (the schema it
// replaces) cannot change (Entra doc §3.3: schemaInvalid).
func checkSchema(schema, old map[string]any) *schemaError {
	dirs, _ := schema["directories"].([]any)
	rules, _ := schema["synchronizationRules"].([]any)
	if len(dirs) == 0 || len(rules) == 0 {
		return schemaErrorf("The schema is not whole: a PUT replaces the schema, so it needs its directories and its synchronizationRules (GET the schema, change it, PUT it back); this one has %d directories and %d rules.", len(dirs), len(rules))
	}
	// directory name -> object name -> attribute names
	defs := map[string]map[string]map[string]bool{}
	for i, d := range dirs {
		dm, _ := d.(map[string]any)
		name := str(dm["name"])
		if name == "" {
			return schemaErrorf("directories[%d] has no name.", i)
		}
		if defs[name] != nil {
			return schemaErrorf("The directory name '%s' is used twice: it must be unique within the schema.", name)
		}
		objs := map[string]map[string]bool{}
		defs[name] = objs
		ol, _ := dm["objects"].([]any)
		for _, o := range ol {
			om, _ := o.(map[string]any)
			on := str(om["name"])
			if objs[on] != nil {
				return schemaErrorf("The object name '%s' is used twice in directory '%s': it must be unique within the directory.", on, name)
			}
			attrs := map[string]bool{}
			objs[on] = attrs
			al, _ := om["attributes"].([]any)
			for _, a := range al {
				am, _ := a.(map[string]any)
				an := str(am["name"])
				if attrs[an] {
					return schemaErrorf("The attribute name '%s' is used twice in object '%s' of directory '%s': it must be unique within the object.", an, on, name)
				}
				attrs[an] = true
			}
		}
	}
	for i, r := range rules {
		rm, _ := r.(map[string]any)
		rule := fmt.Sprintf("synchronization rule '%s'", nonEmpty(str(rm["name"]), strconv.Itoa(i)))
		src, tgt := defs[str(rm["sourceDirectoryName"])], defs[str(rm["targetDirectoryName"])]
		if src == nil {
			return schemaErrorf("The sourceDirectoryName '%s' of %s matches no directory definition of the schema.", str(rm["sourceDirectoryName"]), rule)
		}
		if tgt == nil {
			return schemaErrorf("The targetDirectoryName '%s' of %s matches no directory definition of the schema.", str(rm["targetDirectoryName"]), rule)
		}
		oms, _ := rm["objectMappings"].([]any)
		for _, o := range oms {
			om, _ := o.(map[string]any)
			if e := checkObjectMapping(om, rule, str(rm["sourceDirectoryName"]), str(rm["targetDirectoryName"]), src, tgt); e != nil {
				return e
			}
		}
	}
	if old != nil {
		was, now := matchingAttributes(old), matchingAttributes(schema)
		for k, v := range was {
			if now[k] != v {
				return schemaErrorf("schemaInvalid: the matching attribute %s (matchingPriority %s) cannot be changed or removed.", k, v)
			}
		}
		for k, v := range now {
			if was[k] == "" {
				return schemaErrorf("schemaInvalid: %s cannot become a matching attribute (matchingPriority %s): matching attributes cannot be added.", k, v)
			}
		}
	}
	return nil
}

// checkObjectMapping checks the names one object mapping uses.
func checkObjectMapping(om map[string]any, rule, srcDir, tgtDir string, src, tgt map[string]map[string]bool) *schemaError {
	where := fmt.Sprintf("object mapping '%s' of %s", str(om["name"]), rule)
	srcAttrs, tgtAttrs := src[str(om["sourceObjectName"])], tgt[str(om["targetObjectName"])]
	if srcAttrs == nil {
		return schemaErrorf("The sourceObjectName '%s' of %s is not an object of directory '%s'.", str(om["sourceObjectName"]), where, srcDir)
	}
	if tgtAttrs == nil {
		return schemaErrorf("The targetObjectName '%s' of %s is not an object of directory '%s'.", str(om["targetObjectName"]), where, tgtDir)
	}
	ams, _ := om["attributeMappings"].([]any)
	for _, a := range ams {
		am, _ := a.(map[string]any)
		t := str(am["targetAttributeName"])
		if !tgtAttrs[t] {
			return schemaErrorf("The targetAttributeName '%s' of %s is not an attribute of object '%s' of directory '%s'.", t, where, str(om["targetObjectName"]), tgtDir)
		}
		srcm, _ := am["source"].(map[string]any)
		if e := checkSource(srcm, srcAttrs); e != nil {
			return schemaErrorf("The source of the mapping of '%s' in %s %s (object '%s' of directory '%s').", t, where, e.msg, str(om["sourceObjectName"]), srcDir)
		}
	}
	scope, _ := om["scope"].(map[string]any)
	for _, key := range []string{"groups", "inputFilterGroups", "categoryFilterGroups"} {
		gs, _ := scope[key].([]any)
		for _, g := range gs {
			gm, _ := g.(map[string]any)
			cls, _ := gm["clauses"].([]any)
			for _, c := range cls {
				cm, _ := c.(map[string]any)
				attr, op := str(cm["sourceOperandName"]), str(cm["operatorName"])
				if !srcAttrs[attr] {
					return schemaErrorf("The sourceOperandName '%s' of scoping filter '%s' in %s is not an attribute of object '%s' of directory '%s'.", attr, str(gm["name"]), where, str(om["sourceObjectName"]), srcDir)
				}
				if !filterOperator(op) {
					return schemaErrorf("The operatorName '%s' of scoping filter '%s' in %s is not a scoping filter operator.", op, str(gm["name"]), where)
				}
			}
		}
	}
	return nil
}

// filterOperator reports whether op is one of Entra's scoping filter
// operators (define-conditional-rules-for-provisioning-user-accounts.md).
func filterOperator(op string) bool {
	if op == "&" || op == "!&" {
		return true
	}
	for _, o := range tenants.Operators() {
		if string(o) == op {
			return true
		}
	}
	return false
}

// checkSource checks the attributes an attribute mapping source reads: an
// Attribute's name, a Function's parameters or, when it has none, the
// attributes its expression names.
func checkSource(src map[string]any, attrs map[string]bool) *schemaError {
	if src == nil {
		return nil // a mapping may have only a default value
	}
	switch strings.ToLower(str(src["type"])) {
	case "constant":
		return nil
	case "function":
		params, _ := src["parameters"].([]any)
		if len(params) == 0 {
			e, err := expr.Parse(str(src["expression"]))
			if err != nil {
				return schemaErrorf("cannot parse the expression %q: %v", str(src["expression"]), err)
			}
			for _, a := range e.Attributes() {
				if !attrs[a] {
					return schemaErrorf("reads the attribute '%s', which is not defined", a)
				}
			}
			return nil
		}
		for _, p := range params {
			pm, _ := p.(map[string]any)
			v, _ := pm["value"].(map[string]any)
			if e := checkSource(v, attrs); e != nil {
				return e
			}
		}
		return nil
	default: // Attribute, the default type
		if n := str(src["name"]); !attrs[n] {
			return schemaErrorf("reads the attribute '%s', which is not defined", n)
		}
		return nil
	}
}

// matchingAttributes maps "<target attribute> of <object mapping>" to the
// matchingPriority of every mapping with one above 0.
func matchingAttributes(schema map[string]any) map[string]string {
	out := map[string]string{}
	rules, _ := schema["synchronizationRules"].([]any)
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		oms, _ := rm["objectMappings"].([]any)
		for _, o := range oms {
			om, _ := o.(map[string]any)
			ams, _ := om["attributeMappings"].([]any)
			for _, a := range ams {
				am, _ := a.(map[string]any)
				p := fmt.Sprint(am["matchingPriority"])
				if n, err := strconv.ParseFloat(p, 64); err == nil && n > 0 {
					out[fmt.Sprintf("'%s' of object mapping '%s'", str(am["targetAttributeName"]), str(om["name"]))] = p
				}
			}
		}
	}
	return out
}
