package gitfs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/xtsync/xtsync/tenants"
)

// fixture is a repository built in a temp dir with go-git.
type fixture struct {
	t    testing.TB
	dir  string
	repo *git.Repository
	wt   *git.Worktree
	n    int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, repo: r, wt: wt}
}

// write writes files (path -> content; "" content deletes).
func (f *fixture) write(files map[string]string) {
	f.t.Helper()
	for name, content := range files {
		p := filepath.Join(f.dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				f.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

// commit writes files, stages everything and commits; it returns the SHA.
func (f *fixture) commit(msg string, files map[string]string, parents ...plumbing.Hash) string {
	f.t.Helper()
	f.write(files)
	if err := f.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		f.t.Fatal(err)
	}
	f.n++
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: time.Date(2026, 11, 1, 10, f.n, 0, 0, time.UTC)}
	opts := &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true}
	if len(parents) > 0 {
		head, err := f.repo.Head()
		if err != nil {
			f.t.Fatal(err)
		}
		opts.Parents = append([]plumbing.Hash{head.Hash()}, parents...)
	}
	h, err := f.wt.Commit(msg, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return h.String()
}

func (f *fixture) checkout(branch string, create bool) {
	f.t.Helper()
	err := f.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create, Force: !create, Keep: create})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) detach(sha string) {
	f.t.Helper()
	if err := f.wt.Checkout(&git.CheckoutOptions{Hash: plumbing.NewHash(sha)}); err != nil {
		f.t.Fatal(err)
	}
}

// history builds: c1 (main) -> c2 (tag v1, annotated) -> c3 on branch
// feature -> merge into main (c4); origin/main points at c2.
type history struct {
	c1, c2, c3, merge string
}

func buildHistory(t *testing.T) (*fixture, history) {
	f := newFixture(t)
	var h history
	h.c1 = f.commit("c1", map[string]string{
		"xtsync.yaml":             "snapshots: snaps\n",
		"tenants/contoso-eu.yaml": "name: contoso-eu\nv: 1\n",
		"tenants/contoso-us.yaml": "name: contoso-us\n",
		"README.md":               "readme\n",
	})
	h.c2 = f.commit("c2", map[string]string{"tenants/contoso-eu.yaml": "name: contoso-eu\nv: 2\n"})
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	if _, err := f.repo.CreateTag("v1", plumbing.NewHash(h.c2), &git.CreateTagOptions{Tagger: sig, Message: "v1"}); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Storer.SetReference(plumbing.NewHashReference("refs/remotes/origin/main", plumbing.NewHash(h.c2))); err != nil {
		t.Fatal(err)
	}
	f.checkout("feature", true)
	h.c3 = f.commit("c3", map[string]string{
		"tenants/fabrikam-uk.yaml": "name: fabrikam-uk\n",
		"tenants/contoso-us.yaml":  "",
	})
	f.checkout("main", false)
	h.merge = f.commit("merge feature", map[string]string{
		"tenants/fabrikam-uk.yaml": "name: fabrikam-uk\n",
		"tenants/contoso-us.yaml":  "",
	}, plumbing.NewHash(h.c3))
	return f, h
}

