package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/reconcile/emulator"
)

// The reconcile tests run the whole command in-process against the Graph
// emulator over TLS, through msgraph-sdk-go, as in production: a real Git
// repository made by the test, real OPA, the emulator's request log as the
// independent count of what was written.

const (
	euID = "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"
	usID = "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"
	ukID = "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"
)

// e2e is one emulator, one config repository and the directories a run
// uses.
type e2e struct {
	t    testing.TB
	srv  *emulator.Server
	http *httptest.Server
	url  string
	ca   string // the emulator certificate, for --graph-ca
	work string
	repo string // the config repository's working tree
	git  *git.Repository

	// onWrite, when set, is called after the emulator answered each Graph
	// write request (POST, PUT, PATCH, DELETE but $batch and control).
	onWrite func(n int64)
	writes  atomic.Int64
}

type e2eOptions struct {
	seedConfigs bool   // the portal-made configurations of the example's links
	faults      string // emulator fault spec
	// repo is the repository to start from (default the example), with its
	// snapshots in repo/snapshots.
	repo string
}

func newE2E(t testing.TB, o e2eOptions) *e2e {
	t.Helper()
	x := &e2e{t: t, work: t.TempDir()}
	if o.repo == "" {
		o.repo = filepath.Join("..", "..", "testdata", "example")
	}
	snaps, err := emulator.ReadSnapshotDir(filepath.Join(o.repo, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	opts := emulator.Options{Seed: 1, ReplicationReads: 2}
	if o.faults != "" {
		if opts.Faults, err = emulator.ParseFaults(o.faults); err != nil {
			t.Fatal(err)
		}
	}
	if x.srv, err = emulator.New(opts); err != nil {
		t.Fatal(err)
	}
	if err := x.srv.Seed(snaps, emulator.SeedOptions{Configurations: o.seedConfigs}); err != nil {
		t.Fatal(err)
	}
	h := x.srv.Handler()
	x.http = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.Method != http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1.0/") && !strings.HasSuffix(r.URL.Path, "$batch") {
			n := x.writes.Add(1)
			if x.onWrite != nil {
				x.onWrite(n)
			}
		}
	}))
	x.http.StartTLS()
	t.Cleanup(x.http.Close)
	x.url = x.http.URL
	x.ca = filepath.Join(x.work, "emulator.pem")
	if err := os.WriteFile(x.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.http.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}

	// The config repository: the example, committed on main.
	x.repo = filepath.Join(x.work, "repo")
	if err := os.CopyFS(x.repo, os.DirFS(o.repo)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(x.repo, "snapshots")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(x.repo, ".gitignore"), []byte("snapshots/\n.xtsync/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	x.git, err = git.PlainInitWithOptions(x.repo, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatal(err)
	}
	x.commit("the example", nil)
	return x
}

// commit applies edits (path -> function of the old content) to the
// working tree and commits everything.
func (x *e2e) commit(msg string, edits map[string]func(string) string) string {
	x.t.Helper()
	return x.commitWith(msg, edits, nil)
}

// commitWith is commit with opts changing the commit's options (a signing
// key, a signer).
func (x *e2e) commitWith(msg string, edits map[string]func(string) string, opts func(*git.CommitOptions)) string {
	x.t.Helper()
	for name, edit := range edits {
		p := filepath.Join(x.repo, filepath.FromSlash(name))
		old, _ := os.ReadFile(p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			x.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(edit(string(old))), 0o644); err != nil {
			x.t.Fatal(err)
		}
	}
	wt, err := x.git.Worktree()
	if err != nil {
		x.t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		x.t.Fatal(err)
	}
	co := &git.CommitOptions{Author: &object.Signature{Name: "Test", Email: "test@example.com", When: time.Unix(1764000000, 0)}}
	if opts != nil {
		opts(co)
	}
	h, err := wt.Commit(msg, co)
	if err != nil {
		x.t.Fatal(err)
	}
	return h.String()
}

type runResult struct {
	code           int
	stdout, stderr string
	report         *report.Reconcile
}

