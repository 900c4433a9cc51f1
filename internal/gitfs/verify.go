package gitfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Commit signatures, checked as git checks them: OpenPGP signatures against
// an armored keyring (gpg.format=openpgp), SSH signatures against an
// allowed-signers file (gpg.format=ssh, gpg.ssh.allowedSignersFile: the
// SSHSIG format, namespace "git", verified with hiddeco/sshsig).

// The signature formats of a commit.
const (
	FormatOpenPGP = "openpgp"
	FormatSSH     = "ssh"
	FormatX509    = "x509"
)

// sshNamespace is the SSHSIG namespace git signs commits in.
const sshNamespace = "git"

// Keyring is the set of keys a commit may be signed with: an armored
// OpenPGP keyring, or an SSH allowed-signers file.
type Keyring struct {
	// Name says where the keyring comes from, for messages.
	Name   string
	Format string // FormatOpenPGP or FormatSSH
	pgp    openpgp.EntityList
	ssh    []allowedSigner
}

// allowedSigner is one line of an allowed-signers file (ssh-keygen(1),
// ALLOWED SIGNERS).
type allowedSigner struct {
	principals  string
	key         ssh.PublicKey
	namespaces  []string // empty: any
	validAfter  time.Time
	validBefore time.Time
}

// ParseKeyring reads a keyring: armored OpenPGP public keys (one or more
// blocks), or an SSH allowed-signers file. name says where it comes from.
func ParseKeyring(name string, data []byte) (*Keyring, error) {
	kr := &Keyring{Name: name}
	if bytes.Contains(data, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		kr.Format = FormatOpenPGP
		rest := data
		for {
			i := bytes.Index(rest, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
			if i < 0 {
				break
			}
			rest = rest[i:]
			el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(rest))
			if err != nil {
				return nil, fmt.Errorf("read the OpenPGP keyring %s: %w", name, err)
			}
			kr.pgp = append(kr.pgp, el...)
			rest = rest[len("-----BEGIN PGP PUBLIC KEY BLOCK-----"):]
		}
		if len(kr.pgp) == 0 {
			return nil, fmt.Errorf("read the OpenPGP keyring %s: no public key in it", name)
		}
		return kr, nil
	}
	kr.Format = FormatSSH
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseAllowedSigner(line)
		if err != nil {
			return nil, fmt.Errorf("read the keyring %s: line %d: %w (want an armored OpenPGP keyring, or an SSH allowed-signers file: principals [options] key-type key)", name, n, err)
		}
		kr.ssh = append(kr.ssh, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the keyring %s: %w", name, err)
	}
	if len(kr.ssh) == 0 {
		return nil, fmt.Errorf("read the keyring %s: no key in it (want an armored OpenPGP keyring, or an SSH allowed-signers file)", name)
	}
	return kr, nil
}

// parseAllowedSigner reads "principals [options] keytype base64 [comment]".
func parseAllowedSigner(line string) (allowedSigner, error) {
	var s allowedSigner
	var rest string
	if strings.HasPrefix(line, `"`) {
		end := strings.Index(line[1:], `"`)
		if end < 0 {
			return s, errors.New("unterminated quoted principals")
		}
		s.principals, rest = line[1:1+end], line[2+end:]
	} else {
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			return s, errors.New("no key after the principals")
		}
		s.principals, rest = line[:i], line[i:]
	}
	key, _, opts, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(rest)))
	if err != nil {
		return s, fmt.Errorf("not a public key: %w", err)
	}
	s.key = key
	for _, o := range opts {
		name, val, _ := strings.Cut(o, "=")
		val = strings.Trim(val, `"`)
		switch strings.ToLower(name) {
		case "namespaces":
			s.namespaces = strings.Split(val, ",")
		case "valid-after":
			if s.validAfter, err = parseSSHTime(val); err != nil {
				return s, fmt.Errorf("valid-after: %w", err)
			}
		case "valid-before":
			if s.validBefore, err = parseSSHTime(val); err != nil {
				return s, fmt.Errorf("valid-before: %w", err)
			}
		case "cert-authority":
			return s, errors.New("cert-authority is not supported: list the signers' own keys")
		default:
			return s, fmt.Errorf("unknown option %q", name)
		}
	}
	return s, nil
}

