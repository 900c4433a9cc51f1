package emulator

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The emulator is reachable by anything on the host: the server layer
// refuses what Graph refuses and what a hostile local client or web page
// would try (issue #10).

// A body over Graph's 4 MB is 413, on the wire (announced or not) and once
// decompressed (a gzip bomb); one under it is served.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, Options{})
	post := func(body io.Reader, gz bool, length int64) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.base+"/v1.0/"+partners, body)
		req.Header.Set("Authorization", "Bearer "+Token(usID, nil))
		req.Header.Set("Content-Type", "application/json")
		if gz {
			req.Header.Set("Content-Encoding", "gzip")
		}
		req.ContentLength = length
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b struct {
			Error struct{ Code string } `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&b)
		return resp.StatusCode, b.Error.Code
	}
	big := `{"tenantId":"` + ukID + `","x":"` + strings.Repeat("a", maxBody) + `"}`
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"tenantId":"` + ukID + `","x":"`))
	zw.Write(bytes.Repeat([]byte("a"), 64<<20))
	zw.Write([]byte(`"}`))
	zw.Close()
	for _, tc := range []struct {
		name   string
		body   io.Reader
		gz     bool
		length int64
		want   int
		code   string
	}{
		{"under the limit", strings.NewReader(`{"tenantId":"` + ukID + `"}`), false, -1, http.StatusCreated, ""},
		{"over, with Content-Length", strings.NewReader(big), false, int64(len(big)), http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"},
		{"over, chunked", io.MultiReader(strings.NewReader(big)), false, -1, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"},
		{fmt.Sprintf("gzip bomb: 64 MB from %d KB", bomb.Len()>>10), bytes.NewReader(bomb.Bytes()), true, int64(bomb.Len()), http.StatusRequestEntityTooLarge, "RequestEntityTooLarge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, code := post(tc.body, tc.gz, tc.length); got != tc.want || code != tc.code {
				t.Errorf("status %d %q, want %d %q", got, code, tc.want, tc.code)
			}
		})
	}
}

// A request whose Host or Origin is not a loopback name is refused, before
// the token endpoint, the control endpoints or Graph's: DNS rebinding and
// cross-site forms cannot reach the tenants. AllowNonLoopback answers any.
func TestHostAndOriginChecked(t *testing.T) {
	strict := newEnv(t, Options{})
	open := newEnv(t, Options{AllowNonLoopback: true})
	for _, tc := range []struct {
		name, host, origin, path string
		method                   string
		strict, open             int
	}{
		{"graph, loopback", "", "", "/v1.0/users", "GET", 200, 200},
		{"graph, localhost", "localhost", "", "/v1.0/users", "GET", 200, 200},
		{"graph, [::1]", "[::1]:443", "", "/v1.0/users", "GET", 200, 200},
		{"graph, rebound name", "evil.example:8080", "", "/v1.0/users", "GET", 403, 200},
		{"token, rebound name", "evil.example", "", "/contoso-us/oauth2/v2.0/token", "POST", 403, 200},
		{"control, rebound name", "attacker.test", "", "/_emulator/tenants", "GET", 403, 200},
		{"token, cross-site form", "", "https://evil.example", "/contoso-us/oauth2/v2.0/token", "POST", 403, 200},
		{"cycle, cross-site form", "", "http://evil.example", "/_emulator/cycle", "POST", 403, 200},
		{"sandboxed page", "", "null", "/_emulator/tenants", "GET", 403, 200},
		{"a local page", "", "http://localhost:3000", "/_emulator/tenants", "GET", 200, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, x := range []struct {
				e    *testEnv
				want int
			}{{strict, tc.strict}, {open, tc.open}} {
				req, _ := http.NewRequest(tc.method, x.e.base+tc.path, strings.NewReader("grant_type=client_credentials"))
				if tc.host != "" {
					req.Host = tc.host
				}
				if tc.origin != "" {
					req.Header.Set("Origin", tc.origin)
				}
				req.Header.Set("Authorization", "Bearer "+Token(usID, nil))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != x.want {
					t.Errorf("AllowNonLoopback=%v: status %d, want %d: %s", x.e.s.opts.AllowNonLoopback, resp.StatusCode, x.want, body)
				}
				if resp.StatusCode == 403 && bytes.Contains(body, []byte("access_token")) {
					t.Errorf("a refused request got a token: %s", body)
				}
			}
		})
	}
}

// Connections that send part of a header, nothing at all, or go idle after
// a request are closed by the server: 300 of them do not stay open.
func TestSlowConnectionsClosed(t *testing.T) {
	e := newEnv(t, Options{Timeouts: Timeouts{ReadHeader: 300 * time.Millisecond, Read: 300 * time.Millisecond, Idle: 300 * time.Millisecond}})
	addr := strings.TrimPrefix(e.base, "http://")
	var conns []net.Conn
	for i := range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		switch i % 3 {
		case 0: // half a header, never finished
			io.WriteString(c, "GET /v1.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
		case 1: // nothing
		case 2: // one whole request, then idle
			io.WriteString(c, "GET /_emulator/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		// The guard deadline only keeps a failing test from hanging: the
		// server must close the connection long before it.
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		r := bufio.NewReader(c)
		if i%3 == 2 {
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatalf("connection %d: read the response: %v", i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		_, err := io.Copy(io.Discard, r)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection %d (kind %d) still open after 30 s: the server did not close it", i, i%3)
		}
	}
}

// Temp files a killed emulator left beside its state are removed when the
// next one starts; a fresh one (another emulator writing now) stays.
func TestStaleTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".state.json.tmp123")
	fresh := filepath.Join(dir, ".state.json.tmp456")
	oldCert := filepath.Join(dir, ".cert.pem.tmp789")
	other := filepath.Join(dir, "notes.txt")
	for _, f := range []string{old, fresh, oldCert, other} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	for _, f := range []string{old, oldCert, other} {
		if err := os.Chtimes(f, hourAgo, hourAgo); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := New(Options{StateDir: dir}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]bool{old: false, oldCert: false, fresh: true, other: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}
