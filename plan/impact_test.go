package plan

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xtsync/xtsync/simulate"
)

const (
	euID = "0c9a6b0e-3f1c-4b8e-9f8a-1d2e3f4a5b6c"
	usID = "6b6f7a2e-0d4b-4c36-9a55-2f4e7d3c1a90"
	ukID = "3d2c1b0a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"
)

// snaps: contoso-us holds B2B users for anna, bob, eve (eu-to-us), a
// soft-deleted one for dave, and a hand-invited guest of fabrikam's gus.
func testSnapshots() Snapshots {
	b2b := func(id, src, srcUser, config string, deleted bool) simulate.User {
		return simulate.User{ID: id, UserPrincipalName: id + "#EXT#@contosous.onmicrosoft.com", UserType: "Member",
			AccountEnabled: true, Deleted: deleted, Source: &simulate.SourceLink{TenantID: src, UserID: srcUser, Config: config}}
	}
	return Snapshots{
		"contoso-eu": {TenantID: euID, Users: []simulate.User{
			{ID: "u-anna", UserPrincipalName: "anna@contoso.eu"},
			{ID: "u-bob", UserPrincipalName: "Bob@contoso.eu"},
			{ID: "u-carl", UserPrincipalName: "carl@contoso.eu"},
			{ID: "u-dave", UserPrincipalName: "dave@contoso.eu"},
			{ID: "u-eve", UserPrincipalName: "eve@contoso.eu"},
		}},
		"fabrikam-uk": {TenantID: ukID, Users: []simulate.User{{ID: "u-gus", UserPrincipalName: "gus@fabrikam.co.uk"}}},
		"contoso-us": {TenantID: usID, Users: []simulate.User{
			b2b("t-anna", euID, "u-anna", "eu-to-us", false),
			b2b("t-bob", euID, "u-bob", "eu-to-us", false),
			b2b("t-dave", euID, "u-dave", "eu-to-us", true),
			b2b("t-eve", euID, "u-eve", "eu-to-us", false),
			b2b("t-gus", ukID, "u-gus", "", false),
		}},
	}
}

func row(user, upn string, action simulate.Action, reason string, tu *simulate.TargetUser, changes map[string]simulate.Change) simulate.UserResult {
	return simulate.UserResult{Source: "contoso-eu", Config: "eu-to-us", Target: "contoso-us", SourceUserID: user,
		SourceUserPrincipalName: upn, Action: action, Reason: reason, TargetUser: tu, Changes: changes}
}

func tu(dept string, enabled, deleted bool) *simulate.TargetUser {
	return &simulate.TargetUser{UserType: "Member", AccountEnabled: enabled, ShowInAddressList: true, Deleted: deleted,
		Attributes: map[string]any{"department": dept, "companyName": "Contoso Europe"}}
}

func result(state simulate.State, rows ...simulate.UserResult) *simulate.Result {
	return &simulate.Result{FormatVersion: 1,
		Configs: []simulate.ConfigResult{{Source: "contoso-eu", Name: "eu-to-us", Target: "contoso-us", State: state}},
		Users:   rows}
}

