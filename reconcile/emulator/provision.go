package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xtsync/xtsync/tenants"
	"github.com/xtsync/xtsync/tenants/expr"
)

// CycleResult is what one provisioning cycle of one job did.
type CycleResult struct {
	Tenant   string `json:"tenant"`   // source tenant id
	Config   string `json:"config"`   // the service principal's displayName
	JobID    string `json:"jobId"`    //
	Target   string `json:"target"`   // target tenant id ("" when the secrets name none)
	State    string `json:"state"`    // Active or Quarantine
	Error    string `json:"error"`    // why the job is in quarantine
	Created  int    `json:"created"`  //
	Updated  int    `json:"updated"`  // includes restores and disables
	Deleted  int    `json:"deleted"`  // soft deletes
	Staged   int    `json:"staged"`   // deletes held back by the deletion threshold
	Skipped  int    `json:"skipped"`  // in scope but not created (disabled, create not allowed)
	Failed   int    `json:"failed"`   // e.g. a target user with the same mail exists
	Examined int    `json:"examined"` // source users looked at
}

// RunCycles runs one full provisioning cycle of every started job
// (schedule.state Active) of every tenant, in tenant and service principal
// order, and returns what each did. It reads the job's configuration the
// way the provisioning service does: target from the CompanyId secret,
// scope from SyncAll and appRoleAssignedTo (direct group members only),
// scoping filters and attribute mappings from the schema, the deletion
// threshold from SyncNotificationSettings; links between source and target
// users from the job's provisioning log. docs/emulator.md lists what it
// models.
func (s *Server) RunCycles() []CycleResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CycleResult
	changed := false
	for _, src := range s.st.Tenants {
		for _, sp := range src.ServicePrincipals {
			for _, job := range sp.Jobs {
				if str(lookupPath(job.Props, []string{"schedule", "state"})) != "Active" {
					continue
				}
				out = append(out, s.cycle(src, sp, job, ""))
				changed = true
			}
		}
	}
	if changed {
		s.saveLocked()
	}
	return out
}

// trustProblem says why the target does not accept sync from the source
// ("" when it does): what test connection and every cycle check.
func trustProblem(src, tgt *tenantData) string {
	out := src.partner(tgt.ID)
	if out == nil || !boolAt(out, "automaticUserConsentSettings", "outboundAllowed") {
		return "The source tenant has not enabled automatic user consent (outbound) for the target tenant " + tgt.ID + "."
	}
	in := tgt.partner(src.ID)
	sync := tgt.IdentitySync[src.ID]
	if in == nil || sync == nil || !boolAt(sync, "userSyncInbound", "isSyncAllowed") {
		return "The target tenant " + tgt.ID + " has not enabled inbound synchronization for the source tenant " + src.ID + "."
	}
	if !boolAt(in, "automaticUserConsentSettings", "inboundAllowed") {
		return "The target tenant " + tgt.ID + " has not enabled automatic user consent (inbound) for the source tenant " + src.ID + "."
	}
	return ""
}

// secret returns a synchronization secret's value.
func (sp *servicePrincipal) secret(key string) string {
	for _, kv := range sp.Secrets {
		if strings.EqualFold(str(kv["key"]), key) {
			return str(kv["value"])
		}
	}
	return ""
}

// mapping is one attribute mapping of the user object mapping.
type mapping struct {
	target  string // provisioning name
	onceAdd bool   // ObjectAddOnly: written on create only
	e       *expr.Expr
}

// clause is one scoping filter clause.
type clause struct {
	attr, op string
	values   []string
	re       *regexp.Regexp // REGEX MATCH, NOT REGEX MATCH
}

// userMapping is what a cycle reads of the schema.
type userMapping struct {
	add, update, delete bool
	filters             [][]clause // OR of AND
	mappings            []mapping
	problems            []string // mappings the emulator could not parse
}

