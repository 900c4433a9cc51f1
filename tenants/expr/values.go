package expr

import (
	"strconv"
	"strings"
)

// The value conversions every function shares. Values are nil (null),
// string, bool, int64 or []any.

// text converts a single value to its string form: booleans as True and
// False (as CStr prints them), numbers in decimal. ok is false for null. A
// multi-valued value with one item is that item; with more it is an error.
func (n *node) text(v any, param string) (s string, ok bool, err error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case bool:
		if v {
			return "True", true, nil
		}
		return "False", true, nil
	case int64:
		return strconv.FormatInt(v, 10), true, nil
	case []any:
		switch len(v) {
		case 0:
			return "", false, nil
		case 1:
			return n.text(v[0], param)
		}
		return "", false, n.errorf("%s: want a single value, got a multi-valued one with %d values", param, len(v))
	}
	return "", false, n.errorf("%s: unsupported value of type %T", param, v)
}

// textArg evaluates argument i as text.
func (n *node) textArg(env *Env, i int) (string, bool, error) {
	v, err := n.args[i].value(env)
	if err != nil {
		return "", false, err
	}
	return n.text(v, n.spec.param(i))
}

// intArg evaluates argument i as a whole number; ok is false for null.
func (n *node) intArg(env *Env, i int) (int64, bool, error) {
	v, err := n.args[i].value(env)
	if err != nil {
		return 0, false, err
	}
	param := n.spec.param(i)
	switch x := v.(type) {
	case int64:
		return x, true, nil
	case nil:
		return 0, false, nil
	case bool:
		return 0, false, n.errorf("%s: want a number, got %v", param, boolText(x))
	}
	s, ok, err := n.text(v, param)
	if err != nil || !ok {
		return 0, ok, err
	}
	i64, perr := parseInt(s)
	if perr != nil {
		return 0, false, n.errorf("%s: want a number, got %q", param, s)
	}
	return i64, true, nil
}

// parseInt reads a whole number as text: decimal or VBA hexadecimal (&HF7),
// surrounding spaces allowed.
func parseInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[0] == '&' && (s[1] == 'H' || s[1] == 'h') {
		u, err := strconv.ParseUint(s[2:], 16, 63)
		return int64(u), err
	}
	return strconv.ParseInt(s, 10, 64)
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// truthy is how conditions read a value: True (any case), a non-zero number.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		if strings.EqualFold(v, "true") {
			return true
		}
		i, err := parseInt(v)
		return err == nil && i != 0
	case int64:
		return v != 0
	case []any:
		return len(v) == 1 && truthy(v[0])
	}
	return false
}

// isNull reports a null value: nil or an empty multi-valued one.
func isNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	}
	return false
}

// isNullOrEmpty also counts the empty string.
func isNullOrEmpty(v any) bool {
	if s, ok := v.(string); ok {
		return s == ""
	}
	return isNull(v)
}
