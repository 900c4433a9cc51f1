// Package emulator is a Microsoft Graph emulator for many tenants at once:
// the Graph v1.0 subset xtsync uses (users, groups, members, delta queries,
// $batch, cross-tenant access partners, application templates, service
// principals, synchronization jobs, secrets and schema, app role
// assignments, provisioning logs), served over HTTP(S) on loopback, with
// Graph's JSON shapes, error envelopes and status codes.
//
// The tenant of a request is the tid claim of its bearer token (a JWT whose
// signature is not checked; see Token), as Graph reads it, so a client
// talks to the emulator exactly as it talks to Graph. State is persisted
// atomically in Options.StateDir, faults (throttling, server errors,
// latency, dropped connections) are injected deterministically from
// Options.Seed. It is for tests, CI and the demo; never use it for a real
// tenant. docs/emulator.md describes what it supports.
package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// StateDir persists the state (state.json) and, with StartTLS, the
	// certificate (cert.pem, key.pem). Empty: in memory only.
	StateDir string
	// Faults are injected into Graph requests (never into /_emulator/* or
	// the token endpoint).
	Faults FaultSpec
	// Seed makes fault injection deterministic: the same seed and the same
	// sequence of requests give the same faults.
	Seed int64
	// PageSize is the default page size of collections (Graph's is 100);
	// $top overrides it up to 999.
	PageSize int
	// AllowNonLoopback lets Start listen on an address that is not
	// loopback, and answer requests whose Host or Origin is not a loopback
	// name (see checkOrigin).
	AllowNonLoopback bool
	// Timeouts of a connection (zero: the defaults, DefaultTimeouts), so
	// that connections that send slowly, or nothing, or stay idle, do not
	// stay open for ever.
	Timeouts Timeouts
	// Logger receives one line per request at debug level and errors; nil
	// discards.
	Logger *slog.Logger
	// ReplicationDelay is how long a service principal and its application
	// created by instantiate answer 404 when addressed by id or appId, as
	// Graph does until the new objects have replicated. 0: none.
	ReplicationDelay time.Duration
	// BatchInOrder runs the requests of a $batch in the order they come
	// (dependencies first) and answers them in that order. By default they
	// run in an order and answer in another, both drawn from a generator
	// seeded by Seed, since Graph promises neither: a client that reads
	// answers by position breaks here first.
	BatchInOrder bool
	// ReplicationReads is how many requests addressing a new service
	// principal or application answer 404 (each object counts its own),
	// for tests that need the delay without a clock. 0: none. With both
	// set, an object shows once both are spent.
	ReplicationReads int
}

// Timeouts bound a connection: reading a request's header, reading the
// whole request, writing the response, and waiting idle for the next
// request.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts are generous for any client of a local emulator (a page
// of 999 users is written in milliseconds) and end a stalled connection
// within a minute or two.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: 2 * time.Minute, Idle: 2 * time.Minute}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	if t.ReadHeader > 0 {
		d.ReadHeader = t.ReadHeader
	}
	if t.Read > 0 {
		d.Read = t.Read
	}
	if t.Write > 0 {
		d.Write = t.Write
	}
	if t.Idle > 0 {
		d.Idle = t.Idle
	}
	return d
}

// Stats counts what a Server has served since it started or since the last
// ResetStats.
type Stats struct {
	Requests int64 // HTTP requests, $batch counted once
	Bytes    int64 // response body bytes written
	Faults   int64 // requests answered with an injected fault
	// Graph requests that reached a handler (not faulted, authenticated,
	// routed), each request of a $batch counted alone and the $batch
	// envelope not at all: Reads are GET and HEAD, Writes the others.
	Reads, Writes int64
	// ByMethod counts the same requests by HTTP method ("GET", "PATCH" …).
	ByMethod map[string]int64
	// ByClass counts HTTP requests by path class: "graph" (/v1.0, $batch
	// once), "control" (/_emulator/*) and "token" (the OAuth endpoint).
	ByClass map[string]int64
}

// Server is a running (or ready to run) emulator. Its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex // guards st and everything below it
	st *state

	faultMu  sync.Mutex
	faultRnd *rand.Rand

	requests, bytes, faults atomic.Int64
	resetBase               atomic.Int64 // requests at the last ResetStats

	statsMu  sync.Mutex // guards byMethod and byClass
	byMethod map[string]int64
	byClass  map[string]int64

	// born holds the objects instantiate created that are still
	// replicating (lower-case id or appId); guarded by mu.
	born map[string]*replica

	routes []route

	// shuffle orders $batch requests and answers (nil with BatchInOrder).
	shuffle *batchShuffle

	httpSrv *http.Server
	ln      net.Listener
	done    chan struct{}
}

