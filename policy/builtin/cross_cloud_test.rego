package builtin.cross_cloud_test

import data.builtin.cross_cloud as p
import data.builtin.fixture_test as fx

test_same_cloud if {
	count(p.warn) == 0 with input as fx.input_of(fx.ok)
}

test_cross_cloud_warns if {
	head := json.patch(fx.ok, [{"op": "replace", "path": "/tenants/contoso-us/cloud", "value": "usgov"}])
	some f in p.warn with input as fx.input_of(head)
	contains(f.msg, "contoso-eu is in the global cloud and contoso-us in usgov")
}

test_missing_cloud_is_global if {
	head := json.remove(fx.ok, ["tenants/contoso-us/cloud"])
	count(p.warn) == 0 with input as fx.input_of(head)
}

test_acknowledged if {
	head := json.patch(fx.ok, [
		{"op": "replace", "path": "/tenants/contoso-us/cloud", "value": "china"},
		{"op": "add", "path": "/tenants/contoso-eu/sync/0/acknowledge", "value": ["cross-cloud"]},
	])
	count(p.warn) == 0 with input as fx.input_of(head)
}
