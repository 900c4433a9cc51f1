package emulator

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoGraphSDK keeps the emulator on net/http and encoding/json: it must
// not reach msgraph-sdk-go, kiota or the Azure SDK (it would build slowly,
// and it serves Graph's wire format, it does not consume it).
func TestNoGraphSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"github.com/microsoftgraph/", "github.com/microsoft/kiota", "github.com/Azure/azure-sdk-for-go", "github.com/go-git/"} {
			if strings.HasPrefix(dep, f) {
				t.Errorf("the emulator depends on %s", dep)
			}
		}
	}
}
