package plan

import (
	"encoding/json"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/tenants"
)

// exampleFS is the example repository as a map, to edit per test.
func exampleFS(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, name := range []string{"xtsync.yaml", "tenants/contoso-eu.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml"} {
		b, err := os.ReadFile(path.Join("../testdata/example", name))
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: b}
	}
	return m
}

// edit replaces old with new in one file of a copy of fsys ("" new with ""
// old deletes the file; an absent file is created with new).
func edit(t testing.TB, fsys fstest.MapFS, file, old, new string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	for k, v := range fsys {
		out[k] = v
	}
	f, ok := out[file]
	switch {
	case !ok:
		out[file] = &fstest.MapFile{Data: []byte(new)}
	case old == "" && new == "":
		delete(out, file)
	default:
		s := string(f.Data)
		if !strings.Contains(s, old) {
			t.Fatalf("edit %s: %q not found", file, old)
		}
		out[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
	}
	return out
}

func load(t testing.TB, fsys fstest.MapFS) *tenants.Repo {
	t.Helper()
	r, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	return r
}

// brief is a change with its values as JSON, for compact expectations.
type brief struct {
	Kind, Op, Tenant, Name, Path string
	Before, After                string
	File                         string
	Line                         int
}

func briefs(cs []Change) []brief {
	out := []brief{}
	for _, c := range cs {
		b, _ := json.Marshal(c.Before)
		a, _ := json.Marshal(c.After)
		out = append(out, brief{c.Kind, c.Op, c.Tenant, c.Name, c.Path, string(b), string(a), c.File, c.Line})
	}
	return out
}

const eu, us, uk = "tenants/contoso-eu.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml"

func TestDiff(t *testing.T) {
	base := exampleFS(t)
	tests := []struct {
		name string
		head fstest.MapFS
		want []brief
	}{
		{"unchanged", base, []brief{}},
		{"scope group removed", edit(t, base, eu, "groups: [GlobalEmployees]", "groups: []"), []brief{
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "scope.groups", `["GlobalEmployees"]`, `[]`, eu, 25},
		}},
		{"scope group replaced, comment edits ignored", edit(t, edit(t, base, eu, "groups: [GlobalEmployees]", "groups: [Sales-All, GlobalEmployees]"), eu, "# the default; without", "# x"), []brief{
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "scope.groups", `["GlobalEmployees"]`, `["Sales-All","GlobalEmployees"]`, eu, 25},
		}},
		{"mappings", edit(t, base, eu, "      jobTitle: { expression: 'ToUpper([jobTitle])' }\n      telephoneNumber: { remove: true }",
			"      jobTitle: { expression: 'ToLower([jobTitle])' }\n      department: { source: department, flow: onCreate }"), []brief{
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "mappings.department", `null`, `{"flow":"onCreate","source":"department"}`, eu, 42},
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "mappings.jobTitle", `{"expression":"ToUpper([jobTitle])"}`, `{"expression":"ToLower([jobTitle])"}`, eu, 41},
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "mappings.telephoneNumber", `{"remove":true}`, `null`, eu, 38},
		}},
		{"filter and threshold", edit(t, edit(t, base, eu, "value: Contractor", "value: Intern"), eu, "deletionThreshold: 500", "deletionThreshold: 0"), []brief{
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "deletionThreshold", `500`, `0`, eu, 44},
			{KindSync, OpModify, "contoso-eu", "eu-to-us", "scope.filters",
				`[{"clauses":[{"attribute":"employeeType","operator":"NOT EQUALS","value":"Contractor"}],"name":"no contractors"}]`,
				`[{"clauses":[{"attribute":"employeeType","operator":"NOT EQUALS","value":"Intern"}],"name":"no contractors"}]`, eu, 27},
		}},
		{"defaults written out", edit(t, base, uk, "    userType: Guest ", "    enabled: false\n    userType: Guest "), []brief{
			{KindSync, OpModify, "fabrikam-uk", "uk-to-us", "enabled", `true`, `false`, uk, 23},
		}},
		{"partner trust", edit(t, edit(t, base, us, "maxUsers: 500\n", "maxUsers: 50\n"), us, "  - tenant: fabrikam-uk\n    inbound:\n      userSync: true", "  - tenant: fabrikam-uk\n    inbound:\n      userSync: false"), []brief{
			{KindPartner, OpModify, "contoso-us", "fabrikam-uk", "inbound.limits.maxUsers", `500`, `50`, us, 32},
			{KindPartner, OpModify, "contoso-us", "fabrikam-uk", "inbound.userSync", `true`, `false`, us, 28},
		}},
		{"settings", edit(t, base, "xtsync.yaml", "maxDeleteShare: 0.1", "maxDeleteShare: 0.5"), []brief{
			{KindSettings, OpModify, "", "xtsync.yaml", "maxDeleteShare", `0.1`, `0.5`, "xtsync.yaml", 7},
		}},
		{"tenant display name", edit(t, base, us, "displayName: Contoso US", "displayName: Contoso USA"), []brief{
			{KindTenant, OpModify, "contoso-us", "contoso-us", "displayName", `"Contoso US"`, `"Contoso USA"`, us, 11},
		}},
	}
	baseRepo := load(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := briefs(Diff(baseRepo, load(t, tt.head)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffAddRemove(t *testing.T) {
	base := exampleFS(t)
	// fabrikam-uk leaves: its file goes, and contoso-us drops its partner entry.
	head := edit(t, base, uk, "", "")
	head = edit(t, head, us, `
  # Fabrikam UK, acquired in 2026: its staff come in as guests only.
  - tenant: fabrikam-uk
    inbound:
      userSync: true
      autoRedeem: true
      limits:
        userTypes: [Guest]
        maxUsers: 500
`, "\n")
	got := Diff(load(t, base), load(t, head))
	want := []brief{
		{KindPartner, OpRemove, "contoso-us", "fabrikam-uk", "", `{"inbound":{"autoRedeem":true,"limits":{"maxUsers":500,"userTypes":["Guest"]},"userSync":true},"tenant":"fabrikam-uk","tenantId":"3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"}`, `null`, us, 26},
		{KindTenant, OpRemove, "fabrikam-uk", "fabrikam-uk", "", `{"cloud":"global","displayName":"Fabrikam UK","initialDomain":"fabrikamuk.onmicrosoft.com","name":"fabrikam-uk","tenantId":"3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"}`, `null`, uk, 6},
		{KindPartner, OpRemove, "fabrikam-uk", "contoso-us", "", `{"outbound":{"autoRedeem":true},"tenant":"contoso-us","tenantId":"6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"}`, `null`, uk, 14},
	}
	gb := briefs(got)
	// The sync removal carries the whole configuration; check it apart.
	if len(gb) != 4 {
		t.Fatalf("got %d changes, want 4: %+v", len(gb), gb)
	}
	last := gb[3]
	if last.Kind != KindSync || last.Op != OpRemove || last.Name != "uk-to-us" || last.File != uk || last.Line != 19 ||
		!strings.Contains(last.Before, `"scope":{"all":false,"filters":[],"groups":["UK-Staff"],"users":[]}`) || last.After != "null" {
		t.Errorf("sync removal = %+v", last)
	}
	if diff := cmp.Diff(want, gb[:3]); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}

	// And back: everything is an add, at head's positions.
	back := briefs(Diff(load(t, head), load(t, base)))
	var ops []string
	for _, b := range back {
		ops = append(ops, b.Kind+" "+b.Op+" "+b.Tenant+"/"+b.Name)
	}
	wantOps := []string{"partner add contoso-us/fabrikam-uk", "tenant add fabrikam-uk/fabrikam-uk", "partner add fabrikam-uk/contoso-us", "sync add fabrikam-uk/uk-to-us"}
	if diff := cmp.Diff(wantOps, ops); diff != "" {
		t.Errorf("reverse Diff (-want +got):\n%s", diff)
	}
}

func TestDiffRenameByID(t *testing.T) {
	const id = "    id: 11111111-2222-3333-4444-555555555555\n"
	base := edit(t, exampleFS(t), uk, "    target: contoso-us\n", id+"    target: contoso-us\n")
	head := edit(t, base, uk, "  - name: uk-to-us", "  - name: fabrikam-to-us")
	got := briefs(Diff(load(t, base), load(t, head)))
	want := []brief{{KindSync, OpModify, "fabrikam-uk", "fabrikam-to-us", "name", `"uk-to-us"`, `"fabrikam-to-us"`, uk, 19}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	// Without an id, a rename is a remove and an add.
	got = briefs(Diff(load(t, exampleFS(t)), load(t, edit(t, exampleFS(t), uk, "  - name: uk-to-us", "  - name: fabrikam-to-us"))))
	if len(got) != 2 || got[0].Op != OpAdd || got[0].Name != "fabrikam-to-us" || got[1].Op != OpRemove || got[1].Name != "uk-to-us" {
		t.Errorf("rename without id = %+v", got)
	}
}

func TestDiffNil(t *testing.T) {
	r := load(t, exampleFS(t))
	if got := Diff(nil, nil); len(got) != 0 {
		t.Errorf("Diff(nil, nil) = %v", got)
	}
	for _, c := range Diff(nil, r) {
		if c.Op != OpAdd {
			t.Errorf("Diff(nil, repo): %+v is not an add", c)
		}
	}
	for _, c := range Diff(r, nil) {
		if c.Op != OpRemove && c.Kind != KindSettings {
			t.Errorf("Diff(repo, nil): %+v is not a remove", c)
		}
	}
}

func TestNormalizedConfig(t *testing.T) {
	got := NormalizedConfig(load(t, exampleFS(t)))
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	ts := back["tenants"].(map[string]any)
	if len(ts) != 3 {
		t.Fatalf("tenants = %v", ts)
	}
	sync := ts["contoso-eu"].(map[string]any)["sync"].([]any)[0].(map[string]any)
	checks := map[string]any{
		"target":                       "contoso-us",
		"source":                       "contoso-eu",
		"deletionThreshold":            500.0,
		"mappings.jobTitle.expression": "ToUpper([jobTitle])",
		"scope.groups":                 []any{"GlobalEmployees"},
	}
	for p, want := range checks {
		var v any = sync
		for _, k := range strings.Split(p, ".") {
			v = v.(map[string]any)[k]
		}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Errorf("%s (-want +got):\n%s", p, diff)
		}
	}
	if f := ts["contoso-us"].(map[string]any)["file"]; f != us {
		t.Errorf("file = %v", f)
	}
	if got := NormalizedConfig(nil); len(got["tenants"].(map[string]any)) != 0 {
		t.Errorf("NormalizedConfig(nil) = %v", got)
	}
}

// FuzzDiff checks the properties of Diff on any tenant file the loader
// accepts: a repository does not differ from itself, and against an empty
// repository every change is an add (or a remove the other way round).
func FuzzDiff(f *testing.F) {
	for _, name := range []string{eu, us, uk} {
		b, err := os.ReadFile(path.Join("../testdata/example", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"tenants/x.yaml": &fstest.MapFile{Data: data}}
		r, _ := tenants.Load(fsys)
		if r == nil {
			return
		}
		if d := Diff(r, r); len(d) != 0 {
			t.Fatalf("Diff(r, r) = %+v", d)
		}
		empty := &tenants.Repo{Settings: r.Settings, Tenants: []*tenants.Tenant{}}
		for _, c := range Diff(empty, r) {
			if c.Op != OpAdd || c.After == nil || c.Before != nil {
				t.Fatalf("Diff(empty, r): %+v", c)
			}
		}
		for _, c := range Diff(r, empty) {
			if c.Op != OpRemove || c.Before == nil || c.After != nil {
				t.Fatalf("Diff(r, empty): %+v", c)
			}
		}
	})
}

// TestDiffOperateKeys: a suspension and a change window show in the plan
// like every other key, at their lines.
func TestDiffOperateKeys(t *testing.T) {
	base := exampleFS(t)
	head := edit(t, base, "tenants/contoso-eu.yaml", "    target: contoso-us", "    target: contoso-us\n    suspend: {until: 2026-12-24T00:00:00Z, reason: merger}")
	head["xtsync.yaml"] = &fstest.MapFile{Data: append(append([]byte{}, base["xtsync.yaml"].Data...),
		"\nwindows:\n  - {name: freeze, kind: deny, schedule: \"0 18 23 12 *\", duration: 256h, timeZone: Europe/Berlin}\n"...)}
	var got []string
	for _, c := range Diff(load(t, base), load(t, head)) {
		b, _ := json.Marshal(c.After)
		got = append(got, c.Kind+" "+c.Name+" "+c.Path+" "+string(b))
	}
	want := []string{
		`settings xtsync.yaml windows [{"configurations":[],"duration":"256h","kind":"deny","name":"freeze","schedule":"0 18 23 12 *","tenants":[],"timeZone":"Europe/Berlin"}]`,
		`sync eu-to-us suspend {"reason":"merger","until":"2026-12-24T00:00:00Z"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
