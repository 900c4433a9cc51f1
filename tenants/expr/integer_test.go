package expr

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseInteger(t *testing.T) {
	type result struct {
		Is bool
		N  int64
		OK bool
	}
	tests := []struct {
		in   string
		want result
	}{
		{"42", result{true, 42, true}},
		{"+7", result{true, 7, true}},
		{"-0012", result{true, -12, true}},
		{"9223372036854775807", result{true, 9223372036854775807, true}},
		{"9223372036854775808", result{true, 0, false}}, // an integer, beyond int64
		{"", result{}},
		{"-", result{}},
		{"+-1", result{}},
		{" 1", result{}},
		{"1 ", result{}},
		{"1,000", result{}},
		{"1.0", result{}},
		{"1e3", result{}},
		{"0x10", result{}},
		{"١٢", result{}}, // Arabic-Indic digits are not ASCII
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, ok := ParseInteger(tt.in)
			got := result{IsInteger(tt.in), n, ok}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("IsInteger, ParseInteger(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

var integerRE = regexp.MustCompile(`^[+-]?[0-9]+$`)

// FuzzParseInteger: IsInteger is exactly [+-]?[0-9]+, and ParseInteger
// reads what strconv reads of it, nothing else.
func FuzzParseInteger(f *testing.F) {
	for _, s := range []string{"0", "-1", "+12", "", "1.5", "99999999999999999999", " 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsInteger(s), integerRE.MatchString(s); got != want {
			t.Fatalf("IsInteger(%q) = %v, want %v", s, got, want)
		}
		n, ok := ParseInteger(s)
		if !IsInteger(s) && (ok || n != 0) {
			t.Fatalf("ParseInteger(%q) = %d, %v, but it is no integer", s, n, ok)
		}
		if IsInteger(s) {
			w, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				w = 0
			}
			if ok != (err == nil) || n != w {
				t.Fatalf("ParseInteger(%q) = %d, %v; strconv: %d, %v", s, n, ok, w, err)
			}
		}
	})
}
