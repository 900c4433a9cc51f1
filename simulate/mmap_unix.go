//go:build unix

package simulate

import (
	"io/fs"
	"syscall"
)

// mapFile maps an uncompressed snapshot file of size bytes into memory,
// read-only: the decoder then reads the page cache in place instead of
// copying the file into fresh heap memory (on a VM, touching fresh pages
// costs more than decoding them). ok is false when f is not a file on disk
// (an fs.FS in memory), is empty, is gzip-compressed or cannot be mapped:
// the caller reads it instead. unmap must be called once the decoder is
// done: nothing it keeps points into the mapping.
func mapFile(f fs.File, size int64) (data []byte, unmap func(), ok bool) {
	fd, isFile := f.(interface{ Fd() uintptr })
	if !isFile || size <= 0 || int64(int(size)) != size {
		return nil, nil, false
	}
	b, err := syscall.Mmap(int(fd.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, false
	}
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b { // gzip: read through the decompressor
		syscall.Munmap(b)
		return nil, nil, false
	}
	return b, func() { syscall.Munmap(b) }, true
}
