package emulator

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// newJob is a synchronization job as Graph creates it: paused, scheduled
// every 40 minutes, schedule disabled.
func newJob(st *state, templateID string) *syncJob {
	id := st.newID("job")
	return &syncJob{
		Props: map[string]any{
			"id":         templateID + "." + strings.ReplaceAll(st.newID("jobkey"), "-", "") + "." + id,
			"templateId": templateID,
			"schedule":   map[string]any{"expiration": nil, "interval": "PT40M", "state": "Disabled"},
			"status": map[string]any{
				"code":                               "Paused",
				"countSuccessiveCompleteFailures":    0,
				"escrowsPruned":                      false,
				"lastExecution":                      nil,
				"lastSuccessfulExecution":            nil,
				"lastSuccessfulExecutionWithExports": nil,
				"progress":                           []any{},
				"quarantine":                         nil,
				"steadyStateFirstAchievedTime":       "0001-01-01T00:00:00Z",
				"steadyStateLastAchievedTime":        "0001-01-01T00:00:00Z",
				"synchronizedEntryCountByType":       []any{},
				"troubleshootingUrl":                 nil,
			},
			"synchronizationJobSettings": []any{
				map[string]any{"name": "AzureIngestionAttributeOptimization", "value": "False"},
				map[string]any{"name": "LookaheadQueryEnabled", "value": "False"},
			},
		},
		Schema: defaultSchema(),
	}
}

func (j *syncJob) id() string { return str(j.Props["id"]) }

// job returns the job of the path.
func (c *call) job() (*servicePrincipal, *syncJob, *resp) {
	sp := c.sp()
	if sp == nil {
		r := notFound(c.p["sp"])
		return nil, nil, &r
	}
	for _, j := range sp.Jobs {
		if j.id() == c.p["job"] {
			return sp, j, nil
		}
	}
	r := gerr(http.StatusNotFound, "Request_ResourceNotFound", "The synchronization job '%s' was not found.", c.p["job"])
	return nil, nil, &r
}

func (c *call) jobsContext(sp *servicePrincipal) string {
	return c.contextURL("servicePrincipals('" + sp.id() + "')/synchronization/jobs")
}

// GET servicePrincipals/{sp}/synchronization/jobs
func (c *call) listJobs() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	items := []map[string]any{}
	for _, j := range sp.Jobs {
		items = append(items, clone(j.Props))
	}
	return c.list(strings.TrimPrefix(c.jobsContext(sp), c.base+"/$metadata#"), items)
}

// POST servicePrincipals/{sp}/synchronization/jobs {"templateId":"Azure2Azure"}
func (c *call) createJob() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	if tpl := str(body["templateId"]); tpl != "Azure2Azure" {
		return badRequest("The synchronization template '%s' does not exist for this application (the emulator has Azure2Azure).", tpl)
	}
	j := newJob(c.s.st, "Azure2Azure")
	sp.Jobs = append(sp.Jobs, j)
	c.mutated = true
	out := clone(j.Props)
	out["@odata.context"] = c.jobsContext(sp) + "/$entity"
	return created(out)
}

// GET .../jobs/{job}
func (c *call) getJob() resp {
	sp, j, r := c.job()
	if r != nil {
		return *r
	}
	out := clone(j.Props)
	out["@odata.context"] = c.jobsContext(sp) + "/$entity"
	return ok(out)
}

// DELETE .../jobs/{job}
func (c *call) deleteJob() resp {
	sp, j, r := c.job()
	if r != nil {
		return *r
	}
	var keep []*syncJob
	for _, x := range sp.Jobs {
		if x != j {
			keep = append(keep, x)
		}
	}
	sp.Jobs = keep
	c.mutated = true
	return noContent()
}

// setJobState sets schedule.state and status.code.
func setJobState(j *syncJob, schedule, code string) {
	j.Props["schedule"].(map[string]any)["state"] = schedule
	j.Props["status"].(map[string]any)["code"] = code
}

// POST .../jobs/{job}/start
func (c *call) startJob() resp {
	_, j, r := c.job()
	if r != nil {
		return *r
	}
	setJobState(j, "Active", "Active")
	j.Props["status"].(map[string]any)["quarantine"] = nil
	c.mutated = true
	return noContent()
}

// POST .../jobs/{job}/pause
func (c *call) pauseJob() resp {
	_, j, r := c.job()
	if r != nil {
		return *r
	}
	setJobState(j, "Paused", "Paused")
	c.mutated = true
	return noContent()
}

