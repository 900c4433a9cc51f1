package cli

import "flag"

// -update rewrites golden files and testscript expectations.
var updateScripts = flag.Bool("update", false, "rewrite golden files")
