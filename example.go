package xtsync

import (
	"embed"
	"io/fs"
)

//go:embed testdata/example
var example embed.FS

// Example is the example config repository (testdata/example): three
// tenants' files, a policy with its tests, and made-up directory snapshots
// (in snapshots/). `xtsync emulator --example` serves it.
func Example() fs.FS {
	sub, err := fs.Sub(example, "testdata/example")
	if err != nil {
		panic("xtsync: the embedded example: " + err.Error()) // a constant path
	}
	return sub
}
