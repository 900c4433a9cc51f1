package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/reconcile/emulator"
)

func emulatorCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "emulator",
		Usage:     "run a local Microsoft Graph emulator for tests and the demo",
		UsageText: "xtsync emulator [--addr 127.0.0.1:0] [--state DIR] [--seed DIR | --example] [--reseed] [--faults SPEC] [--fault-seed N] [--cycle-interval D] [--replication-delay D] [--batch-in-order] [--tls]\n   xtsync emulator token --tenant NAME|ID [--roles R,...] [--state DIR | --seed DIR]",
		Description: `Serves the Microsoft Graph v1.0 subset xtsync uses, for many tenants at once,
on loopback: users, groups, members, delta queries, $batch, cross-tenant access
partners, application templates, service principals, synchronization jobs,
secrets and schema, app role assignments and provisioning logs. The tenant of
a request is the tid claim of its bearer token (the signature is not checked),
so any HTTP client or Graph SDK can use it; 'xtsync emulator token' prints one.
Never point it at, or use it for, a real tenant. See docs/emulator.md.

The first line on stdout is the base URL (http://127.0.0.1:PORT, or https://
with --tls); logs go to stderr. It runs until interrupted (SIGINT/SIGTERM).

--state DIR keeps the state (state.json, written atomically after every
change) so a restarted emulator carries on; --seed DIR loads directory
snapshots (<tenant>.json) when the state is empty, or always with --reseed.
Snapshots' B2B users keep their source links: each linked user gets a
provisioning log entry in its source tenant under a service principal named
after its sync configuration, made as in the portal: untagged, paused, no
trust and no assignments, until a reconcile adopts it (sync[].id). With
--seed-configs=false the tenants get their directories alone: no sync
configuration and no provisioning log, the state before a first reconcile.
--example serves the built-in example organisation (Contoso Europe, Contoso
US, Fabrikam UK: testdata/example) as a team that runs cross-tenant sync
from the portal has it: the directories, the trust, and two sync
configurations set up, started and run once, not made by xtsync — what xtsync import
starts from in docs/getting-started.md.

--faults injects failures into Graph requests, deterministic for a
--fault-seed: "429=0.2,503=0.05,504=0.01,drop=0.01,latency=50ms,retry-after=1"
(fractions of requests; drop closes the connection mid-response).
Started jobs run a provisioning cycle on POST /_emulator/cycle, or every
--cycle-interval: they create, update and soft-delete B2B users in the target
tenants and write provisioning logs, as Entra's service would.
--replication-delay (default 1s) makes a new service principal and its
application answer 404 for that long after instantiate, as Graph does.
The requests of a $batch run in a shuffled order and are answered in another
(seeded by --fault-seed), since Graph promises neither; --batch-in-order
keeps both in request order. Request bodies are checked against Graph's v1.0
reference: an unknown, beta-only or mistyped property is a 400, as in Graph.
--tls serves HTTPS with a self-signed certificate for 127.0.0.1 and localhost,
written to cert.pem in --state (Graph SDKs send tokens only over https).

Example:
   xtsync emulator --state /tmp/emu --seed testdata/example/snapshots &
   curl -H "Authorization: Bearer $(xtsync emulator token --state /tmp/emu --tenant contoso-us)" \
        http://127.0.0.1:PORT/v1.0/users

Exit codes: 0 stopped cleanly, 1 error (address in use, unreadable state or
seed), 2 usage error.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:0", Usage: "listen `ADDRESS` (port 0 picks a free one)", EnvVars: []string{"XTSYNC_EMULATOR_ADDR"}},
			&ucli.StringFlag{Name: "state", Usage: "state `DIR` (default: in memory only)", EnvVars: []string{"XTSYNC_EMULATOR_STATE"}},
			&ucli.StringFlag{Name: "seed", Usage: "snapshots `DIR` loaded when the state is empty", EnvVars: []string{"XTSYNC_EMULATOR_SEED"}},
			&ucli.BoolFlag{Name: "example", Usage: "serve the built-in example organisation as set up in the portal: directories, trust and two started sync configurations xtsync did not make (when the state is empty, or with --reseed)", EnvVars: []string{"XTSYNC_EMULATOR_EXAMPLE"}},
			&ucli.BoolFlag{Name: "reseed", Usage: "replace the state with --seed even when it is not empty", EnvVars: []string{"XTSYNC_EMULATOR_RESEED"}},
			&ucli.BoolFlag{Name: "seed-configs", Value: true, Usage: "with --seed: make the sync configurations the snapshots' B2B users are linked to, as made in the portal (false: the directories alone)", EnvVars: []string{"XTSYNC_EMULATOR_SEED_CONFIGS"}},
			&ucli.StringFlag{Name: "faults", Usage: "fault `SPEC`, e.g. 429=0.2,503=0.05,drop=0.01,latency=50ms", EnvVars: []string{"XTSYNC_EMULATOR_FAULTS"}},
			&ucli.Int64Flag{Name: "fault-seed", Value: 1, Usage: "`SEED` of the fault generator", EnvVars: []string{"XTSYNC_EMULATOR_FAULT_SEED"}},
			&ucli.IntFlag{Name: "page-size", Value: 100, Usage: "default page `SIZE` of collections", EnvVars: []string{"XTSYNC_EMULATOR_PAGE_SIZE"}},
			&ucli.DurationFlag{Name: "cycle-interval", Usage: "run a provisioning cycle of every started job every `DURATION` (0: only on POST /_emulator/cycle)", EnvVars: []string{"XTSYNC_EMULATOR_CYCLE_INTERVAL"}},
			&ucli.BoolFlag{Name: "tls", Usage: "serve HTTPS; the certificate goes to cert.pem in --state", EnvVars: []string{"XTSYNC_EMULATOR_TLS"}},
			&ucli.DurationFlag{Name: "replication-delay", Value: time.Second, Usage: "a service principal and application created by instantiate answer 404 for `DURATION`, as Graph does while they replicate (0: none)", EnvVars: []string{"XTSYNC_EMULATOR_REPLICATION_DELAY"}},
			&ucli.BoolFlag{Name: "batch-in-order", Usage: "run and answer the requests of a $batch in request order (default: shuffled, seeded by --fault-seed, as Graph promises no order)", EnvVars: []string{"XTSYNC_EMULATOR_BATCH_IN_ORDER"}},
			&ucli.BoolFlag{Name: "allow-non-loopback", Usage: "allow an --addr that is not loopback (the emulator has no real authentication)", EnvVars: []string{"XTSYNC_EMULATOR_ALLOW_NON_LOOPBACK"}},
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runEmulator(c, e)
		},
		Subcommands: []*ucli.Command{emulatorTokenCommand(e), emulatorCycleCommand(e), emulatorRequestCommand(e)},
	}
}

func runEmulator(c *ucli.Context, e *env) error {
	faults, err := emulator.ParseFaults(c.String("faults"))
	if err != nil {
		return usageError("--faults: %v", err)
	}
	if c.Bool("tls") && c.String("state") == "" {
		return usageError("--tls needs --state: the certificate is written to cert.pem there")
	}
	if c.Bool("reseed") && c.String("seed") == "" && !c.Bool("example") {
		return usageError("--reseed needs --seed or --example")
	}
	if c.Bool("example") && c.String("seed") != "" {
		return usageError("--example and --seed: give one (the example brings its own snapshots)")
	}
	if c.Int("page-size") < 1 || c.Int("page-size") > 999 {
		return usageError("--page-size: want 1..999, got %d", c.Int("page-size"))
	}
	srv, err := emulator.New(emulator.Options{
		StateDir:         c.String("state"),
		Faults:           faults,
		Seed:             c.Int64("fault-seed"),
		PageSize:         c.Int("page-size"),
		AllowNonLoopback: c.Bool("allow-non-loopback"),
		Logger:           e.log,
		ReplicationDelay: c.Duration("replication-delay"),
		BatchInOrder:     c.Bool("batch-in-order"),
	})
	if err != nil {
		return err
	}
	if dir := c.String("seed"); dir != "" && (c.Bool("reseed") || srv.Empty()) {
		snaps, err := emulator.ReadSnapshotDir(dir)
		if err != nil {
			return fmt.Errorf("seed the emulator: %w", err)
		}
		if err := srv.Seed(snaps, emulator.SeedOptions{Configurations: c.Bool("seed-configs")}); err != nil {
			return fmt.Errorf("seed the emulator: %w", err)
		}
		e.log.Info("emulator seeded", "snapshots", dir, "tenants", len(snaps), "configurations", c.Bool("seed-configs"))
	} else if c.Bool("example") && (c.Bool("reseed") || srv.Empty()) {
		if err := seedExample(c.Context, srv, e.log); err != nil {
			return fmt.Errorf("seed the emulator with the example: %w", err)
		}
		e.log.Info("emulator seeded with the example organisation, as set up in the portal", "tenants", "contoso-eu,contoso-us,fabrikam-uk")
	} else if dir != "" {
		e.log.Info("emulator state is not empty: --seed ignored (use --reseed)", "state", srv.StatePath())
	} else if c.Bool("example") {
		e.log.Info("emulator state is not empty: --example ignored (use --reseed)", "state", srv.StatePath())
	}
	var url string
	if c.Bool("tls") {
		url, _, err = srv.StartTLS(c.String("addr"))
		if err == nil {
			e.log.Info("emulator certificate (trust it, e.g. NODE_EXTRA_CA_CERTS or curl --cacert)", "cert", filepath.Join(c.String("state"), emulator.CertFile))
		}
	} else {
		url, err = srv.Start(c.String("addr"))
	}
	if err != nil {
		if strings.Contains(err.Error(), "not loopback") {
			return usageError("%v", err)
		}
		return err
	}
	fmt.Fprintln(e.stdout, url)
	if c.Bool("allow-non-loopback") {
		e.log.Warn("the emulator accepts connections beyond this machine (--allow-non-loopback): it has no authentication, so anything that reaches it can read and change every tenant it holds and mint tokens; it also answers any Host and Origin", "url", url)
	}
	var names []string
	for id, name := range srv.TenantIDs() {
		names = append(names, nonEmptyName(name, id))
	}
	e.log.Info("emulator listening", "url", url, "tenants", strings.Join(slices.Sorted(slices.Values(names)), ","), "faults", faults.String())
	if every := c.Duration("cycle-interval"); every > 0 {
		go func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				select {
				case <-c.Context.Done():
					return
				case <-tick.C:
					for _, r := range srv.RunCycles() {
						e.log.Info("provisioning cycle", "tenant", r.Tenant, "config", r.Config, "state", r.State,
							"created", r.Created, "updated", r.Updated, "deleted", r.Deleted, "staged", r.Staged, "failed", r.Failed, "error", r.Error)
					}
				}
			}
		}()
	}
	<-c.Context.Done()
	e.log.Info("emulator stopping", "requests", srv.Requests().Requests)
	return srv.Close()
}

func nonEmptyName(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

func emulatorTokenCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "token",
		Usage:     "print a bearer token for the emulator",
		UsageText: "xtsync emulator token --tenant NAME|ID [--roles R,...] [--state DIR | --seed DIR]",
		Description: `Prints an unsigned JWT with the tenant's id (tid) and application permissions
