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
		r("POST groups/{id}/members/$ref", perms(permGroupWrite), (*call).addMemberRef),
		r("DELETE groups/{id}/members/{member}/$ref", perms(permGroupWrite), (*call).removeMemberRef),
	}
	sync := perms(permSyncWrite, "Application.ReadWrite.OwnedBy")
	syncRead := perms(permSyncRead, "Application.ReadWrite.OwnedBy")
	apps := perms(permAppWrite)
	appsRead := perms(permAppRead, "Application.ReadWrite.OwnedBy")
	routes = append(routes,
		r("GET organization", perms("Organization.Read.All", permUserRead), (*call).getOrganization),
		r("GET "+partner, perms(permPolicyRead, permPolicyXTA), (*call).listPartners),
		r("POST "+partner, perms(permPolicyXTA), (*call).createPartner),
		r("GET "+partner+"/{tid}", perms(permPolicyRead, permPolicyXTA), (*call).getPartner),
		r("PATCH "+partner+"/{tid}", perms(permPolicyXTA), (*call).patchPartner),
		r("DELETE "+partner+"/{tid}", perms(permPolicyXTA), (*call).deletePartner),
		r("PUT "+partner+"/{tid}/identitySynchronization", perms(permPolicyXTA), (*call).putIdentitySync),
		r("GET "+partner+"/{tid}/identitySynchronization", perms(permPolicyRead, permPolicyXTA), (*call).getIdentitySync),
		r("PATCH "+partner+"/{tid}/identitySynchronization", perms(permPolicyXTA), (*call).patchIdentitySync),
		r("DELETE "+partner+"/{tid}/identitySynchronization", perms(permPolicyXTA), (*call).deleteIdentitySync),
		r("POST applicationTemplates/{tpl}/instantiate", apps, (*call).instantiate),
		r("GET applications", appsRead, (*call).listApps),
		r("GET applications/{app}", appsRead, (*call).getApp),
		r("PATCH applications/{app}", apps, (*call).patchApp),
		r("DELETE applications/{app}", apps, (*call).deleteApp),
		r("GET servicePrincipals", appsRead, (*call).listSPs),
		r("GET "+sp, appsRead, (*call).getSP),
		r("PATCH "+sp, apps, (*call).patchSP),
		r("DELETE "+sp, apps, (*call).deleteSP),
		r("GET "+sp+"/appRoleAssignedTo", perms(permAppRead, permAssignWrite), (*call).listAssignments),
		r("POST "+sp+"/appRoleAssignedTo", perms(permAssignWrite), (*call).createAssignment),
		r("DELETE "+sp+"/appRoleAssignedTo/{id}", perms(permAssignWrite), (*call).deleteAssignment),
		r("GET "+sp+"/synchronization/secrets", syncRead, (*call).getSecrets),
		r("PUT "+sp+"/synchronization/secrets", sync, (*call).putSecrets),
		r("GET "+sp+"/synchronization/jobs", syncRead, (*call).listJobs),
		r("POST "+sp+"/synchronization/jobs", sync, (*call).createJob),
		r("POST "+sp+"/synchronization/jobs/validateCredentials", sync, (*call).validateCredentials),
		r("GET "+job, syncRead, (*call).getJob),
		r("DELETE "+job, sync, (*call).deleteJob),
		r("POST "+job+"/start", sync, (*call).startJob),
		r("POST "+job+"/pause", sync, (*call).pauseJob),
		r("POST "+job+"/restart", sync, (*call).restartJob),
		r("POST "+job+"/provisionOnDemand", sync, (*call).provisionOnDemand),
		r("GET "+job+"/schema", syncRead, (*call).getSchema),
		r("PUT "+job+"/schema", sync, (*call).putSchema),
		r("POST "+job+"/schema/parseExpression", sync, (*call).parseExpression),
		r("GET "+sp+"/synchronization/templates", syncRead, (*call).listTemplates),
		r("GET auditLogs/provisioning", perms(permAuditRead), (*call).listProvisioningLogs),
	)
	batch := r("POST $batch", nil, (*call).batch)
	batch.unlocked = true
	return append(routes, batch)
}
