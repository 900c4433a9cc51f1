package builtin.delete_share_test

import data.builtin.delete_share as p
import data.builtin.fixture_test as fx

# input_with: contoso-us has b2b users after head's cycle; the change adds
# and soft-deletes some.
input_with(b2b, added, removed, share) := object.union(fx.input_of(json.patch(fx.ok, [{"op": "replace", "path": "/settings/maxDeleteShare", "value": share}])), {
	"impact": [{"target": "contoso-us", "added": fx.users(added, "contoso-eu", "eu-to-us"), "removed": fx.deleted(removed, "contoso-eu", "eu-to-us"), "changed": [], "disabled": [], "staged": [], "restartsJob": []}],
	"summary": {"configs": [], "pairs": [], "tenants": [{"name": "contoso-us", "b2bUsers": b2b, "added": added, "removed": removed}]},
})

test_small_share_allowed if {
	# 100 before, 10 removed: exactly 10%
	count(p.deny) == 0 with input as input_with(90, 0, 10, 0.1)
}

test_large_share_denied if {
	# 100 before, 11 removed
	some f in p.deny with input as input_with(89, 0, 11, 0.1)
	contains(f.msg, "contoso-us: the next provisioning cycle soft-deletes 11 of its 100 B2B users (11.0%), more than maxDeleteShare 10.0%")
	f.file == "tenants/contoso-us.yaml"
}

test_before_counts_added if {
	# after 100 = before 95 + 10 added - 5 removed: 5/95 < 10%
	count(p.deny) == 0 with input as input_with(100, 10, 5, 0.1)
}

test_setting if {
	count(p.deny) == 1 with input as input_with(80, 0, 20, 0.15)
	count(p.deny) == 0 with input as input_with(80, 0, 20, 0.25)
}

test_head_cannot_loosen_base if {
	inp := json.patch(input_with(80, 0, 20, 0.1), [{"op": "replace", "path": "/head/settings/maxDeleteShare", "value": 0.5}])
	count(p.deny) == 1 with input as inp
}

test_default_share if {
	inp := json.remove(input_with(80, 0, 20, 0.5), ["base/settings/maxDeleteShare", "head/settings/maxDeleteShare"])
	count(p.deny) == 1 with input as inp
}

test_nothing_removed if {
	count(p.deny) == 0 with input as input_with(0, 0, 0, 0.1)
}

test_wording_for_a_change if {
	inp := object.union(input_with(89, 0, 11, 0.1), {"changes": [{"kind": "sync", "op": "modify"}]})
	some f in p.deny with input as inp
	contains(f.msg, "contoso-us: this change soft-deletes 11")
}

test_staged_count if {
	# 100 before: 5 removed and 6 staged
	inp := json.patch(input_with(95, 0, 5, 0.1), [{"op": "replace", "path": "/impact/0/staged", "value": fx.users(6, "contoso-eu", "eu-to-us")}])
	some f in p.deny with input as inp
	contains(f.msg, "soft-deletes 11 of its 100 B2B users (11.0%; 6 of them held back by the deletion threshold until someone allows them), more than")
}

# with_not_created: the change's removed users also list n users base's
# cycle would create and head's never creates (reason not-created, no
# action).
with_not_created(inp, n) := json.patch(inp, [{"op": "add", "path": "/impact/0/removed/-", "value": u} | some u in fx.not_created(n, "contoso-eu", "eu-to-us")])

test_not_created_not_counted if {
	# 100 B2B users before (after base's cycle): 80 stay, 12 are
	# soft-deleted, 8 base would create and head does not. 12% are deleted,
	# not 20%.
	inp := with_not_created(input_with(80, 0, 12, 0.15), 8)
	count(inp.impact[0].removed) == 20
	count(p.deny) == 0 with input as inp
	some f in p.deny with input as with_not_created(input_with(80, 0, 12, 0.1), 8)
	contains(f.msg, "soft-deletes 12 of its 100 B2B users (12.0%), more than maxDeleteShare 10.0%")
}

test_only_not_created if {
	inp := with_not_created(input_with(0, 0, 0, 0.1), 5)
	count(p.deny) == 0 with input as inp
}

