package simulate

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortPairs orders keys as sort.Strings does, also keys that share their
// first eight bytes, are shorter than eight or hold zero bytes.
func TestSortPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	parts := []string{"", "a", "employee", "employeeId", "employeeType", "\x00", "z", "é", "department", "dep"}
	for range 2000 {
		n := r.IntN(40)
		var p []kv
		var want []string
		for range n {
			k := parts[r.IntN(len(parts))] + parts[r.IntN(len(parts))]
			p = append(p, kv{k: k, pre: keyPrefix(k)})
			want = append(want, k)
		}
		slices.Sort(want)
		for i, o := range sortPairs(p, nil) {
			if p[o].k != want[i] {
				t.Fatalf("sortPairs: %q at %d, want %q (all: %q)", p[o].k, i, want[i], want)
			}
		}
	}
}
