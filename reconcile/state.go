// Package reconcile is the pure half of xtsync's reconciler: the Graph
// objects xtsync manages (State), the desired state computed from a config
// repository (Desired), its inverse (Import), the ordered ChangeSet between
// desired and live state (Diff) and the orchestration of its application
// (Apply) through an Applier that reconcile/graph implements.
//
// Nothing here does I/O, logs or reads a clock: values in, values out. The
// only code that talks to Microsoft Graph is reconcile/graph.
//
// Every object is named the same way in messages, JSON and policies:
//
//	partner/<tenant>/<partner>          a partner configuration (cross-tenant access settings)
//	identitySync/<target>/<source>      the target's inbound user sync policy for a source
//	sync/<source>/<name>                a cross-tenant sync configuration, with its parts
//	sync/<source>/<name>/app            the application + service principal of the template
//	sync/<source>/<name>/job            the Azure2Azure synchronization job
//	sync/<source>/<name>/secrets        CompanyId, AuthenticationType, SyncAll, notification settings
//	sync/<source>/<name>/schema         scoping filters, attribute mappings, object actions
//	sync/<source>/<name>/assignment/<g> an appRoleAssignedTo of a group or user (msiam_access)
//	sync/<source>/<name>/state          the job started or paused
//
// where <tenant>, <source>, <target> and <partner> are repo tenant names
// (or the tenant id of a tenant the repo does not declare), and <g> is the
// group display name or user principal name the repo writes (the object id
// when the directory does not resolve it).
package reconcile

import (
	"encoding/json"

	"github.com/xtsync/xtsync/tenants"
)

// XTSTemplateID is the gallery application template of cross-tenant
// synchronization (Entra doc §1.5).
const XTSTemplateID = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"

// JobTemplateID is the synchronization job template of a configuration.
const JobTemplateID = "Azure2Azure"

// The tags that mark a service principal as xtsync's: TagOwner, and
// TagSyncPrefix + "<source>/<name>" (DESIGN §7, ownership).
const (
	TagOwner      = "xtsync"
	TagSyncPrefix = "xtsync:sync:"
)

// State is the managed subset of the Graph objects of a set of tenants:
// what graph.ReadLive reads (live) and what Desired computes (desired).
// Both sides have the same type, so Diff compares like with like.
type State struct {
	// Tenants by lower-case tenant id.
	Tenants map[string]*TenantState `json:"tenants"`
}

// TenantState is one tenant's managed objects.
type TenantState struct {
	TenantID string `json:"tenantId"`
	// Name is the repo tenant name ("" when the repo does not declare it).
	Name string `json:"name,omitempty"`
	// Partners by lower-case partner tenant id; live state holds every
	// partner of the tenant, managed or not.
	Partners map[string]*Partner `json:"partners"`
	// Template is the schema of the Azure2Azure synchronization template as
	// the tenant's Graph serves it (live state, read from one of its
	// configurations; nil when it has none): the defaults a mapping the
	// repository does not name returns to. Without it, the embedded copy.
	Template json.RawMessage `json:"template,omitempty"`
	// Configs are the cross-tenant sync configurations: in live state every
	// service principal instantiated from XTSTemplateID, in desired state
	// the repo's configurations. Sorted by DisplayName, then
	// ServicePrincipalID.
	Configs []*SyncConfig `json:"configs"`
}

// Partner is a crossTenantAccessPolicyConfigurationPartner with its
// identitySynchronization.
type Partner struct {
	TenantID string `json:"tenantId"`
	// InboundAutoRedeem and OutboundAutoRedeem are
	// automaticUserConsentSettings.{inboundAllowed,outboundAllowed}; nil is
	// null (inherited from the default settings, which is always false).
	InboundAutoRedeem  *bool `json:"inboundAutoRedeem"`
	OutboundAutoRedeem *bool `json:"outboundAutoRedeem"`
	// IdentitySync is the partner's identitySynchronization; nil: none.
	IdentitySync *IdentitySync `json:"identitySync,omitempty"`
	// Raw is the partner object as Graph returned it (live only), kept so
	// a PATCH never needs to send what xtsync does not manage.
	Raw json.RawMessage `json:"-"`
}

// IdentitySync is a crossTenantIdentitySyncPolicyPartner.
type IdentitySync struct {
	DisplayName string `json:"displayName,omitempty"`
	// UserSyncInbound is userSyncInbound.isSyncAllowed.
	UserSyncInbound bool `json:"userSyncInbound"`
}

// SyncConfig is one cross-tenant synchronization configuration: the
// application and service principal instantiated from the template, and
// its job, secrets, schema and assignments.
type SyncConfig struct {
	// Source and Name are the repo's names of the configuration (desired;
	// live when the tags or sync[].id identify it).
	Source string `json:"source,omitempty"`
	Name   string `json:"name,omitempty"`
	// DisplayName of the service principal (the configuration's name in
	// the portal).
	DisplayName string `json:"displayName"`
	// ServicePrincipalID, ApplicationID (the application object's id) and
	// AppID (its appId); empty in desired state until known.
	ServicePrincipalID string `json:"servicePrincipalId,omitempty"`
	ApplicationID      string `json:"applicationId,omitempty"`
	AppID              string `json:"appId,omitempty"`
	// Tags of the service principal.
	Tags []string `json:"tags"`
	// AppRoleID is the id of the msiam_access app role (live).
	AppRoleID string `json:"appRoleId,omitempty"`
	// Job is the synchronization job; nil: none (a half-made configuration).
	Job *Job `json:"job,omitempty"`
	// Secrets are the synchronization secrets by key (CompanyId,
	// AuthenticationType, SyncAll, SyncNotificationSettings, …). Graph
	// returns the values of secret keys redacted; xtsync manages only
	// non-secret keys and never prints a value of another key.
	Secrets map[string]string `json:"secrets"`
	// Assignments are the app role assignments (appRoleAssignedTo).
	Assignments []Assignment `json:"assignments"`

	// conf is the repo configuration (desired state built by Desired): the
	// schema of a job that does not exist yet is merged from it.
	conf *tenants.SyncConfig
	// targetID is the target tenant id (desired).
	targetID string
	// template is the live template schema of the configuration's tenant
	// (desired; nil: the embedded copy).
	template json.RawMessage
	// mergedFrom is the live schema Job.Schema was merged into (desired),
	// so Diff against the same live state need not merge again.
	mergedFrom json.RawMessage
}

// Job is a synchronization job with its schema.
type Job struct {
	ID         string `json:"id,omitempty"`
	TemplateID string `json:"templateId"`
	// Started is schedule.state Active (false: Disabled / paused).
	Started bool `json:"started"`
	// Status is status.code (NotConfigured, NotRun, Active, Paused,
	// Quarantine) as Graph reports it (live only).
	Status string `json:"status,omitempty"`
	// Schema is the job's synchronizationSchema as raw JSON (live), or the
	// schema to PUT (desired): the live (or template) schema with the paths
	// xtsync manages replaced, everything else kept.
	Schema json.RawMessage `json:"schema,omitempty"`
}

// Assignment is one appRoleAssignedTo entry of a configuration.
type Assignment struct {
	ID            string `json:"id,omitempty"` // live only
	PrincipalID   string `json:"principalId"`
	PrincipalType string `json:"principalType"` // Group | User
	// PrincipalName is the group display name or UPN (as the repo writes
	// it in desired state; as the directory resolves it in live state).
	PrincipalName string `json:"principalName,omitempty"`
	AppRoleID     string `json:"appRoleId,omitempty"`
}
