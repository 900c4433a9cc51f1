package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/tenants"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// readDir returns every file under dir, by slash path.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func generate(t *testing.T, o Options, wo WriteOptions) (*Output, string) {
	t.Helper()
	out, err := Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	dir := t.TempDir()
	if err := out.Write(dir, wo); err != nil {
		t.Fatal(err)
	}
	return out, dir
}

func TestDeterministic(t *testing.T) {
	o := Options{Tenants: 4, Users: 3000, Groups: 30, Configs: 10, Seed: 42}
	for _, wo := range []WriteOptions{{}, {Gzip: true}, {Workers: 1}} {
		_, d1 := generate(t, o, wo)
		_, d2 := generate(t, o, WriteOptions{Gzip: wo.Gzip, Workers: 3})
		a, b := readDir(t, d1), readDir(t, d2)
		if len(a) != 1+2*o.Tenants {
			t.Errorf("%+v: %d files, want %d", wo, len(a), 1+2*o.Tenants)
		}
		for p := range a {
			if !bytes.Equal(a[p], b[p]) {
				t.Errorf("%+v: %s differs between two runs", wo, p)
			}
		}
	}
	// Another seed gives other data.
	_, d1 := generate(t, o, WriteOptions{})
	o.Seed++
	_, d2 := generate(t, o, WriteOptions{})
	a, b := readDir(t, d1), readDir(t, d2)
	for p := range a {
		if bytes.Equal(a[p], b[p]) {
			t.Errorf("%s is the same for seeds 42 and 43", p)
		}
	}
}

func TestGzip(t *testing.T) {
	o := Options{Tenants: 2, Users: 500, Seed: 5}
	_, plain := generate(t, o, WriteOptions{})
	_, zipped := generate(t, o, WriteOptions{Gzip: true})
	for _, name := range []string{"contoso-eu", "contoso-us"} {
		want, err := os.ReadFile(filepath.Join(plain, "snapshots", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(zipped, "snapshots", name+".json.gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s.json.gz does not hold %s.json", name, name)
		}
	}
}

// TestGolden pins a small repository byte for byte, so a change of the
// generated data is a reviewed change (go test -update rewrites it).
func TestGolden(t *testing.T) {
	_, dir := generate(t, Options{Tenants: 3, Users: 60, Groups: 9, Configs: 6, Seed: 1}, WriteOptions{})
	got := readDir(t, dir)
	golden := filepath.Join("testdata", "small")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for p, b := range got {
			f := filepath.Join(golden, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := readDir(t, golden)
	if diff := cmp.Diff(toStrings(want), toStrings(got)); diff != "" {
		t.Errorf("generated repository differs from %s (-want +got); run go test -update after an intended change:\n%s", golden, diff)
	}
}

func toStrings(m map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Tenants: -1}, "tenants: want 1..999"},
		{Options{Tenants: 1000}, "tenants: want 1..999"},
		{Options{Users: -5}, "users: want"},
		{Options{Users: 10, Groups: 100, Tenants: 2}, "groups: want 0..30"},
		{Options{Tenants: 1, Configs: 1}, "needs two tenants"},
		{Options{Tenants: 2, Configs: -1}, "configs: want 0 or more"},
		{Options{Tenants: 2, Configs: 241}, "at most 120 per tenant"},
	} {
		_, err := Generate(tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Generate(%+v) = %v, want an error with %q", tc.o, err, tc.want)
		}
	}
}

// snapshotJSON is the snapshot format of DESIGN §3, read generically.
type snapshotJSON struct {
	FormatVersion   int              `json:"formatVersion"`
	TenantID        string           `json:"tenantId"`
	CapturedAt      string           `json:"capturedAt"`
	VerifiedDomains []string         `json:"verifiedDomains"`
	Users           []map[string]any `json:"users"`
	Groups          []struct {
		ID              string   `json:"id"`
		DisplayName     string   `json:"displayName"`
		SecurityEnabled *bool    `json:"securityEnabled"`
		Members         []string `json:"members"`
	} `json:"groups"`
}

func readSnapshots(t *testing.T, out *Output, dir string) map[string]*snapshotJSON {
	t.Helper()
	snaps := map[string]*snapshotJSON{}
	for _, s := range out.Snapshots {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(SnapshotPath(s.Tenant, false))))
		if err != nil {
			t.Fatal(err)
		}
		var sj snapshotJSON
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sj); err != nil {
			t.Fatalf("%s: %v", s.Tenant, err)
		}
		snaps[s.Tenant] = &sj
	}
	return snaps
}

