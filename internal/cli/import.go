package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/reconcile"
	"github.com/xtsync/xtsync/reconcile/graph"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

func importCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "import",
		Usage:     "write a config repository from the live state of existing tenants",
		UsageText: "xtsync import --tenant NAME=TENANT_ID... --out DIR [--graph-url URL] [--auth KIND] [options]",
		Description: `Reads, from Microsoft Graph, the cross-tenant access partners, inbound user
sync settings and cross-tenant synchronization configurations of the given
tenants — scope assignments (named through a directory snapshot: groups by
display name, users by user principal name), scoping filters, the attribute
mappings that differ from the template's, object actions, deletion threshold,
started or paused — and writes a new config repository in DIR:

  tenants/<NAME>.yaml   one commented file per tenant, every key written out
  xtsync.yaml           the settings, defaults written out and explained
  .gitignore            .xtsync/, where the snapshots it pulled are kept

The repository passes xtsync validate, and xtsync reconcile --dry-run of it
changes nothing but this: a configuration made in the portal gets its
service principal id (id:), so the first reconcile adopts it (tags it as
xtsync's) instead of creating a twin. What the files cannot hold is left out
and said: a partner outside the given tenants that grants none of the trust
xtsync manages, a configuration without a job or whose target is not
imported, one with a mapping or filter the loader refuses. Reconcile leaves
what is left out as it is. Import only reads Graph; it never writes.

NAME is the handle the repository gives the tenant ([a-z0-9-]{1,63});
TENANT_ID its Entra tenant id. Name every tenant a configuration syncs to.
DIR must not exist, or be empty; nothing is written unless everything was
read (the repository appears whole or not at all).

Credentials and permissions: as xtsync reconcile --dry-run (read only):
Policy.Read.All, Application.Read.All, Synchronization.Read.All,
User.Read.All, GroupMember.Read.All, Organization.Read.All, AuditLog.Read.All.

Example, against the emulator (docs/getting-started.md):
  xtsync emulator --tls --state emu --seed testdata/example/snapshots &
  xtsync import --graph-url https://127.0.0.1:PORT --graph-ca emu/cert.pem \
    --tenant contoso-eu=0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c \
    --tenant contoso-us=6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90 --out identity

Exit codes: 0 written, 1 Graph could not be read or DIR not written (nothing
is left behind), 2 usage error.`,
		Flags: append([]ucli.Flag{
			&ucli.StringSliceFlag{Name: "tenant", Aliases: []string{"t"}, Usage: "a tenant to import, `NAME=TENANT_ID` (repeatable)", EnvVars: []string{"XTSYNC_IMPORT_TENANT"}},
			&ucli.StringFlag{Name: "out", Usage: "the new repository's `DIR` (must not exist, or be empty)", EnvVars: []string{"XTSYNC_IMPORT_OUT"}},
			&ucli.StringFlag{Name: "captured-at", Usage: "capture `TIME` written in the snapshots (RFC 3339; default now)", EnvVars: []string{"XTSYNC_CAPTURED_AT"}},
		}, graphFlags()...),
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runImport(c, e)
		},
	}
}

var tenantNameRE = regexp.MustCompile(`^[a-z0-9-]{1,63}$`)

