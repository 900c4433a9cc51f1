package deploy_test

// A small runner of GitHub Actions workflows, enough to run this project's
// workflow and action on this machine the way a GitHub-hosted runner does:
// run steps through bash with GitHub's flags, the env of the workflow, job
// and step, ${{ }} expressions evaluated on actionlint's parse tree,
// GITHUB_ENV / GITHUB_PATH / GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files,
// step conditions and outcomes, and the composite action at the
// repository's root. Third-party actions are replaced by what they leave
// behind (checkout: the test's repository), checked where it matters
// (upload-sarif: a SARIF 2.1.0 file). An expression, function or action it
// does not know fails the test: nothing is skipped silently.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

type ghRunner struct {
	t       *testing.T
	root    string            // this repository: the action's path
	work    string            // the workspace: the config repository checkout
	temp    string            // RUNNER_TEMP
	env     map[string]string // the process env every step starts from
	github  map[string]any    // the github context
	vars    map[string]any    // the vars context
	summary string            // GITHUB_STEP_SUMMARY
	// uploaded SARIF files and artifacts, by the step that uploaded them
	sarif     []string
	artifacts []string
}

// stepResult is one step's outcome and outputs.
type stepResult struct {
	outcome string // success, failure, skipped
	outputs map[string]any
}

func newGHRunner(t *testing.T, root, work string, env map[string]string, github, vars map[string]any) *ghRunner {
	temp := t.TempDir()
	summary := filepath.Join(temp, "step_summary.md")
	if err := os.WriteFile(summary, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := &ghRunner{t: t, root: root, work: work, temp: temp, env: maps.Clone(env), github: github, vars: vars, summary: summary}
	r.env["RUNNER_TEMP"] = temp
	r.env["GITHUB_WORKSPACE"] = work
	r.env["GITHUB_STEP_SUMMARY"] = summary
	r.env["GITHUB_ENV"] = filepath.Join(temp, "github_env")
	r.env["GITHUB_PATH"] = filepath.Join(temp, "github_path")
	r.env["GITHUB_ACTIONS"] = "true"
	r.env["CI"] = "true"
	for _, k := range []string{"event_name", "repository", "server_url", "api_url", "sha", "ref", "event_path"} {
		if v, ok := github[k].(string); ok {
			r.env["GITHUB_"+strings.ToUpper(k)] = v
		}
	}
	for _, f := range []string{r.env["GITHUB_ENV"], r.env["GITHUB_PATH"]} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// jobResult is a job's conclusion and its steps by name.
type jobResult struct {
	failed bool
	steps  map[string]stepResult // by name (or id, or uses)
	order  []string
}

// runJob runs job id of the workflow file; false when the job's if skips it.
func (r *ghRunner) runJob(file, id string) (*jobResult, bool) {
	t := r.t
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wf, errs := actionlint.Parse(b)
	if len(errs) > 0 {
		t.Fatalf("parse %s: %v", file, errs[0])
	}
	job := wf.Jobs[id]
	if job == nil {
		t.Fatalf("%s has no job %q", file, id)
	}
	env := maps.Clone(r.env)
	scope := r.scope(env, nil, map[string]any{}, false)
	if wf.Env != nil {
		r.addEnv(env, wf.Env, scope)
	}
	if job.If != nil && !r.truthy(r.evalCond(job.If.Value, scope)) {
		return nil, false
	}
	if job.Env != nil {
		r.addEnv(env, job.Env, r.scope(env, nil, map[string]any{}, false))
	}
	res := &jobResult{steps: map[string]stepResult{}}
	stepsCtx := map[string]any{}
	for _, st := range job.Steps {
		name := stepName(st)
		sr := r.runStep(st, env, stepsCtx, nil, res.failed)
		if st.ID != nil {
			stepsCtx[st.ID.Value] = map[string]any{"outcome": sr.outcome, "conclusion": sr.outcome, "outputs": sr.outputs}
		}
		if sr.outcome == "failure" {
			res.failed = true
		}
		res.steps[name] = sr
		res.order = append(res.order, name)
	}
	return res, true
}

func stepName(st *actionlint.Step) string {
	switch {
	case st.Name != nil:
		return st.Name.Value
	case st.ID != nil:
		return st.ID.Value
	}
	if a, ok := st.Exec.(*actionlint.ExecAction); ok {
		return a.Uses.Value
	}
	return "run"
}

// scope is what expressions see.
func (r *ghRunner) scope(env map[string]string, inputs map[string]any, steps map[string]any, failed bool) map[string]any {
	e := map[string]any{}
	for k, v := range env {
		e[k] = v
	}
	s := map[string]any{"github": r.github, "vars": r.vars, "env": e, "steps": steps, "$failed": failed}
	if inputs != nil {
		s["inputs"] = inputs
	}
	return s
}

func (r *ghRunner) addEnv(env map[string]string, e *actionlint.Env, scope map[string]any) {
	for _, v := range e.Vars {
		env[v.Name.Value] = r.interpolate(v.Value.Value, scope)
	}
}

// runStep runs one workflow or composite step.
func (r *ghRunner) runStep(st *actionlint.Step, env map[string]string, stepsCtx map[string]any, inputs map[string]any, failed bool) stepResult {
	scope := r.scope(env, inputs, stepsCtx, failed)
	cond := "success()"
	if st.If != nil {
		cond = st.If.Value
	}
	if !r.truthy(r.evalCond(cond, scope)) {
		return stepResult{outcome: "skipped", outputs: map[string]any{}}
	}
	senv := maps.Clone(env)
	if st.Env != nil {
		r.addEnv(senv, st.Env, scope)
	}
	switch x := st.Exec.(type) {
	case *actionlint.ExecRun:
		dir := ""
		if x.WorkingDirectory != nil {
			dir = r.interpolate(x.WorkingDirectory.Value, scope)
		}
		return r.runScript(r.interpolate(x.Run.Value, scope), dir, senv, env)
	case *actionlint.ExecAction:
		with := map[string]string{}
		for k, in := range x.Inputs {
			with[k] = r.interpolate(in.Value.Value, scope)
		}
		return r.runAction(x.Uses.Value, with, senv, env)
	}
	r.t.Fatalf("step %s: unknown kind", stepName(st))
	return stepResult{}
}

// runScript runs a run step as GitHub's default bash shell does, then
// applies what it wrote to GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT to env
// (the job's env, for the next steps).
func (r *ghRunner) runScript(script, dir string, senv, env map[string]string) stepResult {
	t := r.t
	f, err := os.CreateTemp(r.temp, "step-*.sh")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(script)
	f.Close()
	out := filepath.Join(r.temp, "github_output")
	os.WriteFile(out, nil, 0o644)
	senv["GITHUB_OUTPUT"] = out
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", f.Name())
	cmd.Dir = r.work
	if dir != "" {
		if filepath.IsAbs(dir) {
			cmd.Dir = dir
		} else {
			cmd.Dir = filepath.Join(r.work, dir)
		}
	}
	for k, v := range senv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b, err := cmd.CombinedOutput()
	t.Logf("$ %s\n%s", strings.TrimSpace(script), b)
	res := stepResult{outcome: "success", outputs: map[string]any{}}
	if err != nil {
		res.outcome = "failure"
	}
	for k, v := range readKV(t, env["GITHUB_ENV"]) {
		env[k] = v
	}
	os.WriteFile(env["GITHUB_ENV"], nil, 0o644)
	if p, _ := os.ReadFile(env["GITHUB_PATH"]); len(p) > 0 {
		for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
			env["PATH"] = line + string(os.PathListSeparator) + env["PATH"]
		}
		os.WriteFile(env["GITHUB_PATH"], nil, 0o644)
	}
	for k, v := range readKV(t, out) {
		res.outputs[k] = v
	}
	return res
}

// readKV reads a GITHUB_ENV / GITHUB_OUTPUT file: NAME=VALUE lines and
// NAME<<DELIM heredocs.
func readKV(t *testing.T, file string) map[string]string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for sc.Scan() && sc.Text() != delim {
				val = append(val, sc.Text())
			}
			kv[name] = strings.Join(val, "\n")
			continue
		}
		if name, val, ok := strings.Cut(line, "="); ok {
			kv[name] = val
		}
	}
	return kv
}

