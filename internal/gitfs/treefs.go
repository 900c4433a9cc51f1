package gitfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeFS is a commit's tree as a read-only file system. Files are read
// whole from the object database; every file's modification time is the
// commit's committer time, so reads are deterministic.
type treeFS struct {
	git  *git.Repository
	tree *object.Tree
	when time.Time
}

var (
	_ fs.FS         = (*treeFS)(nil)
	_ fs.ReadDirFS  = (*treeFS)(nil)
	_ fs.StatFS     = (*treeFS)(nil)
	_ fs.ReadFileFS = (*treeFS)(nil)
)

// lookup finds name in the tree: a directory (tree != nil) or a file entry.
func (t *treeFS) lookup(op, name string) (*object.Tree, *object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return t.tree, nil, nil
	}
	e, err := t.tree.FindEntry(name)
	if err != nil {
		if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) ||
			errors.Is(err, plumbing.ErrObjectNotFound) { // a path through a file
			return nil, nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if e.Mode == filemode.Symlink {
		return nil, nil, &fs.PathError{Op: op, Path: name, Err: &refusal{what: "a symbolic link"}}
	}
	if e.Mode == filemode.Dir {
		sub, err := t.tree.Tree(name)
		if err != nil {
			return nil, nil, &fs.PathError{Op: op, Path: name, Err: err}
		}
		return sub, e, nil
	}
	return nil, e, nil
}

func (t *treeFS) Open(name string) (fs.File, error) {
	dir, e, err := t.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if dir != nil {
		return &treeDir{fsys: t, tree: dir, info: t.dirInfo(name)}, nil
	}
	r, size, err := t.open(e)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	// The blob is streamed, not read whole: a reader that stops early
	// (the loader reads 1 MiB of a tenant file) never inflates a blob of
	// gigabytes that compresses to a few megabytes.
	return &treeFile{ReadCloser: r, info: t.fileInfo(path.Base(name), e.Mode, size)}, nil
}

func (t *treeFS) ReadFile(name string) ([]byte, error) {
	dir, e, err := t.lookup("readfile", name)
	if err != nil {
		return nil, err
	}
	if dir != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errIsDir}
	}
	data, err := t.read(e)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return data, nil
}

func (t *treeFS) Stat(name string) (fs.FileInfo, error) {
	dir, e, err := t.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	if dir != nil {
		return t.dirInfo(name), nil
	}
	return t.entryInfo(e)
}

func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	dir, _, err := t.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if dir == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	entries, err := t.entries(dir)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return entries, nil
}

var (
	errIsDir  = errors.New("is a directory")
	errNotDir = errors.New("not a directory")
)

// MaxReadFile bounds what ReadFile returns at a revision: nothing xtsync
// reads from a config repository (tenant files, xtsync.yaml, policies, a
// keyring) comes near it, and a blob that compresses 1000:1 must not be
// inflated whole into memory.
const MaxReadFile = 64 << 20

// read returns a blob's content, up to MaxReadFile bytes.
func (t *treeFS) read(e *object.TreeEntry) ([]byte, error) {
	r, size, err := t.open(e)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if size > MaxReadFile {
		return nil, fmt.Errorf("%d bytes: larger than the %d MiB xtsync reads from a repository file", size, MaxReadFile>>20)
	}
	return io.ReadAll(io.LimitReader(r, MaxReadFile))
}

// open streams a blob's content and returns its size. A symbolic link (mode
// 120000) is refused, as the working tree refuses one (DirFS); submodules
// cannot be read.
func (t *treeFS) open(e *object.TreeEntry) (io.ReadCloser, int64, error) {
	if e.Mode == filemode.Submodule {
		return nil, 0, errors.New("a submodule: its content is not in this repository")
	}
	if e.Mode == filemode.Symlink {
		return nil, 0, &refusal{what: "a symbolic link"}
	}
	b, err := t.git.BlobObject(e.Hash)
	if err != nil {
		return nil, 0, fmt.Errorf("read blob %s: %w", e.Hash, err)
	}
	r, err := b.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("read blob %s: %w", e.Hash, err)
	}
	return r, b.Size, nil
}

// entries lists a tree's entries sorted by name, as fs.ReadDir promises.
func (t *treeFS) entries(tree *object.Tree) ([]fs.DirEntry, error) {
	out := make([]fs.DirEntry, 0, len(tree.Entries))
	for i := range tree.Entries {
		e := &tree.Entries[i]
		if e.Mode == filemode.Dir {
			out = append(out, fs.FileInfoToDirEntry(t.dirInfo(e.Name)))
			continue
		}
		info, err := t.entryInfo(e)
		if err != nil {
			return nil, err
		}
		out = append(out, fs.FileInfoToDirEntry(info))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (t *treeFS) entryInfo(e *object.TreeEntry) (fs.FileInfo, error) {
	var size int64
	if e.Mode != filemode.Submodule {
		b, err := t.git.BlobObject(e.Hash)
		if err != nil {
			return nil, fmt.Errorf("read blob %s: %w", e.Hash, err)
		}
		size = b.Size
	}
	return t.fileInfo(e.Name, e.Mode, size), nil
}

func (t *treeFS) dirInfo(name string) *fileInfo {
	return &fileInfo{name: path.Base(name), mode: fs.ModeDir | 0o555, mtime: t.when}
}

func (t *treeFS) fileInfo(name string, m filemode.FileMode, size int64) *fileInfo {
	mode := fs.FileMode(0o444)
	switch m {
	case filemode.Executable:
		mode = 0o555
	case filemode.Symlink:
		mode = fs.ModeSymlink | 0o444
	case filemode.Submodule:
		mode = fs.ModeIrregular | 0o444
	}
	return &fileInfo{name: name, size: size, mode: mode, mtime: t.when}
}

type fileInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.size }
func (fi *fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi *fileInfo) ModTime() time.Time { return fi.mtime }
func (fi *fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi *fileInfo) Sys() any           { return nil }

// treeFile is an open file: its blob, streamed.
type treeFile struct {
	io.ReadCloser
	info *fileInfo
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }

// treeDir is an open directory.
type treeDir struct {
	fsys    *treeFS
	tree    *object.Tree
	info    *fileInfo
	entries []fs.DirEntry
	read    bool
	off     int
}

var _ fs.ReadDirFile = (*treeDir)(nil)

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errIsDir}
}

func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		es, err := d.fsys.entries(d.tree)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.info.name, Err: err}
		}
		d.entries, d.read = es, true
	}
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}
