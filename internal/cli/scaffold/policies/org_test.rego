# Tests of org.rego: xtsync policy test runs every test_ rule, as opa test
# does. Each builds the smallest input the rule reads.
package xtsync.org_test

import data.xtsync.org

tenant(syncs) := {"src": {"file": "tenants/src.yaml", "lines": {"sync.to-dst.deletionThreshold": 30}, "sync": syncs}}

# sync is a configuration with patch merged in.
sync(patch) := object.union({"name": "to-dst", "target": "dst", "enabled": true, "deletionThreshold": 500}, patch)

test_default_threshold_allowed if {
	count(org.deny) == 0 with input as {"head": {"tenants": tenant([sync({})])}}
}

test_threshold_off_denied if {
	some f in org.deny with input as {"head": {"tenants": tenant([sync({"deletionThreshold": 0})])}}
	contains(f.msg, "deletionThreshold is 0")
	f.line == 30
}

test_threshold_too_high_denied if {
	count(org.deny) == 1 with input as {"head": {"tenants": tenant([sync({"deletionThreshold": 5000})])}}
}

test_member_change_warns if {
	change := {"kind": "sync", "op": "modify", "tenant": "src", "name": "to-dst", "path": "userType", "before": "Guest", "after": "Member", "file": "tenants/src.yaml", "line": 12}
	some f in org.warn with input as {"head": {"tenants": tenant([sync({})])}, "changes": [change]}
	f.msg == "sync src/to-dst now creates Members (was Guest)"
	f.line == 12
}

test_paused_warns if {
	org.warn == {"sync src/to-dst is paused (enabled: false)"} with input as {"head": {"tenants": tenant([sync({"enabled": false})])}, "changes": []}
}
