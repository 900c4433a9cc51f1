// Package expr is the attribute-mapping expression language of Entra
// provisioning ("functions for customizing application data"): a lexer, a
// parser with positioned errors and an evaluator for the functions that make
// sense offline. It is a leaf: tenants validates with it, simulate evaluates
// with it, reconcile writes its canonical text to Graph.
//
// Parse compiles the text once into a tree whose calls hold resolved function
// pointers (and pre-compiled regular expressions), so Eval is a plain tree
// walk: no reflection, no name look-ups, no interpretation of text.
package expr

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLen is the longest expression Entra accepts, in characters.
const MaxLen = 10000

// Error is a parse or evaluation error at a 1-based column (in runes) of the
// expression text.
type Error struct {
	Col int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.Col, e.Msg) }

// Expr is a parsed expression.
type Expr struct {
	root *node
}

// kind is the kind of a syntax tree node.
type kind uint8

const (
	kindCall  kind = iota // Name(args...)
	kindAttr              // [name]
	kindStr               // "text"
	kindNum               // 42, -7, &HF7
	kindBool              // True, False
	kindEnum              // vbBinaryCompare, vbTextCompare
	kindCmp               // left op right
	kindEmpty             // an omitted argument: Switch([a], , "k", "v")
)

// node is one node of the syntax tree. Calls carry their resolved
// evaluator; everything is decided at parse time.
type node struct {
	kind kind
	col  int    // 1-based rune column where the node starts
	name string // function, attribute or enum name
	str  string // kindStr
	num  int64  // kindNum, kindEnum
	b    bool   // kindBool
	op   cmpOp  // kindCmp
	args []*node
	spec *spec                          // kindCall
	eval func(*node, *Env) (any, error) // kindCall, kindCmp
	aux  any                            // per-call data prepared at parse time (regexps, modes)
	lit  any                            // a constant's value, boxed once at parse time
}

// Parse parses an expression. Unknown functions, wrong argument counts,
// unterminated strings and stray tokens are errors (*Error).
func Parse(src string) (*Expr, error) {
	root, err := parse(src)
	if err != nil {
		return nil, err
	}
	box(root)
	e := &Expr{root: root}
	// The canonical form is what goes to Entra: it must fit too.
	if n := utf8.RuneCountInString(e.String()); n > MaxLen {
		return nil, &Error{Col: 1, Msg: fmt.Sprintf("expression is %d characters long once printed canonically (as xtsync sends it), Entra accepts at most %d", n, MaxLen)}
	}
	return e, nil
}

// ParseConstant returns the expression of a constant mapping: the string s.
func ParseConstant(s string) *Expr {
	n := &node{kind: kindStr, col: 1, str: s}
	box(n)
	return &Expr{root: n}
}

// box stores the constants' values as interfaces once, so that evaluating
// them does not allocate.
func box(n *node) {
	switch n.kind {
	case kindStr:
		n.lit = n.str
	case kindNum, kindEnum:
		n.lit = n.num
	case kindBool:
		n.lit = n.b
	}
	for _, a := range n.args {
		box(a)
	}
}

// ParseAttribute returns the expression of a direct (source) mapping:
// [name]. The caller validates the name.
func ParseAttribute(name string) *Expr {
	return &Expr{root: &node{kind: kindAttr, col: 1, name: name}}
}

// String prints the expression in canonical form; Parse(e.String()) yields
// an equal expression. Arguments are separated by ", ", comparison
// operators are surrounded by single spaces, numbers are decimal and string
// constants escape only backslash and double quote.
func (e *Expr) String() string {
	if e == nil || e.root == nil {
		return ""
	}
	var b strings.Builder
	e.root.print(&b)
	return b.String()
}

