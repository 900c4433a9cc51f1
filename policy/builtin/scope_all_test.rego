package builtin.scope_all_test

import data.builtin.fixture_test as fx
import data.builtin.scope_all as p

test_assigned_scope_allowed if {
	count(p.deny) == 0 with input as fx.input_of(fx.ok)
}

test_scope_all_denied if {
	head := fx.config([fx.sync("eu-to-us", {"scope": {"all": true}})], [fx.inbound("contoso-eu", {})])
	some f in p.deny with input as fx.input_of(head)
	contains(f.msg, "sync contoso-eu/eu-to-us: scope.all")
	contains(f.msg, "acknowledge")
	f.tenant == "contoso-eu"
}

test_scope_all_points_at_its_line if {
	head := json.patch(
		fx.config([fx.sync("eu-to-us", {"scope": {"all": true}})], [fx.inbound("contoso-eu", {})]),
		[{"op": "add", "path": "/tenants/contoso-eu/lines", "value": {"sync.eu-to-us.scope.all": 24}}],
	)
	some f in p.deny with input as fx.input_of(head)
	f.line == 24
}

test_scope_all_acknowledged if {
	head := fx.config([fx.sync("eu-to-us", {"scope": {"all": true}, "acknowledge": ["scope-all"]})], [fx.inbound("contoso-eu", {})])
	count(p.deny) == 0 with input as fx.input_of(head)
}

test_other_acknowledgement_does_not_silence if {
	head := fx.config([fx.sync("eu-to-us", {"scope": {"all": true}, "acknowledge": ["cross-cloud"]})], [fx.inbound("contoso-eu", {})])
	count(p.deny) == 1 with input as fx.input_of(head)
}
