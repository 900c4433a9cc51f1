package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/tenants/expr"
)

// TestExprFailedShowsTheNeighbourhood: a parse error shows the part of the
// expression around its column with a caret under it, never a 100,000
// character expression and a 10,000 space caret.
func TestExprFailedShowsTheNeighbourhood(t *testing.T) {
	long := "Join(\" \", " + strings.Repeat("[a], ", 20000) + "[b]]"
	short := `Join(" ", [a] [b])`
	tests := []struct {
		src        string
		col        int
		line, mark string
	}{
		{short, 15, `  Join(" ", [a] [b])`, "                ^"},
		{long, 10001, "  …" + long[9960:10040] + "…", "  " + strings.Repeat(" ", 41) + "^"},
		{long, 3, "  " + long[:42] + "…", "    ^"},
		{"ToUpper([x]", 12, "  ToUpper([x]", "             ^"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		err := exprFailed(&b, tt.src, "parse expression", &expr.Error{Col: tt.col, Msg: "bad"})
		var xe *expr.Error
		if !errors.As(err, &xe) {
			t.Fatalf("the error is not kept: %v", err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if d := cmp.Diff([]string{tt.line, tt.mark}, lines); d != "" {
			t.Errorf("col %d (-want +got):\n%s", tt.col, d)
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > 90 {
				t.Errorf("a line of %d characters", n)
			}
		}
	}
}
