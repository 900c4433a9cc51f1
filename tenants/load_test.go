package tenants

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

const exampleDir = "../testdata/example"

// exampleFS returns the example repository's config files in memory.
func exampleFS(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, name := range []string{"xtsync.yaml", "tenants/contoso-eu.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml"} {
		data, err := os.ReadFile(filepath.Join(exampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: data}
	}
	return m
}

// render prints diagnostics the way the golden files hold them.
func render(ds Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + " [" + d.Code + "]\n")
	}
	return b.String()
}

// TestLoadBad loads each case of testdata/bad on top of the example
// repository and compares the diagnostics with the golden file. A NAME.yaml
// case is added as tenants/bad.yaml; a NAME.txtar case adds (or replaces)
// its files, and a bare-NAME.txtar case starts from an empty repository.
func TestLoadBad(t *testing.T) {
	cases, err := filepath.Glob("testdata/bad/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range cases {
		ext := filepath.Ext(file)
		if ext != ".yaml" && ext != ".txtar" {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(file), ext)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := exampleFS(t)
			if strings.HasPrefix(name, "bare-") {
				fsys = fstest.MapFS{}
			}
			if ext == ".yaml" {
				fsys["tenants/bad.yaml"] = &fstest.MapFile{Data: data}
			} else {
				for _, f := range txtar.Parse(data).Files {
					fsys[f.Name] = &fstest.MapFile{Data: f.Data}
				}
			}
			_, ds := Load(fsys)
			got := render(ds)
			golden := strings.TrimSuffix(file, ext) + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
			for _, d := range ds {
				// hunter2 marks a secret in a file that is not
				// configuration: no message may quote it.
				if strings.Contains(d.Message, "hunter2") {
					t.Errorf("a diagnostic quotes the secret: %s", d)
				}
				if d.Pos.File == "" || d.Code == "" || d.Message == "" {
					t.Errorf("diagnostic without file, code or message: %+v", d)
				}
				if d.Pos.File != TenantsDir && (d.Pos.Line < 1 || d.Pos.Col < 1) {
					t.Errorf("diagnostic of a file without line and column: %s", d)
				}
			}
		})
	}
	if n < 10 {
		t.Fatalf("found %d cases in testdata/bad", n)
	}
}

