package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/xtsync/xtsync/policy"
)

// PolicyTests is the JSON contract of `xtsync policy test --output json`.
type PolicyTests struct {
	FormatVersion int                 `json:"formatVersion"`
	Results       []policy.TestResult `json:"results"`
	Summary       PolicyTestSummary   `json:"summary"`
}

// PolicyTestSummary counts the tests by outcome.
type PolicyTestSummary struct {
	Total int `json:"total"`
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Error int `json:"error"`
	Skip  int `json:"skip"`
}

// NewPolicyTests builds the report and its summary.
func NewPolicyTests(results []policy.TestResult) *PolicyTests {
	r := &PolicyTests{FormatVersion: 1, Results: results}
	if r.Results == nil {
		r.Results = []policy.TestResult{}
	}
	for _, t := range results {
		r.Summary.Total++
		switch t.Outcome {
		case policy.OutcomePass:
			r.Summary.Pass++
		case policy.OutcomeFail:
			r.Summary.Fail++
		case policy.OutcomeError:
			r.Summary.Error++
		case policy.OutcomeSkip:
			r.Summary.Skip++
		}
	}
	return r
}

// Passed reports whether no test failed or errored.
func (r *PolicyTests) Passed() bool { return r.Summary.Fail == 0 && r.Summary.Error == 0 }

// PolicyTestsWrite renders the report as text (like `opa test -v`, without
// timings so the output is deterministic) or JSON.
func PolicyTestsWrite(w io.Writer, r *PolicyTests, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	var b strings.Builder
	file := ""
	for _, t := range r.Results {
		if t.File != file || b.Len() == 0 {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			file = t.File
			fmt.Fprintf(&b, "%s:\n", file)
		}
		fmt.Fprintf(&b, "%s.%s: %s\n", t.Package, t.Name, strings.ToUpper(t.Outcome))
		if t.Error != "" {
			fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(t.Error, "\n", "\n  "))
		}
		if t.Outcome != policy.OutcomePass && t.Output != "" {
			fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(strings.TrimRight(t.Output, "\n"), "\n", "\n  "))
		}
	}
	b.WriteString(strings.Repeat("-", 80) + "\n")
	s := r.Summary
	for _, x := range []struct {
		name string
		n    int
	}{{"PASS", s.Pass}, {"FAIL", s.Fail}, {"ERROR", s.Error}, {"SKIPPED", s.Skip}} {
		if x.n > 0 || x.name == "PASS" {
			fmt.Fprintf(&b, "%s: %d/%d\n", x.name, x.n, s.Total)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// BuiltinsList renders the built-in policies as text (id, level, what it
// checks) or as JSON {formatVersion, policies}.
func BuiltinsList(w io.Writer, bs []policy.Builtin, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int              `json:"formatVersion"`
			Policies      []policy.Builtin `json:"policies"`
		}{1, bs})
	}
	var b strings.Builder
	for _, p := range bs {
		doc := p.Doc
		if _, rest, ok := strings.Cut(doc, ": "); ok && strings.HasPrefix(doc, p.ID) {
			doc = rest
		}
		fmt.Fprintf(&b, "%-22s %-4s  %s\n", p.ID, p.Level, doc)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
