package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/xtsync/xtsync/tenants"
)

// Holds are the changes a run may not write now, and why: those a change
// window closes, those of a suspended tenant or configuration, and those
// that need one of them. They are planned and reported like the others and
// not applied.
type Holds struct {
	// ByObject maps each held change's object to why it is held.
	ByObject map[string]Hold
	// Windows are the closed-window situations that hold changes, one per
	// set of windows, in the order of their first change (with Overridden,
	// the changes they would hold).
	Windows []WindowHold
	// Suspends are the active suspensions that hold changes.
	Suspends []SuspendHold
	// Ended are the suspensions whose until has passed: their changes are
	// written again, and each run warns until the key is removed.
	Ended []SuspendHold
	// Overridden: the windows held these changes and the run writes them
	// all the same (--override-window).
	Overridden bool
}

// Hold is why one change is not written in this run.
type Hold struct {
	// Reason in words: "window holiday freeze is open until …", "tenant
	// contoso-us is suspended until …: merger cut-over", "needs …".
	Reason string
	// Until is the earliest time the change may be written as far as its
	// own hold goes (zero: not within a year and a day, or until a
	// suspension's key is removed).
	Until time.Time
}

// WindowHold is one set of windows that holds changes at the time of the
// run.
type WindowHold struct {
	// Windows that hold the changes: the open deny windows, or the closed
	// allow windows.
	Windows []*tenants.Window
	// Until is when the open deny windows close (zero for allow windows).
	Until time.Time
	// Opens is when the changes may be written (zero: not within a year
	// and a day).
	Opens   time.Time
	Objects []string
}

// SuspendHold is one suspension and the changes it holds.
type SuspendHold struct {
	// What is suspended: "tenant contoso-us", "sync contoso-eu/eu-to-us".
	What    string
	Suspend *tenants.Suspend
	Objects []string
}

// HoldsAt decides which changes of cs may not be written at now, given the
// repository's windows and suspensions. With overrideWindows the windows
// hold nothing (Overridden says whether they would have). A change
// concerns the tenant it writes to, for a partner entry or an identity
// synchronization also the tenant it is about, and for a part of a
// configuration the configuration and its source and target tenants. A change that needs the
// creation or deletion of a held partner, identity synchronization,
// application or job is held with it.
func HoldsAt(cs ChangeSet, repo *tenants.Repo, now time.Time, overrideWindows bool) Holds {
	h := Holds{ByObject: map[string]Hold{}}
	if repo == nil {
		return h
	}
	configs := map[string]*tenants.SyncConfig{}
	for _, sc := range repo.SyncConfigs() {
		configs[sc.Key()] = sc
	}
	windowKey := map[string]int{}
	// states memoises WindowsAt by the set of windows that apply: a
	// window's next opening can take thousands of steps to find, and most
	// changes share their windows.
	states := map[string]tenants.WindowState{}
	suspendIdx := map[*tenants.Suspend]int{}
	endedSeen := map[*tenants.Suspend]bool{}
	for _, c := range cs {
		names, sc := concerns(c, repo, configs)

		// Suspensions: the configuration's, then each tenant's.
		type susp struct {
			what string
			s    *tenants.Suspend
		}
		var ss []susp
		if sc != nil && sc.Suspend != nil {
			ss = append(ss, susp{"sync " + sc.Key(), sc.Suspend})
		}
		for _, n := range names {
			if t := repo.Tenant(n); t != nil && t.Suspend != nil {
				ss = append(ss, susp{"tenant " + t.Name, t.Suspend})
			}
		}
		held := false
		for _, x := range ss {
			if !x.s.Active(now) {
				if !endedSeen[x.s] {
					endedSeen[x.s] = true
					h.Ended = append(h.Ended, SuspendHold{What: x.what, Suspend: x.s})
				}
				continue
			}
			if held {
				continue
			}
			held = true
			i, ok := suspendIdx[x.s]
			if !ok {
				i = len(h.Suspends)
				suspendIdx[x.s] = i
				h.Suspends = append(h.Suspends, SuspendHold{What: x.what, Suspend: x.s})
			}
			h.Suspends[i].Objects = append(h.Suspends[i].Objects, c.Object)
			h.ByObject[c.Object] = Hold{Reason: SuspendReason(x.what, x.s), Until: x.s.Until}
		}
		if held {
			continue
		}

		// Windows.
		var ws []*tenants.Window
		for _, w := range repo.Settings.Windows {
			if w.Applies(names, c.Config) {
				ws = append(ws, w)
			}
		}
		if len(ws) == 0 {
			continue
		}
		set := fmt.Sprint(ws)
		st, ok := states[set]
		if !ok {
			st = tenants.WindowsAt(ws, now)
			states[set] = st
		}
		if st.Open {
			continue
		}
		var labels []string
		for _, w := range st.Closed {
			labels = append(labels, w.Label())
		}
		key := strings.Join(labels, "\x00")
		i, ok := windowKey[key]
		if !ok {
			i = len(h.Windows)
			windowKey[key] = i
			h.Windows = append(h.Windows, WindowHold{Windows: st.Closed, Until: st.Until, Opens: st.Opens})
		}
		h.Windows[i].Objects = append(h.Windows[i].Objects, c.Object)
		if overrideWindows {
			h.Overridden = true
			continue
		}
		h.ByObject[c.Object] = Hold{Reason: h.Windows[i].Reason(), Until: st.Opens}
	}
	holdDependents(cs, h.ByObject, "held")
	return h
}