// TestLoadInputLimits covers inputs a text file cannot hold well.
func TestLoadInputLimits(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"binary", []byte("apiVersion: xtsync/v1\nkind: \x00Tenant\n"), "tenants/bad.yaml:2:7: error: binary file (NUL byte): want YAML text [not-text]\n"},
		{"latin1", []byte("apiVersion: xtsync/v1\nkind: Tenant\ndisplayName: Caf\xe9\n"), "tenants/bad.yaml:3:17: error: invalid UTF-8: YAML files must be UTF-8 text [not-utf8]\n"},
		{"too large", append([]byte("apiVersion: xtsync/v1\n"), bytes.Repeat([]byte("# padding\n"), MaxFileSize/10)...), "tenants/bad.yaml:1:1: error: read tenants/bad.yaml: file is larger than 1048576 bytes (1 MiB) [file-too-large]\n"},
		// yaml.v3 gives a line but no column: column 1.
		{"too deep", []byte("apiVersion: xtsync/v1\nkind: Tenant\nname: bad\nsync: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"),
			"tenants/bad.yaml:4:1: error: invalid YAML: exceeded max depth of 10000 [yaml-syntax]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := exampleFS(t)
			fsys["tenants/bad.yaml"] = &fstest.MapFile{Data: tt.data}
			_, ds := Load(fsys)
			if diff := cmp.Diff(tt.want, render(ds)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// ignorePos leaves out what only locates a value.
var ignorePos = cmp.Options{
	cmpopts.IgnoreFields(Tenant{}, "Pos", "Paths"),
	cmpopts.IgnoreFields(Partner{}, "Pos"),
	cmpopts.IgnoreFields(SyncConfig{}, "Pos"),
	cmpopts.IgnoreFields(Filter{}, "Pos"),
	cmpopts.IgnoreFields(Clause{}, "Pos"),
	cmpopts.IgnoreFields(Mapping{}, "Pos", "Expr"),
	cmpopts.IgnoreFields(Settings{}, "Pos"),
	cmpopts.IgnoreFields(Suspend{}, "Pos", "UntilPos"),
	cmpopts.IgnoreFields(Window{}, "Pos", "TenantPos", "ConfigPos"),
	cmpopts.IgnoreFields(IgnoreRule{}, "Pos"),
	cmpopts.IgnoreFields(Webhook{}, "Pos"),
}

func intp(i int) *int { return &i }

func TestLoadExample(t *testing.T) {
	repo, ds := Load(os.DirFS(exampleDir))
	if len(ds) > 0 {
		t.Fatalf("the example repository has diagnostics:\n%s", render(ds))
	}
	always, onCreate := FlowAlways, FlowOnCreate
	_ = onCreate
	want := &Repo{
		Settings: Settings{
			Policies: []string{"policies"}, DisabledPolicies: []string{}, Snapshots: "snapshots",
			IgnorePartners: []string{}, MaxDeleteShare: 0.1, File: "xtsync.yaml",
			Notifications: Notifications{NearThreshold: 0.8, Webhooks: []Webhook{}},
		},
		Tenants: []*Tenant{
			{
				Name: "contoso-eu", TenantID: "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c", DisplayName: "Contoso Europe",
				InitialDomain: "contosoeu.onmicrosoft.com", Cloud: CloudGlobal, File: "tenants/contoso-eu.yaml",
				Partners: []*Partner{{Tenant: "contoso-us", TenantID: "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90", Outbound: &Outbound{AutoRedeem: true}}},
				Sync: []*SyncConfig{{
					Source: "contoso-eu", Name: "eu-to-us", Target: "contoso-us", Enabled: true,
					Scope: Scope{Groups: []string{"GlobalEmployees"}, Users: []string{}, Filters: []Filter{{
						Name: "no contractors", Clauses: []Clause{{Attribute: "employeeType", Operator: OpNotEquals, Value: "Contractor"}},
					}}},
					UserType: "Member", UserTypeFlow: FlowOnCreate, ShowInAddressList: true,
					Mappings: []Mapping{
						{Target: "companyName", Kind: MappingConstant, Value: "Contoso Europe", Flow: always},
						{Target: "employeeType", Kind: MappingSource, Value: "employeeType", Flow: always},
						{Target: "jobTitle", Kind: MappingExpression, Value: "ToUpper([jobTitle])", Flow: always},
						{Target: "telephoneNumber", Kind: MappingRemove, Flow: always},
					},
					Actions:           []Action{ActionCreate, ActionUpdate, ActionDelete},
					DeletionThreshold: 500, Acknowledge: []string{},
				}},
			},
			{
				Name: "contoso-us", TenantID: "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90", DisplayName: "Contoso US",
				InitialDomain: "contosous.onmicrosoft.com", Cloud: CloudGlobal, File: "tenants/contoso-us.yaml",
				Partners: []*Partner{
					{Tenant: "contoso-eu", TenantID: "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c", Inbound: &Inbound{UserSync: true, AutoRedeem: true,
						Limits: &Limits{UserTypes: []string{"Member", "Guest"}, MaxUsers: intp(5000)}}},
					{Tenant: "fabrikam-uk", TenantID: "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d", Inbound: &Inbound{UserSync: true, AutoRedeem: true,
						Limits: &Limits{UserTypes: []string{"Guest"}, MaxUsers: intp(500)}}},
				},
				Sync: []*SyncConfig{},
			},
			{
				Name: "fabrikam-uk", TenantID: "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d", DisplayName: "Fabrikam UK",
				InitialDomain: "fabrikamuk.onmicrosoft.com", Cloud: CloudGlobal, File: "tenants/fabrikam-uk.yaml",
				Partners: []*Partner{{Tenant: "contoso-us", TenantID: "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90", Outbound: &Outbound{AutoRedeem: true}}},
				Sync: []*SyncConfig{{
					Source: "fabrikam-uk", Name: "uk-to-us", Target: "contoso-us", Enabled: true,
					Scope:    Scope{Groups: []string{"UK-Staff"}, Users: []string{}, Filters: []Filter{}},
					UserType: "Guest", UserTypeFlow: FlowOnCreate, ShowInAddressList: true,
					Mappings: []Mapping{{Target: "companyName", Kind: MappingConstant, Value: "Fabrikam UK", Flow: always}},
					Actions:  []Action{ActionCreate, ActionUpdate, ActionDelete}, DeletionThreshold: 500, Acknowledge: []string{},
				}},
			},
		},
	}
	if diff := cmp.Diff(want, repo, ignorePos); diff != "" {
		t.Errorf("model mismatch (-want +got):\n%s", diff)
	}

	eu := repo.Tenant("contoso-eu")
	if got, want := eu.PathPos("sync.eu-to-us.scope.groups").String(), "tenants/contoso-eu.yaml:25:7"; got != want {
		t.Errorf("PathPos(scope.groups) = %s, want %s", got, want)
	}
	if got, want := eu.PathPos("sync.eu-to-us.mappings.jobTitle.expression").String(), "tenants/contoso-eu.yaml:41:19"; got != want {
		t.Errorf("PathPos(jobTitle) = %s, want %s", got, want)
	}
	us := repo.Tenant("6B6F7A2E-0D4B-4C36-9A55-2F4E7D3C1A90")
	if us == nil || us.Name != "contoso-us" {
		t.Fatalf("Tenant(upper-case GUID) = %v, want contoso-us", us)
	}
	if got, want := us.PathPos("partners.fabrikam-uk.inbound.userSync").String(), "tenants/contoso-us.yaml:28:7"; got != want {
		t.Errorf("PathPos(partner userSync) = %s, want %s", got, want)
	}
	for _, m := range eu.Sync[0].Mappings {
		if (m.Expr == nil) != (m.Kind == MappingRemove) {
			t.Errorf("mapping %s: Expr = %v", m.Target, m.Expr)
		}
	}
	var keys []string
	for _, sc := range repo.SyncConfigs() {
		keys = append(keys, sc.Key())
	}
	if diff := cmp.Diff([]string{"contoso-eu/eu-to-us", "fabrikam-uk/uk-to-us"}, keys); diff != "" {
		t.Errorf("SyncConfigs (-want +got):\n%s", diff)
	}
}

// TestLoadResolvesGUIDPartner: a partner given as the GUID of a repo tenant
// is resolved to its name, and its paths follow.
func TestLoadResolvesGUIDPartner(t *testing.T) {
	fsys := exampleFS(t)
	data := strings.Replace(string(fsys["tenants/contoso-eu.yaml"].Data), "  - tenant: contoso-us", "  - tenant: 6B6F7A2E-0D4B-4C36-9A55-2F4E7D3C1A90", 1)
	fsys["tenants/contoso-eu.yaml"] = &fstest.MapFile{Data: []byte(data)}
	repo, ds := Load(fsys)
	if len(ds) > 0 {
		t.Fatalf("diagnostics:\n%s", render(ds))
	}
	p := repo.Tenant("contoso-eu").Partners[0]
	if p.Tenant != "contoso-us" || p.TenantID != "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90" {
		t.Errorf("partner = %q %q, want contoso-us and its lower-case id", p.Tenant, p.TenantID)
	}
	if _, ok := repo.Tenant("contoso-eu").Paths["partners.contoso-us.outbound.autoRedeem"]; !ok {
		t.Errorf("paths not renamed to the resolved name: %v", repo.Tenant("contoso-eu").Paths)
	}
}

// TestLoadDuplicateKeepsFirstPositions: a second entry with the name of an
// earlier one is reported at its own line, and never moves the positions of
// the first: the first's errors and Paths stay on the first's lines.
func TestLoadDuplicateKeepsFirstPositions(t *testing.T) {
	fsys := exampleFS(t)
	eu := string(fsys["tenants/contoso-eu.yaml"].Data)
	eu = strings.Replace(eu, "    target: contoso-us ", "    target: contoso-usx", 1)
	eu += "  - name: eu-to-us\n    target: contoso-us\n    scope: { groups: [Other] }\n"
	// A second partner entry naming contoso-us by its id, after the first.
	eu = strings.Replace(eu, "\nsync:\n", "  - tenant: 6B6F7A2E-0D4B-4C36-9A55-2F4E7D3C1A90\n    outbound: { autoRedeem: false }\n\nsync:\n", 1)
	fsys["tenants/contoso-eu.yaml"] = &fstest.MapFile{Data: []byte(eu)}
	repo, ds := Load(fsys)
	want := `tenants/contoso-eu.yaml:18:5: error: duplicate partner entry for contoso-us (first at line 15): merge the two entries [duplicate-partner]
tenants/contoso-eu.yaml:23:5: error: sync eu-to-us: target "contoso-usx" is not a tenant of this repository: did you mean "contoso-us"? [dangling-target]
tenants/contoso-eu.yaml:48:5: error: duplicate sync configuration name "eu-to-us" (first at line 22): names are unique within a tenant [duplicate-sync]
`
	if diff := cmp.Diff(want, render(ds)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	paths := repo.Tenant("contoso-eu").Paths
	for path, want := range map[string]string{
		"sync.eu-to-us":                           "tenants/contoso-eu.yaml:22:5",
		"sync.eu-to-us.target":                    "tenants/contoso-eu.yaml:23:5",
		"sync.eu-to-us.scope.groups":              "tenants/contoso-eu.yaml:27:7",
		"partners.contoso-us":                     "tenants/contoso-eu.yaml:15:5",
		"partners.contoso-us.outbound.autoRedeem": "tenants/contoso-eu.yaml:17:7",
	} {
		if got := paths[path].String(); got != want {
			t.Errorf("Paths[%s] = %s, want %s", path, got, want)
		}
	}
}

// TestLoadUnreadableTenant: references to a tenant whose file cannot be
// read are not reported as dangling (which would suggest another tenant);
// one note per file says they could not be checked.
func TestLoadUnreadableTenant(t *testing.T) {
	eu := string(exampleFS(t)["tenants/contoso-eu.yaml"].Data)
	us := string(exampleFS(t)["tenants/contoso-us.yaml"].Data)
	euNote := "tenants/contoso-us.yaml:17:5: note: partner \"contoso-eu\": the reference could not be checked because tenants/contoso-eu.yaml has errors [unchecked-reference]\n"
	tests := []struct {
		name, file, data string
		note             string
	}{
		{"tab", "contoso-eu", strings.Replace(eu, "    target:", "\ttarget:", 1), euNote},
		{"binary", "contoso-eu", "apiVersion: xtsync/v1\x00\n", euNote},
		{"not utf-8", "contoso-eu", "name: caf\xe9\n", euNote},
		{"empty", "contoso-eu", "", euNote},
		{"comments only", "contoso-eu", "# nothing yet\n", euNote},
		{"two documents", "contoso-eu", eu + "---\n" + eu, euNote},
		{"too large", "contoso-eu", eu + strings.Repeat("#\n", MaxFileSize/2), euNote},
		{"no name", "contoso-eu", strings.Replace(eu, "name: contoso-eu", "", 1), euNote},
		{"a list", "contoso-eu", "- contoso-eu\n", euNote},
		// contoso-us is referenced by two files, as partner and as target:
		// one note, at the first reference.
		{"target", "contoso-us", strings.Replace(us, "  - tenant:", "\t- tenant:", 1),
			"tenants/contoso-eu.yaml:15:5: note: partner \"contoso-us\": the reference could not be checked because tenants/contoso-us.yaml has errors [unchecked-reference]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := exampleFS(t)
			file := "tenants/" + tt.file + ".yaml"
			fsys[file] = &fstest.MapFile{Data: []byte(tt.data)}
			_, ds := Load(fsys)
			var rest Diagnostics
			for _, d := range ds {
				if d.Pos.File != file {
					rest = append(rest, d)
				}
			}
			if !ds.HasErrors() {
				t.Errorf("no error for the broken file:\n%s", render(ds))
			}
			if diff := cmp.Diff(tt.note, render(rest)); diff != "" {
				t.Errorf("diagnostics of the other files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadEmptyFS(t *testing.T) {
	repo, ds := Load(fstest.MapFS{"tenants/.keep": &fstest.MapFile{}})
	if len(ds) != 0 || repo == nil || len(repo.Tenants) != 0 {
		t.Errorf("Load(empty tenants/) = %v, %v", repo, ds)
	}
	if diff := cmp.Diff(DefaultSettings(), repo.Settings, cmpopts.IgnoreFields(Settings{}, "File")); diff != "" {
		t.Errorf("default settings (-want +got):\n%s", diff)
	}
}

func TestSettingsAssumption(t *testing.T) {
	s, ds := ParseSettings("xtsync.yaml", []byte("assumptions: {regex-whole-value: false}\n"))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	tests := []struct {
		id   string
		want bool
	}{
		{"regex-whole-value", false},
		{"internal-guests-skipped", true},
		{"no-such-assumption", false},
	}
	for _, tt := range tests {
		if got := s.Assumption(tt.id); got != tt.want {
			t.Errorf("Assumption(%s) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// FuzzLoad: the loader never panics and positions every diagnostic; a file
// that parses without errors round-trips through Marshal to an equal model.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"contoso-eu", "contoso-us", "fabrikam-uk"} {
		data, err := os.ReadFile(filepath.Join(exampleDir, "tenants", name+".yaml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	bad, _ := filepath.Glob("testdata/bad/*.yaml")
	bad = append(bad, "testdata/full/tenants/src.yaml") // every key, suspend included
	for _, file := range bad {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 2000 {
			continue // the alias bomb: minimising it starves the fuzzer
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tn, ds := ParseTenant("tenants/x.yaml", data)
		for _, d := range ds {
			if d.Pos.File != "tenants/x.yaml" || d.Code == "" {
				t.Fatalf("diagnostic without file or code: %+v", d)
			}
			if d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Fatalf("diagnostic without line and column: %+v", d)
			}
		}
		if tn == nil || ds.HasErrors() {
			return
		}
		out := Marshal(tn)
		again, ds2 := ParseTenant("tenants/x.yaml", out)
		if ds2.HasErrors() {
			t.Fatalf("marshalled form does not load:\n%s\n%s", out, ds2)
		}
		if diff := cmp.Diff(tn, again, ignorePos); diff != "" {
			t.Fatalf("round trip changed the model (-first +second):\n%s\n%s", diff, out)
		}
		for i, sc := range tn.Sync {
			for j, m := range sc.Mappings {
				if m.Expr.String() != again.Sync[i].Mappings[j].Expr.String() {
					t.Fatalf("mapping %s: expression %q became %q", m.Target, m.Expr, again.Sync[i].Mappings[j].Expr)
				}
			}
		}
		// The whole repository loads too, with the file in place.
		fsys := fstest.MapFS{"tenants/x.yaml": &fstest.MapFile{Data: data}}
		if _, err := fs.Stat(fsys, "tenants/x.yaml"); err != nil {
			t.Fatal(err)
		}
		Load(fsys)
	})
}
