package simulate

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/tenants"
	"github.com/xtsync/xtsync/tenants/expr"
)

// clause is a scoping filter clause compiled for one source snapshot.
type clause struct {
	filter string
	src    tenants.Clause
	get    func(int32) any
	eval   func(int32) bool
}

// compileClause compiles a clause (DESIGN §4): a null, missing or empty
// attribute makes every clause false except IS NULL; values compare in
// their string form, case-sensitively.
func (r *runner) compileClause(sx *snapIndex, filter string, x tenants.Clause) *clause {
	c := &clause{filter: filter, src: x, get: sx.accessor(x.Attribute)}
	get := c.get
	want := x.Value
	text := func(i int32) (string, bool) {
		v := get(i)
		if nullish(v) {
			return "", false
		}
		return textOf(v)
	}
	switch x.Operator {
	case tenants.OpIsNull:
		c.eval = func(i int32) bool { return nullish(get(i)) }
	case tenants.OpIsNotNull:
		c.eval = func(i int32) bool { return !nullish(get(i)) }
	case tenants.OpIsTrue, tenants.OpIsFalse:
		w := x.Operator == tenants.OpIsTrue
		c.eval = func(i int32) bool {
			b, ok := asBool(get(i))
			return ok && b == w
		}
	case tenants.OpEquals:
		c.eval = func(i int32) bool { s, ok := text(i); return ok && s == want }
	case tenants.OpNotEquals:
		c.eval = func(i int32) bool { s, ok := text(i); return ok && s != want }
	case tenants.OpIncludes:
		c.eval = func(i int32) bool { s, ok := text(i); return ok && strings.Contains(s, want) }
	case tenants.OpEndsWith:
		if r.endsWithCase {
			c.eval = func(i int32) bool { s, ok := text(i); return ok && strings.HasSuffix(s, want) }
		} else {
			lw := strings.ToLower(want)
			c.eval = func(i int32) bool { s, ok := text(i); return ok && strings.HasSuffix(strings.ToLower(s), lw) }
		}
	case tenants.OpRegexMatch, tenants.OpNotRegexMatch:
		pat := want
		if !r.regexUnanchored {
			pat = `^(?:` + pat + `)$`
		}
		re, err := regexp.Compile(pat)
		neg := x.Operator == tenants.OpNotRegexMatch
		if err != nil { // Load refuses it; never match
			c.eval = func(int32) bool { return false }
			break
		}
		c.eval = func(i int32) bool {
			s, ok := text(i)
			return ok && re.MatchString(s) != neg
		}
	case tenants.OpGreaterThan, tenants.OpGreaterThanOrEqual:
		w, wok := expr.ParseInteger(want)
		orEq := x.Operator == tenants.OpGreaterThanOrEqual
		c.eval = func(i int32) bool {
			s, ok := text(i)
			if !ok || !wok {
				return false
			}
			n, ok := expr.ParseInteger(s)
			return ok && (n > w || orEq && n == w)
		}
	default:
		c.eval = func(int32) bool { return false }
	}
	return c
}

// nullish reports a value that flows no more than null: nil, "", [].
func nullish(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}

// textOf is a scalar's string form as .NET prints it (booleans True/False);
// false for lists and objects.
func textOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// asBool reads a boolean, or the text true/false in any case.
func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch {
		case strings.EqualFold(x, "true"):
			return true, true
		case strings.EqualFold(x, "false"):
			return false, true
		}
	}
	return false, false
}

// equalValue compares a target's value with a mapped one: equal types
// compare directly, scalars of different types by their string form
// (true equals "True"), lists element by element.
func equalValue(a, b any) bool {
	if nullish(a) || nullish(b) {
		return nullish(a) && nullish(b)
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	if ab, ok := asBool(a); ok {
		if bb, ok := asBool(b); ok {
			return ab == bb
		}
	}
	sa, oka := textOf(a)
	sb, okb := textOf(b)
	return oka && okb && sa == sb
}
