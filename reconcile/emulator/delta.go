package emulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// deltaToken is the state of a delta round, carried in $skiptoken (within
// a round) and $deltatoken (the next round). It is opaque to clients.
type deltaToken struct {
	Kind  string `json:"k"`           // users or groups
	Epoch string `json:"e"`           // the tenant's epoch: reseeding invalidates old tokens
	Since int64  `json:"s"`           // report changes after this version (0: everything live)
	Upto  int64  `json:"u"`           // the version when the round began: the next round's Since
	After string `json:"a,omitempty"` // last id returned in this round
	Sel   string `json:"sel,omitempty"`
	Flt   string `json:"flt,omitempty"` // $filter of the first request
}

func (d deltaToken) encode() string {
	b, _ := json.Marshal(d) // a struct of strings and ints always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeDeltaToken(s string) (deltaToken, bool) {
	var d deltaToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &d) != nil {
		return d, false
	}
	return d, true
}

// GET /users/delta() and /groups/delta()
func (c *call) delta(kind string) resp {
	if r := c.unsupportedOptions("top", "select", "filter", "skiptoken", "deltatoken"); r != nil {
		return *r
	}

	objs := c.t.Users
	if kind == "groups" {
		objs = c.t.Groups
	}
	if c.t.Epoch == "" {
		c.t.Epoch = c.s.st.newID("epoch")
		c.mutated = true
	}
	var d deltaToken
	skip, delta := c.qget("$skiptoken"), c.qget("$deltatoken")
	switch {
	case skip != "" || (delta != "" && delta != "latest"):
		tok := skip
		if tok == "" {
			tok = delta
		}
		var valid bool
		d, valid = decodeDeltaToken(tok)
		if !valid || d.Kind != kind {
			return gerr(http.StatusBadRequest, "Request_BadRequest", "The delta or skip token is not valid for this request.")
		}
		if d.Epoch != c.t.Epoch || d.Upto > c.t.Version {
			// Graph's synchronization reset: 410 with a Location that
			// starts over (the same query, an empty token).
			r := gerr(http.StatusGone, "resyncRequired", "The delta token is no longer valid (the emulator was reseeded); start a new delta round without a token.")
			loc := c.base + "/" + kind + "/delta()?$deltatoken="
			if d.Sel != "" {
				loc += "&$select=" + d.Sel
			}
			r.header = http.Header{"Location": {loc}}
			return r
		}
		if delta != "" && skip == "" {
			// A new round from a deltaLink.
			d.Since, d.Upto, d.After = d.Upto, c.t.Version, ""
		}
	default:
		d = deltaToken{Kind: kind, Epoch: c.t.Epoch, Upto: c.t.Version, Sel: c.qget("$select"), Flt: c.qget("$filter")}
		if delta == "latest" {
			d.Since = c.t.Version
			return ok(map[string]any{
				"@odata.context":   c.contextURL(kind),
				"@odata.deltaLink": c.base + "/" + kind + "/delta()?$deltatoken=" + d.encode(),
				"value":            []any{},
			})
		}
	}
	// Graph scopes a delta to objects by id only: id eq '…' (or …), id in (…).
	var scope filter
	if d.Flt != "" {
		f, err := parseFilter(d.Flt)
		if err != nil || !onlyIDs(f) {
			return gerr(http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported query: a delta query can be filtered by object id only (id eq '…' or id eq '…').")
		}
		scope = f
	}
	var sel []string
	if d.Sel != "" {
		sel = strings.Split(d.Sel, ",")
	}
	n, pr := c.pageSize()
	if pr != nil {
		return *pr
	}
	i := sort.Search(len(objs), func(i int) bool { return str(objs[i].Props["id"]) > d.After })
	page := []map[string]any{}
	last := d.After
	quiet := func(o *dirObject) bool {
		return d.Since == 0 && !liveObject(o) || d.Since > 0 && o.Version <= d.Since
	}
	for ; i < len(objs) && len(page) < n; i++ {
		o := objs[i]
		if quiet(o) || scope != nil && !scope.eval(o.Props) {
			continue
		}
		page = append(page, c.deltaItem(kind, o, sel, d.Since))
		last = str(o.Props["id"])
	}
	for i < len(objs) && (quiet(objs[i]) || scope != nil && !scope.eval(objs[i].Props)) {
		i++ // nothing left to report: this is the last page
	}
	out := map[string]any{"@odata.context": c.contextURL(contextName(kind, sel)), "value": page}
	if i < len(objs) {
		next := d
		next.After = last
		out["@odata.nextLink"] = c.base + "/" + kind + "/delta()?$skiptoken=" + next.encode()
	} else {
		next := d
		next.After = ""
		out["@odata.deltaLink"] = c.base + "/" + kind + "/delta()?$deltatoken=" + next.encode()
	}
	return ok(out)
}

// deltaItem is one object of a delta page.
func (c *call) deltaItem(kind string, o *dirObject, sel []string, since int64) map[string]any {
	id := str(o.Props["id"])
	if o.Removed {
		return map[string]any{"id": id, "@removed": map[string]any{"reason": "deleted"}}
	}
	if o.SoftDeleted {
		return map[string]any{"id": id, "@removed": map[string]any{"reason": "changed"}}
	}
	if kind == "users" {
		out := project(o, sel, defaultUserProps, since)
		if m, has := out["manager"]; has {
			// Graph reports the manager reference as manager@delta.
			delete(out, "manager")
			refs := []any{}
			if id := str(m); id != "" {
				refs = append(refs, map[string]any{"@odata.type": "#microsoft.graph.user", "id": id})
			}
			out["manager@delta"] = refs
		}
		return out
	}
	withMembers := len(sel) == 0 || contains(sel, "members")
	out := project(o, remove(append([]string(nil), sel...), "members"), nil, since)
	if len(sel) == 1 && withMembers {
		out = map[string]any{"id": id} // $select=members: only the membership
	}
	if !withMembers {
		return out
	}
	members := []map[string]any{}
	if since == 0 {
		for _, m := range o.Members {
			members = append(members, map[string]any{"@odata.type": c.t.memberType(m), "id": m})
		}
	} else {
		latest := map[string]memberChange{}
		var order []string
		for _, mc := range o.MemberLog {
			if mc.Version <= since {
				continue
			}
			if _, seen := latest[mc.ID]; !seen {
				order = append(order, mc.ID)
			}
			latest[mc.ID] = mc
		}
		for _, m := range order {
			item := map[string]any{"@odata.type": c.t.memberType(m), "id": m}
			if latest[m].Removed {
				item["@removed"] = map[string]any{"reason": "deleted"}
			}
			members = append(members, item)
		}
	}
	if since == 0 || len(members) > 0 {
		out["members@delta"] = members
	}
	return out
}

// onlyIDs reports whether a filter tests nothing but the object id with
// eq, in and or.
func onlyIDs(f filter) bool {
	isID := func(path []string) bool { return len(path) == 1 && strings.EqualFold(path[0], "id") }
	switch x := f.(type) {
	case cmpF:
		return x.op == "eq" && isID(x.path)
	case inF:
		return isID(x.path)
	case orF:
		return onlyIDs(x.l) && onlyIDs(x.r)
	}
	return false
}
