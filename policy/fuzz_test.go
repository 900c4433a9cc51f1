package policy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/xtsync/xtsync/policy"
)

// FuzzNew: whatever the source, New never panics; it compiles, or fails with
// a *CompileError whose every problem names the file it came from and a
// line, or with an error about an unsupported rule value. What compiles
// evaluates without panicking, and twice to the same findings.
func FuzzNew(f *testing.F) {
	f.Add("package xtsync.a\n\ndeny contains \"x\"\n")
	f.Add("package xtsync.a\n\nwarn contains {\"msg\": \"m\", \"line\": 3} if input.head\n")
	f.Add("package xtsync.a\n\ndeny contains msg if {\n\tmsg := \n}\n")
	f.Add("package xtsync.a\n\nviolation := 1\n")
	f.Add("package xtsync.a\n\ndeny contains http.send({})\n")
	f.Add("package xtsync\n\ndeny := true\n")
	in := policy.Input{Head: map[string]any{"tenants": map[string]any{}}}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := policy.New(policy.Options{Modules: map[string]string{"policies/f.rego": src}})
		if err != nil {
			var ce *policy.CompileError
			if errors.As(err, &ce) {
				if len(ce.Problems) == 0 {
					t.Fatalf("a CompileError without problems: %v", err)
				}
				for _, p := range ce.Problems {
					if p.File != "" && p.File != "policies/f.rego" {
						t.Fatalf("problem in %q, want policies/f.rego: %v", p.File, p)
					}
				}
			}
			return
		}
		a, errA := e.Evaluate(context.Background(), in)
		b, errB := e.Evaluate(context.Background(), in)
		if (errA == nil) != (errB == nil) || len(a) != len(b) {
			t.Fatalf("two evaluations differ: %v %v / %v %v", a, errA, b, errB)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("finding %d differs: %+v / %+v", i, a[i], b[i])
			}
			if a[i].Level != "deny" && a[i].Level != "warn" {
				t.Fatalf("finding level %q", a[i].Level)
			}
		}
	})
}
