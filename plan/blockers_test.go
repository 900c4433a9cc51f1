package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/simulate"
)

// TestBlockerFindings: a scope reference the change makes resolve to
// nothing (a typo, a lookalike letter, a zero-width space) is a deny at its
// own line, naming the character; one base already has is a warning.
func TestBlockerFindings(t *testing.T) {
	base := exampleFS(t)
	snaps := exampleSnapshots(t)
	const groups = "groups: [GlobalEmployees]"
	deny := func(line int, msg string) Finding {
		return Finding{Policy: "unresolved-scope-ref", Level: LevelDeny, Tenant: "contoso-eu", File: eu, Line: line, Msg: msg}
	}
	for _, tc := range []struct {
		name       string
		base, head string // the groups line at each revision
		same       bool   // base = head: the working tree checked alone
		want       []Finding
	}{
		{name: "unchanged", base: groups, head: groups},
		{name: "typo", base: groups, head: "groups: [GlobalEmployes]", want: []Finding{
			deny(25, `sync/contoso-eu/eu-to-us: scope group "GlobalEmployes" matches no group of contoso-eu: did you mean "GlobalEmployees"?`)}},
		{name: "cyrillic o", base: groups, head: "groups: [GlobalEmplоyees]", want: []Finding{
			deny(25, `sync/contoso-eu/eu-to-us: scope group "GlobalEmplоyees" matches no group of contoso-eu: did you mean "GlobalEmployees"? The reference has U+043E CYRILLIC SMALL LETTER O at character 11, which looks like "o"`)}},
		{name: "zero width space on its own line", base: groups, head: "groups:\n        - Sales-All\n        - \"Global\u200bEmployees\"", want: []Finding{
			deny(27, `sync/contoso-eu/eu-to-us: scope group "Global\u200bEmployees" matches no group of contoso-eu: did you mean "GlobalEmployees"? The reference has U+200B ZERO WIDTH SPACE at character 7, which is invisible`)}},
		{name: "working tree alone", base: "groups: [Nobody]", head: "groups: [Nobody]", same: true, want: []Finding{
			deny(25, `sync/contoso-eu/eu-to-us: scope group "Nobody" matches no group of contoso-eu`)}},
		{name: "base has it too", base: "groups: [Nobody]", head: "groups: [Nobody]", want: []Finding{{
			Policy: "unresolved-scope-ref", Level: LevelWarn, Tenant: "contoso-eu", File: eu, Line: 25,
			Msg: `sync/contoso-eu/eu-to-us: scope group "Nobody" matches no group of contoso-eu (base has it too: not caused by this change)`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br := load(t, edit(t, base, eu, groups, tc.base))
			hr := load(t, edit(t, base, eu, groups, tc.head))
			bres := simulate.Run(br, snaps, simulate.Options{})
			hres := simulate.Run(hr, snaps, simulate.Options{})
			if tc.same {
				bres = hres
			}
			got := BlockerFindings(bres, hres, hr, snaps)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("BlockerFindings (-want +got):\n%s", diff)
			}
		})
	}
}