// runAction runs a uses step: this repository's composite action, or the
// stand-in for a third-party action.
func (r *ghRunner) runAction(uses string, with, senv, env map[string]string) stepResult {
	t := r.t
	ok := stepResult{outcome: "success", outputs: map[string]any{}}
	name, _, _ := strings.Cut(uses, "@")
	switch name {
	case "xtsync/xtsync":
		return r.runComposite(with, senv, env)
	case "actions/checkout":
		if with["fetch-depth"] != "" && with["fetch-depth"] != "0" {
			t.Errorf("checkout: fetch-depth %s", with["fetch-depth"])
		}
		return ok // the test made the checkout
	case "actions/setup-go":
		if _, err := exec.LookPath("go"); err != nil {
			t.Fatal("setup-go: no go on PATH")
		}
		return ok
	case "github/codeql-action/upload-sarif":
		f := filepath.Join(r.work, with["sarif_file"])
		b, err := os.ReadFile(f)
		var doc struct {
			Version string            `json:"version"`
			Runs    []json.RawMessage `json:"runs"`
		}
		if err != nil || json.Unmarshal(b, &doc) != nil || doc.Version != "2.1.0" || len(doc.Runs) == 0 {
			t.Logf("upload-sarif: %s is not a SARIF 2.1.0 log (%v)", f, err)
			return stepResult{outcome: "failure", outputs: map[string]any{}}
		}
		r.sarif = append(r.sarif, string(b))
		return ok
	case "actions/upload-artifact":
		f := filepath.Join(r.work, with["path"])
		if _, err := os.Stat(f); err != nil {
			if with["if-no-files-found"] == "ignore" {
				return ok
			}
			return stepResult{outcome: "failure", outputs: map[string]any{}}
		}
		r.artifacts = append(r.artifacts, with["name"]+"="+f)
		return ok
	}
	t.Fatalf("the runner has no stand-in for the action %s", uses)
	return ok
}

