package cli

import ucli "github.com/urfave/cli/v2"

// TODO: stub until the capability lands.
func policyCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "policy", Usage: "run the repository's Rego policy tests", Subcommands: []*ucli.Command{
		{Name: "test", Usage: "run *_test.rego", Action: notYet("policy test")},
	}}
}
