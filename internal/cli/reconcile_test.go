package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
)

func TestPolicyGates(t *testing.T) {
	del := plan.Finding{Policy: "deletion-threshold", Level: "deny", Msg: "12 deletions"}
	share := plan.Finding{Policy: "delete-share", Level: "warn", Msg: "a third"}
	other := plan.Finding{Policy: "scope-all", Level: "deny", Msg: "acknowledge"}
	warn := plan.Finding{Policy: "cross-cloud", Level: "warn", Msg: "clouds"}
	tests := []struct {
		name         string
		findings     []plan.Finding
		allowDeletes bool
		pol, dels    string
	}{
		{"none", nil, false, report.GatePass, report.GatePass},
		{"warnings pass", []plan.Finding{warn, share}, false, report.GatePass, report.GatePass},
		{"deletions deny", []plan.Finding{del, warn}, false, report.GatePass, report.GateDeny},
		{"deletions overridden", []plan.Finding{del}, true, report.GatePass, report.GateOverridden},
		{"--allow-deletes does not override other policies", []plan.Finding{other, del}, true, report.GateDeny, report.GateOverridden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, dels := policyGates(tt.findings, tt.allowDeletes)
			if diff := cmp.Diff([]string{tt.pol, tt.dels}, []string{pol.Result, dels.Result}); diff != "" {
				t.Errorf("gate results (-want +got):\n%s", diff)
			}
			if (pol.Result == report.GateDeny) != (pol.Unblock != "") || (dels.Result == report.GateDeny) != (dels.Unblock != "") {
				t.Errorf("a denying gate must say what unblocks it, and only then: %+v %+v", pol, dels)
			}
		})
	}
}
