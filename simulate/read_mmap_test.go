//go:build unix

package simulate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A snapshot file that shrinks while it is mapped faults past its new end:
// the reader returns an error instead of crashing.
func TestMappedSnapshotShrinks(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"formatVersion": 1, "users": [`)
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{"id": "u` + strings.Repeat("x", 20) + string(rune('a'+i%26)) + `", "department": "Sales"}`)
	}
	b.WriteString("]}")
	p := filepath.Join(t.TempDir(), "contoso-us.json")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, unmap, ok := mapFile(f, int64(b.Len()))
	if !ok {
		t.Fatal("the file was not mapped")
	}
	defer unmap()
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	_, err = decodeMapped(data, "snapshots/contoso-us.json", ReadOptions{Columnar: true})
	if want := "load snapshot snapshots/contoso-us.json: the file changed while it was read"; err == nil || err.Error() != want {
		t.Fatalf("decodeMapped = %v, want %s", err, want)
	}
}

// The size cap holds for files read in place too.
func TestMappedSnapshotSizeCap(t *testing.T) {
	dir := t.TempDir()
	data := `{"formatVersion": 1, "tenantId": "` + strings.Repeat("x", 2000) + `"}`
	if err := os.WriteFile(filepath.Join(dir, "contoso-us.json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSnapshotsWith(os.DirFS(dir), ".", ReadOptions{MaxBytes: 1024})
	if want := "larger than 1024 bytes once decompressed"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("LoadSnapshotsWith = %v, want an error with %q", err, want)
	}
	if _, err := LoadSnapshotsWith(os.DirFS(dir), ".", ReadOptions{MaxBytes: 4096}); err != nil {
		t.Fatalf("under the cap: %v", err)
	}
}