// reconcile runs xtsync reconcile against the emulator with ctx (nil:
// background) and returns its exit code, output and JSON report.
func (x *e2e) reconcileCtx(ctx context.Context, args ...string) runResult {
	x.t.Helper()
	if ctx == nil {
		ctx = context.Background()
	}
	rep := filepath.Join(x.work, "report.json")
	os.Remove(rep)
	full := append([]string{"xtsync", "reconcile", "--repo", x.repo, "--graph-url", x.url, "--graph-ca", x.ca,
		"--lock-dir", filepath.Join(x.work, "lock"), "--cache-dir", filepath.Join(x.work, "cache"), "--report", rep}, args...)
	var stdout, stderr bytes.Buffer
	code := Run(ctx, full, &stdout, &stderr)
	r := runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
	if b, err := os.ReadFile(rep); err == nil {
		r.report = &report.Reconcile{}
		if err := json.Unmarshal(b, r.report); err != nil {
			x.t.Fatalf("the run report is not JSON: %v\n%s", err, b)
		}
	}
	return r
}

func (x *e2e) reconcile(args ...string) runResult {
	x.t.Helper()
	return x.reconcileCtx(nil, args...)
}

// waitUnlocked waits until no run holds the repository's lock: in a test
// the command of a cancelled Run may still be winding down (Run gives up
// on it 5 s after the cancel, the goroutine goes on), where a process
// would have ended.
func (x *e2e) waitUnlocked() {
	x.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		entries, _ := os.ReadDir(filepath.Join(x.work, "lock"))
		if len(entries) == 0 {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the lock is still held a minute after the run: %v", entries)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// want checks a run's exit code, printing its output when it differs.
func (r runResult) want(t *testing.T, code int) runResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

// graph sends one Graph request to the emulator as tenant.
func (x *e2e) graph(tenant, method, path string, body any) (int, map[string]any) {
	x.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, x.url+"/v1.0/"+path, rd)
	if err != nil {
		x.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+emulator.Token(tenant, nil))
	req.Header.Set("Content-Type", "application/json")
	resp, err := x.http.Client().Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// cycle runs one provisioning cycle of every started job.
func (x *e2e) cycle() []emulator.CycleResult {
	x.t.Helper()
	return x.srv.RunCycles()
}

// configID is the service principal id of the configuration named name in
// tenant (the first of that display name).
func (x *e2e) configID(tenant, name string) string {
	x.t.Helper()
	code, out := x.graph(tenant, "GET", "servicePrincipals?$filter=displayName%20eq%20'"+name+"'&$select=id,tags", nil)
	if code != 200 {
		x.t.Fatalf("list service principals: %d %v", code, out)
	}
	vs, _ := out["value"].([]any)
	if len(vs) == 0 {
		x.t.Fatalf("no service principal %q in %s", name, tenant)
	}
	return vs[0].(map[string]any)["id"].(string)
}

// schemaPath is the Graph path of the schema of a configuration's job.
func (x *e2e) schemaPath(tenant, sp string) string {
	x.t.Helper()
	_, jobs := x.graph(tenant, "GET", "servicePrincipals/"+sp+"/synchronization/jobs", nil)
	job := jobs["value"].([]any)[0].(map[string]any)["id"].(string)
	return "servicePrincipals/" + sp + "/synchronization/jobs/" + job + "/schema"
}

// editMappings edits the live schema of a configuration through Graph, as
// an admin would in the portal: edit is called with each attribute
// mapping's target and source and says whether it changed it.
func (x *e2e) editMappings(tenant, sp string, edit func(target string, src map[string]any) bool) {
	x.t.Helper()
	path := x.schemaPath(tenant, sp)
	code, schema := x.graph(tenant, "GET", path, nil)
	if code != 200 {
		x.t.Fatalf("get schema: %d", code)
	}
	edited := false
	for _, r := range schema["synchronizationRules"].([]any) {
		for _, om := range r.(map[string]any)["objectMappings"].([]any) {
			for _, am := range om.(map[string]any)["attributeMappings"].([]any) {
				m := am.(map[string]any)
				if src, ok := m["source"].(map[string]any); ok && edit(m["targetAttributeName"].(string), src) {
					edited = true
				}
			}
		}
	}
	if !edited {
		x.t.Fatal("no mapping of the live schema was edited")
	}
	delete(schema, "@odata.context")
	if code, out := x.graph(tenant, "PUT", path, schema); code != 204 {
		x.t.Fatalf("put schema: %d %v", code, out)
	}
}

// deleteAnAssignment removes the first app role assignment of a
// configuration through Graph.
func (x *e2e) deleteAnAssignment(tenant, sp string) {
	x.t.Helper()
	_, as := x.graph(tenant, "GET", "servicePrincipals/"+sp+"/appRoleAssignedTo", nil)
	id := as["value"].([]any)[0].(map[string]any)["id"].(string)
	if code, out := x.graph(tenant, "DELETE", "servicePrincipals/"+sp+"/appRoleAssignedTo/"+id, nil); code != 204 {
		x.t.Fatalf("delete assignment: %d %v", code, out)
	}
}

func results(r *report.Reconcile) map[string]int {
	out := map[string]int{}
	for _, c := range r.Changes {
		out[c.Result]++
	}
	return out
}

func gateResult(r *report.Reconcile, gate string) string {
	for _, g := range r.Gates {
		if g.Gate == gate {
			return g.Result
		}
	}
	return ""
}

// TestReconcileFromNothing: from tenants with their directories alone to
// the example's trust and configurations; a second run writes nothing
// (counted by the emulator); a cycle and a pull later, nothing is left to
// do and the plan shows no drift.
func TestReconcileFromNothing(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	dry := x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitChanges)
	if n := len(dry.report.Changes); n != 18 {
		t.Errorf("dry run: %d changes planned, want 18:\n%s", n, dry.stdout)
	}
	if w := x.srv.Requests().Writes; w != 0 {
		t.Fatalf("a dry run wrote %d times", w)
	}

	first := x.reconcile().want(t, ExitOK)
	if !first.report.Converged {
		t.Errorf("first run did not converge:\n%s", first.stdout)
	}
	if got := results(first.report); got["failed"]+got["skipped"] != 0 {
		t.Errorf("first run results %v:\n%s", got, first.stdout)
	}
	for _, want := range []string{"+ partner/contoso-us/contoso-eu  (created)", "+ sync/contoso-eu/eu-to-us/app  (created)",
		"~ sync/contoso-eu/eu-to-us/state  (updated)", "converged: the live state matches the repository"} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("first run output lacks %q:\n%s", want, first.stdout)
		}
	}

	// Idempotent: the second run writes nothing, by the emulator's count.
	x.srv.ResetStats()
	second := x.reconcile().want(t, ExitOK)
	if w := x.srv.Requests().Writes; w != 0 {
		t.Errorf("the second run wrote %d times (by the emulator's request log):\n%s", w, second.stdout)
	}
	if n := len(second.report.Changes); n != 0 || !second.report.Converged {
		t.Errorf("the second run planned %d changes, converged %v", n, second.report.Converged)
	}

	// The emulator's provisioning engine reads only Graph objects: what it
	// does proves what reconcile wrote encodes the configuration.
	var created int
	for _, c := range x.cycle() {
		if c.State != "Active" {
			t.Errorf("cycle of %s: state %s %s", c.Config, c.State, c.Error)
		}
		created += c.Created
	}
	if created == 0 {
		t.Error("the first cycle created no B2B user")
	}
	x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitOK)
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"xtsync", "plan", "--repo", x.repo, "--base", "main", "--head", "main",
		"--detailed-exitcode"}, &stdout, &stderr)
	if code != ExitOK || !strings.Contains(stdout.String(), "Drift not explained by this change (head simulated vs the target snapshots as they are now, users listed above left out): 0") {
		t.Errorf("plan after the cycle: exit %d, want 0 and no drift\n%s\n%s", code, stdout.String(), stderr.String())
	}
}

