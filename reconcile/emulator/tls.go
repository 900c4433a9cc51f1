package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CertFile and KeyFile are the names of the TLS certificate and key in the
// state directory.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
)

// loadOrCreateCert returns the certificate in dir (made and written there
// when missing), or a fresh one when dir is empty.
func loadOrCreateCert(dir string) ([]byte, tls.Certificate, error) {
	if dir != "" {
		certPEM, err1 := os.ReadFile(filepath.Join(dir, CertFile))
		keyPEM, err2 := os.ReadFile(filepath.Join(dir, KeyFile))
		if err1 == nil && err2 == nil {
			cert, err := tls.X509KeyPair(certPEM, keyPEM)
			if err == nil && cert.Leaf != nil && time.Now().Before(cert.Leaf.NotAfter) {
				return certPEM, cert, nil
			}
		} else if !errors.Is(err1, os.ErrNotExist) && err1 != nil {
			return nil, tls.Certificate{}, fmt.Errorf("read %s: %w", CertFile, err1)
		}
	}
	certPEM, keyPEM, err := selfSigned()
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("load generated certificate: %w", err)
	}
	if dir != "" {
		if err := writeFileAtomic(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
			return nil, tls.Certificate{}, err
		}
		if err := writeFileAtomic(filepath.Join(dir, CertFile), certPEM, 0o644); err != nil {
			return nil, tls.Certificate{}, err
		}
	}
	return certPEM, cert, nil
}

// selfSigned makes a CA-flagged self-signed certificate for 127.0.0.1, ::1
// and localhost, valid for a year (Node's NODE_EXTRA_CA_CERTS wants a CA).
func selfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, fmt.Errorf("generate TLS serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "xtsync Graph emulator", Organization: []string{"xtsync"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create TLS certificate: %w", err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode TLS key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}
