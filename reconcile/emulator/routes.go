package emulator

import "strings"

// Least application permissions (ReadWrite implies Read).
const (
	permUserRead    = "User.Read.All"
	permUserWrite   = "User.ReadWrite.All"
	permGroupRead   = "Group.Read.All"
	permMemberRead  = "GroupMember.Read.All"
	permGroupWrite  = "Group.ReadWrite.All"
	permPolicyRead  = "Policy.Read.All"
	permPolicyXTA   = "Policy.ReadWrite.CrossTenantAccess"
	permAppRead     = "Application.Read.All"
	permAppWrite    = "Application.ReadWrite.All"
	permSyncRead    = "Synchronization.Read.All"
	permSyncWrite   = "Synchronization.ReadWrite.All"
	permAssignWrite = "AppRoleAssignment.ReadWrite.All"
	permAuditRead   = "AuditLog.Read.All"
)

func perms(p ...string) []string { return p }

// buildRoutes is the table of every endpoint the emulator serves (paths
// under /v1.0).
func (s *Server) buildRoutes() []route {
	r := func(spec string, ps []string, h func(*call) resp) route {
		method, path, _ := strings.Cut(spec, " ")
		return route{method: method, segs: splitPath(path), perms: ps, h: h}
	}
	// rb is r for a route whose request body is of the graphTypes entry
	// body: a body Graph would refuse is refused before the handler runs.
	rb := func(spec, body string, ps []string, h func(*call) resp) route {
		if graphTypes[body] == nil {
			panic("emulator: route " + spec + " names no body type " + body)
		}
		rt := r(spec, ps, h)
		rt.h = func(c *call) resp {
			if e := validateBody(graphTypes, body, c.body); e != nil {
				return *e
			}
			return h(c)
		}
		return rt
	}
	const partner = "policies/crossTenantAccessPolicy/partners"
	const sp = "servicePrincipals/{sp}"
	const job = sp + "/synchronization/jobs/{job}"
	routes := []route{
		r("GET users", perms(permUserRead), (*call).listUsers),
		r("POST users", perms(permUserWrite), (*call).createUser),
		r("GET users/delta", perms(permUserRead), func(c *call) resp { return c.delta("users") }),
		r("GET users/{id}", perms(permUserRead), (*call).getUser),
		r("PATCH users/{id}", perms(permUserWrite), (*call).patchUser),
		r("DELETE users/{id}", perms(permUserWrite), (*call).deleteUserReq),
		r("GET users/{id}/manager", perms(permUserRead), (*call).getManager),
		r("GET directory/deletedItems/microsoft.graph.user", perms(permUserRead), (*call).listDeletedUsers),
		r("GET directory/deletedItems/graph.user", perms(permUserRead), (*call).listDeletedUsers),
		r("GET groups", perms(permGroupRead, permMemberRead), (*call).listGroups),
		r("GET groups/delta", perms(permGroupRead, permMemberRead), func(c *call) resp { return c.delta("groups") }),
		r("GET groups/{id}", perms(permGroupRead, permMemberRead), (*call).getGroup),
		r("GET groups/{id}/members", perms(permMemberRead, permGroupRead), (*call).listMembers),
		rb("POST groups/{id}/members/$ref", "referenceCreate", perms(permGroupWrite), (*call).addMemberRef),
		r("DELETE groups/{id}/members/{member}/$ref", perms(permGroupWrite), (*call).removeMemberRef),
	}
	sync := perms(permSyncWrite, "Application.ReadWrite.OwnedBy")
	syncRead := perms(permSyncRead, "Application.ReadWrite.OwnedBy")
	apps := perms(permAppWrite)
	appsRead := perms(permAppRead, "Application.ReadWrite.OwnedBy")
	routes = append(routes,
		r("GET organization", perms("Organization.Read.All", permUserRead), (*call).getOrganization),
		r("GET "+partner, perms(permPolicyRead, permPolicyXTA), (*call).listPartners),
		rb("POST "+partner, "crossTenantAccessPolicyConfigurationPartner", perms(permPolicyXTA), (*call).createPartner),
		r("GET "+partner+"/{tid}", perms(permPolicyRead, permPolicyXTA), (*call).getPartner),
		rb("PATCH "+partner+"/{tid}", "crossTenantAccessPolicyConfigurationPartner", perms(permPolicyXTA), (*call).patchPartner),
		r("DELETE "+partner+"/{tid}", perms(permPolicyXTA), (*call).deletePartner),
		rb("PUT "+partner+"/{tid}/identitySynchronization", "crossTenantIdentitySyncPolicyPartner", perms(permPolicyXTA), (*call).putIdentitySync),
		r("GET "+partner+"/{tid}/identitySynchronization", perms(permPolicyRead, permPolicyXTA), (*call).getIdentitySync),
		rb("PATCH "+partner+"/{tid}/identitySynchronization", "crossTenantIdentitySyncPolicyPartner", perms(permPolicyXTA), (*call).patchIdentitySync),
		r("DELETE "+partner+"/{tid}/identitySynchronization", perms(permPolicyXTA), (*call).deleteIdentitySync),
		rb("POST applicationTemplates/{tpl}/instantiate", "instantiate", apps, (*call).instantiate),
		r("GET applications", appsRead, (*call).listApps),
		r("GET applications/{app}", appsRead, (*call).getApp),
		rb("PATCH applications/{app}", "application", apps, (*call).patchApp),
		r("DELETE applications/{app}", apps, (*call).deleteApp),
		r("GET servicePrincipals", appsRead, (*call).listSPs),
		r("GET "+sp, appsRead, (*call).getSP),
		rb("PATCH "+sp, "servicePrincipal", apps, (*call).patchSP),
		r("DELETE "+sp, apps, (*call).deleteSP),
		r("GET "+sp+"/appRoleAssignedTo", perms(permAppRead, permAssignWrite), (*call).listAssignments),
		rb("POST "+sp+"/appRoleAssignedTo", "appRoleAssignment", perms(permAssignWrite), (*call).createAssignment),
		r("DELETE "+sp+"/appRoleAssignedTo/{id}", perms(permAssignWrite), (*call).deleteAssignment),
		r("GET "+sp+"/synchronization/secrets", syncRead, (*call).getSecrets),
		rb("PUT "+sp+"/synchronization/secrets", "synchronizationSecrets", sync, (*call).putSecrets),
		r("GET "+sp+"/synchronization/jobs", syncRead, (*call).listJobs),
		rb("POST "+sp+"/synchronization/jobs", "synchronizationJob", sync, (*call).createJob),
		rb("POST "+sp+"/synchronization/jobs/validateCredentials", "validateCredentials", sync, (*call).validateCredentials),
		r("GET "+job, syncRead, (*call).getJob),
		r("DELETE "+job, sync, (*call).deleteJob),
		r("POST "+job+"/start", sync, (*call).startJob),
		r("POST "+job+"/pause", sync, (*call).pauseJob),
		rb("POST "+job+"/restart", "restart", sync, (*call).restartJob),
		rb("POST "+job+"/provisionOnDemand", "provisionOnDemand", sync, (*call).provisionOnDemand),
		r("GET "+job+"/schema", syncRead, (*call).getSchema),
		rb("PUT "+job+"/schema", "synchronizationSchema", sync, (*call).putSchema),
		rb("POST "+job+"/schema/parseExpression", "parseExpression", sync, (*call).parseExpression),
		r("GET "+sp+"/synchronization/templates", syncRead, (*call).listTemplates),
		r("GET auditLogs/provisioning", perms(permAuditRead), (*call).listProvisioningLogs),
	)
	batch := rb("POST $batch", "batch", nil, (*call).batch)
	batch.unlocked = true
	return append(routes, batch)
}
