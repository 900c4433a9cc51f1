// Package graph is the only code in xtsync that talks to Microsoft Graph. It
// builds one msgraph-sdk-go request adapter per tenant (retries that honour
// Retry-After, a retry of dropped connections on idempotent GETs, request
// and byte counters), turns Graph errors into *APIError, and pulls directory
// snapshots with delta queries (see Pull).
//
// It imports only the msgraph-sdk-go request-builder subpackages it uses,
// never the root package, to keep the build small.
package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	auth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
)

// DefaultBaseURL is the Microsoft Graph endpoint of the global cloud.
const DefaultBaseURL = "https://graph.microsoft.com"

// graphHosts are the national-cloud Graph hosts a token may be sent to.
var graphHosts = []string{
	"graph.microsoft.com",
	"graph.microsoft.us",
	"dod-graph.microsoft.us",
	"microsoftgraph.chinacloudapi.cn",
}

// Options configures a Client.
type Options struct {
	// TenantID is the tenant the client reads and writes (the credential's
	// tenant); it names the client in logs and errors.
	TenantID string
	// BaseURL is the Graph endpoint without the version:
	// https://graph.microsoft.com (the default), or the emulator's URL.
	// Plain http is accepted only for a loopback host.
	BaseURL string
	// Credential obtains the bearer tokens.
	Credential azcore.TokenCredential
	// MaxRetries bounds the retries of one request after 429, 503, 504 or a
	// dropped connection (default 5, at most 10).
	MaxRetries int
	// RetryDelay is the first backoff delay when Graph gives no Retry-After
	// (default 1s; doubled per attempt, plus jitter).
	RetryDelay time.Duration
	// HTTPClient supplies the transport under the Graph middleware (its
	// Transport and Timeout); nil uses a clone of http.DefaultTransport.
	HTTPClient *http.Client
	// Logger receives retry and paging debug logs; nil discards them.
	Logger *slog.Logger
}

// Client talks to Microsoft Graph v1.0 for one tenant.
type Client struct {
	tenantID string
	baseURL  string // without /v1.0
	adapter  *msgraphcore.GraphRequestAdapterBase
	stats    *counters
	log      *slog.Logger
}

// Stats counts the HTTP traffic of a client, retries included.
type Stats struct {
	// Requests is the number of HTTP requests sent (every attempt).
	Requests int64 `json:"requests"`
	// Bytes is the number of response body bytes received.
	Bytes int64 `json:"bytes"`
	// Throttled counts 429, 503 and 504 responses.
	Throttled int64 `json:"throttled"`
	// Dropped counts requests that failed in the transport (and were retried
	// when idempotent).
	Dropped int64 `json:"dropped"`
	// Writes counts the write requests sent (POST, PUT, PATCH, DELETE;
	// a $batch counts its write sub-requests), retries included.
	Writes int64 `json:"writes"`
	// Retries counts the requests sent again after a throttle, a 5xx or a
	// dropped connection.
	Retries int64 `json:"retries"`
}

type counters struct{ requests, bytes, throttled, dropped, writes, retries atomic.Int64 }

// New builds a client for one tenant. It refuses a base URL that is neither
// https nor loopback, and a client without a credential.
func New(ctx context.Context, opts Options) (*Client, error) {
	_ = ctx // reserved: nothing is fetched at construction
	if opts.Credential == nil {
		return nil, errors.New("graph client: no credential")
	}
	base, host, err := normalizeBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	registerSerializers()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 5
	}
	if opts.MaxRetries > 10 {
		opts.MaxRetries = 10
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = time.Second
	}

	validHosts := append([]string{host}, graphHosts...)
	ap, err := auth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(
		opts.Credential, []string{scopeFor(host)}, validHosts)
	if err != nil {
		return nil, fmt.Errorf("graph client for tenant %s: %w", opts.TenantID, err)
	}

	st := &counters{}
	var parent http.RoundTripper
	timeout := 100 * time.Second
	if opts.HTTPClient != nil {
		parent = opts.HTTPClient.Transport
		if opts.HTTPClient.Timeout > 0 {
			timeout = opts.HTTPClient.Timeout
		}
	}
	if parent == nil {
		parent = http.DefaultTransport.(*http.Transport).Clone()
	}
	parent = &dropRetry{next: &statsTransport{next: parent, st: st}, max: opts.MaxRetries, delay: opts.RetryDelay, st: st, log: log}

	delaySeconds := int(opts.RetryDelay / time.Second)
	if delaySeconds < 1 {
		delaySeconds = 1
	}
	graphOpts := msgraphcore.GraphClientOptions{GraphServiceVersion: "v1.0", GraphServiceLibraryVersion: "xtsync"}
	mw := msgraphcore.GetDefaultMiddlewaresWithOptions(&graphOpts)
	// Request bodies are sent plain: kiota's CompressionHandler sits after
	// the RetryHandler, so a retried write went out gzipped twice (a 400
	// "gzip: invalid header" under 429s).
	mw = slices.DeleteFunc(mw, func(m khttp.Middleware) bool { _, ok := m.(*khttp.CompressionHandler); return ok })
	for i, m := range mw {
		if _, ok := m.(*khttp.RetryHandler); ok {
			mw[i] = khttp.NewRetryHandlerWithOptions(khttp.RetryHandlerOptions{
				MaxRetries:   opts.MaxRetries,
				DelaySeconds: delaySeconds,
				ShouldRetry: func(delay time.Duration, n int, req *http.Request, resp *http.Response) bool {
					st.retries.Add(1)
					log.Debug("graph: retrying", "tenantId", opts.TenantID, "status", resp.StatusCode,
						"retryAfter", resp.Header.Get("Retry-After"), "attempt", n+1, "path", req.URL.Path)
					return true
				},
			})
		}
	}
	hc := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(parent, mw...), Timeout: timeout}
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		ap, graphOpts, serialization.DefaultParseNodeFactoryInstance, serialization.DefaultSerializationWriterFactoryInstance, hc)
	if err != nil {
		return nil, fmt.Errorf("graph client for tenant %s: %w", opts.TenantID, err)
	}
	adapter.SetBaseUrl(base + "/v1.0")
	return &Client{tenantID: opts.TenantID, baseURL: base, adapter: adapter, stats: st, log: log}, nil
}

