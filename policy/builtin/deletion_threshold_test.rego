package builtin.deletion_threshold_test

import data.builtin.deletion_threshold as p
import data.builtin.fixture_test as fx

input_with(threshold, removed, staged) := object.union(
	fx.input_of(fx.config([fx.sync("eu-to-us", {"deletionThreshold": threshold})], [fx.inbound("contoso-eu", {})])),
	{"impact": [{"target": "contoso-us", "added": [], "removed": removed, "changed": [], "disabled": [], "staged": staged, "restartsJob": []}]},
)

test_under_threshold_allowed if {
	count(p.deny) == 0 with input as input_with(5, fx.deleted(5, "contoso-eu", "eu-to-us"), [])
}

test_over_threshold_denied if {
	some f in p.deny with input as input_with(5, fx.deleted(6, "contoso-eu", "eu-to-us"), [])
	contains(f.msg, "the next provisioning cycle soft-deletes or disables 6 users of contoso-us, more than its deletionThreshold of 5")
}

test_staged_count if {
	count(p.deny) == 1 with input as input_with(5, [], fx.users(6, "contoso-eu", "eu-to-us"))
}

test_other_config_not_counted if {
	count(p.deny) == 0 with input as input_with(5, fx.deleted(6, "contoso-eu", "other"), [])
}

test_other_source_not_counted if {
	count(p.deny) == 0 with input as input_with(5, fx.deleted(6, "fabrikam-uk", "eu-to-us"), [])
}

test_threshold_zero_is_off if {
	count(p.deny) == 0 with input as input_with(0, fx.deleted(600, "contoso-eu", "eu-to-us"), [])
}

test_acknowledged if {
	inp := json.patch(input_with(5, fx.deleted(6, "contoso-eu", "eu-to-us"), []), [{"op": "add", "path": "/head/tenants/contoso-eu/sync/0/acknowledge", "value": ["deletion-threshold"]}])
	count(p.deny) == 0 with input as inp
}

test_not_created_not_counted if {
	# 5 soft-deleted (the threshold) and 6 users base's cycle would create
	# and head's never creates: those are no deletes.
	removed := array.concat(fx.deleted(5, "contoso-eu", "eu-to-us"), fx.not_created(6, "contoso-eu", "eu-to-us"))
	count(p.deny) == 0 with input as input_with(5, removed, [])
	count(p.deny) == 1 with input as input_with(5, array.concat(fx.deleted(6, "contoso-eu", "eu-to-us"), fx.not_created(6, "contoso-eu", "eu-to-us")), [])
}

test_disabled_count if {
	inp := json.patch(input_with(5, fx.deleted(3, "contoso-eu", "eu-to-us"), []), [{"op": "replace", "path": "/impact/0/disabled", "value": [object.union(u, {"sourceUserId": sprintf("d%s", [u.sourceUserId]), "action": "disable"}) | some u in fx.users(3, "contoso-eu", "eu-to-us")]}])
	count(p.deny) == 1 with input as inp
}

# Entra's threshold counts the whole cycle, so pending users count; the
# message says how many are pending without the change.
test_pending_named if {
	pending := [object.union(u, {"action": "staged", "baseAction": "delete", "baseReason": "unassigned"}) | some u in fx.users(2, "contoso-eu", "eu-to-us")]
	caused := [object.union(u, {"action": "staged", "sourceUserId": concat("", ["c", u.sourceUserId]), "baseAction": "update"}) | some u in fx.users(4, "contoso-eu", "eu-to-us")]
	some f in p.deny with input as input_with(5, [], array.concat(pending, caused))
	contains(f.msg, "soft-deletes or disables 6 users of contoso-us (2 of them already pending without this change), more than its deletionThreshold of 5")
}

# A change that only lowers the threshold: base's cycle deletes one user
# and disables another, head's holds both back. Both count (Entra counts
# the whole cycle), both are pending without the change.
test_lowered_threshold if {
	[emma, david] := fx.users(2, "contoso-eu", "eu-to-us")
	staged := [
		object.union(emma, {"action": "staged", "reason": "unassigned", "baseAction": "delete", "baseReason": "unassigned"}),
		object.union(david, {"action": "staged", "reason": "too-many-deletes", "baseAction": "disable"}),
	]
	some f in p.deny with input as input_with(1, [], staged)
	contains(f.msg, "soft-deletes or disables 2 users of contoso-us (2 of them already pending without this change), more than its deletionThreshold of 1")
}
