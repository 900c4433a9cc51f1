package tenants

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

// Names in a configuration (scope groups and users, filter values) are
// matched against a directory, so a character a reviewer cannot see — a
// zero-width space, a Cyrillic "о" among Latin letters — makes a reference
// that looks right match nothing. This file finds such characters and
// names them: "U+043E CYRILLIC SMALL LETTER O".

// Lookalike is one character of a name that a reader would not see or would
// take for another.
type Lookalike struct {
	// At is the character's position in the name, from 1.
	At   int
	Rune rune
	// LooksLike is what the character reads as ("o"), when it is known.
	LooksLike string
	// Script and Among are the letter's alphabet and the name's, for a
	// letter of a second alphabet ("Cyrillic" among "Latin").
	Script, Among string
}

// Invisible reports a character that prints as nothing or as a plain space.
func (l Lookalike) Invisible() bool { return l.LooksLike == "" && l.Among == "" }

// String describes the character: `U+043E CYRILLIC SMALL LETTER O at
// character 11, which looks like "o" (a Cyrillic letter among Latin ones)`.
func (l Lookalike) String() string {
	var what string
	switch {
	case l.Invisible():
		what = "which is invisible"
	case l.LooksLike != "" && l.Among != "":
		what = fmt.Sprintf("which looks like %q (a %s letter among %s ones)", l.LooksLike, l.Script, l.Among)
	case l.LooksLike != "":
		what = fmt.Sprintf("which looks like %q", l.LooksLike)
	default:
		what = fmt.Sprintf("a %s letter among %s ones", l.Script, l.Among)
	}
	return fmt.Sprintf("%s at character %d, %s", RuneName(l.Rune), l.At, what)
}

// RuneName is a character's code point and Unicode name: "U+200B ZERO WIDTH
// SPACE".
func RuneName(r rune) string {
	if name := runenames.Name(r); name != "" && !strings.HasPrefix(name, "<") {
		return fmt.Sprintf("U+%04X %s", r, name)
	}
	return fmt.Sprintf("U+%04X", r)
}

// Lookalikes returns the characters of s a reader would miss or misread:
// invisible ones (format and control characters, default-ignorable code
// points, spaces other than U+0020), compatibility forms of letters
// (fullwidth "Ａ", mathematical "𝐀"), and letters of a second alphabet
// mixed into a name (a Cyrillic "о" among Latin letters). A name written in
// one alphabet, or in Latin with Chinese, Japanese or Korean, has none.
func Lookalikes(s string) []Lookalike {
	var out []Lookalike
	scripts := map[string]int{}
	type letter struct {
		at     int
		r      rune
		script string
	}
	var letters []letter
	at := 0
	for _, r := range s {
		at++
		if invisible(r) {
			out = append(out, Lookalike{At: at, Rune: r})
			continue
		}
		if !unicode.IsLetter(r) {
			continue
		}
		if c := norm.NFKC.String(string(r)); c != string(r) {
			out = append(out, Lookalike{At: at, Rune: r, LooksLike: c})
			continue
		}
		sc := scriptOf(r)
		if sc == "" {
			continue
		}
		scripts[sc]++
		letters = append(letters, letter{at, r, sc})
	}
	if len(scripts) > 1 {
		// The alphabet most letters are in is the name's; a tie goes to
		// Latin, then to the first in name order.
		names := make([]string, 0, len(scripts))
		for n := range scripts {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			a, b := names[i], names[j]
			if scripts[a] != scripts[b] {
				return scripts[a] > scripts[b]
			}
			if (a == "Latin") != (b == "Latin") {
				return a == "Latin"
			}
			return a < b
		})
		main := names[0]
		for _, l := range letters {
			if l.script == main {
				continue
			}
			like := confusables.Skeleton(string(l.r))
			if like == norm.NFD.String(string(l.r)) {
				like = "" // confusable with nothing
			}
			out = append(out, Lookalike{At: l.at, Rune: l.r, LooksLike: like, Script: l.script, Among: main})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// JoinLookalikes describes several characters in one phrase, "; " between.
func JoinLookalikes(ls []Lookalike) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, "; ")
}

// invisible reports a character that prints as nothing, or as a space that
// is not one.
func invisible(r rune) bool {
	switch {
	case r == ' ':
		return false
	case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Cc, r), unicode.Is(unicode.Zs, r),
		unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r),
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	}
	return false
}

// ideographic are the scripts that mix with Latin and with each other in
// ordinary names (Unicode TR39's "highly restrictive" profile).
var ideographic = map[string]bool{"Han": true, "Hiragana": true, "Katakana": true, "Hangul": true, "Bopomofo": true}

// alphabets are checked first: they hold nearly every letter of a name.
var alphabets = []string{"Latin", "Cyrillic", "Greek", "Armenian", "Cherokee", "Coptic"}

// scriptOf returns the alphabet of a letter, "" for one that does not count
// as mixing (Common, Inherited, the ideographic scripts).
func scriptOf(r rune) string {
	for _, n := range alphabets {
		if unicode.Is(unicode.Scripts[n], r) {
			return n
		}
	}
	for n, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			if n == "Common" || n == "Inherited" || ideographic[n] {
				return ""
			}
			return n
		}
	}
	return ""
}

// lookalikeKey is what a name looks like: invisible characters dropped,
// compatibility forms folded, each character mapped to its Unicode TR39
// skeleton, case folded (references match names case-insensitively).
func lookalikeKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if !invisible(r) {
			b.WriteRune(r)
		}
	}
	return strings.ToLower(confusables.Skeleton(strings.ToLower(b.String())))
}

// DidYouMean returns the candidate a reference that matches nothing was
// meant to name, and why it missed, or "", "". A candidate that looks the
// same (the same skeleton, Unicode TR39) wins, with the characters that
// differ named: `"GlobalEmployees"? The reference has U+043E CYRILLIC SMALL
// LETTER O at character 11, which looks like "o"`. Else the closest
// candidate within two edits, without a why. Candidates are compared
// case-insensitively, as scope references match.
func DidYouMean(ref string, candidates []string) (string, string) {
	key := lookalikeKey(ref)
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if strings.EqualFold(c, ref) || lookalikeKey(c) != key {
			continue
		}
		return c, lookalikeWhy(ref, c)
	}
	return suggest(ref, sorted), ""
}

// lookalikeWhy names the characters of ref that the candidate does not
// have: the lookalikes of ref, else (a whole name in another alphabet) each
// character that differs.
func lookalikeWhy(ref, candidate string) string {
	var parts []string
	for _, l := range Lookalikes(ref) {
		if strings.ContainsRune(candidate, l.Rune) {
			continue
		}
		if l.LooksLike != "" {
			l.Script, l.Among = "", "" // beside the name it was meant to be, "looks like" says it
		}
		parts = append(parts, l.String())
	}
	if len(parts) == 0 {
		want := []rune(candidate)
		for i, r := range []rune(ref) {
			if i < len(want) && unicode.ToLower(want[i]) != unicode.ToLower(r) {
				parts = append(parts, fmt.Sprintf("%s at character %d where the name has %s", RuneName(r), i+1, RuneName(want[i])))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "the reference has " + strings.Join(parts, "; ")
}
