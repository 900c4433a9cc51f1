package graph

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSignedPEM writes a certificate with its private key, as a CI secret
// store would hand it over.
func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048) // Entra takes RSA keys only
	mustDo(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "xtsync-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	mustDo(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	mustDo(t, err)
	path := filepath.Join(t.TempDir(), "app.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...)
	mustDo(t, os.WriteFile(path, data, 0o600))
	return path
}

// TestNewCredential builds every kind offline (no token is requested) and
// checks the inputs each one needs.
func TestNewCredential(t *testing.T) {
	for _, env := range []string{"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"} {
		t.Setenv(env, "")
	}
	cert := selfSignedPEM(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	mustDo(t, os.WriteFile(tokenFile, []byte("oidc-token"), 0o600))
	base := CredentialOptions{TenantID: testTenant, ClientID: "11111111-2222-3333-4444-555555555555"}
	with := func(f func(*CredentialOptions)) CredentialOptions { o := base; f(&o); return o }
	tests := []struct {
		name    string
		kind    string
		opts    CredentialOptions
		wantErr string
	}{
		{"secret", AuthSecret, with(func(o *CredentialOptions) { o.ClientSecret = "s" }), ""},
		{"secret missing", AuthSecret, base, "needs a client id and a client secret"},
		{"certificate", AuthCertificate, with(func(o *CredentialOptions) { o.CertificatePath = cert }), ""},
		{"certificate unreadable", AuthCertificate, with(func(o *CredentialOptions) { o.CertificatePath = cert + ".missing" }), "read certificate"},
		{"certificate not a certificate", AuthCertificate, with(func(o *CredentialOptions) { o.CertificatePath = tokenFile }), "not a PEM/PKCS#12"},
		{"workload identity", AuthWorkloadIdentity, with(func(o *CredentialOptions) { o.FederatedTokenFile = tokenFile }), ""},
		{"managed identity", AuthManagedIdentity, base, ""},
		{"azure cli", AuthAzureCLI, base, ""},
		{"emulator", AuthEmulator, with(func(o *CredentialOptions) { o.GraphURL = "http://127.0.0.1:9" }), ""},
		{"unknown", "password", base, "unknown --auth"},
		{"auto picks the certificate", AuthAuto, with(func(o *CredentialOptions) { o.CertificatePath = cert }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCredential(tt.kind, tt.opts)
			switch {
			case tt.wantErr == "" && (err != nil || c == nil):
				t.Fatalf("NewCredential: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	for _, tt := range []struct {
		opts CredentialOptions
		want string
	}{
		{with(func(o *CredentialOptions) { o.GraphURL = "http://localhost:8080" }), AuthEmulator},
		{with(func(o *CredentialOptions) { o.FederatedTokenFile = tokenFile; o.ClientSecret = "s" }), AuthWorkloadIdentity},
		{with(func(o *CredentialOptions) { o.CertificatePath = cert; o.ClientSecret = "s" }), AuthCertificate},
		{with(func(o *CredentialOptions) { o.ClientSecret = "s" }), AuthSecret},
		{base, AuthAzureCLI},
	} {
		if got := ResolveAuth(AuthAuto, tt.opts); got != tt.want {
			t.Errorf("ResolveAuth(auto, %+v) = %q, want %q", tt.opts, got, tt.want)
		}
	}
	t.Setenv("IDENTITY_ENDPOINT", "http://169.254.169.254/")
	if got := ResolveAuth(AuthAuto, base); got != AuthManagedIdentity {
		t.Errorf("with IDENTITY_ENDPOINT: %q, want managed-identity", got)
	}
}
