package builtin.deletion_threshold_test

import data.builtin.deletion_threshold as p
import data.builtin.fixture_test as fx

input_with(threshold, removed, staged) := object.union(
	fx.input_of(fx.config([fx.sync("eu-to-us", {"deletionThreshold": threshold})], [fx.inbound("contoso-eu", {})])),
	{"impact": [{"target": "contoso-us", "added": [], "removed": removed, "changed": [], "disabled": [], "staged": staged, "restartsJob": []}]},
)

test_under_threshold_allowed if {
	count(p.deny) == 0 with input as input_with(5, fx.users(5, "contoso-eu", "eu-to-us"), [])
}

test_over_threshold_denied if {
	some f in p.deny with input as input_with(5, fx.users(6, "contoso-eu", "eu-to-us"), [])
	contains(f.msg, "the next provisioning cycle soft-deletes or disables 6 users of contoso-us, more than its deletionThreshold of 5")
}

test_staged_count if {
	count(p.deny) == 1 with input as input_with(5, [], fx.users(6, "contoso-eu", "eu-to-us"))
}

test_other_config_not_counted if {
	count(p.deny) == 0 with input as input_with(5, fx.users(6, "contoso-eu", "other"), [])
}

test_other_source_not_counted if {
	count(p.deny) == 0 with input as input_with(5, fx.users(6, "fabrikam-uk", "eu-to-us"), [])
}

test_threshold_zero_is_off if {
	count(p.deny) == 0 with input as input_with(0, fx.users(600, "contoso-eu", "eu-to-us"), [])
}

test_acknowledged if {
	inp := json.patch(input_with(5, fx.users(6, "contoso-eu", "eu-to-us"), []), [{"op": "add", "path": "/head/tenants/contoso-eu/sync/0/acknowledge", "value": ["deletion-threshold"]}])
	count(p.deny) == 0 with input as inp
}
