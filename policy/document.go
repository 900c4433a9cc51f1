package policy

import (
	"sort"
	"strings"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// Document is the normalised config of one revision as policies see it
// (input.base, input.head): plan.NormalizedConfig,
//
//	{"tenants": {NAME: TENANT}, "settings": SETTINGS}
//
// with two keys added to every tenant so findings point at the line to fix:
// "lines", the line of every dotted path of its file
// ("sync.eu-to-us.scope.all": 24), and "line", the document's first line.
func Document(repo *tenants.Repo) map[string]any {
	doc := plan.NormalizedConfig(repo)
	ts, _ := doc["tenants"].(map[string]any)
	if repo == nil {
		return doc
	}
	for _, t := range repo.Tenants {
		obj, ok := ts[t.Name].(map[string]any)
		if !ok {
			continue
		}
		lines := map[string]any{}
		for p, pos := range t.Paths {
			if pos.Line > 0 {
				lines[p] = pos.Line
			}
		}
		obj["lines"] = lines
		obj["line"] = t.Pos.Line
	}
	return doc
}

// Summarize condenses head's simulation into input.summary. Its pairs count
// the users the cycle's rows leave in each target; SummarizeCycle also
// counts the users no row touches.
func Summarize(res *simulate.Result) Summary { return SummarizeCycle(res, nil) }

// SummarizeCycle condenses head's simulation into input.summary, with the
// pairs counted over each target's whole B2B user set after the cycle: the
// target snapshot's B2B users (users with a source link, not soft-deleted;
// guests invited by hand and the users of paused or blocked configurations
// included), with the cycle's rows applied (a delete removes, a create or
// restore adds, staged deletes have not happened). snaps are keyed by repo
// tenant name; nil counts the rows alone.
func SummarizeCycle(res *simulate.Result, snaps map[string]*simulate.Snapshot) Summary {
	s := Summary{Configs: []ConfigSummary{}, Tenants: []simulate.TenantResult{}, Pairs: []PairSummary{}}
	if res != nil {
		for _, c := range res.Configs {
			s.Configs = append(s.Configs, ConfigSummary{Source: c.Source, Name: c.Name, Target: c.Target, State: c.State, Counts: c.Counts})
		}
		s.Tenants = append(s.Tenants, res.Tenants...)
	}
	// member: (target, source, source user id) -> userType, for users in the set.
	type key struct{ target, source, user string }
	members := map[key]string{}
	names := map[string]string{} // lower-case tenant id -> repo name
	for name, snap := range snaps {
		if snap != nil {
			names[strings.ToLower(snap.TenantID)] = name
		}
	}
	for target, snap := range snaps {
		if snap == nil {
			continue
		}
		for _, u := range snap.Users {
			if u.Source == nil || u.Deleted {
				continue
			}
			source := names[strings.ToLower(u.Source.TenantID)]
			if source == "" {
				source = u.Source.TenantID
			}
			members[key{target, source, u.Source.UserID}] = u.UserType
		}
	}
	if res != nil {
		for _, u := range res.Users {
			k := key{u.Target, u.Source, u.SourceUserID}
			switch {
			case u.Action == simulate.ActionDelete || (u.TargetUser != nil && u.TargetUser.Deleted):
				delete(members, k)
			case u.TargetUser != nil:
				members[k] = u.TargetUser.UserType
			}
		}
	}
	type pair struct{ source, target string }
	idx := map[pair]int{}
	keys := make([]key, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.source != b.source {
			return a.source < b.source
		}
		if a.target != b.target {
			return a.target < b.target
		}
		return a.user < b.user
	})
	for _, k := range keys {
		p := pair{k.source, k.target}
		i, ok := idx[p]
		if !ok {
			i = len(s.Pairs)
			idx[p] = i
			s.Pairs = append(s.Pairs, PairSummary{Source: k.source, Target: k.target, UserTypes: map[string]int{}})
		}
		s.Pairs[i].B2BUsers++
		s.Pairs[i].UserTypes[members[k]]++
	}
	return s
}
