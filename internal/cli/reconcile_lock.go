package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockHolder is what a reconcile lock file says about the run holding it.
type lockHolder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	Repo    string    `json:"repo"`
	Graph   string    `json:"graph"`
}

func (h lockHolder) String() string {
	return fmt.Sprintf("pid %d on %s, started %s", h.PID, h.Host, h.Started.UTC().Format(time.RFC3339))
}

// errLocked says another reconcile of the same repository and Graph endpoint
// runs on this host.
type errLocked struct {
	Path   string
	Holder lockHolder
}

func (e *errLocked) Error() string {
	return fmt.Sprintf("another reconcile of this repository and Graph endpoint is running (%s; lock %s)", e.Holder, e.Path)
}

// lockPath is the lock file of one repository and Graph endpoint: in dir,
// named by a hash of both.
func lockPath(dir, repo, graph string) string {
	sum := sha256.Sum256([]byte(repo + "\x00" + graph))
	return filepath.Join(dir, "reconcile-"+hex.EncodeToString(sum[:8])+".lock")
}

// defaultLockDir is $XDG_RUNTIME_DIR/xtsync, else the user cache dir's
// xtsync/locks.
func defaultLockDir() (string, error) {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "xtsync"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a directory for the reconcile lock: %w", err)
	}
	return filepath.Join(d, "xtsync", "locks"), nil
}

// acquireLock takes the lock of repo and graph in dir: the file is created
// with O_EXCL and names its holder. A lock whose holder is a process of this
// host that no longer runs is taken over, and warn is told. The returned
// release removes the file.
func acquireLock(dir, repo, graph string, warn func(msg string)) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the lock directory: %w", err)
	}
	path := lockPath(dir, repo, graph)
	host, _ := os.Hostname()
	me := lockHolder{PID: os.Getpid(), Host: host, Started: time.Now().UTC(), Repo: repo, Graph: graph}
	data, err := json.Marshal(me)
	if err != nil {
		return nil, fmt.Errorf("encode the lock: %w", err)
	}
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.Write(data)
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("write the lock %s: %w", path, errors.Join(werr, cerr))
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("take the lock %s: %w", path, err)
		}
		var h lockHolder
		raw, rerr := os.ReadFile(path)
		if rerr != nil || json.Unmarshal(raw, &h) != nil {
			return nil, fmt.Errorf("the lock %s exists but cannot be read; remove it if no reconcile runs", path)
		}
		if h.Host != host || alive(h.PID) {
			return nil, &errLocked{Path: path, Holder: h}
		}
		warn(fmt.Sprintf("taking over the stale lock %s of %s: that process no longer runs", path, h))
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove the stale lock %s: %w", path, err)
		}
	}
	return nil, fmt.Errorf("take the lock %s: another run took it first", path)
}

// alive reports whether a process with pid runs on this host.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
