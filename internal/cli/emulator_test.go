package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xtsync/xtsync/reconcile/emulator"
)

// TestEmulatorCommand runs `xtsync emulator` in-process: it prints the URL
// first, serves the seeded tenants, keeps its state across a restart and
// stops cleanly (exit 0) when its context ends.
func TestEmulatorCommand(t *testing.T) {
	state := t.TempDir()
	seed := filepath.Join("..", "..", "reconcile", "emulator", "testdata", "snapshots")
	run := func(args ...string) (url string, stop func() (int, string)) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		outR, outW := io.Pipe()
		var stderr strings.Builder
		done := make(chan int, 1)
		go func() {
			code := Run(ctx, append([]string{"xtsync", "emulator"}, args...), outW, &stderr)
			outW.Close()
			done <- code
		}()
		line, err := bufio.NewReader(outR).ReadString('\n')
		if err != nil {
			cancel()
			t.Fatalf("no URL on stdout: %v; stderr:\n%s", err, stderr.String())
		}
		go io.Copy(io.Discard, outR)
		return strings.TrimSpace(line), func() (int, string) {
			cancel()
			return <-done, stderr.String()
		}
	}
	get := func(url, tenant, path string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", url+"/v1.0/"+path, nil)
		req.Header.Set("Authorization", "Bearer "+emulator.Token(tenant, nil))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const us = "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"

	url, stop := run("--state", state, "--seed", seed)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not the base URL", url)
	}
	if got := get(url, us, "users/a1000000-0000-4000-8000-000000000001"); got != 200 {
		t.Errorf("seeded user: status %d", got)
	}
	if code, stderr := stop(); code != 0 || !strings.Contains(stderr, "emulator seeded") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(state, "state.json")); err != nil {
		t.Fatal(err)
	}

	// Restart on the same state: the seed is ignored, the state reused.
	url, stop = run("--state", state, "--seed", seed, "--tls")
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("with --tls, first line %q", url)
	}
	if _, err := os.Stat(filepath.Join(state, "cert.pem")); err != nil {
		t.Errorf("--tls: %v", err)
	}
	if code, stderr := stop(); code != 0 || !strings.Contains(stderr, "--seed ignored") || strings.Contains(stderr, "beyond this machine") {
		t.Fatalf("restart: exit %d, stderr:\n%s", code, stderr)
	}

	// --allow-non-loopback is said out loud: no authentication, any Host.
	_, stop = run("--allow-non-loopback")
	if code, stderr := stop(); code != 0 || !strings.Contains(stderr, "level=WARN msg=\"the emulator accepts connections beyond this machine (--allow-non-loopback): it has no authentication") {
		t.Fatalf("--allow-non-loopback: exit %d, stderr:\n%s", code, stderr)
	}
}
