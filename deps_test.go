package xtsync_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureCore keeps the heavy and side-effecting libraries out of the pure
// packages (DESIGN §1): tenants, simulate and policy never reach the Graph
// SDK, azidentity or go-git.
func TestPureCore(t *testing.T) {
	forbidden := []string{
		"github.com/microsoftgraph/",
		"github.com/microsoft/kiota",
		"github.com/Azure/azure-sdk-for-go",
		"github.com/go-git/",
	}
	for _, pkg := range []string{"./tenants/...", "./simulate/...", "./policy/..."} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
