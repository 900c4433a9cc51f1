package policy

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule.
type TestResult struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Package string `json:"package"` // "data.xtsync.org_test"
	Name    string `json:"name"`    // "test_scope_all_denied"
	// Outcome is pass, fail, error or skip.
	Outcome string `json:"outcome"`
	// Error is the evaluation error of an "error" outcome.
	Error string `json:"error,omitempty"`
	// Output is what the test printed.
	Output string `json:"output,omitempty"`
}

// The test outcomes.
const (
	OutcomePass  = "pass"
	OutcomeFail  = "fail"
	OutcomeError = "error"
	OutcomeSkip  = "skip"
)

// Test runs the test rules (test_*) of the modules (file name -> source,
// policies and their *_test.rego) and, with builtins, the built-in policies'
// own tests, like `opa test`. Results are sorted by file and line. A module
// that does not compile is a *CompileError.
func Test(ctx context.Context, modules map[string]string, builtins bool) ([]TestResult, error) {
	return TestWith(ctx, modules, TestOptions{Builtins: builtins})
}

// TestOptions tune TestWith.
type TestOptions struct {
	// Builtins also runs the built-in policies' tests.
	Builtins bool
	// Run, when set, is a regular expression: only tests whose
	// package-qualified name (data.xtsync.org_test.test_x) matches run.
	Run string
}

// TestWith is Test with options.
func TestWith(ctx context.Context, modules map[string]string, o TestOptions) ([]TestResult, error) {
	builtins := o.Builtins
	mods, err := parseModules(modules, true)
	if err != nil {
		return nil, err
	}
	if builtins {
		bm, err := builtinModules(nil, true)
		if err != nil {
			return nil, err
		}
		for f, m := range bm {
			mods[f] = m
		}
	}
	compiler := ast.NewCompiler().WithCapabilities(capabilities()).WithEnablePrintStatements(true)
	if o.Run != "" {
		if _, err := regexp.Compile(o.Run); err != nil {
			return nil, fmt.Errorf("run policy tests: bad test pattern: %w", err)
		}
	}
	ch, err := tester.NewRunner().
		Filter(o.Run).
		SetCompiler(compiler).
		SetDefaultRegoVersion(ast.RegoV1).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		SetParallel(1).
		SetModules(mods).
		RunTests(ctx, nil)
	if err != nil {
		if ce, ok := asCompileError(err); ok {
			return nil, ce
		}
		return nil, fmt.Errorf("run policy tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Output: string(r.Output)}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		switch {
		case r.Skip:
			tr.Outcome = OutcomeSkip
		case r.Error != nil:
			tr.Outcome, tr.Error = OutcomeError, r.Error.Error()
		case r.Fail:
			tr.Outcome = OutcomeFail
		default:
			tr.Outcome = OutcomePass
		}
		out = append(out, tr)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}
