package simulate

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const sampleSnapshot = `{"formatVersion": 1, "tenantId": "t1", "capturedAt": "2026-11-26T10:00:00Z",
 "verifiedDomains": ["contoso.eu"], "extra": {"ignored": [1, 2]},
 "users": [
  {"id": "u2", "userPrincipalName": "b@contoso.eu", "accountEnabled": false, "userType": "Member",
   "department": "Sales", "employeeId": 42, "ratio": 1.5, "flag": true, "nothing": null, "tags": ["a", "b"],
   "nested": {"k": "v"}, "esc": "tab\there \"q\" \u00e9 \ud83d\ude00",
   "alternativeSecurityIds": [{"type": 6, "identityProvider": "phone"}],
   "proxyAddresses": ["SMTP:b@contoso.eu"], "deleted": true,
   "source": {"tenantId": "t0", "userId": "x", "config": null, "deletedBySync": false, "linkSource": "ext-upn"}},
  {"id": "u1", "userPrincipalName": "a@contoso.eu", "mail": "a@contoso.eu", "displayName": "A", "accountEnabled": true}
 ],
 "groups": [{"id": "g", "displayName": "G", "securityEnabled": true, "members": ["u2", "u1", "ghost"], "mailEnabled": false}]}`

func TestReadSnapshot(t *testing.T) {
	s, err := ReadSnapshot(strings.NewReader(sampleSnapshot), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	f := false
	want := &Snapshot{FormatVersion: 1, TenantID: "t1", CapturedAt: "2026-11-26T10:00:00Z", VerifiedDomains: []string{"contoso.eu"},
		Users: []User{
			{ID: "u2", UserPrincipalName: "b@contoso.eu", UserType: "Member",
				AlternativeSecurityIDs: []AltSecID{{Type: 6, IdentityProvider: "phone"}}, ProxyAddresses: []string{"SMTP:b@contoso.eu"}, Deleted: true,
				Source: &SourceLink{TenantID: "t0", UserID: "x", DeletedBySync: &f, LinkSource: "ext-upn"},
				Attributes: map[string]any{"department": "Sales", "employeeId": int64(42), "ratio": 1.5, "flag": true, "tags": []any{"a", "b"},
					"nested": map[string]any{"k": "v"}, "esc": "tab\there \"q\" é 😀"}},
			{ID: "u1", UserPrincipalName: "a@contoso.eu", Mail: "a@contoso.eu", DisplayName: "A", AccountEnabled: true},
		},
		Groups: []Group{{ID: "g", DisplayName: "G", SecurityEnabled: true, Members: []string{"u2", "u1", "ghost"}}},
	}
	if diff := cmp.Diff(want, s, cmpopts.IgnoreUnexported(Snapshot{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"g": {"ghost"}}, s.DanglingMembers()); diff != "" {
		t.Errorf("dangling (-want +got):\n%s", diff)
	}
	// Users changed after reading: the reader's indexes no longer count.
	renamed := *s
	renamed.Users = append([]User(nil), s.Users...)
	renamed.Users[1].ID = "u9"
	renamed.Groups = []Group{{ID: "g", Members: []string{"u2", "u1", "ghost", "u9"}}}
	if diff := cmp.Diff(map[string][]string{"g": {"ghost", "u1"}}, renamed.DanglingMembers()); diff != "" {
		t.Errorf("dangling after a rename (-want +got):\n%s", diff)
	}

	// gzip is detected by its magic bytes.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(sampleSnapshot))
	zw.Close()
	s2, err := ReadSnapshot(&gz, "s.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, s2, cmpopts.IgnoreUnexported(Snapshot{})); diff != "" {
		t.Errorf("gzip (-plain +gzip):\n%s", diff)
	}
}

func TestReadSnapshotErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"formatVersion": 2, "users": []}`, `s.json: formatVersion 2: this xtsync reads version 1`},
		{`{"users": []}`, `s.json: formatVersion: missing (want 1)`},
		{`{"formatVersion": 1, "users": [{"id": "u", "accountEnabled": "yes", "userPrincipalName": "anna@contoso.eu"}]}`,
			`s.json: user 0 ("anna@contoso.eu"): accountEnabled: want a boolean`},
		{`{"formatVersion": 1, "users": [{"id": "a"}, {"id": "b", "userPrincipalName": "b@x", "mail": 7}]}`,
			`s.json: user 1 ("b@x"): mail: want a string`},
		{`{"formatVersion": 1, "users": [{"userPrincipalName": "x@y"}]}`, `s.json: user 0 ("x@y"): id: missing`},
		{`{"formatVersion": 1, "users": [{"id": "a", "userPrincipalName": "a@x"}, {"id": "a", "userPrincipalName": "b@x"}]}`,
			`s.json: user 1 ("b@x"): duplicate id "a" (also user 0)`},
		{`{"formatVersion": 1, "users": [{"id": "a", "alternativeSecurityIds": "no"}]}`, `s.json: user 0 (""): alternativeSecurityIds: want an array of objects`},
		{`{"formatVersion": 1, "users": [{"id": "a", "source": {"deletedBySync": "no"}}]}`, `s.json: user 0 (""): source.deletedBySync: want a boolean`},
		{`{"formatVersion": 1, "groups": [{"id": "g", "displayName": "G", "members": [1]}]}`, `s.json: group 0 ("G"): members: want an array of strings`},
		{"{\"formatVersion\": 1,\n \"users\": [{\"id\": \"a\",}]}", `s.json:2:23: want an object key, found '}'`},
		{"{\"formatVersion\": 1, \"users\": [{\"id\": \"a\x01\"}]}", `s.json:1:41: control character in string`},
		{`{"formatVersion": 1} trailing`, `s.json:1:22: unexpected 't' after the document`},
		{`{"formatVersion": 1, "users": [{"id": "a", "x": tru}]}`, `s.json:1:49: want a value`},
		{``, `s.json:1:1: want '{', found end of file`},
		{`[]`, `s.json:1:1: want '{', found '['`},
	}
	for _, tt := range tests {
		_, err := ReadSnapshot(strings.NewReader(tt.in), "s.json")
		if err == nil || err.Error() != tt.want {
			t.Errorf("ReadSnapshot(%q):\n got %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

// TestWriteReadRoundTrip: what WriteSnapshot writes reads back equal, in
// both forms, and writing is deterministic (users sorted by id).
func TestWriteReadRoundTrip(t *testing.T) {
	s, err := ReadSnapshot(strings.NewReader(sampleSnapshot), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	var a bytes.Buffer
	if err := WriteSnapshot(&a, s); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeSnapshot(a.Bytes(), "a.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, a.String())
	}
	if back.Users[0].ID != "u1" {
		t.Errorf("users not sorted by id: %s first", back.Users[0].ID)
	}
	col, err := decodeSnapshot(a.Bytes(), "a.json", ReadOptions{Columnar: true})
	if err != nil {
		t.Fatal(err)
	}
	var b, c bytes.Buffer
	if err := WriteSnapshot(&b, back); err != nil {
		t.Fatal(err)
	}
	if err := WriteSnapshot(&c, col); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.String(), b.String()); diff != "" {
		t.Errorf("write-read-write (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(a.String(), c.String()); diff != "" {
		t.Errorf("columnar (-maps +columnar):\n%s", diff)
	}
	if got := col.Attr(1, "department"); got != "Sales" {
		t.Errorf("columnar Attr = %v", got)
	}
	col.ExpandAttributes()
	if diff := cmp.Diff(back.Users, col.Users); diff != "" {
		t.Errorf("ExpandAttributes (-maps +expanded):\n%s", diff)
	}
}

// FuzzReadSnapshot: no panic; whatever reads writes back to bytes that read
// back and write again identically, in both the map and columnar forms.
func FuzzReadSnapshot(f *testing.F) {
	f.Add([]byte(sampleSnapshot))
	f.Add([]byte(`{"formatVersion":1,"users":[{"id":"a","x":[{"y":null}],"z":-0.5e3}],"groups":[]}`))
	f.Add([]byte(`{"formatVersion":1,"users":[{"id":"\ud800","userPrincipalName":"\u0000"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSnapshot(data, "f.json")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		var a, b, c bytes.Buffer
		if err := WriteSnapshot(&a, s); err != nil {
			return // e.g. NaN cannot be written; JSON input cannot hold one
		}
		back, err := DecodeSnapshot(a.Bytes(), "a.json")
		if err != nil {
			t.Fatalf("written snapshot does not read: %v\n%s", err, a.String())
		}
		if err := WriteSnapshot(&b, back); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Fatalf("write-read-write differs:\n%s\n%s", a.String(), b.String())
		}
		col, err := decodeSnapshot(data, "f.json", ReadOptions{Columnar: true})
		if err != nil {
			t.Fatalf("columnar read fails where the map read works: %v", err)
		}
		if err := WriteSnapshot(&c, col); err != nil {
			t.Fatal(err)
		}
		if a.String() != c.String() {
			t.Fatalf("columnar differs:\n%s\n%s", a.String(), c.String())
		}
	})
}

