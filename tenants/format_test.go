package tenants

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// formatPaths lists every key path of a format description, the way the
// loader records what it reads ("sync.scope.filters.clauses.value",
// "sync.mappings.*.flow").
func formatPaths(f *Field, prefix string, out map[string]bool) {
	for _, c := range f.Fields {
		p := join(prefix, c.Key)
		out[p] = true
		switch c.Type {
		case TObject, TList:
			formatPaths(c, p, out)
		case TMap:
			if c.Elem.Type == TObject {
				formatPaths(c.Elem, p+".*", out)
			}
		}
	}
}

// TestFormatDrift: the loader reads exactly the keys of the format
// description (which the JSON Schema renders), no more, no fewer.
func TestFormatDrift(t *testing.T) {
	_, ds, read := load(os.DirFS("testdata/full"), LoadOptions{})
	if ds.HasErrors() {
		t.Fatalf("testdata/full does not load:\n%s", render(ds))
	}
	want := map[string]bool{}
	formatPaths(TenantFormat(), "", want)
	formatPaths(SettingsFormat(), "", want)
	if diff := cmp.Diff(sortedKeys(want), sortedKeys(read)); diff != "" {
		t.Errorf("format paths (-described +read by the loader):\n%s", diff)
	}
}

// TestFullRoundTrip: every key set, marshalled and parsed again, gives the
// same model.
func TestFullRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/full/tenants/src.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first, ds := ParseTenant("tenants/src.yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	second, ds := ParseTenant("tenants/src.yaml", Marshal(first))
	if ds.HasErrors() {
		t.Fatalf("%s\n%s", Marshal(first), ds)
	}
	if diff := cmp.Diff(first, second, ignorePos); diff != "" {
		t.Errorf("(-first +second):\n%s", diff)
	}
}

// TestSchemaValidatesFiles checks the example and the full files against
// the emitted JSON Schema, and that the schema rejects what the loader
// rejects for keys and types.
func TestSchemaValidatesFiles(t *testing.T) {
	schemas := map[string]map[string]any{}
	for _, kind := range []string{SchemaTenant, SchemaSettings} {
		raw, err := Schema(kind)
		if err != nil {
			t.Fatal(err)
		}
		var s map[string]any
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("schema %s is not JSON: %v", kind, err)
		}
		if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("schema %s: $schema = %v", kind, s["$schema"])
		}
		schemas[kind] = s
	}
	files, _ := filepath.Glob(exampleDir + "/tenants/*.yaml")
	full, _ := filepath.Glob("testdata/full/tenants/*.yaml")
	files = append(files, full...)
	files = append(files, exampleDir+"/xtsync.yaml", "testdata/full/xtsync.yaml")
	for _, file := range files {
		kind := SchemaTenant
		if filepath.Base(file) == "xtsync.yaml" {
			kind = SchemaSettings
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if errs := validate(schemas[kind], doc, ""); len(errs) > 0 {
			t.Errorf("%s does not validate against the %s schema:\n%s", file, kind, strings.Join(errs, "\n"))
		}
	}

	bad := []struct{ kind, doc, want string }{
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: x\ntenantId: 11111111-2222-4333-8444-555555555555\ntenantID: x\n", "/tenantID: unknown key"},
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: x\n", "/: missing tenantId"},
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: X\ntenantId: 11111111-2222-4333-8444-555555555555\n", "/name: \"X\" does not match"},
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: x\ntenantId: 11111111-2222-4333-8444-555555555555\nsync: [{name: a, target: b, enabled: yes}]\n", "/sync/0/enabled: want boolean"},
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: x\ntenantId: 11111111-2222-4333-8444-555555555555\nsync: [{name: a, target: b, deletionThreshold: -1}]\n", "/sync/0/deletionThreshold: below minimum"},
		{SchemaSettings, "assumptions: {nope: true}\n", "/assumptions/nope: key not in enum"},
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: x\ntenantId: 11111111-2222-4333-8444-555555555555\nsync: [{name: a, target: b, mappings: {city: {source: x, constant: y}}}]\n", "/sync/0/mappings/city: matches 2 of oneOf"},
		{SchemaTenant, "apiVersion: xtsync/v1\nkind: Tenant\nname: x\ntenantId: 11111111-2222-4333-8444-555555555555\nsync: [{name: a, target: b, mappings: {city: {flow: always}}}]\n", "/sync/0/mappings/city: matches 0 of oneOf"},
		{SchemaSettings, "maxDeleteShare: 2\n", "/maxDeleteShare: above maximum"},
	}
	for _, tt := range bad {
		var doc any
		if err := yaml.Unmarshal([]byte(tt.doc), &doc); err != nil {
			t.Fatal(err)
		}
		errs := validate(schemas[tt.kind], doc, "")
		if !strings.Contains(strings.Join(errs, "\n"), tt.want) {
			t.Errorf("validate(%q) = %q, want an error containing %q", tt.doc, errs, tt.want)
		}
	}
}

// validate checks doc against the subset of JSON Schema that Schema emits.
func validate(s map[string]any, doc any, at string) []string {
	loc := at
	if loc == "" {
		loc = "/"
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, loc+": "+fmt.Sprintf(format, args...)) }
	if types := schemaTypes(s["type"]); len(types) > 0 && !typeOK(types, doc) {
		fail("want %s, got %T", strings.Join(types, "|"), doc)
		return errs
	}
	if enum, ok := s["enum"].([]any); ok && !containsAny(enum, doc) {
		fail("%v not in enum", doc)
	}
	if p, ok := s["pattern"].(string); ok {
		if str, _ := doc.(string); !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if n, ok := number(doc); ok {
		if m, ok := s["minimum"].(float64); ok && n < m {
			fail("below minimum %v", m)
		}
		if m, ok := s["maximum"].(float64); ok && n > m {
			fail("above maximum %v", m)
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, alt := range one {
			if len(validate(alt.(map[string]any), doc, at)) == 0 {
				n++
			}
		}
		if n != 1 {
			fail("matches %d of oneOf, want exactly 1", n)
		}
	}
	switch v := doc.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := v[r]; !ok {
				fail("missing %s", r)
			}
		}
		names, _ := s["propertyNames"].(map[string]any)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := at + "/" + k
			if names != nil && !containsAny(names["enum"].([]any), k) {
				errs = append(errs, sub+": key not in enum")
				continue
			}
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(ps, v[k], sub)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, sub+": unknown key")
				}
			case map[string]any:
				errs = append(errs, validate(ap, v[k], sub)...)
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range v {
				errs = append(errs, validate(items, it, fmt.Sprintf("%s/%d", at, i))...)
			}
		}
	}
	return errs
}

func schemaTypes(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		return asStrings(t)
	}
	return nil
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func typeOK(types []string, doc any) bool {
	for _, t := range types {
		switch t {
		case "string":
			if _, ok := doc.(string); ok {
				return true
			}
			if _, ok := doc.(time.Time); ok {
				return true // a YAML timestamp is a string in JSON
			}
		case "boolean":
			if _, ok := doc.(bool); ok {
				return true
			}
		case "integer":
			if _, ok := doc.(int); ok {
				return true
			}
		case "number":
			if _, ok := number(doc); ok {
				return true
			}
		case "array":
			if _, ok := doc.([]any); ok {
				return true
			}
		case "object":
			if _, ok := doc.(map[string]any); ok {
				return true
			}
		}
	}
	return false
}

func number(doc any) (float64, bool) {
	switch n := doc.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func containsAny(list []any, v any) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
