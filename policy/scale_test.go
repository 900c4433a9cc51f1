package policy_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/tenants"
)

// manyConfigs is a repository whose source runs n sync configurations into
// one target, each assigning a group of its own, and every hundredth one
// sharing a user with the next (so the findings grow with n, not n²),
// loaded from YAML as a user's would be: the source's file stays under the
// loader's 1 MiB at 14,000 configurations.
func manyConfigs(t testing.TB, n int) policy.Input {
	t.Helper()
	var src strings.Builder
	src.WriteString("apiVersion: xtsync/v1\nkind: Tenant\nname: src\ntenantId: 11111111-2222-4333-8444-555555555555\n")
	src.WriteString("partners:\n  - tenant: dst\n    outbound: {autoRedeem: true}\nsync:\n")
	for i := range n {
		users := ""
		if i%100 < 2 {
			users = fmt.Sprintf(", users: [shared%d@src.example]", i/100)
		}
		fmt.Fprintf(&src, "  - {name: c%d, target: dst, scope: {groups: [g%d]%s}}\n", i, i, users)
	}
	if src.Len() > tenants.MaxFileSize {
		t.Fatalf("the source file is %d bytes, over the loader's limit", src.Len())
	}
	dst := "apiVersion: xtsync/v1\nkind: Tenant\nname: dst\ntenantId: 66666666-2222-4333-8444-555555555555\n" +
		"partners:\n  - tenant: src\n    inbound: {userSync: true, autoRedeem: true}\n"
	repo, diags := tenants.Load(fstest.MapFS{
		"tenants/src.yaml": {Data: []byte(src.String())},
		"tenants/dst.yaml": {Data: []byte(dst)},
	})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags.Errors())
	}
	doc := policy.Document(repo)
	return policy.Input{Base: doc, Head: doc, Context: policy.Context{Now: "2026-11-27T00:00:00Z"}}
}

// BenchmarkBuiltinsManyConfigs evaluates every built-in policy on 2,000
// and 14,000 configurations of one source into one target: the pairwise
// policies (overlapping-scopes) must index, not compare every pair.
func BenchmarkBuiltinsManyConfigs(b *testing.B) {
	for _, n := range []int{2000, 14000} {
		b.Run(fmt.Sprintf("configs=%d", n), func(b *testing.B) {
			in := manyConfigs(b, n)
			e, err := policy.New(policy.Options{Builtins: true})
			if err != nil {
				b.Fatal(err)
			}
			fs, err := e.Evaluate(context.Background(), in)
			if err != nil {
				b.Fatal(err)
			}
			if got := countPolicy(fs, "overlapping-scopes"); got != n/100*2 {
				b.Fatalf("overlapping-scopes findings = %d, want %d (each pair sharing a user, both ways)", got, n/100*2)
			}
			b.ResetTimer()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := e.Evaluate(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
			// On a machine others load, CPU time is steadier than wall time.
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

func countPolicy(fs []plan.Finding, id string) int {
	n := 0
	for _, f := range fs {
		if f.Policy == id {
			n++
		}
	}
	return n
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
