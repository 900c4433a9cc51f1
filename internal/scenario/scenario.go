// Package scenario reads the simulator's golden scenarios
// (simulate/testdata/scenarios/*.txtar): a txtar archive holding a
// repository's files, snapshots/<tenant>.json and, optionally, options.json
// (simulate.Options). The simulator's and the emulator's tests both run
// them.
package scenario

import (
	"encoding/json"
	"fmt"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// Scenario is one loaded scenario.
type Scenario struct {
	Repo  *tenants.Repo
	Snaps map[string]*simulate.Snapshot
	Opts  simulate.Options
}

// Load reads the scenario in the txtar file. A repository that does not
// load is an error.
func Load(file string) (*Scenario, error) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	fsys := fstest.MapFS{}
	sc := &Scenario{}
	for _, f := range ar.Files {
		if f.Name == "options.json" {
			if err := json.Unmarshal(f.Data, &sc.Opts); err != nil {
				return nil, fmt.Errorf("load scenario %s: options.json: %w", file, err)
			}
			continue
		}
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	repo, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		return nil, fmt.Errorf("load scenario %s: %v", file, diags)
	}
	sc.Repo = repo
	if sc.Snaps, err = simulate.LoadSnapshots(fsys, "snapshots"); err != nil {
		return nil, fmt.Errorf("load scenario %s: %w", file, err)
	}
	return sc, nil
}
