package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// The credential kinds of --auth.
const (
	AuthAuto             = "auto"
	AuthWorkloadIdentity = "workload-identity"
	AuthManagedIdentity  = "managed-identity"
	AuthCertificate      = "certificate"
	AuthSecret           = "secret"
	AuthAzureCLI         = "azure-cli"
	AuthEmulator         = "emulator"
)

// AuthKinds lists the --auth values.
var AuthKinds = []string{AuthAuto, AuthWorkloadIdentity, AuthManagedIdentity, AuthCertificate, AuthSecret, AuthAzureCLI, AuthEmulator}

// Secret is a credential value. It prints and logs as REDACTED; Reveal
// returns the value.
type Secret string

// String implements fmt.Stringer: REDACTED, so %v and %s never leak it.
func (Secret) String() string { return "REDACTED" }

// GoString implements fmt.GoStringer for %#v.
func (Secret) GoString() string { return "REDACTED" }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// CredentialOptions are the inputs of NewCredential. Empty fields fall back
// to the AZURE_* environment variables that azidentity reads.
type CredentialOptions struct {
	// TenantID is the tenant to get tokens for (each repo tenant gets its
	// own credential).
	TenantID string
	// ClientID is the application (client) id of the multi-tenant app, or
	// of a user-assigned managed identity.
	ClientID string
	// ClientSecret is the app's client secret (kind secret).
	ClientSecret Secret
	// CertificatePath is a PEM or PKCS#12 file with the certificate and its
	// private key (kind certificate); CertificatePassword decrypts it.
	CertificatePath     string
	CertificatePassword Secret
	// FederatedTokenFile holds the OIDC token of workload identity
	// federation (kind workload-identity).
	FederatedTokenFile string
	// GraphURL is the --graph-url; the emulator kind requires a loopback one.
	GraphURL string
	// Roles are the application permissions of an emulator token (nil: all).
	Roles []string
}

// LogValue implements slog.LogValuer: no secret, only which inputs are set.
func (o CredentialOptions) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("tenantId", o.TenantID),
		slog.String("clientId", o.ClientID),
		slog.Bool("clientSecret", o.ClientSecret != ""),
		slog.String("certificatePath", o.CertificatePath),
		slog.String("federatedTokenFile", o.FederatedTokenFile),
	)
}

// ResolveAuth picks the credential kind for auto: the emulator for a
// loopback --graph-url; otherwise workload identity when a federated token
// file is configured, a certificate, a client secret, a managed identity
// when the host provides one, and the Azure CLI last.
func ResolveAuth(kind string, o CredentialOptions) string {
	if kind != "" && kind != AuthAuto {
		return kind
	}
	if u, err := url.Parse(o.GraphURL); err == nil && o.GraphURL != "" && IsLoopback(u.Hostname()) {
		return AuthEmulator
	}
	switch {
	case o.FederatedTokenFile != "" || os.Getenv("AZURE_FEDERATED_TOKEN_FILE") != "":
		return AuthWorkloadIdentity
	case o.CertificatePath != "" || os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH") != "":
		return AuthCertificate
	case o.ClientSecret != "" || os.Getenv("AZURE_CLIENT_SECRET") != "":
		return AuthSecret
	case os.Getenv("IDENTITY_ENDPOINT") != "" || os.Getenv("MSI_ENDPOINT") != "":
		return AuthManagedIdentity
	}
	return AuthAzureCLI
}