// actionYAML is the part of action.yml the runner reads.
type actionYAML struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string      `yaml:"using"`
		Steps []yaml.Node `yaml:"steps"`
	} `yaml:"runs"`
}

// runComposite runs action.yml's steps with the given inputs.
func (r *ghRunner) runComposite(with, senv, env map[string]string) stepResult {
	t := r.t
	b, err := os.ReadFile(filepath.Join(r.root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml: runs.using %q", a.Runs.Using)
	}
	for k := range with {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("action.yml has no input %q", k)
		}
	}
	// Steps parse as a workflow job's steps: wrap them in one.
	steps, err := yaml.Marshal(map[string]any{"on": "push", "jobs": map[string]any{"a": map[string]any{"runs-on": "ubuntu-latest", "steps": a.Runs.Steps}}})
	if err != nil {
		t.Fatal(err)
	}
	wf, errs := actionlint.Parse(steps)
	if len(errs) > 0 {
		t.Fatalf("action.yml steps: %v", errs[0])
	}
	github := maps.Clone(r.github)
	github["action_path"] = r.root
	saved := r.github
	r.github = github
	defer func() { r.github = saved }()
	inputs := map[string]any{}
	for k, in := range a.Inputs {
		inputs[k] = r.interpolate(in.Default, r.scope(senv, nil, map[string]any{}, false))
	}
	for k, v := range with {
		inputs[k] = v
	}
	// A composite step's env is the caller's step env; GITHUB_ENV changes
	// reach the job.
	cenv := maps.Clone(senv)
	cenv["GITHUB_ACTION_PATH"] = r.root
	stepsCtx := map[string]any{}
	failed := false
	for _, st := range wf.Jobs["a"].Steps {
		sr := r.runStep(st, cenv, stepsCtx, inputs, failed)
		if st.ID != nil {
			stepsCtx[st.ID.Value] = map[string]any{"outcome": sr.outcome, "conclusion": sr.outcome, "outputs": sr.outputs}
		}
		if sr.outcome == "failure" {
			failed = true
		}
	}
	for k, v := range cenv {
		if senv[k] != v && k != "GITHUB_ACTION_PATH" && k != "GITHUB_OUTPUT" {
			env[k] = v // GITHUB_ENV and GITHUB_PATH of the composite's steps
		}
	}
	res := stepResult{outcome: "success", outputs: map[string]any{}}
	if failed {
		res.outcome = "failure"
	}
	for k, o := range a.Outputs {
		res.outputs[k] = r.interpolate(o.Value, r.scope(cenv, inputs, stepsCtx, failed))
	}
	return res
}

