package reconcile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// The secret keys xtsync manages (Entra doc §6.4); every other key is kept
// as live has it and never printed.
const (
	SecretCompanyID          = "CompanyId"
	SecretAuthenticationType = "AuthenticationType"
	SecretSyncAll            = "SyncAll"
	SecretNotification       = "SyncNotificationSettings"
)

// syncTags are the tags of a configuration's service principal.
func syncTags(key string) []string { return []string{TagOwner, TagSyncPrefix + key} }

// hasTags reports whether the service principal carries both tags of key.
func hasTags(tags []string, key string) bool {
	var owner, sync bool
	for _, t := range tags {
		owner = owner || t == TagOwner
		sync = sync || t == TagSyncPrefix+key
	}
	return owner && sync
}

// taggedKey returns the "<source>/<name>" of a service principal tagged as
// xtsync's, or "".
func taggedKey(tags []string) string {
	owner := false
	key := ""
	for _, t := range tags {
		if t == TagOwner {
			owner = true
		} else if strings.HasPrefix(t, TagSyncPrefix) {
			key = strings.TrimPrefix(t, TagSyncPrefix)
		}
	}
	if !owner {
		return ""
	}
	return key
}

func boolp(b bool) *bool { return &b }

func configKey(c *SyncConfig) string { return c.Source + "/" + c.Name }

// matchKind says how a desired configuration found its live one.
type matchKind int

const (
	matchNone     matchKind = iota
	matchID                 // the service principal id (sync[].id, or known)
	matchTags               // both tags
	matchHalfMade           // untagged, display name, no job
	matchConflict           // untagged, display name, a job
)

// matchConfig finds the live configuration of a desired one among the
// live configurations not taken yet.
func matchConfig(d *SyncConfig, live []*SyncConfig, taken map[*SyncConfig]bool) (*SyncConfig, matchKind) {
	if d.ServicePrincipalID != "" {
		for _, l := range live {
			if !taken[l] && strings.EqualFold(l.ServicePrincipalID, d.ServicePrincipalID) {
				return l, matchID
			}
		}
	}
	if d.Source != "" || d.Name != "" {
		for _, l := range live {
			if !taken[l] && hasTags(l.Tags, configKey(d)) {
				return l, matchTags
			}
		}
	}
	for _, l := range live {
		if taken[l] || taggedKey(l.Tags) != "" || l.DisplayName != d.DisplayName {
			continue
		}
		if l.Job == nil {
			return l, matchHalfMade
		}
		return l, matchConflict
	}
	return nil, matchNone
}

// Desired computes the State the repository asks for, in the repo's
// tenants: in each target partner/<target>/<source> with inbound
// auto-redeem and identitySync/<target>/<source>, in each source
// partner/<source>/<target> with outbound auto-redeem, partners to outside
// tenants as the files declare them, and per sync configuration its app,
// job, secrets, schema and assignments. live supplies the ids of existing
// configurations and their schemas and secrets, which Desired merges into
// (nil: nothing exists yet). Problems name scope references the directory
// does not resolve, each with the repository position.
func Desired(repo *tenants.Repo, live *State, dir Directory) (*State, []Problem, error) {
	st := &State{Tenants: map[string]*TenantState{}}
	var problems []Problem
	for _, t := range repo.Tenants {
		ts := &TenantState{TenantID: strings.ToLower(t.TenantID), Name: t.Name, Partners: map[string]*Partner{}, Configs: []*SyncConfig{}}
		st.Tenants[ts.TenantID] = ts
		for _, p := range t.Partners {
			dp := &Partner{TenantID: strings.ToLower(p.TenantID), InboundAutoRedeem: boolp(false), OutboundAutoRedeem: boolp(false)}
			if p.Inbound != nil {
				dp.InboundAutoRedeem = boolp(p.Inbound.AutoRedeem)
				if p.Inbound.UserSync {
					dp.IdentitySync = &IdentitySync{UserSyncInbound: true}
				}
			}
			if p.Outbound != nil {
				dp.OutboundAutoRedeem = boolp(p.Outbound.AutoRedeem)
			}
			ts.Partners[dp.TenantID] = dp
		}
	}
	for _, t := range repo.Tenants {
		ts := st.Tenants[strings.ToLower(t.TenantID)]
		var liveConfigs []*SyncConfig
		var liveTemplate json.RawMessage
		if live != nil && live.Tenants[ts.TenantID] != nil {
			liveConfigs = live.Tenants[ts.TenantID].Configs
			liveTemplate = live.Tenants[ts.TenantID].Template
		}
		taken := map[*SyncConfig]bool{}
		for _, sc := range t.Sync {
			d, ps, err := desiredConfig(repo, t, sc, liveConfigs, taken, dir, liveTemplate)
			if err != nil {
				return nil, nil, err
			}
			problems = append(problems, ps...)
			ts.Configs = append(ts.Configs, d)
		}
		sortConfigs(ts.Configs)
	}
	return st, problems, nil
}

func sortConfigs(cs []*SyncConfig) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].DisplayName != cs[j].DisplayName {
			return cs[i].DisplayName < cs[j].DisplayName
		}
		return cs[i].ServicePrincipalID < cs[j].ServicePrincipalID
	})
}