func readUserMapping(schema map[string]any) (*userMapping, error) {
	rules, _ := schema["synchronizationRules"].([]any)
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		oms, _ := rm["objectMappings"].([]any)
		for _, o := range oms {
			om, _ := o.(map[string]any)
			if !strings.EqualFold(str(om["sourceObjectName"]), "User") {
				continue
			}
			if enabled, _ := om["enabled"].(bool); !enabled {
				continue
			}
			um := &userMapping{}
			for _, f := range strings.Split(str(om["flowTypes"]), ",") {
				switch strings.TrimSpace(f) {
				case "Add":
					um.add = true
				case "Update":
					um.update = true
				case "Delete":
					um.delete = true
				}
			}
			groups, _ := lookupPath(om, []string{"scope", "groups"}).([]any)
			for _, g := range groups {
				var group []clause
				cls, _ := g.(map[string]any)["clauses"].([]any)
				for _, c := range cls {
					cm, _ := c.(map[string]any)
					cl := clause{attr: str(cm["sourceOperandName"]), op: strings.ToUpper(str(cm["operatorName"]))}
					vals, _ := lookupPath(cm, []string{"targetOperand", "values"}).([]any)
					for _, v := range vals {
						cl.values = append(cl.values, fmt.Sprint(v))
					}
					if strings.Contains(cl.op, "REGEX") && len(cl.values) > 0 {
						cl.re, _ = regexp.Compile(cl.values[0]) // nil (never matches) when RE2 cannot compile it
					}
					group = append(group, cl)
				}
				um.filters = append(um.filters, group)
			}
			ams, _ := om["attributeMappings"].([]any)
			for _, a := range ams {
				am, _ := a.(map[string]any)
				target := str(am["targetAttributeName"])
				switch target {
				case "alternativeSecurityIds", "IsSoftDeleted", "":
					continue // the engine's own
				}
				text := str(lookupPath(am, []string{"source", "expression"}))
				if text == "" {
					switch str(lookupPath(am, []string{"source", "type"})) {
					case "Constant":
						text = expr.Quote(str(lookupPath(am, []string{"source", "name"})))
					default:
						text = "[" + str(lookupPath(am, []string{"source", "name"})) + "]"
					}
				}
				e, err := expr.Parse(text)
				if err != nil {
					um.problems = append(um.problems, target+": "+err.Error())
					continue
				}
				um.mappings = append(um.mappings, mapping{target: target, onceAdd: str(am["flowType"]) == "ObjectAddOnly", e: e})
			}
			return um, nil
		}
	}
	return nil, fmt.Errorf("the schema has no enabled user object mapping")
}

// attr reads a user attribute by its provisioning name, as expr wants it.
func attr(props map[string]any, name string) any {
	g := tenants.GraphName(name)
	_, v := propFold(props, g)
	if name == "telephoneNumber" {
		if l, isList := v.([]any); isList {
			if len(l) == 0 {
				return nil
			}
			v = l[0]
		}
	}
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any:
		return nil
	}
	return v
}

// graphValue turns a mapped value into the target property (name, value).
func graphValue(target string, v any) (string, any) {
	g := tenants.GraphName(target)
	switch target {
	case "telephoneNumber":
		return g, []any{fmt.Sprint(v)}
	case "accountEnabled", "showInAddressList":
		if s, isStr := v.(string); isStr {
			b, err := strconv.ParseBool(s)
			if err == nil {
				return g, b
			}
		}
	}
	if n, isInt := v.(int64); isInt {
		return g, float64(n)
	}
	return g, v
}

