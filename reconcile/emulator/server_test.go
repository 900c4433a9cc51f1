package emulator

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, Options{StateDir: dir})
	e.must(201, "POST", usID, partners, map[string]any{"tenantId": euID})
	_, link, _ := e.deltaRound(euID, "users/delta()?$select=department")
	if err := e.s.Tenant("contoso-eu").UpdateUser("e1000000-0000-4000-8000-000000000001", map[string]any{"department": "Legal"}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Close(); err != nil {
		t.Fatal(err)
	}
	// No temp file is left behind, and the state file is complete JSON.
	entries, _ := os.ReadDir(dir)
	for _, de := range entries {
		if strings.Contains(de.Name(), ".tmp") {
			t.Errorf("temp file left: %s", de.Name())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil || !json.Valid(b) {
		t.Fatalf("state file: %v", err)
	}

	// A new server on the same directory carries on: the partner, the user
	// change and the delta watermark survive.
	e2 := newEnv(t, Options{StateDir: dir})
	if e2.s.Empty() {
		t.Fatal("restarted emulator is empty")
	}
	if p := values(e2.must(200, "GET", usID, partners, nil)); len(p) != 1 {
		t.Errorf("partner lost across restart: %v", p)
	}
	link = strings.Replace(link, e.base, e2.base, 1)
	objs, _, _ := e2.deltaRound(euID, link)
	if diff := cmp.Diff([]map[string]any{{"id": "e1000000-0000-4000-8000-000000000001", "department": "Legal"}}, objs); diff != "" {
		t.Errorf("delta across restart (-want +got):\n%s", diff)
	}
	// Reseeding invalidates old delta links: 410 like an expired token.
	snaps, err := ReadSnapshotDir("testdata/snapshots")
	if err != nil {
		t.Fatal(err)
	}
	if err := e2.s.LoadSnapshots(snaps); err != nil {
		t.Fatal(err)
	}
	if r := e2.do("GET", euID, link, nil); r.Status != 410 || errCode(r.Body) != "resyncRequired" || !strings.Contains(r.Header.Get("Location"), "users/delta()?$deltatoken=&$select=department") {
		t.Errorf("old delta link after reseed: %d %v %q", r.Status, r.Body, r.Header.Get("Location"))
	}
	if p := values(e2.must(200, "GET", usID, partners, nil)); len(p) != 0 {
		t.Errorf("reseed kept configuration objects: %v", p)
	}
}

func TestCorruptState(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"formatVersion": 1, "tenants": [`), 0o600)
	if _, err := New(Options{StateDir: dir}); err == nil || !strings.Contains(err.Error(), "state.json") {
		t.Errorf("corrupt state: %v", err)
	}
	os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"formatVersion": 99}`), 0o600)
	if _, err := New(Options{StateDir: dir}); err == nil || !strings.Contains(err.Error(), "format version") {
		t.Errorf("future state: %v", err)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0"} {
		s, _ := New(Options{})
		if _, err := s.Start(addr); err == nil || !strings.Contains(err.Error(), "not loopback") {
			s.Close()
			t.Errorf("Start(%q): %v, want a refusal", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		s, _ := New(Options{})
		if _, err := s.Start(addr); err != nil {
			t.Errorf("Start(%q): %v", addr, err)
		}
		s.Close()
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	base, certPEM, err := s.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Errorf("base %q", base)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil || !bytes.Equal(onDisk, certPEM) {
		t.Fatalf("cert.pem: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, host := range []string{base, strings.Replace(base, "127.0.0.1", "localhost", 1)} {
		req, _ := http.NewRequest("GET", host+"/v1.0/users", nil)
		req.Header.Set("Authorization", "Bearer "+Token(usID, nil))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if ctx, _ := body["@odata.context"].(string); !strings.HasPrefix(ctx, "https://") {
			t.Errorf("links over TLS should be https: %v", ctx)
		}
	}
	s.Close()
	// A restart reuses the certificate (clients keep trusting it).
	s2, _ := New(Options{StateDir: dir})
	_, again, err := s2.StartTLS("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if !bytes.Equal(again, certPEM) {
		t.Error("restart made a new certificate")
	}
}

func TestGzipBody(t *testing.T) {
	e := newEnv(t, Options{})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"tenantId":"` + ukID + `"}`))
	zw.Close()
	req, _ := http.NewRequest("POST", e.base+"/v1.0/"+partners, &buf)
	req.Header.Set("Authorization", "Bearer "+Token(usID, nil))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("gzipped POST: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", e.base+"/v1.0/"+partners, strings.NewReader("not gzip"))
	req.Header.Set("Authorization", "Bearer "+Token(usID, nil))
	req.Header.Set("Content-Encoding", "gzip")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("bad gzip: %d", resp.StatusCode)
	}
}

func TestControlAndTokenEndpoints(t *testing.T) {
	e := newEnv(t, Options{Faults: FaultSpec{Status: map[int]float64{503: 1}}})
	// Faults never touch the control or token endpoints.
	resp, err := http.Get(e.base + "/_emulator/tenants")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body["value"].([]any)) != 3 {
		t.Errorf("tenants: %d %v", resp.StatusCode, body)
	}
	resp, err = http.Post(e.base+"/contoso-us/oauth2/v2.0/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	body = nil
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	tok, _ := body["access_token"].(string)
	if c, err := parseToken(tok); err != nil || c.TenantID != usID {
		t.Errorf("token endpoint: %v %v", body, err)
	}
	if r := e.doToken("GET", tok, "users", nil); r.Status != 503 || r.Header.Get("Retry-After") != "1" {
		t.Errorf("Graph request under 503=1: %d", r.Status)
	}
}

func TestFaultsDeterministic(t *testing.T) {
	spec, err := ParseFaults("429=0.3,503=0.1,504=0.1,retry-after=2")
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed int64) []int {
		e := newEnv(t, Options{Faults: spec, Seed: seed})
		var got []int
		for range 40 {
			r := e.do("GET", euID, "users?$select=id", nil)
			got = append(got, r.Status)
			if r.Status == 429 && r.Header.Get("Retry-After") != "2" {
				t.Errorf("429 with Retry-After %q", r.Header.Get("Retry-After"))
			}
			if r.Status == 429 && errCode(r.Body) != "TooManyRequests" {
				t.Errorf("429 body: %v", r.Body)
			}
		}
		if st := e.s.Requests(); st.Requests != 40 || st.Bytes == 0 {
			t.Errorf("stats %+v", st)
		}
		return got
	}
	a, b, c := run(7), run(7), run(8)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}
	if cmp.Equal(a, c) {
		t.Error("different seeds gave the same faults")
	}
	counts := map[int]int{}
	for _, s := range a {
		counts[s]++
	}
	if counts[200] == 0 || counts[429] == 0 || counts[200] == 40 {
		t.Errorf("fault mix %v", counts)
	}
}

func TestDrop(t *testing.T) {
	e := newEnv(t, Options{Faults: FaultSpec{Drop: 1}})
	req, _ := http.NewRequest("GET", e.base+"/v1.0/users", nil)
	req.Header.Set("Authorization", "Bearer "+Token(euID, nil))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("a dropped connection read as a complete response")
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"429=0.2,503=0.05,504=0.01,latency=50ms,drop=0.01", "429=0.2,503=0.05,504=0.01,drop=0.01,latency=50ms", ""},
		{" retry-after=3 , 500=0.5 ", "500=0.5,retry-after=3", ""},
		{"429=1.5", "", "not a fraction"},
		{"429=0.6,503=0.6", "", "sum"},
		{"418=0.1", "", "unknown fault"},
		{"latency=fast", "", "duration"},
		{"429", "", "KEY=VALUE"},
		{"drop=NaN", "", "not a fraction"},
	}
	for _, tt := range tests {
		f, err := ParseFaults(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseFaults(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || f.String() != tt.want {
			t.Errorf("ParseFaults(%q) = %q, %v; want %q", tt.in, f.String(), err, tt.want)
		}
	}
}

// TestConcurrentClients exercises the server from several goroutines (run
// with -race): reads, writes, test-API mutations and cycles together.
func TestConcurrentClients(t *testing.T) {
	e := newEnv(t, Options{StateDir: t.TempDir(), PageSize: 2})
	e.must(201, "POST", usID, partners, map[string]any{"tenantId": euID})
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 10 {
				switch w {
				case 0:
					e.deltaRound(euID, "users/delta()?$select=department")
				case 1:
					e.must(204, "PATCH", usID, partners+"/"+euID, map[string]any{"automaticUserConsentSettings": map[string]any{"inboundAllowed": i%2 == 0}})
				case 2:
					e.s.Tenant(euID).UpdateUser("e1000000-0000-4000-8000-000000000001", map[string]any{"department": []string{"A", "B"}[i%2]})
				case 3:
					e.s.RunCycles()
					e.must(200, "POST", usID, "$batch", map[string]any{"requests": []any{map[string]any{"id": "1", "method": "GET", "url": "/groups"}}})
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if st := e.s.Requests(); st.Requests == 0 {
		t.Error("no requests counted")
	}
}