func TestImpact(t *testing.T) {
	base := load(t, exampleFS(t))
	scopeChanged := load(t, edit(t, exampleFS(t), eu, "groups: [GlobalEmployees]", "groups: []"))
	// At base: anna and bob are linked and in scope, eve leaves (source deleted).
	baseRes := result(simulate.StateActive,
		row("u-anna", "anna@contoso.eu", simulate.ActionNoop, "", tu("Sales", true, false), nil),
		row("u-bob", "Bob@contoso.eu", simulate.ActionNoop, "", tu("Ops", true, false), nil),
		row("u-eve", "eve@contoso.eu", simulate.ActionDelete, "source-deleted", tu("Ops", true, true), nil),
	)
	tests := []struct {
		name string
		head *simulate.Result
		want []TargetImpact
	}{
		{
			name: "same result",
			head: baseRes,
			want: []TargetImpact{impactOf("contoso-us")},
		},
		{
			// The DONE scenario: GlobalEmployees leaves the scope, so
			// every linked user is unassigned and soft-deleted.
			name: "unassigned users are removed",
			head: result(simulate.StateActive,
				row("u-anna", "anna@contoso.eu", simulate.ActionDelete, "unassigned", tu("Sales", true, true), nil),
				row("u-bob", "Bob@contoso.eu", simulate.ActionDelete, "unassigned", tu("Ops", true, true), nil),
				row("u-eve", "eve@contoso.eu", simulate.ActionDelete, "source-deleted", tu("Ops", true, true), nil),
			),
			want: []TargetImpact{withLists(impactOf("contoso-us", "contoso-eu/eu-to-us"), nil, []ImpactUser{
				based(iu("u-anna", "anna@contoso.eu", "delete", "unassigned"), "noop", ""),
				based(iu("u-bob", "Bob@contoso.eu", "delete", "unassigned"), "noop", ""),
			}, nil, nil, nil)},
		},
		{
			name: "created, changed, disabled",
			head: result(simulate.StateActive,
				row("u-anna", "anna@contoso.eu", simulate.ActionUpdate, "", tu("Marketing", true, false),
					map[string]simulate.Change{"department": {From: "Sales", To: "Marketing"}}),
				row("u-bob", "Bob@contoso.eu", simulate.ActionDisable, "", tu("Ops", false, false),
					map[string]simulate.Change{"accountEnabled": {From: true, To: false}}),
				row("u-carl", "carl@contoso.eu", simulate.ActionCreate, "", tu("Ops", true, false), nil),
				row("u-eve", "eve@contoso.eu", simulate.ActionDelete, "source-deleted", tu("Ops", true, true), nil),
				row("u-zed", "zed@contoso.eu", simulate.ActionSkip, "disabled-user", nil, nil),
			),
			want: []TargetImpact{withLists(impactOf("contoso-us", "contoso-eu/eu-to-us"),
				[]ImpactUser{iu("u-carl", "carl@contoso.eu", "create", "")},
				nil,
				[]ImpactUser{
					based(withChanges(iu("u-anna", "anna@contoso.eu", "update", ""), map[string]simulate.Change{"department": {From: "Sales", To: "Marketing"}}), "noop", ""),
					based(withChanges(iu("u-bob", "Bob@contoso.eu", "disable", ""), map[string]simulate.Change{"accountEnabled": {From: true, To: false}}), "noop", ""),
				},
				[]ImpactUser{based(iu("u-bob", "Bob@contoso.eu", "disable", ""), "noop", "")},
				nil)},
		},
		{
			name: "quarantine stages the deletes",
			head: result(simulate.StateQuarantine,
				row("u-anna", "anna@contoso.eu", simulate.ActionStaged, "unassigned", tu("Sales", true, false), nil),
				row("u-bob", "Bob@contoso.eu", simulate.ActionStaged, "unassigned", tu("Ops", true, false), nil),
				row("u-eve", "eve@contoso.eu", simulate.ActionStaged, "source-deleted", tu("Ops", true, false), nil),
			),
			want: []TargetImpact{withLists(impactOf("contoso-us", "contoso-eu/eu-to-us"),
				[]ImpactUser{based(iu("u-eve", "eve@contoso.eu", "staged", "source-deleted"), "delete", "source-deleted")}, // base deleted eve; head holds her back
				nil, nil, nil,
				[]ImpactUser{
					based(iu("u-anna", "anna@contoso.eu", "staged", "unassigned"), "noop", ""),
					based(iu("u-bob", "Bob@contoso.eu", "staged", "unassigned"), "noop", ""),
					based(iu("u-eve", "eve@contoso.eu", "staged", "source-deleted"), "delete", "source-deleted"),
				})},
		},
		{
			// A paused configuration leaves its users as the snapshot
			// shows them, whether or not the simulator lists them.
			name: "paused leaves users alone",
			head: result(simulate.StatePaused),
			want: []TargetImpact{withLists(impactOf("contoso-us", "contoso-eu/eu-to-us"),
				[]ImpactUser{{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-eve", SourceUserPrincipalName: "eve@contoso.eu", Reason: "config-paused", BaseAction: "delete", BaseReason: "source-deleted"}},
				nil,
				[]ImpactUser{{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-anna", SourceUserPrincipalName: "anna@contoso.eu", Reason: "config-paused", BaseAction: "update",
					Changes: map[string]simulate.Change{"accountEnabled": {From: true, To: false}, "companyName": {From: "Contoso Europe", To: nil}, "department": {From: "Sales", To: "Old"}, "showInAddressList": {From: true, To: false}, "userType": {From: "Member", To: ""}}}},
				nil, nil)},
		},
		{
			// Base creates carl; at head he is out of scope, so head's
			// cycle has no row for him: he is never created.
			name: "out of scope at head",
			head: result(simulate.StateActive,
				row("u-anna", "anna@contoso.eu", simulate.ActionNoop, "", tu("Sales", true, false), nil),
				row("u-bob", "Bob@contoso.eu", simulate.ActionNoop, "", tu("Ops", true, false), nil),
				row("u-eve", "eve@contoso.eu", simulate.ActionDelete, "source-deleted", tu("Ops", true, true), nil),
			),
			want: []TargetImpact{withLists(impactOf("contoso-us", "contoso-eu/eu-to-us"), nil,
				[]ImpactUser{{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-carl", SourceUserPrincipalName: "carl@contoso.eu", Reason: ReasonNotCreated, BaseAction: "create"}},
				nil, nil, nil)},
		},
	}
	// In the paused case, base's update of anna records her current values.
	baseWithUpdate := *baseRes
	baseWithUpdate.Users = append([]simulate.UserResult(nil), baseRes.Users...)
	baseWithUpdate.Users[0] = row("u-anna", "anna@contoso.eu", simulate.ActionUpdate, "", tu("Sales", true, false),
		map[string]simulate.Change{"department": {From: "Old", To: "Sales"}, "accountEnabled": {From: false, To: true},
			"companyName": {From: nil, To: "Contoso Europe"}, "showInAddressList": {From: false, To: true}, "userType": {From: "", To: "Member"}})
	baseWithCreate := *baseRes
	baseWithCreate.Users = append(append([]simulate.UserResult(nil), baseRes.Users...),
		row("u-carl", "carl@contoso.eu", simulate.ActionCreate, "", tu("Ops", true, false), nil))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, head := baseRes, scopeChanged
			if tt.name == "same result" {
				head = base
			}
			switch tt.name {
			case "paused leaves users alone":
				b = &baseWithUpdate
			case "out of scope at head":
				b = &baseWithCreate
			}
			got := Impact(b, tt.head, base, head, testSnapshots())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Impact (-want +got):\n%s", diff)
			}
		})
	}
}

