package plan

import (
	"sort"

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
	// Files are the files changed between the revisions, as the caller's
	// Git reader lists them (nil: none known).
	Files []File
}

// Build assembles the plan: config changes, impact per target and drift.
// Findings are left empty for the caller, which evaluates the policies with
// the plan as input.
func Build(in Input) *Plan {
	changes := Diff(in.BaseRepo, in.HeadRepo)
	imp := impact(in.BaseResult, in.HeadResult, in.BaseRepo, in.HeadRepo, in.Snapshots, changes)
	return &Plan{
		FormatVersion: FormatVersion,
		Base:          in.Base,
		Head:          in.Head,
		Changes:       changes,
		Files:         files(in.Files),
		Configs:       configs(in),
		Impact:        imp,
		Drift:         Unexplained(FindDrift(in.HeadResult, in.Snapshots), imp),
		Findings:      []Finding{},
	}
}

// Unexplained is the drift not explained by the change: drift entries
// whose user none of the impact lists (added, removed, changed, disabled,
// staged) of its target reports. What the change itself does to the target
// is already in the impact; drift is what differs besides. A disable that
// base's cycle does too is pending without the change, like every other
// drift, and stays here (a staged user is never drift: it stays as it is).
func Unexplained(drift []Drift, imp []TargetImpact) []Drift {
	seen := map[userKey]bool{}
	for i := range imp {
		ti := &imp[i]
		for _, l := range [][]ImpactUser{ti.Added, ti.Removed, ti.Changed, CausedDisables(ti.Disabled), ti.Staged} {
			for _, u := range l {
				seen[userKey{ti.Target, u.Source, u.SourceUserID}] = true
			}
		}
	}
	out := []Drift{}
	for _, d := range drift {
		if !seen[userKey{d.Target, d.Source, d.SourceUserID}] {
			out = append(out, d)
		}
	}
	return out
}

// CausedDisables are the disabled users the change causes: not those
// base's cycle disables too (ImpactUser.Pending), which are drift.
func CausedDisables(us []ImpactUser) []ImpactUser {
	out := []ImpactUser{}
	for _, u := range us {
		if !u.Pending() {
			out = append(out, u)
		}
	}
	return out
}

// Counts sums what a target impact lists.
type Counts struct {
	Added, Removed, Changed, Disabled, Staged int
}

// Counts of the target impact's lists; Disabled counts the disables the
// change causes (the others are drift).
func (t *TargetImpact) Counts() Counts {
	return Counts{len(t.Added), len(t.Removed), len(t.Changed), len(CausedDisables(t.Disabled)), len(t.Staged)}
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

// configs lists every configuration of base or head with its state in each
// cycle; a configuration of a repository that the cycle did not report is
// "unknown".
func configs(in Input) []ConfigState {
	type key struct{ source, name string }
	m := map[key]*ConfigState{}
	get := func(source, name, target string) *ConfigState {
		k := key{source, name}
		c := m[k]
		if c == nil {
			c = &ConfigState{Source: source, Name: name, Target: target}
			m[k] = c
		}
		return c
	}
	for _, side := range []struct {
		repo  *tenants.Repo
		res   *simulate.Result
		state func(*ConfigState) *simulate.State
	}{
		{in.BaseRepo, in.BaseResult, func(c *ConfigState) *simulate.State { return &c.Base }},
		{in.HeadRepo, in.HeadResult, func(c *ConfigState) *simulate.State { return &c.Head }},
	} {
		if side.repo != nil {
			for _, s := range side.repo.SyncConfigs() {
				*side.state(get(s.Source, s.Name, s.Target)) = StateUnknown
			}
		}
		if side.res != nil {
			for _, r := range side.res.Configs {
				c := get(r.Source, r.Name, r.Target)
				*side.state(c) = r.State
				if side.res == in.HeadResult && len(r.Blockers) > 0 {
					c.Blockers = r.Blockers
				}
			}
		}
	}
	out := make([]ConfigState, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// StateUnknown is the state of a configuration its cycle did not report
// (no simulation was run).
const StateUnknown simulate.State = "unknown"

// files copies the changed files, sorted by path, never nil.
func files(in []File) []File {
	out := append([]File{}, in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
