package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/gitfs/signtest"
	"github.com/xtsync/xtsync/internal/report"
)

func gate(r *report.Reconcile, name string) *report.Gate {
	for i := range r.Gates {
		if r.Gates[i].Gate == name {
			return &r.Gates[i]
		}
	}
	return nil
}

// TestReconcileSignedCommits: with verifyCommits, reconcile applies a
// commit signed by a key of the keyring and refuses an unsigned one, naming
// the commit, "unsigned" and the keyring, and writes nothing. A pull
// request that swaps the repository's keyring for its author's key gets
// through that keyring; --verify-commits, a keyring on the host, stops it.
// SSH-signed commits verify against an allowed-signers file.
func TestReconcileSignedCommits(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	alice := signtest.NewOpenPGP(t, "Alice", "alice@example.com")
	mallory := signtest.NewOpenPGP(t, "Mallory", "mallory@example.com")
	signedBy := func(k *signtest.OpenPGP) func(*git.CommitOptions) {
		return func(o *git.CommitOptions) { o.SignKey = k.Entity }
	}
	keyring := func(k *signtest.OpenPGP) func(string) string {
		return func(string) string { return string(signtest.Keyring(t, k)) }
	}

	signed := x.commitWith("sign releases", map[string]func(string) string{
		"keys/release.asc": keyring(alice),
		"xtsync.yaml":      func(old string) string { return old + "\nverifyCommits: keys/release.asc\n" },
	}, signedBy(alice))
	r := x.reconcile().want(t, ExitOK)
	g := gate(r.report, report.GateSignature)
	if g == nil || g.Result != report.GatePass || len(g.Findings) != 1 ||
		!strings.Contains(g.Findings[0].Msg, "commit "+gitfs.Short(signed)+` ("sign releases", committed by Test <test@example.com>): signed by Alice <alice@example.com> (OpenPGP key `+alice.Fingerprint()+") of keyring keys/release.asc") {
		t.Fatalf("signature gate of a signed commit: %+v", g)
	}

	// An unsigned commit: refused, exit 3, nothing read from Graph or written.
	unsigned := x.commit("an unsigned change", map[string]func(string) string{
		"tenants/contoso-eu.yaml": func(old string) string {
			return strings.Replace(old, "deletionThreshold: 500", "deletionThreshold: 400", 1)
		},
	})
	writes := x.writes.Load()
	r = x.reconcile().want(t, ExitDenied)
	want := "commit " + gitfs.Short(unsigned) + ` ("an unsigned change", committed by Test <test@example.com>): signer unsigned: the commit is unsigned; keyring keys/release.asc (xtsync.yaml verifyCommits, at ` + gitfs.Short(unsigned) + ")"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("the refusal does not say %q:\n%s", want, r.stdout)
	}
	if !strings.Contains(r.stdout, "stopped at gate signature: nothing was read from Graph or written") {
		t.Errorf("the outcome does not say the run stopped at the gate:\n%s", r.stdout)
	}
	if n := x.writes.Load() - writes; n != 0 {
		t.Errorf("a refused run wrote %d times to Graph", n)
	}

	// A pull request swaps the keyring for its author's and signs with it:
	// the repository's keyring lets it through ...
	swapped := x.commitWith("trust me", map[string]func(string) string{"keys/release.asc": keyring(mallory)}, signedBy(mallory))
	x.reconcile("--dry-run").want(t, ExitOK)
	// ... the host's keyring does not, and says which key signed.
	host := filepath.Join(x.work, "release.asc")
	if err := os.WriteFile(host, signtest.Keyring(t, alice), 0o644); err != nil {
		t.Fatal(err)
	}
	r = x.reconcile("--verify-commits", host).want(t, ExitDenied)
	want = "commit " + gitfs.Short(swapped) + ` ("trust me", committed by Test <test@example.com>): signer OpenPGP key ` + mallory.Fingerprint() + ": the signing key is not in the keyring; keyring --verify-commits " + host
	if g := gate(r.report, report.GateSignature); g == nil || len(g.Findings) == 0 || g.Findings[0].Msg != want {
		t.Errorf("signature gate with --verify-commits: %+v\nwant the finding %q", g, want)
	}
	if n := x.writes.Load() - writes; n != 0 {
		t.Errorf("a refused run wrote %d times to Graph", n)
	}

	// SSH: an allowed-signers file on the host, a commit signed with SSH.
	bob := signtest.NewSSH(t)
	signers := filepath.Join(x.work, "allowed_signers")
	if err := os.WriteFile(signers, []byte(bob.AllowedSigner("bob@example.com", `namespaces="git"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	x.commitWith("signed with ssh", map[string]func(string) string{"keys/release.asc": keyring(alice)},
		func(o *git.CommitOptions) { o.Signer = signtest.CommitSigner{Key: bob} })
	r = x.reconcile("--verify-commits", signers).want(t, ExitOK)
	if g := gate(r.report, report.GateSignature); g == nil || g.Result != report.GatePass ||
		!strings.Contains(g.Findings[0].Msg, "signed by bob@example.com (SSH key "+bob.Fingerprint()+") of keyring --verify-commits "+signers) {
		t.Errorf("signature gate of an SSH-signed commit: %+v", g)
	}
	if x.writes.Load() == writes {
		t.Error("the signed commit's change (deletionThreshold 400) was not written")
	}

	// A keyring that is not one is bad input: exit 1, no gate.
	bad := filepath.Join(x.work, "bad.asc")
	if err := os.WriteFile(bad, []byte("alice@example.com not-a-key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = x.reconcile("--verify-commits", bad).want(t, ExitError)
	if !strings.Contains(r.stderr, "read the keyring --verify-commits "+bad+": line 1: not a public key") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestReconcileHolidayFreeze: one commit adds a deny window for the
// holidays; a run inside it plans and reports every change as held, says
// when writes resume, and writes nothing (counted by the emulator); after
// it, the same run applies. --override-window needs --reason, writes, and
// the report records the reason.
func TestReconcileHolidayFreeze(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.commit("freeze all writes for the holidays", map[string]func(string) string{
		"xtsync.yaml": func(old string) string {
			return old + "\nwindows:\n  - name: holiday freeze\n    kind: deny\n    schedule: \"0 18 23 12 *\"\n    duration: 256h\n    timeZone: Europe/Berlin\n"
		},
	})
	const inside, after = "2026-12-27T10:00:00Z", "2027-01-03T09:00:00Z"

	r := x.reconcile("--now", inside).want(t, ExitOK)
	if n := x.writes.Load(); n != 0 {
		t.Fatalf("a run inside the freeze wrote %d times to Graph", n)
	}
	g := gate(r.report, report.GateWindow)
	if g == nil || g.Result != report.GateHold || len(g.Findings) != 1 {
		t.Fatalf("gate window: %+v", g)
	}
	reason := `deny window holiday freeze (deny "0 18 23 12 *" for 256h (Europe/Berlin)) is open until 2027-01-03T09:00:00Z; writes resume at 2027-01-03T09:00:00Z`
	held := 0
	for _, c := range r.report.Changes {
		if c.Result != report.ResultHeld || c.Hold != reason {
			t.Errorf("%s: result %q, hold %q; want held: %s", c.Object, c.Result, c.Hold, reason)
		}
		held++
	}
	if held == 0 || r.report.ResumeAt != after || r.report.Converged {
		t.Errorf("%d changes held, resumeAt %q, converged %v", held, r.report.ResumeAt, r.report.Converged)
	}
	for _, want := range []string{
		"  window     hold\n    warn change-window: " + report.Count(held, "change", "changes") + " held: " + reason + " (xtsync.yaml:",
		"held: nothing was written; " + report.Count(held, "change", "changes") + " held until " + after + " (see gates window and suspend)",
		"requests: ", // the run still reads: it plans and reports
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the run does not say %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "changes held by a change window") {
		t.Errorf("the log does not say changes are held:\n%s", r.stderr)
	}
	// A dry run inside the freeze lists them too, and exits 4: they are pending.
	x.reconcile("--now", inside, "--dry-run", "--detailed-exitcode").want(t, ExitChanges)

	// An override needs a reason; with one it writes, and the report keeps it.
	r = x.reconcile("--now", inside, "--override-window").want(t, ExitUsage)
	if !strings.Contains(r.stderr, `--override-window needs --reason "why"`) {
		t.Errorf("stderr: %s", r.stderr)
	}
	if n := x.writes.Load(); n != 0 {
		t.Fatalf("a refused override wrote %d times", n)
	}
	if r := x.reconcile("--now", inside, "--reason", "why not"); r.code != ExitUsage || !strings.Contains(r.stderr, "--reason goes with --override-window or --allow-deletes") {
		t.Errorf("--reason alone: exit %d, stderr %s", r.code, r.stderr)
	}
	r = x.reconcile("--now", inside, "--override-window", "--reason", "INC-9: partner cut-over cannot wait").want(t, ExitOK)
	g = gate(r.report, report.GateWindow)
	if g == nil || g.Result != report.GateOverridden || g.Reason != "INC-9: partner cut-over cannot wait" || !r.report.Converged {
		t.Errorf("gate window overridden: %+v, converged %v", g, r.report.Converged)
	}
	if x.writes.Load() == 0 || results(r.report)[report.ResultHeld] != 0 {
		t.Errorf("the override wrote %d times; results %v", x.writes.Load(), results(r.report))
	}

	// After the freeze a change is written without an override.
	x.commit("a mapping", map[string]func(string) string{
		"tenants/contoso-eu.yaml": func(old string) string {
			return strings.Replace(old, "deletionThreshold: 500", "deletionThreshold: 450", 1)
		},
	})
	before := x.writes.Load()
	x.reconcile("--now", inside).want(t, ExitOK)
	if x.writes.Load() != before {
		t.Error("the change was written inside the freeze")
	}
	r = x.reconcile("--now", after).want(t, ExitOK)
	if x.writes.Load() == before || !r.report.Converged || gate(r.report, report.GateWindow).Result != report.GatePass {
		t.Errorf("after the freeze: %d writes, converged %v, gates %+v", x.writes.Load()-before, r.report.Converged, r.report.Gates)
	}
}

// TestReconcileSuspend: a suspended configuration is planned and reported
// and nothing is written for it, while the rest of the repository is;
// once its until has passed, reconcile writes it and warns, naming the
// suspension's line.
func TestReconcileSuspend(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.reconcile().want(t, ExitOK)
	x.commit("suspend eu-to-us for the merger, and change both configurations", map[string]func(string) string{
		"tenants/contoso-eu.yaml": func(old string) string {
			s := strings.Replace(old, "deletionThreshold: 500", "deletionThreshold: 450", 1)
			return strings.Replace(s, "    target: contoso-us", "    target: contoso-us\n    suspend: { until: 2026-12-24T00:00:00Z, reason: \"merger cut-over\" }", 1)
		},
		"tenants/fabrikam-uk.yaml": func(old string) string {
			return strings.Replace(old, "    target: contoso-us", "    target: contoso-us\n    deletionThreshold: 250", 1)
		},
	})
	before := x.writes.Load()
	r := x.reconcile("--now", "2026-12-10T00:00:00Z").want(t, ExitOK)
	got := map[string]string{}
	for _, c := range r.report.Changes {
		got[c.Object] = c.Result + " " + c.Hold
	}
	want := map[string]string{
		"sync/contoso-eu/eu-to-us/secrets":  "held sync contoso-eu/eu-to-us is suspended (merger cut-over) until 2026-12-24T00:00:00Z",
		"sync/fabrikam-uk/uk-to-us/secrets": "updated ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s\n%s", diff, r.stdout)
	}
	if n := x.writes.Load() - before; n != 1 {
		t.Errorf("%d writes, want 1 (fabrikam-uk's secrets)", n)
	}
	g := gate(r.report, report.GateSuspend)
	if g == nil || g.Result != report.GateHold || len(g.Findings) != 1 || g.Findings[0].File != "tenants/contoso-eu.yaml" {
		t.Errorf("gate suspend: %+v", g)
	}
	if !strings.Contains(r.stdout, "applied: 1 updated; 1 change held until 2026-12-24T00:00:00Z; everything else matches the repository") {
		t.Errorf("outcome:\n%s", r.stdout)
	}

	// Ended: written, with a warning naming the line of the suspend.
	before = x.writes.Load()
	r = x.reconcile("--now", "2026-12-24T00:00:00Z").want(t, ExitOK)
	if x.writes.Load() == before || !r.report.Converged {
		t.Errorf("after the suspension: %d writes, converged %v", x.writes.Load()-before, r.report.Converged)
	}
	g = gate(r.report, report.GateSuspend)
	if g == nil || g.Result != report.GatePass || len(g.Findings) != 1 ||
		g.Findings[0].Msg != "the suspension of sync contoso-eu/eu-to-us (merger cut-over) ended at 2026-12-24T00:00:00Z: its changes are written again; remove the suspend" ||
		g.Findings[0].File != "tenants/contoso-eu.yaml" || g.Findings[0].Line == 0 {
		t.Errorf("gate suspend after the end: %+v", g)
	}
	if !strings.Contains(r.stderr, "a suspension has ended: remove it") {
		t.Errorf("no warning in the log:\n%s", r.stderr)
	}
}

// TestReconcileIgnoresDrift: drift made through Graph as an admin would
// (a partner's automatic redemption, two mappings, an assignment), with
// drift rules for the redemption and one mapping: the dry run lists the
// ignored drift apart from the rest, the run repairs the rest and leaves
// the ignored drift as it is in Graph, and converges.
func TestReconcileIgnoresDrift(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.commit("drift rules", map[string]func(string) string{
		"xtsync.yaml": func(old string) string {
			return old + `
ignore:
  - object: sync/contoso-eu/eu-to-us/schema
    fields: [mappings.companyName]
    reason: "INC-4711: companyName edited during the incident"
  - object: partner/contoso-us/*
    fields: [inboundAutoRedeem]
    reason: "Contoso US's security team sets automatic redemption (SEC-88)"
`
		},
	})
	x.reconcile().want(t, ExitOK)
	eu := x.configID(euID, "eu-to-us")

	if code, out := x.graph(usID, "PATCH", "policies/crossTenantAccessPolicy/partners/"+euID,
		map[string]any{"automaticUserConsentSettings": map[string]any{"inboundAllowed": false}}); code != 204 {
		t.Fatalf("patch partner: %d %v", code, out)
	}
	x.editMappings(euID, eu, func(target string, src map[string]any) bool {
		switch target {
		case "companyName":
			src["name"], src["expression"] = "Contoso EU (incident)", `"Contoso EU (incident)"`
		case "jobTitle":
			src["type"], src["name"], src["expression"] = "Attribute", "jobTitle", "[jobTitle]"
		default:
			return false
		}
		return true
	})
	x.deleteAnAssignment(euID, eu)
	schemaPath := x.schemaPath(euID, eu)
	mappings := func() map[string]string {
		_, schema := x.graph(euID, "GET", schemaPath, nil)
		out := map[string]string{}
		for _, r := range schema["synchronizationRules"].([]any) {
			for _, om := range r.(map[string]any)["objectMappings"].([]any) {
				for _, am := range om.(map[string]any)["attributeMappings"].([]any) {
					m := am.(map[string]any)
					if src, ok := m["source"].(map[string]any); ok {
						out[m["targetAttributeName"].(string)] = src["expression"].(string)
					}
				}
			}
		}
		return out
	}

	// The dry run: unignored drift as changes, ignored drift apart.
	dry := x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitChanges)
	var changes, ignored []string
	for _, c := range dry.report.Changes {
		var fs []string
		for _, f := range c.Fields {
			fs = append(fs, f.Name)
		}
		changes = append(changes, c.Object+" "+strings.Join(fs, ","))
	}
	for _, d := range dry.report.Ignored {
		var fs []string
		for _, f := range d.Fields {
			fs = append(fs, f.Name)
		}
		ignored = append(ignored, d.Object+" "+strings.Join(fs, ",")+" ("+d.Reason+")")
	}
	if diff := cmp.Diff([]string{"sync/contoso-eu/eu-to-us/schema mappings.jobTitle", "sync/contoso-eu/eu-to-us/assignment/GlobalEmployees principal,principalType"}, changes); diff != "" {
		t.Errorf("unignored drift (-want +got):\n%s", diff)
	}
	wantIgnored := []string{
		"sync/contoso-eu/eu-to-us/schema mappings.companyName (INC-4711: companyName edited during the incident)",
		"partner/contoso-us/contoso-eu inboundAutoRedeem (Contoso US's security team sets automatic redemption (SEC-88))",
	}
	if diff := cmp.Diff(wantIgnored, ignored); diff != "" {
		t.Errorf("ignored drift (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		"Ignored drift (2): reported, never repaired (xtsync.yaml ignore; live → repository):\n# sync/contoso-eu/eu-to-us/schema\n    mappings.companyName: \"\\\"Contoso EU (incident)\\\" (Always)\" → \"\\\"Contoso Europe\\\" (Always)\"\n    ignored: INC-4711: companyName edited during the incident (xtsync.yaml:",
		"# partner/contoso-us/contoso-eu\n    inboundAutoRedeem: false → true\n",
	} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("the dry run does not show %q:\n%s", want, dry.stdout)
		}
	}

	// The run repairs jobTitle and the assignment, and nothing else.
	r := x.reconcile().want(t, ExitOK)
	if !r.report.Converged || len(r.report.Ignored) != 2 {
		t.Errorf("converged %v, %d ignored:\n%s", r.report.Converged, len(r.report.Ignored), r.stdout)
	}
	got := mappings()
	if got["companyName"] != `"Contoso EU (incident)"` || got["jobTitle"] != "ToUpper([jobTitle])" {
		t.Errorf("after the run, Graph has companyName %s and jobTitle %s; want the incident's companyName kept and jobTitle repaired", got["companyName"], got["jobTitle"])
	}
	_, p := x.graph(usID, "GET", "policies/crossTenantAccessPolicy/partners/"+euID, nil)
	if in := p["automaticUserConsentSettings"].(map[string]any)["inboundAllowed"]; in != false {
		t.Errorf("the ignored inboundAllowed was written: %v", in)
	}
	_, as := x.graph(euID, "GET", "servicePrincipals/"+eu+"/appRoleAssignedTo", nil)
	if n := len(as["value"].([]any)); n != 1 {
		t.Errorf("%d assignments after the run, want the repaired one", n)
	}
	// Nothing left to do, and nothing written: the ignored drift stays reported.
	before := x.writes.Load()
	r = x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitOK)
	if len(r.report.Changes) != 0 || len(r.report.Ignored) != 2 {
		t.Errorf("the next dry run: %d changes, %d ignored", len(r.report.Changes), len(r.report.Ignored))
	}
	x.reconcile().want(t, ExitOK)
	if n := x.writes.Load() - before; n != 0 {
		t.Errorf("a run with only ignored drift wrote %d times", n)
	}
}
