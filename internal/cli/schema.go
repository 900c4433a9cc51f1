package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func schemaCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "schema", Usage: "print the JSON Schema of the tenant and settings files (for editors)", Action: notYet("schema")}
}
