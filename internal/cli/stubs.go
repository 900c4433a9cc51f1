package cli

// Commands whose capability has not landed yet. Each moves to a file of its
// own when it is built.

import ucli "github.com/urfave/cli/v2"

func validateCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "validate", Usage: "load the config repository and report every problem with file:line:col", Action: notYet("validate")}
}

func schemaCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "schema", Usage: "print the JSON Schema of the tenant and settings files (for editors)", Action: notYet("schema")}
}

func simulateCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "simulate", Usage: "compute, user by user, the B2B users each target tenant would get", Action: notYet("simulate")}
}

func exprCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "expr", Usage: "evaluate one attribute-mapping expression offline", Action: notYet("expr")}
}

func checkCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "check", Usage: "validate, simulate and evaluate policies; exit 3 when a policy denies", Action: notYet("check")}
}

func planCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "plan", Usage: "show what a change between two Git revisions does to each target tenant", Action: notYet("plan")}
}

func policyCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "policy", Usage: "run the repository's Rego policy tests", Subcommands: []*ucli.Command{
		{Name: "test", Usage: "run *_test.rego", Action: notYet("policy test")},
	}}
}

func snapshotCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "snapshot", Usage: "pull directory snapshots from Microsoft Graph", Subcommands: []*ucli.Command{
		{Name: "pull", Usage: "write snapshots with delta queries", Action: notYet("snapshot pull")},
	}}
}

func reconcileCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "reconcile", Usage: "apply the approved state to Microsoft Graph, safely", Action: notYet("reconcile")}
}

func emulatorCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "emulator", Usage: "run a local Microsoft Graph emulator for tests and the demo", Action: notYet("emulator")}
}

func genCommand(e *env) *ucli.Command {
	return &ucli.Command{Name: "gen", Usage: "generate a large synthetic repository and snapshots for benchmarks", Action: notYet("gen")}
}
