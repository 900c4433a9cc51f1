// Package gitfs reads an xtsync config repository at any Git revision without
// a checkout: it opens the repository (a working tree, a subdirectory of
// one, or a bare repository), resolves revisions ("main", "origin/main",
// "HEAD~1", a tag, a full or short SHA), serves a commit's tree as an fs.FS
// that tenants.Load reads, and lists the files changed between two
// revisions. The working tree itself is the pseudo revision WORKTREE.
//
// It is the only package of xtsync that imports go-git. It never clones,
// fetches or writes to the repository.
package gitfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/merkletrie"
)

// Worktree is the pseudo revision that names the working tree as it is on
// disk, uncommitted changes included.
const Worktree = "WORKTREE"

// Repo is an opened Git repository and the config directory within it.
type Repo struct {
	git *git.Repository
	// root is the working tree's root directory, "" for a bare repository.
	root string
	// dir is the config directory on disk (the --repo directory).
	dir string
	// prefix is dir relative to root, slash-separated, "" at the root.
	prefix string
}

// Open opens the Git repository that holds dir: dir itself, any parent of it
// with a .git, or a bare repository at dir. The config repository is dir,
// which may be a subdirectory of the working tree.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open git repository %s: not a directory", dir)
	}
	// dir itself (a working tree root or a bare repository), else the
	// nearest parent with a .git.
	g, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		g, err = git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("open git repository %s: not a git repository (nor any of its parents)", dir)
		}
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	r := &Repo{git: g, dir: abs}
	wt, err := g.Worktree()
	switch {
	case errors.Is(err, git.ErrIsBareRepository):
		// A bare repository: revisions only, the config at its root.
	case err != nil:
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	default:
		r.root = wt.Filesystem.Root()
		rel, err := relativeTo(r.root, abs)
		if err != nil {
			return nil, fmt.Errorf("open git repository %s: %w", dir, err)
		}
		r.prefix = rel
	}
	return r, nil
}

// relativeTo returns dir relative to root, slash-separated, "" for root
// itself; both are resolved through symlinks first.
func relativeTo(root, dir string) (string, error) {
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return "", err
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		return "", nil
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is outside the working tree %s", dir, root)
	}
	return rel, nil
}

// Bare reports whether the repository has no working tree.
func (r *Repo) Bare() bool { return r.root == "" }

// Dir is the config directory on disk.
func (r *Repo) Dir() string { return r.dir }

// Prefix is the config directory relative to the working tree's root,
// slash-separated ("" when they are the same).
func (r *Repo) Prefix() string { return r.prefix }

// Shallow reports whether the repository is a shallow clone.
func (r *Repo) Shallow() bool {
	s, err := r.git.Storer.Shallow()
	return err == nil && len(s) > 0
}

// Rev is a resolved revision.
type Rev struct {
	// Name is the revision as asked for ("origin/main", "HEAD~1", WORKTREE).
	Name string
	// Hash is the commit's full SHA; for WORKTREE, the SHA of HEAD (empty in
	// a repository without commits).
	Hash string
	// Worktree is true for the working tree.
	Worktree bool
	// Author is the commit's author, "Name <email>" ("" for WORKTREE).
	Author string
}

// String is the commit SHA, or WORKTREE.
func (v Rev) String() string {
	if v.Worktree {
		return Worktree
	}
	return v.Hash
}

// Resolve resolves a revision to its commit. Annotated tags are peeled. An
// unknown revision is an error that names it; in a shallow clone, a
// revision beyond the fetched history says so.
func (r *Repo) Resolve(rev string) (Rev, error) {
	if rev == Worktree {
		if r.Bare() {
			return Rev{}, fmt.Errorf("resolve %s: a bare repository has no working tree", Worktree)
		}
		v := Rev{Name: rev, Worktree: true}
		if h, err := r.git.Head(); err == nil {
			v.Hash = h.Hash().String()
		}
		return v, nil
	}
	if rev == "" {
		return Rev{}, errors.New("resolve revision: empty revision")
	}
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return Rev{}, r.revisionError(rev, err)
	}
	c, err := r.git.CommitObject(*h)
	if err != nil {
		return Rev{}, r.revisionError(rev, err)
	}
	return Rev{Name: rev, Hash: h.String(), Author: c.Author.Name + " <" + c.Author.Email + ">"}, nil
}

func (r *Repo) revisionError(rev string, err error) error {
	if r.Shallow() && errors.Is(err, plumbing.ErrObjectNotFound) {
		return fmt.Errorf("resolve revision %q: beyond the history of this shallow clone (fetch more, e.g. git fetch --deepen=50, or clone with fetch-depth: 0)", rev)
	}
	if errors.Is(err, io.EOF) {
		// go-git's answer to HEAD~N or X^ past the first commit.
		return fmt.Errorf("resolve revision %q: the history has fewer commits than that (past the first commit)", rev)
	}
	if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) {
		return fmt.Errorf("resolve revision %q: unknown revision (not a branch, remote branch, tag or commit of this repository)", rev)
	}
	return fmt.Errorf("resolve revision %q: %w", rev, err)
}

// Exists reports whether a revision resolves.
func (r *Repo) Exists(rev string) bool {
	_, err := r.Resolve(rev)
	return err == nil
}