func TestResolve(t *testing.T) {
	f, h := buildHistory(t)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rev  string
		want string
	}{
		{"main", h.merge},
		{"HEAD", h.merge},
		{"HEAD~1", h.c2},
		{"HEAD^2", h.c3},
		{"HEAD~2", h.c1},
		{"feature", h.c3},
		{"origin/main", h.c2},
		{"refs/remotes/origin/main", h.c2},
		{"v1", h.c2},
		{h.c1, h.c1},
		{h.c1[:8], h.c1},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			got, err := r.Resolve(tt.rev)
			if err != nil {
				t.Fatal(err)
			}
			if got.Hash != tt.want || got.Name != tt.rev || got.Worktree || got.Author != "Test <test@example.com>" {
				t.Errorf("Resolve(%q) = %+v, want hash %s", tt.rev, got, tt.want)
			}
		})
	}
	for _, rev := range []string{"nope", "origin/nope", "HEAD~9", "0123456789012345678901234567890123456789", ""} {
		t.Run("unknown "+rev, func(t *testing.T) {
			_, err := r.Resolve(rev)
			if err == nil {
				t.Fatalf("Resolve(%q): no error", rev)
			}
			if !strings.Contains(err.Error(), "revision") {
				t.Errorf("Resolve(%q) error %q does not name the revision", rev, err)
			}
		})
	}
	// Past the first commit, go-git says EOF: the error must say why.
	if _, err := r.Resolve("HEAD~9"); err == nil || strings.Contains(err.Error(), "EOF") || !strings.Contains(err.Error(), "fewer commits") {
		t.Errorf("Resolve(HEAD~9) error = %v, want one saying the history is shorter", err)
	}
	w, err := r.Resolve(Worktree)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Worktree || w.Hash != h.merge || w.String() != Worktree {
		t.Errorf("Resolve(WORKTREE) = %+v", w)
	}
}

func TestFSAtRevision(t *testing.T) {
	f, h := buildHistory(t)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rev   string
		files map[string]string
	}{
		{h.c1, map[string]string{
			"README.md": "readme\n", "xtsync.yaml": "snapshots: snaps\n",
			"tenants/contoso-eu.yaml": "name: contoso-eu\nv: 1\n", "tenants/contoso-us.yaml": "name: contoso-us\n",
		}},
		{"main", map[string]string{
			"README.md": "readme\n", "xtsync.yaml": "snapshots: snaps\n",
			"tenants/contoso-eu.yaml": "name: contoso-eu\nv: 2\n", "tenants/fabrikam-uk.yaml": "name: fabrikam-uk\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			v, err := r.Resolve(tt.rev)
			if err != nil {
				t.Fatal(err)
			}
			fsys, err := r.FS(v)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, fsys)
			if diff := cmp.Diff(tt.files, got); diff != "" {
				t.Errorf("files at %s (-want +got):\n%s", tt.rev, diff)
			}
			var names []string
			for n := range tt.files {
				names = append(names, n)
			}
			if err := fstest.TestFS(fsys, names...); err != nil {
				t.Error(err)
			}
		})
	}
}

func readAll(t *testing.T, fsys fs.FS) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		got[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestFSErrors(t *testing.T) {
	f, _ := buildHistory(t)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := r.Resolve("HEAD")
	fsys, err := r.FS(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nope.yaml", "tenants/nope.yaml", "nope/x", "tenants/contoso-eu.yaml/x"} {
		if _, err := fs.Stat(fsys, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%q) = %v, want fs.ErrNotExist", name, err)
		}
	}
	for _, name := range []string{"/abs", "../up", "a//b", ""} {
		if _, err := fsys.Open(name); err == nil {
			t.Errorf("Open(%q): no error for an invalid path", name)
		}
	}
	if _, err := fs.ReadFile(fsys, "tenants"); err == nil {
		t.Error("ReadFile(dir): no error")
	}
	if _, err := fs.ReadDir(fsys, "xtsync.yaml"); err == nil {
		t.Error("ReadDir(file): no error")
	}
}

