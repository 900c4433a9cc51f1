// Package policy evaluates Rego policies over a proposed change: xtsync's
// built-in policies (embedded, each with an id) and the repository's own
// (policies/*.rego). It follows conftest's conventions: Rego v1, any package
// under xtsync (package xtsync.org), rules deny, warn and violation producing
// messages or objects {msg, tenant, file, line}.
//
// Policies are compiled once (New) and evaluated many times (Evaluate) over
// the input document of DESIGN §6 (Input). Network and non-deterministic
// built-in functions are unavailable to every policy: a policy that calls one
// does not compile. The time comes from input.context.now.
//
// The package is pure: no network, no clock, no logging.
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/xtsync/xtsync/plan"
)

// The finding levels.
const (
	LevelDeny = plan.LevelDeny
	LevelWarn = plan.LevelWarn
)

// Options configures an Engine.
type Options struct {
	// Modules are the repository's own policies at head: file name -> Rego
	// source. *_test.rego files are skipped (Test runs them).
	Modules map[string]string
	// BaseModules are the base revision's policies, compiled and evaluated
	// apart from Modules: a change is denied when either set denies it, so a
	// pull request cannot switch off the policy that gates it. Nil when only
	// one revision is checked.
	BaseModules map[string]string
	// Disabled lists built-in policy ids turned off. Pass the BASE revision's
	// disabledPolicies, so a change cannot disable its own gate.
	Disabled []string
	// Builtins enables the built-in policies (except Disabled).
	Builtins bool
	// Progress, when set, is called before each query is evaluated (each
	// package of a repository's policies; the built-ins as one), so a
	// caller that has to stop a runaway evaluation can say which policy
	// it was in.
	Progress func(Progress)
}

// Progress names the package an evaluation is in: its set ("builtin",
// "head", "base"), its path ("xtsync.org", "builtin.overlapping_scopes")
// and its files ("policies/org.rego"; a built-in's embedded file).
type Progress struct {
	Set     string   `json:"set"`
	Package string   `json:"package"`
	Files   []string `json:"files"`
}

// Engine holds the compiled policies. It is safe for concurrent use.
type Engine struct {
	sets     []*set
	progress func(Progress)
}

// set is one compiled group of modules: the built-ins, head's or base's
// repository policies.
type set struct {
	name     string // "builtin", "head", "base"
	builtin  bool
	root     string     // "builtin" or "xtsync"
	packages []*pkgEval // sorted by path
	policies []Info     // the rules evaluated
	// queries evaluate the packages: one per package for a repository's
	// policies (a stopped evaluation names its file), one over
	// data.builtin for the built-ins (they share lib's rules, which one
	// query computes once: 3.6 s of CPU instead of 5.4 s at 14,000
	// configurations).
	queries []*query
}

// pkgEval is one package of a set.
type pkgEval struct {
	path  string   // "xtsync.org"
	files []string // the files that declare it, sorted
}

// query is one prepared query over data.<path> and the packages it
// answers for.
type query struct {
	path     string
	packages []*pkgEval
	prepared rego.PreparedEvalQuery
}

// New compiles the policies. A policy with a syntax or type error, or one
// that calls an unavailable built-in function, is an error naming its file
// and line.
func New(opts Options) (*Engine, error) {
	e := &Engine{progress: opts.Progress}
	if opts.Builtins {
		mods, err := builtinModules(opts.Disabled, false)
		if err != nil {
			return nil, err
		}
		s, err := compileSet("builtin", "builtin", mods)
		if err != nil {
			return nil, fmt.Errorf("compile built-in policies: %w", err)
		}
		s.builtin = true
		e.sets = append(e.sets, s)
	} else if err := checkIDs(opts.Disabled); err != nil {
		return nil, err
	}
	for _, x := range []struct {
		name string
		mods map[string]string
	}{{"head", opts.Modules}, {"base", opts.BaseModules}} {
		if len(x.mods) == 0 {
			continue
		}
		parsed, err := parseModules(x.mods, false)
		if err != nil {
			return nil, err
		}
		s, err := compileSet(x.name, "xtsync", parsed)
		if err != nil {
			return nil, err
		}
		e.sets = append(e.sets, s)
	}
	return e, nil
}

