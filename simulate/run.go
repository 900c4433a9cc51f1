package simulate

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/xtsync/xtsync/tenants"
)

// The reason codes of DESIGN §4 (UserResult.Reason; "" for none).
const (
	ReasonExternalUser          = "external-user"
	ReasonGuestUser             = "guest-user"
	ReasonFiltered              = "filtered"
	ReasonDeletedInTarget       = "deleted-in-target"
	ReasonUpdateActionDisabled  = "update-action-disabled"
	ReasonDisabledUser          = "disabled-user"
	ReasonManagedByOtherConfig  = "managed-by-other-config"
	ReasonAdopted               = "adopted"
	ReasonTransferred           = "transferred"
	ReasonExpressionError       = "expression-error"
	ReasonCreateActionDisabled  = "create-action-disabled"
	ReasonUnverifiedMailDomain  = "unverified-mail-domain"
	ReasonAmbiguousTargetUser   = "ambiguous-target-user"
	ReasonDuplicateMail         = "duplicate-mail"
	ReasonDeleteActionDisabled  = "delete-action-disabled"
	ReasonAlreadyDeleted        = "already-deleted"
	ReasonDisabledNotDeleted    = "disabled-not-deleted"
	ReasonSourceDeleted         = "source-deleted"
	ReasonUnassigned            = "unassigned"
	ReasonTooManyDeletes        = "too-many-deletes"
	ReasonCycleHeldBack         = "cycle-held-back"
	BlockerUnknownTarget        = "unknown-target"
	BlockerMissingSnapshot      = "missing-snapshot"
	BlockerUnresolvedScopeRef   = "unresolved-scope-ref"
	BlockerAmbiguousScopeRef    = "ambiguous-scope-ref"
	BlockerInboundSyncNotAllwd  = "inbound-sync-not-allowed"
	BlockerAutoRedeemNotEnabled = "auto-redeem-not-enabled"
)

// The assumption ids of the tenants table the simulator reads.
const (
	assumeInternalGuestsSkipped = "internal-guests-skipped"
	assumeEndsWithCase          = "ends-with-case-sensitive"
	assumeRegexWholeValue       = "regex-whole-value"
	assumeRestore               = "restore-on-rescope"
	assumeQuarantineCreates     = "quarantine-lets-creates-through"
)

// Options tune a run.
type Options struct {
	// Assumptions overrides entries of the assumptions table
	// (tenants.Assumptions) by id; unset ids take the repository's
	// settings, then the table's default.
	Assumptions map[string]bool
}

// assumption returns the effective value of an assumption.
func assumption(repo *tenants.Repo, o Options, id string) bool {
	if v, ok := o.Assumptions[id]; ok {
		return v
	}
	return repo.Settings.Assumption(id)
}

// Assumption is one row of `xtsync simulate --assumptions`.
type Assumption struct {
	tenants.Assumption
	// Value is what this run uses.
	Value bool `json:"value"`
}

// EffectiveAssumptions returns the assumptions table with the values a run
// with these options uses.
func EffectiveAssumptions(repo *tenants.Repo, o Options) []Assumption {
	var out []Assumption
	for _, a := range tenants.Assumptions() {
		out = append(out, Assumption{Assumption: a, Value: assumption(repo, o, a.ID)})
	}
	return out
}

// Run simulates one provisioning cycle of every sync configuration of the
// repository against the snapshots (keyed by tenant name) and returns what
// each would do (DESIGN §4). It is pure and deterministic and does not
// modify its inputs.
func Run(repo *tenants.Repo, snaps map[string]*Snapshot, opts Options) *Result {
	return Prepare(snaps).Run(repo, opts)
}

// Run is simulate.Run on the prepared snapshots.
func (p *Prepared) Run(repo *tenants.Repo, opts Options) *Result {
	r := p.runner(repo, opts)
	configs := repo.SyncConfigs()
	// Build the snapshots' indexes first, in parallel, rather than one by
	// one behind the first configuration that needs each.
	var builds []func()
	for name, x := range r.idx {
		builds = append(builds, x.target)
		source := false
		for _, sc := range configs {
			source = source || sc.Source == name
		}
		if source {
			builds = append(builds, x.source, x.groupIndex)
		}
	}
	parallel(len(builds), func(i int) { builds[i]() })
	// Decide which users get a row first, then write every configuration's
	// rows straight into its place in Result.Users.
	plans := make([]*cfgPlan, len(configs))
	parallel(len(configs), func(i int) { plans[i] = r.prepare(configs[i]) })
	order := make([]int, len(plans))
	n := 0
	for i, p := range plans {
		order[i] = i
		n += p.n
	}
	// Rows: by target, source, configuration; each configuration's rows are
	// in user order.
	sort.SliceStable(order, func(a, b int) bool {
		x, y := &plans[order[a]].out.res, &plans[order[b]].out.res
		if x.Target != y.Target {
			return x.Target < y.Target
		}
		if x.Source != y.Source {
			return x.Source < y.Source
		}
		return x.Name < y.Name
	})
	users := make([]UserResult, n)
	regions := make([][]UserResult, len(plans))
	at := 0
	for _, i := range order {
		regions[i] = users[at : at+plans[i].n : at+plans[i].n]
		at += plans[i].n
	}
	// The largest configurations first, so that two workers end together.
	byCost := make([]int, len(plans))
	for i := range byCost {
		byCost[i] = i
	}
	sort.SliceStable(byCost, func(a, b int) bool { return plans[byCost[a]].n > plans[byCost[b]].n })
	parallel(len(plans), func(k int) { i := byCost[k]; plans[i].fill(regions[i]) })
	outs := make([]configOut, len(plans))
	for i, p := range plans {
		outs[i] = p.out
	}
	return r.assemble(outs, users)
}

