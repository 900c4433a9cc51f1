package gitfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/gitfs/signtest"
)

// signedCommit commits an empty change with sign setting the signing key
// (nil: unsigned) at when; it returns the commit.
func signedCommit(t *testing.T, f *fixture, msg string, when time.Time, sign func(*git.CommitOptions)) *object.Commit {
	t.Helper()
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: when}
	opts := &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true}
	if sign != nil {
		sign(opts)
	}
	h, err := f.wt.Commit(msg, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.repo.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func withPGP(k *signtest.OpenPGP) func(*git.CommitOptions) {
	return func(o *git.CommitOptions) { o.SignKey = k.Entity }
}

func withSSH(k *signtest.SSH, namespace string) func(*git.CommitOptions) {
	return func(o *git.CommitOptions) { o.Signer = signtest.CommitSigner{Key: k, Namespace: namespace} }
}

// TestVerifyCommit checks commits the test signs — with OpenPGP keys and
// SSH keys it makes, and unsigned — against OpenPGP keyrings and SSH
// allowed-signers files, and what the result says about each: the signer
// as the keyring names them, the key, why a commit is refused.
func TestVerifyCommit(t *testing.T) {
	alice := signtest.NewOpenPGP(t, "Alice", "alice@example.com")
	mallory := signtest.NewOpenPGP(t, "Mallory", "mallory@example.com")
	bob, eve := signtest.NewSSH(t), signtest.NewSSH(t)
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	pgpRing, err := ParseKeyring("keys/release.asc", signtest.Keyring(t, alice))
	if err != nil {
		t.Fatal(err)
	}
	sshRing, err := ParseKeyring("signers", []byte("# the release team\n"+bob.AllowedSigner("bob@example.com", "")))
	if err != nil {
		t.Fatal(err)
	}
	fileOnly, _ := ParseKeyring("signers", []byte(bob.AllowedSigner("bob@example.com", `namespaces="file"`)))
	expired, _ := ParseKeyring("signers", []byte(bob.AllowedSigner("bob@example.com", `valid-before="20261101Z"`)))
	notYet, _ := ParseKeyring("signers", []byte(bob.AllowedSigner("bob@example.com", `valid-after="20270101Z"`)))
	stillValid, _ := ParseKeyring("signers", []byte(bob.AllowedSigner("bob@example.com,release@example.com", `namespaces="file,git",valid-after="20260101Z",valid-before="20270101Z"`)))

	f := newFixture(t)
	type want struct {
		Format, Key, Signer, Who string
		Verified                 bool
		Problem                  string
	}
	cases := []struct {
		name string
		sign func(*git.CommitOptions)
		kr   *Keyring
		want want
	}{
		{"OpenPGP, a key of the keyring", withPGP(alice), pgpRing,
			want{Format: FormatOpenPGP, Key: alice.Fingerprint(), Signer: "Alice <alice@example.com>", Verified: true,
				Who: "Alice <alice@example.com> (OpenPGP key " + alice.Fingerprint() + ")"}},
		{"unsigned", nil, pgpRing, want{Who: "unsigned", Problem: "the commit is unsigned"}},
		{"OpenPGP, a key not in the keyring", withPGP(mallory), pgpRing,
			want{Format: FormatOpenPGP, Key: mallory.Fingerprint(), Who: "OpenPGP key " + mallory.Fingerprint(), Problem: "the signing key is not in the keyring"}},
		{"OpenPGP against an SSH keyring", withPGP(alice), sshRing,
			want{Format: FormatOpenPGP, Key: alice.Fingerprint(), Who: "OpenPGP key " + alice.Fingerprint(), Problem: "the commit has an OpenPGP signature and the keyring holds SSH keys only"}},
		{"SSH, a key of the keyring", withSSH(bob, ""), sshRing,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Signer: "bob@example.com", Verified: true, Who: "bob@example.com (SSH key " + bob.Fingerprint() + ")"}},
		{"SSH, a key not in the keyring", withSSH(eve, ""), sshRing,
			want{Format: FormatSSH, Key: eve.Fingerprint(), Who: "SSH key " + eve.Fingerprint(), Problem: "the signing key is not in the keyring"}},
		{"SSH against an OpenPGP keyring", withSSH(bob, ""), pgpRing,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Who: "SSH key " + bob.Fingerprint(), Problem: "the commit has an SSH signature and the keyring holds OpenPGP keys only"}},
		{"SSH, signed for another namespace", withSSH(bob, "file"), sshRing,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Who: "SSH key " + bob.Fingerprint(), Problem: `the SSH signature is for namespace "file", not "git": it was not made to sign a commit`}},
		{"SSH, the key may sign files only", withSSH(bob, ""), fileOnly,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Who: "SSH key " + bob.Fingerprint(), Problem: "bob@example.com may sign only in namespaces file"}},
		{"SSH, the key expired before the commit", withSSH(bob, ""), expired,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Who: "SSH key " + bob.Fingerprint(), Problem: "bob@example.com's key is valid only before 2026-11-01T00:00:00Z and the commit is of 2026-12-01T10:00:00Z"}},
		{"SSH, the key is valid only later", withSSH(bob, ""), notYet,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Who: "SSH key " + bob.Fingerprint(), Problem: "bob@example.com's key is valid only after 2027-01-01T00:00:00Z and the commit is of 2026-12-01T10:00:00Z"}},
		{"SSH, namespaces and validity that allow it", withSSH(bob, ""), stillValid,
			want{Format: FormatSSH, Key: bob.Fingerprint(), Signer: "bob@example.com,release@example.com", Verified: true, Who: "bob@example.com,release@example.com (SSH key " + bob.Fingerprint() + ")"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			commit := signedCommit(t, f, c.name, when, c.sign)
			s, err := (&Repo{git: f.repo}).VerifyCommit(Rev{Hash: commit.Hash.String()}, c.kr)
			if err != nil {
				t.Fatal(err)
			}
			got := want{Format: s.Format, Key: s.Key, Signer: s.Signer, Who: s.Who(), Verified: s.Verified, Problem: s.Problem}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if s.Commit != commit.Hash.String() || s.Subject != c.name || s.Committer != "Test <test@example.com>" {
				t.Errorf("commit %s %q %q, want %s %q", s.Commit, s.Subject, s.Committer, commit.Hash, c.name)
			}
		})
	}
}