// parseSSHTime reads YYYYMMDD[HHMM[SS]][Z]: UTC with Z, else the host's
// zone, as ssh-keygen reads it.
func parseSSHTime(v string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(v, "Z") {
		v, loc = strings.TrimSuffix(v, "Z"), time.UTC
	}
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(v) == len(layout) {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q: want YYYYMMDD[HHMM[SS]][Z]", v)
}

// Signature is what the signature of a commit says, checked against a
// keyring.
type Signature struct {
	// Commit is the commit's full hash; Subject its message's first line
	// and Committer "Name <email>".
	Commit, Subject, Committer string
	// Format is FormatOpenPGP, FormatSSH, FormatX509, or "" for an
	// unsigned commit.
	Format string
	// Key identifies the signing key: an OpenPGP fingerprint or key id, an
	// SSH key's SHA256 fingerprint.
	Key string
	// Signer names who signed, as the keyring names them (an OpenPGP
	// identity, an allowed-signers line's principals); "" when the key is
	// not in the keyring.
	Signer string
	// Verified: the signature is good and made by a key of the keyring.
	Verified bool
	// Problem says why it is not, when it is not.
	Problem string
}

// Who names the signer in a message: the keyring's name for them and the
// key, the key alone, or "unsigned".
func (s Signature) Who() string {
	switch {
	case s.Format == "":
		return "unsigned"
	case s.Signer != "" && s.Key != "":
		return fmt.Sprintf("%s (%s key %s)", s.Signer, formatName(s.Format), s.Key)
	case s.Key != "":
		return fmt.Sprintf("%s key %s", formatName(s.Format), s.Key)
	}
	return formatName(s.Format) + " signature"
}

func formatName(f string) string {
	switch f {
	case FormatOpenPGP:
		return "OpenPGP"
	case FormatSSH:
		return "SSH"
	case FormatX509:
		return "X.509"
	}
	return f
}

// VerifyCommit checks the signature of v's commit against the keyring. An
// unsigned commit, a key not in the keyring or a bad signature is a
// Signature with Verified false and its Problem; the error is for a commit
// that cannot be read.
func (r *Repo) VerifyCommit(v Rev, kr *Keyring) (Signature, error) {
	if v.Worktree || v.Hash == "" {
		return Signature{}, errors.New("the working tree is not a commit: nothing is signed")
	}
	c, err := r.git.CommitObject(plumbing.NewHash(v.Hash))
	if err != nil {
		return Signature{}, fmt.Errorf("read commit %s: %w", short(v.Hash), err)
	}
	return verifyCommit(c, kr), nil
}

func verifyCommit(c *object.Commit, kr *Keyring) Signature {
	s := Signature{Commit: c.Hash.String(), Committer: c.Committer.Name + " <" + c.Committer.Email + ">"}
	s.Subject, _, _ = strings.Cut(strings.TrimSpace(c.Message), "\n")
	sig := strings.TrimSpace(c.PGPSignature)
	switch {
	case sig == "":
		s.Problem = "the commit is unsigned"
		return s
	case strings.HasPrefix(sig, "-----BEGIN PGP SIGNATURE-----") || strings.HasPrefix(sig, "-----BEGIN PGP MESSAGE-----"):
		s.Format = FormatOpenPGP
	case strings.HasPrefix(sig, "-----BEGIN SSH SIGNATURE-----"):
		s.Format = FormatSSH
	case strings.HasPrefix(sig, "-----BEGIN SIGNED MESSAGE-----") || strings.HasPrefix(sig, "-----BEGIN CERTIFICATE-----"):
		s.Format = FormatX509
		s.Problem = "X.509 (S/MIME) signatures are not verified: sign with OpenPGP or SSH"
		return s
	default:
		s.Format = "unknown"
		s.Problem = "the signature is in a format git does not know"
		return s
	}
	if n := strings.Count(sig, "-----BEGIN "); n > 1 {
		s.Problem = fmt.Sprintf("the commit carries %d signatures: which one counts cannot be said (git refuses them too)", n)
		return s
	}
	payload := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(payload); err != nil {
		s.Problem = "cannot encode the commit: " + err.Error()
		return s
	}
	body, err := payload.Reader()
	if err != nil {
		s.Problem = "cannot encode the commit: " + err.Error()
		return s
	}
	if s.Format == FormatOpenPGP {
		verifyOpenPGP(&s, sig, body, kr)
	} else {
		verifySSH(&s, sig, body, c.Committer.When, kr)
	}
	return s
}

func verifyOpenPGP(s *Signature, sig string, body io.Reader, kr *Keyring) {
	// The issuer, to name the key even when the keyring does not hold it.
	if blk, err := armor.Decode(strings.NewReader(sig)); err == nil {
		if p, err := packet.Read(blk.Body); err == nil {
			if ps, ok := p.(*packet.Signature); ok {
				switch {
				case len(ps.IssuerFingerprint) > 0:
					s.Key = strings.ToUpper(fmt.Sprintf("%x", ps.IssuerFingerprint))
				case ps.IssuerKeyId != nil:
					s.Key = fmt.Sprintf("%016X", *ps.IssuerKeyId)
				}
			}
		}
	}
	if kr.Format != FormatOpenPGP {
		s.Problem = "the commit has an OpenPGP signature and the keyring holds SSH keys only"
		return
	}
	ent, err := openpgp.CheckArmoredDetachedSignature(kr.pgp, body, strings.NewReader(sig), nil)
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		s.Problem = "the signing key is not in the keyring"
		return
	case err != nil:
		if ent != nil {
			s.Signer = identity(ent)
		}
		s.Problem = "the signature does not verify: " + err.Error()
		return
	}
	s.Signer = identity(ent)
	if s.Key == "" {
		s.Key = strings.ToUpper(fmt.Sprintf("%x", ent.PrimaryKey.Fingerprint))
	}
	s.Verified = true
}