// parallel calls f(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// runner holds what the configurations of one run share.
type runner struct {
	repo *tenants.Repo
	opts Options
	idx  map[string]*snapIndex
	// assumptions
	guestsSkipped, endsWithCase, regexUnanchored, restore, quarantineCreates bool
}

func newRunner(repo *tenants.Repo, snaps map[string]*Snapshot, opts Options) *runner {
	return Prepare(snaps).runner(repo, opts)
}

func (p *Prepared) runner(repo *tenants.Repo, opts Options) *runner {
	r := &runner{repo: repo, opts: opts, idx: p.idx}
	r.guestsSkipped = assumption(repo, opts, assumeInternalGuestsSkipped)
	r.endsWithCase = assumption(repo, opts, assumeEndsWithCase)
	r.regexUnanchored = !assumption(repo, opts, assumeRegexWholeValue)
	r.restore = assumption(repo, opts, assumeRestore)
	r.quarantineCreates = assumption(repo, opts, assumeQuarantineCreates)
	return r
}

// configOut is one configuration's part of the result.
type configOut struct {
	res  ConfigResult
	rows []UserResult
	// added and removed count the creates + restores and the deletes.
	added, removed int
}

// assemble counts; users holds the rows of every configuration, already in
// order.
func (r *runner) assemble(outs []configOut, users []UserResult) *Result {
	res := &Result{FormatVersion: ResultFormatVersion, Configs: []ConfigResult{}, Users: users, Tenants: []TenantResult{}}
	added, removed := map[string]int{}, map[string]int{}
	for i := range outs {
		res.Configs = append(res.Configs, outs[i].res)
		added[outs[i].res.Target] += outs[i].added
		removed[outs[i].res.Target] += outs[i].removed
	}
	names := make([]string, 0, len(r.idx))
	for name := range r.idx {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		x := r.idx[name]
		x.target()
		res.Tenants = append(res.Tenants, TenantResult{
			Name: name, B2BUsers: x.b2b + added[name] - removed[name],
			Added: added[name], Removed: removed[name],
		})
	}
	return res
}

// blockers returns the configuration's blockers, in DESIGN §4's order.
func (r *runner) blockers(sc *tenants.SyncConfig) []Blocker {
	bs := []Blocker{}
	src := r.repo.Tenant(sc.Source)
	tgt := r.repo.Tenant(sc.Target)
	file, line := sc.Pos.File, sc.Pos.Line
	add := func(code, msg string) {
		bs = append(bs, Blocker{Code: code, Message: msg, File: file, Line: line})
	}
	if tgt == nil {
		add(BlockerUnknownTarget, fmt.Sprintf("target %q is not a tenant of this repository", sc.Target))
	}
	sx := r.idx[sc.Source]
	if sx == nil {
		add(BlockerMissingSnapshot, fmt.Sprintf("no snapshot of the source tenant %s", sc.Source))
	}
	if r.idx[sc.Target] == nil {
		add(BlockerMissingSnapshot, fmt.Sprintf("no snapshot of the target tenant %s", sc.Target))
	}
	if sx != nil {
		refPos := func(field string) (string, int) {
			if src != nil {
				p := src.PathPos("sync." + sc.Name + ".scope." + field)
				if p.File != "" {
					return p.File, p.Line
				}
			}
			return file, line
		}
		for _, ref := range sc.Scope.Groups {
			n := len(sx.resolveGroup(ref))
			f, l := refPos("groups")
			if n == 0 {
				bs = append(bs, Blocker{Code: BlockerUnresolvedScopeRef, Message: fmt.Sprintf("scope group %q matches no group of %s", ref, sc.Source), File: f, Line: l})
			} else if n > 1 {
				bs = append(bs, Blocker{Code: BlockerAmbiguousScopeRef, Message: fmt.Sprintf("scope group %q matches %d groups of %s: name it by object id", ref, n, sc.Source), File: f, Line: l})
			}
		}
		for _, ref := range sc.Scope.Users {
			n := len(sx.resolveUser(ref))
			f, l := refPos("users")
			if n == 0 {
				bs = append(bs, Blocker{Code: BlockerUnresolvedScopeRef, Message: fmt.Sprintf("scope user %q matches no user of %s", ref, sc.Source), File: f, Line: l})
			} else if n > 1 {
				bs = append(bs, Blocker{Code: BlockerAmbiguousScopeRef, Message: fmt.Sprintf("scope user %q matches %d users of %s: name it by object id", ref, n, sc.Source), File: f, Line: l})
			}
		}
	}
	if tgt != nil {
		var in *tenants.Inbound
		if p := tgt.Partner(sc.Source); p != nil {
			in = p.Inbound
		}
		if in == nil || !in.UserSync {
			add(BlockerInboundSyncNotAllwd, fmt.Sprintf("%s does not allow user sync from %s (partners.%s.inbound.userSync)", sc.Target, sc.Source, sc.Source))
		}
		var out *tenants.Outbound
		if src != nil {
			if p := src.Partner(sc.Target); p != nil {
				out = p.Outbound
			}
		}
		var off []string
		if out == nil || !out.AutoRedeem {
			off = append(off, fmt.Sprintf("%s's outbound autoRedeem towards %s", sc.Source, sc.Target))
		}
		if in == nil || !in.AutoRedeem {
			off = append(off, fmt.Sprintf("%s's inbound autoRedeem from %s", sc.Target, sc.Source))
		}
		if len(off) > 0 {
			add(BlockerAutoRedeemNotEnabled, "automatic redemption is off: "+strings.Join(off, " and "))
		}
	}
	return bs
}
