package tenants

// This file is the one description of the file format: the loader checks
// keys and types against it and Schema renders it as JSON Schema, so the two
// cannot drift (format_test.go checks that the loader reads every key).

// Type is the YAML type a key holds.
type Type int

// The types of the format.
const (
	TString   Type = iota // a string
	TBool                 // true or false
	TInt                  // an integer
	TNumber               // a number
	TScalar               // any scalar, taken as its text
	TStrings              // a list of strings
	TObject               // a mapping with the Fields
	TList                 // a list of mappings with the Fields
	TMap                  // a mapping from free keys to Elem
	TTime                 // an RFC 3339 time with its zone (a YAML timestamp or a string)
	TDuration             // a Go duration, positive: 8h, 90m, 1h30m
)

// Field is one key of the format.
type Field struct {
	Key      string
	Type     Type
	Required bool
	// Enum lists the allowed values (of a string, or of each list item).
	Enum []string
	// Pattern is an RE2 pattern a string (or each list item) must match.
	Pattern string
	// Min and Max bound a number (nil: unbounded).
	Min, Max *float64
	// Default is the value when the key is absent (nil: none; an empty
	// list or mapping: absent is empty).
	Default any
	Doc     string
	// Title and Ref are the config reference's short name of the value and
	// its text (Markdown), set from reference.go by path.
	Title, Ref string
	// Fields of a TObject, or of each item of a TList.
	Fields []*Field
	// Elem is the value of each key of a TMap; KeyEnum limits its keys.
	Elem    *Field
	KeyEnum []string
	// OneOf lists keys of a TObject of which exactly one must be present.
	OneOf []string
	// Refused are keys a TObject must not have, each with why (an unknown
	// key, said better).
	Refused map[string]string
}

