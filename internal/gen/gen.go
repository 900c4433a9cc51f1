// Package gen generates large synthetic xtsync repositories: tenant files,
// xtsync.yaml and directory snapshots, for benchmarks and scale tests.
//
// The output is a function of Options alone: the same options give
// byte-identical files. Every user, group and link is derived from the seed
// and its own index (a PCG stream per user), so a snapshot is streamed user
// by user and a million users never sit in memory as JSON.
//
// The data is shaped like a real multi-tenant organisation: department
// structure, guests, B2B and SMS sign-in users, disabled and soft-deleted
// users, nested groups with Zipf-like sizes, and in every target tenant the
// B2B users earlier cycles created — most up to date, some stale, some whose
// source left the scope, some invited by hand, some soft-deleted — so one
// simulated cycle yields every kind of action.
package gen

import (
	"errors"
	"fmt"
)

// Options are the knobs of a generated repository. Zero values take the
// defaults documented on each field.
type Options struct {
	// Tenants is the number of tenants (default 3, at most 999).
	Tenants int
	// Users is the total number of home (source) users over all tenants
	// (default 1000). B2B users created by earlier cycles come on top.
	Users int
	// Groups is the total number of groups over all tenants
	// (default max(4 per tenant, Users/250)).
	Groups int
	// Configs is the number of sync configurations, spread round-robin over
	// the source→target directions (default 4 per tenant; 0 with a single
	// tenant). Set NoConfigs for none.
	Configs   int
	NoConfigs bool
	// Seed makes the output; the same seed and options give the same bytes.
	Seed uint64
}

// Limits of the options, to keep a typo from filling the disk.
const (
	MaxTenants = 999
	MaxUsers   = 50_000_000
)

func (o Options) withDefaults() (Options, error) {
	if o.Tenants == 0 {
		o.Tenants = 3
	}
	if o.Users == 0 {
		o.Users = 1000
	}
	if o.Groups == 0 {
		o.Groups = max(4*o.Tenants, o.Users/250)
	}
	if o.Configs == 0 && !o.NoConfigs && o.Tenants > 1 {
		o.Configs = 4 * o.Tenants
	}
	switch {
	case o.Tenants < 0 || o.Tenants > MaxTenants:
		return o, fmt.Errorf("tenants: want 1..%d, got %d", MaxTenants, o.Tenants)
	case o.Users < 0 || o.Users > MaxUsers:
		return o, fmt.Errorf("users: want 1..%d, got %d", MaxUsers, o.Users)
	case o.Groups < 0 || o.Groups > o.Users+o.Tenants*10:
		return o, fmt.Errorf("groups: want 0..%d (users + 10 per tenant), got %d", o.Users+o.Tenants*10, o.Groups)
	case o.Configs < 0:
		return o, fmt.Errorf("configs: want 0 or more, got %d", o.Configs)
	case o.Configs > 0 && o.Tenants < 2:
		return o, errors.New("configs: a sync configuration needs two tenants; use --tenants 2 or more")
	case o.Configs > 120*o.Tenants:
		return o, fmt.Errorf("configs: want at most 120 per tenant, got %d", o.Configs)
	}
	return o, nil
}

// Output is a generated repository: small files held in memory and one
// streamed snapshot per tenant.
type Output struct {
	Options Options
	// Files are xtsync.yaml and tenants/*.yaml, by path.
	Files []File
	// Snapshots has one entry per tenant, in tenant order.
	Snapshots []*Snapshot
	// Stats counts what was generated.
	Stats Stats
}

// File is one small generated file.
type File struct {
	Path string // slash-separated, relative to the repository root
	Data []byte
}

// Stats counts the generated objects.
type Stats struct {
	Tenants int `json:"tenants"`
	// HomeUsers is the number of users of the tenants themselves (== Users).
	HomeUsers int `json:"homeUsers"`
	// B2BUsers is the number of B2B users in target tenants linked to a
	// source user of the repository (also invited by hand ones and stale ones).
	B2BUsers int `json:"b2bUsers"`
	// OtherGuests is the number of target guests without a link that
	// share a mail with a source user.
	OtherGuests int `json:"otherGuests"`
	Groups      int `json:"groups"`
	Memberships int `json:"memberships"`
	Configs     int `json:"configs"`
}

// Generate plans a repository from opts. The tenant files are rendered
// here; the snapshots are written later, by Snapshot.WriteTo or Output.Write.
func Generate(opts Options) (*Output, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	g := newGenerator(o)
	g.plan()
	out := &Output{Options: o}
	out.Files = append(out.Files, File{Path: "xtsync.yaml", Data: g.settingsYAML()})
	for ti := range g.tenants {
		t := &g.tenants[ti]
		out.Files = append(out.Files, File{Path: "tenants/" + t.name + ".yaml", Data: g.tenantYAML(ti)})
		out.Snapshots = append(out.Snapshots, &Snapshot{Tenant: t.name, g: g, ti: ti})
	}
	out.Stats = g.stats()
	return out, nil
}