// New returns a Server with the state found in opts.StateDir (empty if
// there is none).
func New(opts Options) (*Server, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.PageSize > 999 {
		opts.PageSize = 999
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := opts.Faults.validate(); err != nil {
		return nil, err
	}
	st, err := loadState(opts.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: opts.Logger, st: st, faultRnd: rand.New(rand.NewSource(opts.Seed)),
		byMethod: map[string]int64{}, byClass: map[string]int64{}, born: map[string]*replica{}}
	s.routes = s.buildRoutes()
	if !opts.BatchInOrder {
		s.shuffle = newBatchShuffle(opts.Seed)
	}
	return s, nil
}

// Empty reports whether the emulator holds no tenant (a fresh state
// directory): the CLI seeds it from snapshots only then.
func (s *Server) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.Tenants) == 0
}

// TenantIDs returns the tenants the emulator holds: id -> name ("" when
// the tenant has no name).
func (s *Server) TenantIDs() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]string, len(s.st.Tenants))
	for _, t := range s.st.Tenants {
		m[t.ID] = t.Name
	}
	return m
}

// Requests returns what the server has served so far (since the last
// ResetStats).
func (s *Server) Requests() Stats {
	st := Stats{Requests: s.requests.Load() - s.resetBase.Load(), Bytes: s.bytes.Load(), Faults: s.faults.Load(),
		ByMethod: map[string]int64{}, ByClass: map[string]int64{}}
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for m, n := range s.byMethod {
		st.ByMethod[m] = n
		if m == http.MethodGet || m == http.MethodHead {
			st.Reads += n
		} else {
			st.Writes += n
		}
	}
	for k, n := range s.byClass {
		st.ByClass[k] = n
	}
	return st
}

// ResetStats sets every counter of Requests to zero (request ids keep
// counting).
func (s *Server) ResetStats() {
	s.bytes.Store(0)
	s.faults.Store(0)
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.resetBase.Store(s.requests.Load())
	clear(s.byMethod)
	clear(s.byClass)
}

func (s *Server) countClass(class string) {
	s.statsMu.Lock()
	s.byClass[class]++
	s.statsMu.Unlock()
}

func (s *Server) countMethod(method string) {
	s.statsMu.Lock()
	s.byMethod[method]++
	s.statsMu.Unlock()
}

// Handler returns the emulator as an http.Handler, for callers that run
// their own server (httptest).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on addr (e.g. "127.0.0.1:0") and serves plain HTTP in the
// background. It returns the base URL, without /v1.0.
func (s *Server) Start(addr string) (string, error) {
	ln, err := s.listen(addr)
	if err != nil {
		return "", err
	}
	s.serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// StartTLS is Start over HTTPS with a self-signed certificate for 127.0.0.1,
// ::1 and localhost. The certificate (PEM) is returned and, with a StateDir,
// written to cert.pem there (and reused by the next StartTLS).
func (s *Server) StartTLS(addr string) (string, []byte, error) {
	certPEM, cert, err := loadOrCreateCert(s.opts.StateDir)
	if err != nil {
		return "", nil, err
	}
	ln, err := s.listen(addr)
	if err != nil {
		return "", nil, err
	}
	tl := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12})
	s.serve(tl)
	return "https://" + ln.Addr().String(), certPEM, nil
}

func (s *Server) listen(addr string) (net.Listener, error) {
	if s.httpSrv != nil {
		return nil, errors.New("start emulator: already started")
	}
	if !s.opts.AllowNonLoopback {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	return ln, nil
}

func (s *Server) serve(ln net.Listener) {
	s.ln = ln
	s.done = make(chan struct{})
	t := s.opts.Timeouts.withDefaults()
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(s.done)
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("emulator stopped", "err", err)
		}
	}()
}

// Close stops the server, waiting up to 2 seconds for requests in flight
// (an interrupted xtsync gives a command 5). The state is already on disk:
// every mutation is saved when it happens.
func (s *Server) Close() error {
	if s.httpSrv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.httpSrv.Shutdown(ctx)
	if err != nil {
		s.httpSrv.Close()
	}
	<-s.done
	s.httpSrv = nil
	if err != nil {
		return fmt.Errorf("stop emulator: %w", err)
	}
	return nil
}

// checkLoopback refuses an address whose host is not a loopback IP or
// localhost (an empty host means every interface).
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("start emulator: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("start emulator: address %q is not loopback (use 127.0.0.1 or localhost; --allow-non-loopback to override)", addr)
}

// saveLocked persists the state; s.mu must be held.
func (s *Server) saveLocked() error {
	if err := s.st.save(s.opts.StateDir); err != nil {
		s.log.Error("save emulator state", "err", err)
		return err
	}
	return nil
}

// StatePath returns the state file's path ("" without a StateDir).
func (s *Server) StatePath() string {
	if s.opts.StateDir == "" {
		return ""
	}
	return filepath.Join(s.opts.StateDir, stateFile)
}
