package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"
)

// reconcileCommand is listed so that the command set of DESIGN §7 is visible,
// but it is not built yet: it says so, whatever its arguments, and exits 1.
func reconcileCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "reconcile",
		Usage:     "(not built yet) apply the approved state to Microsoft Graph, safely",
		UsageText: "xtsync reconcile   (not built yet)",
		Description: `Not built yet. It will read the approved commit of main, diff it with the
live Microsoft Graph state and apply the difference safely: target trust
before the source configuration, policies and the deletion threshold as
gates, idempotent, never touching what xtsync does not own.

Today: review changes with 'xtsync plan' and 'xtsync check', and keep the
snapshots current with 'xtsync snapshot pull'. 'xtsync emulator' already
serves every Graph endpoint reconcile will use.

Exit codes: 1 (not built yet).`,
		SkipFlagParsing: true,
		Action: func(c *ucli.Context) error {
			for _, a := range c.Args().Slice() {
				if a == "--help" || a == "-h" || a == "-help" {
					return ucli.ShowCommandHelp(c.Lineage()[1], "reconcile")
				}
			}
			return errors.New("reconcile is not built yet: review changes with 'xtsync plan' and 'xtsync check' (see README, Status)")
		},
	}
}
