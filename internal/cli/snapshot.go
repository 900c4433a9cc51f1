package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func snapshotCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "snapshot", Usage: "pull directory snapshots from Microsoft Graph", Subcommands: []*ucli.Command{
		{Name: "pull", Usage: "write snapshots with delta queries", Action: notYet("snapshot pull")},
	}}
}
