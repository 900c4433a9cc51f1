package graph

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/reconcile"
	"github.com/xtsync/xtsync/reconcile/emulator"
)

func ptr[T any](v T) *T { return &v }

// fullConfig is the hand-built ChangeSet of one configuration from
// contoso-eu to contoso-us, trust first.
func fullConfig(us, eu, group string) reconcile.ChangeSet {
	sc := &reconcile.SyncConfig{Source: "contoso-eu", Name: "eu-to-us", DisplayName: "EU to US",
		Tags:    []string{reconcile.TagOwner, reconcile.TagSyncPrefix + "contoso-eu/eu-to-us"},
		Secrets: map[string]string{"CompanyId": us, "AuthenticationType": "SyncPolicy", "SyncAll": "false"},
		Job:     &reconcile.Job{TemplateID: reconcile.JobTemplateID, Started: true}}
	cfg := "contoso-eu/eu-to-us"
	return reconcile.ChangeSet{
		{Object: "partner/contoso-us/contoso-eu", Kind: reconcile.KindPartner, Action: reconcile.ActionCreate, TenantID: us,
			Partner: &reconcile.Partner{TenantID: eu, InboundAutoRedeem: ptr(true), OutboundAutoRedeem: ptr(false)}},
		{Object: "identitySync/contoso-us/contoso-eu", Kind: reconcile.KindIdentitySync, Action: reconcile.ActionCreate, TenantID: us,
			Partner: &reconcile.Partner{TenantID: eu}, IdentitySync: &reconcile.IdentitySync{DisplayName: "contoso-eu", UserSyncInbound: true}},
		{Object: "partner/contoso-eu/contoso-us", Kind: reconcile.KindPartner, Action: reconcile.ActionCreate, TenantID: eu,
			Partner: &reconcile.Partner{TenantID: us, InboundAutoRedeem: ptr(false), OutboundAutoRedeem: ptr(true)}},
		{Object: "sync/" + cfg + "/app", Kind: reconcile.KindApp, Action: reconcile.ActionCreate, TenantID: eu, Config: cfg, Sync: sc},
		{Object: "sync/" + cfg + "/job", Kind: reconcile.KindJob, Action: reconcile.ActionCreate, TenantID: eu, Config: cfg, Sync: sc},
		{Object: "sync/" + cfg + "/secrets", Kind: reconcile.KindSecrets, Action: reconcile.ActionCreate, TenantID: eu, Config: cfg, Sync: sc},
		{Object: "sync/" + cfg + "/schema", Kind: reconcile.KindSchema, Action: reconcile.ActionUpdate, TenantID: eu, Config: cfg, Sync: sc,
			MergeSchema: func(base, _ json.RawMessage) (json.RawMessage, error) { return base, nil }},
		{Object: "sync/" + cfg + "/assignment/g", Kind: reconcile.KindAssignment, Action: reconcile.ActionCreate, TenantID: eu, Config: cfg, Sync: sc,
			Assignment: &reconcile.Assignment{PrincipalID: group, PrincipalType: "Group"}},
		{Object: "sync/" + cfg + "/state", Kind: reconcile.KindState, Action: reconcile.ActionUpdate, TenantID: eu, Config: cfg, Sync: sc},
	}
}

func applyAll(t *testing.T, a *Applier, cs reconcile.ChangeSet) []reconcile.ResultKind {
	t.Helper()
	var got []reconcile.ResultKind
	for i := range cs {
		r, err := a.Apply(context.Background(), &cs[i])
		if err != nil {
			t.Fatalf("%s: %v", cs[i].Object, err)
		}
		got = append(got, r)
	}
	return got
}

func writesOf(clients map[string]*Client) int64 {
	var n int64
	for _, c := range clients {
		n += c.Stats().Writes
	}
	return n
}

// TestApplyFromEmptyThenIdempotent: a whole configuration applied to an
// emulator without one, read back by ReadLive; applied again, every
// change is unchanged and nothing is written.
func TestApplyFromEmptyThenIdempotent(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts emulator.Options
	}{
		{"clean", emulator.Options{}},
		{"faults", emulator.Options{Faults: mustFaults(t, "429=0.2,503=0.05"), Seed: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := readSeed(t)
			_, url := startEmulator(t, readSeed(t), tc.opts)
			us, eu := seed["contoso-us"].TenantID, seed["contoso-eu"].TenantID
			group := seed["contoso-eu"].Groups[0].ID
			clients := map[string]*Client{us: testClientFor(t, url, us), eu: testClientFor(t, url, eu)}
			cs := fullConfig(us, eu, group)
			a := NewApplier(clients, ApplierOptions{ReplicationPoll: time.Millisecond, ReplicationWait: time.Second})
			first := applyAll(t, a, cs)
			want := []reconcile.ResultKind{"created", "created", "created", "created", "created", "updated", "unchanged", "created", "updated"}
			if diff := cmp.Diff(want, first); diff != "" {
				t.Errorf("first application (-want +got):\n%s", diff)
			}

			live, err := ReadLive(context.Background(), clients)
			if err != nil {
				t.Fatal(err)
			}
			var cfg *reconcile.SyncConfig
			for _, c := range live.Tenants[eu].Configs {
				if c.Name == "eu-to-us" {
					cfg = c
				}
			}
			if cfg == nil {
				t.Fatalf("configuration not read back: %+v", live.Tenants[eu].Configs)
			}
			if cfg.Job == nil || !cfg.Job.Started || len(cfg.Job.Schema) == 0 || len(cfg.Assignments) != 1 || cfg.Secrets["CompanyId"] != us || cfg.AppRoleID == "" || cfg.ApplicationID == "" {
				t.Errorf("configuration read back incomplete: %+v job %+v", cfg, cfg.Job)
			}
			p := live.Tenants[us].Partners[eu]
			if p == nil || p.IdentitySync == nil || !p.IdentitySync.UserSyncInbound || p.InboundAutoRedeem == nil || !*p.InboundAutoRedeem {
				t.Errorf("partner read back: %+v", p)
			}

			// A rerun by a fresh Applier (no memory): all unchanged, no write.
			before := writesOf(clients)
			second := applyAll(t, NewApplier(clients, ApplierOptions{}), fullConfig(us, eu, group))
			for i, r := range second {
				if r != reconcile.ResultUnchanged {
					t.Errorf("second application: %s %s, want unchanged", cs[i].Object, r)
				}
			}
			if n := writesOf(clients) - before; n != 0 {
				t.Errorf("second application wrote %d times, want 0", n)
			}
		})
	}
}

func mustFaults(t *testing.T, spec string) emulator.FaultSpec {
	t.Helper()
	f, err := emulator.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
