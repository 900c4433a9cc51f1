package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/scenario"
	"github.com/xtsync/xtsync/reconcile"
	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// TestEmulatorAgreesWithSimulator runs the simulator's golden scenarios
// (simulate/testdata/scenarios) through the emulator's own provisioning
// engine, which shares no code with the simulator: the scenario's
// snapshots seed the emulator, every configuration of the repository is
// configured through Graph as the reconciler configures it (trust, secrets,
// reconcile.MergeSchema's schema, assignments, start), one cycle runs, and
// the test compares, user by user, what the provisioning logs say each job
// did and what the target directories hold afterwards with what
// simulate.Run predicted. A scenario that sets assumptions away from their
// defaults is skipped: the emulator models Entra, not an assumption.
func TestEmulatorAgreesWithSimulator(t *testing.T) {
	files, _ := filepath.Glob("../../simulate/testdata/scenarios/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			sc := loadAgreeScenario(t, file)
			if len(sc.opts.Assumptions) > 0 {
				t.Skip("the scenario overrides assumptions")
			}
			res := simulate.Run(sc.repo, sc.snaps, sc.opts)
			e := newAgreeEnv(t, sc)
			e.configure(res)
			before := e.logCounts()
			e.s.RunCycles()
			want, got := predictedOutcomes(res), e.outcomes(before)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("what each job did (-simulator +emulator logs):\n%s", diff)
			}
			if diff := cmp.Diff(e.predictedDirectory(res), e.directory()); diff != "" {
				t.Errorf("target users after the cycle (-simulator +emulator):\n%s", diff)
			}
		})
	}
}

type agreeScenario struct {
	repo  *tenants.Repo
	snaps map[string]*simulate.Snapshot
	opts  simulate.Options
}

func loadAgreeScenario(t *testing.T, file string) agreeScenario {
	t.Helper()
	sc, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return agreeScenario{repo: sc.Repo, snaps: sc.Snaps, opts: sc.Opts}
}

// agreeEnv is an emulator seeded with a scenario's snapshots.
type agreeEnv struct {
	*testEnv
	sc agreeScenario
	// tenantID maps a repo tenant name to its id.
	tenantID map[string]string
	ids      idMap
}

// idMap gives the scenario's object ids GUIDs and back.
type idMap struct{ to, back map[string]string }

func guidIDs(snaps map[string]*simulate.Snapshot) idMap {
	var all []string
	for _, s := range snaps {
		for _, u := range s.Users {
			all = append(all, u.ID)
		}
		for _, g := range s.Groups {
			all = append(all, g.ID)
		}
	}
	all = uniq(all)
	m := idMap{to: map[string]string{}, back: map[string]string{}}
	for i, id := range all {
		g := fmt.Sprintf("a9e00000-0000-4000-8000-%012d", i+1)
		m.to[id], m.back[g] = g, id
	}
	return m
}

// snapshot is a copy of s whose every string that is an object id (ids,
// members, source.userId, manager) is its GUID.
func (m idMap) snapshot(t *testing.T, s *simulate.Snapshot) *simulate.Snapshot {
	var b bytes.Buffer
	if err := simulate.WriteSnapshot(&b, s); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			if g, ok := m.to[x]; ok {
				return g
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = walk(x[k])
			}
		}
		return v
	}
	raw, _ := json.Marshal(walk(v))
	out, err := simulate.ReadSnapshot(bytes.NewReader(raw), "seed")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// orig is the scenario's id of a GUID (the GUID itself when it is not one).
func (m idMap) orig(id string) string {
	if o, ok := m.back[id]; ok {
		return o
	}
	return id
}

