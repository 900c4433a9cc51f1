package reconcile

import (
	"github.com/xtsync/xtsync/tenants"
)

// Directory resolves the scope references of a repository (groups and users
// of a source tenant) to object ids, and back. It is pure: NewDirectory
// builds it from directory snapshots keyed by repo tenant name.
type Directory interface {
	// GroupID resolves a group display name (case-insensitive, unique in
	// the tenant) or object id.
	GroupID(tenantID, ref string) (id string, ok bool)
	// UserID resolves a user principal name (case-insensitive) or object id
	// of a user that is not deleted.
	UserID(tenantID, ref string) (id string, ok bool)
	// UserDeleted reports whether ref names a soft-deleted user.
	UserDeleted(tenantID, ref string) bool
	// Principal names an object id: a group's displayName ("Group") or a
	// user's UPN ("User").
	Principal(tenantID, id string) (name, principalType string, ok bool)
}

// Options are the repository settings that change what Diff plans.
type Options struct {
	// Prune deletes unmanaged partners and orphaned configurations.
	Prune bool
	// IgnorePartners are tenant ids never touched, even with Prune.
	IgnorePartners []string
	// Ignore are the drift rules: the drift they cover is reported in
	// Ownership.Ignored and never planned.
	Ignore []*tenants.IgnoreRule
}

// OptionsFrom reads the Options of a repository's settings (xtsync.yaml).
func OptionsFrom(repo *tenants.Repo) Options {
	return Options{Prune: repo.Settings.Prune, IgnorePartners: append([]string(nil), repo.Settings.IgnorePartners...),
		Ignore: repo.Settings.Ignore}
}

// Problem is a reason Desired cannot compute part of the desired state: a
// scope reference the directory does not resolve, a config whose id names
// no live configuration. It names the object and the repository position.
type Problem struct {
	// Warning: the desired state leaves the part out and can still be
	// applied (an assigned user who is soft-deleted in the directory).
	Warning bool        `json:"warning,omitempty"`
	Object  string      `json:"object"`
	Pos     tenants.Pos `json:"-"`
	Where   string      `json:"where"` // Pos as file:line:col
	Message string      `json:"message"`
}

func (p Problem) String() string { return p.Where + ": " + p.Object + ": " + p.Message }

// Ownership is Diff's report of the live objects it found and did not
// (only) plan changes for (DESIGN §7, ownership). Every entry names its
// object the DESIGN way and says why, and how to fix it where there is a fix.
type Ownership struct {
	// Unmanaged partners: entries between a repo tenant and a tenant the
	// repo does not declare as its partner.
	Unmanaged []Unmanaged `json:"unmanaged"`
	// Conflicts: untagged configurations with a repo configuration's
	// display name; none of their changes is planned.
	Conflicts []Conflict `json:"conflicts"`
	// Adopted: configurations claimed through sync[].id (an update tags them).
	Adopted []string `json:"adopted"`
	// HalfMade: untagged service principals of the template with a repo
	// configuration's display name and no job, left by an interrupted run;
	// tagged and completed.
	HalfMade []string `json:"halfMade"`
	// Orphaned: tagged configurations the repo no longer declares.
	Orphaned []Orphan `json:"orphaned"`
	// Ignored: the drift the repo's drift rules cover, with no change
	// planned for it.
	Ignored []IgnoredDrift `json:"ignored,omitempty"`
}

// Unmanaged is a live partner entry the repo does not declare.
type Unmanaged struct {
	Object   string `json:"object"` // partner/<tenant>/<partner tenant id>
	TenantID string `json:"tenantId"`
	Partner  string `json:"partner"` // the partner's tenant id
	// Deleted: a delete is planned (Prune and not in IgnorePartners).
	Deleted bool   `json:"deleted"`
	Reason  string `json:"reason"`
}

// Conflict is an untagged live configuration in the way of a repo one.
type Conflict struct {
	Object             string `json:"object"` // sync/<source>/<name>
	TenantID           string `json:"tenantId"`
	ServicePrincipalID string `json:"servicePrincipalId"`
	Reason             string `json:"reason"`
}

// Orphan is a tagged live configuration the repo no longer declares.
type Orphan struct {
	Object             string `json:"object"` // sync/<source>/<name>
	TenantID           string `json:"tenantId"`
	ServicePrincipalID string `json:"servicePrincipalId"`
	Deleted            bool   `json:"deleted"`
	Reason             string `json:"reason"`
}
