package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/deploy"
	"github.com/xtsync/xtsync/internal/gen"
	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/reconcile"
	"github.com/xtsync/xtsync/reconcile/emulator"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// The import tests run `xtsync import` in process against the emulator
// over TLS (msgraph-sdk-go, as in production), check that the repository
// it writes passes validate, says what Graph holds, and that a reconcile
// of it (a real Git repository) writes nothing but the adoption of the
// configurations made in the portal.

// runImport runs xtsync import of the given NAME=ID tenants into out.
func (x *e2e) runImport(out string, specs ...string) runResult {
	x.t.Helper()
	args := []string{"xtsync", "import", "--graph-url", x.url, "--graph-ca", x.ca, "--out", out, "--captured-at", "2026-11-26T10:00:00Z"}
	for _, s := range specs {
		args = append(args, "--tenant", s)
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, &stdout, &stderr)
	return runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// useRepo makes dir a Git repository on main with everything committed,
// and the repository the next reconciles read.
func (x *e2e) useRepo(dir string) {
	x.t.Helper()
	g, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		x.t.Fatal(err)
	}
	x.repo, x.git = dir, g
	x.commit("xtsync import", nil)
}

// validate runs xtsync validate on dir and returns its exit code and output.
func validateRepo(t *testing.T, dir string) runResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"xtsync", "validate", "--repo", dir}, &stdout, &stderr)
	return runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// tenantSpecs are the --tenant flags of a repository's tenants.
func tenantSpecs(t *testing.T, fsys string) []string {
	t.Helper()
	repo := loadDir(t, fsys)
	var out []string
	for _, tn := range repo.Tenants {
		out = append(out, tn.Name+"="+tn.TenantID)
	}
	return out
}

func loadDir(t *testing.T, dir string) *tenants.Repo {
	t.Helper()
	repo, ds := tenants.Load(gitfs.DirFS(dir))
	if ds.HasErrors() {
		t.Fatalf("load %s: %v", dir, ds)
	}
	return repo
}

// canonical is repo as Graph can say it: scope references as object ids
// (sorted), no display names, ids or settings, and none of what only the
// repository holds (inbound limits, acknowledge).
func canonical(t *testing.T, repo *tenants.Repo, dir reconcile.Directory) *tenants.Repo {
	t.Helper()
	repo.Settings = tenants.DefaultSettings()
	for _, tn := range repo.Tenants {
		tn.DisplayName = ""
		for _, p := range tn.Partners {
			if p.Inbound != nil {
				p.Inbound.Limits = nil
			}
		}
		for _, sc := range tn.Sync {
			sc.ID, sc.Acknowledge = "", []string{}
			for i, g := range sc.Scope.Groups {
				id, ok := dir.GroupID(tn.TenantID, g)
				if !ok {
					t.Fatalf("sync/%s: group %q does not resolve", sc.Key(), g)
				}
				sc.Scope.Groups[i] = strings.ToLower(id)
			}
			for i, u := range sc.Scope.Users {
				id, ok := dir.UserID(tn.TenantID, u)
				if !ok {
					t.Fatalf("sync/%s: user %q does not resolve", sc.Key(), u)
				}
				sc.Scope.Users[i] = strings.ToLower(id)
			}
			sort.Strings(sc.Scope.Groups)
			sort.Strings(sc.Scope.Users)
			// Either vocabulary names an attribute (mobilePhone is mobile).
			for i := range sc.Scope.Filters {
				for j := range sc.Scope.Filters[i].Clauses {
					c := &sc.Scope.Filters[i].Clauses[j]
					c.Attribute = tenants.ProvisioningName(c.Attribute)
				}
			}
		}
	}
	return repo
}

func directoryOf(t *testing.T, snapDir string) reconcile.Directory {
	t.Helper()
	snaps, err := simulate.LoadSnapshots(os.DirFS(snapDir), ".")
	if err != nil {
		t.Fatal(err)
	}
	return reconcile.NewDirectory(plan.Snapshots(snaps))
}

// adoptions are the changes of a report that adopt a configuration: an
// update of its app that adds xtsync's tags, and nothing else.
func changeObjects(r *runResult) []string {
	out := []string{}
	for _, c := range r.report.Changes {
		var fields []string
		for _, f := range c.Fields {
			fields = append(fields, f.Name)
		}
		out = append(out, string(c.Action)+" "+c.Object+" "+strings.Join(fields, ","))
	}
	sort.Strings(out)
	return out
}