// based records base's action and reason on an expected user.
func based(u ImpactUser, action, reason string) ImpactUser {
	u.BaseAction, u.BaseReason = action, reason
	return u
}

func impactOf(target string, restarts ...string) TargetImpact {
	if restarts == nil {
		restarts = []string{}
	}
	return TargetImpact{Target: target, Added: []ImpactUser{}, Removed: []ImpactUser{}, Changed: []ImpactUser{},
		Disabled: []ImpactUser{}, Staged: []ImpactUser{}, RestartsJob: restarts}
}

func withLists(ti TargetImpact, added, removed, changed, disabled, staged []ImpactUser) TargetImpact {
	for _, x := range []struct {
		dst *[]ImpactUser
		src []ImpactUser
	}{{&ti.Added, added}, {&ti.Removed, removed}, {&ti.Changed, changed}, {&ti.Disabled, disabled}, {&ti.Staged, staged}} {
		if x.src != nil {
			*x.dst = x.src
		}
	}
	return ti
}

func iu(id, upn, action, reason string) ImpactUser {
	return ImpactUser{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: id, SourceUserPrincipalName: upn, Action: action, Reason: reason}
}

func withChanges(u ImpactUser, ch map[string]simulate.Change) ImpactUser {
	u.Reason, u.Changes = "", ch
	return u
}

func TestImpactWithoutSnapshots(t *testing.T) {
	// Without snapshots only the rows count: a create is an add.
	head := result(simulate.StateActive, row("u-carl", "carl@contoso.eu", simulate.ActionCreate, "", nil, nil))
	got := Impact(nil, head, nil, nil, nil)
	want := []TargetImpact{withLists(impactOf("contoso-us"), []ImpactUser{iu("u-carl", "carl@contoso.eu", "create", "")}, nil, nil, nil, nil)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Impact (-want +got):\n%s", diff)
	}
	if got := Impact(nil, nil, nil, nil, nil); len(got) != 0 {
		t.Errorf("Impact of nothing = %v", got)
	}
}