// NewCredential builds the token credential of one tenant. Errors never
// contain a secret.
func NewCredential(kind string, o CredentialOptions) (azcore.TokenCredential, error) {
	kind = ResolveAuth(kind, o)
	o = withEnv(o)
	switch kind {
	case AuthEmulator:
		u, err := url.Parse(o.GraphURL)
		if err != nil || o.GraphURL == "" || !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("--auth emulator: only allowed with a loopback --graph-url (got %q)", o.GraphURL)
		}
		if o.TenantID == "" {
			return nil, fmt.Errorf("--auth emulator: no tenant id")
		}
		return emulatorCredential{token: emulatorToken(o.TenantID, o.Roles)}, nil
	case AuthWorkloadIdentity:
		c, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			TenantID: o.TenantID, ClientID: o.ClientID, TokenFilePath: o.FederatedTokenFile})
		if err != nil {
			return nil, fmt.Errorf("workload identity credential for tenant %s: %w", o.TenantID, err)
		}
		return c, nil
	case AuthManagedIdentity:
		mo := &azidentity.ManagedIdentityCredentialOptions{}
		if o.ClientID != "" {
			mo.ID = azidentity.ClientID(o.ClientID)
		}
		c, err := azidentity.NewManagedIdentityCredential(mo)
		if err != nil {
			return nil, fmt.Errorf("managed identity credential: %w", err)
		}
		return c, nil
	case AuthCertificate:
		if o.CertificatePath == "" || o.ClientID == "" || o.TenantID == "" {
			return nil, fmt.Errorf("certificate credential for tenant %s: needs a client id and a certificate path", o.TenantID)
		}
		data, err := os.ReadFile(o.CertificatePath)
		if err != nil {
			return nil, fmt.Errorf("certificate credential: read certificate: %w", err)
		}
		var pw []byte
		if o.CertificatePassword != "" {
			pw = []byte(o.CertificatePassword.Reveal())
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			return nil, fmt.Errorf("certificate credential: parse %s: wrong password or not a PEM/PKCS#12 certificate with its key", o.CertificatePath)
		}
		c, err := azidentity.NewClientCertificateCredential(o.TenantID, o.ClientID, certs, key, nil)
		if err != nil {
			return nil, fmt.Errorf("certificate credential for tenant %s: %w", o.TenantID, err)
		}
		return c, nil
	case AuthSecret:
		if o.ClientSecret == "" || o.ClientID == "" || o.TenantID == "" {
			return nil, fmt.Errorf("client secret credential for tenant %s: needs a client id and a client secret", o.TenantID)
		}
		c, err := azidentity.NewClientSecretCredential(o.TenantID, o.ClientID, o.ClientSecret.Reveal(), nil)
		if err != nil {
			return nil, fmt.Errorf("client secret credential for tenant %s: invalid tenant or client id", o.TenantID)
		}
		return c, nil
	case AuthAzureCLI:
		c, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: o.TenantID})
		if err != nil {
			return nil, fmt.Errorf("azure cli credential for tenant %s: %w", o.TenantID, err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("unknown --auth %q (want one of %v)", kind, AuthKinds)
}

// withEnv fills empty options from the AZURE_* variables azidentity reads.
func withEnv(o CredentialOptions) CredentialOptions {
	set := func(dst *string, env string) {
		if *dst == "" {
			*dst = os.Getenv(env)
		}
	}
	set(&o.ClientID, "AZURE_CLIENT_ID")
	set(&o.CertificatePath, "AZURE_CLIENT_CERTIFICATE_PATH")
	set(&o.FederatedTokenFile, "AZURE_FEDERATED_TOKEN_FILE")
	if o.ClientSecret == "" {
		o.ClientSecret = Secret(os.Getenv("AZURE_CLIENT_SECRET"))
	}
	if o.CertificatePassword == "" {
		o.CertificatePassword = Secret(os.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD"))
	}
	return o
}

// emulatorCredential hands out a fixed emulator token.
type emulatorCredential struct{ token string }

func (e emulatorCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: e.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// emulatorToken is an unsigned JWT with the tid and roles claims, which is
// all the emulator reads.
func emulatorToken(tenantID string, roles []string) string {
	claims := map[string]any{"tid": tenantID, "aud": "https://graph.microsoft.com"}
	if roles != nil { // none: every permission
		claims["roles"] = roles
	}
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." +
		enc(claims) + "."
}
