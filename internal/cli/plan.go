package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func planCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "plan", Usage: "show what a change between two Git revisions does to each target tenant", Action: notYet("plan")}
}
