# deletion-threshold: the users a change would soft-delete, disable or hold
# back (staged) for one configuration must not outnumber its
# deletionThreshold. Entra would quarantine the job; the change is better
# split, or the threshold raised knowingly.
package builtin.deletion_threshold

import data.builtin.lib

deny contains f if {
	some s in lib.syncs
	threshold := object.get(s.sc, "deletionThreshold", 500)
	threshold > 0
	not lib.acknowledged(s.sc, "deletion-threshold")
	n := count(deletions(s))
	n > threshold
	f := lib.sync_finding(s, "deletionThreshold", sprintf(
		"sync %s: %s soft-deletes or disables %d users of %s, more than its deletionThreshold of %d, so Entra would quarantine the job: split the change, or raise deletionThreshold (or acknowledge deletion-threshold) knowingly",
		[lib.key(s), lib.what_deletes, n, s.sc.target, threshold],
	))
}

# deletions: the source user ids of the configuration that the change
# soft-deletes (removed with action delete: not the users base's cycle would
# create and head's never creates), disables or stages.
deletions(s) := {u.sourceUserId |
	some imp in lib.list(input, "impact")
	imp.target == s.sc.target
	some u in affected(imp)
	u.source == s.tenant
	object.get(u, "config", s.sc.name) in {s.sc.name, ""}
}

affected(imp) := array.concat(lib.soft_deleted(imp), array.concat(lib.list(imp, "disabled"), lib.list(imp, "staged")))
