package tenants

import (
	"sort"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/tenants/expr"
)

// Operator is a scoping filter operator, named as Entra names it.
type Operator string

// The scoping filter operators xtsync accepts
// (docs/entra-cross-tenant-sync.md §2.3). "&" and "!&" are refused: Entra
// does not document their semantics.
const (
	OpEquals             Operator = "EQUALS"
	OpNotEquals          Operator = "NOT EQUALS"
	OpIncludes           Operator = "Includes"
	OpEndsWith           Operator = "ENDS_WITH"
	OpRegexMatch         Operator = "REGEX MATCH"
	OpNotRegexMatch      Operator = "NOT REGEX MATCH"
	OpIsNull             Operator = "IS NULL"
	OpIsNotNull          Operator = "IS NOT NULL"
	OpIsTrue             Operator = "IS TRUE"
	OpIsFalse            Operator = "IS FALSE"
	OpGreaterThan        Operator = "Greater_Than"
	OpGreaterThanOrEqual Operator = "Greater_Than_OR_EQUALS"
)

// Unary reports whether the operator takes no value.
func (o Operator) Unary() bool {
	switch o {
	case OpIsNull, OpIsNotNull, OpIsTrue, OpIsFalse:
		return true
	}
	return false
}

// Operators returns the scoping filter operators xtsync accepts, in the
// order of the Entra documentation's table.
func Operators() []Operator {
	return []Operator{
		OpEquals, OpNotEquals, OpIncludes, OpEndsWith, OpRegexMatch, OpNotRegexMatch,
		OpIsNull, OpIsNotNull, OpIsTrue, OpIsFalse, OpGreaterThan, OpGreaterThanOrEqual,
	}
}

// Valid reports whether the operator is one xtsync accepts.
func (o Operator) Valid() bool {
	for _, x := range Operators() {
		if o == x {
			return true
		}
	}
	return false
}

// Regex reports whether the operator's value is a regular expression.
func (o Operator) Regex() bool { return o == OpRegexMatch || o == OpNotRegexMatch }

// Integer reports whether the operator compares integers.
func (o Operator) Integer() bool { return o == OpGreaterThan || o == OpGreaterThanOrEqual }

// refusedOperators are operators Entra lists but xtsync refuses, with why.
var refusedOperators = map[string]string{
	"&":  `Entra documents "&" only as "exists in the input string value" without defining it, so its result cannot be predicted`,
	"!&": `Entra documents "!&" only as "does not exist in the input string value" without defining it, so its result cannot be predicted`,
}

// notFilterable lists attributes Entra cannot use in scoping filters (Entra
// doc §2.3): multi-valued attributes, userType, manager and dates. Keys are
// lower case; values say why.
var notFilterable = map[string]string{
	"proxyaddresses":                  "it is multi-valued",
	"othermails":                      "it is multi-valued",
	"businessphones":                  "it is multi-valued (filter on telephoneNumber, its first value)",
	"imaddresses":                     "it is multi-valued",
	"identities":                      "it is multi-valued",
	"alternativesecurityids":          "it is multi-valued (Entra's built-in 'Filter external users' clause handles it)",
	"assignedlicenses":                "it is multi-valued",
	"assignedplans":                   "it is multi-valued",
	"schools":                         "it is multi-valued",
	"skills":                          "it is multi-valued",
	"interests":                       "it is multi-valued",
	"pastprojects":                    "it is multi-valued",
	"responsibilities":                "it is multi-valued",
	"memberof":                        "group membership cannot be filtered on (assign the group instead)",
	"ismemberof":                      "group membership cannot be filtered on (assign the group instead)",
	"approleassignments":              "Entra does not support it in scoping filters",
	"usertype":                        "Entra does not expose userType as a source attribute",
	"manager":                         "it is a reference, which Entra does not support in scoping filters",
	"createddatetime":                 "it is a date",
	"employeehiredate":                "it is a date",
	"employeeleavedatetime":           "it is a date",
	"lastpasswordchangedatetime":      "it is a date",
	"signinsessionsvalidfromdatetime": "it is a date",
	"refreshtokensvalidfromdatetime":  "it is a date",
	"onpremiseslastsyncdatetime":      "it is a date",
	"deleteddatetime":                 "it is a date",
	"birthday":                        "it is a date",
	"hiredate":                        "it is a date",
}

