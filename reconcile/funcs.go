package reconcile

import (
	"context"
	"encoding/json"

	"github.com/xtsync/xtsync/tenants"
)

// Desired computes the State the repository asks for, in the repo's
// tenants: in each target partner/<target>/<source> with inbound
// auto-redeem and identitySync/<target>/<source>, in each source
// partner/<source>/<target> with outbound auto-redeem, partners to outside
// tenants as the files declare them, and per sync configuration its app,
// job, secrets, schema and assignments. live supplies the ids of existing
// configurations and their schemas and secrets, which Desired merges into
// (nil: nothing exists yet). Problems name scope references the directory
// does not resolve, each with the repository position.
func Desired(repo *tenants.Repo, live *State, dir Directory) (*State, []Problem, error) {
	return nil, nil, errNotImplemented
}

// Diff returns the ordered ChangeSet from live to desired (DESIGN §7,
// Order) and the ownership report. It never plans a change to a tenant
// outside desired, nor a delete of an object xtsync does not own.
func Diff(desired, live *State, opts Options) (ChangeSet, Ownership) {
	return nil, Ownership{}
}

// Import returns the managed subset of live as configuration, the inverse
// of Desired: repo supplies the tenant names, ids and domains (and the
// settings), dir names the assigned principals.
func Import(live *State, repo *tenants.Repo, dir Directory) *tenants.Repo {
	return nil
}

// Apply runs the ChangeSet in order through the Applier: one Result per
// change, in order. A change whose dependency did not succeed is skipped;
// a cancelled ctx stops between changes and the rest are skipped.
func Apply(ctx context.Context, cs ChangeSet, a Applier) []Result {
	return nil
}

// MergeSchema returns the schema to PUT: base (the live job's or the
// template's synchronizationSchema, raw JSON) with the paths xtsync
// manages (in rule USER_INBOUND_USER's User object mapping: flowTypes,
// scope.groups, attributeMappings) replaced from the configuration,
// everything else kept.
func MergeSchema(base json.RawMessage, sc *tenants.SyncConfig) (json.RawMessage, error) {
	return nil, errNotImplemented
}

// NormalizeSchema returns s in a canonical form (keys sorted, no
// insignificant whitespace) so that equal schemas compare byte-equal.
func NormalizeSchema(s json.RawMessage) (json.RawMessage, error) {
	return nil, errNotImplemented
}
