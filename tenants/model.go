// Package tenants is the desired-state model of an xtsync config repository:
// tenants, their cross-tenant trust (partners) and the cross-tenant
// synchronization configurations they are the source of, plus the repository
// settings in xtsync.yaml.
//
// Load reads a repository from any fs.FS (a working tree or a Git revision)
// and reports every problem at once as file:line:col diagnostics. The package
// is pure: no network, no Git, no logging, no clock.
package tenants

import (
	"fmt"
	"sort"
	"time"

	"github.com/xtsync/xtsync/tenants/expr"
)

// APIVersion and KindTenant are the only values the tenant files accept.
const (
	APIVersion = "xtsync/v1"
	KindTenant = "Tenant"
)

// Pos is a position in a repository file: 1-based line and column.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders the position as file:line:col (or less, when unknown).
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Cloud is the Microsoft cloud a tenant lives in.
type Cloud string

// The clouds a tenant may declare.
const (
	CloudGlobal Cloud = "global"
	CloudUSGov  Cloud = "usgov"
	CloudChina  Cloud = "china"
)

// Repo is a loaded config repository.
type Repo struct {
	Settings Settings
	// Tenants sorted by Name.
	Tenants []*Tenant
}

// Tenant returns the repo tenant with the given name or tenant id, or nil.
func (r *Repo) Tenant(nameOrID string) *Tenant {
	for _, t := range r.Tenants {
		if t.Name == nameOrID || equalFoldASCII(t.TenantID, nameOrID) {
			return t
		}
	}
	return nil
}

