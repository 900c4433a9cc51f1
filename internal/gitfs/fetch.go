package gitfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
)

// IsURL reports whether repo names a remote repository (a URL or an scp-like
// git@host:path) rather than a directory.
func IsURL(repo string) bool {
	if strings.Contains(repo, "://") {
		return true
	}
	if i := strings.Index(repo, ":"); i > 0 && strings.Contains(repo[:i], "@") && !strings.Contains(repo[:i], "/") {
		return true
	}
	return false
}

// CacheDir is the directory a URL's clone is kept in under cache.
func CacheDir(cache, url string) string {
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(cache, hex.EncodeToString(sum[:12]))
}

var fileTransport sync.Once

// Fetch clones url into a bare repository under cache (CacheDir) the first
// time and fetches it afterwards, every branch and tag forced to the remote's,
// and opens it: revisions are read from it without a checkout. file:// URLs
// go through go-git's in-process server, not the git-upload-pack binary,
// which also reads a source whose HEAD is detached.
func Fetch(url, cache string) (*Repo, error) {
	fileTransport.Do(func() {
		client.InstallProtocol("file", server.NewClient(server.NewFilesystemLoader(osfs.New(""))))
	})
	dir := CacheDir(cache, url)
	refs := []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}
	g, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return nil, fmt.Errorf("clone %s: %w", url, err)
		}
		g, err = git.PlainInit(dir, true)
		if err != nil {
			return nil, fmt.Errorf("clone %s into %s: %w", url, dir, err)
		}
		if _, err := g.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}, Fetch: refs}); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("clone %s: %w", url, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("open the clone of %s in %s: %w", url, dir, err)
	}
	err = g.Fetch(&git.FetchOptions{RemoteName: "origin", RefSpecs: refs, Tags: git.NoTags, Force: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	return Open(dir)
}
