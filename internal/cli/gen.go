package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func genCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "gen", Usage: "generate a large synthetic repository and snapshots for benchmarks", Action: notYet("gen")}
}
