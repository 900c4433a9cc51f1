package tenants

import (
	"encoding/json"
	"fmt"
)

// Schema kinds.
const (
	SchemaTenant   = "tenant"
	SchemaSettings = "settings"
)

// Schema returns the JSON Schema (draft 2020-12) of a tenant file
// (kind "tenant") or of xtsync.yaml (kind "settings"), rendered from the
// same format description the loader checks against.
func Schema(kind string) ([]byte, error) {
	var f *Field
	var id, title string
	switch kind {
	case SchemaTenant:
		f, id, title = TenantFormat(), "https://xtsync.dev/schema/v1/tenant.json", "xtsync tenant file (tenants/<name>.yaml)"
	case SchemaSettings:
		f, id, title = SettingsFormat(), "https://xtsync.dev/schema/v1/settings.json", "xtsync repository settings (xtsync.yaml)"
	default:
		return nil, fmt.Errorf("schema: unknown kind %q: want %s or %s", kind, SchemaTenant, SchemaSettings)
	}
	s := schemaOf(f)
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = id
	s["title"] = title
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return append(out, '\n'), nil
}

func schemaOf(f *Field) map[string]any {
	s := map[string]any{}
	if f.Doc != "" {
		s["description"] = f.Doc
	}
	if f.Default != nil {
		s["default"] = f.Default
	}
	if f.Title != "" {
		s["title"] = f.Title
	}
	if f.Ref != "" {
		// Shown on hover by editors that read it (VS Code's YAML support).
		s["markdownDescription"] = f.Ref
	}
	str := func(into map[string]any) {
		into["type"] = "string"
		if len(f.Enum) > 0 {
			into["enum"] = f.Enum
		}
		if f.Pattern != "" {
			into["pattern"] = f.Pattern
		}
	}
	switch f.Type {
	case TString:
		str(s)
		if f.Required {
			s["minLength"] = 1
		}
	case TBool:
		s["type"] = "boolean"
	case TInt, TNumber:
		s["type"] = "integer"
		if f.Type == TNumber {
			s["type"] = "number"
		}
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if f.Max != nil {
			s["maximum"] = *f.Max
		}
	case TScalar:
		s["type"] = []string{"string", "number", "integer", "boolean"}
	case TTime:
		s["type"] = "string"
		s["format"] = "date-time"
	case TDuration:
		s["type"] = "string"
		s["pattern"] = durationPattern
	case TStrings:
		items := map[string]any{"minLength": 1}
		str(items)
		s["type"] = "array"
		s["items"] = items
	case TObject:
		objectSchema(s, f)
	case TList:
		item := map[string]any{}
		objectSchema(item, f)
		s["type"] = "array"
		s["items"] = item
	case TMap:
		s["type"] = "object"
		s["additionalProperties"] = schemaOf(f.Elem)
		if len(f.KeyEnum) > 0 {
			s["propertyNames"] = map[string]any{"enum": f.KeyEnum}
		}
	}
	return s
}

func objectSchema(s map[string]any, f *Field) {
	s["type"] = "object"
	s["additionalProperties"] = false
	props := map[string]any{}
	var req []string
	for _, c := range f.Fields {
		props[c.Key] = schemaOf(c)
		if c.Required {
			req = append(req, c.Key)
		}
	}
	s["properties"] = props
	if len(req) > 0 {
		s["required"] = req
	}
	if len(f.OneOf) > 0 {
		var one []any
		for _, k := range f.OneOf {
			one = append(one, map[string]any{"required": []string{k}})
		}
		s["oneOf"] = one
	}
}
