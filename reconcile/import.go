package reconcile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// Import returns the managed subset of live as configuration, the inverse
// of Desired: repo supplies the tenant names, ids, domains and settings
// (and the spelling of references: a group the repo writes by object id
// stays an object id), dir names the assigned principals. A partner is
// imported when the repo declares it or it links two repo tenants; a
// configuration when it is xtsync's (both tags, or a repo sync[].id).
// Fields xtsync does not manage in Graph (limits, acknowledge) are taken
// from the repo.
func Import(live *State, repo *tenants.Repo, dir Directory) *tenants.Repo {
	out := &tenants.Repo{Settings: repo.Settings}
	names := map[string]string{}
	for _, t := range repo.Tenants {
		names[strings.ToLower(t.TenantID)] = t.Name
	}
	nameOf := func(id string) string {
		if n, ok := names[strings.ToLower(id)]; ok {
			return n
		}
		return strings.ToLower(id)
	}
	for _, t := range repo.Tenants {
		nt := &tenants.Tenant{Name: t.Name, TenantID: t.TenantID, DisplayName: t.DisplayName, InitialDomain: t.InitialDomain,
			Cloud: t.Cloud, File: t.File, Pos: t.Pos, Paths: t.Paths, Partners: []*tenants.Partner{}, Sync: []*tenants.SyncConfig{}}
		out.Tenants = append(out.Tenants, nt)
		var lt *TenantState
		if live != nil {
			lt = live.Tenants[strings.ToLower(t.TenantID)]
		}
		if lt == nil {
			continue
		}
		// Partners: the repo's order, then the other managed ones.
		seen := map[string]bool{}
		for _, rp := range t.Partners {
			id := strings.ToLower(rp.TenantID)
			seen[id] = true
			if lp := lt.Partners[id]; lp != nil {
				nt.Partners = append(nt.Partners, importPartner(lp, rp, nameOf(id)))
			}
		}
		for _, id := range sortedKeys(lt.Partners) {
			if seen[id] {
				continue
			}
			if _, repoTenant := names[id]; !repoTenant {
				continue // unmanaged: a tenant the repo does not declare as a partner
			}
			nt.Partners = append(nt.Partners, importPartner(lt.Partners[id], nil, nameOf(id)))
		}
		// Configurations.
		for _, lc := range lt.Configs {
			var rc *tenants.SyncConfig
			key := taggedKey(lc.Tags)
			for _, sc := range t.Sync {
				if (sc.ID != "" && strings.EqualFold(sc.ID, lc.ServicePrincipalID)) || (key != "" && key == sc.Key()) {
					rc = sc
					break
				}
			}
			if rc == nil && (key == "" || !strings.HasPrefix(key, t.Name+"/")) {
				continue // not xtsync's
			}
			nt.Sync = append(nt.Sync, importConfig(lc, rc, t, key, nameOf, dir, lt.Template))
		}
		sort.SliceStable(nt.Sync, func(i, j int) bool { return syncIndex(t, nt.Sync[i]) < syncIndex(t, nt.Sync[j]) })
	}
	return out
}

func syncIndex(t *tenants.Tenant, sc *tenants.SyncConfig) int {
	for i, x := range t.Sync {
		if x.Name == sc.Name {
			return i
		}
	}
	return len(t.Sync)
}

func importPartner(lp *Partner, rp *tenants.Partner, name string) *tenants.Partner {
	p := &tenants.Partner{Tenant: name, TenantID: strings.ToLower(lp.TenantID)}
	userSync := lp.IdentitySync != nil && lp.IdentitySync.UserSyncInbound
	in := &tenants.Inbound{UserSync: userSync, AutoRedeem: bv(lp.InboundAutoRedeem)}
	outb := &tenants.Outbound{AutoRedeem: bv(lp.OutboundAutoRedeem)}
	if rp != nil {
		p.Tenant, p.Pos = rp.Tenant, rp.Pos
		if rp.Inbound != nil {
			in.Limits = rp.Inbound.Limits
		}
		if rp.Inbound != nil || in.UserSync || in.AutoRedeem {
			p.Inbound = in
		}
		if rp.Outbound != nil || outb.AutoRedeem {
			p.Outbound = outb
		}
		return p
	}
	if in.UserSync || in.AutoRedeem {
		p.Inbound = in
	}
	if outb.AutoRedeem {
		p.Outbound = outb
	}
	return p
}

