package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// bodyType describes a JSON request body the way a Microsoft Graph v1.0
// reference page does: a resource (its properties and their types) or an
// action (its parameters). The table of them is graphTypes (resources.go);
// a route names the type of its body and the request is refused, as Graph
// refuses it, before its handler runs.
type bodyType struct {
	// Page is the reference page the description comes from, relative to
	// microsoftgraph/microsoft-graph-docs-contrib (api-reference/v1.0/…).
	Page string
	// Props maps each property (or parameter) to its type: a primitive
	// (String, String(N) — at most N characters —, Boolean, Int32, Guid,
	// DateTimeOffset, Duration), Any, Object
	// (a complex type whose properties are not checked), the name of
	// another entry of the table, or Collection(T). A trailing "?" lets a
	// collection be null.
	Props map[string]string
	// Beta lists the properties that exist in the beta endpoint only: they
	// are refused like unknown ones, and the message says why.
	Beta []string
	// Enum lists an enumeration's members (then Props is empty); Flags
	// makes it a flags enumeration (a comma-separated combination).
	Enum  []string
	Flags bool
	// Action marks the parameters of an action (unknown ones are named as
	// parameters in the error).
	Action bool
}

// bodyError is the first thing Graph would refuse in a request body; path
// is where, innermost segment first ("key", "[1]", "value"), built only on
// the way out of an error.
type bodyError struct {
	msg  string
	path []string
}

