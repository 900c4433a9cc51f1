// Package report renders xtsync's reports. Each JSON contract is a value;
// text, SARIF, JUnit and GitHub annotations render it and never recompute it.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/tenants"
)

// FindingsFormatVersion is the version of the findings JSON contract.
const FindingsFormatVersion = 1

// Findings is the JSON contract of `xtsync check --output json`: the policy
// findings of one check, and which policies ran.
type Findings struct {
	FormatVersion int `json:"formatVersion"`
	// Base and Head name the revisions checked ("" for the working tree).
	Base string `json:"base,omitempty"`
	Head string `json:"head,omitempty"`
	// Policies are the policies evaluated, sorted by id.
	Policies []Policy `json:"policies"`
	// Findings in the engine's order: denies first, then by file and line.
	Findings []plan.Finding `json:"findings"`
	// Diagnostics are the problems loading the repository found (head's):
	// warnings, or the errors that stopped the check before any policy ran.
	Diagnostics tenants.Diagnostics `json:"diagnostics"`
	Summary     FindingsSummary     `json:"summary"`
}

// Policy is one evaluated policy: a built-in id or a repository policy's
// package and rule ("xtsync.org.deny").
type Policy struct {
	ID      string `json:"id"`
	Builtin bool   `json:"builtin"`
	// Level is what the policy reports: deny or warn.
	Level       string `json:"level"`
	Description string `json:"description,omitempty"`
}

// FindingsSummary counts the findings by level, and the diagnostics by
// severity.
type FindingsSummary struct {
	Deny     int `json:"deny"`
	Warn     int `json:"warn"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// NewFindings builds the report and its summary. Nil lists become empty.
func NewFindings(base, head string, policies []Policy, findings []plan.Finding) *Findings {
	r := &Findings{FormatVersion: FindingsFormatVersion, Base: base, Head: head, Policies: policies, Findings: findings, Diagnostics: tenants.Diagnostics{}}
	if r.Policies == nil {
		r.Policies = []Policy{}
	}
	if r.Findings == nil {
		r.Findings = []plan.Finding{}
	}
	for _, f := range findings {
		if f.Level == plan.LevelDeny {
			r.Summary.Deny++
		} else {
			r.Summary.Warn++
		}
	}
	return r
}

// WithDiagnostics adds the repository's diagnostics (and their counts) to
// the report: SARIF, JUnit and GitHub annotations show them as rules
// "validate/<code>", with file, line and column.
func (r *Findings) WithDiagnostics(ds tenants.Diagnostics) *Findings {
	r.Diagnostics = append(r.Diagnostics, ds...)
	r.Summary.Errors = len(r.Diagnostics.Errors())
	r.Summary.Warnings = len(r.Diagnostics.Warnings())
	return r
}

// Denied reports whether any finding denies.
func (r *Findings) Denied() bool { return r.Summary.Deny > 0 }

// FindingsJSON writes the contract, indented.
func FindingsJSON(w io.Writer, r *Findings) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// FindingsText writes one line per finding, "file:line: level: message
// (policy)", then a summary line. Diagnostics are left out: the command
// prints them on stderr, as validate does.
func FindingsText(w io.Writer, r *Findings) error {
	var b strings.Builder
	for _, f := range r.Findings {
		if loc := location(f); loc != "" {
			b.WriteString(loc + ": ")
		}
		// Continuation lines of a multi-line message are indented.
		msg := strings.ReplaceAll(f.Msg, "\n", "\n    ")
		fmt.Fprintf(&b, "%s: %s (%s)\n", f.Level, msg, f.Policy)
	}
	switch {
	case r.Summary.Errors > 0:
		fmt.Fprintf(&b, "not evaluated: the repository has %s\n", Count(r.Summary.Errors, "error", "errors"))
	case len(r.Findings) == 0:
		fmt.Fprintf(&b, "%s: no policy findings\n", policiesEvaluated(len(r.Policies)))
	default:
		fmt.Fprintf(&b, "%s: %s, %s\n", policiesEvaluated(len(r.Policies)), Count(r.Summary.Deny, "deny", "denies"), Count(r.Summary.Warn, "warning", "warnings"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func policiesEvaluated(n int) string { return Count(n, "policy", "policies") + " evaluated" }

// Count renders a count with its noun: "1 policy", "2 policies".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// location renders "file:line", "file" or "".
func location(f plan.Finding) string {
	switch {
	case f.File == "":
		return ""
	case f.Line > 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return f.File
}

// item is one result of a check as SARIF, JUnit and GitHub show it: a policy
// finding, or a diagnostic (rule "validate/<code>").
type item struct {
	rule, level, msg, tenant, file string
	line, col                      int
}

// levelNote is the level of a load diagnostic that is neither an error nor a
// warning (a reference that could not be checked): a notice on GitHub, a
// SARIF note.
const levelNote = "note"

// items lists the diagnostics, then the findings.
func (r *Findings) items() []item {
	var out []item
	for _, d := range r.Diagnostics {
		level := plan.LevelWarn
		switch d.Severity {
		case tenants.SeverityError:
			level = plan.LevelDeny
		case tenants.SeverityNote:
			level = levelNote
		}
		out = append(out, item{rule: diagnosticRule(d.Code), level: level, msg: d.Message, file: d.Pos.File, line: d.Pos.Line, col: d.Pos.Col})
	}
	for _, f := range r.Findings {
		out = append(out, item{rule: f.Policy, level: f.Level, msg: f.Msg, tenant: f.Tenant, file: f.File, line: f.Line})
	}
	return out
}

// diagnosticRule names a diagnostic code as a rule: "validate/unknown-key".
func diagnosticRule(code string) string {
	if code == "" {
		code = "load"
	}
	return "validate/" + code
}

// itemLocation renders "file:line", "file" or "".
func itemLocation(it item) string {
	return location(plan.Finding{File: it.file, Line: it.line})
}
