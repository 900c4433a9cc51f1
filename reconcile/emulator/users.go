package emulator

import (
	"errors"
	"net/http"
	"strings"
)

func liveObject(o *dirObject) bool { return !o.SoftDeleted && !o.Removed }

// GET /users
func (c *call) listUsers() resp { return c.listDirectory("users", c.t.Users, defaultUserProps) }

// listDirectory serves the live users or groups: $filter, $select (def
// without one), paging.
func (c *call) listDirectory(set string, objs []*dirObject, def []string) resp {
	if r := c.unsupportedOptions("top", "select", "filter", "skiptoken", "count"); r != nil {
		return *r
	}
	f, r := c.filterParam()
	if r != nil {
		return *r
	}
	sel := c.selectParam()
	found := filterObjects(objs, f, liveObject)
	return c.listN(contextName(set, sel), len(found), func(i int) map[string]any { return project(found[i], sel, def, 0) })
}

// contextName is "users" or "users(a,b)".
func contextName(set string, sel []string) string {
	if len(sel) == 0 {
		return set
	}
	return set + "(" + strings.Join(sel, ",") + ")"
}

// GET /users/{id} (an id or a userPrincipalName)
func (c *call) getUser() resp {
	u := c.findUser(c.p["id"])
	if u == nil {
		return notFound(c.p["id"])
	}
	sel := c.selectParam()
	out := project(u, sel, defaultUserProps, 0)
	out["@odata.context"] = c.contextURL(contextName("users", sel) + "/$entity")
	return ok(out)
}

// findUser finds a live user by id or userPrincipalName.
func (c *call) findUser(key string) *dirObject {
	if u := c.t.liveUser(key); u != nil {
		return u
	}
	if strings.Contains(key, "@") {
		for _, u := range c.t.Users {
			if liveObject(u) && strings.EqualFold(str(u.Props["userPrincipalName"]), key) {
				return u
			}
		}
	}
	return nil
}

// GET /users/{id}/manager
func (c *call) getManager() resp {
	u := c.findUser(c.p["id"])
	if u == nil {
		return notFound(c.p["id"])
	}
	m := c.t.liveUser(str(u.Props["manager"]))
	if m == nil {
		return notFound(c.p["id"])
	}
	out := project(m, c.selectParam(), nil, 0)
	out["@odata.type"] = "#microsoft.graph.user"
	out["@odata.context"] = c.contextURL("directoryObjects/$entity")
	return ok(out)
}

// POST /users
func (c *call) createUser() resp {
	var props map[string]any
	if r := c.decodeJSON(&props); r != nil {
		return *r
	}
	upn := str(props["userPrincipalName"])
	if upn == "" || str(props["displayName"]) == "" {
		return badRequest("Invalid value specified for property 'userPrincipalName' or 'displayName' of resource 'User'.")
	}
	if c.findUser(upn) != nil {
		return gerr(http.StatusBadRequest, "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists.")
	}
	delete(props, "passwordProfile")
	props["id"] = c.s.st.newID("user")
	if _, has := props["accountEnabled"]; !has {
		props["accountEnabled"] = true
	}
	if _, has := props["userType"]; !has {
		props["userType"] = "Member"
	}
	if err := c.t.addUser(props); err != nil {
		return badRequest("%v", err)
	}
	c.mutated = true
	out := project(c.t.users[str(props["id"])], nil, nil, 0)
	out["@odata.context"] = c.contextURL("users/$entity")
	return created(out)
}

// PATCH /users/{id}
func (c *call) patchUser() resp {
	u := c.findUser(c.p["id"])
	if u == nil {
		return notFound(c.p["id"])
	}
	var props map[string]any
	if r := c.decodeJSON(&props); r != nil {
		return *r
	}
	delete(props, "id")
	if v := c.t.Version + 1; u.setProps(props, v) {
		c.t.Version = v
		c.mutated = true
	}
	return noContent()
}

// DELETE /users/{id} (soft delete, like Graph)
func (c *call) deleteUserReq() resp {
	u := c.findUser(c.p["id"])
	if u == nil {
		return notFound(c.p["id"])
	}
	if err := c.t.deleteUser(str(u.Props["id"]), false); err != nil {
		return notFound(c.p["id"])
	}
	c.mutated = true
	return noContent()
}

// GET /directory/deletedItems/microsoft.graph.user
func (c *call) listDeletedUsers() resp {
	sel := c.selectParam()
	def := append(append([]string(nil), defaultUserProps...), "deletedDateTime")
	found := filterObjects(c.t.Users, nil, func(o *dirObject) bool { return o.SoftDeleted })
	return c.listN("directory/deletedItems/microsoft.graph.user", len(found), func(i int) map[string]any { return project(found[i], sel, def, 0) })
}

// GET /groups
func (c *call) listGroups() resp { return c.listDirectory("groups", c.t.Groups, nil) }

// GET /groups/{id}
func (c *call) getGroup() resp {
	g := c.t.liveGroup(c.p["id"])
	if g == nil {
		return notFound(c.p["id"])
	}
	sel := c.selectParam()
	out := project(g, sel, nil, 0)
	out["@odata.context"] = c.contextURL(contextName("groups", sel) + "/$entity")
	return ok(out)
}

// GET /groups/{id}/members
func (c *call) listMembers() resp {
	if r := c.unsupportedOptions("top", "select", "filter", "skiptoken", "count"); r != nil {
		return *r
	}
	g := c.t.liveGroup(c.p["id"])
	if g == nil {
		return notFound(c.p["id"])
	}
	f, r := c.filterParam()
	if r != nil {
		return *r
	}
	sel := c.selectParam()
	var items []map[string]any
	for _, id := range g.Members {
		o, typ := c.t.liveUser(id), "#microsoft.graph.user"
		if o == nil {
			o, typ = c.t.liveGroup(id), "#microsoft.graph.group"
		}
		if o == nil || (f != nil && !f.eval(o.Props)) {
			continue
		}
		def := defaultUserProps
		if typ == "#microsoft.graph.group" {
			def = nil
		}
		m := project(o, sel, def, 0)
		m["@odata.type"] = typ
		items = append(items, m)
	}
	return c.list("directoryObjects", items)
}

// POST /groups/{id}/members/$ref {"@odata.id": ".../directoryObjects/{id}"}
func (c *call) addMemberRef() resp {
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	ref := str(body["@odata.id"])
	id := ref[strings.LastIndex(ref, "/")+1:]
	g := c.t.liveGroup(c.p["id"])
	if g == nil {
		return notFound(c.p["id"])
	}
	if contains(g.Members, id) {
		return badRequest("One or more added object references already exist for the following modified properties: 'members'.")
	}
	if err := c.t.setMember(c.p["id"], id, true); err != nil {
		if errors.Is(err, errNotFound) {
			return notFound(id)
		}
		return badRequest("%v", err)
	}
	c.mutated = true
	return noContent()
}

// DELETE /groups/{id}/members/{member}/$ref
func (c *call) removeMemberRef() resp {
	g := c.t.liveGroup(c.p["id"])
	if g == nil || !contains(g.Members, c.p["member"]) {
		return notFound(c.p["member"])
	}
	c.t.setMember(c.p["id"], c.p["member"], false)
	c.mutated = true
	return noContent()
}
