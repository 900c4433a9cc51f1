package builtin.lib_test

import data.builtin.fixture_test as fx
import data.builtin.lib

test_line_nearest_ancestor if {
	head := json.patch(fx.ok, [{"op": "add", "path": "/tenants/contoso-eu/lines", "value": {"sync.eu-to-us": 20, "sync.eu-to-us.scope": 23}}])
	lib.line("contoso-eu", "sync.eu-to-us.scope.all") == 23 with input as fx.input_of(head)
	lib.line("contoso-eu", "sync.eu-to-us.target") == 20 with input as fx.input_of(head)
	lib.line("contoso-eu", "partners") == 0 with input as fx.input_of(head)
}

test_file_defaults_to_convention if {
	head := json.remove(fx.ok, ["tenants/contoso-eu/file"])
	lib.tenant_file("contoso-eu") == "tenants/contoso-eu.yaml" with input as fx.input_of(head)
	lib.tenant_file("nowhere") == "tenants/nowhere.yaml" with input as fx.input_of(head)
}

test_mapping_targets_list_and_object if {
	lib.mapping_targets({"mappings": [{"target": "jobTitle", "kind": "source"}]}) == {"jobTitle"}
	lib.mapping_targets({"mappings": {"jobTitle": {"source": "title"}}}) == {"jobTitle"}
	lib.mapping_targets({}) == set()
}

test_partner_by_tenant_id if {
	us := fx.ok.tenants["contoso-us"]
	p := {"tenant": fx.eu_id, "tenantId": fx.eu_id, "inbound": {"userSync": true}}
	t := object.union(us, {"partners": [p]})
	lib.partner(t, "contoso-eu") == p with input as fx.input_of(fx.ok)
}

test_list if {
	lib.list({"a": [1]}, "a") == [1]
	lib.list({"a": null}, "a") == []
	lib.list({}, "a") == []
}

test_soft_deleted_only_action_delete if {
	imp := {"removed": [
		{"sourceUserId": "a", "action": "delete", "reason": "unassigned"},
		{"sourceUserId": "b", "reason": "not-created"},
		{"sourceUserId": "c", "action": "skip", "reason": "filtered"},
	]}
	[u.sourceUserId | some u in lib.soft_deleted(imp)] == ["a"]
	lib.soft_deleted({}) == []
}

# pending: base's cycle does or holds back the same (plan.ImpactUser.Pending).
test_pending if {
	lib.pending({"action": "disable", "reason": "", "baseAction": "disable"})
	lib.pending({"action": "disable", "reason": "", "baseAction": "staged", "baseReason": ""})
	lib.pending({"action": "staged", "reason": "unassigned", "baseAction": "delete", "baseReason": "unassigned"})
	lib.pending({"action": "staged", "reason": "", "baseAction": "disable"})
	not lib.pending({"action": "staged", "reason": "unassigned", "baseAction": "disable"})
	not lib.pending({"action": "staged", "reason": "unassigned", "baseAction": "update"})
	not lib.pending({"action": "staged", "reason": "unassigned"})
	# The simulator stages a disable with reason too-many-deletes.
	lib.pending({"action": "staged", "reason": "too-many-deletes", "baseAction": "disable"})
	lib.pending({"action": "disable", "reason": "", "baseAction": "staged", "baseReason": "too-many-deletes"})
	not lib.pending({"action": "staged", "reason": "too-many-deletes", "baseAction": "delete", "baseReason": "unassigned"})
	# A held-back create is neither a delete nor a disable.
	not lib.pending({"action": "staged", "reason": "cycle-held-back", "baseAction": "create"})
}

# staged_deletes: staged deletes the change causes, not staged disables,
# held-back creates, or deletes base's cycle makes too.
test_staged_deletes if {
	imp := {"staged": [
		{"sourceUserId": "a", "action": "staged", "reason": "unassigned", "baseAction": "update"},
		{"sourceUserId": "b", "action": "staged", "reason": "too-many-deletes", "baseAction": "update"},
		{"sourceUserId": "c", "action": "staged", "reason": "too-many-deletes"},
		{"sourceUserId": "d", "action": "staged", "reason": "cycle-held-back"},
		{"sourceUserId": "e", "action": "staged", "reason": "filtered", "baseAction": "delete", "baseReason": "unassigned"},
		{"sourceUserId": "f", "action": "staged", "reason": "source-deleted"},
	]}
	[u.sourceUserId | some u in lib.staged_deletes(imp)] == ["a", "f"]
}

test_plural if {
	lib.plural(1, "B2B user", "B2B users") == "1 B2B user"
	lib.plural(0, "B2B user", "B2B users") == "0 B2B users"
	lib.plural(7, "B2B user", "B2B users") == "7 B2B users"
}
