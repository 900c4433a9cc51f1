package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func emulatorCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "emulator", Usage: "run a local Microsoft Graph emulator for tests and the demo", Action: notYet("emulator")}
}
