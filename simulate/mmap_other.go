//go:build !unix

package simulate

import "io/fs"

// mapFile never maps on this platform: the caller reads the file.
func mapFile(f fs.File, size int64) (data []byte, unmap func(), ok bool) { return nil, nil, false }
