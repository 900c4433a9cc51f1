// Package plan computes what a change to the config repository does: the
// config changes between two revisions (each with file and line), and, per
// target tenant, the users whose presence in the B2B user set after one cycle
// differs (added, removed), whose written values differ (changed), that head's
// cycle disables or holds back (staged), plus drift between head's simulation
// and the target snapshots. It is pure: it takes loaded repositories and
// simulation results and returns a value.
package plan

import "github.com/xtsync/xtsync/simulate"

// FormatVersion of the plan JSON contract (DESIGN §6).
const FormatVersion = 1

// Plan is the JSON contract of `xtsync plan --output json`.
type Plan struct {
	FormatVersion int      `json:"formatVersion"`
	Base          string   `json:"base"`
	Head          string   `json:"head"`
	Changes       []Change `json:"changes"`
	// Files are the repository files that differ between base and head
	// (policies and other files too, not only config), sorted by path.
	Files []File `json:"files"`
	// Configs are the sync configurations at base or head with their state
	// in each cycle, sorted by source and name.
	Configs  []ConfigState  `json:"configs"`
	Impact   []TargetImpact `json:"impact"`
	Drift    []Drift        `json:"drift"`
	Findings []Finding      `json:"findings"`
}

// Change is one config change between base and head.
type Change struct {
	Kind   string `json:"kind"` // partner | sync | tenant | settings
	Op     string `json:"op"`   // add | remove | modify
	Tenant string `json:"tenant"`
	Name   string `json:"name"`           // partner tenant or sync name
	Path   string `json:"path,omitempty"` // dotted path within the object, "" for the whole object
	Before any    `json:"before"`
	After  any    `json:"after"`
	File   string `json:"file"`
	Line   int    `json:"line"`
}

// File is one file of the config repository changed between base and head.
type File struct {
	Path string `json:"path"`
	Op   string `json:"op"` // add | remove | modify
}

// ConfigState is one sync configuration's state in base's and head's
// cycle: active, paused, blocked or quarantine; "" when the configuration
// does not exist at that revision.
type ConfigState struct {
	Source string         `json:"source"`
	Name   string         `json:"name"`
	Target string         `json:"target"`
	Base   simulate.State `json:"base"`
	Head   simulate.State `json:"head"`
	// Blockers are why head's configuration cannot run.
	Blockers []simulate.Blocker `json:"blockers,omitempty"`
}

// TargetImpact is what the change does to one target tenant's B2B user set.
type TargetImpact struct {
	Target      string       `json:"target"`
	Added       []ImpactUser `json:"added"`
	Removed     []ImpactUser `json:"removed"`
	Changed     []ImpactUser `json:"changed"`
	Disabled    []ImpactUser `json:"disabled"`
	Staged      []ImpactUser `json:"staged"`
	RestartsJob []string     `json:"restartsJob"` // "source/config"
}

// ImpactUser is one user in an impact list.
type ImpactUser struct {
	Source                  string `json:"source"`
	Config                  string `json:"config,omitempty"`
	SourceUserID            string `json:"sourceUserId"`
	SourceUserPrincipalName string `json:"sourceUserPrincipalName"`
	// Action is what head's cycle does to the user (create, delete …); ""
	// when head's cycle leaves it as it is.
	Action string `json:"action,omitempty"`
	// Reason is the action's reason (unassigned, filtered …), or why head's
	// cycle leaves the user alone (config-paused, config-blocked,
	// config-removed).
	Reason string `json:"reason"`
	// BaseAction is what base's cycle does to the user ("" when base's
	// cycle leaves it as it is): it tells a reviewer what this change
	// really does (a user removed with base action create is one that is
	// no longer created, not a soft-delete; a user staged at head and
	// already disabled by base's cycle is pending without the change).
	BaseAction string `json:"baseAction,omitempty"`
	// BaseReason is the reason of base's action.
	BaseReason string                     `json:"baseReason,omitempty"`
	Changes    map[string]simulate.Change `json:"changes,omitempty"`
	// TransferredTo names, on a user head's cycle soft-deletes, the
	// configuration of the same pair that transfers the user in the same
	// cycle (reason transferred): the soft delete counts, the jobs being
	// independent.
	TransferredTo string `json:"transferredTo,omitempty"`
}

// Drift is a difference between head's simulated state and what the target
// snapshot shows.
type Drift struct {
	Target                  string                     `json:"target"`
	Source                  string                     `json:"source"`
	Config                  string                     `json:"config,omitempty"`
	SourceUserID            string                     `json:"sourceUserId"`
	SourceUserPrincipalName string                     `json:"sourceUserPrincipalName,omitempty"`
	Kind                    string                     `json:"kind"` // missing | unexpected | differs
	Changes                 map[string]simulate.Change `json:"changes,omitempty"`
}

// Finding is one policy result, as the plan reports it.
type Finding struct {
	Policy string `json:"policy"`
	Level  string `json:"level"` // deny | warn
	Msg    string `json:"msg"`
	Tenant string `json:"tenant,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
}
