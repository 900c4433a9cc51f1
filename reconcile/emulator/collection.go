package emulator

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

var (
	errExists   = errors.New("already exists")
	errNotFound = errors.New("not found")
)

// jsonEqual compares two JSON values.
func jsonEqual(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// selectParam returns the $select property names (nil when absent).
func (c *call) selectParam() []string {
	v := c.qget("$select")
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// qget reads a query option with or without its $ (Graph accepts both).
func (c *call) qget(name string) string {
	if v := c.q.Get(name); v != "" {
		return v
	}
	return c.q.Get(strings.TrimPrefix(name, "$"))
}

// pageSize is $top, else the Prefer: odata.maxpagesize header, else the
// server's default; at most 999.
func (c *call) pageSize() (int, *resp) {
	n := c.s.opts.PageSize
	if v := c.qget("$top"); v != "" {
		t, err := strconv.Atoi(v)
		if err != nil || t < 1 {
			r := gerr(http.StatusBadRequest, "BadRequest", "Invalid value '%s' for $top: want a positive integer.", v)
			return 0, &r
		}
		n = t
	} else if p := c.header.Get("Prefer"); p != "" {
		for _, part := range strings.Split(p, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.EqualFold(k, "odata.maxpagesize") {
				if t, err := strconv.Atoi(v); err == nil && t > 0 {
					n = t
				}
			}
		}
	}
	return min(n, 999), nil
}

// filterParam parses $filter (nil when absent).
func (c *call) filterParam() (filter, *resp) {
	v := c.qget("$filter")
	if v == "" {
		return nil, nil
	}
	f, err := parseFilter(v)
	if err != nil {
		var fe *filterError
		code := "BadRequest"
		if errors.As(err, &fe) && fe.unsupported {
			code = "Request_UnsupportedQuery"
		}
		r := gerr(http.StatusBadRequest, code, "%s", err.Error())
		return nil, &r
	}
	return f, nil
}

// unsupportedOptions refuses query options the emulator does not
// implement, as Graph refuses what it does not support.
func (c *call) unsupportedOptions(allowed ...string) *resp {
	for k := range c.q {
		name := strings.TrimPrefix(k, "$")
		if !strings.HasPrefix(k, "$") && !contains([]string{"top", "select", "filter", "skiptoken", "deltatoken", "count"}, name) {
			continue // not an OData option
		}
		if !contains(allowed, name) {
			r := gerr(http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported query option '$%s' (not implemented by the emulator).", name)
			return &r
		}
	}
	return nil
}

// list pages through a collection: items are already filtered and
// projected; $skiptoken is the offset into them.
func (c *call) list(contextName string, items []map[string]any) resp {
	return c.listN(contextName, len(items), func(i int) map[string]any { return items[i] })
}

// listN pages through a collection of n items, building only the page's
// (item(i) for its indexes).
func (c *call) listN(contextName string, n int, item func(i int) map[string]any) resp {
	size, errResp := c.pageSize()
	if errResp != nil {
		return *errResp
	}
	off := 0
	if tok := c.qget("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		o, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || o < 0 {
			return gerr(http.StatusBadRequest, "Request_BadRequest", "Invalid $skiptoken.")
		}
		off = min(o, n)
	}
	end := min(off+size, n)
	page := make([]map[string]any, 0, end-off)
	for i := off; i < end; i++ {
		page = append(page, item(i))
	}
	out := map[string]any{"@odata.context": c.contextURL(contextName), "value": page}
	if strings.EqualFold(c.qget("$count"), "true") {
		out["@odata.count"] = n
	}
	if end < n {
		q := url.Values{}
		for k, v := range c.q {
			q[k] = v
		}
		q.Del("skiptoken")
		q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
		out["@odata.nextLink"] = c.base + "/" + c.path() + "?" + encodeQuery(q)
	}
	return ok(out)
}

// path is the request path relative to /v1.0, rebuilt from the route.
func (c *call) path() string { return c.p["_path"] }

// contextURL is the @odata.context of a response.
func (c *call) contextURL(name string) string {
	return c.base + "/$metadata#" + name
}

// encodeQuery encodes a query keeping '$' readable, as Graph's links do.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "%24", "$")
}

// filterObjects returns the objects that keep accepts and f (when not
// nil) matches.
func filterObjects(objs []*dirObject, f filter, keep func(*dirObject) bool) []*dirObject {
	var out []*dirObject
	for _, o := range objs {
		if keep(o) && (f == nil || f.eval(o.Props)) {
			out = append(out, o)
		}
	}
	return out
}

// listObjects serves a collection of configuration objects: $filter, then
// $select, then paging.
func (c *call) listObjects(contextSet string, objs []map[string]any) resp {
	f, r := c.filterParam()
	if r != nil {
		return *r
	}
	sel := c.selectParam()
	items := []map[string]any{}
	for _, o := range objs {
		if f != nil && !f.eval(o) {
			continue
		}
		if len(sel) > 0 {
			o = project(&dirObject{Props: o}, sel, nil, 0)
		}
		items = append(items, o)
	}
	return c.list(contextName(contextSet, sel), items)
}

// patchObject applies the request body to obj as a merge patch, leaving
// the read-only properties alone: 204.
func (c *call) patchObject(obj map[string]any, readOnly ...string) resp {
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	for _, k := range append(readOnly, "@odata.type", "@odata.context") {
		delete(body, k)
	}
	mergePatch(obj, body)
	c.mutated = true
	return noContent()
}
