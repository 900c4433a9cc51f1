package tenants

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// commentedInputs are tenant files with every key set (testdata/full) and
// the example's, loaded.
func commentedInputs(t *testing.T) []*Tenant {
	t.Helper()
	var out []*Tenant
	for _, file := range []string{"testdata/full/tenants/src.yaml", "../testdata/example/tenants/contoso-eu.yaml",
		"../testdata/example/tenants/contoso-us.yaml", "../testdata/example/tenants/fabrikam-uk.yaml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tn, ds := ParseTenant("tenants/"+filepath.Base(file), data)
		if ds.HasErrors() {
			t.Fatalf("%s: %s", file, ds)
		}
		out = append(out, tn)
	}
	return out
}

// TestMarshalCommentedRoundTrip: the commented form loads into the model
// it was made from, as Marshal's does, whatever the comments.
func TestMarshalCommentedRoundTrip(t *testing.T) {
	for _, tn := range commentedInputs(t) {
		for name, c := range map[string]Comments{
			"none": {},
			"docs": {Docs: true, Head: []string{"a head", "", "with: a colon # and a hash"}, Foot: []string{"the end"}},
			"notes": {Notes: map[string]string{"sync.eu-to-us": "made in the portal", "sync.eu-to-us.id": "adopted",
				"partners.contoso-eu": "a note # with a hash", "name": "the name", "sync.eu-to-us.mappings.jobTitle": "upper"}},
		} {
			t.Run(tn.Name+"/"+name, func(t *testing.T) {
				out := MarshalCommented(tn, c)
				again, ds := ParseTenant(tn.File, out)
				if ds.HasErrors() {
					t.Fatalf("the commented form does not load:\n%s\n%s", out, ds)
				}
				if diff := cmp.Diff(tn, again, ignorePos); diff != "" {
					t.Errorf("round trip changed the model (-want +got):\n%s\n%s", diff, out)
				}
			})
		}
	}
}

// TestMarshalCommentedPlacesComments: a note stands on its key's line (a
// scalar or one-line value) or on the line above (a list item, a block
// key); a key's description is written once per file; the head and foot
// frame the document.
func TestMarshalCommentedPlacesComments(t *testing.T) {
	tn := commentedInputs(t)[1] // contoso-eu
	notes := map[string]string{
		"sync.eu-to-us":                   "NOTE-ITEM",
		"sync.eu-to-us.enabled":           "NOTE-ENABLED",
		"sync.eu-to-us.scope.groups":      "NOTE-GROUPS",
		"sync.eu-to-us.mappings.jobTitle": "NOTE-JOBTITLE",
		"partners":                        "NOTE-PARTNERS",
	}
	out := MarshalCommented(tn, Comments{Docs: true, Notes: notes, Head: []string{"HEAD-1", "", "HEAD-2"}, Foot: []string{"FOOT"}})
	again, ds := ParseTenant(tn.File, out)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	lines := strings.Split(string(out), "\n")
	for path, note := range notes {
		pos, ok := again.Paths[path]
		if !ok {
			t.Fatalf("no path %s in the output:\n%s", path, out)
		}
		at := lines[pos.Line-1]
		above := lines[pos.Line-2]
		switch path {
		case "sync.eu-to-us", "partners":
			if strings.TrimSpace(above) != "# "+note && !strings.Contains(above, "# "+note) {
				t.Errorf("%s: want %q on the line above %q, got %q\n%s", path, note, at, above, out)
			}
		default:
			if !strings.HasSuffix(at, "# "+note) {
				t.Errorf("%s: want %q at the end of line %d, got %q\n%s", path, note, pos.Line, at, out)
			}
		}
	}
	if got := strings.Count(string(out), TenantFormat().field("sync").field("enabled").Doc); got != 0 {
		t.Errorf("the description of a noted key appears %d times, want 0: the note stands in its place", got)
	}
	if !strings.HasPrefix(string(out), "# HEAD-1\n#\n# HEAD-2\n") {
		t.Errorf("the head is not the file's first lines:\n%s", out)
	}
	if !bytes.HasSuffix(bytes.TrimSpace(out), []byte("# FOOT")) {
		t.Errorf("the foot is not the file's last line:\n%s", out)
	}
}

// TestMarshalDefaultSettings: the xtsync.yaml of init and import loads
// into the settings of a repository without one, names every key of the
// format (set, or in the foot), and describes each.
func TestMarshalDefaultSettings(t *testing.T) {
	out := MarshalDefaultSettings(Comments{Docs: true, Head: []string{"xtsync.yaml"}})
	got, ds := ParseSettings(SettingsFile, out)
	if len(ds) > 0 {
		t.Fatalf("%s\n%s", out, ds)
	}
	want, ds := ParseSettings(SettingsFile, []byte("{}\n"))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if want.PolicyTimeout == 0 {
		want.PolicyTimeout = 30 * time.Second // unset is the commands' default, the format's
	}
	if diff := cmp.Diff(want, got, ignorePos, cmpopts.IgnoreFields(Settings{}, "File"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, out)
	}
	for _, f := range SettingsFormat().Fields {
		if !strings.Contains(string(out), "\n"+f.Key+":") && !strings.Contains(string(out), "#   "+f.Key+":") {
			t.Errorf("key %s is neither set nor named:\n%s", f.Key, out)
		}
		if f.Doc != "" && !strings.Contains(string(out), f.Doc) {
			t.Errorf("key %s is not described:\n%s", f.Key, out)
		}
	}
}
