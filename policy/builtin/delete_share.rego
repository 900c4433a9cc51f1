# delete-share: one change must not soft-delete more than maxDeleteShare
# (xtsync.yaml, default 0.1) of a target tenant's B2B users. The base
# revision's setting counts when it is stricter, so a change cannot loosen
# its own gate.
package builtin.delete_share

import data.builtin.lib

default max_share := 0.1

max_share := min({share(input.base), share(input.head)}) if {
	share(input.base)
	share(input.head)
} else := share(input.head) if share(input.head)
else := share(input.base) if share(input.base)

share(doc) := s if {
	s := doc.settings.maxDeleteShare
	is_number(s)
}

deny contains f if {
	some imp in lib.list(input, "impact")
	# Only real soft-deletes count: existing target users head's cycle
	# deletes, not the users base's cycle would create and head's never
	# creates. Staged deletions this change causes count: they happen as
	# soon as someone allows them.
	users := array.concat(lib.soft_deleted(imp), lib.staged_deletes(imp))
	staged := count(lib.staged_deletes(imp))
	deleted := count(users)
	deleted > 0
	before := b2b_before(imp)
	before > 0
	deleted / before > max_share
	f := lib.target_finding(imp.target, "", users, sprintf(
		"%s: %s soft-deletes %d of its %s (%s%%%s), more than maxDeleteShare %s%%: check who with xtsync plan or xtsync simulate, then split the change, or raise maxDeleteShare in xtsync.yaml in a change of its own",
		[imp.target, lib.what_deletes, deleted, lib.plural(before, "B2B user", "B2B users"), pct(deleted / before), staged_note(staged), pct(max_share)],
	))
}

# b2b_before: the target's B2B users before the change (after base's cycle)
# = after head's cycle, minus what the change adds, plus everything it
# removes (users base's cycle would create that head's never creates
# included: base's cycle would have them).
b2b_before(imp) := n if {
	some t in input.summary.tenants
	t.name == imp.target
	n := (t.b2bUsers - count(lib.list(imp, "added"))) + count(lib.list(imp, "removed"))
}

staged_note(0) := ""

staged_note(n) := sprintf("; %d of them held back by the deletion threshold until someone allows them", [n]) if n > 0

# pct renders a share as a percentage with one decimal: 0.125 -> "12.5".
pct(x) := sprintf("%d.%d", [floor(t / 10), t % 10]) if t := round(x * 1000)
