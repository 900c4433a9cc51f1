package gitfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// DirFS is the directory dir as a file system that reads only what is in
// it: a symbolic link (on any part of a path) and every file that is not a
// regular file or a directory (a FIFO, a device, a socket) are refused with
// an error that says what the path is, before the file is opened, so a
// named pipe cannot block a read and a link cannot reach outside the
// repository. os.DirFS follows both.
func DirFS(dir string) fs.FS { return dirFS(dir) }

type dirFS string

var (
	_ fs.FS        = dirFS("")
	_ fs.StatFS    = dirFS("")
	_ fs.ReadDirFS = dirFS("")
)

// ErrNotRegular is what a refused path's error wraps.
var ErrNotRegular = errors.New("not a regular file")

// refusal is the error for a path that is not a regular file or directory.
type refusal struct{ what string }

func (r *refusal) Error() string {
	return r.what + ": xtsync reads only regular files and directories inside the repository, never links or special files"
}

func (r *refusal) Is(target error) bool { return target == ErrNotRegular }

// Kind names what a file mode is, for messages: "a symbolic link", "a named
// pipe (FIFO)", "a device", "a socket"; "" for a regular file or directory.
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir(), m.IsRegular():
		return ""
	}
	return "not a regular file"
}

// check lstats every part of name under the root and returns the last
// one's information.
func (d dirFS) check(op, name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	p := string(d)
	info, err := os.Stat(p) // the root is the user's choice: it may be a link

	if err == nil && name != "." {
		for _, part := range strings.Split(name, "/") {
			if k := Kind(info.Mode()); k != "" {
				break
			}
			p = filepath.Join(p, part)
			info, err = os.Lstat(p)
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if k := Kind(info.Mode()); k != "" {
		rel, _ := filepath.Rel(string(d), p)
		what := k
		if rel = filepath.ToSlash(rel); rel != name && rel != "." {
			what = path.Clean(rel) + " is " + k
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: &refusal{what: what}}
	}
	return info, nil
}

func (d dirFS) Open(name string) (fs.File, error) {
	info, err := d.check("open", name)
	if err != nil {
		return nil, err
	}
	// O_NONBLOCK: a file swapped for a FIFO after the check still cannot
	// block the open; the fstat below refuses it.
	f, err := os.OpenFile(filepath.Join(string(d), filepath.FromSlash(name)), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	got, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if k := Kind(got.Mode()); k != "" || got.IsDir() != info.IsDir() {
		f.Close()
		if k == "" {
			k = "changed while read"
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: &refusal{what: k}}
	}
	return f, nil
}

func (d dirFS) Stat(name string) (fs.FileInfo, error) { return d.check("stat", name) }

func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	info, err := d.check("readdir", name)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	entries, err := os.ReadDir(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", name, err)
	}
	return entries, nil
}
