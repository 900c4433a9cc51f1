# inbound-sync-required: a sync configuration needs its target to allow user
# sync from its source (the target's partner entry with inbound.userSync:
# true), and its target must be a tenant of this repository. Without it Entra
# refuses to provision: the job never syncs anyone.
package builtin.inbound_sync_required

import data.builtin.lib

deny contains f if {
	some s in lib.syncs
	not lib.acknowledged(s.sc, "inbound-sync-required")
	not input.head.tenants[s.sc.target]
	f := lib.sync_finding(s, "target", sprintf(
		"sync %s: target %s is not a tenant of this repository: add tenants/%s.yaml with a partner entry for %s that sets inbound.userSync: true",
		[lib.key(s), s.sc.target, s.sc.target, s.tenant],
	))
}

deny contains f if {
	some s in lib.syncs
	not lib.acknowledged(s.sc, "inbound-sync-required")
	target := input.head.tenants[s.sc.target]
	not allowed(target, s.tenant)
	f := lib.sync_finding(s, "target", sprintf(
		"sync %s: %s does not allow user sync from %s: set inbound.userSync: true on its partner entry for %s in %s",
		[lib.key(s), s.sc.target, s.tenant, s.tenant, lib.tenant_file(s.sc.target)],
	))
}

allowed(target, source) if lib.partner(target, source).inbound.userSync == true
