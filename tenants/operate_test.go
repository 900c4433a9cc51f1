package tenants

import (
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWindowsAt evaluates change windows at times the test gives: when a
// write may happen, which windows hold it, until when, and when it may
// happen next — in the windows' own time zones.
func TestWindowsAt(t *testing.T) {
	holidays := &Window{Name: "holidays", Kind: WindowDeny, Schedule: "0 18 23 12 *", Duration: 256 * time.Hour, TimeZone: "Europe/Berlin"}
	office := &Window{Name: "office", Kind: WindowAllow, Schedule: "0 8 * * 1-5", Duration: 10 * time.Hour, TimeZone: "Europe/Berlin"}
	newYork := &Window{Name: "ny", Kind: WindowAllow, Schedule: "0 9 * * *", Duration: time.Hour, TimeZone: "America/New_York"}
	never := &Window{Name: "never", Kind: WindowAllow, Schedule: "0 0 30 2 *", Duration: time.Hour, TimeZone: "UTC"}
	hourly := &Window{Name: "hourly", Kind: WindowDeny, Schedule: "@hourly", Duration: 30 * time.Minute, TimeZone: "UTC"}
	type want struct {
		Open   bool
		Closed []string
		Until  string
		Opens  string
	}
	cases := []struct {
		name string
		ws   []*Window
		now  string
		want want
	}{
		{"no windows", nil, "2026-12-25T12:00:00Z", want{Open: true, Opens: "2026-12-25T12:00:00Z"}},
		{"before the freeze", []*Window{holidays}, "2026-12-23T16:59:59Z", want{Open: true, Opens: "2026-12-23T16:59:59Z"}},
		{"the freeze starts (18:00 in Berlin)", []*Window{holidays}, "2026-12-23T17:00:00Z",
			want{Closed: []string{"holidays"}, Until: "2027-01-03T09:00:00Z", Opens: "2027-01-03T09:00:00Z"}},
		{"inside the freeze", []*Window{holidays}, "2026-12-25T12:00:00Z",
			want{Closed: []string{"holidays"}, Until: "2027-01-03T09:00:00Z", Opens: "2027-01-03T09:00:00Z"}},
		{"the freeze ends", []*Window{holidays}, "2027-01-03T09:00:00Z", want{Open: true, Opens: "2027-01-03T09:00:00Z"}},
		{"office hours, Tuesday 11:00 in Berlin", []*Window{office}, "2026-12-01T10:00:00Z", want{Open: true, Opens: "2026-12-01T10:00:00Z"}},
		{"after office hours", []*Window{office}, "2026-12-01T17:30:00Z",
			want{Closed: []string{"office"}, Opens: "2026-12-02T07:00:00Z"}},
		{"Saturday: opens on Monday", []*Window{office}, "2026-11-28T12:00:00Z",
			want{Closed: []string{"office"}, Opens: "2026-11-30T07:00:00Z"}},
		{"summer time in Berlin: 08:00 is 06:00Z", []*Window{office}, "2026-07-01T06:00:00Z", want{Open: true, Opens: "2026-07-01T06:00:00Z"}},
		{"deny wins over allow; opens at the first office hours after it", []*Window{office, holidays}, "2026-12-28T09:00:00Z",
			want{Closed: []string{"holidays"}, Until: "2027-01-03T09:00:00Z", Opens: "2027-01-04T07:00:00Z"}},
		{"one of two allow windows open", []*Window{office, newYork}, "2026-07-01T13:30:00Z", want{Open: true, Opens: "2026-07-01T13:30:00Z"}},
		{"New York in summer", []*Window{newYork}, "2026-07-01T09:30:00Z", want{Closed: []string{"ny"}, Opens: "2026-07-01T13:00:00Z"}},
		{"an allow window that never opens", []*Window{never}, "2026-07-01T09:30:00Z", want{Closed: []string{"never"}}},
		{"a short deny window", []*Window{hourly}, "2026-07-01T09:10:00Z",
			want{Closed: []string{"hourly"}, Until: "2026-07-01T09:30:00Z", Opens: "2026-07-01T09:30:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := WindowsAt(c.ws, ts(c.now))
			got := want{Open: st.Open}
			for _, w := range st.Closed {
				got.Closed = append(got.Closed, w.Label())
			}
			if !st.Until.IsZero() {
				got.Until = st.Until.UTC().Format(time.RFC3339)
			}
			if !st.Opens.IsZero() {
				got.Opens = st.Opens.UTC().Format(time.RFC3339)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWindowApplies(t *testing.T) {
	all := &Window{}
	us := &Window{Tenants: []string{"contoso-us"}}
	cfg := &Window{Configurations: []string{"contoso-eu/eu-to-us"}}
	cases := []struct {
		w       *Window
		tenants []string
		config  string
		want    bool
	}{
		{all, []string{"contoso-eu"}, "", true},
		{us, []string{"contoso-us"}, "", true},
		{us, []string{"contoso-eu"}, "", false},
		{us, []string{"contoso-eu", "contoso-us"}, "contoso-eu/eu-to-us", true}, // a configuration into contoso-us
		{cfg, []string{"contoso-eu", "contoso-us"}, "contoso-eu/eu-to-us", true},
		{cfg, []string{"contoso-us"}, "", false},
		{cfg, []string{"fabrikam-uk", "contoso-us"}, "fabrikam-uk/uk-to-us", false},
	}
	for i, c := range cases {
		if got := c.w.Applies(c.tenants, c.config); got != c.want {
			t.Errorf("%d: Applies(%v, %q) = %v, want %v", i, c.tenants, c.config, got, c.want)
		}
	}
}

// TestLoadEndedSuspend: with a time to load at (xtsync validate), a
// suspension whose until has passed is an error at its line; without one
// (reconcile), the repository loads.
func TestLoadEndedSuspend(t *testing.T) {
	fsys := exampleFS(t)
	fsys["tenants/contoso-us.yaml"] = &fstest.MapFile{Data: append(append([]byte{}, fsys["tenants/contoso-us.yaml"].Data...),
		"suspend:\n  until: 2026-12-24T00:00:00Z\n  reason: merger cut-over\n"...)}
	repo, ds := Load(fsys)
	if ds.HasErrors() {
		t.Fatalf("without a time, the repository loads:\n%s", render(ds))
	}
	us := repo.Tenant("contoso-us")
	if us.Suspend == nil || us.Suspend.Reason != "merger cut-over" || !us.Suspend.Until.Equal(ts("2026-12-24T00:00:00Z")) {
		t.Fatalf("suspend = %+v", us.Suspend)
	}
	if !us.Suspend.Active(ts("2026-12-23T23:59:59Z")) || us.Suspend.Active(ts("2026-12-24T00:00:00Z")) {
		t.Error("the suspension is active before until and not from until on")
	}
	_, ds = LoadWith(fsys, LoadOptions{Now: ts("2026-12-01T00:00:00Z")})
	if ds.HasErrors() {
		t.Errorf("a suspension that has not ended is no error:\n%s", render(ds))
	}
	_, ds = LoadWith(fsys, LoadOptions{Now: ts("2026-12-24T00:00:00Z")})
	got := render(ds.Errors())
	want := "tenants/contoso-us.yaml:34:10: error: suspend of tenant contoso-us: until 2026-12-24T00:00:00Z has passed (it is 2026-12-24T00:00:00Z): remove the suspend, or set a later until [suspend-ended]\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestIgnoreRuleMatcher: * stays within a part of an object name, **
// spans parts; field patterns match anything.
func TestIgnoreRuleMatcher(t *testing.T) {
	cases := []struct {
		object string
		fields []string
		obj    string
		field  string
		want   bool
	}{
		{"sync/contoso-eu/eu-to-us/schema", []string{"mappings.companyName"}, "sync/contoso-eu/eu-to-us/schema", "mappings.companyName", true},
		{"sync/contoso-eu/eu-to-us/schema", []string{"mappings.companyName"}, "sync/contoso-eu/eu-to-us/schema", "mappings.jobTitle", false},
		{"sync/*/*/schema", []string{"mappings.*"}, "sync/contoso-eu/eu-to-us/schema", "mappings.jobTitle", true},
		{"sync/contoso-eu/*", []string{"*"}, "sync/contoso-eu/eu-to-us/assignment/GlobalEmployees", "principal", false},
		{"sync/contoso-eu/**", []string{"*"}, "sync/contoso-eu/eu-to-us/assignment/GlobalEmployees", "principal", true},
		{"partner/contoso-us/*", []string{"inboundAutoRedeem"}, "partner/contoso-us/contoso-eu", "inboundAutoRedeem", true},
		{"partner/contoso-us/*", []string{"inboundAutoRedeem"}, "identitySync/contoso-us/contoso-eu", "inboundAutoRedeem", false},
		{"[broken", []string{"*"}, "[broken", "x", false},
	}
	for _, c := range cases {
		r := &IgnoreRule{Object: c.object, Fields: c.fields}
		if got := r.Matcher()(c.obj, c.field); got != c.want {
			t.Errorf("%s %v matches %s %s = %v, want %v", c.object, c.fields, c.obj, c.field, got, c.want)
		}
	}
}

// FuzzSettings: xtsync.yaml never panics the loader and every diagnostic
// has a position; for the windows it accepts, the time WindowsAt says a
// write may happen is one at which the windows let it, and not before the
// time asked about.
func FuzzSettings(f *testing.F) {
	for _, file := range []string{exampleDir + "/xtsync.yaml", "testdata/full/xtsync.yaml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, int64(1798444800)) // 2026-12-28
	}
	for _, file := range []string{"testdata/bad/windows.txtar", "testdata/bad/ignore.txtar"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, tf := range txtar.Parse(data).Files {
			f.Add(tf.Data, int64(1767225600))
		}
	}
	f.Add([]byte("windows:\n  - {kind: allow, schedule: \"*/5 * * * *\", duration: 1m}\n  - {kind: deny, schedule: \"0 * * * *\", duration: 59m}\n"), int64(1767225600))
	f.Fuzz(func(t *testing.T, data []byte, unix int64) {
		s, ds := ParseSettings("xtsync.yaml", data)
		for _, d := range ds {
			if d.Pos.File != "xtsync.yaml" || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Code == "" {
				t.Fatalf("diagnostic without a position or code: %+v", d)
			}
		}
		if ds.HasErrors() || len(s.Windows) == 0 {
			return
		}
		now := time.Unix(unix%(1<<34), 0).UTC()
		st := WindowsAt(s.Windows, now)
		if st.Open || st.Opens.IsZero() {
			return
		}
		if st.Opens.Before(now) {
			t.Fatalf("at %s: opens at %s, before the time asked about", now, st.Opens)
		}
		if again := WindowsAt(s.Windows, st.Opens); !again.Open {
			t.Fatalf("at %s: writes said to resume at %s, but the windows hold them then (%+v)", now, st.Opens, again)
		}
		for _, r := range s.Ignore {
			r.Matcher()("sync/a/b/schema", "mappings.x")
		}
	})
}

// BenchmarkWindowsAtNeverOpens is the slowest case of WindowsAt: an allow
// window that opens every hour inside a deny window that is always open,
// so the search for the next opening steps through a year of them.
func BenchmarkWindowsAtNeverOpens(b *testing.B) {
	ws := []*Window{
		{Name: "hourly", Kind: WindowAllow, Schedule: "0 * * * *", Duration: 30 * time.Second, TimeZone: "Europe/Berlin"},
		{Name: "always", Kind: WindowDeny, Schedule: "0 * * * *", Duration: time.Hour, TimeZone: "UTC"},
	}
	now := time.Date(2026, 12, 28, 9, 30, 0, 0, time.UTC)
	for b.Loop() {
		if st := WindowsAt(ws, now); st.Open || !st.Opens.IsZero() {
			b.Fatalf("%+v", st)
		}
	}
}

// BenchmarkWindowsAtFreeze is the common case: a deny window open now.
func BenchmarkWindowsAtFreeze(b *testing.B) {
	ws := []*Window{{Name: "holidays", Kind: WindowDeny, Schedule: "0 18 23 12 *", Duration: 256 * time.Hour, TimeZone: "Europe/Berlin"}}
	now := time.Date(2026, 12, 28, 9, 30, 0, 0, time.UTC)
	for b.Loop() {
		if st := WindowsAt(ws, now); st.Open {
			b.Fatalf("%+v", st)
		}
	}
}