// NotFilterable returns the attributes scoping filters cannot use, sorted.
func NotFilterable() []string {
	out := make([]string, 0, len(notFilterable))
	for k := range notFilterable {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Filterable reports whether a scoping filter may test the attribute (in
// either vocabulary, any case) and, when not, why.
func Filterable(attr string) (ok bool, why string) {
	why, bad := notFilterable[strings.ToLower(attr)]
	return !bad, why
}

// unwritable lists target attributes no mapping may write
// (docs/entra-cross-tenant-sync.md §3.3, §3.6), lower case, with why.
var unwritable = map[string]string{
	"alternativesecurityids": "it is the matching attribute, which cannot be changed",
	"proxyaddresses":         "Graph makes it read-only",
	"othermails":             "the target computes it",
}

// Writable reports whether a mapping may write the target attribute and,
// when not, why.
func Writable(attr string) (ok bool, why string) {
	why, bad := unwritable[strings.ToLower(attr)]
	return !bad, why
}

// aliases pairs provisioning names (AAD Graph style, what the Azure2Azure
// schema calls them) with Microsoft Graph v1.0 user property names.
var aliases = [][2]string{
	{"telephoneNumber", "businessPhones"}, // the first value
	{"physicalDeliveryOfficeName", "officeLocation"},
	{"mobile", "mobilePhone"},
	{"facsimileTelephoneNumber", "faxNumber"},
	{"objectId", "id"},
	{"IsSoftDeleted", "deleted"},
}

// Aliases returns the alias table: {provisioning name, Graph name} pairs.
func Aliases() [][2]string { return append([][2]string(nil), aliases...) }

// GraphName returns the Graph v1.0 name of a provisioning attribute name
// (telephoneNumber -> businessPhones), or the name itself when both
// vocabularies agree. telephoneNumber stands for businessPhones[0].
func GraphName(provisioningName string) string {
	for _, a := range aliases {
		if a[0] == provisioningName {
			return a[1]
		}
	}
	return provisioningName
}

// ProvisioningName returns the provisioning name of a Graph v1.0 user
// property (officeLocation -> physicalDeliveryOfficeName), or the name itself.
func ProvisioningName(graphName string) string {
	for _, a := range aliases {
		if a[1] == graphName {
			return a[0]
		}
	}
	return graphName
}

// DefaultMappings returns the user attribute mappings of the Azure2Azure
// template (docs/entra-cross-tenant-sync.md §3.5, docs/config-reference.md),
// sorted by target, in the provisioning vocabulary. The matching mapping
// (alternativeSecurityIds) and IsSoftDeleted are the engine's own and not
// listed. userType is the constant "Member"
// written on create only; showInAddressList the constant "true", always;
// userPrincipalName always (a source rename follows; Entra renders it as
// alias_domain#EXT#@ the target's initial domain).
// Expr is nil: EffectiveMappings parses.
func DefaultMappings() []Mapping {
	direct := func(a string) Mapping {
		return Mapping{Target: a, Kind: MappingSource, Value: a, Flow: FlowAlways}
	}
	ms := []Mapping{
		direct("accountEnabled"),
		direct("city"),
		direct("country"),
		direct("department"),
		direct("displayName"),
		direct("employeeId"),
		direct("givenName"),
		direct("jobTitle"),
		direct("mail"),
		direct("mailNickname"),
		direct("manager"),
		direct("physicalDeliveryOfficeName"),
		direct("postalCode"),
		direct("preferredLanguage"),
		{Target: "showInAddressList", Kind: MappingConstant, Value: "true", Flow: FlowAlways},
		direct("state"),
		direct("streetAddress"),
		direct("surname"),
		direct("telephoneNumber"),
		{Target: "userPrincipalName", Kind: MappingSource, Value: "userPrincipalName", Flow: FlowAlways},
		{Target: "userType", Kind: MappingConstant, Value: "Member", Flow: FlowOnCreate},
	}
	return ms
}

// EffectiveMappings returns the mappings a configuration writes: the
// defaults, with userType, userTypeFlow and showInAddressList taken from the
// configuration, then the configuration's own mappings applied (remove drops
// the default, any other kind replaces or adds). Sorted by target; each has
// its parsed Expr (nil only if its text does not parse, which Load reports).
func EffectiveMappings(sc *SyncConfig) []Mapping {
	byTarget := map[string]Mapping{}
	for _, m := range DefaultMappings() {
		switch m.Target {
		case "userType":
			if sc.UserType != "" {
				m.Value = sc.UserType
			}
			if sc.UserTypeFlow != "" {
				m.Flow = sc.UserTypeFlow
			}
		case "showInAddressList":
			m.Value = strconv.FormatBool(sc.ShowInAddressList)
		}
		byTarget[m.Target] = m
	}
	for _, m := range sc.Mappings {
		if m.Kind == MappingRemove {
			delete(byTarget, m.Target)
			continue
		}
		byTarget[m.Target] = m
	}
	out := make([]Mapping, 0, len(byTarget))
	for _, m := range byTarget {
		if m.Expr == nil {
			m.Expr, _ = MappingExpr(m.Kind, m.Value)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out
}

// MappingExpr returns the expression equivalent of a mapping: the
// expression itself, [attr] for a source attribute, a string literal for a
// constant. A remove mapping has none.
func MappingExpr(kind MappingKind, value string) (*expr.Expr, error) {
	switch kind {
	case MappingSource:
		return expr.ParseAttribute(value), nil
	case MappingConstant:
		return expr.ParseConstant(value), nil
	case MappingExpression:
		return expr.Parse(value)
	}
	return nil, nil
}

// PolicyIDs are the ids of the built-in policies, which acknowledge and
// disabledPolicies name.
var PolicyIDs = []string{
	"inbound-sync-required",
	"scope-all",
	"deletion-threshold",
	"inbound-limits",
	"overlapping-scopes",
	"cross-cloud",
	"undescribed-partner",
	"delete-share",
	"unwritable-attribute",
	"sync-recreated",
	"transfer-soft-delete",
	"shared-mail",
}

// Assumption is one place where Entra's documentation is silent or
// contradicts itself and xtsync's simulator picks a behaviour.
type Assumption struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Default is the value the simulator uses unless xtsync.yaml's
	// assumptions overrides it (when Overridable).
	Default     bool   `json:"default"`
	Overridable bool   `json:"overridable"`
	Source      string `json:"source"`
}

// Assumptions returns the assumptions table (docs/config-reference.md,
// "Assumptions"), sorted by id; each Source cites
// docs/entra-cross-tenant-sync.md.
func Assumptions() []Assumption {
	return []Assumption{
		{ID: "duplicate-mail-single-user", Default: true, Overridable: false,
			Source:  "docs/entra-cross-tenant-sync.md §2.4 (known issue: two source users matched with the same target user)",
			Summary: "when two in-scope source users of one configuration share a mail value, Entra creates one target user and links both to it; the simulator creates it for the first by lower-cased UPN and skips the other with reason duplicate-mail, in that cycle and every later one (the built-in policy shared-mail names them)"},
		{ID: "ends-with-case-sensitive", Default: true, Overridable: true,
			Source:  "docs/entra-cross-tenant-sync.md §2.3 (ENDS_WITH: case sensitivity not stated)",
			Summary: "the ENDS_WITH scoping operator compares case-sensitively, like EQUALS and Includes; false: case-insensitively"},
		{ID: "internal-guests-skipped", Default: true, Overridable: true,
			Source:  "docs/entra-cross-tenant-sync.md §2.4 (overview and known issues say internal guests cannot be synced; the topology matrix says they can)",
			Summary: "source users whose userType is not Member (internal guests) are skipped with reason guest-user; false: internal guests are provisioned like members"},
		{ID: "null-never-flows", Default: true, Overridable: false,
			Source:  "docs/entra-cross-tenant-sync.md §3.6 (known issue: Entra can't provision null attributes)",
			Summary: "a mapping whose value is null, empty or an empty list writes nothing: the target keeps its old value"},
		{ID: "quarantine-lets-creates-through", Default: true, Overridable: true,
			Source:  "docs/entra-cross-tenant-sync.md §4.3 (accidental deletions prevention stages deletes; what happens to other changes is not stated)",
			Summary: "when a cycle's deletes and disables exceed the deletion threshold they are staged and the configuration is quarantined, but its creates and updates still apply; false: the whole cycle is held back"},
		{ID: "regex-whole-value", Default: true, Overridable: true,
			Source:  "docs/entra-cross-tenant-sync.md §2.3 (REGEX MATCH: \"([1-9][0-9]) matches any number between 10 and 99\", and the common scoping filters (1[0-9][0-9][0-9][0-9][0-9][0-9]) \"between 1000000 and 2000000\" and .*\\@domain.com hold only for the whole value)",
			Summary: "REGEX MATCH and NOT REGEX MATCH match the pattern against the whole value, as Microsoft's own examples read; false: anywhere in the value, like .NET Regex.IsMatch"},
		{ID: "restore-on-rescope", Default: true, Overridable: true,
			Source:  "docs/entra-cross-tenant-sync.md §4.2 (deprovisioning matrix: restored when back in scope within 30 days)",
			Summary: "a target user the sync soft-deleted is restored when its source user is in scope again; the snapshot's soft-deleted users are taken as still within Entra's 30-day window; false: a new user is created"},
		{ID: "showinaddresslist-always", Default: true, Overridable: false,
			Source:  "docs/entra-cross-tenant-sync.md §3.4 (default mapping: constant \"true\" -> showInAddressList)",
			Summary: "the showInAddressList mapping applies on every cycle, not only on create; a mailbox-enabled target user whose Exchange setting wins is not modelled"},
		{ID: "usertype-flow-oncreate", Default: true, Overridable: false,
			Source:  "docs/entra-cross-tenant-sync.md §3.1 (existing B2B users keep their userType unless the mapping applies Always)",
			Summary: "the default userType mapping is written on create only (flowType ObjectAddOnly): linked and adopted users keep their userType unless the configuration sets userTypeFlow: always"},
	}
}

// assumptionByID returns the assumption with the id, or false.
func assumptionByID(id string) (Assumption, bool) {
	for _, a := range Assumptions() {
		if a.ID == id {
			return a, true
		}
	}
	return Assumption{}, false
}

// Assumption returns the value of an assumption for this repository: the
// override from xtsync.yaml when there is one, else its default. An unknown
// id is false.
func (s Settings) Assumption(id string) bool {
	a, ok := assumptionByID(id)
	if !ok {
		return false
	}
	if v, set := s.Assumptions[id]; set && a.Overridable {
		return v
	}
	return a.Default
}
