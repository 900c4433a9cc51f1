# The organisation's own policies, next to xtsync's built-in ones (xtsync
# policy list). xtsync evaluates every package under "xtsync" (Rego v1): a
# deny or violation rule blocks a change (xtsync check exits 3, reconcile
# refuses it), a warn rule is reported. A rule yields a message, or an object
# {msg, tenant, file, line} that points at the line to fix. The input
# document: docs/policies.md, or `xtsync check --dump-input input.json`.
# Test: xtsync policy test (runs org_test.rego).
package xtsync.org

# Every sync configuration needs a deletion threshold of 1 to 1000, so a
# mistaken scope change can never soft-delete more users than that at once.
deny contains f if {
	some name, t in input.head.tenants
	some sc in t.sync
	not threshold_ok(sc.deletionThreshold)
	f := {
		"msg": sprintf("sync %s/%s: deletionThreshold is %d; set 1 to 1000 so a mistake cannot soft-delete more users at once", [name, sc.name, sc.deletionThreshold]),
		"tenant": name,
		"file": t.file,
		"line": object.get(t.lines, sprintf("sync.%s.deletionThreshold", [sc.name]), object.get(t.lines, sprintf("sync.%s", [sc.name]), 0)),
	}
}

threshold_ok(n) if {
	n > 0
	n <= 1000
}

# A change that makes some user a Member of another tenant is worth a second
# look in review: members see more of the directory than guests.
warn contains f if {
	some c in input.changes
	c.kind == "sync"
	endswith(c.path, "userType")
	c.after == "Member"
	f := {"msg": sprintf("sync %s/%s now creates Members (was %v)", [c.tenant, c.name, c.before]), "tenant": c.tenant, "file": c.file, "line": c.line}
}

# Paused configurations are worth a look in review.
warn contains sprintf("sync %s/%s is paused (enabled: false)", [name, sc.name]) if {
	some name, t in input.head.tenants
	some sc in t.sync
	sc.enabled == false
}
