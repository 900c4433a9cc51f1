package emulator

import (
	"net/http"
	"strings"
	"time"
)

// XTSTemplateID is the gallery application template of cross-tenant
// synchronization configurations.
const XTSTemplateID = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"

// now is the time written into created objects.
func now() string { return time.Now().UTC().Format(time.RFC3339) }

// instantiateXTS creates the application and service principal of a
// configuration named name.
func instantiateXTS(st *state, t *tenantData, name string) (map[string]any, *servicePrincipal) {
	appID := st.newID("appId")
	app := map[string]any{
		"id":                    st.newID("application"),
		"appId":                 appID,
		"applicationTemplateId": XTSTemplateID,
		"displayName":           name,
		"createdDateTime":       now(),
		"signInAudience":        "AzureADMyOrg",
		"tags":                  []any{},
		"identifierUris":        []any{},
		"web":                   map[string]any{"homePageUrl": "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=aad2aadsync|ISV9.1|primary|z", "redirectUris": []any{}},
	}
	sp := &servicePrincipal{Props: map[string]any{
		"id":                        st.newID("servicePrincipal"),
		"appId":                     appID,
		"applicationTemplateId":     XTSTemplateID,
		"appDisplayName":            name,
		"displayName":               name,
		"accountEnabled":            true,
		"appRoleAssignmentRequired": true,
		"appOwnerOrganizationId":    t.ID,
		"servicePrincipalType":      "Application",
		"servicePrincipalNames":     []any{appID},
		"signInAudience":            "AzureADMyOrg",
		"tags":                      []any{"WindowsAzureActiveDirectoryIntegratedApp", "WindowsAzureActiveDirectoryCustomSingleSignOnApplication"},
		"notes":                     nil,
		"appRoles": []any{map[string]any{
			"allowedMemberTypes": []any{"User"},
			"description":        "msiam_access",
			"displayName":        "msiam_access",
			"id":                 st.newID("appRole"),
			"isEnabled":          true,
			"origin":             "Application",
			"value":              nil,
		}},
	}}
	t.Applications = append(t.Applications, app)
	t.ServicePrincipals = append(t.ServicePrincipals, sp)
	return app, sp
}

// POST applicationTemplates/{id}/instantiate
func (c *call) instantiate() resp {
	if !strings.EqualFold(c.p["tpl"], XTSTemplateID) {
		return gerr(http.StatusNotFound, "Request_ResourceNotFound", "Application template '%s' is not in the emulator's gallery (only %s, cross-tenant synchronization).", c.p["tpl"], XTSTemplateID)
	}
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	name := strings.TrimSpace(str(body["displayName"]))
	if name == "" {
		return badRequest("Invalid value specified for property 'displayName'.")
	}
	app, sp := instantiateXTS(c.s.st, c.t, name)
	c.s.bornLocked("app", str(app["id"]))
	c.s.bornLocked("sp", sp.id())
	c.mutated = true
	return created(map[string]any{
		"@odata.context":   c.contextURL("microsoft.graph.applicationServicePrincipal"),
		"application":      clone(app),
		"servicePrincipal": clone(sp.Props),
	})
}

// sp returns the service principal of the path, or nil.
func (c *call) sp() *servicePrincipal {
	key, prop := c.p["sp"], "id"
	if appID, alt := strings.CutPrefix(key, "appId="); alt {
		key, prop = appID, "appId"
	}
	for _, sp := range c.t.ServicePrincipals {
		if strings.EqualFold(str(sp.Props[prop]), key) {
			if c.s.replicatingLocked("sp", sp.id()) {
				return nil
			}
			return sp
		}
	}
	return nil
}

// GET servicePrincipals
func (c *call) listSPs() resp {
	objs := make([]map[string]any, 0, len(c.t.ServicePrincipals))
	for _, sp := range c.t.ServicePrincipals {
		objs = append(objs, sp.Props)
	}
	return c.listObjects("servicePrincipals", objs)
}

// GET servicePrincipals/{sp}
func (c *call) getSP() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	sel := c.selectParam()
	out := project(&dirObject{Props: sp.Props}, sel, nil, 0)
	out["@odata.context"] = c.contextURL(contextName("servicePrincipals", sel) + "/$entity")
	return ok(out)
}

// PATCH servicePrincipals/{sp} (tags, notes, displayName …)
func (c *call) patchSP() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	return c.patchObject(sp.Props, "id", "appId", "appRoles")
}

// DELETE servicePrincipals/{sp}: the service principal with its jobs,
// secrets and assignments (its application stays, as in Entra).
func (c *call) deleteSP() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	c.t.removeSP(sp.id())
	c.mutated = true
	return noContent()
}

