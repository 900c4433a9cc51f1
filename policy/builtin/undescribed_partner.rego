# undescribed-partner (warn): trust granted to a tenant GUID that no file of
# this repository describes. Reviewers cannot tell whose tenant it is.
package builtin.undescribed_partner

import data.builtin.lib

warn contains f if {
	some name, t in input.head.tenants
	some p in object.get(t, "partners", [])
	not input.head.tenants[p.tenant]
	not described(p)
	grants(p)
	f := lib.finding(name, sprintf("partners.%s", [p.tenant]), sprintf(
		"%s: trusts tenant %s, which no file of this repository describes: add tenants/<name>.yaml for it (tenantId, displayName) so reviewers know whose tenant it is",
		[name, p.tenant],
	))
}

described(p) if {
	some other in input.head.tenants
	lower(object.get(other, "tenantId", "")) == lower(object.get(p, "tenantId", p.tenant))
}

grants(p) if p.inbound.userSync == true

grants(p) if p.inbound.autoRedeem == true

grants(p) if p.outbound.autoRedeem == true
