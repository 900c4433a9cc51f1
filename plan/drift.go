package plan

import (
	"sort"

	"github.com/xtsync/xtsync/simulate"
)

// The kinds of drift.
const (
	DriftMissing    = "missing"    // head expects a B2B user the target snapshot lacks
	DriftUnexpected = "unexpected" // the target snapshot has a B2B user head does not expect
	DriftDiffers    = "differs"    // both have it, with different attribute values
)

// FindDrift compares head's simulated state with what the target snapshots show
// now: B2B users head's cycle would create or restore (missing), remove
// (unexpected) or write different values to (differs). A repository whose
// head has been applied and has run a cycle shows none. Staged deletes are
// not drift: the users stay until someone allows the deletes. Sorted by
// target, source, configuration, lower-cased UPN and id.
func FindDrift(head *simulate.Result, snaps Snapshots) []Drift {
	n := newNames(snaps)
	now, after := snapshotSet(snaps, n), cycleSet(head, snaps, n)
	upns := sourceUPNs(snaps)
	out := []Drift{}
	for k := range unionKeys(now, after) {
		was, will := now[k] != nil && now[k].in, after[k] != nil && after[k].in
		d := Drift{Target: k.target, Source: k.source, SourceUserID: k.userID, SourceUserPrincipalName: upns[srcKey{k.source, k.userID}]}
		var row *simulate.UserResult
		if m := after[k]; m != nil {
			row = m.row
		}
		if row != nil {
			d.Config = row.Config
			if row.SourceUserPrincipalName != "" {
				d.SourceUserPrincipalName = row.SourceUserPrincipalName
			}
		}
		switch {
		case will && !was:
			d.Kind = DriftMissing
			if row != nil {
				d.Changes = row.Changes
			}
		case was && !will:
			d.Kind = DriftUnexpected
		case was && will && row != nil && len(row.Changes) > 0:
			d.Kind, d.Changes = DriftDiffers, row.Changes
		default:
			continue
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		ua := ImpactUser{Source: a.Source, Config: a.Config, SourceUserPrincipalName: a.SourceUserPrincipalName, SourceUserID: a.SourceUserID}
		ub := ImpactUser{Source: b.Source, Config: b.Config, SourceUserPrincipalName: b.SourceUserPrincipalName, SourceUserID: b.SourceUserID}
		return userLess(ua, ub)
	})
	return out
}
