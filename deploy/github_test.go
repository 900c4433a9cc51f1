package deploy_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rhysd/actionlint"

	"github.com/xtsync/xtsync/deploy"
	"github.com/xtsync/xtsync/internal/prcomment/prcommenttest"
)

// TestActionlint lints the workflow with actionlint (and shellcheck, when
// it is installed), as a workflow of a repository that uses this
// repository's action: the action's inputs are checked against action.yml.
func TestActionlint(t *testing.T) {
	proj := t.TempDir()
	wf := strings.ReplaceAll(string(deploy.GitHubWorkflow), "uses: xtsync/xtsync@"+testVersion, "uses: ./")
	if wf == string(deploy.GitHubWorkflow) {
		t.Fatal("the workflow does not use xtsync/xtsync@" + testVersion)
	}
	for name, data := range map[string][]byte{
		deploy.GitHubWorkflowPath: []byte(wf),
		"action.yml":              mustRead(t, filepath.Join(root, "action.yml")),
	} {
		p := filepath.Join(proj, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := &actionlint.LinterOptions{WorkingDir: proj}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("shellcheck is not installed: the run: scripts are not shellchecked (.ci/run installs it)")
	}
	var out bytes.Buffer
	l, err := actionlint.NewLinter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFile(filepath.Join(proj, deploy.GitHubWorkflowPath), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s", e.Error())
	}

	// The scheduler's guarantee against two runs at once (docs/reconcile.md,
	// the lock) and the rules a reconcile job must follow.
	w, perrs := actionlint.Parse(deploy.GitHubWorkflow)
	if len(perrs) > 0 {
		t.Fatal(perrs[0])
	}
	rec := w.Jobs["reconcile"]
	if rec == nil || rec.Concurrency == nil || rec.Concurrency.Group == nil || rec.Concurrency.Group.Value == "" {
		t.Fatal("the reconcile job has no concurrency group")
	}
	if rec.Concurrency.CancelInProgress == nil || rec.Concurrency.CancelInProgress.Value {
		t.Error("the reconcile job's concurrency must not cancel a run in progress (cancel-in-progress: false)")
	}
	for id, j := range w.Jobs {
		if j.Permissions == nil || j.Permissions.Scopes["id-token"] == nil || j.Permissions.Scopes["id-token"].Value.Value != "write" {
			t.Errorf("job %s: no id-token: write (workload identity federation)", id)
		}
	}
	if strings.Contains(string(deploy.GitHubWorkflow), "secrets.") {
		t.Error("the workflow reads a stored secret: it must federate (OIDC) instead")
	}
}

// TestActionScripts shellchecks the action's scripts.
func TestActionScripts(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (.ci/run installs it)")
	}
	files, _ := filepath.Glob(filepath.Join(root, "deploy", "github", "action", "*.sh"))
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	cmd := exec.Command(sc, append([]string{"--shell=bash"}, files...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, b)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ghJob is one run of a job of the workflow, on one event, against the
// emulator and the fake GitHub.
type ghJob struct {
	event   string
	repo    *configRepo
	emuURL  string
	emuCA   string
	gh      *prcommenttest.Server
	release string
	oidc    string
}

func (j *ghJob) run(t *testing.T, job string) (*ghRunner, *jobResult) {
	t.Helper()
	env := baseEnv(t)
	env["XTSYNC_GRAPH_URL"] = j.emuURL
	env["XTSYNC_GRAPH_CA"] = j.emuCA
	env["ACTIONS_ID_TOKEN_REQUEST_URL"] = j.oidc + "/token?api-version=2.0"
	env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "request-token"
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"pull_request":{"number":7}}`), 0o644)
	github := map[string]any{
		"event_name": j.event, "repository": "org/identity", "server_url": j.release,
		"api_url": j.gh.URL, "sha": j.repo.head.String(), "token": "gh-token", "event_path": event,
		"ref": "refs/heads/main",
	}
	if j.event == "pull_request" {
		github["base_ref"] = "main"
		github["ref"] = "refs/pull/7/merge"
	}
	vars := map[string]any{"XTSYNC_CLIENT_ID": "11111111-2222-3333-4444-555555555555", "XTSYNC_READ_CLIENT_ID": "66666666-7777-8888-9999-000000000000"}
	r := newGHRunner(t, root, j.repo.dir, env, github, vars)
	res, ran := r.runJob(filepath.Join(root, "deploy", "github", "xtsync.yml"), job)
	if !ran {
		t.Fatalf("job %s did not run on %s", job, j.event)
	}
	return r, res
}

func outcomes(res *jobResult) map[string]string {
	m := map[string]string{}
	for n, s := range res.steps {
		m[n] = s.outcome
	}
	return m
}

// TestGitHubWorkflow runs the workflow's jobs on this machine: on a pull
// request, check (SARIF) and the plan comment, posted once and updated in
// place, against the emulator's directories; on a push to main, reconcile
// against the emulator, then again with nothing left to do.
func TestGitHubWorkflow(t *testing.T) {
	emuURL, emuCA := startEmulator(t)
	gh := prcommenttest.NewGitHub("org/identity", "gh-token")
	t.Cleanup(gh.Close)
	release := releaseServer(t, false).URL
	oidc := oidcServer(t, "request-token", "eyJhbGciOiJSUzI1NiJ9.github-oidc.sig").URL

	planComments := func() []string {
		var out []string
		for _, c := range gh.Comments(7) {
			if strings.HasPrefix(c, "<!-- xtsync:comment xtsync-plan -->") {
				out = append(out, c)
			}
		}
		return out
	}

	t.Run("pull request", func(t *testing.T) {
		repo := newConfigRepo(t, func(dir string) {
			editFile(t, dir, "tenants/contoso-eu.yaml", "jobTitle: { expression: 'ToUpper([jobTitle])' }", "jobTitle: { source: jobTitle }")
		})
		j := &ghJob{event: "pull_request", repo: repo, emuURL: emuURL, emuCA: emuCA, gh: gh, release: release, oidc: oidc}
		r, res := j.run(t, "check")
		want := map[string]string{
			"actions/checkout@v4":                  "success",
			"Pull directory snapshots (read-only)": "success",
			"Check (policies, SARIF)":              "success",
			"Upload SARIF to code scanning":        "success",
			"Plan, as the pull-request comment":    "success",
		}
		if diff := cmp.Diff(want, outcomes(res)); diff != "" {
			t.Fatalf("step outcomes (-want +got)\n%s", diff)
		}
		if len(r.sarif) != 1 {
			t.Errorf("%d SARIF uploads, want 1", len(r.sarif))
		}
		cs := planComments()
		if len(cs) != 1 || !strings.Contains(cs[0], "## xtsync plan") || !strings.Contains(cs[0], "jobTitle") {
			t.Fatalf("plan comments: %q", cs)
		}
		if s := string(mustRead(t, r.summary)); !strings.Contains(s, "## xtsync plan") {
			t.Errorf("the job summary has no plan: %q", s)
		}
	})

	t.Run("pull request denied", func(t *testing.T) {
		// scope.all without acknowledging it: the built-in policy denies.
		repo := newConfigRepo(t, func(dir string) {
			editFile(t, dir, "tenants/contoso-eu.yaml", "all: false", "all: true")
		})
		j := &ghJob{event: "pull_request", repo: repo, emuURL: emuURL, emuCA: emuCA, gh: gh, release: release, oidc: oidc}
		r, res := j.run(t, "check")
		want := map[string]string{
			"actions/checkout@v4":                  "success",
			"Pull directory snapshots (read-only)": "success",
			"Check (policies, SARIF)":              "failure", // exit 3: the check fails the pull request
			"Upload SARIF to code scanning":        "success",
			"Plan, as the pull-request comment":    "success",
		}
		if diff := cmp.Diff(want, outcomes(res)); diff != "" {
			t.Fatalf("step outcomes (-want +got)\n%s", diff)
		}
		if !res.failed {
			t.Error("the job passed a denied change")
		}
		if len(r.sarif) != 1 || !strings.Contains(r.sarif[0], "scope-all") {
			t.Errorf("the SARIF upload does not name scope-all")
		}
		cs := planComments()
		if len(cs) != 1 {
			t.Fatalf("%d plan comments after the second push, want the one updated in place", len(cs))
		}
		if !strings.Contains(cs[0], "scope-all") || !strings.Contains(cs[0], repo.head.String()[:7]) {
			t.Errorf("the comment was not updated with the new plan:\n%s", cs[0])
		}
	})

	t.Run("push to main", func(t *testing.T) {
		repo := newConfigRepo(t, nil)
		j := &ghJob{event: "push", repo: repo, emuURL: emuURL, emuCA: emuCA, gh: gh, release: release, oidc: oidc}
		if _, ran := newGHRunner(t, root, repo.dir, baseEnv(t), map[string]any{"event_name": "push"}, nil).runJob(filepath.Join(root, "deploy", "github", "xtsync.yml"), "check"); ran {
			t.Error("the check job runs on a push")
		}
		for i, wantWrites := range []bool{true, false} {
			r, res := j.run(t, "reconcile")
			want := map[string]string{"actions/checkout@v4": "success", "Reconcile": "success", "Keep the run report": "success"}
			if diff := cmp.Diff(want, outcomes(res)); diff != "" {
				t.Fatalf("run %d: step outcomes (-want +got)\n%s", i+1, diff)
			}
			var rep struct {
				Converged bool `json:"converged"`
				Requests  struct {
					Writes int `json:"writes"`
				} `json:"requests"`
				Changes []json.RawMessage `json:"changes"`
			}
			if err := json.Unmarshal(mustRead(t, filepath.Join(repo.dir, "xtsync-run.json")), &rep); err != nil {
				t.Fatal(err)
			}
			if !rep.Converged || (rep.Requests.Writes > 0) != wantWrites {
				t.Errorf("run %d: converged %v, %d writes", i+1, rep.Converged, rep.Requests.Writes)
			}
			if len(r.artifacts) != 1 {
				t.Errorf("run %d: %d artifacts, want the run report", i+1, len(r.artifacts))
			}
			if s := string(mustRead(t, r.summary)); !strings.Contains(s, "xtsync reconcile") && !strings.Contains(s, "converged") {
				t.Errorf("run %d: the job summary has no run report: %q", i+1, s)
			}
			// The OIDC token was fetched for Entra and never shown.
			if tok := string(mustRead(t, filepath.Join(r.temp, "xtsync-oidc-token"))); tok != "eyJhbGciOiJSUzI1NiJ9.github-oidc.sig\n" && tok != "eyJhbGciOiJSUzI1NiJ9.github-oidc.sig" {
				t.Errorf("the OIDC token file holds %q", tok)
			}
		}
	})
}

// TestActionInstall: the action installs a release only when its checksum
// matches, and builds xtsync from its own source when no version is given.
func TestActionInstall(t *testing.T) {
	for _, tt := range []struct {
		name    string
		version string
		release *bool
		want    string
	}{
		{"release", testVersion, ptr(false), "success"},
		{"corrupt release", testVersion, ptr(true), "failure"},
		{"not a tag", "latest", ptr(false), "failure"},
		{"from source", "", nil, "success"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			server := ""
			if tt.release != nil {
				server = releaseServer(t, *tt.release).URL
			}
			work := t.TempDir()
			r := newGHRunner(t, root, work, baseEnv(t), map[string]any{"event_name": "push", "server_url": server, "token": "x"}, nil)
			env := r.env
			res := r.runComposite(map[string]string{"version": tt.version, "args": "--version"}, maps.Clone(env), env)
			if res.outcome != tt.want {
				t.Fatalf("outcome %s, want %s", res.outcome, tt.want)
			}
			if tt.want == "success" {
				out := string(mustRead(t, toString(res.outputs["output-file"])))
				if !strings.HasPrefix(out, "xtsync version ") {
					t.Errorf("xtsync --version printed %q", out)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