// TestReconcileAdoptsAndGatesDeletions: the configurations the example's
// links imply exist, made in the portal. The ownership gate refuses them
// by name until the repository adopts them by id; then the deletion gate
// refuses the soft-deletes the run would cause until --allow-deletes.
// Nothing is written before that.
func TestReconcileAdoptsAndGatesDeletions(t *testing.T) {
	x := newE2E(t, e2eOptions{seedConfigs: true})
	r := x.reconcile().want(t, ExitDenied)
	if gateResult(r.report, report.GateOwnership) != report.GateDeny {
		t.Fatalf("ownership gate %q:\n%s", gateResult(r.report, report.GateOwnership), r.stdout)
	}
	eu, uk := x.configID(euID, "eu-to-us"), x.configID(ukID, "uk-to-us")
	if !strings.Contains(r.stdout, "write id: "+eu+" in sync eu-to-us") {
		t.Errorf("the refusal does not say how to adopt:\n%s", r.stdout)
	}
	if w := x.srv.Requests().Writes; w != 0 {
		t.Fatalf("a refused run wrote %d times", w)
	}

	adopt := func(name, id string) func(string) string {
		return func(s string) string {
			i := strings.Index(s, "  - name: "+name)
			j := i + strings.Index(s[i:], "\n") + 1
			return s[:j] + "    id: " + id + "\n" + s[j:]
		}
	}
	x.commit("adopt the portal's configurations", map[string]func(string) string{
		"tenants/contoso-eu.yaml": adopt("eu-to-us", eu), "tenants/fabrikam-uk.yaml": adopt("uk-to-us", uk)})
	r = x.reconcile().want(t, ExitDenied)
	if gateResult(r.report, report.GateDeletions) != report.GateDeny || gateResult(r.report, report.GateOwnership) != report.GatePass {
		t.Fatalf("gates after adoption:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "--allow-deletes") || !strings.Contains(r.stdout, "emma@contoso.eu") {
		t.Errorf("the deletion gate does not name the users and the way through:\n%s", r.stdout)
	}
	if w := x.srv.Requests().Writes; w != 0 {
		t.Fatalf("a refused run wrote %d times", w)
	}

	r = x.reconcile("--allow-deletes").want(t, ExitOK)
	if gateResult(r.report, report.GateDeletions) != report.GateOverridden || !r.report.Converged {
		t.Fatalf("with --allow-deletes:\n%s", r.stdout)
	}
	// Adopted: the portal's service principals, now tagged.
	code, sp := x.graph(euID, "GET", "servicePrincipals/"+eu+"?$select=tags", nil)
	if code != 200 || !strings.Contains(strings.Join(anyStrings(sp["tags"]), " "), "xtsync:sync:contoso-eu/eu-to-us") {
		t.Errorf("the adopted configuration is not tagged: %d %v", code, sp)
	}
	// The emulator's engine, independent of the simulator, does what the
	// simulator predicted on the snapshots the run pulled.
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"xtsync", "simulate", "--repo", x.repo, "--output", "json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("simulate: exit %d\n%s", code, stderr.String())
	}
	var sim struct {
		Configs []struct {
			Name   string         `json:"name"`
			Counts map[string]int `json:"counts"`
		} `json:"configs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &sim); err != nil {
		t.Fatal(err)
	}
	predicted := map[string][4]int{}
	for _, c := range sim.Configs {
		n := c.Counts
		predicted[c.Name] = [4]int{n["create"], n["update"] + n["restore"] + n["disable"], n["delete"], n["fail"]}
	}
	got := map[string][4]int{}
	for _, c := range x.cycle() {
		got[c.Config] = [4]int{c.Created, c.Updated, c.Deleted, c.Failed}
	}
	if d := cmp.Diff(predicted, got); d != "" {
		t.Errorf("the cycle's [created updated deleted failed] per configuration differ from the prediction (-simulate +emulator):\n%s", d)
	}
	if got["eu-to-us"][2] == 0 {
		t.Error("the cycle soft-deleted nobody, the plan predicted emma")
	}
}

func anyStrings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestReconcileUnderFaults: with 20 % of requests throttled (429 with
// Retry-After) and 5 % unavailable (503), the run converges to the same
// state, and a second run writes nothing.
func TestReconcileUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out Retry-After")
	}
	x := newE2E(t, e2eOptions{faults: "429=0.2,503=0.05"})
	r := x.reconcile("--max-retries", "10").want(t, ExitOK)
	if !r.report.Converged || r.report.Requests.Throttled == 0 || r.report.Requests.Retries == 0 {
		t.Errorf("converged %v, requests %+v:\n%s", r.report.Converged, r.report.Requests, r.stdout)
	}
	x.srv.ResetStats()
	r = x.reconcile("--max-retries", "10").want(t, ExitOK)
	if w := x.srv.Requests().Writes; w != 0 || len(r.report.Changes) != 0 {
		t.Errorf("second run under faults: %d writes, %d changes", w, len(r.report.Changes))
	}
}

// TestReconcileKilledBetweenWrites: a run cancelled right after its k-th
// write, for every k of a full run, then run again, converges; nothing is
// written after the cancel, and no configuration is made twice.
func TestReconcileKilledBetweenWrites(t *testing.T) {
	total := func() int64 {
		x := newE2E(t, e2eOptions{})
		x.reconcile().want(t, ExitOK)
		return x.writes.Load()
	}()
	if total < 10 {
		t.Fatalf("a full run made only %d writes", total)
	}
	for k := int64(1); k < total; k++ {
		x := newE2E(t, e2eOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		var after atomic.Int64
		var once sync.Once
		x.onWrite = func(n int64) {
			if n > k {
				after.Add(1)
			}
			if n == k {
				once.Do(cancel)
			}
		}
		r := x.reconcileCtx(ctx)
		cancel()
		if r.code != ExitError {
			t.Fatalf("k=%d: a killed run exits %d, want 1\n%s\n%s", k, r.code, r.stdout, r.stderr)
		}
		if n := after.Load(); n > 1 { // the request in flight at the cancel may land
			t.Errorf("k=%d: %d writes after the cancel", k, n)
		}
		x.onWrite = nil
		x.waitUnlocked() // in-process, a run abandoned 5 s after the signal still winds down
		again := x.reconcile().want(t, ExitOK)
		if !again.report.Converged {
			t.Errorf("k=%d: the rerun did not converge:\n%s", k, again.stdout)
		}
		for _, tn := range []string{euID, ukID} {
			_, out := x.graph(tn, "GET", "servicePrincipals?$select=id,displayName", nil)
			if vs, _ := out["value"].([]any); len(vs) != 1 {
				t.Errorf("k=%d: tenant %s has %d service principals after the rerun, want 1", k, tn, len(vs))
			}
		}
	}
}

// TestReconcileRepairsDrift: changes made in the portal to what xtsync
// manages (a partner's auto-redeem turned off, a mapping edited, an
// assignment removed) are planned back by a dry run and repaired.
func TestReconcileRepairsDrift(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.reconcile().want(t, ExitOK)
	eu := x.configID(euID, "eu-to-us")

	// Drift, through Graph as an admin would make it.
	if code, out := x.graph(usID, "PATCH", "policies/crossTenantAccessPolicy/partners/"+euID,
		map[string]any{"automaticUserConsentSettings": map[string]any{"inboundAllowed": false}}); code != 204 {
		t.Fatalf("patch partner: %d %v", code, out)
	}
	x.editMappings(euID, eu, func(target string, src map[string]any) bool {
		if target != "companyName" {
			return false
		}
		src["name"], src["expression"] = "Contoso EU (edited)", `"Contoso EU (edited)"`
		return true
	})
	x.deleteAnAssignment(euID, eu)

	dry := x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitChanges)
	var objects []string
	for _, c := range dry.report.Changes {
		objects = append(objects, c.Object)
	}
	want := []string{"partner/contoso-us/contoso-eu", "sync/contoso-eu/eu-to-us/schema", "sync/contoso-eu/eu-to-us/assignment/GlobalEmployees"}
	if strings.Join(objects, " ") != strings.Join(want, " ") {
		t.Errorf("the dry run plans %v, want %v:\n%s", objects, want, dry.stdout)
	}
	if !strings.Contains(dry.stdout, `mappings.companyName: "\"Contoso EU (edited)\" (Always)" → "\"Contoso Europe\" (Always)"`) {
		t.Errorf("the dry run does not show the edited mapping before → after:\n%s", dry.stdout)
	}
	x.reconcile().want(t, ExitOK)
	x.srv.ResetStats()
	x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitOK)
}

// TestReconcileLeavesUnmanagedAlone: a partner the repository does not
// declare and a configuration xtsync did not make are reported and never
// written; with prune: true the partner goes, ignorePartners keeps another.
func TestReconcileLeavesUnmanagedAlone(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	const other, support = "11111111-2222-4333-8444-555555555555", "99999999-2222-4333-8444-555555555555"
	for _, p := range []string{other, support} {
		if code, out := x.graph(usID, "POST", "policies/crossTenantAccessPolicy/partners", map[string]any{"tenantId": p}); code != 201 {
			t.Fatalf("create partner: %d %v", code, out)
		}
	}
	if code, out := x.graph(euID, "POST", "applicationTemplates/518e5f48-1fc8-4c48-9387-9fdf28b0dfe7/instantiate",
		map[string]any{"displayName": "made-in-the-portal"}); code != 201 {
		t.Fatalf("instantiate: %d %v", code, out)
	}
	portal := x.configID(euID, "made-in-the-portal")

	r := x.reconcile().want(t, ExitOK)
	var unmanaged []string
	for _, u := range r.report.Unmanaged {
		unmanaged = append(unmanaged, u.Object)
		if u.Deleted {
			t.Errorf("%s deleted without prune", u.Object)
		}
	}
	if strings.Join(unmanaged, " ") != "partner/contoso-us/"+other+" partner/contoso-us/"+support {
		t.Errorf("unmanaged %v:\n%s", unmanaged, r.stdout)
	}
	for _, p := range []string{other, support} {
		if code, _ := x.graph(usID, "GET", "policies/crossTenantAccessPolicy/partners/"+p, nil); code != 200 {
			t.Errorf("unmanaged partner %s: %d after the run", p, code)
		}
	}
	code, sp := x.graph(euID, "GET", "servicePrincipals/"+portal+"?$select=displayName,tags", nil)
	if code != 200 || strings.Contains(strings.Join(anyStrings(sp["tags"]), " "), "xtsync") {
		t.Errorf("the portal's configuration was touched: %d %v", code, sp)
	}

	x.commit("prune, but never Microsoft's support tenant", map[string]func(string) string{
		"xtsync.yaml": func(s string) string {
			s = strings.Replace(s, "prune: false", "prune: true", 1)
			return strings.Replace(s, "ignorePartners: []", "ignorePartners: ["+support+"]", 1)
		}})
	r = x.reconcile().want(t, ExitOK)
	if code, _ := x.graph(usID, "GET", "policies/crossTenantAccessPolicy/partners/"+other, nil); code != 404 {
		t.Errorf("with prune, the undeclared partner is still there (%d):\n%s", code, r.stdout)
	}
	if code, _ := x.graph(usID, "GET", "policies/crossTenantAccessPolicy/partners/"+support, nil); code != 200 {
		t.Errorf("ignorePartners: the support tenant's partner is gone (%d)", code)
	}
	if code, _ := x.graph(euID, "GET", "servicePrincipals/"+portal, nil); code != 200 {
		t.Errorf("prune deleted a configuration xtsync did not make (%d)", code)
	}
}

// TestReconcilePolicyDeny: a repository policy that denies stops the run
// at gate policy with exit 3 and no write; --allow-deletes does not pass it.
func TestReconcilePolicyDeny(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.commit("a policy that denies every group scope", map[string]func(string) string{
		"policies/no_groups.rego": func(string) string {
			return "package xtsync.org\n\ndeny contains msg if {\n\tsome t in input.head.tenants\n\tsome s in t.sync\n\tcount(s.scope.groups) > 0\n\tmsg := sprintf(\"%s: group scopes need the identity board's approval\", [s.name])\n}\n"
		}})
	r := x.reconcile("--allow-deletes").want(t, ExitDenied)
	if gateResult(r.report, report.GatePolicy) != report.GateDeny || !strings.Contains(r.stdout, "identity board") {
		t.Errorf("policy gate:\n%s", r.stdout)
	}
	if w := x.srv.Requests().Writes; w != 0 {
		t.Errorf("a denied run wrote %d times", w)
	}
	if !strings.Contains(r.stdout, "stopped at gate policy: nothing was written") {
		t.Errorf("the report does not say the run stopped:\n%s", r.stdout)
	}
}

// TestReconcileConcurrentRuns: a second run of the same repository and
// endpoint while one holds the lock exits 1 and names the holder.
func TestReconcileConcurrentRuns(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	x.onWrite = func(int64) {
		once.Do(func() {
			close(started)
			<-release
		})
	}
	done := make(chan runResult)
	go func() { done <- x.reconcile() }()
	<-started
	second := x.reconcile().want(t, ExitError)
	if !strings.Contains(second.stderr, "lock") || !strings.Contains(second.stderr, "pid") {
		t.Errorf("the second run does not name the lock's holder:\n%s", second.stderr)
	}
	close(release)
	if first := <-done; first.code != ExitOK {
		t.Errorf("the first run: exit %d\n%s", first.code, first.stderr)
	}
	x.reconcile().want(t, ExitOK)
}

// TestReconcileNeverShowsSecrets: a configuration's secret values (a key
// xtsync does not manage, kept by the secrets PUT) appear in no output,
// log or report, and survive the run.
func TestReconcileNeverShowsSecrets(t *testing.T) {
	x := newE2E(t, e2eOptions{seedConfigs: true})
	eu := x.configID(euID, "eu-to-us")
	const secret = "xt-s3cr3t-value-7f4e"
	if code, out := x.graph(euID, "PUT", "servicePrincipals/"+eu+"/synchronization/secrets", map[string]any{"value": []any{
		map[string]any{"key": "AuthenticationType", "value": "SyncPolicy"},
		map[string]any{"key": "CompanyId", "value": usID},
		map[string]any{"key": "SecretToken", "value": secret},
	}}); code != 204 {
		t.Fatalf("put secrets: %d %v", code, out)
	}
	x.commit("adopt", map[string]func(string) string{"tenants/contoso-eu.yaml": func(s string) string {
		return strings.Replace(s, "  - name: eu-to-us", "  - name: eu-to-us\n    id: "+eu+"\n   ", 1)
	}})
	var outputs []string
	for _, args := range [][]string{{"--dry-run"}, {"--allow-deletes", "--output", "json"}, {"--allow-deletes", "--output", "markdown", "--log-level", "debug"}} {
		r := x.reconcile(args...)
		rep, _ := os.ReadFile(filepath.Join(x.work, "report.json"))
		outputs = append(outputs, r.stdout, r.stderr, string(rep))
	}
	for _, o := range outputs {
		if strings.Contains(o, secret) {
			t.Fatalf("a secret value is in the output:\n%s", o)
		}
	}
	_, got := x.graph(euID, "GET", "servicePrincipals/"+eu+"/synchronization/secrets", nil)
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), "SecretToken") {
		t.Errorf("the secrets PUT dropped a key it does not manage: %s", b)
	}
}

// TestReconcileRemoteRepository: a repository URL (a bare repository the
// test makes) is cloned into the cache and applied at a ref; the cache is
// fetched again on the next run.
func TestReconcileRemoteRepository(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	bare := filepath.Join(x.work, "remote.git")
	if _, err := git.PlainInit(bare, true); err != nil {
		t.Fatal(err)
	}
	if _, err := x.git.CreateRemote(&gitconfig.RemoteConfig{Name: "origin", URLs: []string{bare}}); err != nil {
		t.Fatal(err)
	}
	push := func() {
		t.Helper()
		if err := x.git.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []gitconfig.RefSpec{"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"}}); err != nil && err != git.NoErrAlreadyUpToDate {
			t.Fatal(err)
		}
	}
	release := x.commit("release 1: without fabrikam's configuration", map[string]func(string) string{
		"tenants/fabrikam-uk.yaml": func(s string) string { return s[:strings.Index(s, "\nsync:")] + "\n" }})
	if _, err := x.git.CreateTag("release-1", plumbing.NewHash(release), nil); err != nil {
		t.Fatal(err)
	}
	x.commit("more to come", map[string]func(string) string{"README.md": func(s string) string { return s + "\nnext\n" }})
	push()

	url := "file://" + bare
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"xtsync", "reconcile", "--repo", url, "--ref", "release-1",
		"--graph-url", x.url, "--graph-ca", x.ca, "--lock-dir", filepath.Join(x.work, "lock"), "--cache-dir", filepath.Join(x.work, "cache"),
		"--snapshots", filepath.Join(x.work, "snaps"), "--output", "json"}, &stdout, &stderr)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var rep report.Reconcile
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Revision != release {
		t.Errorf("applied %s, want the tag's commit %s", rep.Revision, release)
	}
	for _, c := range rep.Changes {
		if strings.HasPrefix(c.Object, "sync/fabrikam-uk/") {
			t.Errorf("release-1 has no fabrikam configuration, yet %s", c.Object)
		}
	}
}

// TestReconcileUnresolvedScope: a scope group the directory does not know
// (a lookalike letter) stops the run at gate policy, once, at its line,
// with what it probably meant; nothing is written.
func TestReconcileUnresolvedScope(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.commit("a Cyrillic о in the group name", map[string]func(string) string{"tenants/contoso-eu.yaml": func(s string) string {
		return strings.Replace(s, "groups: [GlobalEmployees]", "groups: [GlobalEmplоyees]", 1)
	}})
	r := x.reconcile().want(t, ExitDenied)
	var fs []string
	for _, g := range r.report.Gates {
		for _, f := range g.Findings {
			if f.Level == "deny" {
				fs = append(fs, f.Policy+" "+f.File)
			}
		}
	}
	if strings.Join(fs, ",") != "unresolved-scope-ref tenants/contoso-eu.yaml" {
		t.Errorf("deny findings %v, want one unresolved-scope-ref at the file:\n%s", fs, r.stdout)
	}
	if !strings.Contains(r.stdout, "U+043E") {
		t.Errorf("the finding does not name the lookalike character:\n%s", r.stdout)
	}
	if w := x.srv.Requests().Writes; w != 0 {
		t.Errorf("%d writes", w)
	}
}

// TestReconcileGraphSpelledMappings: mappings written in Graph's names
// (mobilePhone, officeLocation) reach the schema in its directories' names
// (mobile, physicalDeliveryOfficeName), which Entra requires; the next run
// sees no change.
func TestReconcileGraphSpelledMappings(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	x.commit("mappings in Graph's vocabulary", map[string]func(string) string{"tenants/contoso-eu.yaml": func(s string) string {
		return strings.Replace(s, "    mappings:\n", "    mappings:\n      mobilePhone: { source: mobilePhone }\n      department: { expression: 'Coalesce([officeLocation], [department])' }\n", 1)
	}})
	r := x.reconcile().want(t, ExitOK)
	if !r.report.Converged {
		t.Fatalf("not converged:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `mappings.department: "[department] (Always)" → "Coalesce([physicalDeliveryOfficeName], [department]) (Always)"`) {
		t.Errorf("the schema change does not show the directory's names:\n%s", r.stdout)
	}
	x.srv.ResetStats()
	x.reconcile("--dry-run", "--detailed-exitcode").want(t, ExitOK)
}

// TestReconcileNoPull: --no-pull uses the snapshots on disk, and refuses
// them when older than --max-snapshot-age (the deletion gate must count on
// a current directory) or missing.
func TestReconcileNoPull(t *testing.T) {
	x := newE2E(t, e2eOptions{})
	r := x.reconcile("--no-pull", "--dry-run").want(t, ExitError)
	if !strings.Contains(r.stderr, "no snapshot of tenant") {
		t.Errorf("without snapshots:\n%s", r.stderr)
	}
	x.reconcile("--dry-run").want(t, ExitOK) // pulls them
	x.srv.ResetStats()
	r = x.reconcile("--no-pull", "--dry-run").want(t, ExitOK)
	if len(r.report.Changes) != 18 {
		t.Errorf("--no-pull planned %d changes, want 18", len(r.report.Changes))
	}
	time.Sleep(20 * time.Millisecond)
	r = x.reconcile("--no-pull", "--max-snapshot-age", "10ms").want(t, ExitError)
	if !strings.Contains(r.stderr, "over --max-snapshot-age 10ms") {
		t.Errorf("old snapshots:\n%s", r.stderr)
	}
	if w := x.srv.Requests().Writes; w != 0 {
		t.Errorf("%d writes", w)
	}
}
