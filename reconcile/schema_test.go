package reconcile

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/tenants"
)

// TestMergeSchemaKeepsWhatItDoesNotManage: MergeSchema round-trips the
// live schema — directories (with an extension attribute an operator
// added), rule metadata, the group mapping, unknown fields, the other keys
// of a mapping it rewrites, the engine's matching mapping — and changes only
// the user mapping's flowTypes, scope groups and attribute mappings; the
// mappings the repository does not name are the template's
// (template-schema.json, the emulator's template), and a second merge
// changes nothing.
func TestMergeSchemaKeepsWhatItDoesNotManage(t *testing.T) {
	var live map[string]any
	if err := json.Unmarshal(TemplateSchema(), &live); err != nil {
		t.Fatal(err)
	}
	live["x-unknown"] = "kept"
	for _, d := range live["directories"].([]any) {
		user := d.(map[string]any)["objects"].([]any)[0].(map[string]any)
		user["attributes"] = append(user["attributes"].([]any), map[string]any{"name": "extension_abc_costCenter", "type": "String"})
	}
	rule := live["synchronizationRules"].([]any)[0].(map[string]any)
	rule["metadata"] = append(rule["metadata"].([]any), map[string]any{"key": "custom", "value": "1"})
	groups := rule["objectMappings"].([]any)[1].(map[string]any)
	groups["enabled"] = true
	groups["attributeMappings"] = []any{map[string]any{"targetAttributeName": "displayName", "source": map[string]any{"type": "Attribute", "name": "displayName"}}}
	user := userObjectMapping(live)
	for _, m := range user["attributeMappings"].([]any) {
		switch am := m.(map[string]any); am["targetAttributeName"] {
		case "department":
			am["defaultValue"] = "n/a"
		case "alternativeSecurityIds":
			am["flowBehavior"] = "FlowAlways"
		}
	}
	base, _ := json.Marshal(live)

	sc := &tenants.SyncConfig{Source: "contoso-eu", Name: "eu-to-us", UserType: "Member", UserTypeFlow: tenants.FlowOnCreate,
		ShowInAddressList: true, Actions: []tenants.Action{tenants.ActionCreate, tenants.ActionUpdate},
		Mappings: []tenants.Mapping{
			{Target: "extension_abc_costCenter", Kind: tenants.MappingSource, Value: "extension_abc_costCenter", Flow: tenants.FlowAlways},
			{Target: "telephoneNumber", Kind: tenants.MappingRemove},
		}}
	merged, err := MergeSchema(base, sc)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(merged, &got); err != nil {
		t.Fatal(err)
	}

	// Everything but the three managed paths is live's.
	strip := func(s map[string]any) map[string]any {
		var c map[string]any
		b, _ := json.Marshal(s)
		_ = json.Unmarshal(b, &c)
		om := userObjectMapping(c)
		delete(om, "flowTypes")
		delete(om["scope"].(map[string]any), "groups")
		delete(om, "attributeMappings")
		return c
	}
	if diff := cmp.Diff(strip(live), strip(got)); diff != "" {
		t.Errorf("unmanaged paths changed (-live +merged):\n%s", diff)
	}

	// The managed mappings: the template's, the repository's changes, and
	// the other keys of a mapping live has.
	var tmpl map[string]any
	_ = json.Unmarshal(TemplateSchema(), &tmpl)
	want := map[string]string{}
	for _, m := range userObjectMapping(tmpl)["attributeMappings"].([]any) {
		am := m.(map[string]any)
		want[str(am["targetAttributeName"])] = str(am["source"].(map[string]any)["expression"])
	}
	delete(want, "telephoneNumber")
	want["extension_abc_costCenter"] = "[extension_abc_costCenter]"
	gotExpr := map[string]string{}
	for _, m := range userObjectMapping(got)["attributeMappings"].([]any) {
		am := m.(map[string]any)
		gotExpr[str(am["targetAttributeName"])] = str(am["source"].(map[string]any)["expression"])
		switch am["targetAttributeName"] {
		case "department":
			if am["defaultValue"] != "n/a" {
				t.Errorf("department mapping lost its other keys: %v", am)
			}
		case "alternativeSecurityIds":
			if am["flowBehavior"] != "FlowAlways" {
				t.Errorf("the engine's matching mapping was rewritten: %v", am)
			}
		}
	}
	if diff := cmp.Diff(want, gotExpr); diff != "" {
		t.Errorf("mappings (-want +got):\n%s", diff)
	}
	if userObjectMapping(got)["flowTypes"] != "Add, Update" {
		t.Errorf("flowTypes %v", userObjectMapping(got)["flowTypes"])
	}

	again, err := MergeSchema(merged, sc)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := NormalizeSchema(again)
	m, _ := NormalizeSchema(merged)
	if string(a) != string(m) {
		t.Errorf("a second merge changed the schema")
	}
}
