package plan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/simulate"
)

// writtenChangesRef is writtenChanges as first written: both states as
// maps, compared key by key.
func writtenChangesRef(b, h *simulate.UserResult) map[string]simulate.Change {
	state := func(row *simulate.UserResult) map[string]any {
		if row == nil || row.TargetUser == nil {
			return nil
		}
		tu := row.TargetUser
		s := map[string]any{"userType": tu.UserType, "accountEnabled": tu.AccountEnabled, "showInAddressList": tu.ShowInAddressList}
		for k, v := range tu.Attributes {
			s[k] = v
		}
		return s
	}
	current := func(row *simulate.UserResult, after map[string]any) map[string]any {
		s := map[string]any{}
		for k, v := range after {
			s[k] = v
		}
		for k, c := range row.Changes {
			s[k] = c.From
		}
		return s
	}
	bs, hs := state(b), state(h)
	switch {
	case bs == nil && hs == nil:
		return nil
	case bs == nil:
		bs = current(h, hs)
	case hs == nil:
		hs = current(b, bs)
	}
	out := map[string]simulate.Change{}
	for _, m := range []map[string]any{bs, hs} {
		for k := range m {
			if !sameValue(bs[k], hs[k]) {
				out[k] = simulate.Change{From: bs[k], To: hs[k]}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// TestWrittenChanges: the comparison gives what comparing the two written
// states as maps gives, for rows with and without target users, changes,
// and values of every kind.
func TestWrittenChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	values := []any{nil, "", "a", "b", true, false, int64(5), 5.0, "5", []any{}, []any{"x"}, []any{"x", "y"}}
	keys := []string{"department", "city", "jobTitle", "userType", "accountEnabled"}
	row := func() *simulate.UserResult {
		switch r.IntN(4) {
		case 0:
			return nil
		case 1:
			return &simulate.UserResult{}
		}
		u := &simulate.UserResult{TargetUser: &simulate.TargetUser{UserType: []string{"Member", "Guest", ""}[r.IntN(3)],
			AccountEnabled: r.IntN(2) == 0, ShowInAddressList: r.IntN(2) == 0, Attributes: map[string]any{}}}
		for _, k := range keys[:3] {
			if v := values[r.IntN(len(values))]; v != nil || r.IntN(2) == 0 {
				u.TargetUser.Attributes[k] = v
			}
		}
		if r.IntN(2) == 0 {
			u.Changes = map[string]simulate.Change{}
			for range r.IntN(3) {
				u.Changes[keys[r.IntN(len(keys))]] = simulate.Change{From: values[r.IntN(len(values))], To: values[r.IntN(len(values))]}
			}
		}
		return u
	}
	for i := range 20000 {
		b, h := row(), row()
		if diff := cmp.Diff(writtenChangesRef(b, h), writtenChanges(b, h)); diff != "" {
			t.Fatalf("case %d: %s / %s (-maps +writtenChanges):\n%s", i, show(b), show(h), diff)
		}
	}
}

func show(u *simulate.UserResult) string {
	if u == nil {
		return "no row"
	}
	return fmt.Sprintf("%+v %+v", u.TargetUser, u.Changes)
}
