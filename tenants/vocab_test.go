package tenants

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAliases(t *testing.T) {
	tests := []struct{ prov, graph string }{
		{"telephoneNumber", "businessPhones"},
		{"physicalDeliveryOfficeName", "officeLocation"},
		{"mobile", "mobilePhone"},
		{"facsimileTelephoneNumber", "faxNumber"},
		{"department", "department"},
		{"displayName", "displayName"},
	}
	for _, tt := range tests {
		if got := GraphName(tt.prov); got != tt.graph {
			t.Errorf("GraphName(%s) = %s, want %s", tt.prov, got, tt.graph)
		}
		if got := ProvisioningName(tt.graph); got != tt.prov {
			t.Errorf("ProvisioningName(%s) = %s, want %s", tt.graph, got, tt.prov)
		}
	}
	for _, a := range Aliases() {
		if ProvisioningName(GraphName(a[0])) != a[0] {
			t.Errorf("alias %v does not round-trip", a)
		}
	}
}

func TestFilterable(t *testing.T) {
	tests := []struct {
		attr string
		want bool
	}{
		{"department", true},
		{"employeeType", true},
		{"telephoneNumber", true},
		{"accountEnabled", true},
		{"proxyAddresses", false},
		{"ProxyAddresses", false},
		{"otherMails", false},
		{"businessPhones", false},
		{"userType", false},
		{"manager", false},
		{"createdDateTime", false},
		{"employeeHireDate", false},
	}
	for _, tt := range tests {
		got, why := Filterable(tt.attr)
		if got != tt.want {
			t.Errorf("Filterable(%s) = %v (%s), want %v", tt.attr, got, why, tt.want)
		}
		if !got && why == "" {
			t.Errorf("Filterable(%s): no reason", tt.attr)
		}
	}
	if !sort.StringsAreSorted(NotFilterable()) {
		t.Error("NotFilterable is not sorted")
	}
}

func TestOperators(t *testing.T) {
	unary := map[Operator]bool{OpIsNull: true, OpIsNotNull: true, OpIsTrue: true, OpIsFalse: true}
	for _, o := range Operators() {
		if !o.Valid() {
			t.Errorf("%s not valid", o)
		}
		if o.Unary() != unary[o] {
			t.Errorf("%s.Unary() = %v", o, o.Unary())
		}
	}
	for _, o := range []Operator{"&", "!&", "equals", ""} {
		if o.Valid() {
			t.Errorf("%q valid", o)
		}
	}
}

func TestDefaultMappings(t *testing.T) {
	ms := DefaultMappings()
	var targets []string
	for _, m := range ms {
		targets = append(targets, m.Target)
		if m.Kind == MappingRemove || m.Flow == "" {
			t.Errorf("default %s: kind %s flow %q", m.Target, m.Kind, m.Flow)
		}
	}
	// DESIGN §4's list of the default mappings.
	want := []string{"accountEnabled", "city", "country", "department", "displayName", "employeeId", "givenName",
		"jobTitle", "mail", "mailNickname", "manager", "physicalDeliveryOfficeName", "postalCode", "preferredLanguage",
		"showInAddressList", "state", "streetAddress", "surname", "telephoneNumber", "userPrincipalName", "userType"}
	if diff := cmp.Diff(want, targets); diff != "" {
		t.Errorf("default targets (-want +got):\n%s", diff)
	}
}

func TestEffectiveMappings(t *testing.T) {
	repo, ds := Load(os.DirFS(exampleDir))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	type row struct {
		Target, Kind, Value, Flow, Expr string
	}
	got := map[string]row{}
	for _, m := range EffectiveMappings(repo.Tenant("contoso-eu").Sync[0]) {
		got[m.Target] = row{m.Target, string(m.Kind), m.Value, string(m.Flow), m.Expr.String()}
	}
	if _, ok := got["telephoneNumber"]; ok {
		t.Error("removed telephoneNumber is still mapped")
	}
	checks := []row{
		{"companyName", "constant", "Contoso Europe", "always", `"Contoso Europe"`},
		{"employeeType", "source", "employeeType", "always", "[employeeType]"},
		{"jobTitle", "expression", "ToUpper([jobTitle])", "always", "ToUpper([jobTitle])"},
		{"department", "source", "department", "always", "[department]"},
		{"userType", "constant", "Member", "onCreate", `"Member"`},
		{"showInAddressList", "constant", "true", "always", `"true"`},
		{"userPrincipalName", "source", "userPrincipalName", "always", "[userPrincipalName]"},
	}
	for _, want := range checks {
		if diff := cmp.Diff(want, got[want.Target]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Target, diff)
		}
	}
	if len(got) != len(DefaultMappings())-1+2 {
		t.Errorf("got %d mappings, want the %d defaults minus 1 plus 2", len(got), len(DefaultMappings()))
	}
	uk := EffectiveMappings(repo.Tenant("fabrikam-uk").Sync[0])
	for _, m := range uk {
		if m.Target == "userType" && m.Value != "Guest" {
			t.Errorf("fabrikam userType = %s, want Guest", m.Value)
		}
	}
}

func TestAssumptions(t *testing.T) {
	var ids []string
	// Sources cite the Entra notes shipped in docs/, by a section they have.
	doc, err := os.ReadFile("../docs/entra-cross-tenant-sync.md")
	if err != nil {
		t.Fatal(err)
	}
	const cite = "docs/entra-cross-tenant-sync.md §"
	for _, a := range Assumptions() {
		ids = append(ids, a.ID)
		if a.Summary == "" || a.Source == "" {
			t.Errorf("%s: empty summary or source", a.ID)
		}
		section, _, _ := strings.Cut(strings.TrimPrefix(a.Source, cite), " ")
		if !strings.HasPrefix(a.Source, cite) || !strings.Contains(string(doc), "\n### "+section+" ") {
			t.Errorf("%s: source %q: want %q and a section of that document", a.ID, a.Source, cite+"N.N (…)")
		}
	}
	want := []string{"duplicate-mail-single-user", "ends-with-case-sensitive", "internal-guests-skipped", "null-never-flows",
		"quarantine-lets-creates-through", "regex-whole-value", "restore-on-rescope", "showinaddresslist-always", "usertype-flow-oncreate"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("assumption ids (-want +got):\n%s", diff)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"tenantId", "partners", "sync", "displayName"}
	tests := []struct{ word, want string }{
		{"tenantID", "tenantId"},
		{"partner", "partners"},
		{"snyc", "sync"},
		{"displayname", "displayName"},
		{"frobnicate", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, names); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func BenchmarkLoadExample(b *testing.B) {
	fsys := exampleFS(b)
	b.ReportAllocs()
	for b.Loop() {
		Load(fsys)
	}
}
