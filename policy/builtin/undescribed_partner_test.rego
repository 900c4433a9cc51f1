package builtin.undescribed_partner_test

import data.builtin.fixture_test as fx
import data.builtin.undescribed_partner as p

guid := "11111111-2222-3333-4444-555555555555"

with_partner(partner) := fx.input_of(json.patch(fx.ok, [{"op": "add", "path": "/tenants/contoso-us/partners/-", "value": partner}]))

test_repo_partners_are_described if {
	count(p.warn) == 0 with input as fx.input_of(fx.ok)
}

test_unknown_guid_with_trust_warns if {
	some f in p.warn with input as with_partner({"tenant": guid, "tenantId": guid, "inbound": {"userSync": false, "autoRedeem": true}})
	contains(f.msg, sprintf("contoso-us: trusts tenant %s, which no file of this repository describes", [guid]))
	f.file == "tenants/contoso-us.yaml"
}

test_unknown_guid_without_trust_is_quiet if {
	count(p.warn) == 0 with input as with_partner({"tenant": guid, "tenantId": guid, "inbound": {"userSync": false, "autoRedeem": false}})
}

test_guid_of_repo_tenant_is_described if {
	count(p.warn) == 0 with input as with_partner({"tenant": upper(fx.eu_id), "tenantId": fx.eu_id, "outbound": {"autoRedeem": true}})
}
