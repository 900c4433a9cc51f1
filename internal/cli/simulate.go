package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func simulateCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "simulate", Usage: "compute, user by user, the B2B users each target tenant would get", Action: notYet("simulate")}
}
