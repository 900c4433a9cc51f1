package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gitfs"
	"github.com/xtsync/xtsync/internal/report"
	"github.com/xtsync/xtsync/policy"
	"github.com/xtsync/xtsync/tenants"
)

func policyCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "policy",
		Usage:     "run the repository's Rego policy tests, list the built-in policies",
		UsageText: "xtsync policy test [DIR...] [--repo DIR] [--builtin] [--run REGEX] [--output text|json]\nxtsync policy list [--output text|json]",
		Description: `Policies are Rego v1 files in any package under xtsync (conftest's
conventions: deny, warn and violation rules), in the directories xtsync.yaml's
"policies" names. 'xtsync check' and 'xtsync plan' evaluate them with the
built-in policies; see docs/policies.md for the input document.

Examples:
  xtsync policy test                 # the repository's *_test.rego
  xtsync policy test --builtin       # and the built-ins' own tests
  xtsync policy list                 # the built-in policy ids`,
		Subcommands: []*ucli.Command{
			{
				Name:      "test",
				Usage:     "run the test_* rules of *_test.rego, like opa test",
				UsageText: "xtsync policy test [DIR...] [--repo DIR] [--builtin] [--run REGEX] [--output text|json]",
				Description: `Compiles the Rego files (*.rego, recursively) of each DIR — by default the
directories xtsync.yaml's "policies" names (default: policies), relative to
--repo — and runs every test_* rule of their *_test.rego files, the way
"opa test" does. Policies are Rego v1 in any package under xtsync; they see
the input document described in docs/policies.md. Network and
non-deterministic built-in functions (http.send, time.now_ns, rand.intn …)
are unavailable: a policy using one fails to compile.

--builtin also runs the tests of xtsync's built-in policies (xtsync policy
list shows them).

Output: one line per test (PASS, FAIL, ERROR, SKIP) grouped by file, then
the PASS/FAIL counts; --output json gives {formatVersion, results, summary}.

Example:
  xtsync policy test
  xtsync policy test policies --builtin --output json
  xtsync policy test --run 'org_test.test_threshold'

Exit codes: 0 every test passed, 1 a test failed or errored, a policy does
not compile, or no test was found, 2 usage error.`,
				Flags: []ucli.Flag{
					repoFlag(),
					&ucli.BoolFlag{Name: "builtin", Usage: "also run the built-in policies' own tests", EnvVars: []string{"XTSYNC_BUILTIN"}},
					&ucli.StringFlag{Name: "run", Aliases: []string{"r"}, Usage: "run only the tests whose name (data.PACKAGE.test_x) matches `REGEX`", EnvVars: []string{"XTSYNC_RUN"}},
					outputFlag("text", "json"),
				},
				Action: func(c *ucli.Context) error { return runPolicyTest(c, e) },
			},
			{
				Name:      "list",
				Usage:     "list the built-in policies: id, level and what each checks",
				UsageText: "xtsync policy list [--output text|json]",
				Description: `Lists xtsync's built-in policies. Each id can be turned off for a whole
repository in xtsync.yaml (disabledPolicies; the base revision's list counts),
or knowingly accepted by one sync configuration (acknowledge: [id]).

Example:
  xtsync policy list

Exit codes: 0 success, 2 usage error.`,
				Flags: []ucli.Flag{outputFlag("text", "json")},
				Action: func(c *ucli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					format, err := outputFormat(c, "text", "json")
					if err != nil {
						return err
					}
					return report.BuiltinsList(e.stdout, policy.Builtins(), format)
				},
			},
		},
	}
}