func (n *node) print(b *strings.Builder) {
	switch n.kind {
	case kindCall:
		b.WriteString(n.name)
		b.WriteByte('(')
		for i, a := range n.args {
			if i > 0 {
				b.WriteString(", ")
			}
			a.print(b)
		}
		b.WriteByte(')')
	case kindAttr:
		b.WriteByte('[')
		b.WriteString(n.name)
		b.WriteByte(']')
	case kindStr:
		b.WriteString(Quote(n.str))
	case kindNum:
		b.WriteString(strconv.FormatInt(n.num, 10))
	case kindBool:
		if n.b {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case kindEnum:
		b.WriteString(n.name)
	case kindCmp:
		n.args[0].print(b)
		b.WriteByte(' ')
		b.WriteString(n.op.String())
		b.WriteByte(' ')
		n.args[1].print(b)
	case kindEmpty:
	}
}

// Quote returns s as an expression string constant: in double quotes, with
// backslash and double quote escaped by a backslash.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Equal reports whether two expressions have the same syntax tree (columns
// aside).
func (e *Expr) Equal(o *Expr) bool {
	if e == nil || o == nil {
		return e == o
	}
	return e.root.equal(o.root)
}

func (n *node) equal(o *node) bool {
	if n.kind != o.kind || n.name != o.name || n.str != o.str || n.num != o.num ||
		n.b != o.b || n.op != o.op || len(n.args) != len(o.args) {
		return false
	}
	for i := range n.args {
		if !n.args[i].equal(o.args[i]) {
			return false
		}
	}
	return true
}

// Attributes returns the source attributes the expression reads, sorted and
// without duplicates.
func (e *Expr) Attributes() []string { return e.names(kindAttr) }

// Functions returns the names of the functions the expression calls, sorted
// and without duplicates.
func (e *Expr) Functions() []string { return e.names(kindCall) }

// names lists the names of the nodes of one kind, sorted, once each.
func (e *Expr) names(k kind) []string {
	if e == nil || e.root == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n.kind == k && !seen[n.name] {
			seen[n.name] = true
			out = append(out, n.name)
		}
		for _, a := range n.args {
			walk(a)
		}
	}
	walk(e.root)
	sort.Strings(out)
	return out
}

// Offline reports whether Eval can evaluate the expression: false when it
// calls a function that needs Entra (dates, app role assignments).
func (e *Expr) Offline() bool {
	for _, f := range e.Functions() {
		if specs[f].online {
			return false
		}
	}
	return true
}

// Env is what an evaluation reads.
//
// Values are nil (null), string, bool, int64 or []any (multi-valued).
type Env struct {
	// Attr returns the source attribute's value, nil when absent. A nil
	// Attr reads every attribute as absent.
	Attr func(name string) any
	// Deterministic stand-ins; a function whose stand-in is nil is an
	// evaluation error.
	Now          func() string // Now() as Entra formats it
	Guid         func() string
	RandomString func(length, minNumbers, minSpecial, minCapital, minLower int, exclude string) string
	// Taken reports whether a value SelectUniqueValue generated already
	// exists in the target directory. Nil means nothing is taken: the
	// first rule's value is chosen.
	Taken func(value string) bool
}

// Eval evaluates the expression. A nil result means nothing flows (a null
// value, or IgnoreFlowIfNullOrEmpty on an empty one anywhere in it).
func (e *Expr) Eval(env Env) (any, error) { return e.EvalEnv(&env) }

// EvalEnv is Eval with the Env passed by pointer: a caller evaluating many
// expressions reuses one Env and spares an allocation per call.
func (e *Expr) EvalEnv(env *Env) (any, error) {
	if e == nil || e.root == nil {
		return nil, nil
	}
	v, err := e.root.value(env)
	if err == errIgnoreFlow {
		return nil, nil
	}
	return v, err
}

// value evaluates a node.
func (n *node) value(env *Env) (any, error) {
	switch n.kind {
	case kindCall, kindCmp:
		return n.eval(n, env)
	case kindAttr:
		if env.Attr == nil {
			return nil, nil
		}
		return env.Attr(n.name), nil
	}
	return n.lit, nil
}

// errorf is an evaluation error at the node.
func (n *node) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n.kind == kindCall {
		msg = n.name + ": " + msg
	}
	return &Error{Col: n.col, Msg: msg}
}
