package tenants

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // IANA time zones on a machine without a zoneinfo database

	"github.com/gobwas/glob"
	"github.com/robfig/cron/v3"
)

// How a repository says when reconcile may write (windows), what it must
// leave alone for a while (suspend) and which drift it reports but never
// repairs (ignore). The loader parses and checks them; the evaluation
// takes the time as a value.

// WindowKind says whether a window allows or denies writes.
type WindowKind string

// The kinds of change window.
const (
	WindowAllow WindowKind = "allow"
	WindowDeny  WindowKind = "deny"
)

// Window is one change window of xtsync.yaml: it opens at each time of its
// cron schedule (in its time zone) and stays open for its duration.
type Window struct {
	// Name is the window's name as written, "" when none.
	Name     string        `json:"name,omitempty"`
	Kind     WindowKind    `json:"kind"`
	Schedule string        `json:"schedule"`
	Duration time.Duration `json:"duration"`
	TimeZone string        `json:"timeZone"`
	// Tenants and Configurations limit what it applies to; both empty:
	// every write.
	Tenants        []string `json:"tenants"`
	Configurations []string `json:"configurations"`
	Pos            Pos      `json:"-"`
	// Index is the window's place in the list, for its default label.
	Index int `json:"-"`
	// TenantPos and ConfigPos are the positions of the items of Tenants
	// and Configurations.
	TenantPos []Pos `json:"-"`
	ConfigPos []Pos `json:"-"`
}

// Label names the window in messages: its name, or windows[<index>].
func (w *Window) Label() string {
	if w.Name != "" {
		return w.Name
	}
	return fmt.Sprintf("windows[%d]", w.Index)
}

// Describe renders the window's definition: "deny 0 18 23 12 * for 256h0m0s
// (Europe/Berlin)".
func (w *Window) Describe() string {
	return fmt.Sprintf("%s %q for %s (%s)", w.Kind, w.Schedule, w.DurationText(), w.TimeZone)
}

// DurationText is the duration without zero minutes and seconds: "256h",
// "1h30m", "45s".
func (w *Window) DurationText() string {
	s := w.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// cronParser reads the five standard fields and the @descriptors; no
// seconds field, as in crontab(5) and Argo CD's sync windows.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// schedule is a window with its schedule parsed and its time zone loaded.
type schedule struct {
	*Window
	sched cron.Schedule
	loc   *time.Location
}

// compile parses the schedule and loads the time zone; the loader reports
// the errors at the keys' positions.
func (w *Window) compile() (c schedule, schedErr, tzErr error) {
	c.Window = w
	c.loc, tzErr = loadLocation(w.TimeZone)
	sp := strings.TrimSpace(w.Schedule)
	switch {
	case strings.HasPrefix(sp, "@every"):
		schedErr = fmt.Errorf("@every is not a calendar schedule: write a cron expression such as \"0 22 * * 1-5\"")
	case strings.HasPrefix(sp, "CRON_TZ=") || strings.HasPrefix(sp, "TZ="):
		schedErr = fmt.Errorf("the time zone goes in timeZone, not in the schedule")
	default:
		c.sched, schedErr = cronParser.Parse(w.Schedule)
	}
	return c, schedErr, tzErr
}

// loadLocation loads an IANA time zone; "Local" is refused: a schedule must
// mean the same on every machine that runs it.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("want an IANA time zone such as UTC or Europe/Berlin")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: want an IANA name such as UTC or Europe/Berlin", name)
	}
	return loc, nil
}

