package plan

import (
	"time"

	"github.com/xtsync/xtsync/tenants"
)

// NormalizedConfig is a repository as plain data — maps, lists, strings,
// booleans and ints — in the shape of its files, with every default written
// out: the policy input's input.base and input.head (DESIGN §6).
//
//	{
//	  "tenants": {"contoso-eu": {"name": …, "tenantId": …, "file": "tenants/contoso-eu.yaml",
//	               "partners": [{"tenant": …, "tenantId": …, "inbound": {…}, "outbound": {…}}],
//	               "sync": [{"name": …, "source": …, "target": …, "scope": {…},
//	                         "mappings": {"jobTitle": {"expression": "ToUpper([jobTitle])"}}, …}]}},
//	  "settings": {"policies": […], "disabledPolicies": […], …}
//	}
//
// A nil repository gives empty tenants.
func NormalizedConfig(repo *tenants.Repo) map[string]any {
	ts := map[string]any{}
	out := map[string]any{"tenants": ts}
	if repo == nil {
		return out
	}
	for _, t := range repo.Tenants {
		ts[t.Name] = tenantValue(t)
	}
	out["settings"] = settingsValue(&repo.Settings)
	return out
}

func tenantValue(t *tenants.Tenant) map[string]any {
	v := tenantFields(t)
	v["file"] = t.File
	partners := make([]any, 0, len(t.Partners))
	for _, p := range t.Partners {
		partners = append(partners, partnerValue(p))
	}
	v["partners"] = partners
	syncs := make([]any, 0, len(t.Sync))
	for _, s := range t.Sync {
		syncs = append(syncs, syncValue(s))
	}
	v["sync"] = syncs
	return v
}

// tenantFields are a tenant's own scalar fields, the ones a "tenant" change
// reports.
func tenantFields(t *tenants.Tenant) map[string]any {
	v := map[string]any{
		"name":          t.Name,
		"tenantId":      t.TenantID,
		"displayName":   t.DisplayName,
		"initialDomain": t.InitialDomain,
		"cloud":         string(t.Cloud),
	}
	if t.Suspend != nil {
		v["suspend"] = suspendValue(t.Suspend)
	}
	return v
}

// suspendValue is a suspension as the file writes it: {"reason": …,
// "until": RFC 3339} (no until when it has none).
func suspendValue(s *tenants.Suspend) map[string]any {
	v := map[string]any{"reason": s.Reason}
	if !s.Until.IsZero() {
		v["until"] = s.Until.UTC().Format(time.RFC3339)
	}
	return v
}

func partnerValue(p *tenants.Partner) map[string]any {
	v := map[string]any{"tenant": p.Tenant, "tenantId": p.TenantID}
	if in := p.Inbound; in != nil {
		iv := map[string]any{"userSync": in.UserSync, "autoRedeem": in.AutoRedeem}
		if l := in.Limits; l != nil {
			lv := map[string]any{}
			if l.UserTypes != nil {
				lv["userTypes"] = anyList(l.UserTypes)
			}
			if l.MaxUsers != nil {
				lv["maxUsers"] = *l.MaxUsers
			}
			iv["limits"] = lv
		}
		v["inbound"] = iv
	}
	if out := p.Outbound; out != nil {
		v["outbound"] = map[string]any{"autoRedeem": out.AutoRedeem}
	}
	return v
}

