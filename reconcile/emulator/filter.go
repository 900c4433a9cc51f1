package emulator

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A filter is a parsed $filter expression. Supported (docs/emulator.md):
// PROP eq|ne VALUE, PROP in (VALUE, ...), startswith(PROP,'text'),
// combined with and, or, not and parentheses. PROP may be a path
// (servicePrincipal/id). VALUE is a 'string' (” escapes a quote), true,
// false, null or a number. Anything else is 400 Request_UnsupportedQuery.
type filter interface {
	eval(obj map[string]any) bool
}

type filterError struct {
	unsupported bool // well-formed but not supported (vs a syntax error)
	msg         string
}

func (e *filterError) Error() string { return e.msg }

type (
	andF struct{ l, r filter }
	orF  struct{ l, r filter }
	notF struct{ f filter }
	cmpF struct {
		path []string
		op   string // eq, ne
		val  any
	}
	inF struct {
		path []string
		vals []any
	}
	ordF struct {
		path []string
		op   string // gt, ge, lt, le
		val  any
	}
	startsF struct {
		path   []string
		prefix string
	}
)

// anyF is PROP/any(v: F): F holds for an element of the list PROP, the
// element read as v (and v/sub for an element's property).
type anyF struct {
	path []string
	v    string
	f    filter
}

func (f anyF) eval(o map[string]any) bool {
	list, _ := lookupPath(o, f.path).([]any)
	for _, e := range list {
		if f.f.eval(map[string]any{f.v: e}) {
			return true
		}
	}
	return false
}

func (f andF) eval(o map[string]any) bool { return f.l.eval(o) && f.r.eval(o) }
func (f orF) eval(o map[string]any) bool  { return f.l.eval(o) || f.r.eval(o) }
func (f notF) eval(o map[string]any) bool { return !f.f.eval(o) }

func (f cmpF) eval(o map[string]any) bool {
	eq := valueEqual(lookupPath(o, f.path), f.val)
	if f.op == "ne" {
		return !eq
	}
	return eq
}

func (f ordF) eval(o map[string]any) bool {
	c, comparable := compareValues(lookupPath(o, f.path), f.val)
	if !comparable {
		return false
	}
	switch f.op {
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	}
	return c <= 0
}

// compareValues orders numbers numerically and strings (and date-times,
// which Graph writes in one format) by their text.
func compareValues(v, lit any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if f, isNum := lit.(float64); isNum {
			return cmp.Compare(x, f), true
		}
	case string:
		if s, isStr := lit.(string); isStr {
			return strings.Compare(x, s), true
		}
	}
	return 0, false
}

func (f inF) eval(o map[string]any) bool {
	v := lookupPath(o, f.path)
	for _, x := range f.vals {
		if valueEqual(v, x) {
			return true
		}
	}
	return false
}

func (f startsF) eval(o map[string]any) bool {
	s, isStr := lookupPath(o, f.path).(string)
	return isStr && strings.HasPrefix(strings.ToLower(s), strings.ToLower(f.prefix))
}

// lookupPath follows a/b/c through nested objects.
func lookupPath(o map[string]any, path []string) any {
	var v any = o
	for _, p := range path {
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil
		}
		v = lookupFold(m, p)
	}
	return v
}

// lookupFold reads a property, matching its name case-insensitively as
// Graph does.
func lookupFold(m map[string]any, k string) any {
	if v, found := m[k]; found {
		return v
	}
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v
		}
	}
	return nil
}

// valueEqual compares a property with a literal: strings case-insensitively
// (Graph's default collation), numbers numerically, a list property when
// any element equals.
func valueEqual(v, lit any) bool {
	switch x := v.(type) {
	case nil:
		return lit == nil
	case string:
		s, isStr := lit.(string)
		return isStr && strings.EqualFold(x, s)
	case bool:
		b, isBool := lit.(bool)
		return isBool && x == b
	case float64:
		f, isNum := lit.(float64)
		return isNum && x == f
	case int:
		f, isNum := lit.(float64)
		return isNum && float64(x) == f
	case []any:
		for _, e := range x {
			if valueEqual(e, lit) {
				return true
			}
		}
	}
	return false
}

// parseFilter parses a $filter value.
func parseFilter(s string) (filter, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, &filterError{msg: fmt.Sprintf("Invalid filter clause: syntax error at position %d in '%s'.", p.toks[p.i].pos, s)}
	}
	return f, nil
}

type ftok struct {
	kind byte // 'i' identifier/keyword, 's' string, 'n' number, '(' ')' ','
	text string
	pos  int
}

