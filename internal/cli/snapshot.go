package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/reconcile/graph"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

func snapshotCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "snapshot",
		Usage: "pull directory snapshots from Microsoft Graph",
		Description: `Directory snapshots are what the simulator reads: one JSON file per tenant in
the snapshots directory (xtsync.yaml's "snapshots", default .xtsync/snapshots).
They hold personal data: keep them out of Git.

Examples:
  xtsync snapshot pull --repo .                       # every tenant, incremental
  xtsync snapshot pull --tenant contoso-us --full     # one tenant, from scratch
  xtsync snapshot pull --graph-url http://127.0.0.1:PORT   # a local 'xtsync emulator'`,
		Subcommands: []*ucli.Command{snapshotPullCommand(e)},
	}
}

func snapshotPullCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "pull",
		Usage:     "write each repo tenant's snapshot from Microsoft Graph (delta queries, incremental)",
		UsageText: "xtsync snapshot pull [--repo DIR] [--tenant NAME]... [--snapshots DIR] [--graph-url URL] [--auth KIND] [--full]",
		Description: `Reads the users (with the properties the configurations map or filter on),
soft-deleted users, groups with their direct members, and verified domains of
every tenant of the repository (or only the --tenant ones), derives the
source link of each B2B user from the source tenants' provisioning logs (else
from the #EXT# UPN convention, flagged linkSource "ext-upn"), and writes
<snapshots>/<tenant>.json.

The delta links are kept in <snapshots>/.delta/<tenant>.json, so the next pull
fetches only what changed and merges it into the previous snapshot; --full
starts over. A snapshot is replaced atomically and only when every tenant's
pull completed: a failed pull leaves the previous snapshots as they were.

Credentials (--auth, see docs/credentials.md): one token per tenant, for the
tenant id of its file. auto (the default) picks the emulator for a loopback
--graph-url, else workload-identity, certificate, secret or managed-identity
from what the environment configures, else the Azure CLI. Permissions:
User.Read.All, GroupMember.Read.All, Organization.Read.All, AuditLog.Read.All.

Example, against a local emulator:
   xtsync emulator --seed testdata/example/snapshots &   # prints its URL
   xtsync snapshot pull --repo testdata/example --graph-url http://127.0.0.1:PORT --snapshots /tmp/snaps

Exit codes: 0 every snapshot written, 1 a pull failed (the tenant is named;
nothing was written), 2 usage error.`,
		Flags: append([]ucli.Flag{
			repoFlag(),
			snapshotsFlag(),
			&ucli.StringSliceFlag{Name: "tenant", Usage: "pull only this repo tenant `NAME` (repeatable; default: all)", EnvVars: []string{"XTSYNC_TENANT"}},
			&ucli.BoolFlag{Name: "full", Usage: "ignore the delta links and pull everything", EnvVars: []string{"XTSYNC_FULL"}},
			&ucli.StringSliceFlag{Name: "select", Usage: "also read this user `PROPERTY` (Graph name; repeatable)", EnvVars: []string{"XTSYNC_SELECT"}},
			&ucli.StringFlag{Name: "captured-at", Usage: "capture `TIME` written in the snapshots (RFC 3339; default now)", EnvVars: []string{"XTSYNC_CAPTURED_AT"}},
		}, graphFlags()...),
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runSnapshotPull(c, e)
		},
	}
}

