package simulate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/tenants"
)

const (
	srcID = "11111111-1111-4111-8111-111111111111"
	tgtID = "22222222-2222-4222-8222-222222222222"
)

// testRepo is a source s and a target t trusting each other, with one
// configuration s/c; mutate adjusts it.
func testRepo(mutate func(src, tgt *tenants.Tenant, sc *tenants.SyncConfig)) *tenants.Repo {
	sc := &tenants.SyncConfig{Source: "s", Name: "c", Target: "t", Enabled: true, UserType: "Member",
		UserTypeFlow: tenants.FlowOnCreate, ShowInAddressList: true, DeletionThreshold: 500,
		Actions: []tenants.Action{tenants.ActionCreate, tenants.ActionUpdate, tenants.ActionDelete},
		Scope:   tenants.Scope{Groups: []string{"G"}},
		Pos:     tenants.Pos{File: "tenants/s.yaml", Line: 9}}
	src := &tenants.Tenant{Name: "s", TenantID: srcID, Partners: []*tenants.Partner{{Tenant: "t", TenantID: tgtID, Outbound: &tenants.Outbound{AutoRedeem: true}}}, Sync: []*tenants.SyncConfig{sc}}
	tgt := &tenants.Tenant{Name: "t", TenantID: tgtID, InitialDomain: "t.onmicrosoft.com", Partners: []*tenants.Partner{{Tenant: "s", TenantID: srcID, Inbound: &tenants.Inbound{UserSync: true, AutoRedeem: true}}}}
	if mutate != nil {
		mutate(src, tgt, sc)
	}
	return &tenants.Repo{Settings: tenants.DefaultSettings(), Tenants: []*tenants.Tenant{src, tgt}}
}

func testSnaps() map[string]*Snapshot {
	return map[string]*Snapshot{
		"s": {FormatVersion: 1, TenantID: srcID, VerifiedDomains: []string{"s.example"},
			Users: []User{
				{ID: "u1", UserPrincipalName: "a@s.example", Mail: "a@s.example", UserType: "Member", AccountEnabled: true},
				{ID: "u2", UserPrincipalName: "b@s.example", Mail: "b@s.example", UserType: "Member", AccountEnabled: true},
			},
			Groups: []Group{{ID: "g1", DisplayName: "G", SecurityEnabled: true, Members: []string{"u1", "u2"}}}},
		"t": {FormatVersion: 1, TenantID: tgtID},
	}
}

func TestBlockers(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(src, tgt *tenants.Tenant, sc *tenants.SyncConfig)
		snaps  func(map[string]*Snapshot)
		state  State
		codes  []string
	}{
		{name: "active", state: StateActive},
		{name: "paused", mutate: func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) { sc.Enabled = false }, state: StatePaused},
		{name: "paused and blocked lists blockers",
			mutate: func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) {
				sc.Enabled = false
				sc.Scope.Groups = []string{"nope"}
			},
			state: StatePaused, codes: []string{BlockerUnresolvedScopeRef}},
		{name: "unknown target", mutate: func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) { sc.Target = "x" },
			state: StateBlocked, codes: []string{BlockerUnknownTarget, BlockerMissingSnapshot}},
		{name: "missing snapshots", snaps: func(m map[string]*Snapshot) { delete(m, "s"); delete(m, "t") },
			state: StateBlocked, codes: []string{BlockerMissingSnapshot, BlockerMissingSnapshot}},
		{name: "unresolved group and user", mutate: func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) {
			sc.Scope.Groups = []string{"g", "nope"}
			sc.Scope.Users = []string{"A@S.EXAMPLE", "u2", "ghost@s.example"}
		}, state: StateBlocked, codes: []string{BlockerUnresolvedScopeRef, BlockerUnresolvedScopeRef}},
		{name: "ambiguous group", snaps: func(m map[string]*Snapshot) {
			m["s"].Groups = append(m["s"].Groups, Group{ID: "g2", DisplayName: "g"})
		}, state: StateBlocked, codes: []string{BlockerAmbiguousScopeRef}},
		{name: "group by id is never ambiguous", mutate: func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) { sc.Scope.Groups = []string{"g1"} },
			snaps: func(m map[string]*Snapshot) { m["s"].Groups = append(m["s"].Groups, Group{ID: "g2", DisplayName: "G"}) }, state: StateActive},
		{name: "inbound sync off", mutate: func(_, tgt *tenants.Tenant, _ *tenants.SyncConfig) { tgt.Partners[0].Inbound.UserSync = false },
			state: StateBlocked, codes: []string{BlockerInboundSyncNotAllwd}},
		{name: "no partner entry in the target", mutate: func(_, tgt *tenants.Tenant, _ *tenants.SyncConfig) { tgt.Partners = nil },
			state: StateBlocked, codes: []string{BlockerInboundSyncNotAllwd, BlockerAutoRedeemNotEnabled}},
		{name: "auto-redeem off in the source", mutate: func(src, _ *tenants.Tenant, _ *tenants.SyncConfig) { src.Partners[0].Outbound.AutoRedeem = false },
			state: StateBlocked, codes: []string{BlockerAutoRedeemNotEnabled}},
		{name: "auto-redeem off in the target", mutate: func(_, tgt *tenants.Tenant, _ *tenants.SyncConfig) { tgt.Partners[0].Inbound.AutoRedeem = false },
			state: StateBlocked, codes: []string{BlockerAutoRedeemNotEnabled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snaps := testSnaps()
			if tt.snaps != nil {
				tt.snaps(snaps)
			}
			res := Run(testRepo(tt.mutate), snaps, Options{})
			c := res.Configs[0]
			var codes []string
			for _, b := range c.Blockers {
				codes = append(codes, b.Code)
				if b.File == "" || b.Line == 0 {
					t.Errorf("blocker %s has no position", b.Code)
				}
			}
			if diff := cmp.Diff(tt.codes, codes); diff != "" {
				t.Errorf("blockers (-want +got):\n%s", diff)
			}
			if c.State != tt.state {
				t.Errorf("state %s, want %s", c.State, tt.state)
			}
			if c.State != StateActive && len(res.Users) != 0 {
				t.Errorf("a %s configuration has rows: %v", c.State, res.Users)
			}
		})
	}
}

