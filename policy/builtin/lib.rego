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
# The line is 1 when no line is known: an annotation needs one.
finding(name, path, msg) := {"msg": msg, "tenant": name, "file": tenant_file(name), "line": max([line(name, path), 1])}

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

# staged_deletes: the users an impact entry's "staged" lists whose
# soft-delete the deletion threshold holds back and this change causes:
# not staged disables (reason too-many-deletes) nor held-back creates or
# updates, and not users base's cycle would delete (or hold back) too:
# those are pending without the change.
staged_deletes(imp) := [u |
	some u in list(imp, "staged")
	held(object.get(u, "action", "staged"), object.get(u, "reason", "")) == "delete"
	not pending(u)
]

# pending holds for a disabled or staged user that base's cycle disables,
# deletes or holds back the same way: pending without the change, not
# caused by it (as plan.ImpactUser.Pending).
pending(u) if {
	b := object.get(u, "baseAction", "")
	b != ""
	held(b, object.get(u, "baseReason", "")) == held(object.get(u, "action", ""), object.get(u, "reason", ""))
}

# held is what an action does or, staged, holds back (as plan.HeldBack):
# the simulator stages a disable with reason too-many-deletes (an empty
# reason is read the same way) and a delete with the delete's own reason;
# any other staged row holds back a create, update or restore ("staged").
held(action, reason) := "disable" if {
	action == "staged"
	reason in {"", "too-many-deletes"}
} else := "delete" if {
	action == "staged"
	reason in {"source-deleted", "unassigned", "filtered"}
} else := action

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

# target_finding is a finding about a target tenant, pointed at the change
# that causes the most of it, so that a pull request's annotation lands on
# its diff (the target's own file may be untouched). path is the finding's
# path in the target's file ("" for none); users are the impact entries
# (or {source, config} objects) it counts. In order: a change of the
# target's path; the changed line of the configuration most users come
# from; the target's path; that configuration's position; the target's
# file at line 1. Never no line.
target_finding(target, path, users, msg) := object.union({"msg": msg, "tenant": target}, cause_location(target, path, users))

cause_location(target, path, users) := {"file": c.file, "line": c.line} if {
	path != ""
	cs := [c |
		some c in list(input, "changes")
		c.tenant == target
		object.get(c, "line", 0) > 0
		related_paths(change_path(c), path)
	]
	c := cs[0]
} else := {"file": c.file, "line": c.line} if {
	[source, config] := top_config(users)
	changes := list(input, "changes")
	ranked := sort([[cause_rank(object.get(c, "path", "")), i] |
		some i, c in changes
		c.kind == "sync"
		c.tenant == source
		c.name == config
		object.get(c, "line", 0) > 0
	])
	c := changes[ranked[0][1]]
} else := {"file": tenant_file(target), "line": l} if {
	path != ""
	l := line(target, path)
	l > 0
} else := {"file": tenant_file(source), "line": l} if {
	[source, config] := top_config(users)
	input.head.tenants[source]
	l := line(source, concat(".", ["sync", config]))
	l > 0
} else := {"file": tenant_file(target), "line": 1}

# cause_rank orders a configuration's changes by how directly they decide
# who is in its scope: scope first, then the whole configuration, enabled,
# the target, then the rest (deletionThreshold, mappings …).
cause_rank(path) := 0 if {
	related_paths(path, "scope")
} else := 1 if {
	path in {"", "enabled", "target"}
} else := 2

# change_path is a change's dotted path in its tenant's file.
change_path(c) := concat(".", [x | some x in [kind_key(c.kind), c.name, object.get(c, "path", "")]; x != ""])

kind_key("sync") := "sync"

kind_key("partner") := "partners"

kind_key(k) := "" if not k in {"sync", "partner"}

# related_paths holds when one dotted path is the other or inside it.
related_paths(a, b) if a == b

related_paths(a, b) if startswith(b, concat("", [a, "."]))

related_paths(a, b) if startswith(a, concat("", [b, "."]))

# top_config is [source, config] of the configuration most of users come
# from (ties: the first by name).
top_config(users) := [r[1], r[2]] if {
	keys := {[u.source, object.get(u, "config", "")] | some u in users}
	ranked := sort([[0 - n, k[0], k[1]] |
		some k in keys
		n := count([1 | some u in users; [u.source, object.get(u, "config", "")] == k])
	])
	r := ranked[0]
}

# plural renders a number with its noun: "1 B2B user", "7 B2B users".
plural(n, one, _) := sprintf("1 %s", [one]) if n == 1

plural(n, _, many) := sprintf("%d %s", [n, many]) if n != 1
