package cli

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/deploy"
	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/tenants"
)

// scaffold holds the files init writes as they are: the example policy
// with its tests, and the CODEOWNERS head.
//
//go:embed scaffold
var scaffold embed.FS

func initCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "init",
		Usage:     "scaffold a config repository, or add what an imported one lacks",
		UsageText: "xtsync init [--tenant NAME=TENANT_ID] [--ci github|azure|none] [DIR | --repo DIR]",
		Description: `Writes, in DIR (or --repo; default: the current directory; made if missing), every file of
a config repository that is not there yet, and never touches one that is:

  xtsync.yaml                  the settings, every key at its default, explained
  tenants/NAME.yaml            one tenant file, commented, with examples of a
                               partner and a sync configuration (only when
                               tenants/ has no tenant file: after xtsync
                               import it has)
  policies/org.rego            an example policy of the organisation's own,
  policies/org_test.rego       with its tests (only when no policy exists)
  .gitignore                   the snapshots directory: snapshots hold personal
                               data and never belong in Git (added to an
                               existing .gitignore that lacks it)
  .github/CODEOWNERS           an example: who approves which tenant's file
  .github/workflows/xtsync.yml the GitHub Actions workflow (--ci github, the
                               default): check and the plan comment on pull
                               requests, reconcile on main and on a schedule
                               (docs/ci.md: the two applications, their
                               federated credentials and the variables it needs)
  azure-pipelines.yml          instead, with --ci azure: the same for Azure Pipelines

and prints what it wrote, what it kept, and the next steps. The tenant file
is for --tenant NAME=TENANT_ID, else a placeholder (my-tenant, tenant id
00000000-...) to rename. After 'xtsync import --out DIR', 'xtsync init DIR'
adds the policy, CODEOWNERS and the rest around the imported tenants.

Examples:
  xtsync init --tenant contoso-eu=0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c identity
  xtsync import --out identity --tenant ... && xtsync init identity

Exit codes: 0 written (or nothing to add), 1 a file could not be written
(the files this run made are removed), 2 usage error.`,
		Flags: []ucli.Flag{
			repoFlag(),
			&ucli.StringFlag{Name: "ci", Value: "github", Usage: "the CI pipeline to write: github, azure or none", EnvVars: []string{"XTSYNC_INIT_CI"}},
			&ucli.StringFlag{Name: "tenant", Aliases: []string{"t"}, Usage: "the tenant of the first tenant file, `NAME=TENANT_ID`", EnvVars: []string{"XTSYNC_INIT_TENANT"}},
		},
		Action: func(c *ucli.Context) error {
			dir := c.String("repo")
			switch args := c.Args().Slice(); {
			case len(args) > 1 && strings.HasPrefix(args[1], "-"):
				return usageError("init: flags go before DIR: xtsync init %s %s", strings.Join(args[1:], " "), args[0])
			case len(args) > 1:
				return usageError("init: one directory at most, got %q", args)
			case len(args) == 1 && c.IsSet("repo"):
				return usageError("init: give DIR or --repo, not both")
			case len(args) == 1:
				dir = args[0]
			}
			return runInit(c, e, dir)
		},
	}
}

// scaffoldFile is one file init writes: made anew, or added to (append).
type scaffoldFile struct {
	path   string // slash-separated, relative to the repository
	data   []byte
	append bool
}

