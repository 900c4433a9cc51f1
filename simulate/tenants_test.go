package simulate

import (
	"strings"
	"testing"

	"github.com/xtsync/xtsync/tenants"
)

func TestCheckSnapshotTenants(t *testing.T) {
	repo := &tenants.Repo{Tenants: []*tenants.Tenant{
		{Name: "contoso-eu", TenantID: "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c", File: "tenants/contoso-eu.yaml"},
		{Name: "fabrikam-uk", TenantID: "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d", File: "tenants/fabrikam-uk.yaml"},
	}}
	ok := map[string]*Snapshot{
		"contoso-eu":  {TenantID: "0C9A6B0E-3F1C-4B8E-9F8A-1D2E3F4A5B6C"}, // case does not matter
		"fabrikam-uk": {TenantID: "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"},
		"elsewhere":   {TenantID: "11111111-1111-1111-1111-111111111111"}, // not a repo tenant
	}
	if err := CheckSnapshotTenants(repo, ok, "snapshots"); err != nil {
		t.Fatalf("matching snapshots: %v", err)
	}
	bad := map[string]*Snapshot{"fabrikam-uk": {TenantID: "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"}}
	err := CheckSnapshotTenants(repo, bad, "snapshots")
	if err == nil {
		t.Fatal("a snapshot holding another tenant's directory was accepted")
	}
	for _, want := range []string{"snapshots/fabrikam-uk.json", "is not fabrikam-uk's", "it is contoso-eu's"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
