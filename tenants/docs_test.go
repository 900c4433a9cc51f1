package tenants

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docPaths lists the key paths of a format as docs/config-reference.md
// writes them: "sync[].scope.filters[].clauses[].value", "sync[].mappings.<attr>.flow".
func docPaths(f *Field, prefix string, out *[]string) {
	for _, c := range f.Fields {
		p := join(prefix, c.Key)
		*out = append(*out, p)
		switch c.Type {
		case TObject:
			docPaths(c, p, out)
		case TList:
			docPaths(c, p+"[]", out)
		case TMap:
			if c.Elem.Type == TObject {
				docPaths(c.Elem, p+".<attr>", out)
			} else {
				*out = append(*out, p+".<id>")
			}
		}
	}
}

// referenceTables are the tables of docs/config-reference.md rendered from
// the JSON Schema: each between <!-- reference:ID ... --> and
// <!-- /reference:ID -->, the keys of its schema whose path in passes.
var referenceTables = []struct {
	id, kind string
	in       func(path string) bool
}{
	{"tenant", SchemaTenant, func(p string) bool { return !strings.HasPrefix(p, "partners[]") && !strings.HasPrefix(p, "sync[]") }},
	{"partners", SchemaTenant, func(p string) bool { return strings.HasPrefix(p, "partners[]") }},
	{"sync", SchemaTenant, func(p string) bool { return strings.HasPrefix(p, "sync[]") }},
	{"settings", SchemaSettings, func(string) bool { return true }},
}

// TestConfigReference: the key tables of docs/config-reference.md are
// what the JSON Schema (xtsync schema) says of every key: type, default
// and text, in the format's order. -update rewrites them; a key of the
// format without a reference entry, or an entry for no key, fails.
func TestConfigReference(t *testing.T) {
	const file = "../docs/config-reference.md"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	described := map[string]bool{}
	for _, tb := range referenceTables {
		raw, err := Schema(tb.kind)
		if err != nil {
			t.Fatal(err)
		}
		var schema map[string]any
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatal(err)
		}
		f := TenantFormat()
		if tb.kind == SchemaSettings {
			f = SettingsFormat()
		}
		var paths []string
		docPaths(f, "", &paths)
		var rows []string
		for _, p := range paths {
			if _, ok := reference[p]; !ok {
				t.Errorf("%s: no reference entry for key %s: add it to tenants/reference.go", tb.kind, p)
			}
			described[p] = true
			if tb.in(p) {
				rows = append(rows, referenceRow(t, schema, p))
			}
		}
		table := "| key | type | default | meaning |\n|---|---|---|---|\n" + strings.Join(rows, "\n") + "\n"
		begin := "<!-- reference:" + tb.id + " (rendered from the JSON Schema: go test ./tenants -run TestConfigReference -update) -->\n"
		end := "<!-- /reference:" + tb.id + " -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("%s: no table %q (want the lines %q and %q around it)", file, tb.id, strings.TrimSpace(begin), end)
		}
		got := doc[i+len(begin) : j]
		if *update {
			doc = doc[:i+len(begin)] + table + doc[j:]
			continue
		}
		if diff := cmp.Diff(table, got); diff != "" {
			t.Errorf("%s: table %s disagrees with the JSON Schema (-schema +doc); run go test ./tenants -run TestConfigReference -update:\n%s", file, tb.id, diff)
		}
	}
	for p := range reference {
		if !described[p] {
			t.Errorf("tenants/reference.go: entry %s names no key of the format", p)
		}
	}
	if *update {
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range Assumptions() {
		if !strings.Contains(doc, "| `"+a.ID+"` |") {
			t.Errorf("docs/config-reference.md does not list assumption %s", a.ID)
		}
	}
	for _, id := range PolicyIDs {
		if !strings.Contains(doc, "`"+id+"`") {
			t.Errorf("docs/config-reference.md does not list policy id %s", id)
		}
	}
}

// referenceRow renders the schema of the key at path as a table row.
func referenceRow(t *testing.T, schema map[string]any, path string) string {
	t.Helper()
	node, required := schema, false
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		if seg == "<attr>" || seg == "<id>" {
			node, _ = node["additionalProperties"].(map[string]any)
			continue
		}
		key := strings.TrimSuffix(seg, "[]")
		props, _ := node["properties"].(map[string]any)
		parent := node
		node, _ = props[key].(map[string]any)
		if node == nil {
			t.Fatalf("the JSON Schema has no key %s", path)
		}
		if i == len(segs)-1 {
			req, _ := parent["required"].([]any)
			for _, r := range req {
				required = required || r == key
			}
		}
		if strings.HasSuffix(seg, "[]") {
			node, _ = node["items"].(map[string]any)
		}
	}
	typ := schemaTypeText(node)
	if required {
		typ += ", required"
	}
	def := "—"
	if d, ok := node["default"]; ok {
		def = "`" + yamlText(d) + "`"
	}
	text, _ := node["markdownDescription"].(string)
	cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	return "| `" + path + "` | " + cell(typ) + " | " + cell(def) + " | " + cell(text) + " |"
}

// schemaTypeText names a key's value as the reference does: its title,
// else what its JSON Schema type, enum and pattern say.
func schemaTypeText(s map[string]any) string {
	if title, ok := s["title"].(string); ok {
		return title
	}
	code := func(vs []any, sep string) string {
		var out []string
		for _, v := range vs {
			out = append(out, "`"+yamlText(v)+"`")
		}
		return strings.Join(out, sep)
	}
	if enum, ok := s["enum"].([]any); ok {
		return code(enum, " | ")
	}
	switch s["type"] {
	case "string":
		switch {
		case s["pattern"] == guidPattern:
			return "GUID"
		case s["pattern"] == durationPattern:
			return "duration"
		case s["format"] == "date-time":
			return "RFC 3339 time"
		}
		return "string"
	case "boolean":
		return "boolean"
	case "integer", "number":
		min, hasMin := s["minimum"].(float64)
		max, hasMax := s["maximum"].(float64)
		switch {
		case hasMin && hasMax:
			return fmt.Sprintf("%s %g..%g", s["type"], min, max)
		case hasMin:
			return fmt.Sprintf("%s ≥ %g", s["type"], min)
		}
		return s["type"].(string)
	case "array":
		items, _ := s["items"].(map[string]any)
		if enum, ok := items["enum"].([]any); ok {
			return "list of " + code(enum, "/")
		}
		switch {
		case items["pattern"] == guidPattern:
			return "list of GUIDs"
		case items["type"] == "object":
			return "list"
		}
		return "list of strings"
	case "object":
		return "mapping"
	}
	return "scalar"
}

// yamlText is a JSON value as the reference writes it: YAML's flow form.
func yamlText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, yamlText(e))
		}
		return "[" + strings.Join(out, ", ") + "]"
	case map[string]any:
		return "{}"
	}
	return fmt.Sprint(v)
}
