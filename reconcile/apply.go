package reconcile

import (
	"context"
	"fmt"
	"sync"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Parallel is how many sync configurations are written at once
	// (default 8). Trust objects are written one at a time, in order.
	Parallel int
}

// Apply runs the ChangeSet through the Applier and returns one Result per
// change, in the ChangeSet's order. The order of writes is the ChangeSet's
// (DESIGN §7, Order), with one freedom: consecutive changes of different
// sync configurations are independent, so each configuration's changes run
// in order while up to opts.Parallel configurations run at once. Trust
// objects (partners, identity synchronization) run alone, in order: they
// are what configurations depend on, or what their teardown must precede.
//
// A change whose dependency failed or was skipped is skipped (the Result
// says which); a cancelled ctx stops the run between changes and the rest
// are skipped, each with a Result.
func Apply(ctx context.Context, cs ChangeSet, a Applier, opts ApplyOptions) []Result {
	if opts.Parallel <= 0 {
		opts.Parallel = 8
	}
	r := &run{results: make([]Result, len(cs)), bad: map[string]bool{}}
	for start := 0; start < len(cs); {
		end := start + 1
		if cs[start].Config == "" {
			r.apply(ctx, cs, start, a)
			start = end
			continue
		}
		// A phase of configuration changes: one lane per configuration.
		for end < len(cs) && cs[end].Config != "" {
			end++
		}
		lanes := map[string][]int{}
		var order []string
		for i := start; i < end; i++ {
			k := cs[i].TenantID + "|" + cs[i].Config
			if _, ok := lanes[k]; !ok {
				order = append(order, k)
			}
			lanes[k] = append(lanes[k], i)
		}
		sem := make(chan struct{}, opts.Parallel)
		var wg sync.WaitGroup
		for _, k := range order {
			wg.Add(1)
			sem <- struct{}{}
			go func(idx []int) {
				defer wg.Done()
				defer func() { <-sem }()
				r.lane(ctx, cs, idx, a)
			}(lanes[k])
		}
		wg.Wait()
		start = end
	}
	return r.results
}

// run is the state of one Apply: results by index, and the objects whose
// change did not succeed.
type run struct {
	mu      sync.Mutex
	results []Result
	bad     map[string]bool
}

func (r *run) failedDependency(ch *Change) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range ch.DependsOn {
		if r.bad[x] {
			return x
		}
	}
	return ""
}

func (r *run) set(i int, ch *Change, res Result, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok {
		r.bad[ch.Object] = true
	}
	r.results[i] = res
}

// lane runs one configuration's changes in order; consecutive assignment
// changes go together to a BatchApplier.
func (r *run) lane(ctx context.Context, cs ChangeSet, idx []int, a Applier) {
	ba, batches := a.(BatchApplier)
	for n := 0; n < len(idx); n++ {
		i := idx[n]
		if !batches || cs[i].Kind != KindAssignment {
			r.apply(ctx, cs, i, a)
			continue
		}
		var group []int
		for ; n < len(idx) && cs[idx[n]].Kind == KindAssignment; n++ {
			group = append(group, idx[n])
		}
		n--
		r.applyAssignments(ctx, cs, group, ba)
	}
}

// applyAssignments writes a group of one configuration's assignment
// changes with one BatchApplier call; those whose dependency failed, or
// all after a cancel, are skipped.
func (r *run) applyAssignments(ctx context.Context, cs ChangeSet, group []int, ba BatchApplier) {
	var todo []int
	var chs []*Change
	for _, i := range group {
		ch := &cs[i]
		res := Result{Object: ch.Object, Action: ch.Action}
		if err := ctx.Err(); err != nil {
			res.Result, res.Error = ResultSkipped, "not run: the run was cancelled"
			r.set(i, ch, res, false)
			continue
		}
		if dep := r.failedDependency(ch); dep != "" {
			res.Result, res.Error = ResultSkipped, fmt.Sprintf("not run: %s did not succeed", dep)
			r.set(i, ch, res, false)
			continue
		}
		todo = append(todo, i)
		chs = append(chs, ch)
	}
	if len(chs) == 0 {
		return
	}
	kinds, errs := ba.ApplyAssignments(ctx, chs)
	for j, i := range todo {
		r.record(ctx, i, chs[j], kinds[j], errs[j])
	}
}

// apply runs change i, or skips it.
func (r *run) apply(ctx context.Context, cs ChangeSet, i int, a Applier) {
	ch := &cs[i]
	res := Result{Object: ch.Object, Action: ch.Action}
	if err := ctx.Err(); err != nil {
		res.Result, res.Error = ResultSkipped, "not run: the run was cancelled"
		r.set(i, ch, res, false)
		return
	}
	if dep := r.failedDependency(ch); dep != "" {
		res.Result, res.Error = ResultSkipped, fmt.Sprintf("not run: %s did not succeed", dep)
		r.set(i, ch, res, false)
		return
	}
	kind, err := a.Apply(ctx, ch)
	r.record(ctx, i, ch, kind, err)
}

// record sets the Result of change i from what the Applier said.
func (r *run) record(ctx context.Context, i int, ch *Change, kind ResultKind, err error) {
	res := Result{Object: ch.Object, Action: ch.Action}
	switch {
	case err != nil:
		res.Result, res.Error = ResultFailed, err.Error()
		if ctx.Err() != nil {
			res.Result, res.Error = ResultSkipped, "interrupted: the run was cancelled while writing; the next run reads what landed"
		}
	case kind == "":
		res.Result = ResultUnchanged
	default:
		res.Result = kind
	}
	r.set(i, ch, res, res.Result != ResultFailed && res.Result != ResultSkipped)
}
