package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// newPartner is a partner configuration as Graph v1.0 creates it (the
// properties of crosstenantaccesspolicyconfigurationpartner.md).
func newPartner(tid string) map[string]any {
	return map[string]any{
		"tenantId":                    tid,
		"isServiceProvider":           nil,
		"isInMultiTenantOrganization": false,
		"inboundTrust":                nil,
		"b2bCollaborationOutbound":    nil,
		"b2bCollaborationInbound":     nil,
		"b2bDirectConnectOutbound":    nil,
		"b2bDirectConnectInbound":     nil,
		"automaticUserConsentSettings": map[string]any{
			"inboundAllowed":  nil,
			"outboundAllowed": nil,
		},
	}
}

// partner returns the partner configuration for tid, or nil.
func (t *tenantData) partner(tid string) map[string]any {
	for _, p := range t.Partners {
		if strings.EqualFold(str(p["tenantId"]), tid) {
			return p
		}
	}
	return nil
}

// mergePatch applies a PATCH body: objects merge recursively, anything
// else (null included) replaces.
func mergePatch(dst, patch map[string]any) {
	for k, v := range patch {
		pm, isMap := v.(map[string]any)
		dm, dstMap := dst[k].(map[string]any)
		if isMap && dstMap {
			mergePatch(dm, pm)
			continue
		}
		if isMap {
			v = clone(pm)
		}
		dst[k] = v
	}
}

func (c *call) partnerContext() string {
	return c.contextURL("policies/crossTenantAccessPolicy/partners")
}

// GET policies/crossTenantAccessPolicy/partners
func (c *call) listPartners() resp {
	return c.listObjects("policies/crossTenantAccessPolicy/partners", c.t.Partners)
}

// POST policies/crossTenantAccessPolicy/partners
func (c *call) createPartner() resp {
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	tid := strings.ToLower(str(body["tenantId"]))
	if !isGUID(tid) {
		return badRequest("Invalid value specified for property 'tenantId' of resource 'CrossTenantAccessPolicyConfigurationPartner'.")
	}
	if c.t.partner(tid) != nil {
		return gerr(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property tenantId already exists.")
	}
	p := newPartner(tid)
	delete(body, "tenantId")
	delete(body, "@odata.type")
	mergePatch(p, body)
	c.t.Partners = append(c.t.Partners, p)
	c.mutated = true
	out := clone(p)
	out["@odata.context"] = c.partnerContext() + "/$entity"
	return created(out)
}

// GET policies/crossTenantAccessPolicy/partners/{tid}
func (c *call) getPartner() resp {
	p := c.t.partner(c.p["tid"])
	if p == nil {
		return partnerNotFound(c.p["tid"])
	}
	out := clone(p)
	out["@odata.context"] = c.partnerContext() + "/$entity"
	return ok(out)
}

func partnerNotFound(tid string) resp {
	return gerr(http.StatusNotFound, "Directory_ObjectNotFound", "Unable to read the company information from the directory. (No partner configuration for tenant %s.)", tid)
}

// PATCH policies/crossTenantAccessPolicy/partners/{tid}
func (c *call) patchPartner() resp {
	p := c.t.partner(c.p["tid"])
	if p == nil {
		return partnerNotFound(c.p["tid"])
	}
	var body map[string]any
	if json.Unmarshal(c.body, &body) == nil {
		if tid, has := body["tenantId"]; has && !strings.EqualFold(str(tid), str(p["tenantId"])) {
			return badRequest("The property 'tenantId' cannot be changed.")
		}
	}
	return c.patchObject(p, "tenantId")
}

// DELETE policies/crossTenantAccessPolicy/partners/{tid}. Refused while the
// partner still has an identitySynchronization policy: "you must first
// delete the user synchronization policy before you can delete the
// partner-specific configuration" (crosstenantaccesspolicyconfigurationpartner-delete.md).
func (c *call) deletePartner() resp {
	tid := strings.ToLower(c.p["tid"])
	if c.t.partner(tid) == nil {
		return partnerNotFound(tid)
	}
	if c.t.IdentitySync[tid] != nil {
		return badRequest("The partner-specific configuration for tenant %s includes a user synchronization policy: delete its identitySynchronization first.", tid)
	}
	var keep []map[string]any
	for _, p := range c.t.Partners {
		if !strings.EqualFold(str(p["tenantId"]), tid) {
			keep = append(keep, p)
		}
	}
	c.t.Partners = keep
	c.mutated = true
	return noContent()
}

func (c *call) identitySyncContext() string {
	return c.contextURL("policies/crossTenantAccessPolicy/partners('" + strings.ToLower(c.p["tid"]) + "')/identitySynchronization/$entity")
}

// PUT .../partners/{tid}/identitySynchronization (create)
func (c *call) putIdentitySync() resp {
	tid := strings.ToLower(c.p["tid"])
	if c.t.partner(tid) == nil {
		return partnerNotFound(tid)
	}
	if c.t.IdentitySync[tid] != nil {
		return gerr(http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "A conflicting object with one or more of the specified property values is present in the directory. (The identitySynchronization policy for tenant %s exists: use PATCH.)", tid)
	}
	var body map[string]any
	if r := c.decodeJSON(&body); r != nil {
		return *r
	}
	pol := map[string]any{"tenantId": tid, "displayName": nil, "userSyncInbound": map[string]any{"isSyncAllowed": false}}
	delete(body, "tenantId")
	delete(body, "@odata.type")
	mergePatch(pol, body)
	c.t.IdentitySync[tid] = pol
	c.mutated = true
	return noContent()
}

// GET .../partners/{tid}/identitySynchronization
func (c *call) getIdentitySync() resp {
	tid := strings.ToLower(c.p["tid"])
	pol := c.t.IdentitySync[tid]
	if pol == nil {
		return gerr(http.StatusNotFound, "Directory_ObjectNotFound", "No identitySynchronization policy for tenant %s.", tid)
	}
	out := clone(pol)
	out["@odata.context"] = c.identitySyncContext()
	return ok(out)
}

// PATCH .../partners/{tid}/identitySynchronization
func (c *call) patchIdentitySync() resp {
	tid := strings.ToLower(c.p["tid"])
	pol := c.t.IdentitySync[tid]
	if pol == nil {
		return gerr(http.StatusNotFound, "Directory_ObjectNotFound", "No identitySynchronization policy for tenant %s.", tid)
	}
	return c.patchObject(pol, "tenantId")
}

// DELETE .../partners/{tid}/identitySynchronization
func (c *call) deleteIdentitySync() resp {
	tid := strings.ToLower(c.p["tid"])
	if c.t.IdentitySync[tid] == nil {
		return gerr(http.StatusNotFound, "Directory_ObjectNotFound", "No identitySynchronization policy for tenant %s.", tid)
	}
	delete(c.t.IdentitySync, tid)
	c.mutated = true
	return noContent()
}

// GET organization: the tenant with its verified domains.
func (c *call) getOrganization() resp {
	domains := []map[string]any{}
	for i, d := range c.t.VerifiedDomains {
		domains = append(domains, map[string]any{"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": i == 0, "isInitial": strings.HasSuffix(d, ".onmicrosoft.com"), "name": d, "type": "Managed"})
	}
	org := map[string]any{"id": c.t.ID, "displayName": nonEmpty(c.t.Name, c.t.ID), "verifiedDomains": domains}
	sel := c.selectParam()
	if len(sel) > 0 {
		o := &dirObject{Props: org}
		org = project(o, sel, nil, 0)
	}
	return c.list("organization", []map[string]any{org})
}
