# overlapping-scopes: two configurations of the same source -> target pair
# must not assign the same group or user (or use scope.all beside another
# scope). One source user can be linked to one configuration only: the other
# fails with managed-by-other-config, and which one wins depends on timing.
package builtin.overlapping_scopes

import data.builtin.lib

deny contains f if {
	some s in lib.syncs
	some o in lib.syncs
	s.tenant == o.tenant
	s.sc.target == o.sc.target
	s.sc.name != o.sc.name
	not lib.acknowledged(s.sc, "overlapping-scopes")
	what := overlap(s.sc, o.sc)
	f := lib.sync_finding(s, "scope", sprintf(
		"sync %s: its scope overlaps %s/%s (%s) into the same target %s: a user can be managed by one configuration only, so assign each group or user to one of them (or acknowledge overlapping-scopes when their scoping filters keep the users apart)",
		[lib.key(s), o.tenant, o.sc.name, what, s.sc.target],
	))
}

scope(sc) := object.get(sc, "scope", {})

overlap(a, b) := "both use scope.all" if {
	scope(a).all == true
	scope(b).all == true
} else := "scope.all covers every assignment of the other" if {
	all_beside_assigned(a, b)
} else := "scope.all covers every assignment of the other" if {
	all_beside_assigned(b, a)
} else := sprintf("group %s", [g]) if {
	some g in sorted_common(scope(a), scope(b), "groups")
} else := sprintf("user %s", [u]) if {
	some u in sorted_common(scope(a), scope(b), "users")
}

all_beside_assigned(a, b) if {
	scope(a).all == true
	count(lib.list(scope(b), "groups")) + count(lib.list(scope(b), "users")) > 0
}

# sorted_common: the first (sorted) name the two scopes share in a list,
# compared case-insensitively, as a one-element array.
sorted_common(x, y, list) := [c] if {
	common := {lower(n) | some n in lib.list(x, list)} & {lower(n) | some n in lib.list(y, list)}
	count(common) > 0
	c := sort(common)[0]
}