var exprRE = regexp.MustCompile(`\$\{\{(.*?)\}\}`)

// interpolate replaces every ${{ }} of s.
func (r *ghRunner) interpolate(s string, scope map[string]any) string {
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		v := r.eval(exprRE.FindStringSubmatch(m)[1], scope)
		return toString(v)
	})
}

// evalCond evaluates an if: with or without ${{ }}.
func (r *ghRunner) evalCond(s string, scope map[string]any) any {
	s = strings.TrimSpace(s)
	if m := exprRE.FindStringSubmatch(s); m != nil && m[0] == s {
		s = m[1]
	}
	return r.eval(s, scope)
}

func (r *ghRunner) eval(src string, scope map[string]any) any {
	node, err := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(src + "}}"))
	if err != nil {
		r.t.Fatalf("expression %q: %v", src, err)
	}
	return r.evalNode(node, scope)
}

func (r *ghRunner) evalNode(n actionlint.ExprNode, scope map[string]any) any {
	t := r.t
	switch n := n.(type) {
	case *actionlint.VariableNode:
		v, ok := scope[strings.ToLower(n.Name)]
		if !ok {
			t.Fatalf("the runner has no context %q", n.Name)
		}
		return v
	case *actionlint.StringNode:
		return n.Value
	case *actionlint.BoolNode:
		return n.Value
	case *actionlint.IntNode:
		return float64(n.Value)
	case *actionlint.NullNode:
		return nil
	case *actionlint.ObjectDerefNode:
		m, _ := r.evalNode(n.Receiver, scope).(map[string]any)
		return lookup(m, n.Property)
	case *actionlint.IndexAccessNode:
		m, _ := r.evalNode(n.Operand, scope).(map[string]any)
		return lookup(m, toString(r.evalNode(n.Index, scope)))
	case *actionlint.NotOpNode:
		return !r.truthy(r.evalNode(n.Operand, scope))
	case *actionlint.LogicalOpNode:
		l := r.evalNode(n.Left, scope)
		if (n.Kind == actionlint.LogicalOpNodeKindAnd) != r.truthy(l) {
			return l
		}
		return r.evalNode(n.Right, scope)
	case *actionlint.CompareOpNode:
		l, rv := toString(r.evalNode(n.Left, scope)), toString(r.evalNode(n.Right, scope))
		switch n.Kind {
		case actionlint.CompareOpNodeKindEq:
			return strings.EqualFold(l, rv)
		case actionlint.CompareOpNodeKindNotEq:
			return !strings.EqualFold(l, rv)
		}
	case *actionlint.FuncCallNode:
		failed, _ := scope["$failed"].(bool)
		switch strings.ToLower(n.Callee) {
		case "success":
			return !failed
		case "failure":
			return failed
		case "always":
			return true
		case "cancelled":
			return false
		}
		t.Fatalf("the runner has no function %s()", n.Callee)
	}
	t.Fatalf("the runner cannot evaluate %T", n)
	return nil
}

// lookup finds a property as GitHub does: without regard to case.
func lookup(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func (r *ghRunner) truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case float64:
		return v != 0
	}
	return true
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
