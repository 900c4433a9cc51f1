package graph

import (
	"sort"

	"github.com/xtsync/xtsync/tenants"
)

// SelectFor returns the user properties (Graph v1.0 names) that a repo's
// configurations map (source and target attributes of the effective
// mappings, default ones included) or filter on, to be $selected by Pull
// on top of BaseUserSelect.
func SelectFor(repo *tenants.Repo) []string {
	set := map[string]bool{}
	add := func(provisioningName string) {
		n := tenants.GraphName(provisioningName)
		if n == "" || n == "id" || snapshotOnly[n] {
			return
		}
		set[n] = true
	}
	if repo != nil {
		for _, sc := range repo.SyncConfigs() {
			for _, m := range tenants.EffectiveMappings(sc) {
				add(m.Target)
				if m.Expr != nil {
					for _, a := range m.Expr.Attributes() {
						add(a)
					}
				}
			}
			for _, f := range sc.Scope.Filters {
				for _, c := range f.Clauses {
					add(c.Attribute)
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
