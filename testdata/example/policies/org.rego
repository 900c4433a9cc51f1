# The organisation's own policies for this example repository. xtsync
# evaluates every package under "xtsync" (Rego v1): deny and violation rules
# block a change (exit 3), warn rules are reported. A rule produces a message
# or an object {msg, tenant, file, line}. See docs/policies.md for the input.
package xtsync.org

# Every sync configuration needs a deletion threshold no larger than 1000, so
# a mistaken scope change can never soft-delete more users than that at once.
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

# Configurations into contoso-us must not map companyName from a free-text
# source attribute: Contoso US's address book groups people by companyName.
deny contains f if {
	some name, t in input.head.tenants
	some sc in t.sync
	sc.target == "contoso-us"
	m := sc.mappings.companyName
	not m.constant
	not m.remove
	f := {
		"msg": sprintf("sync %s/%s: companyName into contoso-us must be a constant (the address book groups people by it)", [name, sc.name]),
		"tenant": name,
		"file": t.file,
		"line": object.get(t.lines, sprintf("sync.%s.mappings.companyName", [sc.name]), 0),
	}
}

# Paused configurations are worth a look in review.
warn contains sprintf("sync %s/%s is paused (enabled: false)", [name, sc.name]) if {
	some name, t in input.head.tenants
	some sc in t.sync
	sc.enabled == false
}
