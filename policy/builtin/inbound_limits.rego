# inbound-limits: a target tenant's own guard rails for a source, in its
# partner entry's inbound.limits: maxUsers caps the B2B users from that source
# after a cycle (head's simulation); userTypes lists the userTypes the
# source's configurations may create.
package builtin.inbound_limits

import data.builtin.lib

deny contains f if {
	some target, t in input.head.tenants
	some p in object.get(t, "partners", [])
	max := p.inbound.limits.maxUsers
	is_number(max)
	n := pair_users(p.tenant, target)
	n > max
	# Pointed at a change of the limit, else of the source's configurations
	# into the target (a PR that widens a scope), else at the limit.
	configs := [{"source": s.tenant, "config": s.sc.name} | some s in lib.syncs; s.tenant == p.tenant; s.sc.target == target]
	f := lib.target_finding(target, sprintf("partners.%s.inbound.limits.maxUsers", [p.tenant]), configs, sprintf(
		"%s: %s from %s after a cycle, more than inbound.limits.maxUsers %d: narrow the source's scope, or raise maxUsers in %s",
		[target, lib.plural(n, "B2B user", "B2B users"), p.tenant, max, lib.tenant_file(target)],
	))
}

deny contains f if {
	some s in lib.syncs
	not lib.acknowledged(s.sc, "inbound-limits")
	p := lib.partner(input.head.tenants[s.sc.target], s.tenant)
	allowed := lib.list(object.get(object.get(p, "inbound", {}), "limits", {}), "userTypes")
	count(allowed) > 0
	user_type := object.get(s.sc, "userType", "Member")
	not user_type in allowed
	f := lib.sync_finding(s, "userType", sprintf(
		"sync %s: creates %s users, but %s admits only %s from %s (inbound.limits.userTypes): set userType to one of them",
		[lib.key(s), user_type, s.sc.target, concat(", ", allowed), s.tenant],
	))
}

# pair_users: the B2B users of target from source after head's cycle.
pair_users(source, target) := n if {
	some pr in input.summary.pairs
	pr.source == source
	pr.target == target
	n := pr.b2bUsers
}