func TestEmptyScopeCreatesNothing(t *testing.T) {
	repo := testRepo(func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) { sc.Scope = tenants.Scope{} })
	res := Run(repo, testSnaps(), Options{})
	if res.Configs[0].Counts.Create != 0 || len(res.Users) != 0 {
		t.Errorf("empty scope: %+v, %d rows", res.Configs[0].Counts, len(res.Users))
	}
	all := testRepo(func(_, _ *tenants.Tenant, sc *tenants.SyncConfig) { sc.Scope = tenants.Scope{All: true} })
	if got := Run(all, testSnaps(), Options{}).Configs[0].Counts.Create; got != 2 {
		t.Errorf("scope.all: %d creates, want 2", got)
	}
}

func TestOperators(t *testing.T) {
	s := &Snapshot{Users: []User{{ID: "u", UserPrincipalName: "x@y", AccountEnabled: true, Attributes: map[string]any{
		"department": "Sales EMEA", "employeeId": "0042", "neg": "-7", "plus": "+3", "word": "12a", "flag": true, "flagText": "False",
		"empty": "", "list": []any{}, "officeLocation": "Building 7", "businessPhones": []any{"+1 555", "+1 666"},
	}}}}
	tests := []struct {
		attr  string
		op    tenants.Operator
		value string
		want  bool
	}{
		{"department", tenants.OpEquals, "Sales EMEA", true},
		{"department", tenants.OpEquals, "sales emea", false}, // case-sensitive
		{"department", tenants.OpNotEquals, "Sales", true},
		{"missing", tenants.OpNotEquals, "Sales", false}, // null: false
		{"empty", tenants.OpNotEquals, "Sales", false},   // empty: false
		{"list", tenants.OpNotEquals, "Sales", false},    // empty list: false
		{"department", tenants.OpIncludes, "EME", true},
		{"department", tenants.OpIncludes, "eme", false},
		{"department", tenants.OpEndsWith, "EMEA", true},
		{"department", tenants.OpEndsWith, "emea", false},
		{"department", tenants.OpRegexMatch, "les E", true}, // unanchored
		{"department", tenants.OpRegexMatch, "^Sales$", false},
		{"department", tenants.OpNotRegexMatch, "^HR", true},
		{"missing", tenants.OpNotRegexMatch, "^HR", false}, // null: false
		{"missing", tenants.OpIsNull, "", true},
		{"empty", tenants.OpIsNull, "", true},
		{"department", tenants.OpIsNull, "", false},
		{"department", tenants.OpIsNotNull, "", true},
		{"missing", tenants.OpIsNotNull, "", false},
		{"flag", tenants.OpIsTrue, "", true},
		{"flag", tenants.OpIsFalse, "", false},
		{"flagText", tenants.OpIsFalse, "", true},
		{"missing", tenants.OpIsFalse, "", false},
		{"flag", tenants.OpEquals, "True", true}, // booleans compare as .NET prints them
		{"accountEnabled", tenants.OpEquals, "True", true},
		{"employeeId", tenants.OpGreaterThan, "41", true},
		{"employeeId", tenants.OpGreaterThan, "42", false},
		{"employeeId", tenants.OpGreaterThanOrEqual, "42", true},
		{"neg", tenants.OpGreaterThan, "-8", true},
		{"plus", tenants.OpGreaterThanOrEqual, "3", true},
		{"word", tenants.OpGreaterThan, "1", false},                          // not an integer
		{"employeeId", tenants.OpGreaterThan, "x", false},                    // value not an integer
		{"physicalDeliveryOfficeName", tenants.OpEquals, "Building 7", true}, // alias
		{"telephoneNumber", tenants.OpEquals, "+1 555", true},                // first businessPhones
		{"mobile", tenants.OpIsNull, "", true},
	}
	r := &runner{endsWithCase: true, regexUnanchored: true}
	x := newIndex(s)
	for _, tt := range tests {
		c := r.compileClause(x, "f", tenants.Clause{Attribute: tt.attr, Operator: tt.op, Value: tt.value})
		if got := c.eval(0); got != tt.want {
			t.Errorf("%s %s %q = %t, want %t", tt.attr, tt.op, tt.value, got, tt.want)
		}
	}
	// The assumptions switch ENDS_WITH's case and regex anchoring.
	r = &runner{endsWithCase: false, regexUnanchored: false}
	if !r.compileClause(x, "f", tenants.Clause{Attribute: "department", Operator: tenants.OpEndsWith, Value: "emea"}).eval(0) {
		t.Error("ENDS_WITH case-insensitive: want a match")
	}
	if r.compileClause(x, "f", tenants.Clause{Attribute: "department", Operator: tenants.OpRegexMatch, Value: "les E"}).eval(0) {
		t.Error("anchored REGEX MATCH: want no match")
	}
}

