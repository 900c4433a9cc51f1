package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// cmpOp is a comparison operator of an IIF condition.
type cmpOp uint8

const (
	opNone cmpOp = iota
	opEq         // =
	opNe         // <>
	opLt         // <
	opLe         // <=
	opGt         // >
	opGe         // >=
)

func (o cmpOp) String() string {
	switch o {
	case opEq:
		return "="
	case opNe:
		return "<>"
	case opLt:
		return "<"
	case opLe:
		return "<="
	case opGt:
		return ">"
	case opGe:
		return ">="
	}
	return "?"
}

// enums are the bare constants the language knows besides True and False.
var enums = map[string]int64{"vbBinaryCompare": 0, "vbTextCompare": 1}

// parser is a recursive-descent parser over the source text; positions are
// byte offsets, reported as rune columns.
type parser struct {
	src string
	i   int
}

func parse(src string) (*node, error) {
	if n := utf8.RuneCountInString(src); n > MaxLen {
		return nil, &Error{Col: MaxLen + 1, Msg: fmt.Sprintf("expression is %d characters long, Entra accepts at most %d", n, MaxLen)}
	}
	if !utf8.ValidString(src) {
		p := &parser{src: src}
		for i, r := range src {
			if r == utf8.RuneError {
				p.i = i
				break
			}
		}
		return nil, p.errorf("invalid UTF-8")
	}
	p := &parser{src: src}
	p.space()
	if p.eof() {
		return nil, &Error{Col: 1, Msg: "empty expression"}
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eof() {
		return nil, p.errorf("unexpected %s after the end of the expression", p.describe())
	}
	if err := checkNesting(n, true); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) eof() bool { return p.i >= len(p.src) }

func (p *parser) col(at int) int { return utf8.RuneCountInString(p.src[:at]) + 1 }

func (p *parser) errorf(format string, args ...any) *Error {
	return &Error{Col: p.col(p.i), Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) errorAt(at int, format string, args ...any) *Error {
	return &Error{Col: p.col(at), Msg: fmt.Sprintf(format, args...)}
}

// describe names the token at the current position for an error message.
func (p *parser) describe() string {
	if p.eof() {
		return "end of expression"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.i:])
	return strconv.QuoteRune(r)
}

func (p *parser) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// expr is an operand, optionally compared with a second one.
func (p *parser) expr() (*node, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.space()
	at := p.i
	op := p.cmpOp()
	if op == opNone {
		return left, nil
	}
	p.space()
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.space()
	if at2 := p.i; p.cmpOp() != opNone {
		return nil, p.errorAt(at2, "comparisons cannot be chained; nest IIF calls instead")
	}
	if left.kind == kindEmpty || right.kind == kindEmpty {
		return nil, p.errorAt(at, "comparison needs a value on both sides")
	}
	return &node{kind: kindCmp, col: left.col, op: op, args: []*node{left, right}, eval: evalCmp}, nil
}

// cmpOp consumes a comparison operator, if any.
func (p *parser) cmpOp() cmpOp {
	rest := p.src[p.i:]
	for _, c := range []struct {
		s  string
		op cmpOp
	}{{"<>", opNe}, {"<=", opLe}, {">=", opGe}, {"=", opEq}, {"<", opLt}, {">", opGt}} {
		if strings.HasPrefix(rest, c.s) {
			p.i += len(c.s)
			return c.op
		}
	}
	return opNone
}

func (p *parser) operand() (*node, error) {
	if p.eof() {
		return nil, p.errorf("unexpected end of expression: want a function call, [attribute], \"string\" or number")
	}
	start := p.i
	c := p.src[p.i]
	switch {
	case c == '"':
		return p.str()
	case c == '[':
		return p.attr()
	case c >= '0' && c <= '9', c == '-' && p.i+1 < len(p.src) && p.src[p.i+1] >= '0' && p.src[p.i+1] <= '9':
		return p.num()
	case c == '&' && p.i+1 < len(p.src) && (p.src[p.i+1] == 'H' || p.src[p.i+1] == 'h'):
		return p.hex()
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.i:])
	if !unicode.IsLetter(r) && r != '_' {
		return nil, p.errorf("unexpected %s: want a function call, [attribute], \"string\" or number", p.describe())
	}
	for p.i < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			break
		}
		p.i += size
	}
	name := p.src[start:p.i]
	p.space()
	if !p.eof() && p.src[p.i] == '(' {
		return p.call(name, start)
	}
	switch name {
	case "True":
		return &node{kind: kindBool, col: p.col(start), b: true}, nil
	case "False":
		return &node{kind: kindBool, col: p.col(start), b: false}, nil
	}
	if v, ok := enums[name]; ok {
		return &node{kind: kindEnum, col: p.col(start), name: name, num: v}, nil
	}
	if _, ok := specs[name]; ok {
		return nil, p.errorAt(start, "%s is a function: call it with parentheses, %s(…)", name, name)
	}
	return nil, p.errorAt(start, "unknown name %s: attributes go in square brackets ([%s]), text in double quotes", name, name)
}