// TestCountsAndShape checks the counts against the options and the
// properties every snapshot must have: unique ids, members and links that
// resolve, the shares of the population, and one of every situation the
// simulator distinguishes.
func TestCountsAndShape(t *testing.T) {
	for _, o := range []Options{
		{Tenants: 5, Users: 20000, Groups: 100, Configs: 20, Seed: 1},
		{Tenants: 3, Users: 999, Seed: 9},
		{Tenants: 7, Users: 7001, Groups: 7, Configs: 3, Seed: 2},
	} {
		out, dir := generate(t, o, WriteOptions{})
		snaps := readSnapshots(t, out, dir)
		o = out.Options
		byTenantID := map[string]map[string]bool{}
		total, groups, homeUsers := 0, 0, 0
		var guests, altSec, disabled, deleted, unmanaged, byAdmin, nested, ghosts int
		for _, s := range out.Snapshots {
			sj := snaps[s.Tenant]
			if sj.FormatVersion != 1 || sj.CapturedAt != CapturedAt || len(sj.VerifiedDomains) == 0 {
				t.Errorf("%s: header %d %q %v", s.Tenant, sj.FormatVersion, sj.CapturedAt, sj.VerifiedDomains)
			}
			ids := map[string]bool{}
			home := s.g.tenants[s.ti].users
			for n, u := range sj.Users {
				id, _ := u["id"].(string)
				if id == "" || ids[id] {
					t.Fatalf("%s: user id %q empty or repeated", s.Tenant, id)
				}
				ids[id] = true
				if n >= home {
					// After the home users: B2B users linked to a source
					// user, or guests sharing one's mail.
					if u["source"] == nil && (u["userType"] != "Guest" || !strings.Contains(u["userPrincipalName"].(string), "#EXT#")) {
						t.Errorf("%s: user %d is neither a linked B2B user nor a guest: %v", s.Tenant, n, u)
					}
				} else {
					homeUsers++
					if u["source"] != nil {
						t.Errorf("%s: home user %d has a source link", s.Tenant, n)
					}
					if u["userType"] == "Guest" {
						guests++
					}
					if u["alternativeSecurityIds"] != nil {
						altSec++
					}
					if u["accountEnabled"] == false {
						disabled++
					}
					if u["deleted"] == true {
						deleted++
					}
				}
				if src, ok := u["source"].(map[string]any); ok {
					if src["config"] == nil {
						unmanaged++
					}
					if src["deletedBySync"] == false {
						byAdmin++
					}
				}
			}
			total += len(sj.Users)
			groups += len(sj.Groups)
			if len(sj.Users) != s.Users() {
				t.Errorf("%s: %d users, Users() says %d", s.Tenant, len(sj.Users), s.Users())
			}
			for _, g := range sj.Groups {
				ids[g.ID] = true
			}
			for _, g := range sj.Groups {
				if g.SecurityEnabled == nil || g.Members == nil {
					t.Errorf("%s: group %s lacks securityEnabled or members", s.Tenant, g.DisplayName)
				}
				for _, m := range g.Members {
					if !ids[m] {
						t.Errorf("%s: group %s: member %s is no user or group of the snapshot", s.Tenant, g.DisplayName, m)
					}
				}
			}
			byTenantID[sj.TenantID] = ids
		}
		for _, s := range out.Snapshots {
			for _, g := range snaps[s.Tenant].Groups {
				for _, m := range g.Members {
					for _, h := range snaps[s.Tenant].Groups {
						if h.ID == m {
							nested++
						}
					}
				}
			}
			for _, u := range snaps[s.Tenant].Users {
				src, ok := u["source"].(map[string]any)
				if !ok {
					continue
				}
				ids := byTenantID[src["tenantId"].(string)]
				if ids == nil {
					t.Fatalf("%s: source tenant %v is not a repo tenant", s.Tenant, src["tenantId"])
				}
				if !ids[src["userId"].(string)] {
					ghosts++
				}
			}
		}
		st := out.Stats
		if got, want := total, o.Users+st.B2BUsers+st.OtherGuests; got != want {
			t.Errorf("%+v: %d users in the snapshots, want %d home + %d B2B + %d guests", o, got, o.Users, st.B2BUsers, st.OtherGuests)
		}
		if homeUsers != o.Users || st.HomeUsers != o.Users {
			t.Errorf("%+v: %d home users found, stats %d, want %d", o, homeUsers, st.HomeUsers, o.Users)
		}
		if groups != o.Groups || st.Groups != o.Groups {
			t.Errorf("%+v: %d groups, stats %d, want %d", o, groups, st.Groups, o.Groups)
		}
		configs := 0
		for _, f := range out.Files {
			configs += strings.Count(string(f.Data), "\n  - name: ")
		}
		if configs != o.Configs || st.Configs != o.Configs {
			t.Errorf("%+v: %d configurations, stats %d, want %d", o, configs, st.Configs, o.Configs)
		}
		if o.Users < 20000 {
			continue
		}
		// The shares of the population, within a third of the target.
		for _, c := range []struct {
			what      string
			got, want float64
		}{
			{"guests", float64(guests), 0.027 * float64(o.Users)}, // 2 % internal + 70 % of the B2B
			{"alternative security ids", float64(altSec), 0.015 * float64(o.Users)},
			{"disabled", float64(disabled), 0.03 * float64(o.Users)},
			{"deleted", float64(deleted), 0.005 * float64(o.Users)},
		} {
			if c.got < c.want*2/3 || c.got > c.want*4/3 {
				t.Errorf("%s: %v, want about %v", c.what, c.got, c.want)
			}
		}
		for _, c := range []struct {
			what string
			n    int
		}{
			{"invited by hand (source.config null)", unmanaged},
			{"soft-deleted by an admin", byAdmin},
			{"nested groups", nested},
			{"links to a source user gone from the snapshot", ghosts},
			{"guests sharing a source user's mail", st.OtherGuests},
		} {
			if c.n == 0 {
				t.Errorf("%+v: no %s", o, c.what)
			}
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "Anna", `a"b\c`, "Zoë Åberg", "\x00\x1f\t\n\r", "\xff\xfe", "\u2028<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("appendString(%q) = %s: not JSON: %v", s, b, err)
		}
		if want := string([]rune(s)); got != want { // invalid bytes become U+FFFD
			t.Errorf("appendString(%q) reads back as %q, want %q", s, got, want)
		}
	})
}