func TestChanged(t *testing.T) {
	f, h := buildHistory(t)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	rev := func(s string) Rev {
		v, err := r.Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name       string
		base, head string
		want       []FileChange
	}{
		{"same", "main", "HEAD", []FileChange{}},
		{"c1..main", h.c1, "main", []FileChange{
			{Path: "tenants/contoso-eu.yaml", Op: OpModify},
			{Path: "tenants/contoso-us.yaml", Op: OpDelete},
			{Path: "tenants/fabrikam-uk.yaml", Op: OpAdd},
		}},
		{"main..c1", "main", h.c1, []FileChange{
			{Path: "tenants/contoso-eu.yaml", Op: OpModify},
			{Path: "tenants/contoso-us.yaml", Op: OpAdd},
			{Path: "tenants/fabrikam-uk.yaml", Op: OpDelete},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Changed(rev(tt.base), rev(tt.head))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Changed (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := r.Changed(rev(Worktree), rev("HEAD")); err == nil {
		t.Error("Changed with a WORKTREE base: no error")
	}
}

func TestWorktreeDirty(t *testing.T) {
	f, h := buildHistory(t)
	f.write(map[string]string{".gitignore": "snaps/\n"})
	f.commit("ignore snapshots", nil)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Uncommitted()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("clean tree: Uncommitted = %v", got)
	}

	// Ignored files do not make the tree dirty.
	f.write(map[string]string{"snaps/contoso-us.json": "{}"})
	if got, _ := r.Uncommitted(); len(got) != 0 {
		t.Fatalf("ignored file: Uncommitted = %v", got)
	}

	f.write(map[string]string{
		"tenants/contoso-eu.yaml": "name: contoso-eu\nv: 3\n", // modified
		"tenants/new.yaml":        "name: new\n",              // untracked
		"README.md":               "",                         // deleted
	})
	got, err = r.Uncommitted()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"README.md", "tenants/contoso-eu.yaml", "tenants/new.yaml"}, got); diff != "" {
		t.Errorf("Uncommitted (-want +got):\n%s", diff)
	}

	base, _ := r.Resolve(h.c1)
	wt, _ := r.Resolve(Worktree)
	changed, err := r.Changed(base, wt)
	if err != nil {
		t.Fatal(err)
	}
	want := []FileChange{
		{Path: ".gitignore", Op: OpAdd},
		{Path: "README.md", Op: OpDelete},
		{Path: "tenants/contoso-eu.yaml", Op: OpModify},
		{Path: "tenants/contoso-us.yaml", Op: OpDelete},
		{Path: "tenants/fabrikam-uk.yaml", Op: OpAdd},
		{Path: "tenants/new.yaml", Op: OpAdd},
	}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("Changed(c1, WORKTREE) (-want +got):\n%s", diff)
	}

	fsys, err := r.FS(wt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(fsys, "tenants/contoso-eu.yaml")
	if err != nil || string(b) != "name: contoso-eu\nv: 3\n" {
		t.Errorf("WORKTREE read = %q, %v", b, err)
	}
}

func TestDetachedHead(t *testing.T) {
	f, h := buildHistory(t)
	f.detach(h.c2)
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if head.Hash != h.c2 {
		t.Errorf("HEAD = %s, want %s", head.Hash, h.c2)
	}
	main, err := r.Resolve("main")
	if err != nil || main.Hash != h.merge {
		t.Errorf("main = %v, %v; want %s", main, err, h.merge)
	}
	fsys, err := r.FS(main)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(fsys, "tenants/fabrikam-uk.yaml"); err != nil {
		t.Errorf("main's file through a detached HEAD: %v", err)
	}
	// Reading another revision leaves the working tree where it was.
	if _, err := os.Stat(filepath.Join(f.dir, "tenants/fabrikam-uk.yaml")); !os.IsNotExist(err) {
		t.Errorf("working tree changed: %v", err)
	}
}

func mustOpen(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fsAt resolves rev and returns its file system.
func fsAt(t *testing.T, r *Repo, rev string) (Rev, fs.FS) {
	t.Helper()
	v, err := r.Resolve(rev)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := r.FS(v)
	if err != nil {
		t.Fatal(err)
	}
	return v, fsys
}

// checkChanged compares Changed(base, head) with want.
func checkChanged(t *testing.T, r *Repo, base, head Rev, want []FileChange) {
	t.Helper()
	got, err := r.Changed(base, head)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Changed(%s, %s) (-want +got):\n%s", base.Name, head.Name, diff)
	}
}

func TestSubdirectory(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", map[string]string{
		"infra/xtsync/tenants/a.yaml": "name: a\n",
		"infra/xtsync/xtsync.yaml":    "{}\n",
		"other/file":                  "x\n",
	})
	c2 := f.commit("c2", map[string]string{
		"infra/xtsync/tenants/a.yaml": "name: a2\n",
		"other/file":                  "y\n",
	})
	r := mustOpen(t, filepath.Join(f.dir, "infra", "xtsync"))
	if r.Prefix() != "infra/xtsync" {
		t.Errorf("Prefix = %q", r.Prefix())
	}
	v, fsys := fsAt(t, r, c1)
	if diff := cmp.Diff(map[string]string{"tenants/a.yaml": "name: a\n", "xtsync.yaml": "{}\n"}, readAll(t, fsys)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	v2, _ := fsAt(t, r, c2)
	checkChanged(t, r, v, v2, []FileChange{{Path: "tenants/a.yaml", Op: OpModify}})
}

