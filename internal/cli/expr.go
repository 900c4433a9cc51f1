package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func exprCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "expr", Usage: "evaluate one attribute-mapping expression offline", Action: notYet("expr")}
}
