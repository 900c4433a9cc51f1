package policy

import (
	"encoding/json"
	"fmt"

	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// Document is the normalised config of one revision as policies see it
// (input.base, input.head):
//
//	{"tenants": {NAME: TENANT}, "settings": SETTINGS}
//
// TENANT is the tenant's JSON form (name, tenantId, cloud, partners, sync …,
// with every default written out) plus "file", the tenant file's path, and
// "lines", the line of every dotted path of the file
// ("sync.eu-to-us.scope.all": 24), so findings point at the line to fix.
func Document(repo *tenants.Repo) (map[string]any, error) {
	ts := map[string]any{}
	for _, t := range repo.Tenants {
		v, err := jsonValue(t)
		if err != nil {
			return nil, fmt.Errorf("build policy input for tenant %s: %w", t.Name, err)
		}
		obj := v.(map[string]any)
		obj["file"] = t.File
		lines := map[string]any{}
		for p, pos := range t.Paths {
			if pos.Line > 0 {
				lines[p] = pos.Line
			}
		}
		obj["lines"] = lines
		obj["line"] = t.Pos.Line
		ts[t.Name] = obj
	}
	settings, err := jsonValue(repo.Settings)
	if err != nil {
		return nil, fmt.Errorf("build policy input for settings: %w", err)
	}
	return map[string]any{"tenants": ts, "settings": settings}, nil
}

func jsonValue(x any) (any, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var v any
	err = json.Unmarshal(b, &v)
	return v, err
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
