package policy_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/tenants"
)

// exampleFS is the example repository with files replaced (name -> content).
func exampleFS(t *testing.T, replace map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range []string{"xtsync.yaml", "tenants/contoso-eu.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml"} {
		data, err := os.ReadFile("../testdata/example/" + f)
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: data}
	}
	for f, data := range replace {
		fsys[f] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// edit replaces old with new (pairs) in the example file, which must
// contain each old.
func edit(t *testing.T, file string, oldNew ...string) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../testdata/example/" + file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(oldNew); i += 2 {
		if !strings.Contains(s, oldNew[i]) {
			t.Fatalf("%s does not contain %q", file, oldNew[i])
		}
		s = strings.Replace(s, oldNew[i], oldNew[i+1], 1)
	}
	return map[string]string{file: s}
}

// TestBuiltinsOnLoadedConfig runs the built-ins over configs the loader
// read and plan.NormalizedConfig shaped, so the Rego and the real input
// agree (the OPA tests use hand-built inputs).
func TestBuiltinsOnLoadedConfig(t *testing.T) {
	tests := []struct {
		name    string
		replace map[string]string
		want    []string // policy file:line
	}{
		{"example", nil, nil},
		{"scope.all", edit(t, "tenants/contoso-eu.yaml", "all: false ", "all: true  "),
			[]string{"scope-all tenants/contoso-eu.yaml:24"}},
		{"scope.all acknowledged", edit(t, "tenants/contoso-eu.yaml", "all: false ", "all: true  ", "acknowledge: []", "acknowledge: [scope-all]"), nil},
		{"user sync off", edit(t, "tenants/contoso-us.yaml", "userSync: true ", "userSync: false"),
			[]string{"inbound-sync-required tenants/contoso-eu.yaml:21"}},
		{"cross-cloud", edit(t, "tenants/contoso-us.yaml", "cloud: global", "cloud: usgov "),
			[]string{"cross-cloud tenants/contoso-eu.yaml:21", "cross-cloud tenants/fabrikam-uk.yaml:20"}},
		{"userType not admitted", edit(t, "tenants/fabrikam-uk.yaml", "userType: Guest ", "userType: Member"),
			[]string{"inbound-limits tenants/fabrikam-uk.yaml:23"}},
		{"undescribed partner", edit(t, "tenants/contoso-us.yaml", "partners:\n", "partners:\n  - tenant: 11111111-2222-3333-4444-555555555555\n    outbound: { autoRedeem: true }\n"),
			[]string{"undescribed-partner tenants/contoso-us.yaml:17"}},
		{"overlapping scopes", edit(t, "tenants/contoso-eu.yaml", "sync:\n", "sync:\n  - name: second\n    target: contoso-us\n    scope: { groups: [globalemployees] }\n"),
			[]string{"overlapping-scopes tenants/contoso-eu.yaml:22", "overlapping-scopes tenants/contoso-eu.yaml:26"}},
	}
	e, err := policy.New(policy.Options{Builtins: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, diags := tenants.Load(exampleFS(t, tt.replace))
			if diags.HasErrors() {
				t.Fatalf("load: %v", diags)
			}
			doc := policy.Document(repo)
			fs, err := e.Evaluate(context.Background(), policy.Input{Base: doc, Head: doc})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Policy+" "+f.File+":"+strconv.Itoa(f.Line))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%v", diff, fs)
			}
		})
	}
}
