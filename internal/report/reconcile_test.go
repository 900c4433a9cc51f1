package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/reconcile"
)

func sampleReconcile(dryRun bool) *Reconcile {
	r := NewReconcile("0123456789abcdef0123456789abcdef01234567", dryRun)
	r.Gates = []Gate{
		{Gate: GateLoad, Result: GatePass},
		{Gate: GatePolicy, Result: GatePass, Findings: []plan.Finding{{Policy: "cross-cloud", Level: "warn", Msg: "contoso-eu syncs across clouds"}}},
		{Gate: GateDeletions, Result: GateOverridden, Findings: []plan.Finding{{Policy: "deletion-threshold", Level: "deny", Msg: "12 deletions exceed the threshold 10"}}},
		{Gate: GateOwnership, Result: GatePass},
	}
	r.SetChanges(reconcile.ChangeSet{
		{Object: "partner/contoso-us/contoso-eu", Action: reconcile.ActionCreate, Fields: []reconcile.Field{{Name: "inboundAllowed", After: true}}},
		{Object: "sync/contoso-eu/eu-to-us/secrets", Action: reconcile.ActionUpdate, Fields: []reconcile.Field{{Name: "CompanyId", Before: "s3cr3t-before", After: "s3cr3t-after", Secret: true}}},
		{Object: "sync/contoso-eu/eu-to-us/schema", Action: reconcile.ActionUpdate, Fields: []reconcile.Field{{Name: "scope.groups", Before: []string{"GlobalEmployees"}, After: []string{"Sales-All"}}}},
		{Object: "sync/contoso-eu/old/assignment/Sales", Action: reconcile.ActionDelete},
	})
	r.SetIgnored([]reconcile.IgnoredDrift{
		{Object: "sync/contoso-eu/eu-to-us/schema", Action: reconcile.ActionUpdate, Reason: "INC-4711: edited during the incident", Rule: "xtsync.yaml:12:5",
			Fields: []reconcile.Field{{Name: "mappings.companyName", Before: `"Contoso EU (incident)" (Always)`, After: `"Contoso Europe" (Always)`}}},
		{Object: "identitySync/contoso-us/fabrikam-uk", Action: reconcile.ActionCreate, Reason: "needs partner/contoso-us/fabrikam-uk, which is ignored",
			Fields: []reconcile.Field{{Name: "userSyncInbound", After: true}}},
	})
	r.Unmanaged = []Unmanaged{{Object: "partner/contoso-us/fabrikam", Reason: "the repo does not declare this partner: left as it is"},
		{Object: "sync/contoso-eu/old", Deleted: true, Reason: "tagged as xtsync's, no longer declared, prune is on: deleted"}}
	r.Impact = []plan.TargetImpact{{Target: "contoso-us",
		Added:   []plan.ImpactUser{{Source: "contoso-eu", SourceUserID: "u1", SourceUserPrincipalName: "anna@contoso.eu"}},
		Removed: []plan.ImpactUser{{Source: "contoso-eu", SourceUserID: "u2", SourceUserPrincipalName: "bo@contoso.eu", Reason: "unassigned"}}}}
	if !dryRun {
		r.SetResults([]reconcile.Result{
			{Object: "partner/contoso-us/contoso-eu", Result: reconcile.ResultCreated},
			{Object: "sync/contoso-eu/eu-to-us/secrets", Result: reconcile.ResultUpdated},
			{Object: "sync/contoso-eu/eu-to-us/schema", Result: reconcile.ResultFailed, Error: "put schema: 400 bad request"},
			{Object: "sync/contoso-eu/old/assignment/Sales", Result: reconcile.ResultSkipped},
		})
		r.Remaining = []string{"sync/contoso-eu/eu-to-us/schema"}
	}
	r.Requests = Requests{Reads: 40, Writes: 3, Retries: 1, Throttled: 1}
	r.DurationMs = 1234
	return r
}

