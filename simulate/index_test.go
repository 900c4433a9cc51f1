package simulate

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSortedOrder checks the prefix-keyed sort against a plain one on UPNs
// that share long prefixes, are shorter than a key, or differ only by id.
func TestSortedOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []string{"", "a", "ab", "anna.smith", "anna.smith.1", "anna.smith.12@x", "anna.smith.12@y", "\xff", "é", "b\x00", "b"}
	for round := range 200 {
		n := rng.IntN(40)
		users := make([]User, n)
		lower := make([]string, n)
		for i := range users {
			upn := parts[rng.IntN(len(parts))] + parts[rng.IntN(len(parts))]
			users[i] = User{ID: string(rune('a' + rng.IntN(5))), UserPrincipalName: upn}
			lower[i] = strings.ToLower(upn)
		}
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(i, j int32) int {
			if c := strings.Compare(lower[i], lower[j]); c != 0 {
				return c
			}
			return strings.Compare(users[i].ID, users[j].ID)
		})
		got := sortedOrder(lower, users)
		// Equal (UPN, id) pairs may come in any order: compare the keys.
		key := func(o []int32) []string {
			var k []string
			for _, i := range o {
				k = append(k, lower[i]+"\x00"+users[i].ID)
			}
			return k
		}
		if diff := cmp.Diff(key(want), key(got)); diff != "" {
			t.Fatalf("round %d: order (-want +got):\n%s", round, diff)
		}
		if len(got) != n {
			t.Fatalf("round %d: %d indexes, want %d", round, len(got), n)
		}
	}
}
