# transfer-soft-delete (warn): one configuration transfers a user (Microsoft's
# guest <-> member switch: the user moved from one configuration's scope to
# another's of the same pair) while the configuration it leaves soft-deletes
# it in the same cycle. The jobs run independently, so the user is
# soft-deleted; Microsoft's advice is to turn the old configuration's Delete
# action off (multi-tenant-organization-known-issues, "B2B guests or B2B
# members managed using cross-tenant synchronization").
package builtin.transfer_soft_delete

import data.builtin.lib

warn contains f if {
	some s in lib.syncs
	not lib.acknowledged(s.sc, "transfer-soft-delete")
	users := sort([sprintf("%s (to %s)", [u.sourceUserPrincipalName, u.transferredTo]) |
		some imp in lib.list(input, "impact")
		imp.target == s.sc.target
		some u in lib.soft_deleted(imp)
		u.source == s.tenant
		object.get(u, "config", "") == s.sc.name
		object.get(u, "transferredTo", "") != ""
	])
	count(users) > 0
	f := lib.sync_finding(s, "actions", sprintf(
		"sync %s soft-deletes %d users of %s that another configuration transfers in the same cycle: %s. The jobs run independently, so they are soft-deleted; turn this configuration's delete action off (actions: [create, update]) as Microsoft advises for moving users between configurations, or add transfer-soft-delete to its acknowledge",
		[lib.key(s), count(users), s.sc.target, concat(", ", users)],
	))
}
