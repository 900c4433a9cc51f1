package gitfs

import (
	"io/fs"
	"testing"
)

func TestFetchURL(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("one", map[string]string{"xtsync.yaml": "v1\n"})
	// A detached HEAD in the source, as in CI checkouts.
	f.detach(c1)
	cache := t.TempDir()
	url := "file://" + f.dir + "/.git"

	r, err := Fetch(url, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, r, "main"); got != "v1\n" {
		t.Errorf("first clone, main: got %q, want v1", got)
	}

	f.checkout("main", false)
	f.commit("two", map[string]string{"xtsync.yaml": "v2\n"})
	r, err = Fetch(url, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, r, "main"); got != "v2\n" {
		t.Errorf("after fetch, main: got %q, want v2", got)
	}
	if got := read(t, r, c1); got != "v1\n" {
		t.Errorf("older commit: got %q, want v1", got)
	}
	if !r.Bare() {
		t.Error("the clone is not bare")
	}
}

func TestFetchErrors(t *testing.T) {
	if _, err := Fetch("file://"+t.TempDir()+"/missing", t.TempDir()); err == nil {
		t.Error("fetching a missing repository succeeded")
	}
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"https://github.com/o/r.git": true, "file:///tmp/r": true, "git@github.com:o/r.git": true,
		".": false, "/tmp/repo": false, "C:/repo": false, "dir:with/colon": false,
	} {
		if got := IsURL(in); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", in, got, want)
		}
	}
}

func read(t *testing.T, r *Repo, rev string) string {
	t.Helper()
	v, err := r.Resolve(rev)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := r.FS(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(fsys, "xtsync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