// clauseHolds evaluates a scoping clause (DESIGN §4's operators).
func clauseHolds(props map[string]any, c clause) bool {
	v := attr(props, c.attr)
	var s string
	present := false
	switch x := v.(type) {
	case nil:
	case bool:
		s, present = map[bool]string{true: "True", false: "False"}[x], true
	case []any:
		present = false
	default:
		s = fmt.Sprint(x)
		present = s != ""
	}
	val := ""
	if len(c.values) > 0 {
		val = c.values[0]
	}
	switch c.op {
	case "IS NULL":
		return !present
	case "IS NOT NULL":
		return present
	}
	if !present {
		return false
	}
	switch c.op {
	case "EQUALS":
		return s == val
	case "NOT EQUALS":
		return s != val
	case "INCLUDES":
		return strings.Contains(s, val)
	case "ENDS_WITH":
		return strings.HasSuffix(s, val)
	case "REGEX MATCH", "NOT REGEX MATCH":
		if c.re == nil {
			return false
		}
		return c.re.MatchString(s) == (c.op == "REGEX MATCH")
	case "IS TRUE":
		return s == "True"
	case "IS FALSE":
		return s == "False"
	case "GREATER_THAN", "GREATER_THAN_OR_EQUALS":
		a, err1 := strconv.ParseInt(s, 10, 64)
		b, err2 := strconv.ParseInt(val, 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return a > b || (c.op == "GREATER_THAN_OR_EQUALS" && a == b)
	}
	return false
}

func (um *userMapping) inScope(props map[string]any) bool {
	if len(um.filters) == 0 {
		return true
	}
	for _, group := range um.filters {
		all := true
		for _, c := range group {
			if !clauseHolds(props, c) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// link is what the job's log says about one source user.
type link struct {
	target  string
	deleted bool // the last entry was a delete by the sync
}

// jobLinks reads the job's successful log entries in order.
func jobLinks(src *tenantData, jobID string) map[string]*link {
	links := map[string]*link{}
	for _, e := range src.Logs {
		if str(e["jobId"]) != jobID || str(lookupPath(e, []string{"provisioningStatusInfo", "status"})) != "success" {
			continue
		}
		sid := str(lookupPath(e, []string{"sourceIdentity", "id"}))
		tid := str(lookupPath(e, []string{"targetIdentity", "id"}))
		if sid == "" || tid == "" {
			continue
		}
		switch str(e["provisioningAction"]) {
		case "create", "update", "disable":
			links[sid] = &link{target: tid}
		case "delete":
			links[sid] = &link{target: tid, deleted: true}
		}
	}
	return links
}

// cycle runs one full cycle of a job; s.mu is held.
// With only set (provision on demand), it processes that one source user
// and leaves the job's status and the deletion threshold alone.
func (s *Server) cycle(src *tenantData, sp *servicePrincipal, job *syncJob, only string) CycleResult {
	res := CycleResult{Tenant: src.ID, Config: str(sp.Props["displayName"]), JobID: job.id(), Target: strings.ToLower(sp.secret("CompanyId")), State: "Active"}
	src.touch() // job status and logs change
	status := job.Props["status"].(map[string]any)
	if only != "" {
		status = map[string]any{}
	}
	began := now()
	quarantine := func(code, msg string) CycleResult {
		res.State, res.Error = "Quarantine", msg
		status["code"] = "Quarantine"
		status["quarantine"] = map[string]any{"currentBegan": began, "reason": "EncounteredQuarantineException",
			"error": map[string]any{"code": code, "message": msg, "tenantActionable": true}}
		return res
	}
	tgt := s.st.tenant(res.Target)
	if tgt == nil {
		return quarantine("AzureActiveDirectoryInvalidCredentials", "The CompanyId secret does not name a tenant the emulator holds.")
	}
	tgt.touch()
	if p := trustProblem(src, tgt); p != "" {
		return quarantine("AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure", p)
	}
	um, err := readUserMapping(job.Schema)
	if err != nil {
		return quarantine("SchemaInvalid", err.Error())
	}
	syncAll := strings.EqualFold(sp.secret("SyncAll"), "true")
	threshold := 500
	if settings := sp.secret("SyncNotificationSettings"); settings != "" {
		var n struct {
			DeleteThresholdEnabled *bool `json:"DeleteThresholdEnabled"`
			DeleteThresholdValue   *int  `json:"DeleteThresholdValue"`
		}
		if json.Unmarshal([]byte(settings), &n) == nil {
			if n.DeleteThresholdValue != nil {
				threshold = *n.DeleteThresholdValue
			}
			if n.DeleteThresholdEnabled != nil && !*n.DeleteThresholdEnabled {
				threshold = 0
			}
		}
	}
	assigned := assignedUsers(src, sp)
	links := jobLinks(src, job.id())
	domain := initialDomain(tgt)

	type pending struct {
		srcID, tgtID, name string
	}
	var deletes []pending
	logEntry := func(action, srcID, srcName, tgtID, tgtName string, modified []any, failure string) {
		e := provisioningEntry(s.st, src, tgt, sp, job, action, srcID, srcName, tgtID, tgtName, src.nextLogTime())
		if modified != nil {
			e["modifiedProperties"] = modified
		}
		status := "success"
		if failure != "" {
			status = "failure"
			e["provisioningStatusInfo"] = map[string]any{"status": "failure", "errorInformation": map[string]any{"errorCode": "AzureActiveDirectoryConflictEncountered",
				"reason": failure, "additionalDetails": nil, "errorCategory": "nonServiceFailure", "recommendedAction": nil}}
		}
		e["provisioningSteps"] = []any{
			map[string]any{"name": "EntryImport", "provisioningStepType": "import", "status": "success", "details": map[string]any{},
				"description": "Retrieved User '" + srcID + "' from Azure Active Directory"},
			map[string]any{"name": "EntryExport", "provisioningStepType": "export", "status": status, "details": map[string]any{},
				"description": "User '" + srcID + "': " + action + " in Azure Active Directory (target tenant)"},
		}
		src.Logs = append(src.Logs, e)
	}
	env := &expr.Env{}
	// mapped evaluates the mappings; failure names the first that fails
	// (the user then fails: how-provisioning-works, "Errors and retries").
	var failure string
	mapped := func(props map[string]any, create bool) map[string]any {
		failure = ""
		env.Attr = func(name string) any {
			if name == "manager" {
				return nil // a reference: handled below
			}
			return attr(props, name)
		}
		out := map[string]any{}
		for _, m := range um.mappings {
			if m.onceAdd && !create {
				continue
			}
			switch m.target {
			case "userPrincipalName":
				continue
			case "manager":
				continue // a reference: the pass after the objects
			}
			v, err := m.e.EvalEnv(env)
			if err != nil {
				if failure == "" {
					failure = "The expression of " + m.target + " failed: " + err.Error()
				}
				continue
			}
			if v == nil {
				continue // null values never flow
			}
			k, gv := graphValue(m.target, v)
			out[k] = gv
		}
		return out
	}

	managerMapped := false
	for _, m := range um.mappings {
		managerMapped = managerMapped || m.target == "manager"
	}
	var provisioned [][2]*dirObject // in scope: source user, target user
	createdNow := map[string]bool{}
	for _, u := range src.Users {
		id := str(u.Props["id"])
		if only != "" && id != only {
			continue
		}
		l := links[id]
		var tu *dirObject
		if l != nil {
			tu = tgt.users[l.target]
			if tu != nil && tu.Removed {
				tu = nil
			}
		}
		if !liveObject(u) {
			if tu != nil && !tu.SoftDeleted && um.delete {
				deletes = append(deletes, pending{id, l.target, str(tu.Props["displayName"])})
			}
			continue
		}
		altIDs, _ := u.Props["alternativeSecurityIds"].([]any)
		eligible := str(u.Props["userType"]) == "Member" && len(altIDs) == 0
		in := eligible && (syncAll || assigned[id]) && um.inScope(u.Props)
		if !in {
			if tu != nil && !tu.SoftDeleted && um.delete {
				deletes = append(deletes, pending{id, l.target, str(tu.Props["displayName"])})
			}
			continue
		}
		res.Examined++
		enabled, _ := u.Props["accountEnabled"].(bool)
		if tu != nil {
			if tu.SoftDeleted {
				if !l.deleted {
					continue // deleted by a target admin: the sync leaves it
				}
				tgt.restoreUser(l.target)
				l.deleted = false
				res.Updated++
				logEntry("update", id, str(u.Props["displayName"]), l.target, str(tu.Props["displayName"]), []any{map[string]any{"displayName": "IsSoftDeleted", "oldValue": "True", "newValue": "False"}}, "")
			}
			want := mapped(u.Props, false)
			if failure != "" {
				res.Failed++
				logEntry("update", id, str(u.Props["displayName"]), l.target, str(tu.Props["displayName"]), nil, failure)
				provisioned = append(provisioned, [2]*dirObject{u, tu})
				continue
			}
			var modified []any
			changes := map[string]any{}
			for _, k := range sortedKeys(want) {
				if old := tu.Props[k]; !jsonEqual(old, want[k]) {
					changes[k] = want[k]
					modified = append(modified, map[string]any{"displayName": k, "oldValue": fmt.Sprint(old), "newValue": fmt.Sprint(want[k])})
				}
			}
			if len(changes) > 0 && um.update {
				v := tgt.bump()
				tu.setProps(changes, v)
				res.Updated++
				logEntry("update", id, str(u.Props["displayName"]), l.target, str(tu.Props["displayName"]), modified, "")
			}
			provisioned = append(provisioned, [2]*dirObject{u, tu})
			continue
		}
		if !enabled {
			res.Skipped++
			continue
		}
		// Matching: a B2B user of the same source user already in the target.
		if match := matchSource(tgt, src.ID+"/"+id); match != nil {
			mid := str(match.Props["id"])
			other, osp, ojob := managedElsewhere(src, job.id(), mid)
			if match.SoftDeleted || other != "" && inScopeOf(src, osp, ojob, u) {
				res.Failed++
				logEntry("create", id, str(u.Props["displayName"]), mid, str(match.Props["displayName"]), nil,
					"The target user "+mid+" of this source user is managed by another configuration ("+other+") or deleted.")
				continue
			}
			// An unmanaged B2B user (invited by hand) is adopted; one the
			// other configuration no longer has in scope is transferred
			// (the guest <-> member switch): now linked here.
			changes := mapped(u.Props, false)
			if failure != "" {
				res.Failed++
				logEntry("update", id, str(u.Props["displayName"]), mid, str(match.Props["displayName"]), nil, failure)
				continue
			}
			if um.update {
				match.setProps(changes, tgt.bump())
			}
			links[id] = &link{target: mid}
			res.Updated++
			logEntry("update", id, str(u.Props["displayName"]), mid, str(match.Props["displayName"]), nil, "")
			provisioned = append(provisioned, [2]*dirObject{u, match})
			continue
		}
		if !um.add {
			res.Skipped++
			continue
		}
		props := mapped(u.Props, true)
		if failure != "" {
			res.Failed++
			logEntry("create", id, str(u.Props["displayName"]), "", "", nil, failure)
			continue
		}
		if mail := str(props["mail"]); mail != "" {
			if other := mailOwner(tgt, mail); other != "" {
				res.Failed++
				logEntry("create", id, str(u.Props["displayName"]), other, "", nil, "A user with the same mail exists in the target tenant and is not managed by this configuration.")
				continue
			}
		}
		tid := s.st.newID("user")
		props["id"] = tid
		props["userPrincipalName"] = strings.Replace(str(u.Props["userPrincipalName"]), "@", "_", 1) + "#EXT#@" + domain
		if _, has := props["userType"]; !has {
			props["userType"] = "Member"
		}
		props["externalUserState"] = "Accepted"
		props["alternativeSecurityIds"] = []any{map[string]any{"type": 1.0, "identityProvider": "ExternalAzureAD", "key": id}}
		if err := tgt.addUser(props); err != nil {
			res.Failed++
			continue
		}
		tgt.users[tid].SourceKey = src.ID + "/" + id
		links[id] = &link{target: tid}
		res.Created++
		logEntry("create", id, str(u.Props["displayName"]), tid, str(props["displayName"]), nil, "")
		provisioned = append(provisioned, [2]*dirObject{u, tgt.users[tid]})
		createdNow[tid] = true
	}
	// References, once every object exists: the manager is the target user
	// linked to the source user's manager (null when there is none).
	for _, p := range provisioned {
		if !managerMapped {
			break
		}
		if !um.update && !createdNow[str(p[1].Props["id"])] {
			continue
		}
		var want any
		if l := links[str(p[0].Props["manager"])]; l != nil && !l.deleted {
			want = l.target
		}
		if old := p[1].Props["manager"]; !jsonEqual(old, want) && (want != nil || old != nil) {
			p[1].setProps(map[string]any{"manager": want}, tgt.bump())
			logEntry("update", str(p[0].Props["id"]), str(p[0].Props["displayName"]), str(p[1].Props["id"]), str(p[1].Props["displayName"]),
				[]any{map[string]any{"displayName": "manager", "oldValue": fmt.Sprint(old), "newValue": fmt.Sprint(want)}}, "")
		}
	}
	switch {
	case only != "":
		threshold = 0
	case job.ForceDeletes:
		threshold, job.ForceDeletes = 0, false
	}
	if threshold > 0 && len(deletes) > threshold {
		res.Staged = len(deletes)
		for _, d := range deletes {
			logEntry("stageddelete", d.srcID, "", d.tgtID, d.name, nil, "")
		}
		quarantine("AzureActiveDirectoryDeletionThresholdExceeded", fmt.Sprintf("%d deletions exceed the threshold of %d.", len(deletes), threshold))
	} else {
		for _, d := range deletes {
			if tgt.deleteUser(d.tgtID, false) == nil {
				res.Deleted++
				logEntry("delete", d.srcID, "", d.tgtID, d.name, nil, "")
			}
		}
	}
	if res.State == "Active" {
		status["code"] = "Active"
		status["quarantine"] = nil
		status["lastSuccessfulExecution"] = map[string]any{"timeBegan": began, "timeEnded": now(), "state": "Succeeded", "countExported": res.Created + res.Updated + res.Deleted}
		if status["steadyStateFirstAchievedTime"] == "0001-01-01T00:00:00Z" {
			status["steadyStateFirstAchievedTime"] = now()
		}
		status["steadyStateLastAchievedTime"] = now()
	}
	status["lastExecution"] = map[string]any{"timeBegan": began, "timeEnded": now(), "state": map[bool]string{true: "Succeeded", false: "Failed"}[res.State == "Active"],
		"countEntitled": res.Examined, "countExported": res.Created + res.Updated + res.Deleted}
	return res
}

// logTimeFormat has a fixed width, so log times sort as text.
const logTimeFormat = "2006-01-02T15:04:05.000Z"

// nextLogTime is the activityDateTime of the tenant's next log entry: now,
// but always after the previous entry, so entries sort in the order they
// happened even within one millisecond.
func (t *tenantData) nextLogTime() string {
	ts := time.Now().UTC().Truncate(time.Millisecond)
	if n := len(t.Logs); n > 0 {
		if last, err := time.Parse(time.RFC3339Nano, str(t.Logs[n-1]["activityDateTime"])); err == nil && !ts.After(last) {
			ts = last.Add(time.Millisecond)
		}
	}
	return ts.Format(logTimeFormat)
}

// matchSource returns the target user (live or soft-deleted) that
// represents the source user key, or nil.
func matchSource(t *tenantData, key string) *dirObject {
	var soft *dirObject
	for _, u := range t.Users {
		if u.Removed || u.SourceKey != key {
			continue
		}
		if !u.SoftDeleted {
			return u
		}
		soft = u
	}
	return soft
}

// managedElsewhere returns the name, service principal and job of another
// configuration of src whose job links to the target user, "" when none.
func managedElsewhere(src *tenantData, jobID, targetUser string) (string, *servicePrincipal, *syncJob) {
	for _, sp := range src.ServicePrincipals {
		for _, j := range sp.Jobs {
			if j.id() == jobID {
				continue
			}
			for _, l := range jobLinks(src, j.id()) {
				if l.target == targetUser && !l.deleted {
					return str(sp.Props["displayName"]), sp, j
				}
			}
		}
	}
	return "", nil, nil
}

// assignedUsers is the ids of the principals assigned to a configuration
// and of the direct members of its assigned groups.
func assignedUsers(src *tenantData, sp *servicePrincipal) map[string]bool {
	assigned := map[string]bool{}
	for _, a := range sp.Assignments {
		id := str(a["principalId"])
		assigned[id] = true
		if g := src.liveGroup(id); g != nil {
			for _, m := range g.Members { // direct members only
				assigned[m] = true
			}
		}
	}
	return assigned
}

// inScopeOf reports whether a configuration has the source user in scope,
// whatever its job's status: eligible, assigned (or SyncAll) and passing
// its scoping filters. A schema it cannot read keeps the user.
func inScopeOf(src *tenantData, sp *servicePrincipal, job *syncJob, u *dirObject) bool {
	um, err := readUserMapping(job.Schema)
	if err != nil {
		return true
	}
	altIDs, _ := u.Props["alternativeSecurityIds"].([]any)
	if str(u.Props["userType"]) != "Member" || len(altIDs) > 0 {
		return false
	}
	if !strings.EqualFold(sp.secret("SyncAll"), "true") && !assignedUsers(src, sp)[str(u.Props["id"])] {
		return false
	}
	return um.inScope(u.Props)
}

// mailOwner returns a live, unmanaged target user with this mail (or smtp
// proxy address), "" when none.
func mailOwner(t *tenantData, mail string) string {
	for _, u := range t.Users {
		if !liveObject(u) {
			continue
		}
		if _, external := u.Props["externalUserState"]; external {
			continue
		}
		if strings.EqualFold(str(u.Props["mail"]), mail) {
			return str(u.Props["id"])
		}
		if pa, isList := u.Props["proxyAddresses"].([]any); isList {
			for _, p := range pa {
				if strings.EqualFold(str(p), "smtp:"+mail) {
					return str(u.Props["id"])
				}
			}
		}
	}
	return ""
}

// initialDomain is the tenant's *.onmicrosoft.com domain, else its first.
func initialDomain(t *tenantData) string {
	for _, d := range t.VerifiedDomains {
		if strings.HasSuffix(strings.ToLower(d), ".onmicrosoft.com") && !strings.HasSuffix(strings.ToLower(d), ".mail.onmicrosoft.com") {
			return d
		}
	}
	if len(t.VerifiedDomains) > 0 {
		return t.VerifiedDomains[0]
	}
	return strings.ReplaceAll(t.ID, "-", "") + ".onmicrosoft.com"
}