func importConfig(lc *SyncConfig, rc *tenants.SyncConfig, t *tenants.Tenant, key string, nameOf func(string) string, dir Directory, tmpl json.RawMessage) *tenants.SyncConfig {
	sc := &tenants.SyncConfig{Source: t.Name, Name: lc.DisplayName, Actions: []tenants.Action{}, Mappings: []tenants.Mapping{}, Acknowledge: []string{},
		Scope: tenants.Scope{Groups: []string{}, Users: []string{}, Filters: []tenants.Filter{}}}
	if key != "" {
		sc.Name = strings.TrimPrefix(key, t.Name+"/")
	}
	if rc != nil {
		sc.Name, sc.ID, sc.Pos = rc.Name, rc.ID, rc.Pos
		sc.Acknowledge = append([]string{}, rc.Acknowledge...)
	}
	sc.Target = nameOf(lc.Secrets[SecretCompanyID])
	sc.Enabled = lc.Job != nil && lc.Job.Started
	sc.Scope.All = strings.EqualFold(lc.Secrets[SecretSyncAll], "true")
	sc.DeletionThreshold = deletionThreshold(lc.Secrets)

	// Assignments, in the repo's spelling where the repo names the principal.
	var repoGroups, repoUsers []string
	if rc != nil {
		repoGroups, repoUsers = rc.Scope.Groups, rc.Scope.Users
	}
	spell := func(a Assignment, refs []string, resolve func(string, string) (string, bool)) string {
		for _, r := range refs {
			if dir != nil {
				if id, ok := resolve(t.TenantID, r); ok && strings.EqualFold(id, a.PrincipalID) {
					return r
				}
			}
		}
		if dir != nil {
			// The directory's name, when it names this principal alone (two
			// groups may share a display name: then the id).
			if n, _, ok := dir.Principal(t.TenantID, a.PrincipalID); ok && n != "" {
				if resolve == nil {
					return n
				}
				if id, ok := resolve(t.TenantID, n); ok && strings.EqualFold(id, a.PrincipalID) {
					return n
				}
				return strings.ToLower(a.PrincipalID)
			}
		}
		if a.PrincipalName != "" {
			return a.PrincipalName
		}
		return strings.ToLower(a.PrincipalID)
	}
	for _, a := range lc.Assignments {
		if strings.EqualFold(a.PrincipalType, "User") {
			var res func(string, string) (string, bool)
			if dir != nil {
				res = dir.UserID
			}
			sc.Scope.Users = append(sc.Scope.Users, spell(a, repoUsers, res))
		} else {
			var res func(string, string) (string, bool)
			if dir != nil {
				res = dir.GroupID
			}
			sc.Scope.Groups = append(sc.Scope.Groups, spell(a, repoGroups, res))
		}
	}
	sc.Scope.Groups = inRepoOrder(sc.Scope.Groups, repoGroups)
	sc.Scope.Users = inRepoOrder(sc.Scope.Users, repoUsers)

	if lc.Job == nil || len(lc.Job.Schema) == 0 {
		return sc
	}
	var schema map[string]any
	_ = json.Unmarshal(lc.Job.Schema, &schema)
	om, tom := userObjectMapping(schema), templateMapping(tmpl)
	if om == nil {
		return sc
	}
	for _, f := range strings.Split(str(om["flowTypes"]), ",") {
		switch strings.TrimSpace(f) {
		case "Add":
			sc.Actions = append(sc.Actions, tenants.ActionCreate)
		case "Update":
			sc.Actions = append(sc.Actions, tenants.ActionUpdate)
		case "Delete":
			sc.Actions = append(sc.Actions, tenants.ActionDelete)
		}
	}
	sc.Scope.Filters = importFilters(om, rc)
	sc.Mappings, sc.UserType, sc.UserTypeFlow, sc.ShowInAddressList = importMappings(om, tom)
	if rc != nil {
		repoSpelling(sc.Mappings, rc.Mappings)
	}
	return sc
}

func inRepoOrder(got, repo []string) []string {
	idx := func(s string) int {
		for i, r := range repo {
			if r == s {
				return i
			}
		}
		return len(repo)
	}
	sort.SliceStable(got, func(i, j int) bool { return idx(got[i]) < idx(got[j]) })
	return got
}