// graphFlags are the flags of every command that talks to Graph: the
// endpoint, the credential kind and its inputs, retries.
func graphFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "graph-url", Value: graph.DefaultBaseURL, Usage: "Microsoft Graph `URL` (an emulator's, for tests; plain http only on loopback)", EnvVars: []string{"XTSYNC_GRAPH_URL"}},
		&ucli.StringFlag{Name: "auth", Value: graph.AuthAuto, Usage: "credential `KIND`: " + strings.Join(graph.AuthKinds, ", "), EnvVars: []string{"XTSYNC_AUTH"}},
		&ucli.StringFlag{Name: "client-id", Usage: "application (client) `ID` of the multi-tenant app, or of a user-assigned managed identity", EnvVars: []string{"XTSYNC_CLIENT_ID", "AZURE_CLIENT_ID"}},
		&ucli.StringFlag{Name: "client-secret", Usage: "client `SECRET` (--auth secret; prefer the environment variable)", EnvVars: []string{"XTSYNC_CLIENT_SECRET", "AZURE_CLIENT_SECRET"}},
		&ucli.StringFlag{Name: "client-certificate", Usage: "PEM or PKCS#12 `FILE` with the certificate and key (--auth certificate)", EnvVars: []string{"XTSYNC_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"}},
		&ucli.StringFlag{Name: "client-certificate-password", Usage: "`PASSWORD` of the certificate file", EnvVars: []string{"XTSYNC_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD"}},
		&ucli.StringFlag{Name: "federated-token-file", Usage: "`FILE` holding the OIDC token (--auth workload-identity)", EnvVars: []string{"XTSYNC_FEDERATED_TOKEN_FILE", "AZURE_FEDERATED_TOKEN_FILE"}},
		&ucli.StringFlag{Name: "graph-ca", Usage: "PEM `FILE` of extra CA certificates to trust for --graph-url (the cert.pem of `xtsync emulator --tls`)", EnvVars: []string{"XTSYNC_GRAPH_CA"}},
		&ucli.IntFlag{Name: "max-retries", Value: 5, Usage: "retries of one request after 429/503/504 or a dropped connection (`N`, at most 10)", EnvVars: []string{"XTSYNC_MAX_RETRIES"}},
	}
}

// graphClient builds the Graph client of one repo tenant from graphFlags,
// over transport (shared by the tenants of a command: one connection pool,
// so a run over a hundred tenants does not make a hundred TLS handshakes).
func graphClient(ctx context.Context, c *ucli.Context, e *env, t *tenants.Tenant, transport http.RoundTripper) (*graph.Client, error) {
	co, kind, err := credentialOptions(c, t)
	if err != nil {
		return nil, err
	}
	cred, err := graph.NewCredential(kind, co)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t.Name, err)
	}
	opts := graph.Options{TenantID: t.TenantID, BaseURL: c.String("graph-url"), Credential: cred,
		MaxRetries: c.Int("max-retries"), Logger: e.log.With("tenant", t.Name), HTTPClient: &http.Client{Transport: transport}}
	cl, err := graph.New(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t.Name, err)
	}
	return cl, nil
}

// credentialOptions reads the credential flags for tenant t.
func credentialOptions(c *ucli.Context, t *tenants.Tenant) (graph.CredentialOptions, string, error) {
	kind := c.String("auth")
	valid := false
	for _, k := range graph.AuthKinds {
		valid = valid || k == kind
	}
	if !valid {
		return graph.CredentialOptions{}, "", usageError("--auth: want one of %s, got %q", strings.Join(graph.AuthKinds, ", "), kind)
	}
	return graph.CredentialOptions{
		TenantID:            t.TenantID,
		ClientID:            c.String("client-id"),
		ClientSecret:        graph.Secret(c.String("client-secret")),
		CertificatePath:     c.String("client-certificate"),
		CertificatePassword: graph.Secret(c.String("client-certificate-password")),
		FederatedTokenFile:  c.String("federated-token-file"),
		GraphURL:            c.String("graph-url"),
	}, kind, nil
}