// stopBytes finds the first '"', '\\' or control character of eight bytes
// as a byte-by-byte scan does.
func TestStopBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'"', '\\', 0, 0x1f, 0x20, 'a', 0x7f, 0x80, 0xa2, 0xdc, 0xff, 0x21, 0x5b, 0x5d}
	for range 200_000 {
		var b [8]byte
		for k := range b {
			if r.IntN(3) == 0 {
				b[k] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[k] = byte(r.IntN(256))
			}
		}
		want := 8
		for k, c := range b {
			if c == '"' || c == '\\' || c < 0x20 {
				want = k
				break
			}
		}
		got := 8
		if m := stopBytes(binary.LittleEndian.Uint64(b[:])); m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if got != want {
			t.Fatalf("stopBytes(% x): first stop at %d, want %d", b, got, want)
		}
	}
}

// FuzzDecodeString: a JSON string decodes as encoding/json decodes it, or
// fails where encoding/json fails.
func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"tab\there \"q\" \u00e9 \ud83d\ude00"`, "\"Chlo\xc3\xa9 0123456789abcdef\"", "\"\xff\xfe longer than eight\"", `"\ud800x"`, "\"a\x01\"", `"unterminated`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var want string
		werr := json.Unmarshal(in, &want)
		d := &decoder{data: in, name: "f"}
		got, err := d.rawString()
		if d.ws(); err == nil && d.pos < len(in) {
			err = d.fail("trailing data")
		}
		if (err != nil) != (werr != nil) {
			t.Fatalf("decode %q: error %v, encoding/json's %v", in, err, werr)
		}
		if err == nil && string(got) != want {
			t.Fatalf("decode %q = %q, encoding/json %q", in, got, want)
		}
	})
}

// FuzzAppendJSONString: strings are written byte for byte as encoding/json
// writes them without HTML escaping.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "Anna", "0123456789abcdef\"", `a"b\c`, "Zoë Åberg longer than eight", "\x00\x1f\t\n\r", "\xff\xfe", "\u2028<>&", "abcdefgh\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := appendResultString(nil, s); string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("appendResultString(%q) = %s, encoding/json %s", s, got, want.Bytes())
		}
	})
}
