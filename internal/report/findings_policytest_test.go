package report

import (
	"bytes"
	"testing"

	"github.com/xtsync/xtsync/policy"
)

func TestPolicyTestsWrite(t *testing.T) {
	rep := NewPolicyTests([]policy.TestResult{
		{File: "policies/a_test.rego", Line: 3, Package: "data.xtsync.a_test", Name: "test_ok", Outcome: "pass"},
		{File: "policies/a_test.rego", Line: 5, Package: "data.xtsync.a_test", Name: "test_wrong", Outcome: "fail", Output: "printed\nlines\n"},
		{File: "policies/b_test.rego", Line: 3, Package: "data.xtsync.b_test", Name: "test_div", Outcome: "error", Error: "policies/b_test.rego:3: eval_builtin_error: div: divide by zero"},
	})
	if rep.Passed() {
		t.Error("Passed() = true with a failure and an error")
	}
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		if err := PolicyTestsWrite(&b, rep, format); err != nil {
			t.Fatal(err)
		}
		golden(t, "policytest."+format, b.Bytes())
	}
	if !NewPolicyTests([]policy.TestResult{{Outcome: "pass"}, {Outcome: "skip"}}).Passed() {
		t.Error("Passed() = false with a pass and a skip")
	}
}

func TestBuiltinsList(t *testing.T) {
	var b bytes.Buffer
	if err := BuiltinsList(&b, policy.Builtins(), "text"); err != nil {
		t.Fatal(err)
	}
	golden(t, "builtins.txt", b.Bytes())
}
