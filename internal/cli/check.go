package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func checkCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "check", Usage: "validate, simulate and evaluate policies; exit 3 when a policy denies", Action: notYet("check")}
}