// importTenants parses the --tenant NAME=ID flags.
func importTenants(specs []string) ([]*tenants.Tenant, error) {
	if len(specs) == 0 {
		return nil, usageError("import: --tenant NAME=TENANT_ID is required (once per tenant)")
	}
	var out []*tenants.Tenant
	names, ids := map[string]bool{}, map[string]bool{}
	for _, s := range specs {
		name, id, ok := strings.Cut(s, "=")
		name, id = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(id))
		switch {
		case !ok:
			return nil, usageError("--tenant %q: want NAME=TENANT_ID", s)
		case !tenantNameRE.MatchString(name):
			return nil, usageError("--tenant %q: the name must match [a-z0-9-]{1,63}", s)
		case !tenants.IsGUID(id):
			return nil, usageError("--tenant %q: %q is not a tenant id (a GUID)", s, id)
		case names[name]:
			return nil, usageError("--tenant: the name %s is given twice", name)
		case ids[id]:
			return nil, usageError("--tenant: the tenant id %s is given twice", id)
		}
		names[name], ids[id] = true, true
		out = append(out, &tenants.Tenant{Name: name, TenantID: id, File: tenants.TenantsDir + "/" + name + ".yaml"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// cloudOf is the cloud a Graph endpoint serves (global for any other host,
// the emulator's included).
func cloudOf(graphURL string) tenants.Cloud {
	u, err := url.Parse(graphURL)
	if err != nil {
		return tenants.CloudGlobal
	}
	switch h := strings.ToLower(u.Hostname()); {
	case h == "graph.microsoft.us" || h == "dod-graph.microsoft.us":
		return tenants.CloudUSGov
	case h == "microsoftgraph.chinacloudapi.cn":
		return tenants.CloudChina
	}
	return tenants.CloudGlobal
}

// checkOut refuses an --out that holds anything.
func checkOut(dir string) error {
	if dir == "" {
		return usageError("import: --out DIR is required")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("import: --out %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("import: --out %s is not empty: import writes a new repository (choose another directory)", dir)
	}
	return nil
}

func runImport(c *ucli.Context, e *env) error {
	ctx := c.Context
	skel, err := importTenants(c.StringSlice("tenant"))
	if err != nil {
		return err
	}
	out := c.String("out")
	if err := checkOut(out); err != nil {
		return err
	}
	now := time.Now()
	if s := c.String("captured-at"); s != "" {
		if now, err = time.Parse(time.RFC3339, s); err != nil {
			return usageError("--captured-at: want an RFC 3339 time like 2026-11-26T10:00:00Z, got %q", s)
		}
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(out)), 0o755); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	// Everything is written beside DIR first and renamed into place once
	// complete: a failed import leaves nothing behind.
	stage, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), ".xtsync-import-*")
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(stage)

	skelRepo := &tenants.Repo{Settings: tenants.DefaultSettings(), Tenants: skel}
	gc := newGraphClients(c, e)
	clients, err := gc.all(ctx, skelRepo)
	if err != nil {
		return err
	}
	orgs, err := readOrganizations(ctx, skel, clients)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	live, err := graph.ReadLive(ctx, clients)
	if err != nil {
		return fmt.Errorf("import: read the live state: %w", err)
	}
	cloud := cloudOf(c.String("graph-url"))
	its := make([]reconcile.ImportTenant, len(skel))
	for i, t := range skel {
		o := orgs[i]
		its[i] = reconcile.ImportTenant{Name: t.Name, TenantID: t.TenantID, DisplayName: o.DisplayName, InitialDomain: o.InitialDomain, Cloud: cloud}
		t.DisplayName, t.InitialDomain, t.Cloud = o.DisplayName, o.InitialDomain, cloud
	}

	// The snapshots name assigned groups and users; they are pulled with
	// what the imported configurations map and filter on, so that
	// simulate reads them as they are.
	first, _ := reconcile.ImportRepo(live, its, nil)
	snapDir := filepath.Join(stage, filepath.FromSlash(tenants.DefaultSettings().Snapshots))
	if _, err := pullSnapshots(ctx, c, e, gc, first, snapDir, first.Tenants, now); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	snaps, err := simulate.LoadSnapshots(os.DirFS(snapDir), ".")
	if err != nil {
		return fmt.Errorf("import: read the snapshots: %w", err)
	}
	repo, notes := reconcile.ImportRepo(live, its, reconcile.NewDirectory(plan.Snapshots(snaps)))

	files := importFiles(repo, notes)
	for _, name := range sortedFileNames(files) {
		p := filepath.Join(stage, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	// What was written must load: it is a bug of xtsync if it does not.
	_, diags := tenants.Load(gitfs.DirFS(stage))
	if diags.HasErrors() {
		for _, d := range diags.Errors() {
			fmt.Fprintln(e.stderr, d.String())
		}
		return fmt.Errorf("import: the repository written does not load (a bug in xtsync; please report it): nothing was written to %s", out)
	}
	if err := os.Remove(out); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("import: %w", err)
	}
	if err := os.Rename(stage, out); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	printImportSummary(e.stdout, out, repo, notes, len(snaps))
	return nil
}

// readOrganizations reads every tenant's /organization, a few at a time.
func readOrganizations(ctx context.Context, ts []*tenants.Tenant, clients map[string]*graph.Client) ([]graph.Organization, error) {
	out := make([]graph.Organization, len(ts))
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, pullParallelism)
	for i, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if out[i], errs[i] = clients[t.TenantID].Organization(ctx); errs[i] != nil {
				errs[i] = fmt.Errorf("tenant %s: %w", t.Name, errs[i])
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// importFiles renders the repository: tenant files with their notes,
// xtsync.yaml and .gitignore.
func importFiles(repo *tenants.Repo, notes []reconcile.ImportNote) map[string][]byte {
	files := map[string][]byte{
		".gitignore": []byte("# Directory snapshots and their delta links (xtsync snapshot pull): they hold\n# personal data and never belong in Git.\n.xtsync/\n"),
		tenants.SettingsFile: tenants.MarshalDefaultSettings(tenants.Comments{Docs: true, Head: []string{
			"xtsync.yaml: the settings of this config repository, every key written out",
			"with its default. Reference: docs/config-reference.md; editor schema:",
			"`xtsync schema --kind settings`.",
		}}),
	}
	byTenant := map[string][]reconcile.ImportNote{}
	for _, n := range notes {
		byTenant[n.Tenant] = append(byTenant[n.Tenant], n)
	}
	for _, t := range repo.Tenants {
		c := tenants.Comments{Docs: true, Notes: map[string]string{}, Head: []string{
			fmt.Sprintf("%s: %s, imported from Microsoft Graph by `xtsync import`.", t.File, nonEmptyStr(t.DisplayName, t.Name)),
			"",
			"This tenant's cross-tenant access settings (partners) and the cross-tenant",
			"synchronization configurations it is the source of (sync), as Entra holds them,",
			"every key written out. What Graph does not hold is for you to add: a target's",
			"guard rails (partners[].inbound.limits) and the built-in policies a",
			"configuration knowingly accepts (sync[].acknowledge).",
		}}
		var left []string
		for _, n := range byTenant[t.Name] {
			if n.Path == "" {
				left = append(left, n.Msg)
				continue
			}
			c.Notes[n.Path] = joinNote(c.Notes[n.Path], n.Msg)
		}
		if len(left) > 0 {
			c.Head = append(c.Head, "", "Left out of this file (not managed by xtsync; reconcile leaves them as they are):")
			for _, l := range left {
				c.Head = append(c.Head, "  - "+l)
			}
		}
		files[t.File] = tenants.MarshalCommented(t, c)
	}
	return files
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func nonEmptyStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sortedFileNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// printImportSummary says what was written, what was left out, and what
// to do next.
func printImportSummary(w io.Writer, out string, repo *tenants.Repo, notes []reconcile.ImportNote, snaps int) {
	adopt := 0
	for _, sc := range repo.SyncConfigs() {
		if sc.ID != "" {
			adopt++
		}
	}
	fmt.Fprintf(w, "imported %s into %s: %s, %s (%d made in the portal: the first reconcile adopts them by id)\n",
		report.Count(len(repo.Tenants), "tenant", "tenants"), out, report.Count(repo.Partnerships(), "partnership", "partnerships"),
		report.Count(len(repo.SyncConfigs()), "sync configuration", "sync configurations"), adopt)
	for _, t := range repo.Tenants {
		fmt.Fprintf(w, "  %-40s %s, %s\n", t.File, report.Count(len(t.Partners), "partner", "partners"), report.Count(len(t.Sync), "sync configuration", "sync configurations"))
	}
	var left []reconcile.ImportNote
	for _, n := range notes {
		if n.Left {
			left = append(left, n)
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(w, "left out (%d; reconcile leaves them as they are; each is noted at the top of its tenant's file):\n", len(left))
		for _, n := range left {
			fmt.Fprintf(w, "  %s: %s\n", n.Tenant, n.Msg)
		}
	}
	fmt.Fprintf(w, "snapshots of %d tenants in %s (kept out of Git by .gitignore)\n", snaps, filepath.Join(out, filepath.FromSlash(tenants.DefaultSettings().Snapshots)))
	fmt.Fprintf(w, `next:
  cd %s && git init -q -b main && git add -A && git commit -q -m "xtsync import"
  xtsync validate
  xtsync reconcile --dry-run     # what the first reconcile would write: the adoptions, nothing else
  xtsync init                    # adds an example policy with its test, CODEOWNERS and the CI workflow
`, out)
}