func TestFindDrift(t *testing.T) {
	head := result(simulate.StateActive,
		row("u-anna", "anna@contoso.eu", simulate.ActionUpdate, "", tu("Marketing", true, false),
			map[string]simulate.Change{"department": {From: "Sales", To: "Marketing"}}),
		row("u-bob", "Bob@contoso.eu", simulate.ActionNoop, "", tu("Ops", true, false), nil),
		row("u-carl", "carl@contoso.eu", simulate.ActionCreate, "", tu("Ops", true, false), nil),
		row("u-dave", "dave@contoso.eu", simulate.ActionRestore, "", tu("Ops", true, false), nil),
		row("u-eve", "eve@contoso.eu", simulate.ActionDelete, "unassigned", tu("Ops", true, true), nil),
	)
	got := FindDrift(head, testSnapshots())
	d := func(id, upn, kind string, ch map[string]simulate.Change) Drift {
		return Drift{Target: "contoso-us", Source: "contoso-eu", Config: "eu-to-us", SourceUserID: id, SourceUserPrincipalName: upn, Kind: kind, Changes: ch}
	}
	want := []Drift{
		d("u-anna", "anna@contoso.eu", DriftDiffers, map[string]simulate.Change{"department": {From: "Sales", To: "Marketing"}}),
		d("u-carl", "carl@contoso.eu", DriftMissing, nil),
		d("u-dave", "dave@contoso.eu", DriftMissing, nil),
		d("u-eve", "eve@contoso.eu", DriftUnexpected, nil),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindDrift (-want +got):\n%s", diff)
	}
	// A cycle that changes nothing shows no drift.
	quiet := result(simulate.StateActive, row("u-bob", "Bob@contoso.eu", simulate.ActionNoop, "", tu("Ops", true, false), nil))
	if got := FindDrift(quiet, testSnapshots()); len(got) != 0 {
		t.Errorf("FindDrift of a quiet cycle = %+v", got)
	}
}

func TestBuildPendingDenied(t *testing.T) {
	r := load(t, exampleFS(t))
	p := Build(Input{Base: "b", Head: "h", BaseRepo: r, HeadRepo: r})
	if p.Pending() || p.Denied() || p.FormatVersion != FormatVersion || p.Findings == nil || p.Drift == nil {
		t.Errorf("unchanged plan: pending %v denied %v %+v", p.Pending(), p.Denied(), p)
	}
	p = Build(Input{BaseRepo: r, HeadRepo: load(t, edit(t, exampleFS(t), eu, "deletionThreshold: 500", "deletionThreshold: 0"))})
	if !p.Pending() {
		t.Error("a config change is not pending")
	}
	p.Findings = append(p.Findings, Finding{Policy: "x", Level: LevelWarn})
	if p.Denied() {
		t.Error("a warning denies")
	}
	p.Findings = append(p.Findings, Finding{Policy: "y", Level: LevelDeny})
	if !p.Denied() {
		t.Error("a deny does not deny")
	}
}

// BenchmarkImpactLarge: 20,000 linked users, all unassigned at head.
func BenchmarkImpactLarge(b *testing.B) {
	const n = 20000
	snaps := Snapshots{"contoso-eu": {TenantID: euID}, "contoso-us": {TenantID: usID}}
	var baseRows, headRows []simulate.UserResult
	for i := range n {
		id := fmt.Sprintf("u-%05d", i)
		upn := id + "@contoso.eu"
		snaps["contoso-eu"].Users = append(snaps["contoso-eu"].Users, simulate.User{ID: id, UserPrincipalName: upn})
		snaps["contoso-us"].Users = append(snaps["contoso-us"].Users, simulate.User{ID: "t-" + id,
			Source: &simulate.SourceLink{TenantID: euID, UserID: id, Config: "eu-to-us"}})
		baseRows = append(baseRows, row(id, upn, simulate.ActionNoop, "", tu("Sales", true, false), nil))
		headRows = append(headRows, row(id, upn, simulate.ActionDelete, "unassigned", tu("Sales", true, true), nil))
	}
	base, head := result(simulate.StateActive, baseRows...), result(simulate.StateActive, headRows...)
	for b.Loop() {
		if got := Impact(base, head, nil, nil, snaps); len(got[0].Removed) != n {
			b.Fatalf("removed %d", len(got[0].Removed))
		}
	}
}