// identity is an entity's primary identity ("Name <email>"), else the
// first by name.
func identity(e *openpgp.Entity) string {
	if id := e.PrimaryIdentity(); id != nil {
		return id.Name
	}
	var names []string
	for n := range e.Identities {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

func verifySSH(s *Signature, armored string, body io.Reader, when time.Time, kr *Keyring) {
	sig, err := sshsig.Unarmor([]byte(armored))
	if err != nil {
		s.Problem = "the SSH signature cannot be read: " + err.Error()
		return
	}
	s.Key = ssh.FingerprintSHA256(sig.PublicKey)
	if kr.Format != FormatSSH {
		s.Problem = "the commit has an SSH signature and the keyring holds OpenPGP keys only"
		return
	}
	if sig.Namespace != sshNamespace {
		s.Problem = fmt.Sprintf("the SSH signature is for namespace %q, not %q: it was not made to sign a commit", sig.Namespace, sshNamespace)
		return
	}
	var why []string
	for _, a := range kr.ssh {
		if ssh.FingerprintSHA256(a.key) != s.Key {
			continue
		}
		switch {
		case len(a.namespaces) > 0 && !containsString(a.namespaces, sshNamespace):
			why = append(why, fmt.Sprintf("%s may sign only in namespaces %s", a.principals, strings.Join(a.namespaces, ",")))
			continue
		case !a.validAfter.IsZero() && when.Before(a.validAfter):
			why = append(why, fmt.Sprintf("%s's key is valid only after %s and the commit is of %s", a.principals, a.validAfter.Format(time.RFC3339), when.Format(time.RFC3339)))
			continue
		case !a.validBefore.IsZero() && !when.Before(a.validBefore):
			why = append(why, fmt.Sprintf("%s's key is valid only before %s and the commit is of %s", a.principals, a.validBefore.Format(time.RFC3339), when.Format(time.RFC3339)))
			continue
		}
		s.Signer = a.principals
		if err := sshsig.Verify(body, sig, a.key, sig.HashAlgorithm, sshNamespace); err != nil {
			s.Problem = "the signature does not verify: " + err.Error()
			return
		}
		s.Verified = true
		return
	}
	if len(why) > 0 {
		s.Problem = strings.Join(why, "; ")
		return
	}
	s.Problem = "the signing key is not in the keyring"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}
