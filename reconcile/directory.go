package reconcile

import (
	"strings"

	"github.com/xtsync/xtsync/plan"
)

type principal struct{ name, typ string }

type tenantDir struct {
	groupByName map[string][]string // lower-case display name → ids
	userByUPN   map[string]string   // lower-case UPN → id
	byID        map[string]principal
	deleted     map[string]bool // lower-case UPNs and ids of soft-deleted users
}

type snapshotDir map[string]*tenantDir // lower-case tenant id

// NewDirectory builds a Directory from directory snapshots keyed by repo
// tenant name (each snapshot carries its tenant id).
func NewDirectory(snaps plan.Snapshots) Directory {
	d := snapshotDir{}
	for _, s := range snaps {
		if s == nil || s.TenantID == "" {
			continue
		}
		td := &tenantDir{groupByName: map[string][]string{}, userByUPN: map[string]string{}, byID: map[string]principal{}, deleted: map[string]bool{}}
		for _, g := range s.Groups {
			k := strings.ToLower(g.DisplayName)
			td.groupByName[k] = append(td.groupByName[k], g.ID)
			td.byID[strings.ToLower(g.ID)] = principal{g.DisplayName, "Group"}
		}
		for _, u := range s.Users {
			if u.Deleted {
				td.deleted[strings.ToLower(u.UserPrincipalName)] = true
				td.deleted[strings.ToLower(u.ID)] = true
				continue
			}
			td.userByUPN[strings.ToLower(u.UserPrincipalName)] = u.ID
			td.byID[strings.ToLower(u.ID)] = principal{u.UserPrincipalName, "User"}
		}
		d[strings.ToLower(s.TenantID)] = td
	}
	return d
}

func (d snapshotDir) GroupID(tenantID, ref string) (string, bool) {
	td := d[strings.ToLower(tenantID)]
	if td == nil {
		return "", false
	}
	if p, ok := td.byID[strings.ToLower(ref)]; ok && p.typ == "Group" {
		return strings.ToLower(ref), true
	}
	if ids := td.groupByName[strings.ToLower(ref)]; len(ids) == 1 {
		return ids[0], true
	}
	return "", false
}

func (d snapshotDir) UserID(tenantID, ref string) (string, bool) {
	td := d[strings.ToLower(tenantID)]
	if td == nil {
		return "", false
	}
	if p, ok := td.byID[strings.ToLower(ref)]; ok && p.typ == "User" {
		return strings.ToLower(ref), true
	}
	id, ok := td.userByUPN[strings.ToLower(ref)]
	return id, ok
}

func (d snapshotDir) Principal(tenantID, id string) (string, string, bool) {
	td := d[strings.ToLower(tenantID)]
	if td == nil {
		return "", "", false
	}
	p, ok := td.byID[strings.ToLower(id)]
	return p.name, p.typ, ok
}

func (d snapshotDir) UserDeleted(tenantID, ref string) bool {
	td := d[strings.ToLower(tenantID)]
	return td != nil && td.deleted[strings.ToLower(ref)]
}