// FS returns the config directory at a resolved revision: the commit's tree
// (no checkout), or the directory on disk for the working tree.
func (r *Repo) FS(v Rev) (fs.FS, error) {
	if v.Worktree {
		return DirFS(r.dir), nil
	}
	c, err := r.git.CommitObject(plumbing.NewHash(v.Hash))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", v.Hash, err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of commit %s: %w", v.Hash, err)
	}
	if r.prefix != "" {
		sub, err := tree.Tree(r.prefix)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			// The config directory does not exist at this revision: an
			// empty repository, which the loader reports.
			return &treeFS{git: r.git, tree: &object.Tree{}, when: c.Committer.When}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s at commit %s: %w", r.prefix, v.Hash, err)
		}
		tree = sub
	}
	return &treeFS{git: r.git, tree: tree, when: c.Committer.When}, nil
}

// Op is what happened to a file between two revisions.
type Op string

// The file operations.
const (
	OpAdd    Op = "add"
	OpDelete Op = "delete"
	OpModify Op = "modify"
)

// FileChange is one file changed between two revisions, its path relative
// to the config directory.
type FileChange struct {
	Path string
	Op   Op
}

// Changed lists the files of the config directory that differ between two
// resolved revisions, sorted by path. head may be the working tree: then
// uncommitted (staged, unstaged and untracked, not ignored) changes count.
func (r *Repo) Changed(base, head Rev) ([]FileChange, error) {
	if base.Worktree {
		return nil, fmt.Errorf("list changed files: the base cannot be %s", Worktree)
	}
	headHash := head.Hash
	changed := map[string]Op{}
	if headHash != "" {
		if err := r.diffCommits(base.Hash, headHash, changed); err != nil {
			return nil, err
		}
	}
	if head.Worktree {
		if err := r.worktreeChanges(changed); err != nil {
			return nil, err
		}
	}
	out := make([]FileChange, 0, len(changed))
	for p, op := range changed {
		out = append(out, FileChange{Path: p, Op: op})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (r *Repo) diffCommits(a, b string, into map[string]Op) error {
	ta, err := r.commitTree(a)
	if err != nil {
		return err
	}
	tb, err := r.commitTree(b)
	if err != nil {
		return err
	}
	changes, err := object.DiffTree(ta, tb)
	if err != nil {
		return fmt.Errorf("diff %s..%s: %w", short(a), short(b), err)
	}
	for _, ch := range changes {
		act, err := ch.Action()
		if err != nil {
			return fmt.Errorf("diff %s..%s: %w", short(a), short(b), err)
		}
		name := ch.To.Name
		if name == "" {
			name = ch.From.Name
		}
		rel, ok := r.relative(name)
		if !ok {
			continue
		}
		switch act {
		case merkletrie.Insert:
			into[rel] = OpAdd
		case merkletrie.Delete:
			into[rel] = OpDelete
		default:
			into[rel] = OpModify
		}
	}
	return nil
}

func (r *Repo) commitTree(h string) (*object.Tree, error) {
	c, err := r.git.CommitObject(plumbing.NewHash(h))
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", short(h), err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of commit %s: %w", short(h), err)
	}
	return t, nil
}

// worktreeChanges folds the working tree's status (relative to HEAD) into a
// base..HEAD diff, giving base..WORKTREE.
func (r *Repo) worktreeChanges(into map[string]Op) error {
	st, err := r.status()
	if err != nil {
		return err
	}
	for name, s := range st {
		rel, ok := r.relative(name)
		if !ok {
			continue
		}
		before, inBase := into[rel]
		switch {
		case s.Worktree == git.Deleted || (s.Staging == git.Deleted && s.Worktree != git.Untracked):
			if inBase && before == OpAdd {
				delete(into, rel) // added since base, now gone again
			} else {
				into[rel] = OpDelete
			}
		case s.Staging == git.Untracked || s.Worktree == git.Untracked || s.Staging == git.Added:
			if inBase && before == OpDelete {
				into[rel] = OpModify
			} else if !inBase {
				into[rel] = OpAdd
			}
		default:
			if !inBase {
				into[rel] = OpModify
			}
		}
	}
	return nil
}

func (r *Repo) status() (git.Status, error) {
	if r.Bare() {
		return nil, fmt.Errorf("read working tree status: a bare repository has no working tree")
	}
	wt, err := r.git.Worktree()
	if err != nil {
		return nil, fmt.Errorf("read working tree status: %w", err)
	}
	st, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("read working tree status: %w", err)
	}
	return st, nil
}

// Uncommitted lists the files of the config directory whose working tree
// state differs from HEAD (modified, staged, deleted or untracked and not
// ignored), sorted, relative to the config directory. A bare repository has
// none.
func (r *Repo) Uncommitted() ([]string, error) {
	if r.Bare() {
		return nil, nil
	}
	st, err := r.status()
	if err != nil {
		return nil, err
	}
	var out []string
	for name, s := range st {
		if s.Staging == git.Unmodified && s.Worktree == git.Unmodified {
			continue
		}
		if rel, ok := r.relative(name); ok {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out, nil
}

// relative maps a path of the working tree to the config directory.
func (r *Repo) relative(name string) (string, bool) {
	if r.prefix == "" {
		return name, true
	}
	if rest, ok := strings.CutPrefix(name, r.prefix+"/"); ok {
		return rest, true
	}
	return "", false
}

// Short abbreviates a commit SHA to 7 characters for messages.
func Short(sha string) string { return short(sha) }

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
