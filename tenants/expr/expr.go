// Package expr is the attribute-mapping expression language of Entra
// provisioning ("functions for customizing application data"): a lexer, a
// parser with positioned errors and an evaluator for the functions that make
// sense offline. It is a leaf: tenants validates with it, simulate evaluates
// with it, reconcile writes its canonical text to Graph.
package expr

import "fmt"

// Error is a parse or evaluation error at a 1-based column (in runes) of the
// expression text.
type Error struct {
	Col int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.Col, e.Msg) }

// Expr is a parsed expression.
type Expr struct {
	src string
	// TODO(expr): the syntax tree.
}

// Parse parses an expression. Unknown functions, wrong argument counts,
// unterminated strings and stray tokens are errors (*Error).
func Parse(src string) (*Expr, error) {
	return &Expr{src: src}, nil
}

// String prints the expression in canonical form; Parse(e.String()) yields
// an equal expression.
func (e *Expr) String() string { return e.src }

// Attributes returns the source attributes the expression reads, sorted and
// without duplicates.
func (e *Expr) Attributes() []string { return nil }

// Env is what an evaluation reads.
//
// Values are nil (null), string, bool, int64 or []any (multi-valued).
type Env struct {
	// Attr returns the source attribute's value, nil when absent.
	Attr func(name string) any
	// Deterministic stand-ins; a function whose stand-in is nil is an
	// evaluation error.
	Now          func() string // Now() as Entra formats it
	Guid         func() string
	RandomString func(length, minNumbers, minSpecial, minCapital, minLower int, exclude string) string
}

// Eval evaluates the expression. A nil result means nothing flows (a null
// value, or IgnoreFlowIfNullOrEmpty on an empty one).
func (e *Expr) Eval(env Env) (any, error) { return nil, nil }
