package policy

import (
	"github.com/xtsync/xtsync/plan"
	"github.com/xtsync/xtsync/simulate"
)

// Input is the policy input document (DESIGN §6): input.base, input.head,
// input.changes, input.impact, input.summary and input.context.
type Input struct {
	// Base and Head are the normalised config at each revision:
	// {tenants: {name: {...}}, settings: {...}} (see Document). When only
	// one revision is checked, Base is Head.
	Base any `json:"base"`
	Head any `json:"head"`
	// Changes are the config changes between base and head.
	Changes []plan.Change `json:"changes"`
	// Impact is the plan's impact per target tenant.
	Impact []plan.TargetImpact `json:"impact"`
	// Summary is head's simulation, summarised.
	Summary Summary `json:"summary"`
	// Context is passed in so results are deterministic.
	Context Context `json:"context"`
}

// Context is input.context.
type Context struct {
	// Now is the evaluation time, RFC 3339 (policies have no clock).
	Now      string   `json:"now"`
	Revision string   `json:"revision"`
	Author   string   `json:"author"`
	Labels   []string `json:"labels"`
}

// Summary is input.summary: head's simulation without the per-user rows.
type Summary struct {
	// Configs: state and action counts per configuration.
	Configs []ConfigSummary `json:"configs"`
	// Tenants: each tenant's B2B user set after the cycle.
	Tenants []simulate.TenantResult `json:"tenants"`
	// Pairs: B2B users per source -> target pair after the cycle.
	Pairs []PairSummary `json:"pairs"`
}

// ConfigSummary is one configuration of input.summary.configs.
type ConfigSummary struct {
	Source string          `json:"source"`
	Name   string          `json:"name"`
	Target string          `json:"target"`
	State  simulate.State  `json:"state"`
	Counts simulate.Counts `json:"counts"`
}

// PairSummary counts the B2B users a target has from one source after the
// cycle, by userType.
type PairSummary struct {
	Source    string         `json:"source"`
	Target    string         `json:"target"`
	B2BUsers  int            `json:"b2bUsers"`
	UserTypes map[string]int `json:"userTypes"`
}
