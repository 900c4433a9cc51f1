package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func validateCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "validate", Usage: "load the config repository and report every problem with file:line:col", Action: notYet("validate")}
}
