// Package signtest makes signing keys for tests: OpenPGP entities and SSH
// keys the test generates, their public halves as a keyring and an
// allowed-signers line, and signers go-git commits with. Keys are made
// fresh for each test; none is ever stored.
package signtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// OpenPGP is an OpenPGP key pair (EdDSA, quick to make).
type OpenPGP struct {
	Entity *openpgp.Entity
}

// NewOpenPGP makes an OpenPGP key with the identity "name <email>".
func NewOpenPGP(t testing.TB, name, email string) *OpenPGP {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", email, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return &OpenPGP{Entity: e}
}

// Fingerprint is the key's fingerprint, upper-case hex.
func (k *OpenPGP) Fingerprint() string {
	return strings.ToUpper(fmt.Sprintf("%x", k.Entity.PrimaryKey.Fingerprint))
}

// Keyring returns the armored public keys of keys, as one keyring.
func Keyring(t testing.TB, keys ...*OpenPGP) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := k.Entity.Serialize(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b.WriteString("\n")
	return b.Bytes()
}

// SSH is an SSH key pair (Ed25519).
type SSH struct {
	Signer ssh.Signer
}

// NewSSH makes an SSH key.
func NewSSH(t testing.TB) *SSH {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &SSH{Signer: s}
}

// Fingerprint is the key's SHA256 fingerprint, as ssh-keygen -l prints it.
func (k *SSH) Fingerprint() string { return ssh.FingerprintSHA256(k.Signer.PublicKey()) }

// AllowedSigner is the allowed-signers line of the key for principals,
// with options ("" for none), as git's gpg.ssh.allowedSignersFile holds it.
func (k *SSH) AllowedSigner(principals, options string) string {
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.Signer.PublicKey())))
	if options != "" {
		return principals + " " + options + " " + key + "\n"
	}
	return principals + " " + key + "\n"
}

// CommitSigner signs a commit the way git does with gpg.format=ssh: an
// armored SSHSIG of the commit in namespace (git's is "git"). It satisfies
// go-git's Signer.
type CommitSigner struct {
	Key       *SSH
	Namespace string
}

// Sign signs the message.
func (s CommitSigner) Sign(message io.Reader) ([]byte, error) {
	ns := s.Namespace
	if ns == "" {
		ns = "git"
	}
	sig, err := sshsig.Sign(message, s.Key.Signer, sshsig.HashSHA512, ns)
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}
