package tenants

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	levenshteinlib "github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// Limits that keep hostile input from costing more than it should.
const (
	// MaxFileSize is the largest repository file the loader reads.
	MaxFileSize = 1 << 20
	// maxAliasExpansions caps how often aliases are followed in one file,
	// which defuses alias bombs.
	maxAliasExpansions = 1000
)

// fileLoader decodes one YAML file against the format description,
// collecting diagnostics.
type fileLoader struct {
	file    string
	diags   Diagnostics
	aliases int
	// paths receives the position of every key read (the Tenant's Paths).
	paths map[string]Pos
	// read records the format paths the loader asked for (tests check it
	// against the format description).
	read map[string]bool
	// partnerPaths and syncPaths hold each kept list item's own paths
	// (full dotted paths, as in paths): the repository checks take an
	// entry's positions from here, never from a map keyed by name.
	partnerPaths map[*Partner]map[string]Pos
	syncPaths    map[*SyncConfig]map[string]Pos
	// aliasUse maps the node resolve returns for an alias (a copy of the
	// anchored node placed where the alias is) to the alias node.
	aliasUse map[*yaml.Node]*yaml.Node
	// aliasSaid records the problems reported for an anchor's value through
	// an alias, so that a list of aliases to one bad value reports it once.
	aliasSaid map[aliasProblem]bool
}

type aliasProblem struct {
	anchor    *yaml.Node
	code, msg string
}

func newFileLoader(file string) *fileLoader {
	return &fileLoader{file: file, paths: map[string]Pos{}, read: map[string]bool{},
		partnerPaths: map[*Partner]map[string]Pos{}, syncPaths: map[*SyncConfig]map[string]Pos{},
		aliasUse: map[*yaml.Node]*yaml.Node{}, aliasSaid: map[aliasProblem]bool{}}
}

// pos is the position of a node; that of the file's start for none, so that
// every diagnostic of a file is file:line:col.
func (l *fileLoader) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: l.file, Line: 1, Col: 1}
	}
	return Pos{File: l.file, Line: max(n.Line, 1), Col: max(n.Column, 1)}
}

func (l *fileLoader) errorf(n *yaml.Node, code, format string, args ...any) {
	l.report(n, SeverityError, code, fmt.Sprintf(format, args...))
}

func (l *fileLoader) warnf(n *yaml.Node, code, format string, args ...any) {
	l.report(n, SeverityWarning, code, fmt.Sprintf(format, args...))
}

// report adds a diagnostic at n. For a node an alias stands for, it is
// reported where the alias is, says where the anchor is, and is reported
// for the first such alias only.
func (l *fileLoader) report(n *yaml.Node, sev Severity, code, msg string) {
	if a := l.aliasUse[n]; a != nil && a.Alias != nil {
		key := aliasProblem{a.Alias, code, msg}
		if l.aliasSaid[key] {
			return
		}
		l.aliasSaid[key] = true
		msg += fmt.Sprintf(" (the value of alias *%s: the anchor &%s is at line %d)", a.Value, a.Value, a.Alias.Line)
	}
	l.diags = append(l.diags, Diagnostic{Pos: l.pos(n), Severity: sev, Code: code, Message: msg})
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parseDoc checks the raw bytes and parses exactly one YAML document,
// returning its root node (nil when there is none or on error).
func (l *fileLoader) parseDoc(data []byte, allowEmpty bool) (root *yaml.Node) {
	if len(data) > MaxFileSize {
		l.errorf(nil, "file-too-large", "file is %d bytes: the limit is %d (1 MiB)", len(data), MaxFileSize)
		return nil
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		start := bytes.LastIndexByte(data[:i], '\n') + 1
		col := 1 + utf8.RuneCount(data[start:i])
		l.errorf(&yaml.Node{Line: 1 + bytes.Count(data[:i], []byte("\n")), Column: col}, "not-text", "binary file (NUL byte): want YAML text")
		return nil
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		col := 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:i], '\n')+1:i])
		l.errorf(&yaml.Node{Line: line, Column: col}, "not-utf8", "invalid UTF-8: YAML files must be UTF-8 text")
		return nil
	}
	defer func() {
		// go.yaml.in/yaml/v3 is not known to panic, but a parser bug must
		// not take the command down with a stack trace.
		if r := recover(); r != nil {
			root = nil
			l.errorf(nil, "yaml-syntax", "cannot parse YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			if !allowEmpty {
				l.errorf(&yaml.Node{Line: 1, Column: 1}, "empty-file", "empty file: want a %s document (apiVersion: %s, kind: %s, name, tenantId)", KindTenant, APIVersion, KindTenant)
			}
			return nil
		}
		l.yamlError(err, data)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		l.yamlError(err, data)
		return nil
	default:
		l.errorf(&yaml.Node{Line: extra.Line, Column: extra.Column}, "multiple-documents", "a second YAML document starts here: want exactly one document per file")
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	root = doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		if !allowEmpty {
			l.errorf(root, "empty-file", "empty document: want a %s document", KindTenant)
		}
		return nil
	}
	return root
}

