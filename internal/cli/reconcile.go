package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func reconcileCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "reconcile", Usage: "apply the approved state to Microsoft Graph, safely", Action: notYet("reconcile")}
}
