package tenants_test

import (
	"fmt"
	"testing/fstest"

	"github.com/xtsync/xtsync/tenants"
)

// Load reports every problem of a repository at once, each at its file,
// line and column.
func ExampleLoad() {
	fsys := fstest.MapFS{
		"tenants/contoso-eu.yaml": {Data: []byte(`apiVersion: xtsync/v1
kind: Tenant
name: contoso-eu
tenantId: 0C9A6B0E-3F1C-4B8E-9F8A-1D2E3F4A5B6C
sync:
  - name: eu-to-us
    targt: contoso-us
    scope:
      filters:
        - clauses:
            - { attribute: userType, operator: EQUALS, value: Member }
`)},
	}
	repo, diags := tenants.Load(fsys)
	for _, d := range diags {
		fmt.Println(d)
	}
	fmt.Println(repo.Tenants[0].TenantID)
	// Output:
	// tenants/contoso-eu.yaml:6:5: error: missing required key "target" in sync.eu-to-us
	// tenants/contoso-eu.yaml:7:5: error: unknown key "targt" in sync.eu-to-us: did you mean "target"?
	// tenants/contoso-eu.yaml:11:28: error: attribute "userType" cannot be used in a scoping filter: Entra does not expose userType as a source attribute
	// 0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c
}