// yamlError turns a YAML syntax error into a diagnostic. yaml.v3 leaves out
// the line when it is the first one and never says the column (column 1
// then); for the commonest mistake, a tab in the indentation, the loader
// finds both.
func (l *fileLoader) yamlError(err error, data []byte) {
	msg := err.Error()
	line, col := 1, 1 // yaml.v3 gives no column: the line's start
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = m[2]
	}
	msg = strings.ReplaceAll(msg, "\n", " ")
	if strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token") {
		if tl, tc := indentTab(data, line); tl > 0 {
			line, col = tl, tc
			msg += " (YAML does not allow tabs in indentation: use spaces)"
		}
	}
	l.errorf(&yaml.Node{Line: line, Column: col}, "yaml-syntax", "invalid YAML: %s", msg)
}

// indentTab finds a tab in the indentation of the line or the next one and
// returns its 1-based line and column, or 0, 0.
func indentTab(data []byte, line int) (int, int) {
	lines := strings.Split(string(data), "\n")
	for n := line; n <= line+1 && n <= len(lines); n++ {
		if n < 1 {
			continue
		}
		text := lines[n-1]
		for i, r := range text {
			if r == '\t' {
				return n, i + 1
			}
			if r != ' ' {
				break
			}
		}
	}
	return 0, 0
}

// resolve follows aliases, within the file's budget; nil when the budget is
// spent. For an alias it returns a copy of the anchored node placed where the
// alias is, so that a problem with the value is reported where it is used
// (with the anchor's line, see viaAlias).
func (l *fileLoader) resolve(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind != yaml.AliasNode {
		return n
	}
	use := n
	for n != nil && n.Kind == yaml.AliasNode {
		l.aliases++
		if l.aliases == maxAliasExpansions+1 {
			l.errorf(n, "too-many-aliases", "more than %d alias expansions: refusing a possible alias bomb", maxAliasExpansions)
		}
		if l.aliases > maxAliasExpansions {
			return nil
		}
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	c := *n
	c.Line, c.Column = use.Line, use.Column
	l.aliasUse[&c] = use
	return &c
}

// describe names a node's YAML type and value for messages: `string "yes"`.
// describeKind names what n is without its value: "a string of 21
// characters", "a list".
func describeKind(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return describe(n)
	}
	kind := strings.TrimPrefix(n.Tag, "!!")
	switch n.Tag {
	case "!!str":
		kind = "string"
	case "!!null":
		return "null"
	case "!!int":
		kind = "integer"
	case "!!float":
		kind = "number"
	case "!!bool":
		kind = "boolean"
	}
	return fmt.Sprintf("a %s of %d characters (the file is not a YAML mapping; its content is not shown)", kind, len([]rune(n.Value)))
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("string %q", v)
		case "!!bool":
			return "boolean " + v
		case "!!int":
			return "integer " + v
		case "!!float":
			return "number " + v
		case "!!null":
			return "null"
		}
		return fmt.Sprintf("%s %q", strings.TrimPrefix(n.Tag, "!!"), v)
	}
	return "an alias"
}