// TestVerifyCommitTampered: a signature moved onto another commit (its
// message changed after signing) does not verify, for either format.
func TestVerifyCommitTampered(t *testing.T) {
	alice := signtest.NewOpenPGP(t, "Alice", "alice@example.com")
	bob := signtest.NewSSH(t)
	pgpRing, _ := ParseKeyring("k", signtest.Keyring(t, alice))
	sshRing, _ := ParseKeyring("s", []byte(bob.AllowedSigner("bob@example.com", "")))
	f := newFixture(t)
	for _, c := range []struct {
		sign func(*git.CommitOptions)
		kr   *Keyring
	}{{withPGP(alice), pgpRing}, {withSSH(bob, ""), sshRing}} {
		commit := signedCommit(t, f, "reviewed change", time.Now(), c.sign)
		forged := *commit
		forged.Message = "a change nobody reviewed"
		s := verifyCommit(&forged, c.kr)
		if s.Verified || !strings.HasPrefix(s.Problem, "the signature does not verify") {
			t.Errorf("%s: a forged commit: verified %v, problem %q", s.Format, s.Verified, s.Problem)
		}
		if s := verifyCommit(commit, c.kr); !s.Verified {
			t.Errorf("%s: the signed commit does not verify: %s", s.Format, s.Problem)
		}
	}
	// Two signatures: which one counts cannot be said.
	commit := signedCommit(t, f, "twice", time.Now(), withPGP(alice))
	twice := *commit
	twice.PGPSignature += "\n" + commit.PGPSignature
	if s := verifyCommit(&twice, pgpRing); s.Verified || !strings.Contains(s.Problem, "2 signatures") {
		t.Errorf("two signatures: verified %v, problem %q", s.Verified, s.Problem)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	bob := signtest.NewSSH(t)
	cases := map[string]string{
		"":                          "read the keyring k: no key in it",
		"# only a comment\n":        "read the keyring k: no key in it",
		"bob@example.com\n":         "read the keyring k: line 1: no key after the principals",
		"bob@example.com not-a-key": "read the keyring k: line 1: not a public key",
		bob.AllowedSigner("*@example.com", "cert-authority"):                                       "line 1: cert-authority is not supported",
		bob.AllowedSigner("bob@example.com", `valid-after="soon"`):                                 `line 1: valid-after: "soon": want YYYYMMDD[HHMM[SS]][Z]`,
		bob.AllowedSigner("bob@example.com", `no-touch-required`):                                  `line 1: unknown option "no-touch-required"`,
		"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64\n-----END PGP PUBLIC KEY BLOCK-----\n": "read the OpenPGP keyring k: ",
	}
	for data, want := range cases {
		_, err := ParseKeyring("k", []byte(data))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeyring(%q) = %v, want an error containing %q", data, err, want)
		}
	}
}