func importFilters(om map[string]any, rc *tenants.SyncConfig) []tenants.Filter {
	scope, _ := om["scope"].(map[string]any)
	groups, _ := scope["groups"].([]any)
	out := []tenants.Filter{}
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		cls, _ := gm["clauses"].([]any)
		f := tenants.Filter{Name: str(gm["name"]), Clauses: []tenants.Clause{}}
		for _, c := range cls {
			cm, _ := c.(map[string]any)
			if isExternalClause(cm) {
				continue
			}
			cl := tenants.Clause{Attribute: str(cm["sourceOperandName"]), Operator: tenants.Operator(str(cm["operatorName"]))}
			to, _ := cm["targetOperand"].(map[string]any)
			if vals, _ := to["values"].([]any); len(vals) > 0 && !cl.Operator.Unary() {
				cl.Value = fmt.Sprint(vals[0])
			}
			f.Clauses = append(f.Clauses, cl)
		}
		if len(f.Clauses) == 0 {
			continue // the external-users group alone: no filter
		}
		i := len(out)
		if f.Name == "filter "+strconv.Itoa(i+1) {
			f.Name = ""
		}
		// The repo's spelling of an attribute (Graph's or the provisioning name).
		if rc != nil && i < len(rc.Scope.Filters) {
			rf := rc.Scope.Filters[i]
			if f.Name == "" && rf.Name != "" {
				f.Name = rf.Name
			}
			f.Pos = rf.Pos
			for j := range f.Clauses {
				if j < len(rf.Clauses) && tenants.ProvisioningName(rf.Clauses[j].Attribute) == f.Clauses[j].Attribute {
					f.Clauses[j].Attribute = rf.Clauses[j].Attribute
					f.Clauses[j].Pos = rf.Clauses[j].Pos
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// repoSpelling gives imported mappings the repository's spelling where the
// repository writes the same mapping in the other vocabulary (Graph's
// mobilePhone for the schema's mobile), so a round trip is not a change.
func repoSpelling(got, repo []tenants.Mapping) {
	for i := range got {
		for _, r := range repo {
			g := graphSpelled(r)
			if g.Target != got[i].Target || g.Kind != got[i].Kind {
				continue
			}
			got[i].Target = r.Target
			if g.Value == got[i].Value {
				got[i].Value, got[i].Expr = r.Value, r.Expr
			}
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Target < got[j].Target })
}

type liveMapping struct {
	typ, name, expression, flow string
}

func readMappings(om map[string]any) (map[string]liveMapping, []string) {
	out := map[string]liveMapping{}
	var order []string
	ams, _ := om["attributeMappings"].([]any)
	for _, a := range ams {
		am, _ := a.(map[string]any)
		src, _ := am["source"].(map[string]any)
		t := str(am["targetAttributeName"])
		out[t] = liveMapping{typ: str(src["type"]), name: str(src["name"]), expression: str(src["expression"]), flow: str(am["flowType"])}
		order = append(order, t)
	}
	return out, order
}

// importMappings turns the attribute mappings that differ from the
// template's into repo mappings, and reads userType and showInAddressList.
func importMappings(om, tom map[string]any) ([]tenants.Mapping, string, tenants.Flow, bool) {
	live, order := readMappings(om)
	tmpl, torder := readMappings(tom)
	userType, userTypeFlow, show := "Member", tenants.FlowOnCreate, true
	if m, ok := live["userType"]; ok {
		userType = m.name
		userTypeFlow = tenants.FlowAlways
		if m.flow == "ObjectAddOnly" {
			userTypeFlow = tenants.FlowOnCreate
		}
	}
	if m, ok := live["showInAddressList"]; ok {
		show = strings.EqualFold(m.name, "true")
	}
	out := []tenants.Mapping{}
	for _, t := range order {
		if engineMappings[t] || t == "userType" || t == "showInAddressList" {
			continue
		}
		m := live[t]
		if d, ok := tmpl[t]; ok && d == m {
			continue
		}
		rm := tenants.Mapping{Target: t, Flow: tenants.FlowAlways}
		if m.flow == "ObjectAddOnly" {
			rm.Flow = tenants.FlowOnCreate
		}
		switch m.typ {
		case "Attribute":
			rm.Kind, rm.Value = tenants.MappingSource, m.name
		case "Constant":
			rm.Kind, rm.Value = tenants.MappingConstant, m.name
		default:
			rm.Kind, rm.Value = tenants.MappingExpression, m.expression
		}
		rm.Expr, _ = tenants.MappingExpr(rm.Kind, rm.Value)
		out = append(out, rm)
	}
	for _, t := range torder {
		if engineMappings[t] || t == "userType" || t == "showInAddressList" {
			continue
		}
		if _, ok := live[t]; !ok {
			out = append(out, tenants.Mapping{Target: t, Kind: tenants.MappingRemove})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, userType, userTypeFlow, show
}