// OpenAt reports whether the window is open at t and, when it is, when it
// closes: the end of the latest opening that covers t.
func (w schedule) OpenAt(t time.Time) (bool, time.Time) {
	if w.sched == nil || w.Duration <= 0 {
		return false, time.Time{}
	}
	t = t.In(w.loc)
	// An opening in (t-duration, t] covers t. cron's Next is strictly
	// after its argument and monotone in it, so the latest opening s <= t
	// is Next(t-δ) for the least δ with Next(t-δ) <= t: a binary search
	// over seconds (schedules have a resolution of a second), not a walk
	// through every opening of a long window.
	covers := func(back time.Duration) bool {
		s := w.sched.Next(t.Add(-back))
		return !s.IsZero() && !s.After(t)
	}
	if !covers(w.Duration) {
		return false, time.Time{}
	}
	lo, hi := time.Duration(0), w.Duration // covers(lo) false, covers(hi) true
	for hi-lo > time.Second {
		mid := lo + (hi-lo)/2
		if covers(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return true, w.sched.Next(t.Add(-hi)).Add(w.Duration)
}

// NextOpening returns the first opening of the window strictly after t
// (the zero time when the schedule never fires again).
func (w schedule) NextOpening(t time.Time) time.Time {
	if w.sched == nil {
		return time.Time{}
	}
	return w.sched.Next(t.In(w.loc))
}

// Applies reports whether the window applies to a write to the tenants
// named (the tenant written to, and for a configuration's part its source
// and target) of the configuration config ("source/name", "" for trust).
func (w *Window) Applies(tenants []string, config string) bool {
	if len(w.Tenants) == 0 && len(w.Configurations) == 0 {
		return true
	}
	for _, t := range w.Tenants {
		for _, x := range tenants {
			if t == x {
				return true
			}
		}
	}
	for _, c := range w.Configurations {
		if c == config && config != "" {
			return true
		}
	}
	return false
}

// WindowState is what the windows that apply to a write say at a time.
type WindowState struct {
	// Open: the write may happen now.
	Open bool
	// Closed names the windows that hold it: the deny windows open now, or
	// (when none) the allow windows that apply and are all closed.
	Closed []*Window
	// Until is when the deny windows holding it close (zero when held by
	// allow windows only).
	Until time.Time
	// Opens is the first time from now on at which the write may happen
	// (zero when no such time comes within a year and a day).
	Opens time.Time
}

// maxLookahead bounds the search for the next time a write may happen.
const maxLookahead = 366 * 24 * time.Hour

// WindowsAt evaluates the windows that apply to a write at now: it may
// happen when no deny window is open and, if any allow windows apply, at
// least one of them is open. When it may not, Opens is the first time it
// may, found by stepping from event to event (the closing of the open deny
// windows, the next opening of an allow window).
func WindowsAt(windows []*Window, now time.Time) WindowState {
	var ws []schedule
	for _, w := range windows {
		if c, se, te := w.compile(); se == nil && te == nil {
			ws = append(ws, c) // the loader reported the others
		}
	}
	open, closed, until := windowsOpen(ws, now)
	if open {
		return WindowState{Open: true, Opens: now}
	}
	st := WindowState{Closed: closed, Until: until}
	t := now
	for i := 0; i < 10000 && t.Sub(now) <= maxLookahead; i++ {
		ok, _, denyEnd := windowsOpen(ws, t)
		if ok {
			st.Opens = t
			return st
		}
		if !denyEnd.IsZero() {
			t = denyEnd // nothing opens while a deny window is open
			continue
		}
		next := time.Time{}
		for _, w := range ws {
			if w.Kind != WindowAllow {
				continue
			}
			if e := w.NextOpening(t); !e.IsZero() && (next.IsZero() || e.Before(next)) {
				next = e
			}
		}
		if next.IsZero() {
			return st // no allow window ever opens again
		}
		t = next
	}
	return st
}

// windowsOpen reports whether a write may happen at t, and if not the
// windows that hold it and when the deny ones close.
func windowsOpen(ws []schedule, t time.Time) (bool, []*Window, time.Time) {
	var deny, allowClosed []*Window
	var until time.Time
	allows, allowOpen := 0, false
	for _, w := range ws {
		o, end := w.OpenAt(t)
		switch w.Kind {
		case WindowDeny:
			if o {
				deny = append(deny, w.Window)
				if end.After(until) {
					until = end
				}
			}
		case WindowAllow:
			allows++
			if o {
				allowOpen = true
			} else {
				allowClosed = append(allowClosed, w.Window)
			}
		}
	}
	if len(deny) > 0 {
		return false, deny, until
	}
	if allows > 0 && !allowOpen {
		return false, allowClosed, time.Time{}
	}
	return true, nil, time.Time{}
}

// Suspend is a tenant's or a sync configuration's suspension: reconcile
// writes nothing for it while it is active.
type Suspend struct {
	// Until is when it ends; zero: until the key is removed.
	Until  time.Time `json:"until,omitzero"`
	Reason string    `json:"reason"`
	// Pos is the position of the suspend mapping, UntilPos of its until.
	Pos      Pos `json:"-"`
	UntilPos Pos `json:"-"`
}

// Active reports whether the suspension holds at now.
func (s *Suspend) Active(now time.Time) bool {
	return s != nil && (s.Until.IsZero() || now.Before(s.Until))
}

// IgnoreRule is one drift rule of xtsync.yaml: the drift of the objects
// whose name matches Object, in the fields matching Fields, is reported and
// never repaired.
type IgnoreRule struct {
	Object string   `json:"object"`
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
	Pos    Pos      `json:"-"`
}

// compileObjectPattern compiles an object name pattern: * and ? stay within
// one /-separated part, ** spans parts.
func compileObjectPattern(p string) (*glob.Pattern, error) { return glob.Compile(p, '/') }

// compileFieldPattern compiles a field name pattern: * matches anything.
func compileFieldPattern(p string) (*glob.Pattern, error) { return glob.Compile(p) }

// Matcher returns the rule compiled: match(object, field) reports whether
// the rule covers a field of an object. A pattern that does not compile
// (the loader reported it) matches nothing.
func (r *IgnoreRule) Matcher() func(object, field string) bool {
	op, err := compileObjectPattern(r.Object)
	if err != nil {
		return func(string, string) bool { return false }
	}
	var fps []*glob.Pattern
	for _, f := range r.Fields {
		if p, err := compileFieldPattern(f); err == nil {
			fps = append(fps, p)
		}
	}
	return func(object, field string) bool {
		if !op.Match(object) {
			return false
		}
		for _, p := range fps {
			if p.Match(field) {
				return true
			}
		}
		return false
	}
}

// objectKinds are the first parts of the object names reconcile reports.
var objectKinds = []string{"partner", "identitySync", "sync"}

// DriftFields are the field names reconcile's changes carry, by the kind
// of object (the last part of a configuration's part, or the first of a
// trust object); "mappings.<attr>" stands for every mapped attribute. A
// drift rule whose fields match none of them is a warning (reconcile's
// tests check the list against what Diff reports).
var DriftFields = map[string][]string{
	"partner":      {"inboundAutoRedeem", "outboundAutoRedeem"},
	"identitySync": {"userSyncInbound"},
	"app":          {"displayName", "tags"},
	"job":          {"templateId"},
	"secrets":      {"companyId", "authenticationType", "syncAll", "deletionThreshold"},
	"schema":       {"actions", "scope.filters", "mappings.<attr>", "schema"},
	"assignment":   {"principal", "principalType"},
	"state":        {"started"},
}

// knownField reports whether a field pattern matches a field reconcile
// reports (any mappings.<attr> counts).
func knownField(text string, p *glob.Pattern) bool {
	if strings.HasPrefix(text, "mappings.") {
		return true
	}
	for _, fs := range DriftFields {
		for _, f := range fs {
			if f == "mappings.<attr>" {
				f = "mappings.jobTitle"
			}
			if p.Match(f) {
				return true
			}
		}
	}
	return false
}