// where renders the path: value[1].key.
func (e *bodyError) where() string {
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		seg := e.path[i]
		if b.Len() > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// graphName is a type's name as Graph's messages spell it.
func graphName(t string) string {
	switch t {
	case "String", "Boolean", "Int32", "Int64", "Guid", "DateTimeOffset", "Duration":
		return "Edm." + t
	}
	return "microsoft.graph." + t
}

// validateBody checks body (JSON) against the type named typ: unknown and
// beta-only properties, JSON kinds, primitive formats, enumeration members.
// An empty body is left to the handler.
func validateBody(types map[string]*bodyType, typ string, body []byte) *resp {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		r := gerr(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format: %v", err)
		return &r
	}
	if d.More() {
		r := gerr(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload: more than one JSON value.")
		return &r
	}
	if e := checkValue(types, typ, v, ""); e != nil {
		r := gerr(http.StatusBadRequest, "BadRequest", "%s%s", e.msg, at(e.where()))
		return &r
	}
	return nil
}

// node is the JSON reader's name for the kind of a value.
func node(v any) string {
	switch v.(type) {
	case map[string]any:
		return "StartObject"
	case []any:
		return "StartArray"
	}
	return "PrimitiveValue"
}

// literal is a value as Graph quotes it in a conversion error.
func literal(v any) string {
	if s, isStr := v.(string); isStr {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return " (at " + path + ")"
}

// checkValue checks v, the value of the property name, against the type typ.
func checkValue(types map[string]*bodyType, typ string, v any, name string) *bodyError {
	nullable := strings.HasSuffix(typ, "?")
	typ = strings.TrimSuffix(typ, "?")
	if elem, isColl := strings.CutPrefix(typ, "Collection("); isColl {
		elem = strings.TrimSuffix(elem, ")")
		if v == nil {
			if nullable {
				return nil
			}
			return &bodyError{msg: fmt.Sprintf("A null value was found for the property named '%s', which has the expected type 'Collection(%s)[Nullable=False]'. The expected type 'Collection(%[2]s)[Nullable=False]' does not allow null values.", name, graphName(elem))}
		}
		arr, isArr := v.([]any)
		if !isArr {
			return &bodyError{msg: fmt.Sprintf("An unexpected '%s' node was found for property named '%s' when reading from the JSON reader. A 'StartArray' node was expected.", node(v), name)}
		}
		for i, x := range arr {
			if e := checkValue(types, elem, x, name); e != nil {
				e.path = append(e.path, "["+strconv.Itoa(i)+"]")
				return e
			}
		}
		return nil
	}
	if v == nil {
		return nil // single-valued properties are nullable
	}
	if n, limited := maxLength(typ); limited {
		s, isStr := v.(string)
		if !isStr {
			typ = "String" // the type error below
		} else if utf8.RuneCountInString(s) > n {
			return &bodyError{msg: fmt.Sprintf("Invalid value specified for property '%s': it is longer than the maximum allowed size of %d characters.", name, n)}
		} else {
			return nil
		}
	}
	switch typ {
	case "Any":
		return nil
	case "Object":
		if _, isObj := v.(map[string]any); !isObj {
			return &bodyError{msg: fmt.Sprintf("An unexpected '%s' node was found for property named '%s' when reading from the JSON reader. A 'StartObject' node was expected.", node(v), name)}
		}
		return nil
	case "String", "Boolean", "Int32", "Int64", "Guid", "DateTimeOffset", "Duration":
		if node(v) != "PrimitiveValue" {
			return &bodyError{msg: fmt.Sprintf("An unexpected '%s' node was found for property named '%s' when reading from the JSON reader. A 'PrimitiveValue' node was expected.", node(v), name)}
		}
		if !primitiveOK(typ, v) {
			return &bodyError{msg: fmt.Sprintf("Cannot convert the literal '%s' to the expected type '%s'.", literal(v), graphName(typ))}
		}
		return nil
	}
	t := types[typ]
	if t == nil {
		panic("emulator: no body type " + typ) // a mistake in the table, caught by its test
	}
	if t.Enum != nil {
		s, isStr := v.(string)
		if !isStr || !enumOK(t, s) {
			return &bodyError{msg: fmt.Sprintf("Cannot convert the literal '%s' to the expected type '%s'.", literal(v), graphName(typ))}
		}
		return nil
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return &bodyError{msg: fmt.Sprintf("An unexpected '%s' node was found for property named '%s' when reading from the JSON reader. A 'StartObject' node was expected.", node(v), name)}
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names) // the first error is always the same one
	for _, k := range names {
		if strings.Contains(k, "@") {
			continue // instance and property annotations (@odata.type, x@odata.bind …)
		}
		pt, known := t.Props[k]
		if !known {
			return unknownProperty(t, typ, k)
		}
		if e := checkValue(types, pt, obj[k], k); e != nil {
			e.path = append(e.path, k)
			return e
		}
	}
	return nil
}

func unknownProperty(t *bodyType, typ, k string) *bodyError {
	var msg string
	if t.Action {
		msg = fmt.Sprintf("The parameter '%s' in the request payload is not a valid parameter for the operation '%s'.", k, typ)
	} else {
		msg = fmt.Sprintf("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type.", k, graphName(typ))
	}
	if slices.Contains(t.Beta, k) {
		msg += " It exists in the beta endpoint only; this is v1.0."
	}
	return &bodyError{msg: msg}
}

// maxLength reads a "String(N)" type: a string of at most N characters.
func maxLength(typ string) (int, bool) {
	arg, isLimited := strings.CutPrefix(typ, "String(")
	if !isLimited {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(arg, ")"))
	return n, err == nil
}

// primitiveOK reports whether a JSON primitive is a value of an Edm type.
func primitiveOK(typ string, v any) bool {
	switch typ {
	case "Boolean":
		_, isBool := v.(bool)
		return isBool
	case "Int32", "Int64":
		n, isNum := v.(json.Number)
		if !isNum {
			return false
		}
		bits := 32
		if typ == "Int64" {
			bits = 64
		}
		_, err := strconv.ParseInt(n.String(), 10, bits)
		return err == nil
	}
	s, isStr := v.(string)
	if !isStr {
		return false
	}
	switch typ {
	case "Guid":
		return isGUID(strings.ToLower(s))
	case "DateTimeOffset":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case "Duration":
		return strings.HasPrefix(s, "P") || strings.HasPrefix(s, "-P")
	}
	return true
}

// enumOK reports whether s is a member (or, for flags, a comma-separated
// combination of members) of the enumeration; Graph reads members in any
// case (its own examples write "string" for String).
func enumOK(t *bodyType, s string) bool {
	parts := []string{s}
	if t.Flags {
		if strings.TrimSpace(s) == "" {
			return true
		}
		parts = strings.Split(s, ",")
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if !slices.ContainsFunc(t.Enum, func(m string) bool { return strings.EqualFold(m, p) }) {
			return false
		}
	}
	return true
}
