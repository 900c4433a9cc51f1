package reconcile

import (
	"context"
	"encoding/json"
)

// Action is what a Change does to its object: an imperative.
type Action string

// The planned actions.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Kind says which Graph object a Change writes.
type Kind string

// The kinds of managed object (see the package doc for their names).
const (
	KindPartner      Kind = "partner"
	KindIdentitySync Kind = "identitySync"
	KindApp          Kind = "app"
	KindJob          Kind = "job"
	KindSecrets      Kind = "secrets"
	KindSchema       Kind = "schema"
	KindAssignment   Kind = "assignment"
	KindState        Kind = "state"
)

// Field is one managed field of a Change, before → after. A Secret field
// is never rendered with its values.
type Field struct {
	Name   string `json:"name"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	Secret bool   `json:"secret,omitempty"`
}

// Change is one write to one object. Diff fills in what the Applier needs:
// the tenant the write goes to, the desired value of the object (Partner,
// IdentitySync, Config, Assignment), and for a sync configuration's parts
// the live ids known at diff time (Config.ServicePrincipalID, Job.ID). A
// part of a configuration that does not exist yet gets its ids from the
// changes it depends on, through the Applier.
type Change struct {
	// Object names the object: "partner/contoso-us/contoso-eu",
	// "sync/contoso-eu/eu-to-us/schema".
	Object string `json:"object"`
	Kind   Kind   `json:"kind"`
	Action Action `json:"action"`
	// TenantID is the tenant the write goes to.
	TenantID string `json:"tenantId"`
	// Config is the configuration key ("contoso-eu/eu-to-us") of a sync
	// configuration's part; "" for trust objects.
	Config string  `json:"config,omitempty"`
	Fields []Field `json:"fields"`
	// DependsOn names the objects whose changes must succeed first; a
	// change whose dependency failed is skipped.
	DependsOn []string `json:"dependsOn,omitempty"`

	// The desired object (the one that applies to Kind). For a delete, the
	// live object.
	Partner      *Partner      `json:"-"`
	IdentitySync *IdentitySync `json:"-"`
	Sync         *SyncConfig   `json:"-"`
	Assignment   *Assignment   `json:"-"`
	// MergeSchema (Kind schema) returns the schema to PUT given the job's
	// schema as the Applier reads it right before writing (for a new job,
	// the template's) and the synchronization template's schema as Graph
	// serves it for that service principal (nil: the embedded copy): the
	// managed paths replaced, everything else kept.
	// The Applier PUTs only when the result differs semantically from what
	// it read (every schema PUT restarts the job).
	MergeSchema func(base, template json.RawMessage) (json.RawMessage, error) `json:"-"`
}

// ChangeSet is the ordered list of changes of a run: target trust before
// the source's configurations, teardown in reverse (DESIGN §7, Order).
type ChangeSet []Change

// ResultKind is what became of a Change: past tense.
type ResultKind string

// The results of a change.
const (
	ResultCreated   ResultKind = "created"
	ResultUpdated   ResultKind = "updated"
	ResultDeleted   ResultKind = "deleted"
	ResultUnchanged ResultKind = "unchanged"
	ResultFailed    ResultKind = "failed"
	ResultSkipped   ResultKind = "skipped"
)

// Result is the outcome of one Change.
type Result struct {
	Object string     `json:"object"`
	Action Action     `json:"action"`
	Result ResultKind `json:"result"`
	Error  string     `json:"error,omitempty"`
}

// Applier writes one change to Graph. It decides create or update from a
// fresh read (a change planned as create whose object now exists is an
// update or unchanged; 409 and 404 are answered by a re-read), retries
// throttled requests, and returns what it did. reconcile/graph implements
// it.
type Applier interface {
	Apply(ctx context.Context, ch *Change) (ResultKind, error)
}

// BatchApplier is an Applier that also writes several assignment changes
// of one configuration at once (reconcile/graph: $batch, 20 a request).
// It returns one result and one error per change, in order.
type BatchApplier interface {
	Applier
	ApplyAssignments(ctx context.Context, chs []*Change) ([]ResultKind, []error)
}