// field returns the child field named key, or nil.
func (f *Field) field(key string) *Field {
	for _, c := range f.Fields {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// Patterns of names and ids.
const (
	guidPattern       = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	tenantNamePattern = `^[a-z0-9-]{1,63}$`
	syncNamePattern   = `^[A-Za-z0-9_.-]{1,120}$`
	// durationPattern is a Go duration in whole seconds, minutes or hours
	// ("30s", "2m", "1h30m").
	durationPattern = `^([0-9]+h)?([0-9]+m)?([0-9]+s)?$`
	// urlEnvPattern is the environment variable of a webhook URL: only
	// variables an operator set for the purpose, so that a change to the
	// repository cannot send reports to a URL another variable holds.
	urlEnvPattern = `^XTSYNC_WEBHOOK_[A-Z0-9_]+$`
)

func num(f float64) *float64 { return &f }

// suspendFormat is the suspend key of a tenant and of a sync configuration.
func suspendFormat(what string) *Field {
	return &Field{Key: "suspend", Type: TObject, Doc: "Leave " + what + " alone: reconcile plans and reports its changes but writes none of them, until the time given (or until the key is removed).", Fields: []*Field{
		{Key: "until", Type: TTime, Doc: "When the suspension ends: an RFC 3339 time with its zone (2026-12-24T00:00:00Z); absent: until the key is removed. validate refuses a time already past."},
		{Key: "reason", Type: TString, Required: true, Doc: "Why: every run reports it with the changes it holds."},
	}}
}

func operatorNames() []string {
	var out []string
	for _, o := range Operators() {
		out = append(out, string(o))
	}
	return out
}

func assumptionIDs() []string {
	var out []string
	for _, a := range Assumptions() {
		out = append(out, a.ID)
	}
	return out
}

// TenantFormat describes a tenants/*.yaml file.
func TenantFormat() *Field { return withReference(tenantFormat(), "") }

func tenantFormat() *Field {
	return &Field{Type: TObject, Doc: "A tenant of the config repository: its cross-tenant trust and the sync configurations it is the source of.", Fields: []*Field{
		{Key: "apiVersion", Type: TString, Required: true, Enum: []string{APIVersion}, Doc: "Format version."},
		{Key: "kind", Type: TString, Required: true, Enum: []string{KindTenant}, Doc: "Document kind."},
		{Key: "name", Type: TString, Required: true, Pattern: tenantNamePattern, Doc: "The tenant's handle in this repository; the file is tenants/<name>.yaml."},
		{Key: "tenantId", Type: TString, Required: true, Pattern: guidPattern, Doc: "The Entra tenant id."},
		{Key: "displayName", Type: TString, Doc: "Human name of the tenant."},
		{Key: "initialDomain", Type: TString, Doc: "The tenant's <name>.onmicrosoft.com domain; B2B users it receives get UPNs ending in #EXT#@<initialDomain>."},
		{Key: "cloud", Type: TString, Enum: []string{string(CloudGlobal), string(CloudUSGov), string(CloudChina)}, Default: string(CloudGlobal), Doc: "The Microsoft cloud the tenant lives in."},
		suspendFormat("this tenant"),
		{Key: "partners", Type: TList, Default: []any{}, Doc: "Cross-tenant access settings, one entry per partner tenant.", Fields: []*Field{
			{Key: "tenant", Type: TString, Required: true, Doc: "A tenant of this repository by name, or a tenant id (GUID)."},
			{Key: "inbound", Type: TObject, Doc: "What this tenant allows the partner to do in it.", Fields: []*Field{
				{Key: "userSync", Type: TBool, Default: false, Doc: "Allow users sync into this tenant (identitySynchronization.userSyncInbound.isSyncAllowed)."},
				{Key: "autoRedeem", Type: TBool, Default: false, Doc: "Automatically redeem invitations (automaticUserConsentSettings.inboundAllowed)."},
				{Key: "limits", Type: TObject, Doc: "This tenant's guard rails for what the partner may create (built-in policy inbound-limits).", Fields: []*Field{
					{Key: "userTypes", Type: TStrings, Enum: []string{"Member", "Guest"}, Doc: "userTypes the partner may create here."},
					{Key: "maxUsers", Type: TInt, Min: num(0), Doc: "B2B users from the partner after a cycle."},
				}},
			}},
			{Key: "outbound", Type: TObject, Doc: "What this tenant allows towards the partner.", Fields: []*Field{
				{Key: "autoRedeem", Type: TBool, Default: false, Doc: "Automatically redeem invitations (automaticUserConsentSettings.outboundAllowed)."},
			}},
		}},
		{Key: "sync", Type: TList, Default: []any{}, Doc: "Cross-tenant synchronization configurations this tenant is the source of.", Fields: []*Field{
			{Key: "name", Type: TString, Required: true, Pattern: syncNamePattern, Doc: "Unique within the tenant; the configuration's display name."},
			{Key: "id", Type: TString, Doc: "The configuration's service principal object id, so a rename is not a re-create."},
			{Key: "target", Type: TString, Required: true, Doc: "The target tenant, a tenant of this repository."},
			{Key: "enabled", Type: TBool, Default: true, Doc: "The provisioning job runs; false pauses it."},
			{Key: "scope", Type: TObject, Doc: "Which source users are provisioned.", Fields: []*Field{
				{Key: "all", Type: TBool, Default: false, Doc: "Sync all users (SyncAll); false: only the assigned users and groups."},
				{Key: "groups", Type: TStrings, Default: []string{}, Doc: "Directly assigned groups: display name or object id. Nested groups are not followed."},
				{Key: "users", Type: TStrings, Default: []string{}, Doc: "Directly assigned users: UPN or object id."},
				{Key: "filters", Type: TList, Default: []any{}, Doc: "Scoping filters: ORed; the clauses of one filter are ANDed.", Fields: []*Field{
					{Key: "name", Type: TString, Doc: "The filter's title."},
					{Key: "clauses", Type: TList, Doc: "Clauses, all of which must hold.", Fields: []*Field{
						{Key: "attribute", Type: TString, Required: true, Doc: "Source attribute, provisioning or Graph name."},
						{Key: "operator", Type: TString, Required: true, Enum: operatorNames(), Doc: "Entra's operator name."},
						{Key: "value", Type: TScalar, Doc: "The value, as text; none for IS NULL, IS NOT NULL, IS TRUE, IS FALSE."},
					}},
				}},
			}},
			{Key: "userType", Type: TString, Enum: []string{"Member", "Guest"}, Default: "Member", Doc: "userType of the B2B users created."},
			{Key: "userTypeFlow", Type: TString, Enum: []string{string(FlowOnCreate), string(FlowAlways)}, Default: string(FlowOnCreate), Doc: "When userType is written: onCreate leaves existing B2B users' userType alone."},
			{Key: "showInAddressList", Type: TBool, Default: true, Doc: "The showInAddressList constant mapping."},
			{Key: "mappings", Type: TMap, Default: map[string]any{}, Doc: "Changes to the default attribute mappings, keyed by target attribute.", Elem: &Field{Type: TObject, Doc: "Exactly one of source, constant, expression, remove; optional flow.", OneOf: []string{"source", "constant", "expression", "remove"}, Fields: []*Field{
				{Key: "source", Type: TString, Doc: "Source attribute (a Direct mapping)."},
				{Key: "constant", Type: TScalar, Doc: "Constant text."},
				{Key: "expression", Type: TString, Doc: "A mapping expression."},
				{Key: "remove", Type: TBool, Doc: "true drops the default mapping of this attribute."},
				{Key: "flow", Type: TString, Enum: []string{string(FlowAlways), string(FlowOnCreate)}, Default: string(FlowAlways), Doc: "always, or onCreate (only during object creation)."},
			}}},
			{Key: "actions", Type: TStrings, Enum: []string{string(ActionCreate), string(ActionUpdate), string(ActionDelete)}, Default: []string{"create", "update", "delete"}, Doc: "Target object actions; never empty."},
			{Key: "deletionThreshold", Type: TInt, Min: num(0), Default: 500, Doc: "Accidental deletions prevention threshold; 0 = off."},
			{Key: "acknowledge", Type: TStrings, Default: []string{}, Enum: PolicyIDs, Doc: "Built-in policy ids this configuration knowingly accepts."},
			suspendFormat("this configuration"),
		}},
	}}
}

// SettingsFormat describes xtsync.yaml.
func SettingsFormat() *Field { return withReference(settingsFormat(), "") }

func settingsFormat() *Field {
	return &Field{Type: TObject, Doc: "xtsync repository settings.", Fields: []*Field{
		{Key: "policies", Type: TStrings, Default: []string{"policies"}, Doc: "Directories of the repository's own Rego policies."},
		{Key: "disabledPolicies", Type: TStrings, Default: []string{}, Enum: PolicyIDs, Doc: "Built-in policy ids turned off."},
		{Key: "snapshots", Type: TString, Default: ".xtsync/snapshots", Doc: "Directory of directory snapshots (keep it out of Git)."},
		{Key: "prune", Type: TBool, Default: false, Doc: "Remove live objects the repository no longer declares."},
		{Key: "ignorePartners", Type: TStrings, Default: []string{}, Pattern: guidPattern, Doc: "Tenant ids xtsync never touches."},
		{Key: "verifyCommits", Type: TString, Doc: "Keyring path, an armored OpenPGP keyring or an SSH allowed-signers file: reconcile only commits signed by one of its keys (reconcile --verify-commits FILE takes one from outside the repository instead)."},
		{Key: "assumptions", Type: TMap, Default: map[string]any{}, KeyEnum: assumptionIDs(), Elem: &Field{Type: TBool}, Doc: "Overrides of the simulator's assumptions, by id."},
		{Key: "maxDeleteShare", Type: TNumber, Min: num(0), Max: num(1), Default: 0.1, Doc: "Share of a target's B2B users one change may soft-delete (built-in policy delete-share)."},
		{Key: "policyTimeout", Type: TString, Pattern: durationPattern, Default: "30s", Doc: "How long one evaluation of the policies may run (check, plan, reconcile) before it is stopped, e.g. 30s, 2m; the base revision's counts."},
		{Key: "windows", Type: TList, Default: []any{}, Doc: "Change windows: when reconcile may write. Outside every allow window that applies, or inside a deny window that applies, a run plans and reports but writes nothing it concerns.", Fields: []*Field{
			{Key: "name", Type: TString, Doc: "The window's name in reports (default: windows[<index>])."},
			{Key: "kind", Type: TString, Required: true, Enum: []string{string(WindowAllow), string(WindowDeny)}, Doc: "allow: writes only while such a window is open; deny: no writes while it is open (deny wins)."},
			{Key: "schedule", Type: TString, Required: true, Doc: "When the window opens: a cron expression of five fields (minute hour day-of-month month day-of-week) or @yearly, @monthly, @weekly, @daily, @hourly, in timeZone."},
			{Key: "duration", Type: TDuration, Required: true, Doc: "How long the window stays open from each opening: a duration like 8h, 90m or 1h30m."},
			{Key: "timeZone", Type: TString, Default: "UTC", Doc: "IANA time zone of the schedule (Europe/Berlin, America/New_York)."},
			{Key: "tenants", Type: TStrings, Doc: "Repository tenants it applies to: writes to them, the partner entries about them and the configurations into or out of them (default: everything)."},
			{Key: "configurations", Type: TStrings, Doc: "Sync configurations it applies to, as <source>/<name> (default: everything)."},
		}},
		{Key: "ignore", Type: TList, Default: []any{}, Doc: "Drift rules: differences between Graph and the repository that reconcile reports but never repairs.", Fields: []*Field{
			{Key: "object", Type: TString, Required: true, Doc: "Object name pattern (partner/contoso-us/*, sync/contoso-eu/eu-to-us/schema): * stays within one /-separated part, ** spans parts."},
			{Key: "fields", Type: TStrings, Required: true, Doc: "Field name patterns of those objects (inboundAutoRedeem, mappings.companyName, mappings.*, * for every field)."},
			{Key: "reason", Type: TString, Required: true, Doc: "Why the drift is left alone: reported with it."},
		}},
		{Key: "notifications", Type: TObject, Doc: "Where the scheduled reconciler (reconcile --interval) announces failed runs, gate refusals, drift, deletions near a threshold and the first success after failures.", Fields: []*Field{
			{Key: "nearThreshold", Type: TNumber, Min: num(0), Max: num(1), Default: 0.8, Doc: "Share of a configuration's deletionThreshold at which the users a run would soft-delete or disable are announced (event deletions)."},
			{Key: "webhooks", Type: TList, Default: []any{}, Doc: "The receivers: Slack or Teams incoming webhooks, or any endpoint taking a generic JSON body.", Refused: map[string]string{
				"url": "a webhook URL is a secret and never in the repository: set it in an environment variable XTSYNC_WEBHOOK_<NAME> where xtsync runs, and name that variable in urlEnv",
			}, Fields: []*Field{
				{Key: "kind", Type: TString, Required: true, Enum: WebhookKinds, Doc: "The body: slack (Slack incoming webhook), teams (Teams incoming webhook or Workflows, an Adaptive Card) or generic (xtsync's JSON)."},
				{Key: "urlEnv", Type: TString, Required: true, Pattern: urlEnvPattern, Doc: "The environment variable that holds the webhook's URL where xtsync runs: XTSYNC_WEBHOOK_<NAME>."},
				{Key: "events", Type: TStrings, Enum: NotifyEvents, Default: NotifyEvents, Doc: "The events announced: failed, refused, drift, deletions, recovered (default: all)."},
			}},
		}},
	}}
}

// withReference sets each field's Title and Ref from reference.go, by the
// path the config reference names it.
func withReference(f *Field, prefix string) *Field {
	for _, c := range f.Fields {
		p := join(prefix, c.Key)
		r := reference[p]
		c.Title, c.Ref = r.Title, r.Text
		switch c.Type {
		case TObject:
			withReference(c, p)
		case TList:
			withReference(c, p+"[]")
		case TMap:
			if c.Elem.Type == TObject {
				withReference(c.Elem, p+".<attr>")
			} else {
				r := reference[p+".<id>"]
				c.Elem.Title, c.Elem.Ref = r.Title, r.Text
			}
		}
	}
	return f
}
