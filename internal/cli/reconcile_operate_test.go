package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

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
