package emulator

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJavaScriptSDK runs testdata/jssdk/check.mjs: Microsoft's JavaScript
// Graph SDK pages through /users with PageIterator and reads a users delta
// round, over TLS with the emulator's certificate. It needs node and the
// npm packages (npm ci --prefix reconcile/emulator/testdata/jssdk).
func TestJavaScriptSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: skipping the JavaScript SDK check")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "jssdk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@microsoft", "microsoft-graph-client")); err != nil {
		t.Skip("npm packages not installed: run 'npm ci --prefix reconcile/emulator/testdata/jssdk' to enable the JavaScript SDK check")
	}
	state := t.TempDir()
	s, err := New(Options{StateDir: state, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := ReadSnapshotDir("testdata/snapshots")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadSnapshots(snaps); err != nil {
		t.Fatal(err)
	}
	base, _, err := s.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	cmd := exec.CommandContext(t.Context(), node, "check.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"EMULATOR_URL="+base,
		"EMULATOR_TOKEN="+Token(usID, []string{"User.Read.All"}),
		"NODE_EXTRA_CA_CERTS="+filepath.Join(state, CertFile))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, isExit := err.(*exec.ExitError); isExit {
			stderr = ee.Stderr
		}
		t.Fatalf("node check.mjs: %v\n%s", err, stderr)
	}
	var got struct {
		Users      []string `json:"users"`
		DeltaUsers int      `json:"deltaUsers"`
		DeltaLink  bool     `json:"deltaLink"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	want := []string{"a1000000-0000-4000-8000-000000000001", "a1000000-0000-4000-8000-000000000002", "a1000000-0000-4000-8000-000000000004"}
	if diff := cmp.Diff(want, got.Users); diff != "" {
		t.Errorf("users paged by the JS SDK (-want +got):\n%s", diff)
	}
	if got.DeltaUsers != len(want) || !got.DeltaLink {
		t.Errorf("delta round: %+v", got)
	}
	if st := s.Requests(); st.Requests < 4 {
		t.Errorf("the SDK made %d requests, want at least 4 (paging)", st.Requests)
	}
}
