package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/tenants"
)

func schemaCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "schema",
		Usage:     "print the JSON Schema of the tenant and settings files (for editors)",
		UsageText: "xtsync schema [--kind tenant|settings]",
		Description: `Prints the JSON Schema (draft 2020-12) of a tenant file (tenants/<name>.yaml,
--kind tenant, the default) or of xtsync.yaml (--kind settings). It is
rendered from the same description of the format that the loader checks
against, so editors complete and check exactly the keys xtsync accepts.
Checks that need the whole repository (references, duplicates across
files, expressions) are left to xtsync validate.

Example (VS Code with the YAML extension):
  xtsync schema > .vscode/xtsync-tenant.schema.json
  xtsync schema --kind settings > .vscode/xtsync-settings.schema.json
  # then in .vscode/settings.json:
  # "yaml.schemas": {".vscode/xtsync-tenant.schema.json": "tenants/*.yaml"}

Exit codes: 0 printed, 2 usage error (unknown --kind).`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "kind", Value: tenants.SchemaTenant, Usage: "which file: tenant or settings", EnvVars: []string{"XTSYNC_SCHEMA_KIND"}},
		},
		Action: func(c *ucli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			kind := c.String("kind")
			if kind != tenants.SchemaTenant && kind != tenants.SchemaSettings {
				return usageError("--kind: want tenant or settings, got %q", kind)
			}
			out, err := tenants.Schema(kind)
			if err != nil {
				return err
			}
			if _, err := e.stdout.Write(out); err != nil {
				return fmt.Errorf("schema: write: %w", err)
			}
			return nil
		},
	}
}