// TestVerifyCommitsOfGit verifies commits that git itself signs, with
// ssh-keygen (gpg.format=ssh) and with gpg, as a developer's machine and
// GitHub make them: what xtsync accepts is what git verifies.
func TestVerifyCommitsOfGit(t *testing.T) {
	for _, tool := range []string{"git", "ssh-keygen", "gpg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	dir := t.TempDir()
	run := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append([]string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GNUPGHOME=" + filepath.Join(dir, "gnupg"), "HOME=" + dir}, env...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if err := os.Mkdir(filepath.Join(dir, "gnupg"), 0o700); err != nil {
		t.Fatal(err)
	}
	run(nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@example.com", "-f", filepath.Join(dir, "id_ed25519"))
	run(nil, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Alice <alice@example.com>", "ed25519", "sign", "never")
	run(nil, "git", "init", "-q", "-b", "main", "repo")
	git := func(args ...string) string {
		return run(nil, "git", append([]string{"-C", "repo", "-c", "user.name=Test", "-c", "user.email=test@example.com"}, args...)...)
	}
	git("-c", "gpg.format=ssh", "-c", "user.signingkey="+filepath.Join(dir, "id_ed25519"), "commit", "-q", "--allow-empty", "-S", "-m", "ssh-signed")
	sshHash := strings.TrimSpace(git("rev-parse", "HEAD"))
	git("-c", "gpg.format=openpgp", "-c", "user.signingkey=alice@example.com", "commit", "-q", "--allow-empty", "-S", "-m", "gpg-signed")
	pgpHash := strings.TrimSpace(git("rev-parse", "HEAD"))

	pub, err := os.ReadFile(filepath.Join(dir, "id_ed25519.pub"))
	if err != nil {
		t.Fatal(err)
	}
	sshRing, err := ParseKeyring("allowed_signers", []byte("bob@example.com "+string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	pgpRing, err := ParseKeyring("alice.asc", []byte(run(nil, "gpg", "--armor", "--export", "alice@example.com")))
	if err != nil {
		t.Fatal(err)
	}
	// git agrees that the SSH signature verifies with this file.
	if err := os.WriteFile(filepath.Join(dir, "allowed_signers"), []byte("bob@example.com "+string(pub)), 0o644); err != nil {
		t.Fatal(err)
	}
	git("-c", "gpg.ssh.allowedSignersFile="+filepath.Join(dir, "allowed_signers"), "verify-commit", sshHash)

	r, err := Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hash string
		kr   *Keyring
		who  string
	}{{sshHash, sshRing, "bob@example.com"}, {pgpHash, pgpRing, "Alice <alice@example.com>"}} {
		s, err := r.VerifyCommit(Rev{Hash: c.hash}, c.kr)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Verified || s.Signer != c.who {
			t.Errorf("%s commit %s: verified %v, signer %q, problem %q; want verified by %s", s.Format, Short(c.hash), s.Verified, s.Signer, s.Problem, c.who)
		}
	}
	// Each against the other's keyring is refused.
	if s, _ := r.VerifyCommit(Rev{Hash: sshHash}, pgpRing); s.Verified {
		t.Error("an SSH-signed commit verified against an OpenPGP keyring")
	}
}