// concerns returns the repository tenant names a change concerns and its
// repository configuration (nil for trust objects and configurations the
// repository no longer declares). A trust object concerns the tenant it is
// in and the tenant it is about.
func concerns(c Change, repo *tenants.Repo, configs map[string]*tenants.SyncConfig) ([]string, *tenants.SyncConfig) {
	var names []string
	add := func(n string) {
		for _, x := range names {
			if x == n {
				return
			}
		}
		if n != "" {
			names = append(names, n)
		}
	}
	if t := repo.Tenant(c.TenantID); t != nil {
		add(t.Name)
	}
	if c.Partner != nil && (c.Kind == KindPartner || c.Kind == KindIdentitySync) {
		if t := repo.Tenant(c.Partner.TenantID); t != nil {
			add(t.Name) // the tenant the entry is about
		}
	}
	sc := configs[c.Config]
	if sc != nil {
		add(sc.Source)
		add(sc.Target)
	} else if src, _, ok := strings.Cut(c.Config, "/"); ok {
		add(src)
	}
	return names, sc
}

// SuspendReason says in words what a suspension holds, why and until when.
func SuspendReason(what string, s *tenants.Suspend) string {
	if s.Until.IsZero() {
		return fmt.Sprintf("%s is suspended (%s) until the suspend is removed", what, s.Reason)
	}
	return fmt.Sprintf("%s is suspended (%s) until %s", what, s.Reason, s.Until.UTC().Format(time.RFC3339))
}

// Reason says in words why the windows hold their changes, and until when.
func (w WindowHold) Reason() string {
	var names []string
	for _, x := range w.Windows {
		names = append(names, fmt.Sprintf("%s (%s)", x.Label(), x.Describe()))
	}
	var s string
	if w.Windows[0].Kind == tenants.WindowDeny {
		s = fmt.Sprintf("deny window %s is open until %s", strings.Join(names, ", "), w.Until.UTC().Format(time.RFC3339))
	} else {
		s = fmt.Sprintf("outside allow window %s", strings.Join(names, ", "))
	}
	if w.Opens.IsZero() {
		return s + "; no window opens within a year"
	}
	return s + "; writes resume at " + w.Opens.UTC().Format(time.RFC3339)
}

// holdDependents adds to held the changes that need the creation or
// deletion of a held (or ignored) partner, identity synchronization,
// application or job: without it they cannot be made. how is the word for
// the dependency's state ("held", "ignored").
func holdDependents(cs ChangeSet, held map[string]Hold, how string) {
	byObject := map[string]Change{}
	for _, c := range cs {
		byObject[c.Object] = c
	}
	for changed := true; changed; {
		changed = false
		for _, c := range cs {
			if _, ok := held[c.Object]; ok {
				continue
			}
			for _, d := range c.DependsOn {
				dh, ok := held[d]
				if !ok || !needs(byObject[d]) {
					continue
				}
				held[c.Object] = Hold{Reason: "needs " + d + ", which is " + how, Until: dh.Until}
				changed = true
				break
			}
		}
	}
}

// needs reports whether the changes that depend on c cannot be made
// without it: the creation or deletion of an object others are made in or
// ordered after.
func needs(c Change) bool {
	switch c.Kind {
	case KindPartner, KindIdentitySync, KindApp, KindJob:
		return c.Action == ActionCreate || c.Action == ActionDelete
	}
	return false
}

// Without returns the changes of cs not in held, in order.
func (cs ChangeSet) Without(held map[string]Hold) ChangeSet {
	out := ChangeSet{}
	for _, c := range cs {
		if _, ok := held[c.Object]; !ok {
			out = append(out, c)
		}
	}
	return out
}

// Resume is the earliest time a held change may be written (zero when none
// is known).
func (h Holds) Resume() time.Time {
	var t time.Time
	for _, x := range h.ByObject {
		if !x.Until.IsZero() && (t.IsZero() || x.Until.Before(t)) {
			t = x.Until
		}
	}
	return t
}

// Objects returns the held objects, sorted.
func (h Holds) Objects() []string {
	out := make([]string, 0, len(h.ByObject))
	for o := range h.ByObject {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}