func (t *tenantData) removeSP(id string) {
	var keep []*servicePrincipal
	for _, sp := range t.ServicePrincipals {
		if sp.id() != id {
			keep = append(keep, sp)
		}
	}
	t.ServicePrincipals = keep
}

// GET applications
func (c *call) listApps() resp { return c.listObjects("applications", c.t.Applications) }

func (c *call) app() map[string]any {
	key, prop := c.p["app"], "id"
	if appID, alt := strings.CutPrefix(key, "appId="); alt {
		key, prop = appID, "appId"
	}
	for _, a := range c.t.Applications {
		if strings.EqualFold(str(a[prop]), key) {
			if c.s.replicatingLocked("app", str(a["id"])) {
				return nil
			}
			return a
		}
	}
	return nil
}

// GET applications/{app}
func (c *call) getApp() resp {
	a := c.app()
	if a == nil {
		return notFound(c.p["app"])
	}
	out := clone(a)
	out["@odata.context"] = c.contextURL("applications/$entity")
	return ok(out)
}

// PATCH applications/{app}
func (c *call) patchApp() resp {
	a := c.app()
	if a == nil {
		return notFound(c.p["app"])
	}
	return c.patchObject(a, "id", "appId")
}

// DELETE applications/{app}: the application and its service principal.
func (c *call) deleteApp() resp {
	a := c.app()
	if a == nil {
		return notFound(c.p["app"])
	}
	var keep []map[string]any
	for _, x := range c.t.Applications {
		if str(x["id"]) != str(a["id"]) {
			keep = append(keep, x)
		}
	}
	c.t.Applications = keep
	for _, sp := range c.t.ServicePrincipals {
		if str(sp.Props["appId"]) == str(a["appId"]) {
			c.t.removeSP(sp.id())
			break
		}
	}
	c.mutated = true
	return noContent()
}

// GET servicePrincipals/{sp}/appRoleAssignedTo
func (c *call) listAssignments() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	return c.listObjects("servicePrincipals('"+sp.id()+"')/appRoleAssignedTo", sp.Assignments)
}

// POST servicePrincipals/{sp}/appRoleAssignedTo
func (c *call) createAssignment() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	principal, roleID := strings.ToLower(str(body["principalId"])), strings.ToLower(str(body["appRoleId"]))
	if res := str(body["resourceId"]); res != "" && !strings.EqualFold(res, sp.id()) {
		return badRequest("resourceId %s does not match the service principal %s.", res, sp.id())
	}
	roleOK := roleID == "00000000-0000-0000-0000-000000000000"
	for _, r := range sp.Props["appRoles"].([]any) {
		if rm, isMap := r.(map[string]any); isMap && strings.EqualFold(str(rm["id"]), roleID) {
			roleOK = true
		}
	}
	if !roleOK {
		return badRequest("Permission being assigned was not found on application '%s'.", sp.id())
	}
	var ptype, pname string
	if u := c.t.liveUser(principal); u != nil {
		ptype, pname = "User", str(u.Props["displayName"])
	} else if g := c.t.liveGroup(principal); g != nil {
		ptype, pname = "Group", str(g.Props["displayName"])
	} else {
		return gerr(http.StatusNotFound, "Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried reference-property objects are not present.", principal)
	}
	for _, a := range sp.Assignments {
		if str(a["principalId"]) == principal && str(a["appRoleId"]) == roleID {
			return badRequest("Permission being assigned already exists on the object")
		}
	}
	a := map[string]any{
		"id":                   c.s.st.newID("assignment"),
		"appRoleId":            roleID,
		"createdDateTime":      now(),
		"deletedDateTime":      nil,
		"principalDisplayName": pname,
		"principalId":          principal,
		"principalType":        ptype,
		"resourceDisplayName":  str(sp.Props["displayName"]),
		"resourceId":           sp.id(),
	}
	sp.Assignments = append(sp.Assignments, a)
	c.mutated = true
	out := clone(a)
	out["@odata.context"] = c.contextURL("servicePrincipals('" + sp.id() + "')/appRoleAssignedTo/$entity")
	return created(out)
}

// DELETE servicePrincipals/{sp}/appRoleAssignedTo/{id}
func (c *call) deleteAssignment() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	for i, a := range sp.Assignments {
		if str(a["id"]) == c.p["id"] {
			sp.Assignments = append(sp.Assignments[:i], sp.Assignments[i+1:]...)
			c.mutated = true
			return noContent()
		}
	}
	return notFound(c.p["id"])
}
