package builtin.inbound_limits_test

import data.builtin.fixture_test as fx
import data.builtin.inbound_limits as p

limited(user_type, limits, b2b) := object.union(
	fx.input_of(fx.config([fx.sync("eu-to-us", {"userType": user_type})], [fx.inbound("contoso-eu", {"inbound": {"limits": limits}})])),
	{"summary": {"configs": [], "tenants": [], "pairs": [{"source": "contoso-eu", "target": "contoso-us", "b2bUsers": b2b, "userTypes": {"Member": b2b}}]}},
)

test_within_limits if {
	count(p.deny) == 0 with input as limited("Member", {"maxUsers": 10, "userTypes": ["Member"]}, 10)
}

test_max_users_exceeded if {
	some f in p.deny with input as limited("Member", {"maxUsers": 10}, 11)
	contains(f.msg, "contoso-us: 11 B2B users from contoso-eu after a cycle, more than inbound.limits.maxUsers 10")
	f.tenant == "contoso-us"
	f.file == "tenants/contoso-us.yaml"
}

test_user_type_not_admitted if {
	some f in p.deny with input as limited("Member", {"userTypes": ["Guest"]}, 1)
	contains(f.msg, "creates Member users, but contoso-us admits only Guest from contoso-eu")
	f.tenant == "contoso-eu"
}

test_no_limits if {
	count(p.deny) == 0 with input as limited("Member", {}, 100000)
}

test_user_type_acknowledged if {
	inp := json.patch(limited("Member", {"userTypes": ["Guest"]}, 1), [{"op": "add", "path": "/head/tenants/contoso-eu/sync/0/acknowledge", "value": ["inbound-limits"]}])
	count(p.deny) == 0 with input as inp
}

# maxUsers exceeded because a change widens the source's scope: the finding
# points at that change; a change of the limit itself wins.
test_max_users_points_at_the_change if {
	scope := {"kind": "sync", "op": "modify", "tenant": "contoso-eu", "name": "eu-to-us", "path": "scope.groups", "file": "tenants/contoso-eu.yaml", "line": 25}
	limit := {"kind": "partner", "op": "modify", "tenant": "contoso-us", "name": "contoso-eu", "path": "inbound.limits.maxUsers", "file": "tenants/contoso-us.yaml", "line": 31}
	some f in p.deny with input as object.union(limited("Member", {"maxUsers": 10}, 11), {"changes": [scope]})
	f.file == "tenants/contoso-eu.yaml"
	f.line == 25
	some g in p.deny with input as object.union(limited("Member", {"maxUsers": 10}, 11), {"changes": [scope, limit]})
	g.file == "tenants/contoso-us.yaml"
	g.line == 31
}
