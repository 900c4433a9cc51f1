package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/tenants"
)

// validateFormats are the report formats of validate.
var validateFormats = []string{"text", "json", "github", "sarif"}

// validateReport is the JSON contract of `xtsync validate --output json`.
type validateReport struct {
	FormatVersion int                 `json:"formatVersion"`
	Diagnostics   tenants.Diagnostics `json:"diagnostics"`
	Summary       validateSummary     `json:"summary"`
}

type validateSummary struct {
	Tenants            int `json:"tenants"`
	Partnerships       int `json:"partnerships"`
	SyncConfigurations int `json:"syncConfigurations"`
	Errors             int `json:"errors"`
	Warnings           int `json:"warnings"`
}

func validateCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "validate",
		Usage:     "load the config repository and report every problem with file:line:col",
		UsageText: "xtsync validate [--repo DIR] [--output text|json|github|sarif]",
		Description: `Loads xtsync.yaml and tenants/*.yaml strictly and reports every problem at
once, each as file:line:col: severity: message (paths relative to --repo):
unknown keys (with "did you mean"), wrong types, missing or malformed names
and GUIDs, duplicates, dangling tenant references, unsupported scoping
filter operators and attributes, regular expressions and mapping
expressions that do not compile, Rego policies (policies/*.rego) that do not
compile, and more. Warnings point at configurations
Entra would block or that need a second look: a target without inbound
user sync for the source, auto-redeem off, scope.all without
acknowledge: [scope-all], cross-cloud pairs, two configurations for one pair.
A suspend whose until is not after --now (default: now) is an error: a
suspension is not merged already ended.
References to a tenant whose file does not parse are not checked: one note
per such file says so. The last line sums up the repository. --output json is the contract;
github prints GitHub Actions annotations (::error file=…,line=…::…) and
sarif a SARIF 2.1.0 log for code scanning, both with line and column and
one rule per diagnostic code, named validate/<code> as xtsync check names it.

Example:
  xtsync validate --repo .
  xtsync validate --output json | jq '.diagnostics[] | select(.severity == "error")'
  xtsync validate --output github     # in a GitHub Actions step

Exit codes: 0 no errors (warnings allowed), 1 errors found or the repository
cannot be read, 2 usage error.`,
		Flags: []ucli.Flag{repoFlag(), outputFlag(validateFormats...),
			&ucli.StringFlag{Name: "now", Usage: "the time a suspend's until must lie after, `RFC3339` (default: now)", EnvVars: []string{"XTSYNC_NOW"}}},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			format, err := outputFormat(c, validateFormats...)
			if err != nil {
				return err
			}
			dir := c.String("repo")
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return fmt.Errorf("validate: repository %s: not a directory", dir)
			}
			now, err := commandNow(c, "validate")
			if err != nil {
				return err
			}
			repo, diags := tenants.LoadWith(gitfs.DirFS(dir), tenants.LoadOptions{Now: now})
			diags = append(diags, policyDiagnostics(dir, repo)...)
			rep := validateReport{FormatVersion: 1, Diagnostics: diags, Summary: validateSummary{
				Errors: len(diags.Errors()), Warnings: len(diags.Warnings()),
			}}
			if rep.Diagnostics == nil {
				rep.Diagnostics = tenants.Diagnostics{}
			}
			if repo != nil {
				rep.Summary.Tenants = len(repo.Tenants)
				rep.Summary.Partnerships = repo.Partnerships()
				rep.Summary.SyncConfigurations = len(repo.SyncConfigs())
			}
			switch format {
			case "json":
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return fmt.Errorf("validate: write report: %w", err)
				}
			case "github", "sarif":
				r := report.NewFindings("", "", nil, nil).WithDiagnostics(diags)
				write := func() error { return report.FindingsGitHub(e.stdout, r) }
				if format == "sarif" {
					write = func() error { return report.FindingsSARIF(e.stdout, r, Version) }
				}
				if err := write(); err != nil {
					return fmt.Errorf("validate: write report: %w", err)
				}
			default:
				for _, d := range diags {
					fmt.Fprintln(e.stdout, d.String())
				}
				s := rep.Summary
				fmt.Fprintf(e.stdout, "%s, %s, %s; %s, %s\n",
					report.Count(s.Tenants, "tenant", "tenants"), report.Count(s.Partnerships, "partnership", "partnerships"),
					report.Count(s.SyncConfigurations, "sync configuration", "sync configurations"),
					report.Count(s.Errors, "error", "errors"), report.Count(s.Warnings, "warning", "warnings"))
			}
			if diags.HasErrors() {
				return silentExit(ExitError)
			}
			return nil
		},
	}
}

// policyDiagnostics compiles the repository's own Rego policies with the
// built-ins, as check and plan will, so that a policy that does not compile
// is reported by validate too, with its file:line:col.
func policyDiagnostics(dir string, repo *tenants.Repo) tenants.Diagnostics {
	if repo == nil {
		return nil
	}
	settings := tenants.Pos{File: "xtsync.yaml", Line: 1, Col: 1}
	mods, err := readPolicyDirs(gitfs.DirFS(dir), repo.Settings.Policies, false)
	if err != nil {
		return tenants.Diagnostics{{Pos: settings, Severity: tenants.SeverityError, Code: "policy-read", Message: err.Error()}}
	}
	_, err = policy.New(policy.Options{Builtins: true, Modules: mods, Disabled: repo.Settings.DisabledPolicies})
	if err == nil {
		return nil
	}
	var ce *policy.CompileError
	if !errors.As(err, &ce) {
		return tenants.Diagnostics{{Pos: settings, Severity: tenants.SeverityError, Code: "policy-compile", Message: err.Error()}}
	}
	var out tenants.Diagnostics
	for _, p := range ce.Problems {
		pos := p.Pos
		if pos.Line > 0 && pos.Col == 0 {
			pos.Col = 1
		}
		out = append(out, tenants.Diagnostic{Pos: pos, Severity: tenants.SeverityError, Code: "policy-compile", Message: p.Message})
	}
	return out
}
