// Package simulate reads directory snapshots and runs one provisioning cycle
// of every sync configuration of a repository against them: which B2B users
// each target tenant would get, user by user, with the reason for every
// action. It reads what it is handed and never writes, logs or touches the
// network.
package simulate

// SnapshotFormatVersion is the snapshot format this package reads and writes.
const SnapshotFormatVersion = 1

// Snapshot is what one tenant's directory looks like (DESIGN §3).
type Snapshot struct {
	FormatVersion   int      `json:"formatVersion"`
	TenantID        string   `json:"tenantId"`
	CapturedAt      string   `json:"capturedAt,omitempty"`
	VerifiedDomains []string `json:"verifiedDomains"`
	Users           []User   `json:"users"`
	Groups          []Group  `json:"groups"`

	// cols holds the users' attributes when the snapshot was read with
	// ReadOptions.Columnar (User.Attributes is then nil).
	cols *columns
	// byID finds users by id when the reader built it; the simulator uses
	// it after checking it still matches Users.
	byID *idIndex
	// memberIdx[g][k] is the index of the user that Groups[g].Members[k]
	// names (-1: none), as the columnar reader saw it; checked before use.
	memberIdx [][]int32
}

// User is a directory user. Well-known properties are fields; every other
// Graph user property is kept in Attributes under its Graph v1.0 name.
type User struct {
	ID                     string      `json:"id"`
	UserPrincipalName      string      `json:"userPrincipalName"`
	Mail                   string      `json:"mail,omitempty"`
	DisplayName            string      `json:"displayName,omitempty"`
	UserType               string      `json:"userType,omitempty"`
	AccountEnabled         bool        `json:"accountEnabled"`
	AlternativeSecurityIDs []AltSecID  `json:"alternativeSecurityIds,omitempty"`
	ProxyAddresses         []string    `json:"proxyAddresses,omitempty"`
	Deleted                bool        `json:"deleted,omitempty"`
	Source                 *SourceLink `json:"source,omitempty"`
	// Attributes holds every other property (department, employeeType,
	// showInAddressList, manager as a user id …), keyed by Graph name.
	// Values are string, bool, float64/int64, []any or nil.
	Attributes map[string]any `json:"-"`
}

// AltSecID is one alternative security id of a user.
type AltSecID struct {
	Type             int    `json:"type"`
	IdentityProvider string `json:"identityProvider,omitempty"`
	Key              string `json:"key,omitempty"`
}

// SourceLink is how a target tenant's B2B user relates to its source user.
type SourceLink struct {
	TenantID string `json:"tenantId"`
	UserID   string `json:"userId"`
	// Config is the managing sync configuration's name; empty (JSON null)
	// for a guest invited by hand.
	Config string `json:"config"`
	// DeletedBySync is false when a target admin soft-deleted the user; nil
	// (absent) counts as true.
	DeletedBySync *bool `json:"deletedBySync,omitempty"`
	// LinkSource says how snapshot pull derived the link:
	// "provisioning-logs" or "ext-upn" (the #EXT# UPN convention).
	LinkSource string `json:"linkSource,omitempty"`
}

// Group is a directory group with its direct members (user or group ids).
type Group struct {
	ID              string   `json:"id"`
	DisplayName     string   `json:"displayName"`
	SecurityEnabled bool     `json:"securityEnabled"`
	Members         []string `json:"members"`
}
