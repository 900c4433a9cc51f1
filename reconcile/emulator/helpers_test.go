package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	euID = "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"
	usID = "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"
	ukID = "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"
)

// testEnv is a running emulator seeded with testdata/snapshots.
type testEnv struct {
	t    *testing.T
	s    *Server
	base string
}

func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	if opts.StateDir == "" {
		opts.StateDir = t.TempDir()
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Empty() {
		snaps, err := ReadSnapshotDir("testdata/snapshots")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LoadSnapshots(snaps); err != nil {
			t.Fatal(err)
		}
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	t.Cleanup(func() { checkPersisted(t, s) })
	return &testEnv{t: t, s: s, base: base}
}

// checkPersisted fails the test unless state.json holds exactly the state
// in memory: every change was saved (none was missed by the per-tenant
// encoding cache).
func checkPersisted(t *testing.T, s *Server) {
	t.Helper()
	if s.httpSrv == nil {
		return // closed by the test: another server may own the directory now
	}
	s.mu.Lock()
	full, err := json.Marshal(s.st)
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(filepath.Join(s.opts.StateDir, stateFile))
	if err != nil {
		t.Fatalf("state file: %v", err)
	}
	var a, b any
	if err := json.Unmarshal(full, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(saved, &b); err != nil {
		t.Fatalf("state file is not JSON: %v", err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("state.json differs from the state in memory (-memory +file):\n%s", diff)
	}
}

// result is a decoded response.
type result struct {
	Status int
	Header http.Header
	Body   map[string]any
}

// do sends a request with a token for tenant (all roles) unless token is
// given explicitly as "token:..." in tenant.
func (e *testEnv) do(method, tenant, path string, body any) result {
	e.t.Helper()
	tok := ""
	switch {
	case strings.HasPrefix(tenant, "token:"):
		tok = strings.TrimPrefix(tenant, "token:")
	case tenant != "":
		tok = Token(tenant, nil)
	}
	return e.doToken(method, tok, path, body)
}

func (e *testEnv) doToken(method, tok, path string, body any) result {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.base + "/v1.0/" + strings.TrimPrefix(path, "/")
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := result{Status: resp.StatusCode, Header: resp.Header}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.Body); err != nil {
			e.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, b)
		}
	}
	return r
}

// must is do that fails the test unless the status is want.
func (e *testEnv) must(want int, method, tenant, path string, body any) map[string]any {
	e.t.Helper()
	r := e.do(method, tenant, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %v", method, path, r.Status, want, r.Body)
	}
	return r.Body
}

// values returns a collection's value array.
func values(body map[string]any) []map[string]any {
	var out []map[string]any
	for _, v := range body["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// ids returns the id of each object.
func ids(objs []map[string]any) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, o["id"].(string))
	}
	return out
}

// errCode returns a Graph error's code.
func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}