// TestImportPortalSetup: the example organisation as a team that runs
// cross-tenant sync from the portal has it (trust, two started
// configurations, untagged) imports as the example; validate passes; the
// dry run of the imported repository plans the adoption of the two
// configurations and nothing else; applied, it writes exactly that; the
// next run has nothing to do.
func TestImportPortalSetup(t *testing.T) {
	x := newE2E(t, e2eOptions{seedConfigs: true})
	example := filepath.Join("..", "..", "testdata", "example")
	snaps, err := emulator.ReadSnapshotDir(filepath.Join(example, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	if err := seedAsPortal(context.Background(), x.srv, loadDir(t, example), snaps, discardLogger()); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(x.work, "imported")
	r := x.runImport(out, tenantSpecs(t, example)...)
	if r.code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "imported 3 tenants into "+out+": 2 partnerships, 2 sync configurations (2 made in the portal") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	for _, f := range []string{".gitignore", "xtsync.yaml", "tenants/contoso-eu.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml", ".xtsync/snapshots/contoso-eu.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if v := validateRepo(t, out); v.code != 0 || strings.Contains(v.stderr, "warning") {
		t.Errorf("validate: exit %d\n%s%s", v.code, v.stdout, v.stderr)
	}
	got := loadDir(t, out)
	for _, sc := range got.SyncConfigs() {
		if want := x.configID(got.Tenant(sc.Source).TenantID, sc.Name); sc.ID != want {
			t.Errorf("sync/%s: id %q, want the portal's %s", sc.Key(), sc.ID, want)
		}
	}
	dir := directoryOf(t, filepath.Join(out, ".xtsync", "snapshots"))
	if d := plan.Diff(canonical(t, loadDir(t, example), dir), canonical(t, got, dir)); len(d) > 0 {
		t.Errorf("the import differs from the example (beyond what only a repository holds): %+v", d)
	}

	x.useRepo(out)
	dry := x.reconcile("--dry-run", "--detailed-exitcode")
	dry.want(t, ExitChanges)
	want := []string{"update sync/contoso-eu/eu-to-us/app tags", "update sync/fabrikam-uk/uk-to-us/app tags"}
	if d := cmp.Diff(want, changeObjects(&dry)); d != "" {
		t.Errorf("dry run changes (-want +got):\n%s\n%s", d, dry.stdout)
	}
	for _, g := range dry.report.Gates {
		if g.Result != "pass" {
			t.Errorf("gate %s: %s", g.Gate, g.Result)
		}
	}

	before := x.writes.Load()
	x.reconcile().want(t, ExitOK)
	if n := x.writes.Load() - before; n != 2 {
		t.Errorf("the first reconcile wrote %d requests, want 2 (the tags of the two configurations)", n)
	}
	again := x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitOK)
	if len(again.report.Changes) != 0 {
		t.Errorf("after the adoption: %v", changeObjects(&again))
	}
}

// TestImportSeededConfigurations: the portal's configurations as the seed
// makes them (paused, nothing assigned, no trust) import as they are:
// validate passes (with the warnings such a setup deserves), and the only
// changes a reconcile would make are the adoptions.
func TestImportSeededConfigurations(t *testing.T) {
	x := newE2E(t, e2eOptions{seedConfigs: true})
	example := filepath.Join("..", "..", "testdata", "example")
	out := filepath.Join(x.work, "imported")
	x.runImport(out, tenantSpecs(t, example)...).want(t, ExitOK)
	if v := validateRepo(t, out); v.code != 0 {
		t.Fatalf("validate: exit %d\n%s", v.code, v.stderr)
	}
	got := loadDir(t, out)
	for _, sc := range got.SyncConfigs() {
		if sc.Enabled || sc.ID == "" || len(sc.Scope.Groups)+len(sc.Scope.Users) > 0 || sc.Scope.All {
			t.Errorf("sync/%s: %+v, want paused, nothing assigned, with the portal's id", sc.Key(), sc)
		}
	}
	x.useRepo(out)
	dry := x.reconcile("--dry-run")
	want := []string{"update sync/contoso-eu/eu-to-us/app tags", "update sync/fabrikam-uk/uk-to-us/app tags"}
	if d := cmp.Diff(want, changeObjects(&dry)); d != "" {
		t.Errorf("dry run changes (-want +got):\n%s\n%s", d, dry.stdout)
	}
}

