package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/tenants"
)

// The package's -update flag: declared here unless another test file of the
// package declared it first (package-level variables initialise before init).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func sampleFindings() *Findings {
	return NewFindings("", "", []Policy{
		{ID: "cross-cloud", Builtin: true, Level: "warn", Description: "cross-cloud (warn): a sync between tenants of different Microsoft clouds."},
		{ID: "scope-all", Builtin: true, Level: "deny", Description: "scope-all: scope.all provisions EVERY member user of the source into the target."},
		{ID: "xtsync.org.deny", Level: "deny"},
	}, []plan.Finding{
		{Policy: "scope-all", Level: "deny", Tenant: "contoso-eu", File: "tenants/contoso-eu.yaml", Line: 24,
			Msg: "sync contoso-eu/eu-to-us: scope.all provisions every member user of contoso-eu into contoso-us: assign groups or users instead, or add scope-all to the configuration's acknowledge list if that is intended"},
		{Policy: "xtsync.org.deny", Level: "deny", Tenant: "contoso-us", Msg: "contoso-us: 50% of users, a comma, a colon: and\na newline"},
		{Policy: "xtsync.org.deny", Level: "deny", Msg: "no file at all <&>"},
		{Policy: "cross-cloud", Level: "warn", Tenant: "contoso-eu", File: "tenants/contoso-eu.yaml", Line: 21,
			Msg: "sync contoso-eu/eu-to-us: contoso-eu is in the global cloud and contoso-us in usgov"},
	}).WithDiagnostics(tenants.Diagnostics{
		{Pos: tenants.Pos{File: "tenants/contoso-eu.yaml", Line: 12, Col: 7}, Severity: tenants.SeverityWarning, Code: "scope-all",
			Message: "sync eu-to-us: scope.all provisions every member of contoso-eu into contoso-us: add acknowledge: [scope-all] if that is intended"},
	})
}

// loadErrors is the report of a check stopped by load errors.
func loadErrors() *Findings {
	return NewFindings("", "", nil, nil).WithDiagnostics(tenants.Diagnostics{
		{Pos: tenants.Pos{File: "tenants/contoso-eu.yaml", Line: 4, Col: 11}, Severity: tenants.SeverityError, Code: "bad-guid", Message: "tenantId: \"not-a-guid\" is not a GUID"},
		{Pos: tenants.Pos{File: "xtsync.yaml"}, Severity: tenants.SeverityWarning, Code: "", Message: "a warning without a line"},
	})
}

func TestFindingsRenderers(t *testing.T) {
	renderers := []struct {
		golden string
		render func(*bytes.Buffer, *Findings) error
	}{
		{"findings.txt", func(b *bytes.Buffer, r *Findings) error { return FindingsText(b, r) }},
		{"findings.json", func(b *bytes.Buffer, r *Findings) error { return FindingsJSON(b, r) }},
		{"findings.sarif", func(b *bytes.Buffer, r *Findings) error { return FindingsSARIF(b, r, "1.2.3") }},
		{"findings.junit.xml", func(b *bytes.Buffer, r *Findings) error { return FindingsJUnit(b, r) }},
		{"findings.github", func(b *bytes.Buffer, r *Findings) error { return FindingsGitHub(b, r) }},
	}
	reports := map[string]*Findings{
		"":        sampleFindings(),
		"empty-":  NewFindings("", "", []Policy{{ID: "scope-all", Builtin: true, Level: "deny"}, {ID: "cross-cloud", Builtin: true, Level: "warn"}}, nil),
		"errors-": loadErrors(),
	}
	for prefix, rep := range reports {
		for _, r := range renderers {
			t.Run(prefix+r.golden, func(t *testing.T) {
				var b bytes.Buffer
				if err := r.render(&b, rep); err != nil {
					t.Fatal(err)
				}
				golden(t, prefix+r.golden, b.Bytes())
			})
		}
	}
}

