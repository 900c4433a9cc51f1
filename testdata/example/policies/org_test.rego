package xtsync.org_test

import data.xtsync.org

tenant(syncs) := {"contoso-eu": {"file": "tenants/contoso-eu.yaml", "lines": {"sync.eu-to-us.deletionThreshold": 44}, "sync": syncs}}

# sync is a configuration into contoso-us; object.union merges patch in
# recursively.
sync(patch) := object.union(
	{"name": "eu-to-us", "target": "contoso-us", "enabled": true, "deletionThreshold": 500, "mappings": {"companyName": {"constant": "Contoso Europe"}}},
	patch,
)

test_default_threshold_allowed if {
	count(org.deny) == 0 with input as {"head": {"tenants": tenant([sync({})])}}
}

test_threshold_off_denied if {
	some f in org.deny with input as {"head": {"tenants": tenant([sync({"deletionThreshold": 0})])}}
	contains(f.msg, "deletionThreshold is 0")
	f.line == 44
}

test_threshold_too_high_denied if {
	count(org.deny) == 1 with input as {"head": {"tenants": tenant([sync({"deletionThreshold": 5000})])}}
}

test_company_name_from_attribute_denied if {
	sc := json.patch(sync({}), [{"op": "replace", "path": "/mappings/companyName", "value": {"source": "department"}}])
	some f in org.deny with input as {"head": {"tenants": tenant([sc])}}
	contains(f.msg, "companyName into contoso-us must be a constant")
}

test_paused_warns if {
	org.warn == {"sync contoso-eu/eu-to-us is paused (enabled: false)"} with input as {"head": {"tenants": tenant([sync({"enabled": false})])}}
}
