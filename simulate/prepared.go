package simulate

// Prepared is a set of snapshots made ready to be simulated more than once
// (plan and check run base and head against the same snapshots): the
// indexes a run looks users, links and groups up in are built once, on the
// first run that needs each, and shared by the runs that follow, which may
// also run at the same time. The snapshots must not change while it is in
// use.
type Prepared struct {
	idx map[string]*snapIndex
}

// Prepare makes snapshots (keyed by tenant name; nil ones are skipped) ready
// for Prepared.Run.
func Prepare(snaps map[string]*Snapshot) *Prepared {
	p := &Prepared{idx: make(map[string]*snapIndex, len(snaps))}
	for name, s := range snaps {
		if s != nil {
			p.idx[name] = newIndex(s)
		}
	}
	return p
}