// POST .../jobs/{job}/restart {"criteria":{"resetScope":"…"}}
func (c *call) restartJob() resp {
	_, j, r := c.job()
	if r != nil {
		return *r
	}
	var body struct {
		Criteria *struct {
			ResetScope string `json:"resetScope"`
		} `json:"criteria"`
	}
	if len(strings.TrimSpace(string(c.body))) > 0 {
		if err := json.Unmarshal(c.body, &body); err != nil {
			return badRequest("Unable to read JSON request payload: %v", err)
		}
	}
	if body.Criteria != nil && body.Criteria.ResetScope != "" {
		valid := map[string]bool{"none": true, "connectordatastore": true, "escrows": true, "watermark": true, "quarantinestate": true, "full": true, "forcedeletes": true}
		for _, s := range strings.Split(body.Criteria.ResetScope, ",") {
			scope := strings.ToLower(strings.TrimSpace(s))
			if !valid[scope] {
				return badRequest("Invalid resetScope value '%s'.", strings.TrimSpace(s))
			}
			if scope == "forcedeletes" {
				j.ForceDeletes = true
			}
		}
	}
	st := j.Props["status"].(map[string]any)
	st["quarantine"] = nil
	if st["code"] == "Quarantine" {
		st["code"] = "Active"
	}
	c.mutated = true
	return noContent()
}

// POST .../jobs/validateCredentials: 204 when the target tenant (CompanyId)
// allows inbound user sync from the caller's tenant and automatic
// redemption is on on both sides; else 400 with Entra's error text.
func (c *call) validateCredentials() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	var body struct {
		UseSavedCredentials bool   `json:"useSavedCredentials"`
		TemplateID          string `json:"templateId"`
		Credentials         []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return badRequest("Unable to read JSON request payload: %v", err)
	}
	target := ""
	for _, kv := range body.Credentials {
		if strings.EqualFold(kv.Key, "CompanyId") {
			target = kv.Value
		}
	}
	if body.UseSavedCredentials || target == "" {
		for _, kv := range sp.Secrets {
			if strings.EqualFold(str(kv["key"]), "CompanyId") {
				target = str(kv["value"])
			}
		}
	}
	if !isGUID(target) {
		return badRequest("The credentials are missing the CompanyId (the target tenant id).")
	}
	msg := "The target tenant " + target + " is not known (it has no cross-tenant access settings for the source tenant)."
	if tgt := c.s.st.tenant(target); tgt != nil {
		msg = trustProblem(c.t, tgt)
	}
	if msg != "" {
		return gerr(http.StatusBadRequest, "AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure", "%s", msg)
	}
	return noContent()
}

// boolAt reads a nested boolean; anything else is false.
func boolAt(m map[string]any, path ...string) bool {
	b, _ := lookupPath(m, path).(bool)
	return b
}

// GET .../jobs/{job}/schema
func (c *call) getSchema() resp {
	sp, j, r := c.job()
	if r != nil {
		return *r
	}
	out := clone(j.Schema)
	out["@odata.context"] = c.jobsContext(sp) + "('" + j.id() + "')/schema/$entity"
	return ok(out)
}

// PUT .../jobs/{job}/schema: replaces the whole schema (and, as in Entra,
// restarts the job: a full cycle next). The body has the shape of
// synchronizationSchema (graphTypes); checkSchema refuses a partial schema
// and names the directories do not define.
func (c *call) putSchema() resp {
	_, j, r := c.job()
	if r != nil {
		return *r
	}
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	if e := checkSchema(body, j.Schema); e != nil {
		return badRequest("%s", e.msg)
	}
	delete(body, "@odata.context")
	if _, has := body["id"]; !has {
		body["id"] = j.id()
	}
	j.Schema = body
	c.mutated = true
	return noContent()
}

