package tenants

import (
	"os"
	"strings"
	"testing"
)

// docPaths lists the key paths of a format as docs/config-reference.md
// writes them: "sync[].scope.filters[].clauses[].value", "sync[].mappings.<attr>.flow".
func docPaths(f *Field, prefix string, out *[]string) {
	for _, c := range f.Fields {
		p := join(prefix, c.Key)
		*out = append(*out, p)
		switch c.Type {
		case TObject:
			docPaths(c, p, out)
		case TList:
			docPaths(c, p+"[]", out)
		case TMap:
			if c.Elem.Type == TObject {
				docPaths(c.Elem, p+".<attr>", out)
			} else {
				*out = append(*out, p+".<id>")
			}
		}
	}
}

// TestConfigReferenceDocumentsEveryKey: docs/config-reference.md has a row
// for every key of both files.
func TestConfigReferenceDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../docs/config-reference.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var paths []string
	docPaths(TenantFormat(), "", &paths)
	docPaths(SettingsFormat(), "", &paths)
	for _, p := range paths {
		if !strings.Contains(doc, "| `"+p+"` |") {
			t.Errorf("docs/config-reference.md has no row for `%s`", p)
		}
	}
	for _, a := range Assumptions() {
		if !strings.Contains(doc, "| `"+a.ID+"` |") {
			t.Errorf("docs/config-reference.md does not list assumption %s", a.ID)
		}
	}
	for _, id := range PolicyIDs {
		if !strings.Contains(doc, "`"+id+"`") {
			t.Errorf("docs/config-reference.md does not list policy id %s", id)
		}
	}
}
