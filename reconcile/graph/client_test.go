package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reply is one scripted response of the fake Graph.
type reply struct {
	status int
	header map[string]string
	body   string
	drop   bool // close the connection without a response
	short  bool // declare a longer body than sent: the connection drops mid-body
}

// fakeGraph serves scripted replies per path (the request path plus
// "?"+raw query when there is one); the last reply of a path repeats.
type fakeGraph struct {
	t       *testing.T
	mu      sync.Mutex
	replies map[string][]reply
	seen    []string
	auth    []string
}

func newFakeGraph(t *testing.T, replies map[string][]reply) (*fakeGraph, *httptest.Server) {
	f := &fakeGraph{t: t, replies: replies}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	f.mu.Lock()
	f.seen = append(f.seen, key)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	rs, ok := f.replies[key]
	var rep reply
	switch {
	case !ok || len(rs) == 0:
		rep = reply{status: 404, body: `{"error":{"code":"Request_ResourceNotFound","message":"no such path ` + key + `"}}`}
	case len(rs) == 1:
		rep = rs[0]
	default:
		rep = rs[0]
		f.replies[key] = rs[1:]
	}
	f.mu.Unlock()
	if rep.drop {
		hj, ok := w.(http.Hijacker)
		if !ok {
			f.t.Error("cannot hijack")
			return
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if rep.short {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		fmt.Fprint(w, `{"value":[`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status == 0 {
		rep.status = 200
	}
	w.WriteHeader(rep.status)
	fmt.Fprint(w, rep.body)
}

const testTenant = "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"

// testClient builds a client for base with the emulator credential and the
// loopback guard, fast retries.
func testClient(t testing.TB, base string) *Client {
	t.Helper()
	cred, err := NewCredential(AuthEmulator, CredentialOptions{TenantID: testTenant, GraphURL: base})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(context.Background(), Options{TenantID: testTenant, BaseURL: base, Credential: cred,
		MaxRetries: 3, RetryDelay: time.Millisecond, HTTPClient: &http.Client{Transport: LoopbackOnlyTransport(nil)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewBaseURL(t *testing.T) {
	cred := emulatorCredential{token: "x"}
	tests := []struct {
		url     string
		wantErr bool
		want    string
	}{
		{"", false, "https://graph.microsoft.com"},
		{"https://graph.microsoft.com/v1.0/", false, "https://graph.microsoft.com"},
		{"http://127.0.0.1:8080", false, "http://127.0.0.1:8080"},
		{"http://localhost:8080/v1.0", false, "http://localhost:8080"},
		{"http://[::1]:9/", false, "http://[::1]:9"},
		{"http://graph.example.com", true, ""},
		{"http://10.0.0.1:80", true, ""},
		{"ftp://127.0.0.1", true, ""},
		{"127.0.0.1:8080", true, ""},
		{"https://user:pw@graph.microsoft.com", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := New(context.Background(), Options{TenantID: testTenant, BaseURL: tt.url, Credential: cred})
			if (err != nil) != tt.wantErr {
				t.Fatalf("New(%q) error = %v, want error %v", tt.url, err, tt.wantErr)
			}
			if err == nil && c.BaseURL() != tt.want {
				t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), tt.want)
			}
		})
	}
	if _, err := New(context.Background(), Options{TenantID: testTenant}); err == nil {
		t.Error("New without a credential: want an error")
	}
}

func TestEmulatorAuthOnlyOnLoopback(t *testing.T) {
	for _, u := range []string{"https://graph.microsoft.com", "http://192.0.2.1:80", "", "https://graph.example.com"} {
		if _, err := NewCredential(AuthEmulator, CredentialOptions{TenantID: testTenant, GraphURL: u}); err == nil {
			t.Errorf("emulator credential for %q: want an error", u)
		}
	}
	if got := ResolveAuth(AuthAuto, CredentialOptions{GraphURL: "http://127.0.0.1:1234"}); got != AuthEmulator {
		t.Errorf("auto for a loopback url = %q, want emulator", got)
	}
	if got := ResolveAuth(AuthAuto, CredentialOptions{GraphURL: "https://graph.microsoft.com", ClientSecret: "s"}); got == AuthEmulator {
		t.Errorf("auto for Graph chose the emulator")
	}
}

// TestNoTestReachesTheNetwork checks the transport guard every test client
// uses: a non-loopback address is refused before any packet is sent.
func TestNoTestReachesTheNetwork(t *testing.T) {
	hc := &http.Client{Transport: LoopbackOnlyTransport(nil)}
	for _, u := range []string{"http://192.0.2.1/", "https://93.184.215.14/", "http://[2001:db8::1]/"} {
		resp, err := hc.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s through the loopback guard succeeded", u)
		}
		if !strings.Contains(err.Error(), "non-loopback") {
			t.Errorf("GET %s: error %v, want a non-loopback refusal", u, err)
		}
	}
	// And a client built with emulator auth cannot target Graph at all.
	if _, err := NewCredential(AuthEmulator, CredentialOptions{TenantID: testTenant, GraphURL: DefaultBaseURL}); err == nil {
		t.Error("emulator credential against graph.microsoft.com: want an error")
	}
}

func graphError(status int, code, msg, reqID string) reply {
	return reply{status: status, header: map[string]string{"request-id": reqID},
		body: fmt.Sprintf(`{"error":{"code":%q,"message":%q,"innerError":{"request-id":%q,"date":"2026-11-27T00:00:00"}}}`, code, msg, reqID)}
}

const orgPath = "/v1.0/organization?$select=id,verifiedDomains"

func TestTypedErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply reply
		want  *APIError
	}{
		{"401", graphError(401, "InvalidAuthenticationToken", "Access token is empty.", "r-401"),
			&APIError{Status: 401, Code: "InvalidAuthenticationToken", Message: "Access token is empty.", RequestID: "r-401"}},
		{"403", graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "r-403"),
			&APIError{Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation.", RequestID: "r-403"}},
		{"404", graphError(404, "Request_ResourceNotFound", "Resource does not exist.", "r-404"),
			&APIError{Status: 404, Code: "Request_ResourceNotFound", Message: "Resource does not exist.", RequestID: "r-404"}},
		{"409", graphError(409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value exists.", "r-409"),
			&APIError{Status: 409, Code: "Request_MultipleObjectsWithSameKeyValue", Message: "Another object with the same value exists.", RequestID: "r-409"}},
		{"500 without body", reply{status: 500, header: map[string]string{"request-id": "r-500"}},
			&APIError{Status: 500, Message: "unexpected response", RequestID: "r-500"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newFakeGraph(t, map[string][]reply{orgPath: {tt.reply}})
			_, err := testClient(t, srv.URL).VerifiedDomains(context.Background())
			var got *APIError
			if !errors.As(err, &got) {
				t.Fatalf("error %v (%T), want *APIError", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
		})
	}
	if !IsNotFound(&APIError{Status: 404}) || IsNotFound(errors.New("x")) || !IsConflict(fmt.Errorf("w: %w", &APIError{Status: 409})) {
		t.Error("IsNotFound/IsConflict")
	}
}

const orgOK = `{"value":[{"id":"` + testTenant + `","verifiedDomains":[{"name":"contoso.eu"},{"name":"contosoeu.onmicrosoft.com"}]}]}`

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		replies   []reply
		wantStats Stats
		wantErr   int // APIError status, 0 for success
	}{
		{"429 with Retry-After", []reply{{status: 429, header: map[string]string{"Retry-After": "0"}, body: `{"error":{"code":"TooManyRequests"}}`}, {body: orgOK}},
			Stats{Requests: 2, Throttled: 1, Retries: 1}, 0},
		{"503 then 504", []reply{{status: 503, header: map[string]string{"Retry-After": "0"}}, {status: 504, header: map[string]string{"Retry-After": "0"}}, {body: orgOK}},
			Stats{Requests: 3, Throttled: 2, Retries: 2}, 0},
		{"dropped connection", []reply{{drop: true}, {body: orgOK}},
			Stats{Requests: 2, Dropped: 1, Retries: 1}, 0},
		{"connection dropped mid-body", []reply{{short: true}, {body: orgOK}},
			Stats{Requests: 2, Dropped: 1, Retries: 1}, 0},
		{"429 until the retries run out", []reply{{status: 429, header: map[string]string{"Retry-After": "0"}, body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`}},
			Stats{Requests: 4, Throttled: 4, Retries: 3}, 429},
		{"403 is not retried", []reply{graphError(403, "Authorization_RequestDenied", "no", "r")},
			Stats{Requests: 1}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newFakeGraph(t, map[string][]reply{orgPath: tt.replies})
			c := testClient(t, srv.URL)
			domains, err := c.VerifiedDomains(context.Background())
			if tt.wantErr == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{"contoso.eu", "contosoeu.onmicrosoft.com"}, domains); diff != "" {
					t.Errorf("domains (-want +got):\n%s", diff)
				}
			} else if statusOf(err) != tt.wantErr {
				t.Fatalf("error %v, want status %d", err, tt.wantErr)
			}
			got := c.Stats()
			got.Bytes = 0
			if diff := cmp.Diff(tt.wantStats, got); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendsTheToken(t *testing.T) {
	f, srv := newFakeGraph(t, map[string][]reply{orgPath: {{body: orgOK}}})
	if _, err := testClient(t, srv.URL).VerifiedDomains(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(f.auth) != 1 || !strings.HasPrefix(f.auth[0], "Bearer ") || len(f.auth[0]) < 20 {
		t.Fatalf("Authorization headers %q, want one bearer token", f.auth)
	}
}

func TestRefusesForeignNextLink(t *testing.T) {
	_, srv := newFakeGraph(t, map[string][]reply{orgPath: {{body: `{"value":[],"@odata.nextLink":"https://evil.example.com/v1.0/organization?page=2"}`}}})
	_, err := testClient(t, srv.URL).VerifiedDomains(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refusing to follow link") {
		t.Fatalf("error %v, want a refusal to follow a foreign link", err)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	const secret = "s3cr3t-VALUE"
	o := CredentialOptions{TenantID: testTenant, ClientID: "app", ClientSecret: secret, CertificatePassword: secret, CertificatePath: "/nonexistent.pem"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("creds", "opts", o, "secret", o.ClientSecret)
	fmt.Fprintf(&buf, "%v %s %+v %#v", o.ClientSecret, o.ClientSecret, o, o)
	if strings.Contains(buf.String(), secret) {
		t.Errorf("secret leaked into logs/formatting: %s", buf.String())
	}
	for _, kind := range []string{AuthCertificate, AuthSecret, AuthWorkloadIdentity} {
		bad := o
		bad.TenantID = "not a tenant"
		_, err := NewCredential(kind, bad)
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error leaks the secret: %v", kind, err)
		}
	}
}
