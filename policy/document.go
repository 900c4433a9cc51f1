package policy

import (
	"cmp"
	"slices"
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
	s := Summary{Configs: []ConfigSummary{}, Tenants: []simulate.TenantResult{}, Pairs: []PairSummary{}, SharedMails: sharedMails(res, snaps)}
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

// sharedMails finds, for every configuration with a duplicate-mail row,
// the mails its source users share and who shares them (the source
// snapshots give the mails). Sorted by source, configuration and mail.
func sharedMails(res *simulate.Result, snaps map[string]*simulate.Snapshot) []SharedMail {
	out := []SharedMail{}
	if res == nil || snaps == nil {
		return out
	}
	type cfg struct{ source, name string }
	dup := map[cfg]bool{}
	for i := range res.Users {
		if r := &res.Users[i]; r.Action == simulate.ActionSkip && r.Reason == simulate.ReasonDuplicateMail {
			dup[cfg{r.Source, r.Config}] = true
		}
	}
	if len(dup) == 0 {
		return out
	}
	mails := map[string]map[string]string{} // source -> user id -> lower-cased mail
	mailOf := func(source, id string) string {
		m, ok := mails[source]
		if !ok {
			m = map[string]string{}
			if snap := snaps[source]; snap != nil {
				for _, u := range snap.Users {
					if u.Mail != "" {
						m[u.ID] = strings.ToLower(u.Mail)
					}
				}
			}
			mails[source] = m
		}
		return m[id]
	}
	type key struct {
		cfg
		mail string
	}
	users := map[key][]string{}
	targets := map[cfg]string{}
	shared := map[key]bool{}
	for i := range res.Users {
		r := &res.Users[i]
		c := cfg{r.Source, r.Config}
		if !dup[c] {
			continue
		}
		targets[c] = r.Target
		switch {
		case r.Action == simulate.ActionSkip && r.Reason == simulate.ReasonDuplicateMail:
		case r.TargetUser != nil && r.Action != simulate.ActionFail:
		default:
			continue
		}
		m := mailOf(r.Source, r.SourceUserID)
		if m == "" {
			continue
		}
		k := key{c, m}
		users[k] = append(users[k], r.SourceUserPrincipalName)
		if r.Reason == simulate.ReasonDuplicateMail {
			shared[k] = true
		}
	}
	for k, us := range users {
		if !shared[k] || len(us) < 2 {
			continue
		}
		sort.Strings(us)
		out = append(out, SharedMail{Source: k.source, Config: k.name, Target: targets[k.cfg], Mail: k.mail, Users: us})
	}
	slices.SortFunc(out, func(a, b SharedMail) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.Config, b.Config), strings.Compare(a.Mail, b.Mail))
	})
	return out
}
