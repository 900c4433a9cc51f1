package builtin.inbound_sync_required_test

import data.builtin.fixture_test as fx
import data.builtin.inbound_sync_required as p

test_allowed if {
	count(p.deny) == 0 with input as fx.input_of(fx.ok)
}

test_user_sync_off_denied if {
	head := fx.config([fx.sync("eu-to-us", {})], [fx.inbound("contoso-eu", {"inbound": {"userSync": false}})])
	some f in p.deny with input as fx.input_of(head)
	contains(f.msg, "contoso-us does not allow user sync from contoso-eu")
	contains(f.msg, "tenants/contoso-us.yaml")
	f.file == "tenants/contoso-eu.yaml"
}

test_no_partner_entry_denied if {
	head := fx.config([fx.sync("eu-to-us", {})], [])
	count(p.deny) == 1 with input as fx.input_of(head)
}

test_partner_named_by_tenant_id if {
	head := fx.config([fx.sync("eu-to-us", {})], [fx.inbound(fx.eu_id, {"tenantId": fx.eu_id})])
	count(p.deny) == 0 with input as fx.input_of(head)
}

test_unknown_target_denied if {
	head := fx.config([fx.sync("eu-to-us", {"target": "nowhere"})], [fx.inbound("contoso-eu", {})])
	some f in p.deny with input as fx.input_of(head)
	contains(f.msg, "target nowhere is not a tenant of this repository")
}

test_acknowledged if {
	head := fx.config([fx.sync("eu-to-us", {"acknowledge": ["inbound-sync-required"]})], [])
	count(p.deny) == 0 with input as fx.input_of(head)
}
