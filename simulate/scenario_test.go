package simulate_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	scenariofile "github.com/xtsync/xtsync/internal/scenario"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

var update = flag.Bool("update", false, "rewrite golden files")

// scenario is a repository with its snapshots, from a txtar archive: the
// repository files, snapshots/<tenant>.json and, optionally, options.json
// (simulate.Options).
type scenario struct {
	repo  *tenants.Repo
	snaps map[string]*simulate.Snapshot
	opts  simulate.Options
}

func loadScenario(t testing.TB, file string) scenario {
	t.Helper()
	sc, err := scenariofile.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return scenario{repo: sc.Repo, snaps: sc.Snaps, opts: sc.Opts}
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", file, diff)
	}
}

// TestScenarios runs every scenario and compares the result with its
// golden JSON (testdata/scenarios/NAME.golden.json; -update rewrites).
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			sc := loadScenario(t, file)
			res := simulate.Run(sc.repo, sc.snaps, sc.opts)
			golden(t, strings.TrimSuffix(file, ".txtar")+".golden.json", marshal(t, res))
		})
	}
}

// TestScenarioProperties checks, on every scenario, that running twice
// gives the same bytes and that Run does not modify its inputs.
func TestScenarioProperties(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			sc := loadScenario(t, file)
			before := snapshotBytes(t, sc.snaps)
			repoBefore := marshal(t, sc.repo)
			a := marshal(t, simulate.Run(sc.repo, sc.snaps, sc.opts))
			b := marshal(t, simulate.Run(sc.repo, sc.snaps, sc.opts))
			if !bytes.Equal(a, b) {
				t.Errorf("two runs differ:\n%s", cmp.Diff(string(a), string(b)))
			}
			// The columnar form of the snapshots simulates the same.
			fsys := fstest.MapFS{}
			for name, data := range before {
				fsys["s/"+name+".json"] = &fstest.MapFile{Data: []byte(data)}
			}
			col, err := simulate.LoadSnapshotsWith(fsys, "s", simulate.ReadOptions{Columnar: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(a), string(marshal(t, simulate.Run(sc.repo, col, sc.opts)))); diff != "" {
				t.Errorf("columnar snapshots simulate differently (-maps +columnar):\n%s", diff)
			}
			if diff := cmp.Diff(before, snapshotBytes(t, sc.snaps)); diff != "" {
				t.Errorf("Run modified the snapshots (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(string(repoBefore), string(marshal(t, sc.repo))); diff != "" {
				t.Errorf("Run modified the repo (-before +after):\n%s", diff)
			}
		})
	}
}

func snapshotBytes(t testing.TB, snaps map[string]*simulate.Snapshot) map[string]string {
	out := map[string]string{}
	for name, s := range snaps {
		var b bytes.Buffer
		if err := simulate.WriteSnapshot(&b, s); err != nil {
			t.Fatal(err)
		}
		out[name] = b.String()
	}
	return out
}

// TestWriteResultJSON: the fast writer writes what encoding/json writes.
func TestWriteResultJSON(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	var results []*simulate.Result
	for _, file := range files {
		sc := loadScenario(t, file)
		results = append(results, simulate.Run(sc.repo, sc.snaps, sc.opts))
	}
	odd := &simulate.Result{FormatVersion: 1, Users: []simulate.UserResult{{
		SourceUserPrincipalName: "a\"b\\c\b\f\n\r\t\x01<>&\u2028\u2029é\xff",
		TargetUser: &simulate.TargetUser{Attributes: map[string]any{
			"f": 1.5, "g": 1e-9, "h": 1e21, "i": math.Copysign(0, -1), "l": []any{"x", int64(2), map[string]any{"k": nil}}, "m": map[string]any{}, "n": []any{}}},
		Changes: map[string]simulate.Change{"x": {From: nil, To: []any{"a"}}},
	}}, Configs: []simulate.ConfigResult{{Blockers: []simulate.Blocker{{Code: "c", Message: "m", File: "f", Line: 3}, {Code: "d"}}}}}
	// Enough rows for the parallel path: every scenario's rows, repeated.
	big := &simulate.Result{FormatVersion: 1}
	for len(big.Users) < 30_000 {
		for _, r := range results {
			big.Users = append(big.Users, r.Users...)
		}
	}
	results = append(results, odd, &simulate.Result{}, big)
	for i, r := range results {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		if err := simulate.WriteResultJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("result %d (-encoding/json +WriteResultJSON):\n%s", i, diff)
		}
	}
}
