package cli

import (
	"context"
	"net/http"
	"strings"
	"sync"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/reconcile/graph"
	"github.com/xtsync/xtsync/tenants"
)

// graphClients builds one Graph client per tenant on first use and keeps it
// for the command: a pull and a reconcile of one run share a tenant's
// credential (one token) and its traffic counters.
type graphClients struct {
	c         *ucli.Context
	e         *env
	mu        sync.Mutex
	m         map[string]*graph.Client // by lower-case tenant id
	transport *http.Transport          // shared by every client, built with the first
}

func newGraphClients(c *ucli.Context, e *env) *graphClients {
	return &graphClients{c: c, e: e, m: map[string]*graph.Client{}}
}

// get returns the client of tenant t.
func (g *graphClients) get(ctx context.Context, t *tenants.Tenant) (*graph.Client, error) {
	id := strings.ToLower(t.TenantID)
	g.mu.Lock()
	defer g.mu.Unlock()
	if cl := g.m[id]; cl != nil {
		return cl, nil
	}
	if g.transport == nil {
		if err := g.checkEmulatorCredentials(t); err != nil {
			return nil, err
		}
		tr, err := graphTransport(g.c, t)
		if err != nil {
			return nil, err
		}
		g.transport = tr
	}
	cl, err := graphClient(ctx, g.c, g.e, t, g.transport)
	if err != nil {
		return nil, err
	}
	g.m[id] = cl
	return cl, nil
}

// all returns the clients of every tenant of repo, keyed by lower-case
// tenant id.
func (g *graphClients) all(ctx context.Context, repo *tenants.Repo) (map[string]*graph.Client, error) {
	out := map[string]*graph.Client{}
	for _, t := range repo.Tenants {
		cl, err := g.get(ctx, t)
		if err != nil {
			return nil, err
		}
		out[strings.ToLower(t.TenantID)] = cl
	}
	return out, nil
}

// stats sums the traffic of every client built so far.
func (g *graphClients) stats() graph.Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	var s graph.Stats
	for _, cl := range g.m {
		s = s.Add(cl.Stats())
	}
	return s
}

// checkEmulatorCredentials refuses credential flags that the emulator's
// tokens would silently stand in for: with --auth emulator they are a
// mistake (usage error); with --auth auto and a loopback --graph-url they
// may come from the environment, so a warning says they are not used.
func (g *graphClients) checkEmulatorCredentials(t *tenants.Tenant) error {
	co, kind, err := credentialOptions(g.c, t)
	if err != nil || graph.ResolveAuth(kind, co) != graph.AuthEmulator {
		return err
	}
	var given []string
	for _, f := range []string{"client-secret", "client-certificate", "client-certificate-password", "federated-token-file"} {
		if g.c.IsSet(f) {
			given = append(given, "--"+f)
		}
	}
	if len(given) == 0 {
		return nil
	}
	if kind == graph.AuthEmulator {
		return usageError("--auth emulator mints its own tokens: %s would be ignored; drop it, or choose the --auth that uses it", strings.Join(given, ", "))
	}
	g.e.log.Warn("the --graph-url is loopback, so the emulator's tokens are used and these credentials are not", "ignored", strings.Join(given, ", "))
	return nil
}