func runInit(c *ucli.Context, e *env, dir string) error {
	ci := c.String("ci")
	if ci != "github" && ci != "azure" && ci != "none" {
		return usageError("--ci: want github, azure or none, got %q", ci)
	}
	var first *tenants.Tenant
	if s := c.String("tenant"); s != "" {
		ts, err := importTenants([]string{s})
		if err != nil {
			return err
		}
		first = ts[0]
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	files, kept, err := initPlan(dir, first, ci)
	if err != nil {
		return err
	}
	if _, err := writeScaffold(dir, files); err != nil {
		return err
	}
	printInitSummary(e.stdout, dir, files, kept)
	// What the directory holds now must load; the files of an earlier
	// hand may not, which validate reports in full.
	if _, ds := tenants.Load(gitfs.DirFS(dir)); ds.HasErrors() {
		fmt.Fprintf(e.stderr, "xtsync: init: the repository has %d error(s) in files init did not write: run xtsync validate --repo %s\n", len(ds.Errors()), dir)
	}
	return nil
}

// initPlan decides what init writes in dir: every file that is absent,
// the snapshots line added to a .gitignore without it. kept lists the
// files that are there already.
func initPlan(dir string, first *tenants.Tenant, ci string) (files []scaffoldFile, kept []string, err error) {
	exists := func(p string) bool {
		_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p)))
		return err == nil
	}
	add := func(p string, data []byte) {
		if exists(p) {
			kept = append(kept, p)
			return
		}
		files = append(files, scaffoldFile{path: p, data: data})
	}

	settings := tenants.DefaultSettings()
	if data, err := os.ReadFile(filepath.Join(dir, tenants.SettingsFile)); err == nil {
		if s, ds := tenants.ParseSettings(tenants.SettingsFile, data); !ds.HasErrors() {
			settings = s
		}
	}
	add(tenants.SettingsFile, tenants.MarshalDefaultSettings(tenants.Comments{Docs: true, Head: []string{
		"xtsync.yaml: the settings of this config repository, every key written out",
		"with its default. Reference: docs/config-reference.md; editor schema:",
		"`xtsync schema --kind settings`.",
	}}))

	tenantFiles, err := existingTenantFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(tenantFiles) == 0 {
		if first == nil {
			first = &tenants.Tenant{Name: "my-tenant", TenantID: "00000000-0000-0000-0000-000000000000"}
		}
		first.File = tenants.TenantsDir + "/" + first.Name + ".yaml"
		add(first.File, firstTenantFile(first))
		tenantFiles = []string{first.File}
	} else {
		kept = append(kept, tenantFiles...)
	}

	policyDir := "policies"
	if len(settings.Policies) > 0 {
		policyDir = path.Clean(filepath.ToSlash(settings.Policies[0]))
	}
	if !hasPolicies(dir, settings.Policies) {
		for _, name := range []string{"org.rego", "org_test.rego"} {
			data, err := scaffold.ReadFile("scaffold/policies/" + name)
			if err != nil {
				return nil, nil, fmt.Errorf("init: %w", err)
			}
			add(policyDir+"/"+name, data)
		}
	} else {
		kept = append(kept, policyDir+"/")
	}

	snaps := strings.Trim(path.Clean(filepath.ToSlash(nonEmptyStr(settings.Snapshots, ".xtsync/snapshots"))), "/")
	ignore := "/" + strings.SplitN(snaps, "/", 2)[0] + "/"
	if strings.HasPrefix(snaps, ".xtsync/") {
		ignore = "/.xtsync/" // the delta links and anything else xtsync keeps
	}
	gi, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		add(".gitignore", []byte("# Directory snapshots and their delta links (xtsync snapshot pull): they hold\n# personal data and never belong in Git.\n"+ignore+"\n"))
	case err != nil:
		return nil, nil, fmt.Errorf("init: %w", err)
	case ignores(string(gi), snaps):
		kept = append(kept, ".gitignore")
	default:
		line := "\n# Directory snapshots (xtsync snapshot pull): personal data, never in Git.\n" + ignore + "\n"
		if len(gi) > 0 && gi[len(gi)-1] != '\n' {
			line = "\n" + line
		}
		files = append(files, scaffoldFile{path: ".gitignore", data: []byte(line), append: true})
	}

	switch ci {
	case "github":
		add(deploy.GitHubWorkflowPath, pinRelease(deploy.GitHubWorkflow, Version))
	case "azure":
		add(deploy.AzurePipelinePath, pinRelease(deploy.AzurePipeline, Version))
	}

	owners, err := scaffold.ReadFile("scaffold/CODEOWNERS")
	if err != nil {
		return nil, nil, fmt.Errorf("init: %w", err)
	}
	var b strings.Builder
	b.Write(owners)
	for _, f := range tenantFiles {
		name := strings.TrimSuffix(path.Base(f), ".yaml")
		fmt.Fprintf(&b, "# /%s    @your-org/%s-admins\n", f, name)
	}
	add(".github/CODEOWNERS", []byte(b.String()))
	return files, kept, nil
}

