package builtin.transfer_soft_delete_test

import data.builtin.fixture_test as fx
import data.builtin.transfer_soft_delete as p

input_with(removed) := object.union(
	fx.input_of(fx.config([fx.sync("eu-to-us", {})], [fx.inbound("contoso-eu", {})])),
	{"impact": [{"target": "contoso-us", "added": [], "removed": removed, "changed": [], "disabled": [], "staged": [], "restartsJob": []}]},
)

transferred(n) := [object.union(u, {"transferredTo": "members"}) | some u in fx.deleted(n, "contoso-eu", "eu-to-us")]

test_plain_delete_not_warned if {
	count(p.warn) == 0 with input as input_with(fx.deleted(2, "contoso-eu", "eu-to-us"))
}

test_transferred_delete_warns if {
	some f in p.warn with input as input_with(transferred(2))
	contains(f.msg, "soft-deletes 2 users of contoso-us that another configuration transfers in the same cycle: u0@contoso.eu (to members), u1@contoso.eu (to members)")
	contains(f.msg, "turn this configuration's delete action off")
}

test_other_config_not_warned if {
	us := [object.union(u, {"transferredTo": "members"}) | some u in fx.deleted(2, "contoso-eu", "other")]
	count(p.warn) == 0 with input as input_with(us)
}

test_acknowledged if {
	inp := json.patch(input_with(transferred(1)), [{"op": "add", "path": "/head/tenants/contoso-eu/sync/0/acknowledge", "value": ["transfer-soft-delete"]}])
	count(p.warn) == 0 with input as inp
}