func lexFilter(s string) ([]ftok, error) {
	var toks []ftok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == ':':
			toks = append(toks, ftok{kind: c, text: string(c), pos: i})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, &filterError{msg: fmt.Sprintf("Invalid filter clause: unterminated string literal at position %d.", i)}
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, ftok{kind: 's', text: b.String(), pos: i})
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (strings.IndexByte("0123456789.:+-", s[j]) >= 0 || isIdentByte(s[j])) {
				j++
			}
			toks = append(toks, ftok{kind: 'n', text: s[i:j], pos: i})
			i = j
		case isIdentByte(c):
			j := i
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '/' || s[j] == '.' || (s[j] >= '0' && s[j] <= '9')) {
				j++
			}
			toks = append(toks, ftok{kind: 'i', text: s[i:j], pos: i})
			i = j
		default:
			return nil, &filterError{msg: fmt.Sprintf("Invalid filter clause: unexpected character %q at position %d.", c, i)}
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '@' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

type filterParser struct {
	toks []ftok
	i    int
}

func (p *filterParser) peek() *ftok {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *filterParser) keyword(k string) bool {
	t := p.peek()
	if t != nil && t.kind == 'i' && strings.EqualFold(t.text, k) {
		p.i++
		return true
	}
	return false
}

func (p *filterParser) expect(kind byte) error {
	t := p.peek()
	if t == nil || t.kind != kind {
		return p.syntax()
	}
	p.i++
	return nil
}

func (p *filterParser) syntax() error {
	if t := p.peek(); t != nil {
		return &filterError{msg: fmt.Sprintf("Invalid filter clause: syntax error at position %d near '%s'.", t.pos, t.text)}
	}
	return &filterError{msg: "Invalid filter clause: unexpected end of the expression."}
}

func (p *filterParser) or() (filter, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orF{l, r}
	}
	return l, nil
}

func (p *filterParser) and() (filter, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andF{l, r}
	}
	return l, nil
}

func (p *filterParser) unary() (filter, error) {
	if p.keyword("not") {
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notF{f}, nil
	}
	t := p.peek()
	if t == nil {
		return nil, p.syntax()
	}
	if t.kind == '(' {
		p.i++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return f, nil
	}
	if t.kind != 'i' {
		return nil, p.syntax()
	}
	p.i++
	if n := p.peek(); n != nil && n.kind == '(' {
		return p.function(t)
	}
	path := strings.Split(t.text, "/")
	op := p.peek()
	if op == nil || op.kind != 'i' {
		return nil, p.syntax()
	}
	p.i++
	switch strings.ToLower(op.text) {
	case "eq", "ne":
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		return cmpF{path: path, op: strings.ToLower(op.text), val: v}, nil
	case "in":
		if err := p.expect('('); err != nil {
			return nil, err
		}
		var vals []any
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
			if p.peek() != nil && p.peek().kind == ',' {
				p.i++
				continue
			}
			break
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return inF{path: path, vals: vals}, nil
	case "gt", "ge", "lt", "le":
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		return ordF{path: path, op: strings.ToLower(op.text), val: v}, nil
	case "has":
		return nil, &filterError{unsupported: true, msg: fmt.Sprintf("Unsupported query: the emulator does not support the operator '%s'.", op.text)}
	}
	return nil, &filterError{msg: fmt.Sprintf("Invalid filter clause: unknown operator '%s' at position %d.", op.text, op.pos)}
}

func (p *filterParser) function(name *ftok) (filter, error) {
	if prop, isAny := cutSuffixFold(name.text, "/any"); isAny {
		return p.lambda(prop)
	}
	if !strings.EqualFold(name.text, "startswith") {
		return nil, &filterError{unsupported: true, msg: fmt.Sprintf("Unsupported query: the emulator does not support the function '%s'.", name.text)}
	}
	p.i++ // (
	prop := p.peek()
	if prop == nil || prop.kind != 'i' {
		return nil, p.syntax()
	}
	p.i++
	if err := p.expect(','); err != nil {
		return nil, err
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	s, isStr := v.(string)
	if !isStr {
		return nil, &filterError{msg: "Invalid filter clause: startswith needs a string."}
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	return startsF{path: strings.Split(prop.text, "/"), prefix: s}, nil
}

// lambda parses PROP/any(v: EXPR over v) after the name.
func (p *filterParser) lambda(prop string) (filter, error) {
	p.i++ // (
	v := p.peek()
	if v == nil || v.kind != 'i' || strings.Contains(v.text, "/") {
		return nil, p.syntax()
	}
	p.i++
	if err := p.expect(':'); err != nil {
		return nil, err
	}
	inner, err := p.or()
	if err != nil {
		return nil, err
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	return anyF{path: strings.Split(prop, "/"), v: v.text, f: inner}, nil
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

func (p *filterParser) literal() (any, error) {
	t := p.peek()
	if t == nil {
		return nil, p.syntax()
	}
	p.i++
	switch t.kind {
	case 's':
		return t.text, nil
	case 'n':
		if f, err := strconv.ParseFloat(t.text, 64); err == nil {
			return f, nil
		}
		if _, err := time.Parse(time.RFC3339Nano, t.text); err == nil {
			return t.text, nil // a DateTimeOffset literal compares as its text
		}
		return nil, &filterError{msg: fmt.Sprintf("Invalid filter clause: bad literal '%s'.", t.text)}
	case 'i':
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
	}
	p.i--
	return nil, p.syntax()
}
