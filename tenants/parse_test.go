package tenants

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const head = "apiVersion: xtsync/v1\nkind: Tenant\nname: src\ntenantId: 44444444-2222-4333-8444-555555555555\n"

// TestParseSync checks defaults and explicit values of sync configurations.
func TestParseSync(t *testing.T) {
	defaults := func(mod func(*SyncConfig)) *SyncConfig {
		sc := &SyncConfig{
			Source: "src", Name: "s", Target: "dst", Enabled: true,
			Scope:    Scope{Groups: []string{}, Users: []string{}, Filters: []Filter{}},
			UserType: "Member", UserTypeFlow: FlowOnCreate, ShowInAddressList: true,
			Mappings: []Mapping{}, Actions: []Action{ActionCreate, ActionUpdate, ActionDelete},
			DeletionThreshold: 500, Acknowledge: []string{},
		}
		if mod != nil {
			mod(sc)
		}
		return sc
	}
	tests := []struct {
		name string
		yaml string
		want *SyncConfig
	}{
		{"minimal takes every default", "sync:\n  - {name: s, target: dst}\n", defaults(nil)},
		{"null values are defaults", "sync:\n  - {name: s, target: dst, enabled: ~, scope: ~, mappings: ~, actions: ~}\n", defaults(nil)},
		{"explicit values", `sync:
  - name: s
    target: dst
    enabled: false
    scope: {all: true, groups: [g1, g2], users: [u@x]}
    userType: Guest
    userTypeFlow: always
    showInAddressList: false
    actions: [update, create]
    deletionThreshold: 0
    acknowledge: [scope-all]
`, defaults(func(sc *SyncConfig) {
			sc.Enabled = false
			sc.Scope = Scope{All: true, Groups: []string{"g1", "g2"}, Users: []string{"u@x"}, Filters: []Filter{}}
			sc.UserType, sc.UserTypeFlow, sc.ShowInAddressList = "Guest", FlowAlways, false
			sc.Actions = []Action{ActionUpdate, ActionCreate}
			sc.DeletionThreshold = 0
			sc.Acknowledge = []string{"scope-all"}
		})},
		{"clause values are their text", `sync:
  - name: s
    target: dst
    scope:
      filters:
        - clauses:
            - {attribute: employeeId, operator: Greater_Than, value: 10}
            - {attribute: isManager, operator: EQUALS, value: true}
            - {attribute: department, operator: IS NOT NULL}
`, defaults(func(sc *SyncConfig) {
			sc.Scope.Filters = []Filter{{Clauses: []Clause{
				{Attribute: "employeeId", Operator: OpGreaterThan, Value: "10"},
				{Attribute: "isManager", Operator: OpEquals, Value: "true"},
				{Attribute: "department", Operator: OpIsNotNull},
			}}}
		})},
		{"mappings sorted by target, flow defaults to always", `sync:
  - name: s
    target: dst
    mappings:
      surname: {remove: true}
      companyName: {constant: 42, flow: onCreate}
      department: {expression: 'Coalesce([department], "none")'}
      mobile: {source: mobilePhone}
`, defaults(func(sc *SyncConfig) {
			sc.Mappings = []Mapping{
				{Target: "companyName", Kind: MappingConstant, Value: "42", Flow: FlowOnCreate},
				{Target: "department", Kind: MappingExpression, Value: `Coalesce([department], "none")`, Flow: FlowAlways},
				{Target: "mobile", Kind: MappingSource, Value: "mobilePhone", Flow: FlowAlways},
				{Target: "surname", Kind: MappingRemove, Flow: FlowAlways},
			}
		})},
		{"target given as a GUID is lower-cased", "sync:\n  - {name: s, target: 55555555-2222-4333-8444-AAAAAAAAAAAA}\n",
			defaults(func(sc *SyncConfig) { sc.Target = "55555555-2222-4333-8444-aaaaaaaaaaaa" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn, ds := ParseTenant("tenants/src.yaml", []byte(head+tt.yaml))
			if len(ds) > 0 {
				t.Fatalf("diagnostics:\n%s", ds)
			}
			if len(tn.Sync) != 1 {
				t.Fatalf("got %d sync configurations", len(tn.Sync))
			}
			if diff := cmp.Diff(tt.want, tn.Sync[0], ignorePos); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePartner(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want *Partner
	}{
		{"by name, nothing allowed", "partners:\n  - tenant: dst\n", &Partner{Tenant: "dst"}},
		{"by GUID, lower-cased", "partners:\n  - tenant: 55555555-2222-4333-8444-AAAAAAAAAAAA\n    outbound: {autoRedeem: true}\n",
			&Partner{Tenant: "55555555-2222-4333-8444-aaaaaaaaaaaa", TenantID: "55555555-2222-4333-8444-aaaaaaaaaaaa", Outbound: &Outbound{AutoRedeem: true}}},
		{"inbound with limits", "partners:\n  - tenant: dst\n    inbound: {userSync: true, limits: {maxUsers: 0}}\n",
			&Partner{Tenant: "dst", Inbound: &Inbound{UserSync: true, Limits: &Limits{MaxUsers: intp(0)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn, ds := ParseTenant("tenants/src.yaml", []byte(head+tt.yaml))
			if len(ds) > 0 {
				t.Fatalf("diagnostics:\n%s", ds)
			}
			if diff := cmp.Diff([]*Partner{tt.want}, tn.Partners, ignorePos); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       Settings
	}{
		{"empty", "", DefaultSettings()},
		{"nulls are defaults", "policies: ~\nsnapshots: ~\nmaxDeleteShare: ~\n", DefaultSettings()},
		{"every key", `policies: [policies, shared/policies]
disabledPolicies: [cross-cloud]
snapshots: .cache/snaps
prune: true
ignorePartners: [AAAAAAAA-2222-4333-8444-555555555555]
verifyCommits: keys/release.asc
assumptions: {regex-whole-value: false}
maxDeleteShare: 0
notifications:
  nearThreshold: 0.5
  webhooks:
    - {kind: teams, urlEnv: XTSYNC_WEBHOOK_OPS, events: [failed, recovered]}
    - {kind: generic, urlEnv: XTSYNC_WEBHOOK_AUDIT}
`, Settings{
			Policies: []string{"policies", "shared/policies"}, DisabledPolicies: []string{"cross-cloud"},
			Snapshots: ".cache/snaps", Prune: true, IgnorePartners: []string{"aaaaaaaa-2222-4333-8444-555555555555"},
			VerifyCommits: "keys/release.asc", Assumptions: map[string]bool{"regex-whole-value": false},
			Notifications: Notifications{NearThreshold: 0.5, Webhooks: []Webhook{
				{Kind: "teams", URLEnv: "XTSYNC_WEBHOOK_OPS", Events: []string{"failed", "recovered"}},
				{Kind: "generic", URLEnv: "XTSYNC_WEBHOOK_AUDIT", Events: []string{"failed", "refused", "drift", "deletions", "recovered"}},
			}},
		}},
		{"notifications without webhooks", "notifications: {nearThreshold: 1}\n", func() Settings {
			s := DefaultSettings()
			s.Notifications.NearThreshold = 1
			return s
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ds := ParseSettings("xtsync.yaml", []byte(tt.yaml))
			if len(ds) > 0 {
				t.Fatalf("diagnostics:\n%s", ds)
			}
			tt.want.File = "xtsync.yaml"
			if diff := cmp.Diff(tt.want, got, ignorePos); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
