package hugeheap

import (
	"runtime"
	"runtime/debug"
	"syscall"
	"unsafe"
)

const (
	hugePage     = 2 << 20
	madvHugePage = 14 // MADV_HUGEPAGE
)

func reserve(n int64) bool {
	if n < 2*hugePage || int64(int(n)) != n {
		return false
	}
	// A fresh allocation this large is new address space from the
	// operating system: it is neither zeroed nor touched by the runtime.
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	beg := (p + hugePage - 1) &^ (hugePage - 1)
	end := (p + uintptr(n)) &^ (hugePage - 1)
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, beg, end-beg, madvHugePage)
	runtime.KeepAlive(b)
	b = nil
	// Free it and release it to the operating system: the advice stays on
	// the range, and the runtime's accounting (GOMEMLIMIT) does not count
	// it as held.
	debug.FreeOSMemory()
	return errno == 0
}
