package emulator

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

// defaultSchema is the schema of a new Azure2Azure job: one rule
// USER_INBOUND_USER with the user object mapping "Provision Azure Active
// Directory Users" (default mappings, the "Filter external users" scope),
// and the group mapping, disabled.
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
			map[string]any{"id": "AzureActiveDirectory", "name": "Azure Active Directory", "objects": []any{}},
			map[string]any{"id": "AzureActiveDirectoryTarget", "name": "Azure Active Directory (target tenant)", "objects": []any{}},
		},
		"synchronizationRules": []any{map[string]any{
			"id":                  "USER_INBOUND_USER",
			"name":                "USER_INBOUND_USER",
			"editable":            true,
			"priority":            1,
			"sourceDirectoryName": "Azure Active Directory",
			"targetDirectoryName": "Azure Active Directory (target tenant)",
			"containerFilter":     map[string]any{"includedContainers": []any{}},
			"groupFilter":         map[string]any{"includedGroups": []any{}},
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