// parseModules parses Rego v1 sources; with tests false, *_test.rego files
// are left out.
func parseModules(srcs map[string]string, tests bool) (map[string]*ast.Module, error) {
	names := make([]string, 0, len(srcs))
	for name := range srcs {
		names = append(names, name)
	}
	sort.Strings(names)
	mods := map[string]*ast.Module{}
	var errs ast.Errors
	for _, name := range names {
		if !tests && strings.HasSuffix(name, "_test.rego") {
			continue
		}
		m, err := ast.ParseModuleWithOpts(name, srcs[name], ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: capabilities()})
		if err != nil {
			var ae ast.Errors
			if errors.As(err, &ae) {
				errs = append(errs, ae...)
				continue
			}
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		mods[name] = m
	}
	if len(errs) > 0 {
		return nil, compileError(errs)
	}
	return mods, nil
}

// compileSet compiles a set's modules once and prepares its queries (see
// set.queries): one per package of a repository's policies, so an
// evaluation that has to be stopped can name the package and its files;
// one over data.builtin for the built-ins.
func compileSet(name, root string, mods map[string]*ast.Module) (*set, error) {
	s := &set{name: name, root: root}
	seen := map[string]bool{}
	files := make([]string, 0, len(mods))
	for f := range mods {
		files = append(files, f)
	}
	sort.Strings(files)
	byPath := map[string]*pkgEval{}
	for _, f := range files {
		m := mods[f]
		path, ok := packagePath(m)
		if !ok || path[0] != root {
			continue
		}
		p := strings.Join(path, ".")
		pe := byPath[p]
		if pe == nil {
			pe = &pkgEval{path: p}
			byPath[p] = pe
			s.packages = append(s.packages, pe)
		}
		pe.files = append(pe.files, f)
		for _, r := range m.Rules {
			for _, rl := range ruleLevels {
				if r.Head.Name.String() == rl.rule || (len(r.Head.Reference) > 0 && r.Head.Reference[0].Value.String() == rl.rule) {
					if id := p + "." + rl.rule; !seen[id] {
						seen[id] = true
						s.policies = append(s.policies, Info{ID: id, Level: rl.level})
					}
				}
			}
		}
	}
	sort.Slice(s.packages, func(i, j int) bool { return s.packages[i].path < s.packages[j].path })
	c := ast.NewCompiler().WithCapabilities(capabilities()).WithDefaultRegoVersion(ast.RegoV1)
	if c.Compile(mods); c.Failed() {
		return nil, compileError(c.Errors)
	}
	if name == "builtin" {
		s.queries = []*query{{path: root, packages: s.packages}}
	} else {
		for _, pe := range s.packages {
			s.queries = append(s.queries, &query{path: pe.path, packages: []*pkgEval{pe}})
		}
	}
	for _, q := range s.queries {
		prepared, err := rego.New(
			rego.Query("data."+q.path),
			rego.Compiler(c),
			rego.Capabilities(capabilities()),
			rego.SetRegoVersion(ast.RegoV1),
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(context.Background())
		if err != nil {
			var ae ast.Errors
			if errors.As(err, &ae) {
				return nil, compileError(ae)
			}
			return nil, fmt.Errorf("compile %s policies: %w", name, err)
		}
		q.prepared = prepared
	}
	return s, nil
}

// packagePath returns a module's package as plain names below data:
// package xtsync.org -> ["xtsync", "org"].
func packagePath(m *ast.Module) ([]string, bool) {
	ref := m.Package.Path
	if len(ref) < 2 {
		return nil, false
	}
	out := make([]string, 0, len(ref)-1)
	for _, t := range ref[1:] {
		s, ok := t.Value.(ast.String)
		if !ok {
			return nil, false
		}
		out = append(out, string(s))
	}
	return out, true
}

// Info describes one evaluated policy.
type Info struct {
	// ID is the built-in id, or a repository policy's package and rule
	// ("xtsync.org.deny"): Finding.Policy.
	ID          string `json:"id"`
	Level       string `json:"level"`
	Builtin     bool   `json:"builtin"`
	Description string `json:"description,omitempty"`
}

// Policies lists the policies the engine evaluates, sorted by id.
func (e *Engine) Policies() []Info {
	var out []Info
	seen := map[string]bool{}
	for _, s := range e.sets {
		if s.builtin {
			for _, b := range Builtins() {
				for _, p := range s.packages {
					if builtinID(p.path) == b.ID {
						out = append(out, Info{ID: b.ID, Level: b.Level, Builtin: true, Description: b.Doc})
					}
				}
			}
			continue
		}
		for _, p := range s.policies {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Evaluate runs every policy over the input and returns the findings,
// deduplicated and sorted: denies first, then by file, line, policy,
// tenant and message.
func (e *Engine) Evaluate(ctx context.Context, input Input) ([]plan.Finding, error) {
	b, err := MarshalInput(input)
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	return e.EvaluateJSON(ctx, b)
}

// EvaluateJSON is Evaluate over an input document already encoded by
// MarshalInput (an evaluation in another process receives it so).
func (e *Engine) EvaluateJSON(ctx context.Context, input []byte) ([]plan.Finding, error) {
	var v any
	if err := json.Unmarshal(input, &v); err != nil {
		return nil, fmt.Errorf("read policy input: %w", err)
	}
	doc, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, fmt.Errorf("read policy input: %w", err)
	}
	var out []plan.Finding
	seen := map[plan.Finding]bool{}
	for _, s := range e.sets {
		fs, err := s.eval(ctx, doc, e.progress)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	SortFindings(out)
	return out, nil
}

// MarshalInput encodes the input document as JSON, the form policies see.
// Nil lists become empty ones, so policies can count them.
func MarshalInput(input Input) ([]byte, error) {
	if input.Changes == nil {
		input.Changes = []plan.Change{}
	}
	if input.Impact == nil {
		input.Impact = []plan.TargetImpact{}
	}
	if input.Context.Labels == nil {
		input.Context.Labels = []string{}
	}
	if input.Summary.Configs == nil && input.Summary.Tenants == nil && input.Summary.Pairs == nil {
		input.Summary = Summarize(nil)
	}
	return json.Marshal(input)
}

// SortFindings orders findings: denies first, then by file, line, policy,
// tenant and message.
func SortFindings(fs []plan.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Level != b.Level {
			return a.Level == LevelDeny
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.Tenant != b.Tenant {
			return a.Tenant < b.Tenant
		}
		return a.Msg < b.Msg
	})
}

// ruleLevels are the rules a policy package may define, with their level.
var ruleLevels = []struct{ rule, level string }{
	{"deny", LevelDeny},
	{"violation", LevelDeny},
	{"warn", LevelWarn},
}

func (s *set) eval(ctx context.Context, input ast.Value, progress func(Progress)) ([]plan.Finding, error) {
	var out []plan.Finding
	for _, q := range s.queries {
		if progress != nil {
			p := Progress{Set: s.name, Package: q.path}
			for _, pe := range q.packages {
				p.Files = append(p.Files, pe.files...)
			}
			progress(p)
		}
		rs, err := q.prepared.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return nil, fmt.Errorf("evaluate %s policies: %s: %w", s.name, q.path, err)
		}
		if len(rs) == 0 || len(rs[0].Expressions) == 0 {
			continue
		}
		tree, _ := rs[0].Expressions[0].Value.(map[string]any)
		for _, pe := range q.packages {
			node := tree
			if pe.path != q.path {
				node = lookup(tree, strings.Split(strings.TrimPrefix(pe.path, q.path+"."), "."))
			}
			if node == nil {
				continue
			}
			for _, rl := range ruleLevels {
				v, ok := node[rl.rule]
				if !ok {
					continue
				}
				policy := pe.path + "." + rl.rule
				if s.builtin {
					policy = builtinID(pe.path)
				}
				fs, err := findings(policy, rl.level, v)
				if err != nil {
					return nil, fmt.Errorf("evaluate %s policies: %s: %w", s.name, pe.path+"."+rl.rule, err)
				}
				out = append(out, fs...)
			}
		}
	}
	return out, nil
}

func lookup(tree map[string]any, path []string) map[string]any {
	node := tree
	for _, p := range path {
		next, ok := node[p].(map[string]any)
		if !ok {
			return nil
		}
		node = next
	}
	return node
}

// findings converts a rule's value (a set of strings or objects, or a single
// string or object) into findings.
func findings(policy, level string, v any) ([]plan.Finding, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var out []plan.Finding
	for _, it := range items {
		f := plan.Finding{Policy: policy, Level: level}
		switch x := it.(type) {
		case string:
			f.Msg = x
		case bool:
			if !x {
				continue
			}
			f.Msg = policy
		case map[string]any:
			msg, ok := x["msg"].(string)
			if !ok {
				return nil, fmt.Errorf("a finding object needs a string msg, got %s", compact(x))
			}
			f.Msg = msg
			f.Tenant, _ = x["tenant"].(string)
			f.File, _ = x["file"].(string)
			if n, ok := x["line"].(json.Number); ok {
				if l, err := n.Int64(); err == nil && l > 0 {
					f.Line = int(l)
				}
			}
		default:
			return nil, fmt.Errorf("want strings or objects {msg, tenant, file, line}, got %s", compact(it))
		}
		out = append(out, f)
	}
	return out, nil
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