(roles; all of them by default). The emulator reads only these two claims. A
tenant id always works; a tenant name is looked up in --state, else in the
--seed snapshots.

Example:
   curl -H "Authorization: Bearer $(xtsync emulator token --tenant 6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90 --roles User.Read.All)" \
        http://127.0.0.1:PORT/v1.0/users

Exit codes: 0 printed, 1 unknown tenant name, 2 usage error.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "tenant", Usage: "tenant `NAME` or id", EnvVars: []string{"XTSYNC_EMULATOR_TENANT"}},
			&ucli.StringFlag{Name: "roles", Usage: "comma-separated application permissions `R,...` (default: all)", EnvVars: []string{"XTSYNC_EMULATOR_ROLES"}},
			&ucli.StringFlag{Name: "state", Usage: "emulator state `DIR` to resolve tenant names", EnvVars: []string{"XTSYNC_EMULATOR_STATE"}},
			&ucli.StringFlag{Name: "seed", Usage: "snapshots `DIR` to resolve tenant names", EnvVars: []string{"XTSYNC_EMULATOR_SEED"}},
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			if c.String("tenant") == "" {
				return usageError("emulator token: --tenant is required")
			}
			id, err := resolveEmulatorTenant(c.String("tenant"), c.String("state"), c.String("seed"))
			if err != nil {
				return err
			}
			var roles []string
			if c.IsSet("roles") {
				roles = []string{}
				for _, r := range strings.Split(c.String("roles"), ",") {
					if r = strings.TrimSpace(r); r != "" {
						roles = append(roles, r)
					}
				}
			}
			fmt.Fprintln(e.stdout, emulator.Token(id, roles))
			return nil
		},
	}
}

// resolveEmulatorTenant maps a tenant name to its id through the state,
// then the seed snapshots; an id is returned as is.
func resolveEmulatorTenant(tenant, stateDir, seedDir string) (string, error) {
	if stateDir != "" {
		srv, err := emulator.New(emulator.Options{StateDir: stateDir})
		if err != nil {
			return "", err
		}
		if id, found := srv.ResolveTenant(tenant); found {
			return id, nil
		}
	}
	if seedDir != "" {
		snaps, err := emulator.ReadSnapshotDir(seedDir)
		if err != nil {
			return "", err
		}
		if s, found := snaps[tenant]; found {
			return strings.ToLower(s.TenantID), nil
		}
	}
	if emulator.IsTenantID(tenant) {
		return strings.ToLower(tenant), nil
	}
	return "", fmt.Errorf("emulator token: unknown tenant %q (give its id, or --state/--seed to look its name up)", tenant)
}