// str parses a string constant. A backslash escapes a backslash or a
// double quote; before any other character it stands for itself.
func (p *parser) str() (*node, error) {
	start := p.i
	p.i++
	var b strings.Builder
	for {
		if p.eof() {
			return nil, p.errorAt(start, "unterminated string: missing closing \"")
		}
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return &node{kind: kindStr, col: p.col(start), str: b.String()}, nil
		case c == '\\' && p.i+1 < len(p.src) && (p.src[p.i+1] == '"' || p.src[p.i+1] == '\\'):
			b.WriteByte(p.src[p.i+1])
			p.i += 2
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

func (p *parser) attr() (*node, error) {
	start := p.i
	end := strings.IndexAny(p.src[p.i+1:], "[]\n")
	if end < 0 || p.src[p.i+1+end] != ']' {
		return nil, p.errorAt(start, "unterminated attribute: missing ]")
	}
	name := p.src[p.i+1 : p.i+1+end]
	p.i += end + 2
	if strings.TrimSpace(name) != name || name == "" {
		return nil, p.errorAt(start, "attribute name %q: want a name without surrounding spaces", name)
	}
	return &node{kind: kindAttr, col: p.col(start), name: name}, nil
}

func (p *parser) num() (*node, error) {
	start := p.i
	if p.src[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.src) && p.src[p.i] >= '0' && p.src[p.i] <= '9' {
		p.i++
	}
	if p.i < len(p.src) && (p.src[p.i] == '.' || isIdentByte(p.src[p.i])) {
		return nil, p.errorf("malformed number: only whole numbers are supported")
	}
	v, err := strconv.ParseInt(p.src[start:p.i], 10, 64)
	if err != nil {
		return nil, p.errorAt(start, "number %s is out of range", p.src[start:p.i])
	}
	return &node{kind: kindNum, col: p.col(start), num: v}, nil
}

// hex parses a VBA hexadecimal number: &HF7.
func (p *parser) hex() (*node, error) {
	start := p.i
	p.i += 2
	digits := p.i
	for p.i < len(p.src) && strings.IndexByte("0123456789abcdefABCDEF", p.src[p.i]) >= 0 {
		p.i++
	}
	if p.i == digits || (p.i < len(p.src) && isIdentByte(p.src[p.i])) {
		return nil, p.errorf("malformed hexadecimal number: want &H followed by hex digits")
	}
	v, err := strconv.ParseUint(p.src[digits:p.i], 16, 64)
	if err != nil || v > math.MaxInt64 {
		return nil, p.errorAt(start, "number %s is out of range", p.src[start:p.i])
	}
	return &node{kind: kindNum, col: p.col(start), num: int64(v)}, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
}

// call parses the arguments of name( … ) and resolves the function.
func (p *parser) call(name string, start int) (*node, error) {
	sp, ok := specs[name]
	if !ok {
		for k := range specs {
			if strings.EqualFold(k, name) {
				return nil, p.errorAt(start, "unknown function %s (function names are case-sensitive: did you mean %s?)", name, k)
			}
		}
		if k := closestFunction(name); k != "" {
			return nil, p.errorAt(start, "unknown function %s: did you mean %s?", name, k)
		}
		return nil, p.errorAt(start, "unknown function %s", name)
	}
	open := p.i
	p.i++ // (
	n := &node{kind: kindCall, col: p.col(start), name: name, spec: sp}
	p.space()
	if !p.eof() && p.src[p.i] == ')' {
		p.i++
	} else {
		for {
			p.space()
			if p.eof() {
				return nil, p.errorf("missing ) to close %s( at col %d", name, p.col(open))
			}
			var arg *node
			if c := p.src[p.i]; c == ',' || c == ')' {
				arg = &node{kind: kindEmpty, col: p.col(p.i)}
			} else {
				var err error
				if arg, err = p.expr(); err != nil {
					return nil, err
				}
			}
			n.args = append(n.args, arg)
			p.space()
			if p.eof() {
				return nil, p.errorf("missing ) to close %s( at col %d", name, p.col(open))
			}
			if p.src[p.i] == ')' {
				p.i++
				break
			}
			if p.src[p.i] != ',' {
				return nil, p.errorf("unexpected %s in the arguments of %s: want , or )", p.describe(), name)
			}
			p.i++
		}
	}
	if err := sp.check(n); err != nil {
		return nil, err
	}
	return n, nil
}

// checkNesting enforces where functions may appear.
func checkNesting(n *node, top bool) error {
	if n.kind == kindCall && n.name == "SelectUniqueValue" && !top {
		return &Error{Col: n.col, Msg: "SelectUniqueValue must be the whole expression; it cannot be nested"}
	}
	for _, a := range n.args {
		if err := checkNesting(a, false); err != nil {
			return err
		}
	}
	return nil
}

// closestFunction returns the known function nearest to a misspelt name
// (at most two edits, and at most one edit per three letters, away), or "".
func closestFunction(name string) string {
	best, bestD := "", 3
	for k := range specs {
		d := levenshtein.ComputeDistance(strings.ToLower(name), strings.ToLower(k))
		if d*3 <= len(name) && (d < bestD || d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	return best
}