// POST .../jobs/{job}/provisionOnDemand: runs the provisioning of one
// source user now (the job need not be started), as a cycle would, and
// answers with Graph's stringKeyStringValuePair whose value is the result
// as JSON.
func (c *call) provisionOnDemand() resp {
	sp, j, r := c.job()
	if r != nil {
		return *r
	}
	var body struct {
		Parameters []struct {
			RuleID   string `json:"ruleId"`
			Subjects []struct {
				ObjectID       string `json:"objectId"`
				ObjectTypeName string `json:"objectTypeName"`
			} `json:"subjects"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil || len(body.Parameters) != 1 || len(body.Parameters[0].Subjects) != 1 {
		return badRequest("provisionOnDemand takes one parameter with one subject.")
	}
	subj := body.Parameters[0].Subjects[0]
	if !strings.EqualFold(subj.ObjectTypeName, "User") {
		return badRequest("On-demand provisioning of '%s' objects is not supported for cross-tenant synchronization.", subj.ObjectTypeName)
	}
	u := c.t.liveUser(subj.ObjectID)
	if u == nil {
		return notFound(subj.ObjectID)
	}
	res := c.s.cycle(c.t, sp, j, subj.ObjectID, nil)
	c.mutated = true
	action, status, reason := "Skip", "Skipped", "RedundantExport"
	switch {
	case res.State != "Active":
		action, status, reason = "Other", "Failure", res.Error
	case res.Failed > 0:
		action, status, reason = "Create", "Failure", "a conflicting user exists in the target tenant (see the provisioning logs)"
	case res.Created > 0:
		action, status, reason = "Create", "Success", ""
	case res.Deleted > 0:
		action, status, reason = "Delete", "Success", ""
	case res.Updated > 0:
		action, status, reason = "Update", "Success", ""
	case res.Examined == 0:
		reason = "NotEffectivelyEntitled"
	}
	details := map[string]any{
		"action": action, "status": status, "reason": reason, "jobId": j.id(),
		"sourceIdentity": map[string]any{"id": subj.ObjectID, "displayName": str(u.Props["displayName"]), "identityType": "User"},
	}
	b, _ := json.Marshal(details) // a map of strings always marshals
	return ok(map[string]any{
		"@odata.context": c.contextURL("microsoft.graph.stringKeyStringValuePair"),
		"key":            `{"provisioningOnDemand":true}`,
		"value":          string(b),
	})
}

// GET servicePrincipals/{sp}/synchronization/secrets
func (c *call) getSecrets() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	items := []map[string]any{}
	for _, kv := range sp.Secrets {
		items = append(items, clone(kv))
	}
	return ok(map[string]any{"@odata.context": c.contextURL("servicePrincipals('" + sp.id() + "')/synchronization/secrets"), "value": items})
}

// PUT servicePrincipals/{sp}/synchronization/secrets: replaces the set.
func (c *call) putSecrets() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	var body struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil || body.Value == nil {
		return badRequest("The secrets payload must be {\"value\": [{\"key\": …, \"value\": …}]}.")
	}
	for _, kv := range body.Value {
		if str(kv["key"]) == "" {
			return badRequest("Every secret needs a key.")
		}
	}
	sp.Secrets = body.Value
	c.mutated = true
	return noContent()
}

// provisioningEntry is one provisioning log entry (provisioningObjectSummary)
// of a configuration in src provisioning a source user to a target user.
func provisioningEntry(st *state, src, target *tenantData, sp *servicePrincipal, job *syncJob, action, srcUser, srcName, tgtUser, tgtName, when string) map[string]any {
	return map[string]any{
		"id":                     st.newID("log"),
		"activityDateTime":       when,
		"tenantId":               src.ID,
		"jobId":                  job.id(),
		"cycleId":                st.newID("cycle"),
		"changeId":               st.newID("change"),
		"durationInMilliseconds": 1000,
		"provisioningAction":     action,
		"provisioningStatusInfo": map[string]any{"status": "success", "errorInformation": nil},
		"provisioningSteps":      []any{},
		"modifiedProperties":     []any{},
		"initiatedBy":            map[string]any{"id": "", "displayName": "Azure AD Provisioning Service", "initiatorType": "system"},
		"servicePrincipal":       map[string]any{"id": sp.id(), "displayName": str(sp.Props["displayName"])},
		"sourceSystem":           map[string]any{"id": hex.EncodeToString([]byte(src.ID))[:16], "displayName": "Azure Active Directory", "details": map[string]any{}},
		"targetSystem":           map[string]any{"id": hex.EncodeToString([]byte(target.ID))[:16], "displayName": "Azure Active Directory (target tenant)", "details": map[string]any{"tenantId": target.ID}},
		"sourceIdentity":         map[string]any{"id": srcUser, "displayName": srcName, "identityType": "User", "details": map[string]any{"tenantId": src.ID}},
		"targetIdentity":         map[string]any{"id": tgtUser, "displayName": tgtName, "identityType": "User", "details": map[string]any{"tenantId": target.ID}},
	}
}

// GET auditLogs/provisioning ($filter on jobId, servicePrincipal/id,
// provisioningAction, activityDateTime …; newest first, as Graph).
func (c *call) listProvisioningLogs() resp {
	f, r := c.filterParam()
	if r != nil {
		return *r
	}
	items := []map[string]any{}
	for i := len(c.t.Logs) - 1; i >= 0; i-- {
		e := c.t.Logs[i]
		if f == nil || f.eval(e) {
			items = append(items, e)
		}
	}
	return c.list("auditLogs/provisioning", items)
}
