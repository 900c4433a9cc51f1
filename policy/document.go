package policy

import (
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

// Summarize condenses head's simulation into input.summary.
func Summarize(res *simulate.Result) Summary {
	s := Summary{Configs: []ConfigSummary{}, Tenants: []simulate.TenantResult{}, Pairs: []PairSummary{}}
	if res == nil {
		return s
	}
	for _, c := range res.Configs {
		s.Configs = append(s.Configs, ConfigSummary{Source: c.Source, Name: c.Name, Target: c.Target, State: c.State, Counts: c.Counts})
	}
	s.Tenants = append(s.Tenants, res.Tenants...)
	type pair struct{ source, target string }
	idx := map[pair]int{}
	seen := map[[3]string]bool{}
	for _, u := range res.Users {
		if u.TargetUser == nil || u.TargetUser.Deleted {
			continue
		}
		k := [3]string{u.Source, u.Target, u.SourceUserID}
		if seen[k] {
			continue
		}
		seen[k] = true
		p := pair{u.Source, u.Target}
		i, ok := idx[p]
		if !ok {
			i = len(s.Pairs)
			idx[p] = i
			s.Pairs = append(s.Pairs, PairSummary{Source: u.Source, Target: u.Target, UserTypes: map[string]int{}})
		}
		s.Pairs[i].B2BUsers++
		s.Pairs[i].UserTypes[u.TargetUser.UserType]++
	}
	return s
}
