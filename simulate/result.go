package simulate

// ResultFormatVersion is the version of the simulate JSON contract.
const ResultFormatVersion = 1

// Action is what one provisioning cycle does to one user.
type Action string

// The actions of the provisioning model (DESIGN §4).
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionRestore Action = "restore"
	ActionDisable Action = "disable"
	ActionDelete  Action = "delete"
	ActionStaged  Action = "staged"
	ActionNoop    Action = "noop"
	ActionSkip    Action = "skip"
	ActionFail    Action = "fail"
)

// State of a sync configuration for the cycle.
type State string

// The configuration states.
const (
	StateActive     State = "active"
	StatePaused     State = "paused"
	StateBlocked    State = "blocked"
	StateQuarantine State = "quarantine"
)

// Result is one simulated cycle of every configuration: the JSON contract of
// `xtsync simulate --output json` (DESIGN §5).
type Result struct {
	FormatVersion int            `json:"formatVersion"`
	Configs       []ConfigResult `json:"configs"`
	Users         []UserResult   `json:"users"`
	Tenants       []TenantResult `json:"tenants"`
}

// ConfigResult is the state and action counts of one configuration.
type ConfigResult struct {
	Source   string    `json:"source"`
	Name     string    `json:"name"`
	Target   string    `json:"target"`
	State    State     `json:"state"`
	Blockers []Blocker `json:"blockers"`
	Counts   Counts    `json:"counts"`
}

// Blocker is why a configuration cannot run.
type Blocker struct {
	Code    string `json:"code"` // unknown-target, missing-snapshot, unresolved-scope-ref …
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// Counts of actions of one configuration.
type Counts struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Restore int `json:"restore"`
	Disable int `json:"disable"`
	Delete  int `json:"delete"`
	Staged  int `json:"staged"`
	Noop    int `json:"noop"`
	Skip    int `json:"skip"`
	Fail    int `json:"fail"`
}

// UserResult is one row: what one configuration's cycle does to one user.
type UserResult struct {
	Source                  string `json:"source"`
	Config                  string `json:"config"`
	Target                  string `json:"target"`
	SourceUserID            string `json:"sourceUserId"`
	SourceUserPrincipalName string `json:"sourceUserPrincipalName"`
	Action                  Action `json:"action"`
	Reason                  string `json:"reason"`
	// Error names, on an expression-error row, the attribute whose mapping
	// fails and the error ("companyName: 1:1: IIF: …").
	Error string `json:"error,omitempty"`
	// TargetUser is the linked or created target user after the cycle; nil
	// when there is none.
	TargetUser *TargetUser `json:"targetUser,omitempty"`
	// Changes lists every attribute whose value the cycle changes.
	Changes map[string]Change `json:"changes,omitempty"`
}

// TargetUser is the B2B user in the target after the cycle.
type TargetUser struct {
	ID                string         `json:"id,omitempty"`
	UserPrincipalName string         `json:"userPrincipalName"`
	UserType          string         `json:"userType"`
	AccountEnabled    bool           `json:"accountEnabled"`
	ShowInAddressList bool           `json:"showInAddressList"`
	Deleted           bool           `json:"deleted,omitempty"`
	Attributes        map[string]any `json:"attributes"`
}

// Change is one attribute's value before and after the cycle.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// TenantResult is a tenant's B2B user set after the cycle.
type TenantResult struct {
	Name     string `json:"name"`
	B2BUsers int    `json:"b2bUsers"`
	Added    int    `json:"added"`
	Removed  int    `json:"removed"`
}
