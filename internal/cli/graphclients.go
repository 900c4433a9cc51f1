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