func desiredConfig(repo *tenants.Repo, t *tenants.Tenant, sc *tenants.SyncConfig, liveConfigs []*SyncConfig, taken map[*SyncConfig]bool, dir Directory, tmpl json.RawMessage) (*SyncConfig, []Problem, error) {
	target := repo.Tenant(sc.Target)
	targetID := sc.Target
	if target != nil {
		targetID = strings.ToLower(target.TenantID)
	}
	d := &SyncConfig{
		Source:             sc.Source,
		Name:               sc.Name,
		DisplayName:        sc.Name,
		ServicePrincipalID: strings.ToLower(sc.ID),
		Tags:               syncTags(sc.Key()),
		Job:                &Job{TemplateID: JobTemplateID, Started: sc.Enabled},
		Assignments:        []Assignment{},
		conf:               sc,
		targetID:           targetID,
		template:           tmpl,
	}
	l, kind := matchConfig(d, liveConfigs, taken)
	var liveSecrets map[string]string
	if l != nil && (kind == matchID || kind == matchTags) {
		taken[l] = true
		d.ServicePrincipalID, d.ApplicationID, d.AppID, d.AppRoleID = l.ServicePrincipalID, l.ApplicationID, l.AppID, l.AppRoleID
		liveSecrets = l.Secrets
		if l.Job != nil {
			d.Job.ID = l.Job.ID
			if len(l.Job.Schema) > 0 {
				s, err := MergeSchemaWith(l.Job.Schema, tmpl, sc)
				if err != nil {
					return nil, nil, fmt.Errorf("desired state of sync/%s: %w", sc.Key(), err)
				}
				d.Job.Schema, d.mergedFrom = s, l.Job.Schema
			}
		}
	}
	d.Secrets = desiredSecrets(liveSecrets, targetID, sc)

	var problems []Problem
	obj := "sync/" + sc.Key()
	for i, g := range sc.Scope.Groups {
		id, ok := "", false
		if dir != nil {
			id, ok = dir.GroupID(t.TenantID, g)
		}
		if !ok {
			pos := t.PathPos("sync." + sc.Name + ".scope.groups." + strconv.Itoa(i))
			problems = append(problems, Problem{Object: obj + "/assignment/" + g, Pos: pos, Where: pos.String(),
				Message: fmt.Sprintf("group %q is not in the directory of %s (no group has this display name or object id, or several share the name)", g, t.Name)})
			continue
		}
		d.Assignments = append(d.Assignments, Assignment{PrincipalID: strings.ToLower(id), PrincipalType: "Group", PrincipalName: g, AppRoleID: d.AppRoleID})
	}
	for i, u := range sc.Scope.Users {
		id, ok := "", false
		if dir != nil {
			id, ok = dir.UserID(t.TenantID, u)
		}
		if !ok {
			pos := t.PathPos("sync." + sc.Name + ".scope.users." + strconv.Itoa(i))
			if dir != nil && dir.UserDeleted(t.TenantID, u) {
				// People leave: a soft-deleted user cannot be assigned, and
				// the cycle would skip it anyway. Not a reason to stop.
				problems = append(problems, Problem{Warning: true, Object: obj + "/assignment/" + u, Pos: pos, Where: pos.String(),
					Message: fmt.Sprintf("user %q is soft-deleted in %s: not assigned (remove it from the scope, or restore the user)", u, t.Name)})
				continue
			}
			problems = append(problems, Problem{Object: obj + "/assignment/" + u, Pos: pos, Where: pos.String(),
				Message: fmt.Sprintf("user %q is not in the directory of %s (no user has this user principal name or object id)", u, t.Name)})
			continue
		}
		d.Assignments = append(d.Assignments, Assignment{PrincipalID: strings.ToLower(id), PrincipalType: "User", PrincipalName: u, AppRoleID: d.AppRoleID})
	}
	sortAssignments(d.Assignments)
	return d, problems, nil
}

func sortAssignments(as []Assignment) {
	sort.SliceStable(as, func(i, j int) bool { return as[i].PrincipalID < as[j].PrincipalID })
}

// desiredSecrets are live's secrets with the managed keys set: a secrets
// PUT replaces the whole set, so every key live has is kept.
func desiredSecrets(live map[string]string, targetID string, sc *tenants.SyncConfig) map[string]string {
	out := map[string]string{}
	for k, v := range live {
		out[k] = v
	}
	out[SecretCompanyID] = targetID
	out[SecretAuthenticationType] = "SyncPolicy"
	out[SecretSyncAll] = strconv.FormatBool(sc.Scope.All)
	ns := map[string]any{}
	if v := live[SecretNotification]; v != "" {
		_ = json.Unmarshal([]byte(v), &ns)
		if ns == nil {
			ns = map[string]any{}
		}
	}
	if _, ok := ns["Enabled"]; !ok {
		ns["Enabled"] = false
	}
	if _, ok := ns["Recipients"]; !ok {
		ns["Recipients"] = ""
	}
	ns["DeleteThresholdEnabled"] = sc.DeletionThreshold > 0
	ns["DeleteThresholdValue"] = sc.DeletionThreshold
	b, _ := json.Marshal(ns)
	out[SecretNotification] = string(b)
	return out
}

// deletionThreshold reads DeleteThresholdValue (0 when disabled or absent).
func deletionThreshold(secrets map[string]string) int {
	var ns struct {
		DeleteThresholdEnabled *bool
		DeleteThresholdValue   json.Number
	}
	if err := json.Unmarshal([]byte(secrets[SecretNotification]), &ns); err != nil {
		return 0
	}
	if ns.DeleteThresholdEnabled != nil && !*ns.DeleteThresholdEnabled {
		return 0
	}
	n, _ := strconv.Atoi(string(ns.DeleteThresholdValue))
	return n
}

// managedSecrets are the managed secret values, for display and diff:
// companyId, authenticationType, syncAll, deletionThreshold.
func managedSecrets(s map[string]string) map[string]any {
	return map[string]any{
		"companyId":          strings.ToLower(s[SecretCompanyID]),
		"authenticationType": s[SecretAuthenticationType],
		"syncAll":            strings.EqualFold(s[SecretSyncAll], "true"),
		"deletionThreshold":  deletionThreshold(s),
	}
}
