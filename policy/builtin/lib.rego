# Shared helpers of xtsync's built-in policies. Not a policy itself: it has
# no deny or warn rule.
#
# The helpers read the input document of DESIGN §6 and accept both the shape
# policy.Document builds (tenant objects with "file" and "lines") and a bare
# normalised config without positions.
package builtin.lib

# syncs: every sync configuration of head, with the tenant that declares it.
syncs contains s if {
	some name, t in input.head.tenants
	some sc in object.get(t, "sync", [])
	s := {"tenant": name, "sc": sc}
}

# tenant_file is the repository path of a tenant's file.
tenant_file(name) := object.get(input.head.tenants[name], "file", sprintf("tenants/%s.yaml", [name]))

tenant_file(name) := sprintf("tenants/%s.yaml", [name]) if not input.head.tenants[name]

# line is the line of the dotted path in a tenant's file, or of its nearest
# ancestor that has one, or 0.
line(name, path) := l if {
	lines := object.get(input.head.tenants[name], "lines", {})
	parts := split(path, ".")
	found := [x |
		some i in numbers.range(count(parts), 1)
		x := lines[concat(".", array.slice(parts, 0, i))]
	]
	l := found[0]
} else := 0

# finding is the object a built-in rule produces.
finding(name, path, msg) := {"msg": msg, "tenant": name, "file": tenant_file(name), "line": line(name, path)}

# sync_finding is a finding about a sync configuration, at path below it.
sync_finding(s, path, msg) := finding(s.tenant, concat(".", ["sync", s.sc.name, path]), msg)

# list is o[k] when it is an array, else [] (missing or null).
list(o, k) := v if {
	v := o[k]
	is_array(v)
} else := []

# soft_deleted: the users an impact entry's "removed" lists that head's cycle
# really soft-deletes (action delete): existing target users. The other
# removed users are ones base's cycle would create, restore or adopt and
# head's leaves alone (reason not-created …): nothing of the target's is
# deleted for them.
soft_deleted(imp) := [u |
	some u in list(imp, "removed")
	object.get(u, "action", "") == "delete"
]

# acknowledged holds when the configuration lists the built-in id in acknowledge.
acknowledged(sc, id) if id in object.get(sc, "acknowledge", [])

# key names a configuration the way every message does: "contoso-eu/eu-to-us".
key(s) := sprintf("%s/%s", [s.tenant, s.sc.name])

# partner is the entry of tenant t for the partner named (repo name or tenant id).
partner(t, name) := p if {
	some p in object.get(t, "partners", [])
	partner_matches(p, name)
}

partner_matches(p, name) if p.tenant == name

partner_matches(p, name) if {
	id := object.get(input.head.tenants[name], "tenantId", "")
	id != ""
	lower(object.get(p, "tenantId", "")) == lower(id)
}

# cloud of a repo tenant (global by default).
cloud(name) := object.get(input.head.tenants[name], "cloud", "global")

# mapping_targets: the target attributes a configuration's mappings write,
# whether mappings is a list of {target, ...} or an object keyed by target.
mapping_targets(sc) := {t |
	some k, m in object.get(sc, "mappings", [])
	t := mapping_target(k, m)
}

mapping_target(_, m) := m.target if is_object(m)

mapping_target(k, m) := k if {
	is_string(k)
	not is_string(object.get(m, "target", null))
}

# mapping_removed holds when the mapping deletes the attribute's mapping.
mapping_removed(sc, target) if {
	some k, m in object.get(sc, "mappings", [])
	mapping_target(k, m) == target
	removed(m)
}

removed(m) if m.kind == "remove"

removed(m) if m.remove == true

# what_deletes names what does the deleting: a change between two revisions,
# or, when one revision is checked alone, its next provisioning cycle.
what_deletes := "this change" if {
	changes := object.get(input, "changes", [])
	is_array(changes)
	count(changes) > 0
}

else := "the next provisioning cycle"
