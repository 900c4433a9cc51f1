package emulator

// graphTypes are the request bodies the emulator accepts, one entry per
// resource, complex type, enumeration or action parameter set, each as its
// Microsoft Graph v1.0 reference page describes it (pages under
// microsoftgraph/microsoft-graph-docs-contrib). A property missing here is
// refused as Graph refuses it: with 400 and "does not exist on type".
// docs/emulator.md lists the rules with their pages.
var graphTypes = map[string]*bodyType{
	// --- cross-tenant access policy -----------------------------------
	"crossTenantAccessPolicyConfigurationPartner": {
		Page: "api-reference/v1.0/resources/crosstenantaccesspolicyconfigurationpartner.md",
		Props: map[string]string{
			"automaticUserConsentSettings": "inboundOutboundPolicyConfiguration",
			"b2bCollaborationInbound":      "crossTenantAccessPolicyB2BSetting",
			"b2bCollaborationOutbound":     "crossTenantAccessPolicyB2BSetting",
			"b2bDirectConnectInbound":      "crossTenantAccessPolicyB2BSetting",
			"b2bDirectConnectOutbound":     "crossTenantAccessPolicyB2BSetting",
			"inboundTrust":                 "crossTenantAccessPolicyInboundTrust",
			"isInMultiTenantOrganization":  "Boolean",
			"isServiceProvider":            "Boolean",
			"tenantId":                     "String",
		},
		Beta: []string{"tenantRestrictions", "identitySynchronization"},
	},
	"inboundOutboundPolicyConfiguration": {
		Page:  "api-reference/v1.0/resources/inboundoutboundpolicyconfiguration.md",
		Props: map[string]string{"inboundAllowed": "Boolean", "outboundAllowed": "Boolean"},
	},
	"crossTenantAccessPolicyB2BSetting": {
		Page: "api-reference/v1.0/resources/crosstenantaccesspolicyb2bsetting.md",
		Props: map[string]string{
			"applications":   "crossTenantAccessPolicyTargetConfiguration",
			"usersAndGroups": "crossTenantAccessPolicyTargetConfiguration",
		},
	},
	"crossTenantAccessPolicyTargetConfiguration": {
		Page: "api-reference/v1.0/resources/crosstenantaccesspolicytargetconfiguration.md",
		Props: map[string]string{
			"accessType": "crossTenantAccessPolicyTargetConfigurationAccessType",
			"targets":    "Collection(crossTenantAccessPolicyTarget)",
		},
	},
	"crossTenantAccessPolicyTargetConfigurationAccessType": {
		Page: "api-reference/v1.0/resources/crosstenantaccesspolicytargetconfiguration.md",
		Enum: []string{"allowed", "blocked", "unknownFutureValue"},
	},
	"crossTenantAccessPolicyTarget": {
		Page:  "api-reference/v1.0/resources/crosstenantaccesspolicytarget.md",
		Props: map[string]string{"target": "String", "targetType": "crossTenantAccessPolicyTargetType"},
	},
	"crossTenantAccessPolicyTargetType": {
		Page: "api-reference/v1.0/resources/crosstenantaccesspolicytarget.md",
		Enum: []string{"user", "group", "application", "unknownFutureValue"},
	},
	"crossTenantAccessPolicyInboundTrust": {
		Page: "api-reference/v1.0/resources/crosstenantaccesspolicyinboundtrust.md",
		Props: map[string]string{
			"isCompliantDeviceAccepted":           "Boolean",
			"isHybridAzureADJoinedDeviceAccepted": "Boolean",
			"isMfaAccepted":                       "Boolean",
		},
	},
	"crossTenantIdentitySyncPolicyPartner": {
		Page: "api-reference/v1.0/resources/crosstenantidentitysyncpolicypartner.md",
		Props: map[string]string{
			"displayName":     "String",
			"tenantId":        "String",
			"userSyncInbound": "crossTenantUserSyncInbound",
		},
		// groupSyncInbound: the group provisioning preview (Entra doc §6.2
		// T2b); externalCloudAuthorizedApplicationId: cross-cloud (§6.6).
		Beta: []string{"groupSyncInbound", "externalCloudAuthorizedApplicationId"},
	},
	"crossTenantUserSyncInbound": {
		Page:  "api-reference/v1.0/resources/crosstenantusersyncinbound.md",
		Props: map[string]string{"isSyncAllowed": "Boolean"},
	},

	// --- applications and service principals --------------------------
	"instantiate": {
		Page:   "api-reference/v1.0/api/applicationtemplate-instantiate.md",
		Action: true,
		Props:  map[string]string{"displayName": "String", "serviceManagementReference": "String"},
	},
	"servicePrincipal": {
		Page: "api-reference/v1.0/resources/serviceprincipal.md",
		Props: map[string]string{
			"accountEnabled":                         "Boolean",
			"addIns":                                 "Collection(Object)",
			"alternativeNames":                       "Collection(String)",
			"appDescription":                         "String",
			"appDisplayName":                         "String",
			"appId":                                  "String",
			"applicationTemplateId":                  "String",
			"appOwnerOrganizationId":                 "Guid",
			"appRoleAssignmentRequired":              "Boolean",
			"appRoles":                               "Collection(Object)",
			"customSecurityAttributes":               "Object",
			"deletedDateTime":                        "DateTimeOffset",
			"description":                            "String(1024)",
			"disabledByMicrosoftStatus":              "String",
			"displayName":                            "String",
			"homepage":                               "String",
			"id":                                     "String",
			"info":                                   "Object",
			"keyCredentials":                         "Collection(Object)",
			"loginUrl":                               "String",
			"logoutUrl":                              "String",
			"notes":                                  "String(1024)",
			"notificationEmailAddresses":             "Collection(String)",
			"oauth2PermissionScopes":                 "Collection(Object)",
			"passwordCredentials":                    "Collection(Object)",
			"preferredSingleSignOnMode":              "String",
			"preferredTokenSigningKeyThumbprint":     "String",
			"replyUrls":                              "Collection(String)",
			"resourceSpecificApplicationPermissions": "Collection(Object)",
			"samlSingleSignOnSettings":               "Object",
			"servicePrincipalNames":                  "Collection(String)",
			"servicePrincipalType":                   "String",
			"signInAudience":                         "String",
			"tags":                                   "Collection(String)",
			"tokenEncryptionKeyId":                   "Guid",
			"verifiedPublisher":                      "Object",
		},
		Beta: []string{"errorUrl", "publisherName", "samlMetadataUrl", "preferredTokenSigningKeyEndDateTime", "isAuthorizationServiceEnabled"},
	},
	"application": {
		Page: "api-reference/v1.0/resources/application.md",
		Props: map[string]string{
			"addIns":                            "Collection(Object)",
			"api":                               "Object",
			"appId":                             "String",
			"applicationTemplateId":             "String",
			"appRoles":                          "Collection(Object)",
			"authenticationBehaviors":           "Object",
			"certification":                     "Object",
			"createdDateTime":                   "DateTimeOffset",
			"defaultRedirectUri":                "String",
			"deletedDateTime":                   "DateTimeOffset",
			"description":                       "String(1024)",
			"disabledByMicrosoftStatus":         "String",
			"displayName":                       "String",
			"groupMembershipClaims":             "String",
			"id":                                "String",
			"identifierUris":                    "Collection(String)",
			"info":                              "Object",
			"isDeviceOnlyAuthSupported":         "Boolean",
			"isFallbackPublicClient":            "Boolean",
			"keyCredentials":                    "Collection(Object)",
			"logo":                              "String",
			"nativeAuthenticationApisEnabled":   "String",
			"notes":                             "String",
			"oauth2RequirePostResponse":         "Boolean",
			"optionalClaims":                    "Object",
			"parentalControlSettings":           "Object",
			"passwordCredentials":               "Collection(Object)",
			"publicClient":                      "Object",
			"publisherDomain":                   "String",
			"requestSignatureVerification":      "Object",
			"requiredResourceAccess":            "Collection(Object)",
			"samlMetadataUrl":                   "String",
			"serviceManagementReference":        "String",
			"servicePrincipalLockConfiguration": "Object",
			"signInAudience":                    "String",
			"spa":                               "Object",
			"tags":                              "Collection(String)",
			"tokenEncryptionKeyId":              "Guid",
			"uniqueName":                        "String",
			"verifiedPublisher":                 "Object",
			"web":                               "Object",
		},
		Beta: []string{"isDisabled", "onPremisesPublishing", "connectorGroup"},
	},
	"appRoleAssignment": {
		Page: "api-reference/v1.0/resources/approleassignment.md",
		Props: map[string]string{
			"appRoleId":            "Guid",
			"createdDateTime":      "DateTimeOffset",
			"deletedDateTime":      "DateTimeOffset",
			"id":                   "String",
			"principalDisplayName": "String",
			"principalId":          "Guid",
			"principalType":        "String",
			"resourceDisplayName":  "String",
			"resourceId":           "Guid",
		},
	},

	// --- synchronization ----------------------------------------------
	"synchronizationJob": {
		Page: "api-reference/v1.0/resources/synchronization-synchronizationjob.md",
		Props: map[string]string{
			"id":                         "String",
			"schedule":                   "synchronizationSchedule",
			"status":                     "Object",
			"synchronizationJobSettings": "Collection(keyValuePair)",
			"templateId":                 "String",
		},
	},
	"synchronizationSchedule": {
		Page: "api-reference/v1.0/resources/synchronization-synchronizationschedule.md",
		Props: map[string]string{
			"expiration": "DateTimeOffset",
			"interval":   "Duration",
			"state":      "synchronizationScheduleState",
		},
	},
	"synchronizationScheduleState": {
		Page: "api-reference/v1.0/resources/synchronization-synchronizationschedule.md",
		Enum: []string{"Active", "Disabled", "Paused"},
	},
	"keyValuePair": {
		Page:  "api-reference/v1.0/resources/keyvaluepair.md",
		Props: map[string]string{"name": "String", "value": "String"},
	},
	// POST …/synchronization/jobs/validateCredentials (bound to the jobs
	// collection, as the Entra cross-tenant sync Graph guide calls it;
	// the job-bound action takes useSavedCredentials and credentials).
	"validateCredentials": {
		Page:   "api-reference/v1.0/api/synchronization-synchronizationjob-validatecredentials.md",
		Action: true,
		Props: map[string]string{
			"applicationIdentifier": "String",
			"templateId":            "String",
			"useSavedCredentials":   "Boolean",
			"credentials":           "Collection(synchronizationSecretKeyStringValuePair)",
		},
	},
	// PUT servicePrincipals/{id}/synchronization/secrets
	"synchronizationSecrets": {
		Page:  "api-reference/v1.0/api/synchronization-serviceprincipal-put-synchronization.md",
		Props: map[string]string{"value": "Collection(synchronizationSecretKeyStringValuePair)"},
	},
	"synchronizationSecretKeyStringValuePair": {
		Page:  "api-reference/v1.0/resources/synchronization-synchronizationsecretkeystringvaluepair.md",
		Props: map[string]string{"key": "synchronizationSecret", "value": "String"},
	},
	"synchronizationSecret": {
		Page: "api-reference/v1.0/resources/synchronization-synchronizationsecretkeystringvaluepair.md",
		Enum: []string{"None", "UserName", "Password", "SecretToken", "AppKey", "BaseAddress", "ClientIdentifier",
			"ClientSecret", "SingleSignOnType", "Sandbox", "Url", "Domain", "ConsumerKey", "ConsumerSecret", "TokenKey",
			"TokenExpiration", "Oauth2AccessToken", "Oauth2AccessTokenCreationTime", "Oauth2RefreshToken", "SyncAll",
			"InstanceName", "Oauth2ClientId", "Oauth2ClientSecret", "CompanyId", "UpdateKeyOnSoftDelete",
			"SynchronizationSchedule", "SystemOfRecord", "SandboxName", "EnforceDomain", "SyncNotificationSettings",
			"SkipOutOfScopeDeletions", "Oauth2AuthorizationCode", "Oauth2RedirectUri", "ApplicationTemplateIdentifier",
			"Oauth2TokenExchangeUri", "Oauth2AuthorizationUri", "AuthenticationType", "Server",
			"PerformInboundEntitlementGrants", "HardDeletesEnabled", "SyncAgentCompatibilityKey", "SyncAgentADContainer",
			"ValidateDomain", "TestReferences", "ConnectionString"},
	},
	"restart": {
		Page:   "api-reference/v1.0/api/synchronization-synchronizationjob-restart.md",
		Action: true,
		Props:  map[string]string{"criteria": "synchronizationJobRestartCriteria"},
	},
	"synchronizationJobRestartCriteria": {
		Page:  "api-reference/v1.0/resources/synchronization-synchronizationjobrestartcriteria.md",
		Props: map[string]string{"resetScope": "synchronizationJobRestartScope"},
	},
	"synchronizationJobRestartScope": {
		Page:  "api-reference/v1.0/resources/synchronization-synchronizationjobrestartcriteria.md",
		Enum:  []string{"None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"},
		Flags: true,
	},
	"provisionOnDemand": {
		Page:   "api-reference/v1.0/api/synchronization-synchronizationjob-provisionondemand.md",
		Action: true,
		Props:  map[string]string{"parameters": "Collection(synchronizationJobApplicationParameters)"},
	},
	"synchronizationJobApplicationParameters": {
		Page:  "api-reference/v1.0/resources/synchronization-synchronizationjobapplicationparameters.md",
		Props: map[string]string{"ruleId": "String", "subjects": "Collection(synchronizationJobSubject)"},
	},
	"synchronizationJobSubject": {
		Page:  "api-reference/v1.0/resources/synchronization-synchronizationjobsubject.md",
		Props: map[string]string{"links": "Object", "objectId": "String", "objectTypeName": "String"},
	},
	"parseExpression": {
		Page:   "api-reference/v1.0/api/synchronization-synchronizationschema-parseexpression.md",
		Action: true,
		Props: map[string]string{
			"expression":                "String",
			"testInputObject":           "expressionInputObject",
			"targetAttributeDefinition": "attributeDefinition",
		},
	},
	"expressionInputObject": {
		Page:  "api-reference/v1.0/resources/synchronization-expressioninputobject.md",
		Props: map[string]string{"definition": "objectDefinition", "properties": "Collection(stringKeyObjectValuePair)"},
	},
	"stringKeyObjectValuePair": {
		Page:  "api-reference/v1.0/resources/synchronization-stringkeyobjectvaluepair.md",
		Props: map[string]string{"key": "String", "value": "Any"},
	},

	// --- the synchronization schema -------------------------------------
	"synchronizationSchema": {
		Page: "api-reference/v1.0/resources/synchronization-synchronizationschema.md",
		Props: map[string]string{
			"directories":          "Collection(directoryDefinition)",
			"id":                   "String",
			"synchronizationRules": "Collection(synchronizationRule)",
			"version":              "String",
		},
	},
	"directoryDefinition": {
		Page: "api-reference/v1.0/resources/synchronization-directorydefinition.md",
		Props: map[string]string{
			"discoverabilities": "directoryDefinitionDiscoverabilities",
			"discoveryDateTime": "DateTimeOffset",
			"id":                "String",
			"name":              "String",
			"objects":           "Collection(objectDefinition)",
			"readOnly":          "Boolean",
			"version":           "String",
		},
	},
	"directoryDefinitionDiscoverabilities": {
		Page:  "api-reference/v1.0/resources/synchronization-directorydefinition.md",
		Enum:  []string{"None", "AttributeNames", "AttributeDataTypes", "AttributeReadOnly", "ReferenceAttributes", "UnknownFutureValue"},
		Flags: true,
	},
	"objectDefinition": {
		Page: "api-reference/v1.0/resources/synchronization-objectdefinition.md",
		Props: map[string]string{
			"attributes":    "Collection(attributeDefinition)",
			"metadata":      "Collection(objectDefinitionMetadataEntry)",
			"name":          "String",
			"supportedApis": "Collection(String)",
		},
	},
	"objectDefinitionMetadataEntry": {
		Page:  "api-reference/v1.0/resources/synchronization-objectdefinitionmetadataentry.md",
		Props: map[string]string{"key": "objectDefinitionMetadata", "value": "String"},
	},
	"objectDefinitionMetadata": {
		Page: "api-reference/v1.0/resources/synchronization-objectdefinitionmetadataentry.md",
		Enum: []string{"PropertyNameAccountEnabled", "PropertyNameSoftDeleted", "IsSoftDeletionSupported",
			"IsSynchronizeAllSupported", "ConnectorDataStorageRequired", "Extensions", "BaseObjectName", "LinkTypeName"},
	},
	"attributeDefinition": {
		Page: "api-reference/v1.0/resources/synchronization-attributedefinition.md",
		Props: map[string]string{
			"anchor":            "Boolean",
			"caseExact":         "Boolean",
			"defaultValue":      "String",
			"flowNullValues":    "Boolean",
			"metadata":          "Collection(attributeDefinitionMetadataEntry)",
			"multivalued":       "Boolean",
			"mutability":        "mutability",
			"name":              "String",
			"referencedObjects": "Collection(referencedObject)",
			"required":          "Boolean",
			"type":              "attributeType",
		},
		Beta: []string{"apiExpressions"},
	},
	"attributeDefinitionMetadataEntry": {
		Page:  "api-reference/v1.0/resources/synchronization-attributedefinitionmetadataentry.md",
		Props: map[string]string{"key": "attributeDefinitionMetadata", "value": "String"},
	},
	"attributeDefinitionMetadata": {
		Page: "api-reference/v1.0/resources/synchronization-attributedefinitionmetadataentry.md",
		Enum: []string{"BaseAttributeName", "ComplexObjectDefinition", "IsContainer", "IsCustomerDefined",
			"IsDomainQualified", "LinkPropertyNames", "LinkTypeName", "MaximumLength", "ReferencedProperty"},
	},
	"mutability": {
		Page: "api-reference/v1.0/resources/synchronization-attributedefinition.md",
		Enum: []string{"ReadWrite", "ReadOnly", "Immutable", "WriteOnly"},
	},
	"attributeType": {
		Page: "api-reference/v1.0/resources/synchronization-attributedefinition.md",
		Enum: []string{"String", "Integer", "Reference", "Binary", "Boolean", "DateTime"},
	},
	"referencedObject": {
		Page:  "api-reference/v1.0/resources/synchronization-referencedobject.md",
		Props: map[string]string{"referencedObjectName": "String", "referencedProperty": "String"},
	},
	"synchronizationRule": {
		Page: "api-reference/v1.0/resources/synchronization-synchronizationrule.md",
		Props: map[string]string{
			"editable":            "Boolean",
			"id":                  "String",
			"metadata":            "Collection(stringKeyStringValuePair)",
			"name":                "String",
			"objectMappings":      "Collection(objectMapping)",
			"priority":            "Int32",
			"sourceDirectoryName": "String",
			"targetDirectoryName": "String",
		},
		// beta resources/synchronization-containerfilter.md, -groupfilter.md
		Beta: []string{"containerFilter", "groupFilter"},
	},
	"stringKeyStringValuePair": {
		Page:  "api-reference/v1.0/resources/synchronization-stringkeystringvaluepair.md",
		Props: map[string]string{"key": "String", "value": "String"},
	},
	"objectMapping": {
		Page: "api-reference/v1.0/resources/synchronization-objectmapping.md",
		Props: map[string]string{
			"attributeMappings": "Collection(attributeMapping)",
			"enabled":           "Boolean",
			"flowTypes":         "objectFlowTypes",
			"metadata":          "Collection(metadataEntry)",
			"name":              "String",
			"scope":             "filter",
			"sourceObjectName":  "String",
			"targetObjectName":  "String",
		},
	},
	"objectFlowTypes": {
		Page:  "api-reference/v1.0/resources/synchronization-objectmapping.md",
		Enum:  []string{"None", "Add", "Update", "Delete"},
		Flags: true,
	},
	"metadataEntry": {
		Page:  "api-reference/v1.0/resources/synchronization-metadataentry.md",
		Props: map[string]string{"key": "String", "value": "String"},
	},
	"filter": {
		Page: "api-reference/v1.0/resources/synchronization-filter.md",
		Props: map[string]string{
			"categoryFilterGroups": "Collection(filterGroup)",
			"groups":               "Collection(filterGroup)",
			"inputFilterGroups":    "Collection(filterGroup)",
		},
	},
	"filterGroup": {
		Page:  "api-reference/v1.0/resources/synchronization-filtergroup.md",
		Props: map[string]string{"clauses": "Collection(filterClause)", "name": "String"},
	},
	"filterClause": {
		Page: "api-reference/v1.0/resources/synchronization-filterclause.md",
		Props: map[string]string{
			"operatorName":      "String",
			"sourceOperandName": "String",
			"targetOperand":     "filterOperand",
		},
	},
	"filterOperand": {
		Page:  "api-reference/v1.0/resources/synchronization-filteroperand.md",
		Props: map[string]string{"values": "Collection(String)"},
	},
	"attributeMapping": {
		Page: "api-reference/v1.0/resources/synchronization-attributemapping.md",
		Props: map[string]string{
			"defaultValue":            "String",
			"exportMissingReferences": "Boolean",
			"flowBehavior":            "attributeFlowBehavior",
			"flowType":                "attributeFlowType",
			"matchingPriority":        "Int32",
			"source":                  "attributeMappingSource",
			"targetAttributeName":     "String",
		},
	},
	"attributeFlowBehavior": {
		Page: "api-reference/v1.0/resources/synchronization-attributemapping.md",
		Enum: []string{"FlowWhenChanged", "FlowAlways"},
	},
	"attributeFlowType": {
		Page: "api-reference/v1.0/resources/synchronization-attributemapping.md",
		Enum: []string{"Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"},
	},
	"attributeMappingSource": {
		Page: "api-reference/v1.0/resources/synchronization-attributemappingsource.md",
		Props: map[string]string{
			"expression": "String(10000)",
			"name":       "String",
			// "If type isn't Function, this property is null/empty array."
			"parameters": "Collection(stringKeyAttributeMappingSourceValuePair)?",
			"type":       "attributeMappingSourceType",
		},
	},
	"attributeMappingSourceType": {
		Page: "api-reference/v1.0/resources/synchronization-attributemappingsource.md",
		Enum: []string{"Attribute", "Constant", "Function"},
	},
	"stringKeyAttributeMappingSourceValuePair": {
		Page:  "api-reference/v1.0/resources/synchronization-stringkeyattributemappingsourcevaluepair.md",
		Props: map[string]string{"key": "String", "value": "attributeMappingSource"},
	},

	// POST groups/{id}/members/$ref: only the @odata.id annotation.
	"referenceCreate": {
		Page:  "api-reference/v1.0/api/group-post-members.md",
		Props: map[string]string{},
	},

	// --- JSON batching ----------------------------------------------------
	"batch": {
		Page:  "concepts/json-batching.md",
		Props: map[string]string{"requests": "Collection(batchRequest)"},
	},
	"batchRequest": {
		Page: "concepts/json-batching.md",
		Props: map[string]string{
			"id":        "String",
			"method":    "String",
			"url":       "String",
			"headers":   "Object",
			"body":      "Any",
			"dependsOn": "Collection(String)",
		},
	},
}