func isNull(n *yaml.Node) bool { return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") }

// obj is a YAML mapping decoded against a TObject field.
type obj struct {
	l     *fileLoader
	node  *yaml.Node
	spec  *Field
	path  string // dotted path for Paths ("sync.eu-to-us.scope")
	fpath string // format path ("sync.scope")
	keys  map[string]*yaml.Node
	vals  map[string]*yaml.Node
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// object checks that n is a mapping with only the spec's keys, no key twice
// and every required key; n may be nil (an absent optional object).
func (l *fileLoader) object(n *yaml.Node, spec *Field, path, fpath string) *obj {
	o := &obj{l: l, node: n, spec: spec, path: path, fpath: fpath, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	n = l.resolve(n)
	if isNull(n) {
		o.node = nil
		return o
	}
	o.node = n
	if n.Kind != yaml.MappingNode {
		got := describe(n)
		if path == "" {
			// The whole file is not a mapping: it may be anything (a
			// secret a link pointed at): say what it is, not what it says.
			got = describeKind(n)
		}
		l.errorf(n, "wrong-type", "%swant a mapping, got %s", where(path), got)
		o.node = nil
		return o
	}
	var names []string
	for _, f := range spec.Fields {
		names = append(names, f.Key)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := l.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			l.errorf(k, "wrong-type", "%swant a key, got %s", where(path), describe(k))
			continue
		}
		if first, dup := o.keys[k.Value]; dup {
			l.errorf(k, "duplicate-key", "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		if why, refused := spec.Refused[k.Value]; refused {
			l.errorf(k, "unknown-key", "%s%s: %s", where(path), k.Value, why)
			o.keys[k.Value] = k
			continue
		}
		if spec.field(k.Value) == nil {
			msg := fmt.Sprintf("unknown key %q%s", k.Value, inWhat(path))
			if k.Tag == "!!merge" {
				msg += ": YAML merge keys are not supported"
			} else if s := suggest(k.Value, names); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += ": want one of " + strings.Join(names, ", ")
			}
			l.errorf(k, "unknown-key", "%s", msg)
			o.keys[k.Value] = k
			continue
		}
		o.keys[k.Value] = k
		o.vals[k.Value] = v
		l.paths[join(path, k.Value)] = l.pos(k)
	}
	for _, f := range spec.Fields {
		if f.Required && o.keys[f.Key] == nil {
			l.errorf(n, "missing-key", "missing required key %q%s", f.Key, inWhat(path))
		}
	}
	return o
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func inWhat(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

// get returns the value node of key (aliases resolved) and marks the key
// read; nil when absent or null.
func (o *obj) get(key string) *yaml.Node {
	o.l.read[join(o.fpath, key)] = true
	if o.spec.field(key) == nil {
		panic("tenants: format has no key " + join(o.fpath, key)) // a programming error, caught by tests
	}
	v := o.l.resolve(o.vals[key])
	if isNull(v) {
		if v != nil && o.spec.field(key).Required {
			o.l.errorf(v, "missing-key", "%q has no value%s", key, inWhat(o.path))
		}
		return nil
	}
	return v
}

// keyNode returns the key node of key, or the mapping node.
func (o *obj) keyNode(key string) *yaml.Node {
	if k := o.keys[key]; k != nil {
		return k
	}
	return o.node
}

// scalarOf checks that n is a scalar of the tag.
func (l *fileLoader) scalarOf(n *yaml.Node, tag, want, ctx string) bool {
	if n.Kind == yaml.ScalarNode && n.Tag == tag {
		return true
	}
	hint := ""
	if tag == "!!str" && n.Kind == yaml.ScalarNode {
		hint = " (quote it)"
	}
	l.errorf(n, "wrong-type", "%s: want %s, got %s%s", ctx, want, describe(n), hint)
	return false
}

// str returns a string value, checked against the field's enum and pattern.
func (o *obj) str(key string) (string, *yaml.Node, bool) {
	v := o.get(key)
	if v == nil || !o.l.scalarOf(v, "!!str", "a string", key) {
		return "", v, false
	}
	f := o.spec.field(key)
	if f.Required && v.Value == "" {
		o.l.errorf(v, "missing-key", "%q is empty%s", key, inWhat(o.path))
		return "", v, false
	}
	if !o.l.checkString(v, key, f) {
		return v.Value, v, false
	}
	return v.Value, v, true
}

func (l *fileLoader) checkString(v *yaml.Node, ctx string, f *Field) bool {
	if len(f.Enum) > 0 && !contains(f.Enum, v.Value) {
		msg := fmt.Sprintf("%s: invalid value %q: want one of %s", ctx, v.Value, strings.Join(f.Enum, ", "))
		if s := suggest(v.Value, f.Enum); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		l.errorf(v, "invalid-value", "%s", msg)
		return false
	}
	if f.Pattern != "" && !patternRE(f.Pattern).MatchString(v.Value) {
		l.errorf(v, "invalid-value", "%s: invalid value %q: %s", ctx, v.Value, patternHelp(f.Pattern))
		return false
	}
	return true
}

// patterns are the format's patterns, compiled once.
var patterns = map[string]*regexp.Regexp{
	guidPattern:       regexp.MustCompile(guidPattern),
	tenantNamePattern: regexp.MustCompile(tenantNamePattern),
	syncNamePattern:   regexp.MustCompile(syncNamePattern),
	durationPattern:   regexp.MustCompile(durationPattern),
}

func patternRE(p string) *regexp.Regexp {
	if re, ok := patterns[p]; ok {
		return re
	}
	return regexp.MustCompile(p)
}

func patternHelp(p string) string {
	switch p {
	case guidPattern:
		return "want a GUID like 0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"
	case tenantNamePattern:
		return "want 1 to 63 lower-case letters, digits and dashes"
	case syncNamePattern:
		return "want 1 to 120 letters, digits, '_', '.' and '-'"
	case urlEnvPattern:
		return "want the name of an environment variable XTSYNC_WEBHOOK_<NAME> (upper-case letters, digits and '_')"
	}
	return "want a match of " + p
}

// boolean returns a boolean value, or def.
func (o *obj) boolean(key string, def bool) bool {
	v := o.get(key)
	if v == nil || !o.l.scalarOf(v, "!!bool", "a boolean", key) {
		return def
	}
	return v.Value == "true" || v.Value == "True" || v.Value == "TRUE"
}

// integer returns an integer value within the field's bounds, or def.
func (o *obj) integer(key string, def int) (int, bool) {
	v := o.get(key)
	if v == nil || !o.l.scalarOf(v, "!!int", "an integer", key) {
		return def, false
	}
	var i int
	if err := v.Decode(&i); err != nil {
		o.l.errorf(v, "wrong-type", "%s: want an integer, got %s", key, describe(v))
		return def, false
	}
	f := o.spec.field(key)
	if f.Min != nil && float64(i) < *f.Min {
		o.l.errorf(v, "invalid-value", "%s: %d is negative: want %g or more", key, i, *f.Min)
		return def, false
	}
	return i, true
}

// number returns a number value within the field's bounds, or def.
func (o *obj) number(key string, def float64) float64 {
	v := o.get(key)
	if v == nil {
		return def
	}
	if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") {
		o.l.errorf(v, "wrong-type", "%s: want a number, got %s", key, describe(v))
		return def
	}
	var x float64
	if err := v.Decode(&x); err != nil {
		o.l.errorf(v, "wrong-type", "%s: want a number, got %s", key, describe(v))
		return def
	}
	f := o.spec.field(key)
	if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) || x != x {
		o.l.errorf(v, "invalid-value", "%s: %s is out of range: want %g to %g", key, v.Value, *f.Min, *f.Max)
		return def
	}
	return x
}

// scalar returns any scalar value as its text.
func (o *obj) scalar(key string) (string, *yaml.Node, bool) {
	v := o.get(key)
	if v == nil {
		return "", nil, false
	}
	if v.Kind != yaml.ScalarNode {
		o.l.errorf(v, "wrong-type", "%s: want a scalar, got %s", key, describe(v))
		return "", v, false
	}
	return v.Value, v, true
}

// strs returns a list of strings, each checked against the field's enum
// and pattern, with their nodes. present is false when the key is absent
// or null.
func (o *obj) strs(key string) (vals []string, nodes []*yaml.Node, present bool) {
	v := o.get(key)
	if v == nil {
		return nil, nil, false // absent or null: the default
	}
	if v.Kind != yaml.SequenceNode {
		o.l.errorf(v, "wrong-type", "%s: want a list of strings, got %s", key, describe(v))
		return nil, nil, true
	}
	f := o.spec.field(key)
	for _, it := range v.Content {
		it = o.l.resolve(it)
		if it == nil || !o.l.scalarOf(it, "!!str", "a string", key+" item") {
			continue
		}
		if it.Value == "" {
			o.l.errorf(it, "invalid-value", "%s: empty item", key)
			continue
		}
		if !o.l.checkString(it, key, f) {
			continue
		}
		vals = append(vals, it.Value)
		nodes = append(nodes, it)
	}
	return vals, nodes, true
}

// list returns the items of a list of mappings.
func (o *obj) list(key string) []*yaml.Node {
	v := o.get(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		o.l.errorf(v, "wrong-type", "%s: want a list, got %s", key, describe(v))
		return nil
	}
	var out []*yaml.Node
	for _, it := range v.Content {
		if it = o.l.resolve(it); it != nil {
			out = append(out, it)
		}
	}
	return out
}

// child decodes a nested object; nil when absent.
func (o *obj) child(key string) *obj {
	v := o.get(key)
	if v == nil {
		return nil
	}
	return o.l.object(v, o.spec.field(key), join(o.path, key), join(o.fpath, key))
}

// item decodes a list item of key as an object with the list's fields.
func (o *obj) item(key string, n *yaml.Node, path string) *obj {
	return o.l.object(n, o.spec.field(key), path, join(o.fpath, key))
}

// mapEntry is one key of a TMap.
type mapEntry struct {
	key      string
	keyNode  *yaml.Node
	valNode  *yaml.Node
	elemPath string
}

// entries returns the entries of a TMap key, checking keys for duplicates and
// against KeyEnum.
func (o *obj) entries(key string) []mapEntry {
	v := o.get(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		o.l.errorf(v, "wrong-type", "%s: want a mapping, got %s", key, describe(v))
		return nil
	}
	f := o.spec.field(key)
	seen := map[string]*yaml.Node{}
	var out []mapEntry
	for i := 0; i+1 < len(v.Content); i += 2 {
		k := o.l.resolve(v.Content[i])
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			o.l.errorf(k, "wrong-type", "%s: want a non-empty key, got %s", key, describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			o.l.errorf(k, "duplicate-key", "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		if len(f.KeyEnum) > 0 && !contains(f.KeyEnum, k.Value) {
			msg := fmt.Sprintf("%s: unknown key %q", key, k.Value)
			if s := suggest(k.Value, f.KeyEnum); s != "" {
				msg += fmt.Sprintf(": did you mean %q?", s)
			} else {
				msg += ": want one of " + strings.Join(f.KeyEnum, ", ")
			}
			o.l.errorf(k, "unknown-key", "%s", msg)
			continue
		}
		p := join(join(o.path, key), k.Value)
		o.l.paths[p] = o.l.pos(k)
		out = append(out, mapEntry{key: k.Value, keyNode: k, valNode: v.Content[i+1], elemPath: p})
	}
	return out
}

// elem decodes a TMap entry's value as an object.
func (o *obj) elem(key string, e mapEntry) *obj {
	return o.l.object(e.valNode, o.spec.field(key).Elem, e.elemPath, join(o.fpath, key)+".*")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the candidate closest to word when it is a near miss:
// equal ignoring case, or within Levenshtein distance 2.
func suggest(word string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if strings.EqualFold(c, word) {
			return c
		}
		if d := levenshtein(strings.ToLower(word), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// levenshtein is the edit distance, capped for long inputs: a key is never
// hundreds of characters, and a fuzzer's would make the suggestion quadratic.
func levenshtein(a, b string) int {
	if len(a) > 200 || len(b) > 200 {
		return 1 << 20
	}
	return levenshteinlib.ComputeDistance(a, b)
}

// timestamp returns a TTime value: an RFC 3339 time with its zone, written
// as a YAML timestamp or a string.
func (o *obj) timestamp(key string) (time.Time, *yaml.Node, bool) {
	v := o.get(key)
	if v == nil {
		return time.Time{}, nil, false
	}
	if v.Kind != yaml.ScalarNode || (v.Tag != "!!timestamp" && v.Tag != "!!str") {
		o.l.errorf(v, "wrong-type", "%s: want an RFC 3339 time like 2026-12-24T00:00:00Z, got %s", key, describe(v))
		return time.Time{}, v, false
	}
	t, err := time.Parse(time.RFC3339, v.Value)
	if err != nil {
		o.l.errorf(v, "invalid-value", "%s: %q is not an RFC 3339 time with its zone: want one like 2026-12-24T00:00:00Z or 2026-12-24T09:00:00+01:00", key, v.Value)
		return time.Time{}, v, false
	}
	return t, v, true
}

// duration returns a TDuration value: positive, in time.ParseDuration's
// syntax.
func (o *obj) duration(key string) (time.Duration, *yaml.Node, bool) {
	v := o.get(key)
	if v == nil {
		return 0, nil, false
	}
	if v.Kind == yaml.ScalarNode && (v.Tag == "!!int" || v.Tag == "!!float") {
		o.l.errorf(v, "wrong-type", "%s: %s has no unit: write %sh, %sm or %ss", key, v.Value, v.Value, v.Value, v.Value)
		return 0, v, false
	}
	if !o.l.scalarOf(v, "!!str", "a duration like 8h or 90m", key) {
		return 0, v, false
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil || !patternRE(durationPattern).MatchString(v.Value) {
		o.l.errorf(v, "invalid-value", "%s: %q is not a duration: want one like 8h, 90m or 1h30m", key, v.Value)
		return 0, v, false
	}
	if d <= 0 {
		o.l.errorf(v, "invalid-value", "%s: %s: want more than zero", key, v.Value)
		return 0, v, false
	}
	return d, v, true
}