func TestSubdirectoryMissingAtRevision(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit("c1", map[string]string{"README.md": "x\n"})
	f.commit("c2", map[string]string{"infra/xtsync/tenants/a.yaml": "name: a\n"})
	r := mustOpen(t, filepath.Join(f.dir, "infra", "xtsync"))
	v, fsys := fsAt(t, r, c1)
	if got := readAll(t, fsys); len(got) != 0 {
		t.Errorf("files before the config directory existed: %v", got)
	}
	if _, err := fs.ReadDir(fsys, "tenants"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDir(tenants) = %v, want fs.ErrNotExist", err)
	}
	head, _ := fsAt(t, r, "HEAD")
	checkChanged(t, r, v, head, []FileChange{{Path: "tenants/a.yaml", Op: OpAdd}})
}

func TestLightweightTagAndAddedThenDeleted(t *testing.T) {
	f, h := buildHistory(t)
	if err := f.repo.Storer.SetReference(plumbing.NewHashReference("refs/tags/light", plumbing.NewHash(h.c1))); err != nil {
		t.Fatal(err)
	}
	r := mustOpen(t, f.dir)
	v, _ := fsAt(t, r, "light")
	if v.Hash != h.c1 {
		t.Fatalf("Resolve(light) = %v", v)
	}
	// fabrikam-uk.yaml was added since c1; deleting it in the working tree
	// leaves no change for it between c1 and WORKTREE.
	f.write(map[string]string{"tenants/fabrikam-uk.yaml": ""})
	wt, _ := fsAt(t, r, Worktree)
	checkChanged(t, r, v, wt, []FileChange{{Path: "tenants/contoso-eu.yaml", Op: OpModify}, {Path: "tenants/contoso-us.yaml", Op: OpDelete}})
}

func TestBare(t *testing.T) {
	f, h := buildHistory(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	if _, err := git.PlainClone(bare, true, &git.CloneOptions{URL: f.dir}); err != nil {
		t.Skipf("cannot make a bare clone here (%v)", err)
	}
	r, err := Open(bare)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Bare() {
		t.Error("Bare() = false")
	}
	v, err := r.Resolve("main")
	if err != nil || v.Hash != h.merge {
		t.Fatalf("main = %v, %v", v, err)
	}
	if _, err := r.Resolve(Worktree); err == nil {
		t.Error("WORKTREE in a bare repository: no error")
	}
	if u, err := r.Uncommitted(); err != nil || len(u) != 0 {
		t.Errorf("Uncommitted = %v, %v", u, err)
	}
}

func TestShallowClone(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the shallow-clone case needs `git clone --depth`")
	}
	f, h := buildHistory(t)
	clone := filepath.Join(t.TempDir(), "clone")
	cmd := exec.Command("git", "clone", "-q", "--depth", "2", "file://"+f.dir, clone)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone --depth 2: %v\n%s", err, out)
	}
	r, err := Open(clone)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Shallow() {
		t.Error("Shallow() = false for a --depth clone")
	}
	for rev, want := range map[string]string{"HEAD": h.merge, "HEAD~1": h.c2, "origin/main": h.merge} {
		v, err := r.Resolve(rev)
		if err != nil || v.Hash != want {
			t.Errorf("Resolve(%q) = %v, %v; want %s", rev, v, err, want)
		}
	}
	v, _ := r.Resolve("HEAD~1")
	fsys, err := r.FS(v)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(fsys, "tenants/contoso-eu.yaml"); err != nil || !strings.Contains(string(b), "v: 2") {
		t.Errorf("HEAD~1 file = %q, %v", b, err)
	}
	_, err = r.Resolve("HEAD~2")
	if err == nil || !strings.Contains(err.Error(), "shallow") {
		t.Errorf("Resolve(HEAD~2) beyond the depth: %v, want an error that mentions the shallow clone", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("Open(non-repo) = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Error("Open(missing dir): no error")
	}
}

func BenchmarkReadRevision(b *testing.B) {
	f := newFixture(b)
	files := map[string]string{}
	for i := range 200 {
		files[filepath.ToSlash(filepath.Join("tenants", "t"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+".yaml"))] = strings.Repeat("key: value\n", 50)
	}
	f.commit("c", files)
	r, err := Open(f.dir)
	if err != nil {
		b.Fatal(err)
	}
	v, _ := r.Resolve("HEAD")
	b.ResetTimer()
	for b.Loop() {
		fsys, _ := r.FS(v)
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				_, err = fs.ReadFile(fsys, p)
			}
			return err
		})
	}
}

