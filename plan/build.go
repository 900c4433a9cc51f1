package plan

import (
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// Input is what Build assembles a plan from: both revisions loaded and
// simulated against the same snapshots.
type Input struct {
	// Base and Head name the revisions (commit SHAs, or WORKTREE).
	Base, Head string
	// BaseRepo and HeadRepo are the config at each revision.
	BaseRepo, HeadRepo *tenants.Repo
	// BaseResult and HeadResult are one simulated cycle at each revision.
	BaseResult, HeadResult *simulate.Result
	// Snapshots are the directory snapshots both were simulated against.
	Snapshots Snapshots
}

// Build assembles the plan: config changes, impact per target and drift.
// Findings are left empty for the caller, which evaluates the policies with
// the plan as input.
func Build(in Input) *Plan {
	changes := Diff(in.BaseRepo, in.HeadRepo)
	return &Plan{
		FormatVersion: FormatVersion,
		Base:          in.Base,
		Head:          in.Head,
		Changes:       changes,
		Impact:        impact(in.BaseResult, in.HeadResult, in.BaseRepo, in.HeadRepo, in.Snapshots, changes),
		Drift:         FindDrift(in.HeadResult, in.Snapshots),
		Findings:      []Finding{},
	}
}

// Counts sums what a target impact lists.
type Counts struct {
	Added, Removed, Changed, Disabled, Staged int
}

// Counts of the target impact's lists.
func (t *TargetImpact) Counts() Counts {
	return Counts{len(t.Added), len(t.Removed), len(t.Changed), len(t.Disabled), len(t.Staged)}
}

// Empty reports whether the change does nothing to the target's users and
// restarts no job.
func (t *TargetImpact) Empty() bool {
	return t.Counts() == Counts{} && len(t.RestartsJob) == 0
}

// Pending reports whether applying head would change anything: a config
// change, a user impact or drift.
func (p *Plan) Pending() bool {
	if len(p.Changes) > 0 || len(p.Drift) > 0 {
		return true
	}
	for i := range p.Impact {
		if !p.Impact[i].Empty() {
			return true
		}
	}
	return false
}

// Denied reports whether a policy finding denies the change.
func (p *Plan) Denied() bool {
	for _, f := range p.Findings {
		if f.Level == LevelDeny {
			return true
		}
	}
	return false
}

// The finding levels.
const (
	LevelDeny = "deny"
	LevelWarn = "warn"
)
