package policy

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

//go:embed builtin/*.rego
var builtinFS embed.FS

// Builtin describes one built-in policy.
type Builtin struct {
	// ID is used in findings, xtsync.yaml's disabledPolicies and a sync
	// configuration's acknowledge list.
	ID string `json:"id"`
	// Level is deny or warn.
	Level string `json:"level"`
	// Doc is the policy's description, from its file's leading comment.
	Doc string `json:"doc"`
	// File is the embedded file name ("builtin/scope_all.rego").
	File string `json:"file"`
}

// Builtins returns the built-in policies, sorted by id.
func Builtins() []Builtin {
	var out []Builtin
	for _, f := range builtinFiles(false) {
		base := strings.TrimSuffix(path.Base(f), ".rego")
		if base == "lib" {
			continue
		}
		src, _ := builtinFS.ReadFile(f)
		out = append(out, Builtin{ID: idOf(base), Level: levelOf(string(src)), Doc: leadingComment(string(src)), File: f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// IsBuiltin reports whether id names a built-in policy.
func IsBuiltin(id string) bool {
	for _, b := range Builtins() {
		if b.ID == id {
			return true
		}
	}
	return false
}

// idOf maps a file or package name to the policy id: scope_all -> scope-all.
func idOf(name string) string { return strings.ReplaceAll(name, "_", "-") }

// builtinID maps a built-in package path ("builtin.scope_all") to its id.
func builtinID(pkg string) string { return idOf(pkg[strings.LastIndexByte(pkg, '.')+1:]) }

func levelOf(src string) string {
	if strings.Contains(src, "\ndeny contains") {
		return LevelDeny
	}
	return LevelWarn
}

// leadingComment returns the first comment block of a file as one line.
func leadingComment(src string) string {
	var parts []string
	for _, l := range strings.Split(src, "\n") {
		c, ok := strings.CutPrefix(l, "#")
		if !ok {
			break
		}
		parts = append(parts, strings.TrimSpace(c))
	}
	return strings.Join(parts, " ")
}

func builtinFiles(tests bool) []string {
	var out []string
	_ = fs.WalkDir(builtinFS, "builtin", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rego") && (tests || !strings.HasSuffix(p, "_test.rego")) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// checkIDs refuses unknown built-in ids in a disabled list.
func checkIDs(ids []string) error {
	for _, id := range ids {
		if !IsBuiltin(id) {
			known := []string{}
			for _, b := range Builtins() {
				known = append(known, b.ID)
			}
			return fmt.Errorf("disabledPolicies: %q is not a built-in policy (known: %s)", id, strings.Join(known, ", "))
		}
	}
	return nil
}

// builtinModules parses the embedded built-ins except the disabled ones
// (and their tests).
func builtinModules(disabled []string, tests bool) (map[string]*ast.Module, error) {
	if err := checkIDs(disabled); err != nil {
		return nil, err
	}
	off := map[string]bool{}
	for _, id := range disabled {
		off[id] = true
	}
	srcs := map[string]string{}
	for _, f := range builtinFiles(tests) {
		base := strings.TrimSuffix(strings.TrimSuffix(path.Base(f), ".rego"), "_test")
		if off[idOf(base)] {
			continue
		}
		src, err := builtinFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read built-in policy %s: %w", f, err)
		}
		srcs[f] = string(src)
	}
	return parseModules(srcs, tests)
}
