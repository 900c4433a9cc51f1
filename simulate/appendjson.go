package simulate

// AppendJSONString appends s to b as a JSON string, exactly as snapshots and
// results are written here (encoding/json without HTML escaping; invalid
// UTF-8 as \ufffd). For writers elsewhere that stream the same formats
// (internal/gen writes snapshots of a million users user by user).
func AppendJSONString(b []byte, s string) []byte { return appendResultString(b, s) }