// existingTenantFiles lists tenants/*.yaml in dir.
func existingTenantFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, tenants.TenantsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	var out []string
	for _, en := range entries {
		if !en.IsDir() && strings.HasSuffix(en.Name(), ".yaml") && !strings.HasPrefix(en.Name(), ".") {
			out = append(out, tenants.TenantsDir+"/"+en.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// hasPolicies reports whether any of the policy directories holds a .rego
// file.
func hasPolicies(dir string, dirs []string) bool {
	for _, d := range dirs {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(d)))
		if err != nil {
			continue
		}
		for _, en := range entries {
			if strings.HasSuffix(en.Name(), ".rego") {
				return true
			}
		}
	}
	return false
}

// ignores reports whether a .gitignore names the snapshots directory or
// one of its parents (a plain reading: one pattern per line, no globbing
// beyond a trailing slash).
func ignores(gitignore, snaps string) bool {
	for _, l := range strings.Split(gitignore, "\n") {
		l = strings.Trim(strings.TrimSpace(l), "/")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if snaps == l || strings.HasPrefix(snaps, l+"/") {
			return true
		}
	}
	return false
}

// firstTenantFile is a tenant file with every key written out, described,
// and examples of what to add.
func firstTenantFile(t *tenants.Tenant) []byte {
	t.Cloud, t.Partners, t.Sync = tenants.CloudGlobal, []*tenants.Partner{}, []*tenants.SyncConfig{}
	head := []string{
		t.File + ": one tenant of this repository, written by `xtsync init`.",
		"",
		"One file per tenant: its cross-tenant access settings (partners) and the",
		"cross-tenant synchronization configurations it is the source of (sync).",
		"CODEOWNERS can then give each tenant's administrators their own file.",
		"Reference: docs/config-reference.md; editor schema: `xtsync schema`.",
	}
	if strings.Trim(t.TenantID, "0-") == "" {
		head = append(head, "", "Rename the file and `name`, and set `tenantId` to your tenant's id",
			"(Entra admin center: Overview; or `az account show --query tenantId`).")
	}
	return tenants.MarshalCommented(t, tenants.Comments{Docs: true, Head: head, Foot: []string{
		"Examples. To let another tenant of this repository sync its users into this one:",
		"",
		"partners:",
		"  - tenant: other-tenant            # its file is tenants/other-tenant.yaml",
		"    inbound: {userSync: true, autoRedeem: true}",
		"",
		"To sync this tenant's users into another (whose file must allow it, as above),",
		"with outbound automatic redemption towards it:",
		"",
		"partners:",
		"  - tenant: other-tenant",
		"    outbound: {autoRedeem: true}",
		"sync:",
		"  - name: to-other-tenant",
		"    target: other-tenant",
		"    scope: {groups: [All-Staff]}   # direct members of this group",
		"    deletionThreshold: 500",
	}})
}

// writeScaffold writes files into dir, each atomically; on a failure it
// removes the files it made, and returns the error.
func writeScaffold(dir string, files []scaffoldFile) ([]string, error) {
	var made []string
	fail := func(err error) ([]string, error) {
		for _, p := range made {
			os.Remove(filepath.Join(dir, filepath.FromSlash(p)))
		}
		return nil, fmt.Errorf("init: %w (nothing was left written)", err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if f.append {
			continue // after every new file: an append cannot be taken back
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fail(err)
		}
		if err := writeFileAtomic(p, func(w *os.File) error { _, err := w.Write(f.data); return err }); err != nil {
			return fail(err)
		}
		made = append(made, f.path)
	}
	for _, f := range files {
		if !f.append {
			continue
		}
		w, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(f.path)), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fail(err)
		}
		_, err = w.Write(f.data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail(err)
		}
	}
	return made, nil
}

func printInitSummary(w io.Writer, dir string, files []scaffoldFile, kept []string) {
	if len(files) == 0 {
		fmt.Fprintf(w, "%s has every file init writes: nothing to add\n", dir)
	}
	for _, f := range files {
		verb := "wrote"
		if f.append {
			verb = "added the snapshots directory to"
		}
		fmt.Fprintf(w, "%s %s\n", verb, path.Join(filepath.ToSlash(dir), f.path))
	}
	if len(kept) > 0 {
		fmt.Fprintf(w, "kept (already there): %s\n", strings.Join(kept, ", "))
	}
	cd := ""
	if dir != "." {
		cd = "  cd " + dir + "\n"
	}
	fmt.Fprintf(w, `next:
%s  xtsync validate                   # the repository loads: file:line:col for anything wrong
  xtsync policy test                # the example policy's tests pass
  xtsync snapshot pull && xtsync check   # the policies on the tenants as they are now
  git add -A && git commit -m "xtsync init"
  then edit .github/CODEOWNERS, set up the CI's applications (docs/ci.md), and see
  docs/getting-started.md for the first pull request and the scheduled reconcile
`, cd)
}

// releaseTag is a release version of xtsync (what `make dist` tags).
var releaseTag = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// pinRelease pins a CI template to this binary's release when it is one:
// the templates pin the release they were written for (v0.1.0), and a
// repository scaffolded by vX.Y.Z should run vX.Y.Z.
func pinRelease(template []byte, version string) []byte {
	if !releaseTag.MatchString(version) {
		return template
	}
	return bytes.ReplaceAll(template, []byte("v0.1.0"), []byte(version))
}