// SyncConfigs returns every sync configuration of the repo, sorted by
// source tenant name then configuration name.
func (r *Repo) SyncConfigs() []*SyncConfig {
	var out []*SyncConfig
	for _, t := range r.Tenants {
		out = append(out, t.Sync...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Tenant is one tenants/*.yaml file.
type Tenant struct {
	Name          string `json:"name"`
	TenantID      string `json:"tenantId"` // lower-case GUID
	DisplayName   string `json:"displayName,omitempty"`
	InitialDomain string `json:"initialDomain,omitempty"`
	Cloud         Cloud  `json:"cloud"`
	// Partners in file order.
	Partners []*Partner `json:"partners"`
	// Sync configurations this tenant is the source of, in file order.
	Sync []*SyncConfig `json:"sync"`
	// Suspend, when set, holds every write to the tenant and to the
	// configurations into or out of it.
	Suspend *Suspend `json:"suspend,omitempty"`

	// File is the repository path of the tenant file ("tenants/contoso-eu.yaml").
	File string `json:"-"`
	// Pos is the position of the document.
	Pos Pos `json:"-"`
	// Paths maps a dotted path of this tenant's document to the position of
	// its YAML node, for reports that point at a changed field. Paths name
	// list items by their key: "partners.contoso-us.inbound.userSync",
	// "sync.eu-to-us.scope.groups", "sync.eu-to-us.mappings.jobTitle".
	// Filters and clauses, which need no name, go by index:
	// "sync.eu-to-us.scope.filters.0.clauses.1.value". A key's position is
	// that of the key itself; a list item's that of the item.
	Paths map[string]Pos `json:"-"`
}

// PathPos returns the position of the dotted path, or of its nearest
// ancestor that has one, or the document's position.
func (t *Tenant) PathPos(path string) Pos {
	for p := path; p != ""; {
		if pos, ok := t.Paths[p]; ok {
			return pos
		}
		i := lastDot(p)
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return t.Pos
}

// Partner returns the partner entry for a repo tenant name or a tenant id.
func (t *Tenant) Partner(nameOrID string) *Partner {
	for _, p := range t.Partners {
		if p.Tenant == nameOrID || equalFoldASCII(p.TenantID, nameOrID) {
			return p
		}
	}
	return nil
}

// Partner is one entry of a tenant's cross-tenant access settings.
type Partner struct {
	// Tenant is the repo tenant's name, or the partner's tenant id (a GUID)
	// when the partner is managed elsewhere.
	Tenant string `json:"tenant"`
	// TenantID is the partner's tenant id, resolved by the loader.
	TenantID string    `json:"tenantId"`
	Inbound  *Inbound  `json:"inbound,omitempty"`
	Outbound *Outbound `json:"outbound,omitempty"`
	Pos      Pos       `json:"-"`
}

// Inbound is what this tenant allows the partner to do in it.
type Inbound struct {
	// UserSync is "Allow users sync into this tenant"
	// (identitySynchronization.userSyncInbound.isSyncAllowed).
	UserSync bool `json:"userSync"`
	// AutoRedeem is automaticUserConsentSettings.inboundAllowed.
	AutoRedeem bool    `json:"autoRedeem"`
	Limits     *Limits `json:"limits,omitempty"`
}

// Limits are the target's own guard rails for what a source may create.
type Limits struct {
	UserTypes []string `json:"userTypes,omitempty"`
	MaxUsers  *int     `json:"maxUsers,omitempty"`
}

// Outbound is what this tenant allows towards the partner.
type Outbound struct {
	// AutoRedeem is automaticUserConsentSettings.outboundAllowed.
	AutoRedeem bool `json:"autoRedeem"`
}

// Action is a target object action of a sync configuration.
type Action string

// The target object actions.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Flow says when a mapping is written.
type Flow string

// The mapping flows (Graph flowType Always / ObjectAddOnly).
const (
	FlowAlways   Flow = "always"
	FlowOnCreate Flow = "onCreate"
)

// SyncConfig is one cross-tenant synchronization configuration, owned by its
// source tenant.
type SyncConfig struct {
	// Source is the name of the tenant whose file declares the configuration.
	Source string `json:"source"`
	Name   string `json:"name"`
	// ID is the configuration's service principal object id, when known.
	ID string `json:"id,omitempty"`
	// Target is the target's repo tenant name.
	Target            string    `json:"target"`
	Enabled           bool      `json:"enabled"`
	Scope             Scope     `json:"scope"`
	UserType          string    `json:"userType"`     // Member | Guest
	UserTypeFlow      Flow      `json:"userTypeFlow"` // onCreate | always
	ShowInAddressList bool      `json:"showInAddressList"`
	Mappings          []Mapping `json:"mappings"` // sorted by Target
	Actions           []Action  `json:"actions"`
	DeletionThreshold int       `json:"deletionThreshold"`
	Acknowledge       []string  `json:"acknowledge"`
	// Suspend, when set, holds every write to the configuration.
	Suspend *Suspend `json:"suspend,omitempty"`

	Pos Pos `json:"-"`
}

// Key names the configuration the way every message does: "contoso-eu/eu-to-us".
func (s *SyncConfig) Key() string { return s.Source + "/" + s.Name }

// Allows reports whether the target object action is enabled.
func (s *SyncConfig) Allows(a Action) bool {
	for _, x := range s.Actions {
		if x == a {
			return true
		}
	}
	return false
}

// Scope is which source users a configuration provisions.
type Scope struct {
	All bool `json:"all"`
	// Groups directly assigned: display name or object id.
	Groups []string `json:"groups"`
	// Users directly assigned: UPN or object id.
	Users []string `json:"users"`
	// Filters are ORed; the clauses of one filter are ANDed.
	Filters []Filter `json:"filters"`
}

// Filter is one scoping filter (a Graph filter group).
type Filter struct {
	Name    string   `json:"name"`
	Clauses []Clause `json:"clauses"`
	Pos     Pos      `json:"-"`
}

// Clause is one scoping filter clause.
type Clause struct {
	// Attribute in the provisioning vocabulary or Graph's, as written.
	Attribute string `json:"attribute"`
	// Operator as Entra names it: "EQUALS", "NOT EQUALS", "REGEX MATCH" …
	Operator Operator `json:"operator"`
	// Value as text; empty for the unary operators.
	Value string `json:"value,omitempty"`
	Pos   Pos    `json:"-"`
}

// MappingKind says where a mapped value comes from.
type MappingKind string

// The mapping kinds of a config file.
const (
	MappingSource     MappingKind = "source"
	MappingConstant   MappingKind = "constant"
	MappingExpression MappingKind = "expression"
	MappingRemove     MappingKind = "remove"
)

// Mapping is one change to the default attribute mappings, keyed by the
// target attribute.
type Mapping struct {
	// Target attribute in the provisioning vocabulary.
	Target string      `json:"target"`
	Kind   MappingKind `json:"kind"`
	// Source attribute (Kind source), constant text (Kind constant) or
	// expression text (Kind expression).
	Value string `json:"value,omitempty"`
	Flow  Flow   `json:"flow"`
	// Expr is the parsed expression (Kind expression), or the equivalent of a
	// source/constant mapping.
	Expr *expr.Expr `json:"-"`
	Pos  Pos        `json:"-"`
}

// Settings is xtsync.yaml.
type Settings struct {
	// Policies are the directories of the repo's own Rego policies.
	Policies []string `json:"policies"`
	// DisabledPolicies are built-in policy ids turned off.
	DisabledPolicies []string `json:"disabledPolicies"`
	// Snapshots is the directory of directory snapshots.
	Snapshots string `json:"snapshots"`
	// Prune removes live objects the repo no longer declares.
	Prune bool `json:"prune"`
	// IgnorePartners are tenant ids never touched.
	IgnorePartners []string `json:"ignorePartners"`
	// VerifyCommits is the path of a keyring in the repository: an
	// armored OpenPGP keyring or an SSH allowed-signers file.
	VerifyCommits string `json:"verifyCommits,omitempty"`
	// Assumptions overrides entries of the assumptions table by id.
	Assumptions map[string]bool `json:"assumptions,omitempty"`
	// MaxDeleteShare is the share (0..1) of a target's B2B users one change
	// may soft-delete before the built-in policy denies it.
	MaxDeleteShare float64 `json:"maxDeleteShare"`
	// PolicyTimeout bounds one evaluation of the policies (0: the
	// command's default).
	PolicyTimeout time.Duration `json:"-"`
	// Windows are the change windows, in file order.
	Windows []*Window `json:"windows,omitempty"`
	// Ignore are the drift rules, in file order.
	Ignore []*IgnoreRule `json:"ignore,omitempty"`

	// Notifications says where the scheduled reconciler announces what an
	// operator must know.
	Notifications Notifications `json:"notifications"`

	File string `json:"-"`
	Pos  Pos    `json:"-"`
}

// Notifications is xtsync.yaml's notifications.
type Notifications struct {
	// NearThreshold is the share of a configuration's deletionThreshold
	// at which the users a run would soft-delete or disable are announced
	// (event deletions).
	NearThreshold float64 `json:"nearThreshold"`
	// Webhooks receive the announcements.
	Webhooks []Webhook `json:"webhooks"`
}

// Webhook is one receiver of notifications. Its URL is a secret: the
// repository names only the environment variable that holds it.
type Webhook struct {
	// Kind is the body's shape: slack, teams or generic.
	Kind string `json:"kind"`
	// URLEnv is the environment variable holding the URL
	// (XTSYNC_WEBHOOK_...).
	URLEnv string `json:"urlEnv"`
	// Events are the conditions announced (NotifyEvents).
	Events []string `json:"events"`
	Pos    Pos      `json:"-"`
}

// The kinds of webhook body.
const (
	WebhookSlack   = "slack"
	WebhookTeams   = "teams"
	WebhookGeneric = "generic"
)

// WebhookKinds lists the webhook body kinds.
var WebhookKinds = []string{WebhookSlack, WebhookTeams, WebhookGeneric}

// The events a webhook can be told about.
const (
	EventFailed    = "failed"    // a run failed
	EventRefused   = "refused"   // a gate refused a run
	EventDrift     = "drift"     // the live state drifted from an applied revision
	EventDeletions = "deletions" // a run's deletions near a configuration's threshold
	EventRecovered = "recovered" // the first successful run after failures
)

// NotifyEvents lists the events, in the order messages name them.
var NotifyEvents = []string{EventFailed, EventRefused, EventDrift, EventDeletions, EventRecovered}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Partnerships counts the pairs of tenants (a repo tenant and a repo or
// outside tenant) linked by at least one partner entry, each pair once.
func (r *Repo) Partnerships() int {
	pairs := map[[2]string]bool{}
	for _, t := range r.Tenants {
		for _, p := range t.Partners {
			a, b := t.TenantID, p.TenantID
			if b == "" {
				b = p.Tenant
			}
			if b < a {
				a, b = b, a
			}
			pairs[[2]string{a, b}] = true
		}
	}
	return len(pairs)
}
