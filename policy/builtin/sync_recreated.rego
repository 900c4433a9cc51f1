# sync-recreated (warn): a change removes a sync configuration and adds another
# for the same source and target, which is how a rename without an id reads.
# Entra then sees a new configuration: the removed one's B2B users stay as
# they are, unmanaged, and the new one fails on each of them
# (managed-by-other-config). Set the configuration's id (its service principal
# object id) to rename it in place.
package builtin.sync_recreated

import data.builtin.lib

warn contains f if {
	some rm in input.changes
	rm.kind == "sync"
	rm.op == "remove"
	some add in input.changes
	add.kind == "sync"
	add.op == "add"
	add.tenant == rm.tenant
	target := object.get(rm.before, "target", "")
	target != ""
	object.get(add.after, "target", "") == target
	not lib.acknowledged(add.after, "sync-recreated")
	f := {
		"msg": sprintf(
			"sync %s/%s replaces %s/%s (same target %s): without an id Entra creates a new configuration; the users %s manages stay as they are and %s fails on them (managed-by-other-config). To rename, set id to the configuration's service principal object id; if a new configuration is intended, add sync-recreated to its acknowledge",
			[add.tenant, add.name, rm.tenant, rm.name, target, rm.name, add.name],
		),
		"tenant": add.tenant,
		"file": add.file,
		"line": max([object.get(add, "line", 1), 1]),
	}
}
