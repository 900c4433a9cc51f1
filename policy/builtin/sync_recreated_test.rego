package builtin.sync_recreated_test

import data.builtin.sync_recreated as p

remove_eu := {"kind": "sync", "op": "remove", "tenant": "contoso-eu", "name": "eu-to-us", "before": {"name": "eu-to-us", "target": "contoso-us"}, "after": null, "file": "tenants/contoso-eu.yaml", "line": 20}

add_eu2 := {"kind": "sync", "op": "add", "tenant": "contoso-eu", "name": "eu-to-us2", "before": null, "after": {"name": "eu-to-us2", "target": "contoso-us"}, "file": "tenants/contoso-eu.yaml", "line": 21}

test_rename_without_id_warns if {
	some f in p.warn with input as {"changes": [remove_eu, add_eu2]}
	contains(f.msg, "sync contoso-eu/eu-to-us2 replaces contoso-eu/eu-to-us")
	f.line == 21
	f.file == "tenants/contoso-eu.yaml"
}

test_other_target_is_not_a_rename if {
	other := json.patch(add_eu2, [{"op": "replace", "path": "/after/target", "value": "fabrikam-uk"}])
	count(p.warn) == 0 with input as {"changes": [remove_eu, other]}
}

test_other_tenant_is_not_a_rename if {
	other := json.patch(add_eu2, [{"op": "replace", "path": "/tenant", "value": "fabrikam-uk"}])
	count(p.warn) == 0 with input as {"changes": [remove_eu, other]}
}

test_add_alone if {
	count(p.warn) == 0 with input as {"changes": [add_eu2]}
}

test_acknowledged if {
	ack := json.patch(add_eu2, [{"op": "add", "path": "/after/acknowledge", "value": ["sync-recreated"]}])
	count(p.warn) == 0 with input as {"changes": [remove_eu, ack]}
}
