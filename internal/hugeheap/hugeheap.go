// Package hugeheap backs the Go heap with transparent huge pages on Linux
// systems that give them only on request (THP mode "madvise", the default
// of many distributions).
//
// xtsync simulate, plan and check hold up to a few GB of snapshots and
// results. With 4 KB pages every page costs a fault on first touch and the
// collector's and the simulator's walks through memory miss the TLB often;
// under a hypervisor both are several times dearer than on bare metal
// (nested page tables). Measured on a 2-core VM at 300,000 users, huge
// pages cut the page faults from about 170,000 to 6,500 and the process's
// CPU time by a quarter (docs/benchmarks.md).
package hugeheap

// Reserve grows the Go heap by n bytes of address space (nothing is
// touched, so no memory is used), advises the kernel to back that range
// with huge pages, and hands it back to the runtime, which reuses it for
// the allocations that follow. It reports whether the advice was taken.
// Call it once, early, with about the heap the command will need; a
// request under 4 MB, or on another system, does nothing.
func Reserve(n int64) bool { return reserve(n) }
