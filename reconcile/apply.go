package reconcile

import (
	"context"
	"fmt"
)

// Apply runs the ChangeSet in order through the Applier: one Result per
// change, in order. A change whose dependency failed or was skipped is
// skipped (the Result says which); a cancelled ctx stops between changes
// and the rest are skipped.
func Apply(ctx context.Context, cs ChangeSet, a Applier) []Result {
	results := make([]Result, 0, len(cs))
	bad := map[string]bool{} // objects whose change did not succeed
	for i := range cs {
		ch := &cs[i]
		r := Result{Object: ch.Object, Action: ch.Action}
		if err := ctx.Err(); err != nil {
			r.Result, r.Error = ResultSkipped, "not run: the run was cancelled"
			bad[ch.Object] = true
			results = append(results, r)
			continue
		}
		dep := ""
		for _, x := range ch.DependsOn {
			if bad[x] {
				dep = x
				break
			}
		}
		if dep != "" {
			r.Result, r.Error = ResultSkipped, fmt.Sprintf("not run: %s did not succeed", dep)
			bad[ch.Object] = true
			results = append(results, r)
			continue
		}
		kind, err := a.Apply(ctx, ch)
		switch {
		case err != nil:
			r.Result, r.Error = ResultFailed, err.Error()
			bad[ch.Object] = true
		case kind == "":
			r.Result = ResultUnchanged
		default:
			r.Result = kind
			if kind == ResultFailed || kind == ResultSkipped {
				bad[ch.Object] = true
			}
		}
		results = append(results, r)
	}
	return results
}