// TestPending: a user disabled or staged at head is pending without the
// change when base's cycle does (or holds back) the same; else the change
// causes it.
func TestPending(t *testing.T) {
	tests := []struct {
		name                             string
		action, reason, baseAct, baseRsn string
		want                             bool
	}{
		{"disabled in both", "disable", "", "disable", "", true},
		{"disabled at head, held back at base", "disable", "", "staged", "", true},
		{"disabled at head only", "disable", "", "noop", "", false},
		{"staged delete, base deletes", "staged", "unassigned", "delete", "unassigned", true},
		{"staged in both", "staged", "unassigned", "staged", "source-deleted", true},
		{"staged delete, base disables", "staged", "unassigned", "disable", "", false},
		{"staged disable, base disables", "staged", "", "disable", "", true},
		{"staged disable as simulated, base disables", "staged", "too-many-deletes", "disable", "", true},
		{"staged disable, base deletes", "staged", "too-many-deletes", "delete", "unassigned", false},
		{"disabled at head, base holds back the disable", "disable", "", "staged", "too-many-deletes", true},
		{"staged create, base creates", "staged", "cycle-held-back", "create", "", false},
		{"staged create in both", "staged", "cycle-held-back", "staged", "cycle-held-back", true},
		{"staged, base updates", "staged", "unassigned", "update", "", false},
		{"no base row", "staged", "unassigned", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := ImpactUser{Action: tt.action, Reason: tt.reason, BaseAction: tt.baseAct, BaseReason: tt.baseRsn}
			if got := u.Pending(); got != tt.want {
				t.Errorf("Pending() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestUnexplained: drift leaves out the users the impact reports.
func TestUnexplained(t *testing.T) {
	drift := []Drift{
		{Target: "contoso-us", Source: "contoso-eu", SourceUserID: "u-bob", Kind: DriftUnexpected},
		{Target: "contoso-us", Source: "contoso-eu", SourceUserID: "u-eve", Kind: DriftUnexpected},
		{Target: "contoso-us", Source: "contoso-eu", SourceUserID: "u-dan", Kind: DriftDiffers},
		{Target: "fabrikam-uk", Source: "contoso-eu", SourceUserID: "u-bob", Kind: DriftMissing},
	}
	imp := []TargetImpact{withLists(impactOf("contoso-us"), nil,
		[]ImpactUser{iu("u-bob", "bob@contoso.eu", "delete", "unassigned")}, nil, nil,
		[]ImpactUser{iu("u-eve", "eve@contoso.eu", "staged", "unassigned")})}
	want := []Drift{drift[2], drift[3]}
	if diff := cmp.Diff(want, Unexplained(drift, imp)); diff != "" {
		t.Errorf("Unexplained (-want +got):\n%s", diff)
	}
}

// TestCycleSetTransferSoftDelete: when one configuration transfers a user
// another soft-deletes in the same cycle, the soft delete counts (the jobs
// run independently), whichever row comes first, and names the transfer.
func TestCycleSetTransferSoftDelete(t *testing.T) {
	del := row("u-anna", "anna@contoso.eu", simulate.ActionDelete, simulate.ReasonUnassigned, tu("Sales", true, true), nil)
	tr := row("u-anna", "anna@contoso.eu", simulate.ActionUpdate, simulate.ReasonTransferred, tu("Sales", true, false), nil)
	tr.Config = "members"
	k := userKey{"contoso-us", "contoso-eu", "u-anna"}
	for name, rows := range map[string][]simulate.UserResult{"delete first": {del, tr}, "transfer first": {tr, del}} {
		t.Run(name, func(t *testing.T) {
			set := cycleSet(&simulate.Result{Users: rows}, nil, names{})
			m := set[k]
			if m == nil || m.in || m.row.Action != simulate.ActionDelete || m.transferredTo != "members" {
				t.Errorf("member = %+v, want soft-deleted by eu-to-us, transferred to members", m)
			}
			u := impactUser(k, m, nil, nil, nil)
			if diff := cmp.Diff(ImpactUser{Source: "contoso-eu", Config: "eu-to-us", SourceUserID: "u-anna", SourceUserPrincipalName: "anna@contoso.eu",
				Action: "delete", Reason: "unassigned", TransferredTo: "members"}, u); diff != "" {
				t.Errorf("impact user (-want +got):\n%s", diff)
			}
		})
	}
}
