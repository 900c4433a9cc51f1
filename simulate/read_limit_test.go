package simulate

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"testing/fstest"
)

func gzipped(t *testing.T, head string, zeros int, tail string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(head))
	chunk := make([]byte, 1<<20)
	for i := 0; i < zeros; i += len(chunk) {
		zw.Write(chunk[:min(len(chunk), zeros-i)])
	}
	zw.Write([]byte(tail))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A gzip bomb stops at its first byte that cannot start a snapshot, and a
// snapshot larger than the cap once decompressed is refused, not read whole.
func TestSnapshotSizeCap(t *testing.T) {
	spaces := bytes.Repeat([]byte(" "), 4<<20)
	var padded bytes.Buffer
	zw := gzip.NewWriter(&padded)
	zw.Write([]byte("{"))
	zw.Write(spaces)
	zw.Write([]byte(`"formatVersion": 1}`))
	zw.Close()
	tests := []struct {
		name string
		data []byte
		max  int64
		want string
	}{
		{"zeros", gzipped(t, "", 64<<20, ""), 0, "want '{', found byte 0x00"},
		{"text", []byte("CLIENT_SECRET=hunter2"), 0, "want '{', found 'C'"},
		{"over the cap", padded.Bytes(), 1 << 20, "larger than 1048576 bytes once decompressed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"snaps/contoso-us.json.gz": {Data: tt.data}}
			_, err := LoadSnapshotsWith(fsys, "snaps", ReadOptions{MaxBytes: tt.max})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadSnapshotsWith: %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error quotes the file: %v", err)
			}
		})
	}
}
