package cli

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestReconcileLock(t *testing.T) {
	dir := t.TempDir()
	nowarn := func(msg string) { t.Errorf("unexpected warning: %s", msg) }
	release, err := acquireLock(dir, "repo", "https://graph", nowarn)
	if err != nil {
		t.Fatal(err)
	}
	_, err = acquireLock(dir, "repo", "https://graph", nowarn)
	var locked *errLocked
	if !errors.As(err, &locked) || locked.Holder.PID != os.Getpid() {
		t.Fatalf("second run: got %v, want a lock held by this process", err)
	}
	if !strings.Contains(err.Error(), "pid ") {
		t.Errorf("the error does not name the holder: %v", err)
	}
	// Another endpoint is another lock.
	r2, err := acquireLock(dir, "repo", "https://emulator", nowarn)
	if err != nil {
		t.Fatal(err)
	}
	r2()
	release()
	r3, err := acquireLock(dir, "repo", "https://graph", nowarn)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	r3()
}

func TestReconcileLockStale(t *testing.T) {
	dir := t.TempDir()
	host, _ := os.Hostname()
	// A pid beyond pid_max runs nowhere.
	data, _ := json.Marshal(lockHolder{PID: 1 << 30, Host: host, Started: time.Now()})
	if err := os.WriteFile(lockPath(dir, "repo", "g"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var warned string
	release, err := acquireLock(dir, "repo", "g", func(m string) { warned = m })
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if !strings.Contains(warned, "stale lock") {
		t.Errorf("warning = %q, want it to say a stale lock was taken over", warned)
	}
}
