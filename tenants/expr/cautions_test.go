package expr

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCautions: the forms Microsoft's function reference documents as
// unsupported (IIF testing for null or empty) or risky (Switch, and
// Switch on IsPresent/IsNull/IsNullOrEmpty) are reported with their
// column; their safe rewrites are not.
func TestCautions(t *testing.T) {
	tests := []struct {
		src  string
		want []int // columns
		msgs []string
	}{
		{`IIF([country]="", "Other", [country])`, []int{1}, []string{"IIF whose condition tests for null or empty"}},
		{`IIF(IsNullOrEmpty([country]), "Other", [country])`, []int{1}, []string{"IIF whose condition"}},
		{`IIF(IsPresent([country]), [country], "Other")`, []int{1}, []string{"IIF whose condition"}},
		{`Join(" ", IIF(IsNull([c]), "x", [c]))`, []int{11}, []string{"IIF whose condition"}},
		{`IIF([country]="USA", [country], [department])`, nil, nil},
		{`IIF("" <> [x], "a", "b")`, []int{1}, []string{"IIF whose condition"}},
		{`Switch([country], [country], "", "Other")`, []int{1}, []string{"Switch: Microsoft cautions"}},
		{`Switch(IsPresent([s]), "a", "True", "b")`, []int{1, 8}, []string{"Switch: Microsoft cautions", "not to use IsPresent"}},
		{`ToUpper([jobTitle])`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			var cols []int
			for i, c := range e.Cautions() {
				cols = append(cols, c.Col)
				if i < len(tt.msgs) && !strings.Contains(c.Msg, tt.msgs[i]) {
					t.Errorf("caution %d: %q does not say %q", i, c.Msg, tt.msgs[i])
				}
			}
			if diff := cmp.Diff(tt.want, cols); diff != "" {
				t.Errorf("caution columns (-want +got):\n%s", diff)
			}
		})
	}
}
