package simulate

import "sync"

// Prepared is a set of snapshots made ready to be simulated more than once
// (plan and check run base and head against the same snapshots): the
// indexes a run looks users, links and groups up in are built once, on the
// first run that needs each, and shared by the runs that follow, which may
// also run at the same time. The snapshots must not change while it is in
// use.
type Prepared struct {
	mu  sync.Mutex // guards idx while Add runs
	idx map[string]*snapIndex
}

// Prepare makes snapshots (keyed by tenant name; nil ones are skipped) ready
// for Prepared.Run.
func Prepare(snaps map[string]*Snapshot) *Prepared {
	p := NewPrepared()
	for name, s := range snaps {
		if s != nil {
			p.idx[name] = newIndex(s)
		}
	}
	return p
}

// NewPrepared returns a set without snapshots: Add adds them.
func NewPrepared() *Prepared { return &Prepared{idx: map[string]*snapIndex{}} }

// Add adds a tenant's snapshot and builds its indexes now: those of a
// target, and with source also those of a source of sync configurations.
// Adds may run at the same time; Run must not run before the last returns.
func (p *Prepared) Add(tenant string, s *Snapshot, source bool) {
	x := newIndex(s)
	x.target()
	if source {
		x.source()
		x.groupIndex()
	}
	p.mu.Lock()
	p.idx[tenant] = x
	p.mu.Unlock()
}
