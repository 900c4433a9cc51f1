package expr

import "strings"

// diacriticRows is the table of section "NormalizeDiacritics": characters
// and their replacement. Sequences with combining marks (ā́) are covered by
// their precomposed base (ā) and by dropping the combining marks.
var diacriticRows = [][2]string{
	{"ä, à, â, ã, å, á, ą, ă, ā, ǟ, ǡ", "a"},
	{"Ä, À, Â, Ã, Å, Á, Ą, Ă, Ā, Ǟ, Ǡ", "A"},
	{"æ, ǣ", "ae"}, {"Æ, Ǣ", "AE"},
	{"ç, č, ć", "c"}, {"Ç, Č, Ć", "C"},
	{"ď, ḏ", "d"}, {"Ď, Ḏ", "D"},
	{"ë, è, é, ê, ę, ě, ė, ē, ḗ, ḕ", "e"}, {"Ë, È, É, Ê, Ę, Ě, Ė, Ē, Ḗ, Ḕ", "E"},
	{"ğ, ḡ", "g"}, {"Ğ, Ḡ", "G"},
	{"ï, î, ì, í, ı, ī", "i"}, {"Ï, Î, Ì, Í, İ, Ī", "I"},
	{"ľ, ł, ḹ, ḻ", "l"}, {"Ł, Ľ, Ḹ, Ḻ", "L"},
	{"ñ, ń, ň, ṉ", "n"}, {"Ñ, Ń, Ň, Ṉ", "N"},
	{"ö, ò, ő, õ, ô, ó, ō, ṓ, ṑ, ȫ, ǭ, ȭ, ȱ", "o"}, {"Ö, Ò, Ő, Õ, Ô, Ó, Ō, Ṓ, Ṑ, Ȫ, Ǭ, Ȭ, Ȱ", "O"},
	{"ø, œ", "oe"}, {"Ø, Œ", "OE"},
	{"ř, ṟ, ṝ", "r"}, {"Ř, Ṟ, Ṝ", "R"},
	{"ß", "ss"},
	{"š, ś, ș, ş", "s"}, {"Š, Ś, Ș, Ş", "S"},
	{"ť, ț, ṯ", "t"}, {"Ť, Ț, Ṯ", "T"},
	{"ü, ù, û, ú, ů, ű, ū, ǖ, ṻ, ṳ", "u"}, {"Ü, Ù, Û, Ú, Ů, Ű, Ū, Ǖ, Ṻ, Ṳ", "U"},
	{"ÿ, ý, ȳ", "y"}, {"Ÿ, Ý, Ȳ", "Y"},
	{"ź, ž, ż, ẕ", "z"}, {"Ź, Ž, Ż, Ẕ", "Z"},
}

var diacritics = func() map[rune]string {
	m := map[rune]string{}
	for _, row := range diacriticRows {
		for _, r := range row[0] {
			if r != ',' && r != ' ' {
				m[r] = row[1]
			}
		}
	}
	return m
}()

// normalizeDiacritics replaces the characters of the table and drops
// combining diacritical marks (U+0300–U+036F).
func normalizeDiacritics(s string) string {
	clean := true
	for _, r := range s {
		if r >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0x300 && r <= 0x36f {
			continue
		}
		if rep, ok := diacritics[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
