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
	round := newRound()
	for _, src := range s.st.Tenants {
		for _, sp := range src.ServicePrincipals {
			for _, job := range sp.Jobs {
				if str(lookupPath(job.Props, []string{"schedule", "state"})) != "Active" {
					continue
				}
				out = append(out, s.cycle(src, sp, job, "", round))
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

// failure is why a job could not export a user: the errorCode of its
// provisioning log entry (docs/emulator.md lists them) and the reason.
type failure struct{ code, reason string }

// The errorCodes of failed exports. InvitationCreationFailure* are Entra's
// own; the others name what the emulator models.
const (
	errExpression     = "AttributeMappingExpressionFailure"
	errManagedByOther = "AzureActiveDirectoryConflictEncountered"
	errAmbiguousUser  = "InvitationCreationFailureAmbiguousUser"
	errInvalidMail    = "InvitationCreationFailureInvalidPropertyValue"
)

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
						// The pattern matches the whole value, as Microsoft's
						// examples read ("([1-9][0-9]) matches any number
						// between 10 and 99"); nil (never matches) when RE2
						// cannot compile it.
						cl.re, _ = regexp.Compile(`^(?:` + cl.values[0] + `)$`)
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
// round is what the jobs of one round share (nil for one job alone).
func (s *Server) cycle(src *tenantData, sp *servicePrincipal, job *syncJob, only string, round *cycleRound) CycleResult {
	if round == nil {
		round = newRound()
	}
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
	verified := map[string]bool{}
	for _, d := range src.VerifiedDomains {
		verified[strings.ToLower(d)] = true
	}

	logEntry := func(action, srcID, srcName, tgtID, tgtName string, modified []any, fail *failure) {
		e := provisioningEntry(s.st, src, tgt, sp, job, action, srcID, srcName, tgtID, tgtName, src.nextLogTime())
		if modified != nil {
			e["modifiedProperties"] = modified
		}
		status := "success"
		if fail != nil {
			status = "failure"
			e["provisioningStatusInfo"] = map[string]any{"status": "failure", "errorInformation": map[string]any{"errorCode": fail.code,
				"reason": fail.reason, "additionalDetails": nil, "errorCategory": "nonServiceFailure", "recommendedAction": nil}}
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
	upnFlows := false // the userPrincipalName mapping applies on updates
	managerMapped := false
	for _, m := range um.mappings {
		managerMapped = managerMapped || m.target == "manager"
		upnFlows = upnFlows || m.target == "userPrincipalName" && !m.onceAdd
	}
	// mapped evaluates the mappings; exprFailure names the first that
	// fails (the user then fails: how-provisioning-works, "Errors and
	// retries"). The userPrincipalName of a B2B user is the source's with
	// @ as _, #EXT#@ and the target's initial domain, on create and, when
	// its mapping applies always, on update (a source rename follows).
	var exprFailure *failure
	mapped := func(u *dirObject, create bool) map[string]any {
		exprFailure = nil
		props := u.Props
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
				out["userPrincipalName"] = strings.Replace(str(props["userPrincipalName"]), "@", "_", 1) + "#EXT#@" + domain
				continue
			case "manager":
				continue // a reference: the pass after the objects
			}
			v, err := m.e.EvalEnv(env)
			if err != nil {
				if exprFailure == nil {
					exprFailure = &failure{errExpression, "The expression of " + m.target + " failed: " + err.Error()}
				}
				continue
			}
			if v == nil || v == "" {
				continue // null and empty values never flow
			}
			if l, isList := v.([]any); isList && len(l) == 0 {
				continue
			}
			k, gv := graphValue(m.target, v)
			out[k] = gv
		}
		return out
	}
	// diff is what of want differs from the target user's properties.
	diff := func(tu *dirObject, want map[string]any) (map[string]any, []any) {
		changes := map[string]any{}
		var modified []any
		for _, k := range sortedKeys(want) {
			if old := tu.Props[k]; !jsonEqual(old, want[k]) {
				changes[k] = want[k]
				modified = append(modified, map[string]any{"displayName": k, "oldValue": fmt.Sprint(old), "newValue": fmt.Sprint(want[k])})
			}
		}
		return changes, modified
	}

	// removal is a delete or a disable: both count against the deletion
	// threshold ("the same functionality also works for disables").
	type removal struct {
		srcID, tgtID, name string
		disable            map[string]any // the disable's changes; nil for a delete
		modified           []any
	}
	var removals []removal
	remove := func(srcID string, tu *dirObject) {
		removals = append(removals, removal{srcID: srcID, tgtID: str(tu.Props["id"]), name: str(tu.Props["displayName"])})
	}
	// The mails of the live target users this job links (lower-cased):
	// a second in-scope source user with one of them is not created
	// (known issue "Two users in the source tenant matched with the same
	// user in the target tenant": one target user, linked to both).
	jobMails := map[string]bool{}
	for _, l := range links {
		if tu := tgt.users[l.target]; tu != nil && liveObject(tu) && !l.deleted {
			if m := strings.ToLower(str(tu.Props["mail"])); m != "" {
				jobMails[m] = true
			}
		}
	}
	var provisioned [][2]*dirObject // in scope and linked: source user, target user
	inScope := map[string]bool{}    // source users in scope this cycle
	failedNow := map[string]bool{}  // source users whose export failed
	createdNow := map[string]bool{} // target users created this cycle
	updatedNow := map[string]bool{} // target users updated this cycle
	seen := map[string]bool{}
	for _, u := range src.Users {
		id := str(u.Props["id"])
		if only != "" && id != only {
			continue
		}
		if !u.Removed {
			seen[id] = true
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
				remove(id, tu)
			}
			continue
		}
		altIDs, _ := u.Props["alternativeSecurityIds"].([]any)
		eligible := str(u.Props["userType"]) == "Member" && len(altIDs) == 0
		in := eligible && (syncAll || assigned[id]) && um.inScope(u.Props)
		enabled, _ := u.Props["accountEnabled"].(bool)
		if !in {
			if tu != nil && !tu.SoftDeleted && um.delete {
				// A disabled user whose target user is disabled too is
				// left as it is.
				if tEnabled, _ := tu.Props["accountEnabled"].(bool); enabled || tEnabled {
					remove(id, tu)
				}
			}
			continue
		}
		res.Examined++
		inScope[id] = true
		name := str(u.Props["displayName"])
		if tu != nil {
			if tu.SoftDeleted {
				if !l.deleted {
					continue // deleted by a target admin: the sync leaves it
				}
				tgt.restoreUser(l.target)
				l.deleted = false
				res.Updated++
				updatedNow[l.target] = true
				logEntry("update", id, name, l.target, str(tu.Props["displayName"]), []any{map[string]any{"displayName": "IsSoftDeleted", "oldValue": "True", "newValue": "False"}}, nil)
			}
			want := mapped(u, false)
			provisioned = append(provisioned, [2]*dirObject{u, tu})
			if exprFailure != nil {
				res.Failed++
				failedNow[id] = true
				logEntry("update", id, name, l.target, str(tu.Props["displayName"]), nil, exprFailure)
				continue
			}
			if !upnFlows {
				delete(want, "userPrincipalName")
			}
			changes, modified := diff(tu, want)
			// A source user disabled while the target user is enabled is a
			// disable, held back with the deletes by the threshold.
			if wantOn, isBool := want["accountEnabled"].(bool); isBool && !wantOn && tu.Props["accountEnabled"] == true {
				removals = append(removals, removal{srcID: id, tgtID: l.target, name: str(tu.Props["displayName"]), disable: changes, modified: modified})
				continue
			}
			if len(changes) > 0 && um.update {
				tu.setProps(changes, tgt.bump())
				if !updatedNow[l.target] {
					res.Updated++
				}
				updatedNow[l.target] = true
				logEntry("update", id, name, l.target, str(tu.Props["displayName"]), modified, nil)
			}
			continue
		}
		if !enabled {
			res.Skipped++
			continue
		}
		// Matching: a B2B user of the same source user already in the
		// target when the cycle began.
		if match, liveAtStart := matchSource(tgt, src.ID+"/"+id, round); match != nil {
			mid := str(match.Props["id"])
			other, osp, ojob := managedElsewhere(src, job.id(), mid)
			if !liveAtStart || other != "" && inScopeOf(src, osp, ojob, u) {
				res.Failed++
				failedNow[id] = true
				logEntry("create", id, name, mid, str(match.Props["displayName"]), nil,
					&failure{errManagedByOther, "The target user " + mid + " of this source user is managed by another configuration (" + other + ") or deleted."})
				continue
			}
			// An unmanaged B2B user (invited by hand) is adopted; one the
			// other configuration no longer has in scope is transferred
			// (the guest <-> member switch): now linked here.
			want := mapped(u, false)
			if exprFailure != nil {
				res.Failed++
				failedNow[id] = true
				logEntry("update", id, name, mid, str(match.Props["displayName"]), nil, exprFailure)
				continue
			}
			if !upnFlows {
				delete(want, "userPrincipalName")
			}
			changes, modified := diff(match, want)
			match.setProps(changes, tgt.bump())
			links[id] = &link{target: mid}
			res.Updated++
			updatedNow[mid] = true
			logEntry("update", id, name, mid, str(match.Props["displayName"]), modified, nil)
			provisioned = append(provisioned, [2]*dirObject{u, match})
			continue
		}
		if !um.add {
			res.Skipped++
			continue
		}
		mail := str(u.Props["mail"])
		if i := strings.LastIndexByte(mail, '@'); mail != "" && !verified[strings.ToLower(mail[i+1:])] {
			res.Failed++
			failedNow[id] = true
			logEntry("create", id, name, "", "", nil, &failure{errInvalidMail, "The mail " + mail + " is not on a domain the source tenant has verified."})
			continue
		}
		if mail != "" {
			if other := mailOwner(tgt, mail); other != "" {
				res.Failed++
				failedNow[id] = true
				logEntry("create", id, name, other, "", nil, &failure{errAmbiguousUser, "A user with the same mail exists in the target tenant and is not managed by this configuration."})
				continue
			}
		}
		props := mapped(u, true)
		if exprFailure != nil {
			res.Failed++
			failedNow[id] = true
			logEntry("create", id, name, "", "", nil, exprFailure)
			continue
		}
		if mail != "" && jobMails[strings.ToLower(mail)] {
			res.Skipped++ // one target user for the mail already
			continue
		}
		tid := s.st.newID("user")
		props["id"] = tid
		if _, has := props["userPrincipalName"]; !has {
			props["userPrincipalName"] = strings.Replace(str(u.Props["userPrincipalName"]), "@", "_", 1) + "#EXT#@" + domain
		}
		if _, has := props["userType"]; !has {
			props["userType"] = "Member"
		}
		if _, has := props["accountEnabled"]; !has {
			props["accountEnabled"] = true // Graph's default for a new user
		}
		props["externalUserState"] = "Accepted"
		props["alternativeSecurityIds"] = []any{map[string]any{"type": 1.0, "identityProvider": "ExternalAzureAD", "key": id}}
		if err := tgt.addUser(props); err != nil {
			res.Failed++
			failedNow[id] = true
			continue
		}
		tgt.users[tid].SourceKey = src.ID + "/" + id
		links[id] = &link{target: tid}
		if mail != "" {
			jobMails[strings.ToLower(mail)] = true
		}
		res.Created++
		round.created[tid] = true
		logEntry("create", id, name, tid, str(props["displayName"]), nil, nil)
		provisioned = append(provisioned, [2]*dirObject{u, tgt.users[tid]})
		createdNow[tid] = true
	}
	// Linked users whose source user is gone (hard-deleted) are deleted.
	if only == "" && um.delete {
		for _, id := range sortedKeys(links) {
			l := links[id]
			if tu := tgt.users[l.target]; !seen[id] && tu != nil && liveObject(tu) && !l.deleted {
				remove(id, tu)
			}
		}
	}
	// References, once every object exists (how-provisioning-works,
	// initial cycle): the manager is the target user linked to the source
	// user's manager when the manager is in scope of this configuration
	// too ("Both the user and their manager must be in scope"); otherwise
	// nothing flows and the target keeps its manager.
	for _, p := range provisioned {
		if !managerMapped {
			break
		}
		sid, tid := str(p[0].Props["id"]), str(p[1].Props["id"])
		if failedNow[sid] || !um.update && !createdNow[tid] {
			continue
		}
		mgr := str(p[0].Props["manager"])
		l := links[mgr]
		if mgr == "" || !inScope[mgr] || l == nil || l.deleted {
			continue
		}
		if mt := tgt.users[l.target]; mt == nil || !liveObject(mt) {
			continue
		}
		if old := p[1].Props["manager"]; !jsonEqual(old, l.target) {
			p[1].setProps(map[string]any{"manager": l.target}, tgt.bump())
			if !createdNow[tid] && !updatedNow[tid] {
				res.Updated++
			}
			logEntry("update", sid, str(p[0].Props["displayName"]), tid, str(p[1].Props["displayName"]),
				[]any{map[string]any{"displayName": "manager", "oldValue": fmt.Sprint(old), "newValue": l.target}}, nil)
		}
	}
	switch {
	case only != "":
		threshold = 0
	case job.ForceDeletes:
		threshold, job.ForceDeletes = 0, false
	}
	if threshold > 0 && len(removals) > threshold {
		res.Staged = len(removals)
		for _, d := range removals {
			action := "stageddelete"
			if d.disable != nil {
				action = "other" // a staged disable
			}
			logEntry(action, d.srcID, "", d.tgtID, d.name, nil, nil)
		}
		quarantine("AzureActiveDirectoryDeletionThresholdExceeded", fmt.Sprintf("%d deletions exceed the threshold of %d.", len(removals), threshold))
	} else {
		for _, d := range removals {
			if d.disable != nil {
				tgt.users[d.tgtID].setProps(d.disable, tgt.bump())
				res.Updated++
				logEntry("disable", d.srcID, "", d.tgtID, d.name, d.modified, nil)
				continue
			}
			if tgt.deleteUser(d.tgtID, false) == nil {
				res.Deleted++
				round.deleted[d.tgtID] = true
				logEntry("delete", d.srcID, "", d.tgtID, d.name, nil, nil)
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

// cycleRound is what the jobs of one round of cycles share: every job
// reads the directory as it was when the round began, so a target user
// another job created in the round is not there yet for it, and one
// another job soft-deleted is still there (DESIGN §4: every configuration
// is evaluated against the snapshots as they are at the start of the
// cycle; the jobs run independently).
type cycleRound struct {
	created, deleted map[string]bool // target user ids
}

func newRound() *cycleRound {
	return &cycleRound{created: map[string]bool{}, deleted: map[string]bool{}}
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

// matchSource returns the target user that represents the source user
// key as the round began (nil when none), and whether it was live then: a
// live one, else one soft-deleted in this round, else a soft-deleted one.
// A user created in this round did not exist yet.
func matchSource(t *tenantData, key string, round *cycleRound) (*dirObject, bool) {
	var soft *dirObject
	for _, u := range t.Users {
		if u.Removed || u.SourceKey != key || round.created[str(u.Props["id"])] {
			continue
		}
		if !u.SoftDeleted || round.deleted[str(u.Props["id"])] {
			return u, true
		}
		soft = u
	}
	return soft, false
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
// its scoping filters. A schema it cannot read keeps the user, and so does
// a configuration seeded from a snapshot that nobody has assigned
// principals to: its scope is unknown.
func inScopeOf(src *tenantData, sp *servicePrincipal, job *syncJob, u *dirObject) bool {
	um, err := readUserMapping(job.Schema)
	if err != nil || job.Seeded && len(sp.Assignments) == 0 && !strings.EqualFold(sp.secret("SyncAll"), "true") {
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
