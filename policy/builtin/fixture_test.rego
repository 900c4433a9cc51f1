# Test fixtures shared by the built-in policies' tests: a source tenant
# contoso-eu with one sync configuration into contoso-us, which allows it.
package builtin.fixture_test

eu_id := "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"

us_id := "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"

tenant(name, id, partners, syncs) := {
	"name": name, "tenantId": id, "cloud": "global",
	"file": sprintf("tenants/%s.yaml", [name]), "lines": {},
	"partners": partners, "sync": syncs,
}

# sync is a configuration with every default written out, changed by patch.
sync(name, patch) := object.union(
	{
		"source": "contoso-eu", "name": name, "target": "contoso-us", "enabled": true,
		"scope": {"all": false, "groups": ["GlobalEmployees"], "users": [], "filters": []},
		"userType": "Member", "userTypeFlow": "onCreate", "showInAddressList": true,
		"mappings": [], "actions": ["create", "update", "delete"],
		"deletionThreshold": 500, "acknowledge": [],
	},
	patch,
)

inbound(source, patch) := object.union({"tenant": source, "inbound": {"userSync": true, "autoRedeem": true}}, patch)

# config is a head document: contoso-eu with syncs, contoso-us with partners.
config(syncs, partners) := {
	"tenants": {
		"contoso-eu": tenant("contoso-eu", eu_id, [{"tenant": "contoso-us", "tenantId": us_id, "outbound": {"autoRedeem": true}}], syncs),
		"contoso-us": tenant("contoso-us", us_id, partners, []),
	},
	"settings": {"maxDeleteShare": 0.1, "disabledPolicies": []},
}

# ok is a head document no built-in objects to.
ok := config([sync("eu-to-us", {})], [inbound("contoso-eu", {})])

# input_of wraps a head document (base = head) into a policy input.
input_of(head) := {"base": head, "head": head, "changes": [], "impact": [], "summary": {"configs": [], "tenants": [], "pairs": []}, "context": {"now": "2026-11-27T00:00:00Z"}}

# deleted: n users head's cycle soft-deletes, as the plan's impact lists them.
deleted(n, source, config) := [object.union(u, {"action": "delete"}) | some u in users(n, source, config)]

# not_created: n users base's cycle would create and head's never creates.
not_created(n, source, config) := [object.union(u, {"sourceUserId": sprintf("new%s", [u.sourceUserId]), "reason": "not-created"}) | some u in users(n, source, config)]

users(n, source, config) := [{"source": source, "config": config, "sourceUserId": sprintf("u%d", [i]), "sourceUserPrincipalName": sprintf("u%d@contoso.eu", [i]), "reason": "unassigned"} |
	some i in numbers.range(0, n)
	i < n
]
