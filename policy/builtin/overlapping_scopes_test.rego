package builtin.overlapping_scopes_test

import data.builtin.fixture_test as fx
import data.builtin.overlapping_scopes as p

two(scope_a, scope_b) := fx.input_of(fx.config(
	[fx.sync("a", {"scope": scope_a}), fx.sync("b", {"scope": scope_b})],
	[fx.inbound("contoso-eu", {})],
))

test_disjoint if {
	count(p.deny) == 0 with input as two({"groups": ["Sales"]}, {"groups": ["Ops"], "users": ["x@contoso.eu"]})
}

test_same_group_case_insensitive if {
	fs := p.deny with input as two({"groups": ["Sales"]}, {"groups": ["sales", "Ops"]})
	count(fs) == 2
	some f in fs
	contains(f.msg, "sync contoso-eu/a: its scope overlaps contoso-eu/b (group sales)")
}

test_same_user if {
	some f in p.deny with input as two({"groups": [], "users": ["Anna@contoso.eu"]}, {"groups": [], "users": ["anna@contoso.eu"]})
	contains(f.msg, "user anna@contoso.eu")
}

test_scope_all_beside_assignment if {
	some f in p.deny with input as two({"all": true, "groups": []}, {"groups": ["Ops"]})
	contains(f.msg, "scope.all covers")
}

test_different_targets_do_not_overlap if {
	inp := json.patch(two({"groups": ["Sales"]}, {"groups": ["Sales"]}), [{"op": "replace", "path": "/head/tenants/contoso-eu/sync/1/target", "value": "contoso-jp"}])
	count(p.deny) == 0 with input as inp
}

test_acknowledged_per_config if {
	inp := json.patch(two({"groups": ["Sales"]}, {"groups": ["Sales"]}), [{"op": "add", "path": "/head/tenants/contoso-eu/sync/0/acknowledge", "value": ["overlapping-scopes"]}])
	fs := p.deny with input as inp
	count(fs) == 1
	some f in fs
	startswith(f.msg, "sync contoso-eu/b:")
}

# Both directions of scope.all beside an assignment, and two scope.all.
test_scope_all_both_directions if {
	fs := p.deny with input as two({"all": true, "groups": []}, {"groups": ["Ops"]})
	count(fs) == 2
	some a in fs
	startswith(a.msg, "sync contoso-eu/a: its scope overlaps contoso-eu/b (scope.all covers every assignment of the other)")
	some b in fs
	startswith(b.msg, "sync contoso-eu/b: its scope overlaps contoso-eu/a (scope.all covers every assignment of the other)")
}

test_both_scope_all if {
	fs := p.deny with input as two({"all": true}, {"all": true})
	count(fs) == 2
	every f in fs {
		contains(f.msg, "(both use scope.all)")
	}
}

# scope.all beside a configuration that assigns nothing (and is not all)
# covers nothing of it.
test_scope_all_beside_empty if {
	count(p.deny) == 0 with input as two({"all": true}, {"groups": []})
}

# Three configurations sharing one group: each is told about both others.
test_three_share_a_group if {
	inp := fx.input_of(fx.config(
		[fx.sync("a", {"scope": {"groups": ["Sales"]}}), fx.sync("b", {"scope": {"groups": ["SALES"]}}), fx.sync("c", {"scope": {"groups": ["sales", "Ops"]}})],
		[fx.inbound("contoso-eu", {})],
	))
	fs := p.deny with input as inp
	count(fs) == 6
}
