package hugeheap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// After Reserve, a large allocation lands in the advised range and is
// backed by huge pages once touched (when the system gives huge pages at
// all).
func TestReserve(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skipf("transparent huge pages are off here (%q)", strings.TrimSpace(string(mode)))
	}
	if !Reserve(256 << 20) {
		t.Fatal("Reserve: the kernel refused the advice")
	}
	b := make([]byte, 64<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	addr := uint64(uintptr(unsafe.Pointer(&b[len(b)/2])))
	if kb := anonHugeKB(t, addr); kb == 0 {
		t.Errorf("the mapping that holds a 64 MB allocation has no huge pages")
	}
}

func TestReserveSmall(t *testing.T) {
	if Reserve(1 << 20) {
		t.Error("Reserve(1 MB) advised; want nothing done under 4 MB")
	}
}

// anonHugeKB reads AnonHugePages of the mapping that holds addr.
func anonHugeKB(t *testing.T, addr uint64) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line + " ")[0], "-"); ok && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && a <= addr && addr < b
			continue
		}
		if in && strings.HasPrefix(line, "AnonHugePages:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return 0
}