func runPolicyTest(c *ucli.Context, e *env) error {
	format, err := outputFormat(c, "text", "json")
	if err != nil {
		return err
	}
	repoDir := c.String("repo")
	dirs := c.Args().Slice()
	var mods map[string]string
	if len(dirs) > 0 {
		mods = map[string]string{}
		for _, d := range dirs {
			m, err := readPolicyDirs(gitfs.DirFS(d), []string{"."}, true)
			if err != nil {
				return fmt.Errorf("policy test: %s: %w", d, err)
			}
			for name, src := range m {
				mods[filepath.ToSlash(filepath.Join(d, name))] = src
			}
		}
	} else {
		var settings tenants.Settings
		settings, err = readSettings(repoDir)
		if err != nil {
			return err
		}
		mods, err = readPolicyDirs(gitfs.DirFS(repoDir), settings.Policies, false)
		dirs = settings.Policies
	}
	if err != nil {
		return err
	}
	results, err := policy.TestWith(c.Context, mods, policy.TestOptions{Builtins: c.Bool("builtin"), Run: c.String("run")})
	if err != nil {
		return fmt.Errorf("policy test: %w", err)
	}
	if len(results) == 0 && c.String("run") != "" {
		return fmt.Errorf("policy test: no test in %s matches --run %q", strings.Join(dirs, ", "), c.String("run"))
	}
	if len(results) == 0 {
		return fmt.Errorf("policy test: no test_* rules found in %s (tests live in *_test.rego files)", strings.Join(dirs, ", "))
	}
	rep := report.NewPolicyTests(results)
	if err := report.PolicyTestsWrite(e.stdout, rep, format); err != nil {
		return fmt.Errorf("policy test: write report: %w", err)
	}
	if !rep.Passed() {
		return silentExit(ExitError)
	}
	return nil
}

// readSettings reads the repository's xtsync.yaml (defaults when it does not
// exist); an invalid file is an error with its diagnostics.
func readSettings(repoDir string) (tenants.Settings, error) {
	data, err := fs.ReadFile(gitfs.DirFS(repoDir), tenants.SettingsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return tenants.DefaultSettings(), nil
	}
	if err != nil {
		return tenants.Settings{}, fmt.Errorf("read settings: %w", err)
	}
	s, diags := tenants.ParseSettings(tenants.SettingsFile, data)
	if diags.HasErrors() {
		return s, fmt.Errorf("read settings:\n%w", diags.Errors())
	}
	return s, nil
}

// readPolicyDirs reads every *.rego file below the directories of fsys, keyed
// by its path. A missing directory is an error when required, else skipped
// (a repository without policies/ has no policies).
func readPolicyDirs(fsys fs.FS, dirs []string, required bool) (map[string]string, error) {
	mods := map[string]string{}
	for _, dir := range dirs {
		dir = path.Clean(filepath.ToSlash(dir))
		if _, err := fs.Stat(fsys, dir); err != nil {
			if errors.Is(err, fs.ErrNotExist) && !required {
				continue
			}
			if r := refused(err); r != nil {
				return nil, r
			}
			return nil, fmt.Errorf("read policies: %w", err)
		}
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".rego") {
				return nil
			}
			data, err := readPolicyFile(fsys, p)
			if err != nil {
				return err
			}
			mods[p] = string(data)
			return nil
		})
		if r := refused(err); r != nil {
			return nil, r
		}
		if err != nil {
			return nil, fmt.Errorf("read policies in %s: %w", dir, err)
		}
	}
	return mods, nil
}

// maxPolicyFile bounds one .rego file: a policy is code, not data, and a
// pull request must not make the gate read gigabytes.
const maxPolicyFile = 4 << 20

// readPolicyFile reads one policy file, up to maxPolicyFile bytes.
func readPolicyFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if len(data) > maxPolicyFile {
		return nil, fmt.Errorf("%s: larger than %d MiB: a policy file is Rego code, not data", name, maxPolicyFile>>20)
	}
	return data, nil
}

// policyInfos converts the engine's policy list for the findings report.
func policyInfos(infos []policy.Info) []report.Policy {
	out := make([]report.Policy, 0, len(infos))
	for _, i := range infos {
		out = append(out, report.Policy{ID: i.ID, Builtin: i.Builtin, Level: i.Level, Description: i.Description})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// refused rewrites a path gitfs refused (a link, a special file) as "path:
// what is wrong"; nil for any other error.
func refused(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(err, gitfs.ErrNotRegular) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return nil
}
