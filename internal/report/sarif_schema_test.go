package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema is Microsoft's SARIF 2.1.0 JSON schema as the npm package
// @microsoft/jest-sarif ships it; .ci/run installs it.
const sarifSchema = "testdata/sarif-schema/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"

// TestSARIFValidatesAgainstSchema validates every SARIF golden file (the
// renderers' outputs, which TestFindingsRenderers keeps equal to what they
// print) against the official schema.
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	raw, err := os.ReadFile(sarifSchema)
	if os.IsNotExist(err) {
		t.Skipf("the SARIF schema is not installed: npm ci --prefix internal/report/testdata/sarif-schema (needs Node.js)")
	}
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatalf("compile the SARIF schema: %v", err)
	}

	files, _ := filepath.Glob("testdata/*.sarif")
	if len(files) == 0 {
		t.Fatal("no SARIF golden files in testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
			if err != nil {
				t.Fatalf("%s is not JSON: %v", f, err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("%s does not validate against SARIF 2.1.0: %v", f, err)
			}
		})
	}

	// The schema must be able to fail: a result without its required message.
	var bad map[string]any
	b, _ := os.ReadFile(files[0])
	if err := json.Unmarshal(b, &bad); err != nil {
		t.Fatal(err)
	}
	bad["runs"] = []any{map[string]any{"tool": map[string]any{"driver": map[string]any{"name": "xtsync"}}, "results": []any{map[string]any{"ruleId": "x"}}}}
	if err := schema.Validate(bad); err == nil {
		t.Error("a result without a message validated: the schema check cannot fail")
	}
}
