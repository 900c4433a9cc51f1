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
	users := deletions(s)
	n := count(users)
	n > threshold
	f := lib.sync_finding(s, "deletionThreshold", sprintf(
		"sync %s: %s soft-deletes or disables %d users of %s%s, more than its deletionThreshold of %d, so Entra would quarantine the job: split the change, or raise deletionThreshold (or acknowledge deletion-threshold) knowingly",
		[lib.key(s), lib.what_deletes, n, s.sc.target, pending_note(users), threshold],
	))
}

# pending_note says how many of the users are pending without the change
# (base's cycle disables or holds them back too): they count, since
# Entra's threshold counts the whole cycle.
pending_note(users) := "" if {
	count([u | some u in users; lib.pending(u)]) == 0
} else := sprintf(" (%d of them already pending without this change)", [count([u | some u in users; lib.pending(u)])])

# deletions: the users of the configuration that the change
# soft-deletes (removed with action delete: not the users base's cycle would
# create and head's never creates), disables or stages.
deletions(s) := {u |
	some imp in lib.list(input, "impact")
	imp.target == s.sc.target
	some u in affected(imp)
	u.source == s.tenant
	object.get(u, "config", s.sc.name) in {s.sc.name, ""}
}

affected(imp) := array.concat(lib.soft_deleted(imp), array.concat(lib.list(imp, "disabled"), lib.list(imp, "staged")))