func TestFindingsSummary(t *testing.T) {
	r := sampleFindings()
	if diff := cmp.Diff(FindingsSummary{Deny: 3, Warn: 1, Warnings: 1}, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if !r.Denied() {
		t.Error("Denied() = false with 3 denies")
	}
	if NewFindings("", "", nil, []plan.Finding{{Level: "warn"}}).Denied() {
		t.Error("Denied() = true with warnings only")
	}
}

// TestFindingsSARIFSchema checks the properties the SARIF 2.1.0 schema
// (https://json.schemastore.org/sarif-2.1.0.json, OASIS SARIF 2.1.0 §3)
// requires, by hand, since the test cannot fetch the schema:
//   - sarifLog: "version" (the string "2.1.0") and "runs" (array);
//   - run: "tool"; tool: "driver"; toolComponent: "name";
//   - reportingDescriptor (rule): "id";
//   - result: "message", a message with "text" (or "id");
//   - region.startLine >= 1 when present; artifactLocation.uri a relative
//     reference when uriBaseId is set;
//   - result.level one of none, note, warning, error; ruleIndex points at
//     the rule whose id is ruleId.
func TestFindingsSARIFSchema(t *testing.T) {
	var b bytes.Buffer
	if err := FindingsSARIF(&b, sampleFindings(), "dev"); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log["version"] != "2.1.0" {
		t.Errorf("version = %v, want 2.1.0", log["version"])
	}
	runs, ok := log["runs"].([]any)
	if !ok || len(runs) != 1 {
		t.Fatalf("runs = %v, want one run", log["runs"])
	}
	run := runs[0].(map[string]any)
	driver := obj(t, obj(t, run, "tool"), "driver")
	if driver["name"] != "xtsync" {
		t.Errorf("driver.name = %v, want xtsync", driver["name"])
	}
	rules := driver["rules"].([]any)
	for i, r := range rules {
		if id, _ := r.(map[string]any)["id"].(string); id == "" {
			t.Errorf("rules[%d] has no id", i)
		}
	}
	results := run["results"].([]any)
	if len(results) != 5 {
		t.Fatalf("%d results, want 5 (a diagnostic and 4 findings)", len(results))
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	located := 0
	for i, x := range results {
		res := x.(map[string]any)
		if text, _ := obj(t, res, "message")["text"].(string); text == "" {
			t.Errorf("results[%d].message.text is empty", i)
		}
		if !levels[res["level"].(string)] {
			t.Errorf("results[%d].level = %v", i, res["level"])
		}
		idx := int(res["ruleIndex"].(float64))
		if rid := rules[idx].(map[string]any)["id"]; rid != res["ruleId"] {
			t.Errorf("results[%d]: ruleIndex %d is rule %v, ruleId is %v", i, idx, rid, res["ruleId"])
		}
		locs, _ := res["locations"].([]any)
		for _, l := range locs {
			pl := obj(t, l.(map[string]any), "physicalLocation")
			uri, _ := obj(t, pl, "artifactLocation")["uri"].(string)
			if uri == "" || strings.HasPrefix(uri, "/") || strings.Contains(uri, "://") {
				t.Errorf("results[%d]: uri %q is not a relative reference", i, uri)
			}
			if reg, ok := pl["region"].(map[string]any); ok {
				if reg["startLine"].(float64) < 1 {
					t.Errorf("results[%d]: startLine %v < 1", i, reg["startLine"])
				}
				if c, ok := reg["startColumn"].(float64); ok && c < 1 {
					t.Errorf("results[%d]: startColumn %v < 1", i, c)
				}
			}
			located++
		}
	}
	if located != 4 {
		t.Errorf("%d results with a location, want 4 (the one without file or tenant has none)", located)
	}
}

func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("missing required object %q in %v", key, m)
	}
	return v
}

func TestFindingsJUnitParses(t *testing.T) {
	var b bytes.Buffer
	if err := FindingsJUnit(&b, sampleFindings()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
	var failed []string
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name)
		}
	}
	if diff := cmp.Diff([]string{"scope-all", "xtsync.org.deny"}, failed); diff != "" {
		t.Errorf("failed testcases (-want +got):\n%s", diff)
	}
	if doc.Tests != 4 || doc.Failures != 2 {
		t.Errorf("tests=%d failures=%d, want 4 (3 policies, validate/scope-all) and 2", doc.Tests, doc.Failures)
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"50%", "50%25", "50%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

// FuzzFindingsGitHub: whatever the message, file and policy, every finding
// is exactly one workflow command line that unescapes to the message.
func FuzzFindingsGitHub(f *testing.F) {
	f.Add("msg", "tenants/a.yaml", "scope-all")
	f.Add("a\nb%0A::c", "x,y:z", "p\r")
	f.Fuzz(func(t *testing.T, msg, file, policy string) {
		var b bytes.Buffer
		r := NewFindings("", "", nil, []plan.Finding{{Policy: policy, Level: "deny", Msg: msg, File: file, Line: 3}})
		if err := FindingsGitHub(&b, r); err != nil {
			t.Fatal(err)
		}
		out := strings.TrimSuffix(b.String(), "\n")
		if strings.ContainsAny(out, "\r\n") {
			t.Fatalf("more than one line: %q", out)
		}
		_, data, ok := strings.Cut(strings.TrimPrefix(out, "::error "), "::")
		if file != "" && !ok {
			t.Fatalf("no message separator: %q", out)
		}
		// The properties cannot contain "::" once escaped, so the first
		// "::" after the command ends them.
		unescaped := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(data)
		if unescaped != msg {
			t.Fatalf("message %q round-trips to %q", msg, unescaped)
		}
	})
}
