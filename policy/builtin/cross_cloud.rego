# cross-cloud (warn): a sync between tenants of different Microsoft clouds
# (global, usgov, china) needs an Entra ID Governance licence and cannot sync
# manager or groups.
package builtin.cross_cloud

import data.builtin.lib

warn contains f if {
	some s in lib.syncs
	input.head.tenants[s.sc.target]
	not lib.acknowledged(s.sc, "cross-cloud")
	lib.cloud(s.tenant) != lib.cloud(s.sc.target)
	f := lib.sync_finding(s, "target", sprintf(
		"sync %s: %s is in the %s cloud and %s in %s: cross-cloud sync needs an Entra ID Governance licence and does not sync manager or groups (add cross-cloud to acknowledge once checked)",
		[lib.key(s), s.tenant, lib.cloud(s.tenant), s.sc.target, lib.cloud(s.sc.target)],
	))
}
