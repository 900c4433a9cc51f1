package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/xtsync/xtsync/tenants"
)

// Unavailable lists the Rego built-in functions xtsync policies cannot call,
// with why: they reach the network, read the clock or the process, or are
// random, so the same change could pass once and fail the next time. The
// pure net.cidr_* functions stay available.
var unavailable = map[string]string{
	"http.send":            "it reaches the network",
	"net.lookup_ip_addr":   "it reaches the network",
	"opa.runtime":          "it reads the process environment",
	"time.now_ns":          "it reads the clock; use input.context.now",
	"rand.intn":            "it is random",
	"uuid.rfc4122":         "it is random",
	"io.jwt.decode_verify": "it checks expiry against the clock",
	"crypto.x509.parse_and_verify_certificates":              "it checks validity against the clock",
	"crypto.x509.parse_and_verify_certificates_with_options": "it checks validity against the clock",
}

// Unavailable returns the names of the built-in functions policies cannot
// call, sorted.
func Unavailable() []string {
	out := make([]string, 0, len(unavailable))
	for k := range unavailable {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// capabilities are OPA's for this version minus the unavailable built-ins.
func capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := c.Builtins[:0:0]
	for _, b := range c.Builtins {
		if _, bad := unavailable[b.Name]; !bad {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	return c
}

// CompileError is a policy that does not parse or compile: every problem,
// each as file:line:col: message.
type CompileError struct {
	Problems []Problem
}

// Problem is one compile problem of a policy file.
type Problem struct {
	tenants.Pos
	Message string `json:"message"`
}

// String renders "file:line:col: message".
func (p Problem) String() string {
	if pos := p.Pos.String(); pos != "" {
		return pos + ": " + p.Message
	}
	return p.Message
}

func (e *CompileError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// compileError converts OPA's errors, explaining unavailable built-ins.
func compileError(errs ast.Errors) error {
	ce := &CompileError{}
	for _, e := range errs {
		p := Problem{Message: e.Message}
		if e.Location != nil {
			p.Pos = tenants.Pos{File: e.Location.File, Line: e.Location.Row, Col: e.Location.Col}
		}
		if name, ok := strings.CutPrefix(e.Message, "undefined function "); ok {
			if why, bad := unavailable[name]; bad {
				p.Message = fmt.Sprintf("%s is not available to xtsync policies: %s", name, why)
			}
		}
		if p.Message == e.Message && e.Code != "" {
			p.Message = e.Code + ": " + e.Message
		}
		ce.Problems = append(ce.Problems, p)
	}
	sort.SliceStable(ce.Problems, func(i, j int) bool {
		a, b := ce.Problems[i], ce.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return ce
}

// asCompileError reports whether err is (or wraps) OPA's compile errors and
// converts it.
func asCompileError(err error) (error, bool) {
	var ae ast.Errors
	if errors.As(err, &ae) {
		return compileError(ae), true
	}
	return err, false
}
