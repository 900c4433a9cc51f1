package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/gen"
)

func genCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "gen",
		Usage:     "generate a large synthetic repository and snapshots for benchmarks",
		UsageText: "xtsync gen --out DIR [--tenants N] [--users N] [--groups N] [--configs N] [--seed N] [--gzip] [--force]",
		Description: `Writes a complete, made-up config repository with its directory snapshots:
DIR/xtsync.yaml, DIR/tenants/<tenant>.yaml and DIR/snapshots/<tenant>.json,
ready for "xtsync validate --repo DIR" and "xtsync simulate --repo DIR".

The tenants trust each other and run --configs sync configurations, spread
round-robin over the source->target directions, with group and user
assignments, scoping filters using every operator, attribute mappings
(constants, sources, an expression) and deletion thresholds (one is set to
trip). The directories look like real ones: departments and job titles,
~2% guests, ~1% B2B and ~0.5% SMS sign-in users (skipped), ~3% disabled,
~0.5% soft-deleted, groups of Zipf-like sizes, some nested; and in every
target the B2B users earlier cycles created: most up to date, some stale
(updates), some whose source left the scope or the directory (deletes), some
invited by hand (adoptions), some soft-deleted (restores). One simulated
cycle therefore exercises every action.

--users counts the tenants' own users; the B2B users in the targets come on
top (about 45% more with the defaults). The output depends on the options
only: the same options (and --seed) give byte-identical files. Snapshots are
streamed, so memory stays small at any size; 1,000,000 users take about 1 GB
of JSON (--gzip writes .json.gz, about 5 times smaller and slower to write).

DIR must be empty or absent unless --force, which replaces xtsync.yaml,
tenants/*.yaml and snapshots/*.json[.gz] and leaves other files alone.

Example, the scale benchmark's dataset (docs/benchmarks.md):
   xtsync gen --tenants 5 --users 1000000 --groups 4000 --configs 20 --seed 1 --out /tmp/xt-1m
   xtsync simulate --repo /tmp/xt-1m --output json > /tmp/xt-1m.json

Exit codes: 0 written, 1 error (DIR not empty, cannot write), 2 usage error.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "out", Usage: "write the repository to `DIR` (required)", EnvVars: []string{"XTSYNC_GEN_OUT"}},
			&ucli.IntFlag{Name: "tenants", Value: 3, Usage: "number of tenants `N`", EnvVars: []string{"XTSYNC_GEN_TENANTS"}},
			&ucli.IntFlag{Name: "users", Value: 1000, Usage: "home users `N` over all tenants", EnvVars: []string{"XTSYNC_GEN_USERS"}},
			&ucli.IntFlag{Name: "groups", Usage: "groups `N` over all tenants (default max(4 per tenant, users/250))", EnvVars: []string{"XTSYNC_GEN_GROUPS"}},
			&ucli.IntFlag{Name: "configs", Value: -1, DefaultText: "4 per tenant", Usage: "sync configurations `N`", EnvVars: []string{"XTSYNC_GEN_CONFIGS"}},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "random `SEED`: the same seed and options give the same files", EnvVars: []string{"XTSYNC_GEN_SEED"}},
			&ucli.BoolFlag{Name: "gzip", Usage: "write snapshots as .json.gz", EnvVars: []string{"XTSYNC_GEN_GZIP"}},
			&ucli.BoolFlag{Name: "force", Usage: "write into a non-empty DIR, replacing what gen writes there", EnvVars: []string{"XTSYNC_GEN_FORCE"}},
			outputFlag("text", "json"),
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runGen(c, e)
		},
	}
}

func runGen(c *ucli.Context, e *env) error {
	format, err := outputFormat(c, "text", "json")
	if err != nil {
		return err
	}
	dir := c.String("out")
	if dir == "" {
		return usageError("gen: --out DIR is required")
	}
	opts := gen.Options{
		Tenants: c.Int("tenants"),
		Users:   c.Int("users"),
		Groups:  c.Int("groups"),
		Configs: c.Int("configs"),
		Seed:    c.Uint64("seed"),
	}
	switch {
	case opts.Tenants < 1:
		return usageError("--tenants: want 1 or more, got %d", opts.Tenants)
	case opts.Users < 1:
		return usageError("--users: want 1 or more, got %d", opts.Users)
	case opts.Groups < 0:
		return usageError("--groups: want 0 or more, got %d", opts.Groups)
	case c.IsSet("configs") && opts.Configs < 0:
		return usageError("--configs: want 0 or more, got %d", opts.Configs)
	}
	switch {
	case opts.Configs < 0:
		opts.Configs = 0 // the default: 4 per tenant
	case opts.Configs == 0:
		opts.NoConfigs = true
	}

	start := time.Now()
	out, err := gen.Generate(opts)
	if err != nil {
		return usageError("%v", err)
	}
	if err := prepareGenDir(dir, c.Bool("force")); err != nil {
		return err
	}
	e.log.Info("generating", "dir", dir, "tenants", out.Stats.Tenants, "users", out.Stats.HomeUsers,
		"b2bUsers", out.Stats.B2BUsers, "groups", out.Stats.Groups, "configs", out.Stats.Configs)
	gz := c.Bool("gzip")
	if err := out.Write(dir, gen.WriteOptions{Gzip: gz}); err != nil {
		return fmt.Errorf("gen %s: %w", dir, err)
	}
	e.log.Info("generated", "dir", dir, "elapsed", time.Since(start).Round(time.Millisecond))

	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int       `json:"formatVersion"`
			Dir           string    `json:"dir"`
			Stats         gen.Stats `json:"stats"`
			Seed          uint64    `json:"seed"`
		}{1, dir, out.Stats, out.Options.Seed})
	}
	s := out.Stats
	fmt.Fprintf(e.stdout, "wrote %s: %d tenants, %d home users, %d B2B users, %d groups, %d sync configurations (seed %d)\n",
		dir, s.Tenants, s.HomeUsers, s.B2BUsers, s.Groups, s.Configs, out.Options.Seed)
	for _, f := range out.Files {
		fmt.Fprintf(e.stdout, "  %s\n", f.Path)
	}
	for _, sn := range out.Snapshots {
		fmt.Fprintf(e.stdout, "  %s (%d users)\n", gen.SnapshotPath(sn.Tenant, gz), sn.Users())
	}
	return nil
}

// prepareGenDir refuses a non-empty dir unless force, in which case it
// removes what an earlier gen wrote there, so no stale tenant survives.
func prepareGenDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gen: read %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("gen: %s is not empty; use --force to replace the generated files in it", dir)
	}
	for _, pattern := range []string{"tenants/*.yaml", "snapshots/*.json", "snapshots/*.json.gz"} {
		matches, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		for _, m := range matches {
			if err := os.Remove(m); err != nil {
				return fmt.Errorf("gen: %w", err)
			}
		}
	}
	return nil
}
