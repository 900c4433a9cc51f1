package tenants

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLookalikes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"plain", "GlobalEmployees", nil},
		{"accented latin", "Café-Équipe", nil},
		{"all cyrillic", "Сотрудники", nil},
		{"latin with japanese", "東京Sales チーム", nil},
		{"cyrillic o", "GlobalEmplоyees", []string{`U+043E CYRILLIC SMALL LETTER O at character 11, which looks like "o" (a Cyrillic letter among Latin ones)`}},
		{"greek capital omicron", "ΟpsTeam", []string{`U+039F GREEK CAPITAL LETTER OMICRON at character 1, which looks like "O" (a Greek letter among Latin ones)`}},
		{"zero width space", "Global\u200bEmployees", []string{"U+200B ZERO WIDTH SPACE at character 7, which is invisible"}},
		{"no-break space", "UK\u00a0Staff", []string{"U+00A0 NO-BREAK SPACE at character 3, which is invisible"}},
		{"right-to-left override", "Sales\u202e", []string{"U+202E RIGHT-TO-LEFT OVERRIDE at character 6, which is invisible"}},
		{"fullwidth", "Ｇlobal", []string{`U+FF27 FULLWIDTH LATIN CAPITAL LETTER G at character 1, which looks like "G"`}},
		{"cyrillic letter like nothing latin", "Globalж", []string{"U+0436 CYRILLIC SMALL LETTER ZHE at character 7, a Cyrillic letter among Latin ones"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range Lookalikes(tc.in) {
				got = append(got, l.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Lookalikes(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	groups := []string{"GlobalEmployees", "UK-Staff", "Sales-All", "Сотрудники"}
	for _, tc := range []struct {
		name, ref, want, why string
	}{
		{"typo", "GlobalEmployes", "GlobalEmployees", ""},
		{"cyrillic o", "GlobalEmplоyees", "GlobalEmployees", `U+043E CYRILLIC SMALL LETTER O at character 11, which looks like "o"`},
		{"zero width space", "Global\u200bEmployees", "GlobalEmployees", "U+200B ZERO WIDTH SPACE at character 7, which is invisible"},
		{"case and lookalike", "uk-ѕtaff", "UK-Staff", "U+0455 CYRILLIC SMALL LETTER DZE at character 4"},
		{"latin for cyrillic", "Coтрудники", "Сотрудники", "U+0043 LATIN CAPITAL LETTER C at character 1"},
		{"nothing close", "Engineering", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := DidYouMean(tc.ref, groups)
			if got != tc.want {
				t.Errorf("DidYouMean(%q) = %q, want %q", tc.ref, got, tc.want)
			}
			if (tc.why == "") != (why == "") || !strings.Contains(why, tc.why) {
				t.Errorf("DidYouMean(%q) why = %q, want it to contain %q", tc.ref, why, tc.why)
			}
		})
	}
}
