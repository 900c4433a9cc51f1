package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/xtsync/xtsync"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/reconcile"
	"github.com/xtsync/xtsync/reconcile/emulator"
	"github.com/xtsync/xtsync/reconcile/graph"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// seedExample seeds srv with the example organisation (testdata/example,
// built in) as an identity team that runs cross-tenant sync from the
// portal has it: the directories, and the example's trust and sync
// configurations set up, started and run once, not made by xtsync
// (untagged). It is
// the "existing setup" `xtsync import` starts from in
// docs/getting-started.md.
func seedExample(ctx context.Context, srv *emulator.Server, log *slog.Logger) error {
	ex := xtsync.Example()
	snaps, err := simulate.LoadSnapshots(ex, "snapshots")
	if err != nil {
		return fmt.Errorf("the built-in example's snapshots: %w", err)
	}
	if err := srv.Seed(snaps, emulator.SeedOptions{Configurations: true}); err != nil {
		return err
	}
	repo, diags := tenants.Load(ex)
	if diags.HasErrors() {
		return fmt.Errorf("the built-in example does not load: %v", diags)
	}
	if err := seedAsPortal(ctx, srv, repo, snaps, log); err != nil {
		return err
	}
	// The jobs have been running for a while: one cycle brings the target
	// directory to what they do, so nothing is pending when a user starts.
	for _, r := range srv.RunCycles() {
		if r.Error != "" {
			return fmt.Errorf("the example's first cycle: %s/%s: %s", r.Tenant, r.Config, r.Error)
		}
	}
	return nil
}

// seedAsPortal sets up repo's trust and sync configurations in srv as an
// administrator would in the portal: every object as the repository
// describes it, the configurations the seed made (by display name) taken
// as they are, and no xtsync tag left on any configuration. It talks Graph
// to srv in process, through the same client and applier as reconcile;
// no gate applies (an administrator in the portal passes none).
func seedAsPortal(ctx context.Context, srv *emulator.Server, repo *tenants.Repo, snaps map[string]*simulate.Snapshot, log *slog.Logger) error {
	const base = "http://127.0.0.1" // never dialled: the transport calls the handler
	transport := handlerTransport{srv.Handler()}
	clients := map[string]*graph.Client{}
	for _, t := range repo.Tenants {
		cred, err := graph.NewCredential(graph.AuthEmulator, graph.CredentialOptions{TenantID: t.TenantID, GraphURL: base})
		if err != nil {
			return err
		}
		cl, err := graph.New(ctx, graph.Options{TenantID: t.TenantID, BaseURL: base, Credential: cred, MaxRetries: 3,
			Logger: log.With("tenant", t.Name), HTTPClient: &http.Client{Transport: transport}})
		if err != nil {
			return err
		}
		clients[strings.ToLower(t.TenantID)] = cl
	}
	live, err := graph.ReadLive(ctx, clients)
	if err != nil {
		return fmt.Errorf("set up the portal's configurations: %w", err)
	}
	for _, t := range repo.Tenants {
		lt := live.Tenants[strings.ToLower(t.TenantID)]
		for _, sc := range t.Sync {
			for _, lc := range lt.Configs {
				if sc.ID == "" && lc.DisplayName == sc.Name {
					sc.ID = lc.ServicePrincipalID
				}
			}
		}
	}
	dir := reconcile.NewDirectory(plan.Snapshots(snaps))
	desired, _, err := reconcile.Desired(repo, live, dir)
	if err != nil {
		return fmt.Errorf("set up the portal's configurations: %w", err)
	}
	cs, _ := reconcile.Diff(desired, live, reconcile.OptionsFrom(repo))
	for _, r := range reconcile.Apply(ctx, cs, graph.NewApplier(clients, graph.ApplierOptions{}), reconcile.ApplyOptions{}) {
		if r.Result == reconcile.ResultFailed || r.Result == reconcile.ResultSkipped {
			return fmt.Errorf("set up the portal's configurations: %s: %s %s", r.Object, r.Result, r.Error)
		}
	}
	// The portal tags nothing.
	live, err = graph.ReadLive(ctx, clients)
	if err != nil {
		return fmt.Errorf("set up the portal's configurations: %w", err)
	}
	for id, lt := range live.Tenants {
		for _, lc := range lt.Configs {
			tags := []string{}
			for _, tag := range lc.Tags {
				if tag != reconcile.TagOwner && !strings.HasPrefix(tag, reconcile.TagSyncPrefix) {
					tags = append(tags, tag)
				}
			}
			if len(tags) == len(lc.Tags) {
				continue
			}
			body, _ := json.Marshal(map[string]any{"tags": tags})
			if _, err := clients[id].Do(ctx, http.MethodPatch, "servicePrincipals/"+lc.ServicePrincipalID, body); err != nil {
				return fmt.Errorf("set up the portal's configurations: untag %s: %w", lc.ServicePrincipalID, err)
			}
		}
	}
	return nil
}

// handlerTransport serves requests with a handler in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
