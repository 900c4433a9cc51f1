package gitfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/xtsync/xtsync/tenants"
)

// A link (out of the tree or not, on any part of a path) and a special file
// are refused, in the working tree and at a commit (git's mode 120000).
func TestLinksAndSpecialFilesRefused(t *testing.T) {
	f := newFixture(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.env")
	if err := os.WriteFile(secret, []byte("CLIENT_SECRET=hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.write(map[string]string{"tenants/a.yaml": "name: a\n"})
	for link, target := range map[string]string{"tenants/evil.yaml": secret, "policies": outside} {
		if err := os.Symlink(target, filepath.Join(f.dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	f.commit("links", nil)
	if err := syscall.Mkfifo(filepath.Join(f.dir, "tenants", "pipe.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, f.dir)
	for _, rev := range []string{"HEAD", Worktree} {
		_, fsys := fsAt(t, r, rev)
		if b, err := fs.ReadFile(fsys, "tenants/a.yaml"); err != nil || string(b) != "name: a\n" {
			t.Errorf("%s: ReadFile(tenants/a.yaml) = %q, %v", rev, b, err)
		}
		refused := []string{"tenants/evil.yaml", "policies"}
		if rev == Worktree {
			refused = append(refused, "tenants/pipe.yaml", "policies/secret.env")
		}
		for _, name := range refused {
			b, err := fs.ReadFile(fsys, name)
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: ReadFile(%s) = %q, %v; want ErrNotRegular", rev, name, b, err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: the error quotes the secret: %v", rev, err)
			}
		}
	}
	_, head := fsAt(t, r, "HEAD")
	if _, err := fs.Stat(head, "policies"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("HEAD: Stat(policies -> outside) = %v, want ErrNotRegular", err)
	}
	_, wt := fsAt(t, r, Worktree)
	if _, err := fs.ReadDir(wt, "policies"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadDir(policies -> outside) = %v, want ErrNotRegular", err)
	}
	if _, err := fs.Stat(wt, "tenants/pipe.yaml"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Stat(FIFO) = %v, want ErrNotRegular", err)
	}
}

// A blob that inflates to more than anything xtsync reads (a pull request
// commits 70 MiB of zeros, a few hundred kilobytes packed) is streamed, not
// inflated whole: the loader reads its first MiB and stops, ReadFile refuses
// it by its size.
func TestHugeBlobStreamed(t *testing.T) {
	f := newFixture(t)
	f.commit("huge", map[string]string{"tenants/big.yaml": strings.Repeat("\x00", MaxReadFile+6<<20)})
	r := mustOpen(t, f.dir)
	_, fsys := fsAt(t, r, "HEAD")

	if info, err := fs.Stat(fsys, "tenants/big.yaml"); err != nil || info.Size() != MaxReadFile+6<<20 {
		t.Fatalf("Stat = %v, %v", info, err)
	}
	if _, err := fs.ReadFile(fsys, "tenants/big.yaml"); err == nil || !strings.Contains(err.Error(), "larger than the 64 MiB") {
		t.Errorf("ReadFile = %v, want larger than the 64 MiB", err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, diags := tenants.Load(fsys)
	runtime.ReadMemStats(&after)
	if got := diags.Errors(); len(got) != 1 || got[0].Code != "file-too-large" {
		t.Errorf("Load diagnostics = %v, want one file-too-large", diags)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("Load allocated %d MiB for a 70 MiB blob it stops reading at 1 MiB; want under 16 MiB", alloc>>20)
	}
}
