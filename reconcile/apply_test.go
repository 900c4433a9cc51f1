package reconcile

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeApplier records the order of writes and fails the objects in fail.
type fakeApplier struct {
	mu      sync.Mutex
	order   []string
	fail    map[string]bool
	running int // changes in flight
	maxRun  int
	hook    func(ch *Change)
	batches [][]string
}

func (f *fakeApplier) Apply(_ context.Context, ch *Change) (ResultKind, error) {
	f.mu.Lock()
	f.order = append(f.order, ch.Object)
	f.running++
	f.maxRun = max(f.maxRun, f.running)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		hook(ch)
	}
	f.mu.Lock()
	f.running--
	f.mu.Unlock()
	if f.fail[ch.Object] {
		return ResultFailed, errors.New("refused")
	}
	if ch.Action == ActionCreate {
		return ResultCreated, nil
	}
	return ResultUpdated, nil
}

type fakeBatchApplier struct{ *fakeApplier }

func (f fakeBatchApplier) ApplyAssignments(ctx context.Context, chs []*Change) ([]ResultKind, []error) {
	var names []string
	kinds, errs := make([]ResultKind, len(chs)), make([]error, len(chs))
	for i, ch := range chs {
		names = append(names, ch.Object)
		kinds[i], errs[i] = f.Apply(ctx, ch)
	}
	f.mu.Lock()
	f.batches = append(f.batches, names)
	f.mu.Unlock()
	return kinds, errs
}

func cfgChanges(cfg string, deps ...string) []Change {
	o := "sync/" + cfg
	return []Change{
		{Object: o + "/app", Config: cfg, Kind: KindApp, Action: ActionCreate, DependsOn: deps},
		{Object: o + "/job", Config: cfg, Kind: KindJob, Action: ActionCreate, DependsOn: []string{o + "/app"}},
		{Object: o + "/assignment/a", Config: cfg, Kind: KindAssignment, Action: ActionCreate, DependsOn: []string{o + "/app"}},
		{Object: o + "/assignment/b", Config: cfg, Kind: KindAssignment, Action: ActionCreate, DependsOn: []string{o + "/app"}},
		{Object: o + "/state", Config: cfg, Kind: KindState, Action: ActionUpdate, DependsOn: []string{o + "/app", o + "/job"}},
	}
}

func exampleSet() ChangeSet {
	cs := ChangeSet{
		{Object: "partner/t/s", Kind: KindPartner, Action: ActionCreate},
		{Object: "identitySync/t/s", Kind: KindIdentitySync, Action: ActionCreate, DependsOn: []string{"partner/t/s"}},
		{Object: "partner/s/t", Kind: KindPartner, Action: ActionCreate},
	}
	for _, c := range []string{"s/one", "s/two", "s/three"} {
		cs = append(cs, cfgChanges(c, "partner/t/s", "identitySync/t/s", "partner/s/t")...)
	}
	return append(cs, Change{Object: "identitySync/t/old", Kind: KindIdentitySync, Action: ActionDelete},
		Change{Object: "partner/t/old", Kind: KindPartner, Action: ActionDelete, DependsOn: []string{"identitySync/t/old"}})
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// TestApplyOrder: trust first and alone, each configuration's changes in
// order, configurations at once, teardown last; one Result per change in
// the ChangeSet's order.
func TestApplyOrder(t *testing.T) {
	cs := exampleSet()
	started := make(chan struct{}, 3)
	release := make(chan struct{})
	f := &fakeApplier{}
	f.hook = func(ch *Change) {
		if ch.Kind == KindApp {
			started <- struct{}{}
			<-release
		}
	}
	done := make(chan []Result)
	go func() { done <- Apply(context.Background(), cs, f, ApplyOptions{Parallel: 3}) }()
	for range 3 { // the three configurations' first writes are in flight together
		<-started
	}
	close(release)
	res := <-done
	if len(res) != len(cs) {
		t.Fatalf("%d results for %d changes", len(res), len(cs))
	}
	for i, r := range res {
		if r.Object != cs[i].Object || r.Result == ResultFailed || r.Result == ResultSkipped {
			t.Errorf("result %d: %+v for %s", i, r, cs[i].Object)
		}
	}
	if f.maxRun < 3 {
		t.Errorf("at most %d changes in flight, want the 3 configurations at once", f.maxRun)
	}
	trust := []string{"partner/t/s", "identitySync/t/s", "partner/s/t"}
	if d := cmp.Diff(trust, f.order[:3]); d != "" {
		t.Errorf("trust first, in order (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"identitySync/t/old", "partner/t/old"}, f.order[len(f.order)-2:]); d != "" {
		t.Errorf("teardown last, in order (-want +got):\n%s", d)
	}
	for _, cfg := range []string{"s/one", "s/two", "s/three"} {
		prev := -1
		for _, c := range cfgChanges(cfg) {
			i := indexOf(f.order, c.Object)
			if i < prev {
				t.Errorf("%s ran before an earlier change of its configuration", c.Object)
			}
			prev = i
		}
	}
}

// TestApplySkipsDependants: a failed change skips what depends on it,
// and nothing else.
func TestApplySkipsDependants(t *testing.T) {
	f := &fakeApplier{fail: map[string]bool{"sync/s/two/app": true}}
	res := Apply(context.Background(), exampleSet(), f, ApplyOptions{})
	got := map[string]ResultKind{}
	for _, r := range res {
		got[r.Object] = r.Result
	}
	want := map[string]ResultKind{
		"sync/s/two/app": ResultFailed, "sync/s/two/job": ResultSkipped, "sync/s/two/assignment/a": ResultSkipped,
		"sync/s/two/state": ResultSkipped, "sync/s/one/state": ResultUpdated, "sync/s/three/app": ResultCreated,
		"partner/t/old": ResultUpdated,
	}
	for o, w := range want {
		if got[o] != w {
			t.Errorf("%s: %s, want %s", o, got[o], w)
		}
	}
}

// TestApplyCancelled: after a cancel no change is sent; every change has
// a Result.
func TestApplyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeApplier{}
	f.hook = func(ch *Change) {
		if ch.Object == "identitySync/t/s" {
			cancel()
		}
	}
	cs := exampleSet()
	res := Apply(ctx, cs, f, ApplyOptions{})
	if d := cmp.Diff([]string{"partner/t/s", "identitySync/t/s"}, f.order); d != "" {
		t.Errorf("writes (-want +got):\n%s", d)
	}
	for i, r := range res {
		if i >= 2 && r.Result != ResultSkipped {
			t.Errorf("%s: %s after the cancel", r.Object, r.Result)
		}
	}
}

// TestApplyBatchesAssignments: a BatchApplier gets each configuration's
// consecutive assignment changes together.
func TestApplyBatchesAssignments(t *testing.T) {
	f := fakeBatchApplier{&fakeApplier{}}
	Apply(context.Background(), exampleSet(), f, ApplyOptions{Parallel: 1})
	want := [][]string{
		{"sync/s/one/assignment/a", "sync/s/one/assignment/b"},
		{"sync/s/two/assignment/a", "sync/s/two/assignment/b"},
		{"sync/s/three/assignment/a", "sync/s/three/assignment/b"},
	}
	if d := cmp.Diff(want, f.batches); d != "" {
		t.Errorf("batches (-want +got):\n%s", d)
	}
}