func syncValue(s *tenants.SyncConfig) map[string]any {
	filters := make([]any, 0, len(s.Scope.Filters))
	for _, f := range s.Scope.Filters {
		filters = append(filters, filterValue(f))
	}
	mappings := map[string]any{}
	for _, m := range s.Mappings {
		mappings[m.Target] = mappingValue(m)
	}
	actions := make([]any, 0, len(s.Actions))
	for _, a := range s.Actions {
		actions = append(actions, string(a))
	}
	v := map[string]any{
		"name":    s.Name,
		"id":      s.ID,
		"source":  s.Source,
		"target":  s.Target,
		"enabled": s.Enabled,
		"scope": map[string]any{
			"all":     s.Scope.All,
			"groups":  anyList(s.Scope.Groups),
			"users":   anyList(s.Scope.Users),
			"filters": filters,
		},
		"userType":          s.UserType,
		"userTypeFlow":      string(s.UserTypeFlow),
		"showInAddressList": s.ShowInAddressList,
		"mappings":          mappings,
		"actions":           actions,
		"deletionThreshold": s.DeletionThreshold,
		"acknowledge":       anyList(s.Acknowledge),
	}
	if s.Suspend != nil {
		v["suspend"] = suspendValue(s.Suspend)
	}
	return v
}

func filterValue(f tenants.Filter) map[string]any {
	clauses := make([]any, 0, len(f.Clauses))
	for _, c := range f.Clauses {
		cv := map[string]any{"attribute": c.Attribute, "operator": string(c.Operator)}
		if c.Value != "" {
			cv["value"] = c.Value
		}
		clauses = append(clauses, cv)
	}
	v := map[string]any{"clauses": clauses}
	if f.Name != "" {
		v["name"] = f.Name
	}
	return v
}

// mappingValue is a mapping the way the file writes it:
// {"source": "employeeType"}, {"constant": "Contoso"}, {"expression": "…"}
// or {"remove": true}, with "flow": "onCreate" when it is not the default.
func mappingValue(m tenants.Mapping) map[string]any {
	v := map[string]any{}
	switch m.Kind {
	case tenants.MappingRemove:
		v["remove"] = true
		return v
	default:
		v[string(m.Kind)] = m.Value
	}
	if m.Flow != "" && m.Flow != tenants.FlowAlways {
		v["flow"] = string(m.Flow)
	}
	return v
}

func settingsValue(s *tenants.Settings) map[string]any {
	assumptions := map[string]any{}
	for k, b := range s.Assumptions {
		assumptions[k] = b
	}
	return map[string]any{
		"policies":         anyList(s.Policies),
		"disabledPolicies": anyList(s.DisabledPolicies),
		"snapshots":        s.Snapshots,
		"prune":            s.Prune,
		"ignorePartners":   anyList(s.IgnorePartners),
		"verifyCommits":    s.VerifyCommits,
		"assumptions":      assumptions,
		"maxDeleteShare":   s.MaxDeleteShare,
		"windows":          windowsValue(s.Windows),
		"ignore":           ignoreValue(s.Ignore),
		"notifications":    notificationsValue(&s.Notifications),
	}
}

// windowsValue is the change windows as the file writes them, every key
// written out.
func windowsValue(ws []*tenants.Window) []any {
	out := make([]any, 0, len(ws))
	for _, w := range ws {
		out = append(out, map[string]any{
			"name": w.Label(), "kind": string(w.Kind), "schedule": w.Schedule, "duration": w.DurationText(),
			"timeZone": w.TimeZone, "tenants": anyList(w.Tenants), "configurations": anyList(w.Configurations),
		})
	}
	return out
}

// ignoreValue is the drift rules as the file writes them.
func ignoreValue(rs []*tenants.IgnoreRule) []any {
	out := make([]any, 0, len(rs))
	for _, r := range rs {
		out = append(out, map[string]any{"object": r.Object, "fields": anyList(r.Fields), "reason": r.Reason})
	}
	return out
}

// notificationsValue is xtsync.yaml's notifications: a change to them is
// a settings change a reviewer sees (never a URL: only its variable).
func notificationsValue(n *tenants.Notifications) map[string]any {
	hooks := make([]any, len(n.Webhooks))
	for i, w := range n.Webhooks {
		hooks[i] = map[string]any{"kind": w.Kind, "urlEnv": w.URLEnv, "events": anyList(w.Events)}
	}
	return map[string]any{"nearThreshold": n.NearThreshold, "webhooks": hooks}
}

// anyList copies a string list into a non-nil []any.
func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