# A staged user base's cycle deletes (or holds back) too is pending without
# the change, and a staged disable is no soft-delete: neither counts.
test_pending_staged_not_counted if {
	pending := [object.union(u, {"action": "staged", "baseAction": "delete", "baseReason": "unassigned"}) | some u in fx.users(6, "contoso-eu", "eu-to-us")]
	disables := [object.union(u, {"action": "staged", "reason": "too-many-deletes", "sourceUserId": concat("", ["d", u.sourceUserId])}) | some u in fx.users(6, "contoso-eu", "eu-to-us")]
	inp := json.patch(input_with(95, 0, 5, 0.1), [{"op": "replace", "path": "/impact/0/staged", "value": array.concat(pending, disables)}])
	count(p.deny) == 0 with input as inp
}

# The finding points at the changed line of the configuration whose users
# it counts, so a pull request's annotation lands on its diff.
test_points_at_the_change if {
	# Of the configuration's changes, the scope's: it decides who leaves.
	changes := [
		{"kind": "partner", "op": "modify", "tenant": "contoso-us", "name": "contoso-eu", "path": "inbound.autoRedeem", "file": "tenants/contoso-us.yaml", "line": 9},
		{"kind": "sync", "op": "modify", "tenant": "contoso-eu", "name": "eu-to-us", "path": "deletionThreshold", "file": "tenants/contoso-eu.yaml", "line": 44},
		{"kind": "sync", "op": "modify", "tenant": "contoso-eu", "name": "eu-to-us", "path": "scope.groups", "file": "tenants/contoso-eu.yaml", "line": 25},
	]
	inp := object.union(input_with(89, 0, 11, 0.1), {"changes": changes})
	some f in p.deny with input as inp
	f.file == "tenants/contoso-eu.yaml"
	f.line == 25
}

# Without a change of the configuration: the configuration's position,
# else the target's file at line 1, never no line.
test_points_at_the_config if {
	inp := json.patch(input_with(89, 0, 11, 0.1), [{"op": "add", "path": "/head/tenants/contoso-eu/lines", "value": {"sync.eu-to-us": 14}}])
	some f in p.deny with input as inp
	f.file == "tenants/contoso-eu.yaml"
	f.line == 14
	some g in p.deny with input as input_with(89, 0, 11, 0.1)
	g.file == "tenants/contoso-us.yaml"
	g.line == 1
}

# A pull request that only lowers deletionThreshold: base's cycle
# soft-deletes one user (unassigned) and disables another; head's holds
# both back. The staged disable (reason too-many-deletes, as the simulator
# stages a disable) is no soft-delete, and the staged delete is pending
# without the change: the change deletes nobody, so delete-share is quiet.
test_lowered_threshold_deletes_nobody if {
	[emma, david] := fx.users(2, "contoso-eu", "eu-to-us")
	staged := [
		object.union(emma, {"action": "staged", "reason": "unassigned", "baseAction": "delete", "baseReason": "unassigned"}),
		object.union(david, {"action": "staged", "reason": "too-many-deletes", "baseAction": "disable"}),
	]
	inp := json.patch(input_with(8, 1, 0, 0.1), [
		{"op": "replace", "path": "/impact/0/added", "value": [staged[0]]},
		{"op": "replace", "path": "/impact/0/staged", "value": staged},
		{"op": "add", "path": "/changes", "value": [{"kind": "sync", "op": "modify", "tenant": "contoso-eu", "name": "eu-to-us", "path": "deletionThreshold"}]},
	])
	count(p.deny) == 0 with input as inp
}

# A staged disable this change causes is still no soft-delete; a staged
# delete it causes (base's cycle keeps the user) counts.
test_staged_disable_not_a_delete if {
	[u] := fx.users(1, "contoso-eu", "eu-to-us")
	disable := object.union(u, {"action": "staged", "reason": "too-many-deletes"})
	count(p.deny) == 0 with input as json.patch(input_with(8, 0, 0, 0.1), [{"op": "replace", "path": "/impact/0/staged", "value": [disable]}])
	del := object.union(u, {"action": "staged", "reason": "unassigned", "baseAction": "update"})
	some f in p.deny with input as json.patch(input_with(8, 0, 0, 0.1), [{"op": "replace", "path": "/impact/0/staged", "value": [del]}])
	contains(f.msg, "soft-deletes 1 of its 8 B2B users (12.5%; 1 of them held back")
}
