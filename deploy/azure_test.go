package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/xtsync/xtsync/deploy"
)

// The part of the Azure Pipelines YAML schema the pipeline uses, from
// Microsoft's YAML schema reference (learn.microsoft.com: azure/devops/
// pipelines/yaml-schema): decoded strictly, so a misspelt or misplaced key
// fails the test as it would fail the pipeline.
type adoPipeline struct {
	Trigger struct {
		Branches struct {
			Include []string `yaml:"include"`
		} `yaml:"branches"`
	} `yaml:"trigger"`
	Schedules []struct {
		Cron        string `yaml:"cron"`
		DisplayName string `yaml:"displayName"`
		Branches    struct {
			Include []string `yaml:"include"`
		} `yaml:"branches"`
		Always bool `yaml:"always"`
	} `yaml:"schedules"`
	Pool struct {
		VMImage string `yaml:"vmImage"`
	} `yaml:"pool"`
	Variables map[string]string `yaml:"variables"`
	Stages    []adoStage        `yaml:"stages"`
}

type adoStage struct {
	Stage        string   `yaml:"stage"`
	DisplayName  string   `yaml:"displayName"`
	Condition    string   `yaml:"condition"`
	DependsOn    []string `yaml:"dependsOn"`
	LockBehavior string   `yaml:"lockBehavior"`
	Jobs         []adoJob `yaml:"jobs"`
}

type adoJob struct {
	Job         string    `yaml:"job"`
	Deployment  string    `yaml:"deployment"`
	DisplayName string    `yaml:"displayName"`
	Environment string    `yaml:"environment"`
	Steps       []adoStep `yaml:"steps"`
	Strategy    struct {
		RunOnce struct {
			Deploy struct {
				Steps []adoStep `yaml:"steps"`
			} `yaml:"deploy"`
		} `yaml:"runOnce"`
	} `yaml:"strategy"`
}

type adoStep struct {
	Checkout    string            `yaml:"checkout"`
	FetchDepth  *int              `yaml:"fetchDepth"`
	Bash        string            `yaml:"bash"`
	Task        string            `yaml:"task"`
	Inputs      map[string]any    `yaml:"inputs"`
	Publish     string            `yaml:"publish"`
	Artifact    string            `yaml:"artifact"`
	DisplayName string            `yaml:"displayName"`
	Condition   string            `yaml:"condition"`
	Env         map[string]string `yaml:"env"`
}

// script is the shell a step runs: bash, or AzureCLI@2's inline script.
func (s adoStep) script() string {
	if s.Bash != "" {
		return s.Bash
	}
	if v, ok := s.Inputs["inlineScript"].(string); ok {
		return v
	}
	return ""
}

// TestAzurePipeline decodes the pipeline strictly, checks the stages do what
// the GitHub workflow does (check with SARIF and the plan comment on a pull
// request; reconcile on main, exclusive, with workload identity and no
// secret), and shellchecks every script.
func TestAzurePipeline(t *testing.T) {
	var p adoPipeline
	dec := yaml.NewDecoder(bytes.NewReader(deploy.AzurePipeline))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("azure-pipelines.yml: %v", err)
	}
	if len(p.Stages) != 2 || p.Stages[0].Stage != "check" || p.Stages[1].Stage != "reconcile" {
		t.Fatalf("stages: want check and reconcile")
	}
	var all []adoStep
	for _, st := range p.Stages {
		for _, j := range st.Jobs {
			if (j.Job == "") == (j.Deployment == "") {
				t.Errorf("stage %s: a job is either a job or a deployment", st.Stage)
			}
			all = append(all, j.Steps...)
			all = append(all, j.Strategy.RunOnce.Deploy.Steps...)
		}
	}
	check, rec := p.Stages[0], p.Stages[1]
	if !strings.Contains(check.Condition, "'PullRequest'") || !strings.Contains(rec.Condition, "refs/heads/main") {
		t.Errorf("conditions: check %q, reconcile %q", check.Condition, rec.Condition)
	}
	if rec.LockBehavior != "sequential" || rec.Jobs[0].Environment == "" {
		t.Error("reconcile: want lockBehavior sequential and an environment (with an Exclusive lock check)")
	}
	joined := string(deploy.AzurePipeline)
	for _, want := range []string{"xtsync check --output sarif", "CodeAnalysisLogs", "xtsync plan", "xtsync comment --marker xtsync-plan", "xtsync reconcile", "addSpnToEnvironment: true", "SYSTEM_ACCESSTOKEN: $(System.AccessToken)", "sha256sum -c"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the pipeline has no %q", want)
		}
	}
	if regexp.MustCompile(`(?i)client.?secret|AZURE_CLIENT_SECRET`).MatchString(joined) {
		t.Error("the pipeline uses a client secret: it must federate instead")
	}
	for _, s := range all {
		switch {
		case s.Task == "AzureCLI@2":
			for _, k := range []string{"azureSubscription", "scriptType", "scriptLocation", "inlineScript"} {
				if _, ok := s.Inputs[k]; !ok {
					t.Errorf("%s: AzureCLI@2 without %s", s.DisplayName, k)
				}
			}
			for k := range s.Inputs {
				if !strings.Contains(" azureSubscription scriptType scriptLocation inlineScript addSpnToEnvironment ", " "+k+" ") {
					t.Errorf("%s: AzureCLI@2 has no input %q", s.DisplayName, k)
				}
			}
		case s.Task != "":
			t.Errorf("%s: unexpected task %s", s.DisplayName, s.Task)
		}
	}
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Log("shellcheck is not installed: the scripts are not shellchecked (.ci/run installs it)")
		return
	}
	dir := t.TempDir()
	macro := regexp.MustCompile(`\$\(([A-Za-z_.]+)\)`) // Azure's $(var) macros, expanded before bash runs
	for i, s := range all {
		script := s.script()
		if script == "" {
			continue
		}
		script = macro.ReplaceAllString(script, "MACRO_$1")
		f := filepath.Join(dir, "step.sh")
		os.WriteFile(f, []byte("#!/usr/bin/env bash\n"+script), 0o644)
		if b, err := exec.Command(sc, "--shell=bash", "-e", "SC2154", f).CombinedOutput(); err != nil {
			t.Errorf("step %d (%s): shellcheck: %v\n%s", i, s.DisplayName, err, b)
		}
	}
}