func deniedReconcile() *Reconcile {
	r := NewReconcile("0123456789abcdef0123456789abcdef01234567", false)
	r.Gates = []Gate{
		{Gate: GateLoad, Result: GatePass},
		{Gate: GatePolicy, Result: GatePass},
		{Gate: GateDeletions, Result: GateDeny, Findings: []plan.Finding{{Policy: "deletion-threshold", Level: "deny", Msg: "12 deletions exceed the threshold 10"}},
			Unblock: "rerun with --allow-deletes once the deletions are intended"},
		{Gate: GateOwnership, Result: GatePass},
	}
	r.SetChanges(reconcile.ChangeSet{
		{Object: "sync/contoso-eu/eu-to-us/assignment/Sales", Action: reconcile.ActionDelete,
			Fields: []reconcile.Field{{Name: "principal", Before: "Sales"}}},
	})
	r.Impact = []plan.TargetImpact{{Target: "contoso-us",
		Removed: []plan.ImpactUser{{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u2", SourceUserPrincipalName: "bo@contoso.eu",
			Action: "delete", Reason: "unassigned"}}}}
	return r
}

// heldReconcile is a run inside a freeze with one configuration
// suspended and the freeze overridden for the rest: one change written,
// two held, one of them for a change it needs.
func heldReconcile() *Reconcile {
	r := NewReconcile("0123456789abcdef0123456789abcdef01234567", false)
	r.Gates = []Gate{
		{Gate: GateLoad, Result: GatePass},
		{Gate: GatePolicy, Result: GatePass},
		{Gate: GateDeletions, Result: GatePass},
		{Gate: GateOwnership, Result: GatePass},
		{Gate: GateWindow, Result: GateOverridden, Reason: "INC-9: partner cut-over cannot wait",
			Findings: []plan.Finding{{Policy: "change-window", Level: "warn", Msg: "1 change written all the same (--override-window): deny window holiday freeze is open until 2027-01-03T09:00:00Z", File: "xtsync.yaml", Line: 3}}},
		{Gate: GateSuspend, Result: GateHold, Unblock: "wait until the suspension ends, or remove the suspend through a reviewed change",
			Findings: []plan.Finding{{Policy: "suspend", Level: "warn", Msg: "2 changes held: sync contoso-eu/eu-to-us is suspended (merger cut-over) until 2026-12-24T00:00:00Z", File: "tenants/contoso-eu.yaml", Line: 22}}},
	}
	cs := reconcile.ChangeSet{
		{Object: "partner/contoso-us/contoso-eu", Action: reconcile.ActionUpdate, Fields: []reconcile.Field{{Name: "inboundAutoRedeem", Before: false, After: true}}},
		{Object: "sync/contoso-eu/eu-to-us/secrets", Action: reconcile.ActionUpdate, Fields: []reconcile.Field{{Name: "deletionThreshold", Before: 500, After: 450}}},
		{Object: "sync/contoso-eu/eu-to-us/schema", Action: reconcile.ActionUpdate, Fields: []reconcile.Field{{Name: "mappings.jobTitle", Before: "[jobTitle]", After: "ToUpper([jobTitle])"}}},
	}
	r.SetChanges(cs)
	suspended := reconcile.Hold{Reason: "sync contoso-eu/eu-to-us is suspended (merger cut-over) until 2026-12-24T00:00:00Z", Until: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)}
	r.SetHolds(reconcile.Holds{ByObject: map[string]reconcile.Hold{"sync/contoso-eu/eu-to-us/secrets": suspended, "sync/contoso-eu/eu-to-us/schema": suspended}})
	r.SetResults([]reconcile.Result{{Object: "partner/contoso-us/contoso-eu", Result: reconcile.ResultUpdated}})
	return r
}

func TestReconcileRenderers(t *testing.T) {
	cases := map[string]*Reconcile{
		"applied": sampleReconcile(false),
		"dryrun":  sampleReconcile(true),
		"denied":  deniedReconcile(),
		"empty":   NewReconcile("abc", true),
		"held":    heldReconcile(),
	}
	for name, r := range cases {
		for _, format := range []string{"text", "json", "markdown"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				var b bytes.Buffer
				if err := ReconcileWrite(&b, r, format); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(b.String(), "s3cr3t") {
					t.Errorf("a secret value is in the %s output:\n%s", format, b.String())
				}
				ext := map[string]string{"text": "txt", "json": "json", "markdown": "md"}[format]
				golden(t, "reconcile_"+name+"."+ext, b.Bytes())
			})
		}
	}
}