func TestExtUPNAndSourceUPN(t *testing.T) {
	got := ExtUPN("anna@contoso.eu", "contosous.onmicrosoft.com")
	if got != "anna_contoso.eu#EXT#@contosous.onmicrosoft.com" {
		t.Errorf("ExtUPN = %s", got)
	}
	if back := sourceUPNOf(&User{UserPrincipalName: got}); back != "anna@contoso.eu" {
		t.Errorf("sourceUPNOf = %s", back)
	}
}

func TestEqualValue(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{nil, "", true}, {nil, []any{}, true}, {"a", "a", true}, {"a", "A", false},
		{true, "True", true}, {true, "true", true}, {false, "True", false},
		{int64(3), "3", true}, {[]any{"a"}, []any{"a"}, true}, {[]any{"a"}, []any{"b"}, false}, {"x", nil, false},
	}
	for _, tt := range tests {
		if got := equalValue(tt.a, tt.b); got != tt.want {
			t.Errorf("equalValue(%#v, %#v) = %t", tt.a, tt.b, got)
		}
	}
}

// TestMemberIndexesStayCorrect: the columnar reader's member indexes are
// only trusted while the member strings are the users' own; after a caller
// edits a group, the id index answers.
func TestMemberIndexesStayCorrect(t *testing.T) {
	data := `{"formatVersion": 1, "tenantId": "` + srcID + `", "verifiedDomains": ["s.example"],
 "users": [{"id": "u1", "userPrincipalName": "a@s.example", "userType": "Member", "accountEnabled": true},
           {"id": "u2", "userPrincipalName": "b@s.example", "userType": "Member", "accountEnabled": true}],
 "groups": [{"id": "g1", "displayName": "G", "members": ["u1"]}]}`
	src, err := decodeSnapshot([]byte(data), "s.json", ReadOptions{Columnar: true})
	if err != nil {
		t.Fatal(err)
	}
	snaps := map[string]*Snapshot{"s": src, "t": {FormatVersion: 1, TenantID: tgtID}}
	rows := func() []string {
		var out []string
		for _, u := range Run(testRepo(nil), snaps, Options{}).Users {
			out = append(out, u.SourceUserID+" "+string(u.Action))
		}
		return out
	}
	if diff := cmp.Diff([]string{"u1 create"}, rows()); diff != "" {
		t.Errorf("as read (-want +got):\n%s", diff)
	}
	src.Groups[0].Members = []string{strings.Clone("u2"), "u1"}
	if diff := cmp.Diff([]string{"u1 create", "u2 create"}, rows()); diff != "" {
		t.Errorf("after an edit (-want +got):\n%s", diff)
	}
}

func TestIsExtUPN(t *testing.T) {
	for _, tt := range []struct {
		upn, src, dom string
		want          bool
	}{
		{"anna_contoso.eu#EXT#@t.onmicrosoft.com", "anna@contoso.eu", "t.onmicrosoft.com", true},
		{"anna@contoso.eu#EXT#@t.onmicrosoft.com", "anna@contoso.eu", "t.onmicrosoft.com", false},
		{"old_contoso.eu#EXT#@t.onmicrosoft.com", "anna@contoso.eu", "t.onmicrosoft.com", false},
		{"anna_contoso.eu#EXT#@u.onmicrosoft.com", "anna@contoso.eu", "t.onmicrosoft.com", false},
		{"anna_contoso.eu#EXT_@t.onmicrosoft.com", "anna@contoso.eu", "t.onmicrosoft.com", false},
		{"a_b_c#EXT#@t", "a@b@c", "t", true},
	} {
		if got := isExtUPN(tt.upn, tt.src, tt.dom); got != tt.want || got != (ExtUPN(tt.src, tt.dom) == tt.upn) {
			t.Errorf("isExtUPN(%q, %q, %q) = %v, want %v", tt.upn, tt.src, tt.dom, got, tt.want)
		}
	}
}
