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
	// SharedMails: mails several in-scope source users of one
	// configuration share (an addition to DESIGN §6's input.summary).
	SharedMails []SharedMail `json:"sharedMails"`
}

// SharedMail is a mail that several source users of one configuration
// share: Entra provisions one target user for it and links them all to it
// (known issue "Two users in the source tenant matched with the same user
// in the target tenant"); the simulator skips all but one with reason
// duplicate-mail.
type SharedMail struct {
	Source string `json:"source"`
	Config string `json:"config"`
	Target string `json:"target"`
	// Mail is lower-cased.
	Mail string `json:"mail"`
	// Users are the source users' UPNs, sorted: the rows of the
	// configuration with this mail that create or keep the target user,
	// and those skipped as duplicate-mail.
	Users []string `json:"users"`
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