// TenantID is the tenant the client was built for.
func (c *Client) TenantID() string { return c.tenantID }

// BaseURL is the Graph endpoint the client talks to, without the version.
func (c *Client) BaseURL() string { return c.baseURL }

// Stats returns the traffic counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:  c.stats.requests.Load(),
		Bytes:     c.stats.bytes.Load(),
		Throttled: c.stats.throttled.Load(),
		Dropped:   c.stats.dropped.Load(),
		Writes:    c.stats.writes.Load(),
		Retries:   c.stats.retries.Load(),
	}
}

// Add returns the traffic of s and o together.
func (s Stats) Add(o Stats) Stats {
	return Stats{Requests: s.Requests + o.Requests, Bytes: s.Bytes + o.Bytes, Throttled: s.Throttled + o.Throttled,
		Dropped: s.Dropped + o.Dropped, Writes: s.Writes + o.Writes, Retries: s.Retries + o.Retries}
}

// Sub returns the traffic counted since o, an earlier reading.
func (s Stats) Sub(o Stats) Stats {
	return Stats{Requests: s.Requests - o.Requests, Bytes: s.Bytes - o.Bytes, Throttled: s.Throttled - o.Throttled,
		Dropped: s.Dropped - o.Dropped, Writes: s.Writes - o.Writes, Retries: s.Retries - o.Retries}
}

// normalizeBaseURL checks a --graph-url and returns it without a trailing
// slash or /v1.0, and its host name.
func normalizeBaseURL(raw string) (string, string, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", "", fmt.Errorf("graph url %q: want an absolute http(s) URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("graph url %q: want scheme://host[:port][/path] only", raw)
	}
	host := u.Hostname()
	if u.Scheme == "http" && !IsLoopback(host) {
		return "", "", fmt.Errorf("graph url %q: plain http is allowed only to a loopback address", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/v1.0")
	return u.Scheme + "://" + u.Host + p, host, nil
}

// IsLoopback reports whether a host name is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// scopeFor is the token scope for a Graph host: the host's own .default for
// a national cloud, Graph's global one otherwise (the emulator ignores it).
func scopeFor(host string) string {
	for _, h := range graphHosts {
		if strings.EqualFold(h, host) {
			return "https://" + h + "/.default"
		}
	}
	return DefaultBaseURL + "/.default"
}

var serializersOnce atomic.Bool

// registerSerializers registers the JSON factories that the root msgraph
// package would register; this package never imports it.
func registerSerializers() {
	if serializersOnce.Swap(true) {
		return
	}
	abs.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
		return jsonser.NewJsonSerializationWriterFactory()
	})
	abs.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory {
		return jsonser.NewJsonParseNodeFactory()
	})
}

// statsTransport counts requests, response bytes and throttling.
type statsTransport struct {
	next http.RoundTripper
	st   *counters
}

func (t *statsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.st.requests.Add(1)
	if req.Method != http.MethodGet && req.Method != http.MethodHead && !strings.HasSuffix(req.URL.Path, "/$batch") {
		t.st.writes.Add(1)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.st.dropped.Add(1)
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		t.st.throttled.Add(1)
	}
	if resp.Body != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.st.bytes}
	}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// dropRetry retries idempotent requests (GET, HEAD) whose connection failed
// before a response arrived: kiota's RetryHandler only retries on status
// codes. Backoff is exponential with full jitter.
type dropRetry struct {
	next  http.RoundTripper
	max   int
	delay time.Duration
	st    *counters
	log   *slog.Logger
}

func (t *dropRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	idempotent := (req.Method == http.MethodGet || req.Method == http.MethodHead) && req.Body == nil
	for attempt := 0; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if err == nil && idempotent && resp.Body != nil {
			// A connection can also drop in the middle of the body: read it
			// here, where the request can still be retried.
			var body []byte
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.st.dropped.Add(1)
				resp = nil
			} else {
				resp.Body = io.NopCloser(bytes.NewReader(body))
			}
		}
		if err == nil || !idempotent || attempt >= t.max || req.Context().Err() != nil {
			return resp, err
		}
		d := backoff(t.delay, attempt)
		t.st.retries.Add(1)
		t.log.Debug("graph: connection failed, retrying", "path", req.URL.Path, "attempt", attempt+1, "delay", d, "err", err)
		timer := time.NewTimer(d)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

// backoff is base·2^attempt, capped at 30s, with jitter in [d/2, d).
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt, 5)
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	return d/2 + rand.N(d/2+1)
}

// LoopbackOnlyTransport returns a transport that connects only to loopback
// addresses: every dial is checked after name resolution, so neither a
// host name nor a redirect reaches the network. The emulator credential
// and the tests use it. base nil clones http.DefaultTransport.
func LoopbackOnlyTransport(base *http.Transport) *http.Transport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	t := base.Clone()
	t.Proxy = nil
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("refusing to connect to non-loopback address %s", address)
		}
		return nil
	}}
	t.DialContext = d.DialContext
	return t
}
