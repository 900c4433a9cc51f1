package tenants

import (
	"bytes"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Comments are what the commented marshallers write besides the keys: the
// files `xtsync import` and `xtsync init` write are read by people first.
type Comments struct {
	// Head is written above the document, one comment line per element
	// ("" for an empty comment line).
	Head []string
	// Notes are comments by dotted path, named as Tenant.Paths names them
	// ("sync.eu-to-us.id", "partners.contoso-us"): on the line of a key
	// with a scalar or one-line value, above a block key or a list item.
	Notes map[string]string
	// Docs writes each key's description from the format (TenantFormat,
	// SettingsFormat) the first time the key appears in the file, so a
	// file with fifty configurations is not fifty times as long.
	Docs bool
	// Foot is written below the document.
	Foot []string
}

// MarshalCommented renders a tenant as Marshal does — every key written
// out, defaults included, so that a reader sees every setting — with the
// comments c. Short lists and mapping entries are written on one line
// (`groups: [GlobalEmployees]`, `jobTitle: {expression: ...}`), a mapping's
// default flow left out. Loading the
// result yields a model equal to t, as with Marshal.
func MarshalCommented(t *Tenant, c Comments) []byte {
	y := toYAML(t)
	// A mapping's default flow goes without saying: `{source: x}`.
	for _, s := range y.Sync {
		for k, m := range s.Mappings {
			if m.Flow == string(FlowAlways) {
				m.Flow = ""
				s.Mappings[k] = m
			}
		}
	}
	return encodeCommented(y, TenantFormat(), c)
}

// MarshalDefaultSettings renders xtsync.yaml with every key of the format
// that has a default written out at it, each described (Comments.Docs), a
// list or mapping without one empty, and the keys with no default named in
// the foot with what they are for: the file `xtsync init` and `xtsync
// import` write, which loads into the settings of a repository without
// xtsync.yaml. It is rendered from SettingsFormat, so a new setting appears
// in it without anyone writing it here.
func MarshalDefaultSettings(c Comments) []byte {
	f := SettingsFormat()
	root, unset := defaultsNode(f, "")
	if len(unset) > 0 {
		c.Foot = append(append([]string(nil), c.Foot...), "Not set above (no default):")
		for _, u := range unset {
			c.Foot = append(c.Foot, "  "+u)
		}
	}
	return encodeNode(root, f, c)
}

// defaultsNode is the mapping of f's keys at their defaults; unset lists
// the scalar keys that have none ("key: description").
func defaultsNode(f *Field, prefix string) (*yaml.Node, []string) {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	var unset []string
	for _, c := range f.Fields {
		var v *yaml.Node
		switch c.Type {
		case TObject:
			var u []string
			v, u = defaultsNode(c, join(prefix, c.Key))
			unset = append(unset, u...)
		case TList:
			v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		case TMap:
			v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		case TStrings:
			v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			if c.Default != nil {
				if err := v.Encode(c.Default); err != nil {
					panic("tenants: the default of " + c.Key + ": " + err.Error())
				}
			}
		default:
			if c.Default == nil {
				unset = append(unset, join(prefix, c.Key)+": "+c.Doc)
				continue
			}
			v = &yaml.Node{}
			if err := v.Encode(c.Default); err != nil {
				panic("tenants: the default of " + c.Key + ": " + err.Error())
			}
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Key}, v)
	}
	return m, unset
}

func encodeCommented(v any, f *Field, c Comments) []byte {
	var root yaml.Node
	if err := root.Encode(v); err != nil {
		// Encode fails only on types it cannot encode; these are plain.
		panic("tenants: marshal: " + err.Error())
	}
	return encodeNode(&root, f, c)
}

func encodeNode(root *yaml.Node, f *Field, c Comments) []byte {
	a := annotator{c: c, seen: map[string]bool{}}
	a.mapping(root, f, "", "")
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root},
		HeadComment: commentBlock(c.Head), FootComment: commentBlock(c.Foot)}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic("tenants: marshal: " + err.Error())
	}
	return b.Bytes()
}

// commentBlock renders lines as one block of comment lines, an empty line
// as "#" (the encoder would end the block there).
func commentBlock(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(out, "\n")
}

type annotator struct {
	c    Comments
	seen map[string]bool // format paths whose description was written
}

// doc returns the description of the format path fp the first time.
func (a *annotator) doc(f *Field, fp string) string {
	if !a.c.Docs || f == nil || f.Doc == "" || a.seen[fp] {
		return ""
	}
	a.seen[fp] = true
	return f.Doc
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// mapping annotates the keys of a mapping node described by f; path is its
// dotted path as Tenant.Paths names it, fp its format path.
func (a *annotator) mapping(n *yaml.Node, f *Field, path, fp string) {
	if n.Kind != yaml.MappingNode || f == nil {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		cf := f.field(k.Value)
		if cf == nil {
			continue
		}
		p, cfp := join(path, k.Value), fp+"."+k.Value
		// A note says more about this file than the description does.
		note, doc := a.c.Notes[p], ""
		if note == "" {
			doc = a.doc(cf, cfp)
		}
		switch cf.Type {
		case TStrings:
			v.Style = yaml.FlowStyle
			v.LineComment = joinNonEmpty(" — ", note, doc)
		case TObject:
			k.HeadComment = joinNonEmpty("\n", doc, note)
			a.mapping(v, cf, p, cfp)
		case TList:
			k.HeadComment = joinNonEmpty("\n", doc, note)
			a.list(v, cf, p, cfp)
		case TMap:
			if cf.Elem.Type == TObject {
				if note == "" {
					doc = joinNonEmpty("\n", doc, a.doc(cf.Elem, cfp+".<attr>"))
				}
				k.HeadComment = joinNonEmpty("\n", doc, note)
				if len(v.Content) == 0 {
					v.Style = yaml.FlowStyle
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					v.Content[j+1].Style = yaml.FlowStyle
					v.Content[j+1].LineComment = a.c.Notes[join(p, v.Content[j].Value)]
				}
			} else {
				v.Style = yaml.FlowStyle
				v.LineComment = joinNonEmpty(" — ", note, doc)
			}
		default:
			v.LineComment = joinNonEmpty(" — ", note, doc)
		}
	}
}

// list annotates the items of a list node: each item is named in paths by
// its key field (a partner's tenant, a configuration's name), else by its
// index, as the loader names them.
func (a *annotator) list(n *yaml.Node, f *Field, path, fp string) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	if len(n.Content) == 0 {
		n.Style = yaml.FlowStyle
	}
	for i, it := range n.Content {
		var key string
		switch f.Key {
		case "partners":
			key = itemKey(it, "tenant", i)
		case "sync":
			key = itemKey(it, "name", i)
		default:
			key = strconv.Itoa(i)
		}
		p := join(path, key)
		if f.Key == "clauses" {
			// One line per clause: { attribute, operator, value }.
			it.Style = yaml.FlowStyle
			it.LineComment = a.c.Notes[p]
			continue
		}
		it.HeadComment = a.c.Notes[p]
		a.mapping(it, f, p, fp+"[]")
	}
}