func BenchmarkGenerate(b *testing.B) {
	for _, users := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(users), func(b *testing.B) {
			var bytes int64
			for b.Loop() {
				out, err := Generate(Options{Tenants: 5, Users: users, Configs: 20, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range out.Snapshots {
					n, err := s.WriteTo(io.Discard)
					if err != nil {
						b.Fatal(err)
					}
					bytes += n
				}
			}
			b.ReportMetric(float64(users)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
			b.ReportMetric(float64(bytes)/float64(b.N)/float64(users), "B/user")
		})
	}
}

// FuzzGenerate: for any small options, Generate either refuses them or
// writes a repository that loads without errors and snapshots that are
// valid JSON with the home users asked for, identically twice.
func FuzzGenerate(f *testing.F) {
	f.Add(uint8(3), uint16(100), uint16(0), uint8(0), uint64(1))
	f.Add(uint8(2), uint16(7), uint16(1), uint8(9), uint64(2))
	f.Add(uint8(1), uint16(1), uint16(0), uint8(0), uint64(0))
	f.Fuzz(func(t *testing.T, nt uint8, users, groups uint16, configs uint8, seed uint64) {
		o := Options{Tenants: int(nt % 12), Users: int(users % 400), Groups: int(groups % 50), Configs: int(configs % 40), Seed: seed}
		a, err := Generate(o)
		if err != nil {
			return
		}
		b, err := Generate(o)
		if err != nil {
			t.Fatalf("second Generate(%+v): %v", o, err)
		}
		home := 0
		for i, s := range a.Snapshots {
			var x, y bytes.Buffer
			if _, err := s.WriteTo(&x); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Snapshots[i].WriteTo(&y); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x.Bytes(), y.Bytes()) {
				t.Fatalf("%+v: snapshot %s differs between two runs", o, s.Tenant)
			}
			var sj snapshotJSON
			if err := json.Unmarshal(x.Bytes(), &sj); err != nil {
				t.Fatalf("%+v: snapshot %s: %v", o, s.Tenant, err)
			}
			home += s.g.tenants[s.ti].users
		}
		if home != a.Options.Users {
			t.Errorf("%+v: %d home users, want %d", o, home, a.Options.Users)
		}
		for i, f := range a.Files {
			if !bytes.Equal(f.Data, b.Files[i].Data) {
				t.Errorf("%+v: %s differs between two runs", o, f.Path)
			}
		}
		fsys, err := a.MapFS()
		if err != nil {
			t.Fatal(err)
		}
		if _, diags := tenants.Load(fsys); diags.HasErrors() {
			t.Errorf("%+v: the repository does not load: %v", o, diags.Errors())
		}
	})
}
