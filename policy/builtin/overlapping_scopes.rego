# overlapping-scopes: two configurations of the same source -> target pair
# must not assign the same group or user (or use scope.all beside another
# scope). One source user can be linked to one configuration only: the other
# fails with managed-by-other-config, and which one wins depends on timing.
package builtin.overlapping_scopes

import data.builtin.lib

deny contains f if {
	some [tenant, name, other] in overlapping
	s := by_name[[tenant, name]]
	not lib.acknowledged(s.sc, "overlapping-scopes")
	o := by_name[[tenant, other]]
	what := overlap(s.sc, o.sc)
	f := lib.sync_finding(s, "scope", sprintf(
		"sync %s: its scope overlaps %s/%s (%s) into the same target %s: a user can be managed by one configuration only, so assign each group or user to one of them (or acknowledge overlapping-scopes when their scoping filters keep the users apart)",
		[lib.key(s), o.tenant, o.sc.name, what, s.sc.target],
	))
}

# The pairs of configurations whose scopes overlap are found through
# indexes, never by comparing every configuration with every other: a
# source with 14,000 configurations into one target is 196 million pairs.
# Each comprehension below compares a key bound outside it with ==, which
# OPA evaluates once and then looks up (comprehension indexing).

# by_name: each configuration by [tenant, name].
by_name := {[s.tenant, s.sc.name]: s | some s in lib.syncs}

# assignments: each group or user a configuration assigns, keyed by its
# source -> target pair and the lower-cased name (references match
# case-insensitively).
assignments contains {"key": [s.tenant, s.sc.target, list, lower(n)], "name": s.sc.name} if {
	some s in lib.syncs
	some list in ["groups", "users"]
	some n in lib.list(scope(s.sc), list)
}

# wide and assigning: the configurations that use scope.all, and those
# that assign a group or user, each with its pair. (A comprehension over one
# of them must compare the pair and nothing else to be indexed: a second
# condition in its body makes OPA scan the whole set for every
# configuration, 32 s instead of 0.8 s at 2,000 configurations.)
wide contains {"pair": [s.tenant, s.sc.target], "name": s.sc.name} if {
	some s in lib.syncs
	scope(s.sc).all == true
}

assigning contains {"pair": [s.tenant, s.sc.target], "name": s.sc.name} if {
	some s in lib.syncs
	assigns(s.sc)
}

assigns(sc) if count(lib.list(scope(sc), "groups")) + count(lib.list(scope(sc), "users")) > 0

# overlapping: [tenant, name, other name] for each configuration and each
# other one of its pair that overlaps it.
overlapping contains [s.tenant, s.sc.name, other] if {
	# a group or user both assign
	some s in lib.syncs
	some list in ["groups", "users"]
	some n in lib.list(scope(s.sc), list)
	key := [s.tenant, s.sc.target, list, lower(n)]
	sharing := {a.name | some a in assignments; a.key == key}
	some other in sharing
	other != s.sc.name
}

overlapping contains [s.tenant, s.sc.name, other] if {
	# s uses scope.all: every other configuration of the pair that uses
	# scope.all or assigns anything
	some s in lib.syncs
	scope(s.sc).all == true
	pair := [s.tenant, s.sc.target]
	alls := {m.name | some m in wide; m.pair == pair}
	assigned := {m.name | some m in assigning; m.pair == pair}
	some other in alls | assigned
	other != s.sc.name
}

overlapping contains [s.tenant, s.sc.name, other] if {
	# s assigns something, the other uses scope.all
	some s in lib.syncs
	pair := [s.tenant, s.sc.target]
	alls := {m.name | some m in wide; m.pair == pair}
	some other in alls
	other != s.sc.name
	assigns(s.sc)
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