// graphTransport is the HTTP transport of a command's Graph clients: the
// loopback-only one for the emulator, and --graph-ca trusted.
func graphTransport(c *ucli.Context, t *tenants.Tenant) (*http.Transport, error) {
	co, kind, err := credentialOptions(c, t)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if graph.ResolveAuth(kind, co) == graph.AuthEmulator {
		transport = graph.LoopbackOnlyTransport(nil)
	}
	transport.MaxIdleConnsPerHost = 32
	if ca := c.String("graph-ca"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("--graph-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--graph-ca: no PEM certificate in %s", ca)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return transport, nil
}

// loadRepoForGraph loads the repository and reports its diagnostics.
func loadRepoForGraph(e *env, dir string) (*tenants.Repo, error) {
	repo, diags := tenants.Load(gitfs.DirFS(dir))
	for _, d := range diags {
		fmt.Fprintln(e.stderr, d.String())
	}
	if repo == nil || diags.HasErrors() {
		return nil, fmt.Errorf("load repository %s: %s", dir, report.Count(len(diags.Errors()), "error", "errors"))
	}
	return repo, nil
}

// snapshotsDir is --snapshots, else xtsync.yaml's snapshots relative to the
// repo, else .xtsync/snapshots.
func snapshotsDir(c *ucli.Context, repo *tenants.Repo) string {
	if d := c.String("snapshots"); d != "" {
		return d
	}
	d := repo.Settings.Snapshots
	if d == "" {
		d = ".xtsync/snapshots"
	}
	if filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(c.String("repo"), d)
}

// pullSnapshots pulls the targets' directories (incrementally, from the
// delta links in dir, unless --full), links B2B users through every repo
// tenant's provisioning logs and saves the snapshots in dir. snapshot pull
// and reconcile share it.
func pullSnapshots(ctx context.Context, c *ucli.Context, e *env, clients *graphClients, repo *tenants.Repo, dir string, targets []*tenants.Tenant, now time.Time) ([]*pulled, error) {
	sel := append(graph.SelectFor(repo), c.StringSlice("select")...)
	progress := newProgress(e.stderr)
	defer progress.done()

	// One pull per tenant, a few at a time: tenants are independent, and a
	// run over many tenants is bound by Graph's latency, not by this host.
	results := make([]*pulled, len(targets))
	logs := make([][]graph.ProvisioningEntry, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	sem := make(chan struct{}, pullParallelism)
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], logs[i], errs[i] = pullTenant(ctx, c, e, clients, t, dir, sel, now, progress)
		}()
	}
	wg.Wait()
	var entries []graph.ProvisioningEntry
	for i := range targets {
		if errs[i] != nil {
			return nil, errs[i]
		}
		entries = append(entries, logs[i]...)
	}

	// A sync job's provisioning logs live in its source tenant: with
	// --tenant, read the other tenants' logs too (a failure only warns).
	for _, t := range repo.Tenants {
		if slices.Contains(targets, t) {
			continue
		}
		since := ""
		if st, err := graph.ReadDeltaState(dir, t.Name); err == nil && st != nil && !c.Bool("full") {
			since = st.LogsSince
		}
		cl, err := clients.get(ctx, t)
		if err == nil {
			var log []graph.ProvisioningEntry
			if log, err = cl.ProvisioningLog(ctx, since); err == nil {
				entries = append(entries, log...)
				continue
			}
		}
		e.log.Warn("provisioning logs unreadable; links from this tenant keep their previous value", "tenant", t.Name, "err", err)
	}

	snaps := map[string]*simulate.Snapshot{}
	for _, r := range results {
		graph.CarryLinks(r.snap, r.prev)
		snaps[r.tenant.Name] = r.snap
	}
	// Tenants not pulled this time still resolve #EXT# UPNs.
	for _, t := range repo.Tenants {
		if snaps[t.Name] == nil {
			if s, err := graph.ReadPrevious(dir, t.Name); err == nil && s != nil {
				snaps[t.Name] = s
			}
		}
	}
	graph.Link(snaps, entries)

	for _, r := range results {
		if err := graph.Save(dir, r.tenant.Name, r.snap, r.delta); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// pullParallelism is how many tenants pullSnapshots pulls at once.
const pullParallelism = 16

// pullTenant pulls one tenant's directory and reads its provisioning logs.
func pullTenant(ctx context.Context, c *ucli.Context, e *env, clients *graphClients, t *tenants.Tenant, dir string, sel []string, now time.Time, progress *progress) (*pulled, []graph.ProvisioningEntry, error) {
	cl, err := clients.get(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	before := cl.Stats()
	r := &pulled{tenant: t}
	opts := graph.PullOptions{Select: sel, Now: now, Progress: func(n int) { progress.set(t.Name, n) }}
	if r.prev, err = graph.ReadPrevious(dir, t.Name); err != nil {
		e.log.Warn("previous snapshot unreadable; pulling in full", "tenant", t.Name, "err", err)
		r.prev = nil
	}
	if !c.Bool("full") && r.prev != nil {
		st, err := graph.ReadDeltaState(dir, t.Name)
		if err != nil {
			e.log.Warn("delta state unreadable; pulling in full", "tenant", t.Name, "err", err)
		}
		opts.Previous, opts.Delta = r.prev, st
	}
	start := time.Now()
	r.snap, r.delta, err = graph.Pull(ctx, cl, opts)
	if err != nil {
		var unknownCA x509.UnknownAuthorityError
		if errors.As(err, &unknownCA) && c.String("graph-ca") == "" {
			return nil, nil, fmt.Errorf("pull tenant %s: %w (for 'xtsync emulator --tls', trust its certificate with --graph-ca STATE/cert.pem)", t.Name, err)
		}
		return nil, nil, fmt.Errorf("pull tenant %s: %w", t.Name, err)
	}
	since := ""
	if opts.Delta != nil && strings.EqualFold(opts.Delta.TenantID, r.delta.TenantID) {
		since = opts.Delta.LogsSince // the links so far are carried over
	}
	log, err := cl.ProvisioningLog(ctx, since)
	if err != nil {
		return nil, nil, fmt.Errorf("pull tenant %s: %w", t.Name, err)
	}
	r.delta.LogsSince = graph.LatestEntry(log, since)
	r.stats, r.took = cl.Stats().Sub(before), time.Since(start)
	progress.finish(t.Name)
	return r, log, nil
}

// pulled is one tenant's finished pull, written once every pull succeeded.
type pulled struct {
	tenant *tenants.Tenant
	prev   *simulate.Snapshot
	snap   *simulate.Snapshot
	delta  graph.DeltaState
	stats  graph.Stats
	took   time.Duration
}

func runSnapshotPull(c *ucli.Context, e *env) error {
	now := time.Now()
	if s := c.String("captured-at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return usageError("--captured-at: want an RFC 3339 time like 2026-11-26T10:00:00Z, got %q", s)
		}
		now = t
	}
	repo, err := loadRepoForGraph(e, c.String("repo"))
	if err != nil {
		return err
	}
	dir := snapshotsDir(c, repo)
	targets := repo.Tenants
	if names := c.StringSlice("tenant"); len(names) > 0 {
		targets = nil
		for _, n := range names {
			t := repo.Tenant(n)
			if t == nil {
				return usageError("--tenant: %q is not a tenant of the repository", n)
			}
			if !slices.Contains(targets, t) {
				targets = append(targets, t)
			}
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("the repository at %s has no tenants to pull", c.String("repo"))
	}
	results, err := pullSnapshots(c.Context, c, e, newGraphClients(c, e), repo, dir, targets, now)
	if err != nil {
		return err
	}
	for _, r := range results {
		kind := "full"
		if r.delta.Incremental {
			kind = "incremental"
		}
		b2b := 0
		for _, u := range r.snap.Users {
			if u.Source != nil && !u.Deleted {
				b2b++
			}
		}
		fmt.Fprintf(e.stdout, "%s: %s (%d B2B), %s; %s pull, %s, %s in %s -> %s\n",
			r.tenant.Name, report.Count(len(r.snap.Users), "user", "users"), b2b, report.Count(len(r.snap.Groups), "group", "groups"), kind, report.Count(int(r.stats.Requests), "request", "requests"),
			humanBytes(r.stats.Bytes), r.took.Round(time.Millisecond), graph.SnapshotPath(dir, r.tenant.Name))
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// progress draws "tenant: N users" on stderr when it is a terminal.
type progress struct {
	mu   sync.Mutex
	w    io.Writer
	on   bool
	last time.Time
}

func newProgress(w io.Writer) *progress {
	f, ok := unwrapWriter(w).(*os.File)
	on := ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
	return &progress{w: w, on: on}
}

func (p *progress) set(tenant string, users int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[K%s: %d users fetched", tenant, users)
}

func (p *progress) finish(string) {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *progress) done() { p.finish("") }