func newAgreeEnv(t *testing.T, sc agreeScenario) *agreeEnv {
	s, err := New(Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// Graph takes only GUIDs as object ids: every user and group id of the
	// snapshots gets one. A tenant's initial domain is always one of its
	// verified domains.
	ids := guidIDs(sc.snaps)
	seed := map[string]*simulate.Snapshot{}
	for name, snap := range sc.snaps {
		cp := ids.snapshot(t, snap)
		if tn := sc.repo.Tenant(name); tn != nil && tn.InitialDomain != "" {
			cp.VerifiedDomains = append([]string{tn.InitialDomain}, snap.VerifiedDomains...)
		}
		seed[name] = cp
	}
	if err := s.LoadSnapshots(seed); err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &agreeEnv{testEnv: &testEnv{t: t, s: s, base: base}, sc: sc, tenantID: map[string]string{}, ids: ids}
	for _, tn := range sc.repo.Tenants {
		e.tenantID[tn.Name] = strings.ToLower(tn.TenantID)
	}
	return e
}

// configure writes the repository's trust and sync configurations through
// Graph, as the reconciler does, and starts the enabled configurations
// whose scope references resolve (a configuration the simulator blocks on
// them never runs).
func (e *agreeEnv) configure(res *simulate.Result) {
	e.t.Helper()
	for _, tn := range e.sc.repo.Tenants {
		tid := e.tenantID[tn.Name]
		for _, p := range tn.Partners {
			pid := e.tenantID[p.Tenant]
			if pid == "" {
				pid = strings.ToLower(p.Tenant)
			}
			consent := map[string]any{"inboundAllowed": p.Inbound != nil && p.Inbound.AutoRedeem, "outboundAllowed": p.Outbound != nil && p.Outbound.AutoRedeem}
			e.must(201, "POST", tid, partners, map[string]any{"tenantId": pid, "automaticUserConsentSettings": consent})
			if p.Inbound != nil && p.Inbound.UserSync {
				e.must(204, "PUT", tid, partners+"/"+pid+"/identitySynchronization", map[string]any{"userSyncInbound": map[string]any{"isSyncAllowed": true}})
			}
		}
	}
	runs := map[string]bool{}
	for _, c := range res.Configs {
		refs := false
		for _, b := range c.Blockers {
			refs = refs || b.Code == simulate.BlockerUnresolvedScopeRef || b.Code == simulate.BlockerAmbiguousScopeRef || b.Code == simulate.BlockerMissingSnapshot || b.Code == simulate.BlockerUnknownTarget
		}
		runs[c.Source+"/"+c.Name] = !refs
	}
	for _, sc := range e.sc.repo.SyncConfigs() {
		src := e.tenantID[sc.Source]
		var sp map[string]any
		if found := values(e.must(200, "GET", src, "servicePrincipals?$filter=displayName%20eq%20'"+sc.Name+"'", nil)); len(found) > 0 {
			sp = found[0]
		} else {
			sp = e.must(201, "POST", src, "applicationTemplates/"+XTSTemplateID+"/instantiate", map[string]any{"displayName": sc.Name})["servicePrincipal"].(map[string]any)
		}
		spPath := "servicePrincipals/" + sp["id"].(string)
		jobs := values(e.must(200, "GET", src, spPath+"/synchronization/jobs", nil))
		if len(jobs) == 0 {
			jobs = append(jobs, e.must(201, "POST", src, spPath+"/synchronization/jobs", map[string]any{"templateId": "Azure2Azure"}))
		}
		jobPath := spPath + "/synchronization/jobs/" + jobs[0]["id"].(string)
		notify, _ := json.Marshal(map[string]any{"Enabled": false, "DeleteThresholdEnabled": sc.DeletionThreshold > 0, "DeleteThresholdValue": sc.DeletionThreshold})
		e.must(204, "PUT", src, spPath+"/synchronization/secrets", map[string]any{"value": []any{
			map[string]any{"key": "AuthenticationType", "value": "SyncPolicy"},
			map[string]any{"key": "CompanyId", "value": e.tenantID[sc.Target]},
			map[string]any{"key": "SyncAll", "value": strconv.FormatBool(sc.Scope.All)},
			map[string]any{"key": "SyncNotificationSettings", "value": string(notify)},
		}})
		schema := e.must(200, "GET", src, jobPath+"/schema", nil)
		delete(schema, "@odata.context")
		raw, _ := json.Marshal(schema)
		merged, err := reconcile.MergeSchema(raw, sc)
		if err != nil {
			e.t.Fatal(err)
		}
		var put map[string]any
		if err := json.Unmarshal(merged, &put); err != nil {
			e.t.Fatal(err)
		}
		e.must(204, "PUT", src, jobPath+"/schema", put)
		role := sp["appRoles"].([]any)[0].(map[string]any)["id"]
		for _, id := range e.principals(sc) {
			e.must(201, "POST", src, spPath+"/appRoleAssignedTo", map[string]any{"principalId": id, "resourceId": sp["id"], "appRoleId": role})
		}
		if sc.Enabled && runs[sc.Key()] {
			e.must(204, "POST", src, jobPath+"/start", nil)
		}
	}
}

// principals resolves a configuration's scope references in its source
// snapshot: ids exactly, group names and UPNs in any case.
func (e *agreeEnv) principals(sc *tenants.SyncConfig) []string {
	s := e.sc.snaps[sc.Source]
	var out []string
	for _, ref := range sc.Scope.Groups {
		for _, g := range s.Groups {
			if g.ID == ref || strings.EqualFold(g.DisplayName, ref) {
				out = append(out, e.ids.to[g.ID])
			}
		}
	}
	for _, ref := range sc.Scope.Users {
		for _, u := range s.Users {
			if u.ID == ref || strings.EqualFold(u.UserPrincipalName, ref) {
				out = append(out, e.ids.to[u.ID])
			}
		}
	}
	return out
}

// logCounts is the number of provisioning log entries of every tenant.
func (e *agreeEnv) logCounts() map[string]int {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	out := map[string]int{}
	for _, t := range e.s.st.Tenants {
		out[t.ID] = len(t.Logs)
	}
	return out
}

// The outcome classes both sides are reduced to: what a provisioning log
// shows for a user in one cycle.
const (
	outCreate = "create"
	outUpdate = "update" // updates, restores, disables, adoptions, transfers
	outDelete = "delete"
	outStaged = "staged" // a delete or disable the threshold holds back
	outFail   = "fail"
)

// failureReasons maps the errorCode of the emulator's failed log entries
// (docs/emulator.md) to the simulator's reason codes.
var failureReasons = map[string]string{
	errExpression:     simulate.ReasonExpressionError,
	errManagedByOther: simulate.ReasonManagedByOtherConfig,
	errAmbiguousUser:  simulate.ReasonAmbiguousTargetUser,
	errInvalidMail:    simulate.ReasonUnverifiedMailDomain,
}

// predictedOutcomes are the simulator's rows as log outcomes, keyed by
// source/config/source user id; noop and skip rows log nothing.
func predictedOutcomes(res *simulate.Result) map[string]string {
	out := map[string]string{}
	for _, r := range res.Users {
		k := r.Source + "/" + r.Config + "/" + r.SourceUserID
		switch r.Action {
		case simulate.ActionCreate:
			out[k] = outCreate
		case simulate.ActionUpdate, simulate.ActionRestore, simulate.ActionDisable:
			out[k] = outUpdate
		case simulate.ActionDelete:
			out[k] = outDelete
		case simulate.ActionStaged:
			out[k] = outStaged
		case simulate.ActionFail:
			out[k] = outFail + " " + r.Reason
		}
	}
	return out
}

// outcomes reads the entries the cycle added to the provisioning logs,
// keyed like predictedOutcomes; a failure's class carries the reason code
// the simulator would give it.
func (e *agreeEnv) outcomes(before map[string]int) map[string]string {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	name := map[string]string{} // tenant id -> repo name
	for n, id := range e.tenantID {
		name[id] = n
	}
	jobs := map[string]string{} // job id -> configuration name
	for _, t := range e.s.st.Tenants {
		for _, sp := range t.ServicePrincipals {
			for _, j := range sp.Jobs {
				jobs[j.id()] = str(sp.Props["displayName"])
			}
		}
	}
	rank := map[string]int{outUpdate: 1, outStaged: 2, outDelete: 3, outCreate: 4}
	out := map[string]string{}
	for _, t := range e.s.st.Tenants {
		for _, l := range t.Logs[before[t.ID]:] {
			k := name[t.ID] + "/" + jobs[str(l["jobId"])] + "/" + e.ids.orig(str(lookupPath(l, []string{"sourceIdentity", "id"})))
			var class string
			switch str(l["provisioningAction"]) {
			case "create":
				class = outCreate
			case "update", "disable":
				class = outUpdate
			case "delete":
				class = outDelete
			case "stageddelete", "other": // other: a staged disable
				class = outStaged
			}
			if str(lookupPath(l, []string{"provisioningStatusInfo", "status"})) == "failure" {
				code := str(lookupPath(l, []string{"provisioningStatusInfo", "errorInformation", "errorCode"}))
				class = outFail + " " + failureReasons[code]
				if failureReasons[code] == "" {
					class = outFail + " " + code
				}
			}
			if old, seen := out[k]; seen && (strings.HasPrefix(old, outFail) || rank[old] >= rank[class]) {
				continue
			}
			out[k] = class
		}
	}
	return out
}

// predictedDirectory is the B2B users of every target tenant after the
// cycle as the simulator predicts them, keyed by tenant/id (tenant/new:UPN
// for a created user): the target snapshot's users with every row's
// target user applied. A user two rows write (a transfer one
// configuration makes while another soft-deletes) is soft-deleted and has
// the values of the row that writes.
func (e *agreeEnv) predictedDirectory(res *simulate.Result) map[string]map[string]string {
	out := map[string]map[string]string{}
	attrs := e.targetAttributes()
	for name, s := range e.sc.snaps {
		if !e.isTarget(name) {
			continue
		}
		for i := range s.Users {
			u := &s.Users[i]
			if u.Source == nil {
				continue
			}
			out[name+"/"+u.ID] = agreeFields(userProps(u), u.Deleted, attrs[name], func(id string) string { return id })
		}
	}
	// Rows that write win over rows that leave the user as it is; a
	// delete marks the user soft-deleted whatever wrote it.
	mapped := e.mappedAttributes()
	deleted := map[string]bool{}
	for _, writes := range []bool{false, true} {
		for _, r := range res.Users {
			tu := r.TargetUser
			switch r.Action {
			case simulate.ActionCreate, simulate.ActionUpdate, simulate.ActionRestore, simulate.ActionDisable:
				if !writes {
					continue
				}
			default:
				if writes {
					continue
				}
			}
			if tu == nil {
				continue
			}
			k := r.Target + "/" + tu.ID
			if tu.ID == "" {
				k = r.Target + "/new:" + tu.UserPrincipalName
			}
			if r.Action == simulate.ActionDelete {
				deleted[k] = true
				continue
			}
			f := out[k]
			if f == nil {
				f = agreeFields(map[string]any{}, false, attrs[r.Target], nil)
				out[k] = f
			}
			f["userPrincipalName"], f["userType"], f["deleted"] = tu.UserPrincipalName, tu.UserType, strconv.FormatBool(tu.Deleted)
			f["accountEnabled"], f["showInAddressList"] = agreeValue(tu.AccountEnabled), agreeValue(tu.ShowInAddressList)
			for _, a := range mapped[r.Source+"/"+r.Config] {
				v := tu.Attributes[a]
				if s, isUPN := v.(string); isUPN && a == "manager" && strings.Contains(s, "#EXT#") {
					v = "new:" + s // a manager this cycle creates
				}
				f[a] = agreeValue(v)
			}
		}
	}
	for k := range deleted {
		out[k]["deleted"] = "true"
	}
	return out
}

// directory is the emulator's B2B users of every target tenant, keyed and
// valued like predictedDirectory: a user the snapshots hold by id, one the
// cycle created by new:UPN, and a manager reference the same way.
func (e *agreeEnv) directory() map[string]map[string]string {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	seeded := map[string]bool{}
	for name, s := range e.sc.snaps {
		for i := range s.Users {
			seeded[name+"/"+s.Users[i].ID] = true
		}
	}
	attrs := e.targetAttributes()
	out := map[string]map[string]string{}
	for name, id := range e.tenantID {
		if !e.isTarget(name) {
			continue
		}
		t := e.s.st.tenant(id)
		key := func(id string) string {
			if !seeded[name+"/"+e.ids.orig(id)] && t.users[id] != nil {
				return "new:" + str(t.users[id].Props["userPrincipalName"])
			}
			return e.ids.orig(id)
		}
		for _, u := range t.Users {
			if u.Removed || u.SourceKey == "" {
				continue
			}
			out[name+"/"+key(str(u.Props["id"]))] = agreeFields(u.Props, u.SoftDeleted, attrs[name], key)
		}
	}
	return out
}

// agreeFields are what the comparison reads of a user: its UPN, userType,
// accountEnabled, showInAddressList, whether it is soft-deleted, and the
// attributes (provisioning names), the manager reference through ref.
func agreeFields(props map[string]any, deleted bool, attrs []string, ref func(string) string) map[string]string {
	f := map[string]string{"deleted": strconv.FormatBool(deleted), "userPrincipalName": str(props["userPrincipalName"]), "userType": str(props["userType"]),
		"accountEnabled": agreeValue(props["accountEnabled"]), "showInAddressList": agreeValue(props["showInAddressList"])}
	for _, a := range attrs {
		v := attr(props, a)
		if s, isRef := v.(string); isRef && a == "manager" && ref != nil {
			v = ref(s)
		}
		f[a] = agreeValue(v)
	}
	return f
}

// targetAttributes are, per target tenant, the attributes its
// configurations map.
func (e *agreeEnv) targetAttributes() map[string][]string {
	mapped := e.mappedAttributes()
	out := map[string][]string{}
	for _, sc := range e.sc.repo.SyncConfigs() {
		out[sc.Target] = uniq(append(out[sc.Target], mapped[sc.Key()]...))
	}
	return out
}

// mappedAttributes are, per configuration, the target attributes its
// mappings write besides targetFields, sorted.
func (e *agreeEnv) mappedAttributes() map[string][]string {
	out := map[string][]string{}
	for _, sc := range e.sc.repo.SyncConfigs() {
		var as []string
		for _, m := range tenants.EffectiveMappings(sc) {
			switch m.Target {
			case "userPrincipalName", "userType", "accountEnabled", "showInAddressList":
				continue
			}
			as = append(as, m.Target)
		}
		sort.Strings(as)
		out[sc.Key()] = as
	}
	return out
}

func (e *agreeEnv) isTarget(name string) bool {
	for _, sc := range e.sc.repo.SyncConfigs() {
		if sc.Target == name {
			return true
		}
	}
	return false
}

// agreeValue renders a value for comparison: JSON, numbers whole.
func agreeValue(v any) string {
	if v == nil {
		return "null"
	}
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		v = int64(f)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