// TestImportGeneratedStates: generated repositories, applied by a
// reconcile, import as themselves (what Graph holds of them), and the
// imported repository asks for nothing; with the tags taken off (the same
// state made in the portal) it asks for the adoptions alone.
func TestImportGeneratedStates(t *testing.T) {
	for _, seed := range []uint64{2, 5} {
		t.Run("seed"+string(rune('0'+seed)), func(t *testing.T) {
			g, err := gen.Generate(gen.Options{Tenants: 3, Users: 300, Configs: 6, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "gen")
			if err := g.Write(src, gen.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			x := newE2E(t, e2eOptions{repo: src})
			x.reconcile("--allow-deletes").want(t, ExitOK)

			out := filepath.Join(x.work, "imported")
			r := x.runImport(out, tenantSpecs(t, src)...).want(t, ExitOK)
			if strings.Contains(r.stdout, "left out") {
				t.Errorf("nothing is left out of a state xtsync made:\n%s", r.stdout)
			}
			if v := validateRepo(t, out); v.code != 0 {
				t.Fatalf("validate: exit %d\n%s", v.code, v.stderr)
			}
			got := loadDir(t, out)
			for _, sc := range got.SyncConfigs() {
				if sc.ID != "" {
					t.Errorf("sync/%s: id %s for a configuration xtsync made (its tags name it)", sc.Key(), sc.ID)
				}
			}
			dir := directoryOf(t, filepath.Join(out, ".xtsync", "snapshots"))
			if d := plan.Diff(canonical(t, loadDir(t, src), dir), canonical(t, got, dir)); len(d) > 0 {
				t.Errorf("the import differs from the generated repository: %+v", d)
			}
			x.useRepo(out)
			if dry := x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitOK); len(dry.report.Changes) != 0 {
				t.Errorf("dry run of the import: %v", changeObjects(&dry))
			}

			// The same state, made in the portal: no tags.
			var want []string
			for _, sc := range got.SyncConfigs() {
				tid := got.Tenant(sc.Source).TenantID
				id := x.configID(tid, sc.Name)
				if code, body := x.graph(tid, "PATCH", "servicePrincipals/"+id, map[string]any{"tags": []string{}}); code != 204 {
					t.Fatalf("untag %s: %d %v", id, code, body)
				}
				want = append(want, "update sync/"+sc.Key()+"/app tags")
			}
			sort.Strings(want)
			out2 := filepath.Join(x.work, "imported-portal")
			x.runImport(out2, tenantSpecs(t, src)...).want(t, ExitOK)
			x.useRepo(out2)
			dry := x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitChanges)
			if d := cmp.Diff(want, changeObjects(&dry)); d != "" {
				t.Errorf("dry run of the portal's state (-want +got):\n%s", d)
			}
		})
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestSeedExample: `xtsync emulator --example` holds the example as made in
// the portal: both configurations started, assigned and untagged, the
// target's trust in place.
func TestSeedExample(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedExample(context.Background(), srv, discardLogger()); err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for tenant, want := range map[string]string{
		euID: `"displayName":"eu-to-us"`,
		ukID: `"displayName":"uk-to-us"`,
	} {
		body := emulatorGet(t, h, tenant, "servicePrincipals?$select=id,displayName,tags")
		if !strings.Contains(body, want) || strings.Contains(body, `"xtsync`) {
			t.Errorf("%s: service principals %s, want %s untagged", tenant, body, want)
		}
	}
	if body := emulatorGet(t, h, usID, "policies/crossTenantAccessPolicy/partners/"+euID+"/identitySynchronization"); !strings.Contains(body, `"isSyncAllowed":true`) {
		t.Errorf("contoso-us allows no user sync from contoso-eu: %s", body)
	}
}

func emulatorGet(t *testing.T, h http.Handler, tenant, path string) string {
	t.Helper()
	req := httptest.NewRequest("GET", "http://127.0.0.1/v1.0/"+path, nil)
	req.Header.Set("Authorization", "Bearer "+emulator.Token(tenant, nil))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("GET %s as %s: %d %s", path, tenant, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestInitWritesTheCIWorkflow: init writes deploy's workflow as it is (a
// development build), and pinned to the binary's release when it is one.
func TestInitWritesTheCIWorkflow(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"xtsync", "init", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(deploy.GitHubWorkflowPath)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, deploy.GitHubWorkflow) {
		t.Errorf("the workflow written is not deploy/github/xtsync.yml")
	}
	pinned := string(pinRelease(deploy.GitHubWorkflow, "v1.4.2"))
	if strings.Contains(pinned, "v0.1.0") || !strings.Contains(pinned, "XTSYNC_VERSION: v1.4.2") || !strings.Contains(pinned, "uses: xtsync/xtsync@v1.4.2") {
		t.Errorf("pinned to v1.4.2:\n%s", pinned)
	}
	for _, v := range []string{"dev", "v1.4.2-3-gabcdef", "v1.4.2-dirty"} {
		if !bytes.Equal(pinRelease(deploy.GitHubWorkflow, v), deploy.GitHubWorkflow) {
			t.Errorf("version %s is not a release: the template must stay as it is", v)
		}
	}
}
