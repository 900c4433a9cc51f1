package simulate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// CheckSnapshotTenants reports every snapshot whose tenantId is not the
// tenant id of the repo tenant it is named after (a file copied or renamed
// by mistake would otherwise simulate one tenant's directory as another's).
// Snapshots of tenants the repo does not describe are left alone. dir is the
// snapshot directory as the user named it, for the messages.
func CheckSnapshotTenants(repo *tenants.Repo, snaps map[string]*Snapshot, dir string) error {
	var problems []string
	for name, s := range snaps {
		t := repo.Tenant(name)
		if t == nil || t.Name != name || s.TenantID == "" {
			continue
		}
		if !strings.EqualFold(s.TenantID, t.TenantID) {
			msg := fmt.Sprintf("%s/%s.json: tenantId %s is not %s's (%s in %s)", dir, name, s.TenantID, name, t.TenantID, t.File)
			if other := repo.Tenant(s.TenantID); other != nil {
				msg += fmt.Sprintf("; it is %s's: was the file copied or renamed?", other.Name)
			}
			problems = append(problems, msg)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return fmt.Errorf("snapshots do not match the repository:\n  %s", strings.Join(problems, "\n  "))
}