// TestLoadAtRevision: tenants.Load reads a commit's tree as it reads the
// working tree, positions included.
func TestLoadAtRevision(t *testing.T) {
	f := newFixture(t)
	files := map[string]string{}
	for _, name := range []string{"xtsync.yaml", "tenants/contoso-eu.yaml", "tenants/contoso-us.yaml", "tenants/fabrikam-uk.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "example", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	c1 := f.commit("example", files)
	f.commit("scope", map[string]string{"tenants/contoso-eu.yaml": strings.Replace(files["tenants/contoso-eu.yaml"], "groups: [GlobalEmployees]", "groups: [Sales-All]", 1)})
	r, err := Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	disk, diags := tenants.Load(os.DirFS(filepath.Join("..", "..", "testdata", "example")))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	v, _ := r.Resolve(c1)
	fsys, _ := r.FS(v)
	atC1, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		t.Fatalf("load at %s: %v", v.Hash, diags)
	}
	if diff := cmp.Diff(disk, atC1, cmpopts.IgnoreUnexported(tenants.Repo{}), cmpopts.IgnoreFields(tenants.Mapping{}, "Expr")); diff != "" {
		t.Errorf("the example at a commit differs from the example on disk (-disk +commit):\n%s", diff)
	}
	head, _ := r.Resolve("HEAD")
	fsys, _ = r.FS(head)
	atHead, diags := tenants.Load(fsys)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	eu := atHead.Tenant("contoso-eu")
	if got := eu.Sync[0].Scope.Groups; len(got) != 1 || got[0] != "Sales-All" {
		t.Errorf("groups at HEAD = %v", got)
	}
	if pos := eu.PathPos("sync.eu-to-us.scope.groups"); pos.File != "tenants/contoso-eu.yaml" || pos.Line != 25 {
		t.Errorf("scope.groups position = %v", pos)
	}
}

// TestLinkedWorktree: a `git worktree add` checkout (.git is a file that
// points at the main repository) reads like any other.
func TestLinkedWorktree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the linked-worktree case needs `git worktree add`")
	}
	f, h := buildHistory(t)
	linked := filepath.Join(t.TempDir(), "linked")
	cmd := exec.Command("git", "-C", f.dir, "worktree", "add", "-q", "--detach", linked, h.c2)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git worktree add: %v\n%s", err, out)
	}
	r, err := Open(linked)
	if err != nil {
		t.Fatal(err)
	}
	for rev, want := range map[string]string{"HEAD": h.c2, "main": h.merge, "v1": h.c2} {
		v, err := r.Resolve(rev)
		if err != nil || v.Hash != want {
			t.Errorf("Resolve(%q) = %v, %v; want %s", rev, v, err, want)
		}
	}
	if u, err := r.Uncommitted(); err != nil || len(u) != 0 {
		t.Errorf("Uncommitted = %v, %v", u, err)
	}
}
