package reconcile

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// Drift rules (xtsync.yaml ignore): differences between live and desired
// that Diff reports as Ignored and plans no write for. A rule covers the
// fields its patterns match of the objects its pattern matches. When the
// rules cover some fields of an update, the change keeps the others and
// writes the live value of the covered ones; when they cover all the
// fields of a change, it is dropped. An object to create or delete is left
// alone only when they cover all its fields. A configuration's application or job that does not exist is
// created whatever the rules say, and the ownership tags are always
// written.

// IgnoredDrift is drift a rule keeps: reported, never repaired.
type IgnoredDrift struct {
	Object string `json:"object"`
	// Action is what repairing it would do.
	Action Action `json:"action"`
	// Fields are the ignored fields, live (before) → repository (after).
	Fields []Field `json:"fields"`
	// Reason is the rule's reason (the reasons of several, joined), or
	// why a change is ignored with another it needs.
	Reason string `json:"reason"`
	// Rule is the position of the rule (file:line:col), "" for a change
	// ignored with another.
	Rule string `json:"rule,omitempty"`
}

// ignoreRule is a compiled drift rule.
type ignoreRule struct {
	match  func(object, field string) bool
	reason string
	where  string
}

func compileIgnore(rules []*tenants.IgnoreRule) []ignoreRule {
	out := make([]ignoreRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, ignoreRule{match: r.Matcher(), reason: r.Reason, where: r.Pos.String()})
	}
	return out
}

// neverIgnored reports whether a field of a change is written whatever the
// rules say: every field of a configuration's missing application or job,
// and the ownership tags.
func neverIgnored(c *Change, field string) bool {
	if (c.Kind == KindApp || c.Kind == KindJob) && c.Action == ActionCreate {
		return true
	}
	return c.Kind == KindApp && field == "tags"
}

// partial reports whether a change of this kind can leave some of its
// fields alone and write the others.
func partial(k Kind) bool {
	switch k {
	case KindPartner, KindSecrets, KindSchema, KindApp:
		return true
	}
	return false
}

// ignore applies the drift rules to a change about to be planned, with the
// live object it would change (lp for a partner, lc for a configuration's
// part; either may be nil). It returns the change to plan (with only the
// fields not ignored, and a payload that keeps their live values), or
// false when every field is ignored.
func (d *differ) ignore(c Change, lp *Partner, lc *SyncConfig) (Change, bool) {
	if len(d.rules) == 0 {
		return c, true
	}
	var keep, drop []Field
	var reasons, wheres []string
	for _, f := range c.Fields {
		hit := false
		if !neverIgnored(&c, f.Name) {
			for _, r := range d.rules {
				if r.match(c.Object, f.Name) {
					hit = true
					if !containsStr(reasons, r.reason) {
						reasons = append(reasons, r.reason)
						wheres = append(wheres, r.where)
					}
				}
			}
		}
		if hit {
			drop = append(drop, f)
		} else {
			keep = append(keep, f)
		}
	}
	if len(drop) == 0 {
		return c, true
	}
	if len(keep) > 0 && (c.Action != ActionUpdate || !partial(c.Kind)) {
		// A missing or extra object is drift of the object, not of some
		// of its fields: it is left alone only when the rules cover
		// every field; otherwise it is created or deleted whole.
		return c, true
	}
	d.own.Ignored = append(d.own.Ignored, IgnoredDrift{Object: c.Object, Action: c.Action, Fields: drop,
		Reason: strings.Join(reasons, "; "), Rule: strings.Join(wheres, ", ")})
	if len(keep) == 0 {
		d.ignoredWhole[c.Object] = Hold{Reason: "its drift is ignored: " + strings.Join(reasons, "; ")}
		d.dropped = append(d.dropped, c)
		return c, false
	}
	names := map[string]bool{}
	for _, f := range drop {
		names[f.Name] = true
	}
	c.Fields = keep
	keepLive(&c, names, lp, lc)
	return c, true
}

// keepLive makes a change write the live values of the named fields.
func keepLive(c *Change, fields map[string]bool, lp *Partner, lc *SyncConfig) {
	switch c.Kind {
	case KindPartner:
		p := *c.Partner
		var in, out *bool
		if lp != nil {
			in, out = lp.InboundAutoRedeem, lp.OutboundAutoRedeem
		}
		if fields["inboundAutoRedeem"] {
			p.InboundAutoRedeem = in
		}
		if fields["outboundAutoRedeem"] {
			p.OutboundAutoRedeem = out
		}
		c.Partner = &p
	case KindApp:
		if fields["displayName"] && lc != nil {
			s := *c.Sync
			s.DisplayName = lc.DisplayName
			c.Sync = &s
		}
	case KindSecrets:
		s := *c.Sync
		s.Secrets = map[string]string{}
		for k, v := range c.Sync.Secrets {
			s.Secrets[k] = v
		}
		var live map[string]string
		if lc != nil {
			live = lc.Secrets
		}
		for f, key := range map[string]string{"companyId": SecretCompanyID, "authenticationType": SecretAuthenticationType,
			"syncAll": SecretSyncAll, "deletionThreshold": SecretNotification} {
			if !fields[f] {
				continue
			}
			if v, ok := live[key]; ok {
				s.Secrets[key] = v
			} else {
				delete(s.Secrets, key)
			}
		}
		c.Sync = &s
	case KindSchema:
		merge := c.MergeSchema
		c.MergeSchema = func(base, template json.RawMessage) (json.RawMessage, error) {
			after, err := merge(base, template)
			if err != nil {
				return nil, err
			}
			return keepSchemaFields(base, after, fields)
		}
	}
}

// keepSchemaFields returns after with the named managed paths (actions,
// scope.filters, mappings.<attr>) as base has them.
func keepSchemaFields(base, after json.RawMessage, fields map[string]bool) (json.RawMessage, error) {
	var b, a map[string]any
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, fmt.Errorf("keep the ignored schema fields: read the live schema: %w", err)
	}
	if err := json.Unmarshal(after, &a); err != nil {
		return nil, fmt.Errorf("keep the ignored schema fields: %w", err)
	}
	bom, aom := userObjectMapping(b), userObjectMapping(a)
	if bom == nil || aom == nil {
		return after, nil
	}
	if fields["actions"] {
		aom["flowTypes"] = bom["flowTypes"]
	}
	if fields["scope.filters"] {
		aom["scope"] = bom["scope"]
	}
	baseByTarget := map[string]any{}
	bams, _ := bom["attributeMappings"].([]any)
	for _, m := range bams {
		if am, _ := m.(map[string]any); am != nil {
			baseByTarget[str(am["targetAttributeName"])] = am
		}
	}
	var out []any
	seen := map[string]bool{}
	aams, _ := aom["attributeMappings"].([]any)
	for _, m := range aams {
		am, _ := m.(map[string]any)
		t := str(am["targetAttributeName"])
		seen[t] = true
		if !fields["mappings."+t] {
			out = append(out, m)
			continue
		}
		if bm, ok := baseByTarget[t]; ok {
			out = append(out, bm) // the live mapping, as it is
		} // else: live has none, and keeps none
	}
	for _, m := range bams {
		am, _ := m.(map[string]any)
		if t := str(am["targetAttributeName"]); fields["mappings."+t] && !seen[t] {
			out = append(out, m) // live has it, the repository removes it: kept
		}
	}
	aom["attributeMappings"] = out
	return json.Marshal(a)
}

// ignoreDependents drops from cs the changes that need a creation or
// deletion whose drift is ignored, and reports them as ignored too.
func (d *differ) ignoreDependents(cs ChangeSet) ChangeSet {
	if len(d.ignoredWhole) == 0 {
		return cs
	}
	all := append(append(ChangeSet{}, cs...), d.dropped...)
	held := map[string]Hold{}
	for k, v := range d.ignoredWhole {
		held[k] = v
	}
	holdDependents(all, held, "ignored")
	out := ChangeSet{}
	for _, c := range cs {
		h, ok := held[c.Object]
		if !ok {
			out = append(out, c)
			continue
		}
		d.own.Ignored = append(d.own.Ignored, IgnoredDrift{Object: c.Object, Action: c.Action, Fields: c.Fields, Reason: h.Reason})
	}
	return out
}

// keptByRules corrects the ownership report for the deletions the drift
// rules left alone: an unmanaged partner or an orphaned configuration that
// prune would delete and a rule keeps is not deleted.
func (d *differ) keptByRules(cs ChangeSet) {
	if len(d.rules) == 0 {
		return
	}
	planned := map[string]bool{}
	for _, c := range cs {
		planned[c.Object] = true
	}
	const kept = "the repo does not declare it and prune is on, but an ignore rule keeps it: left as it is (see the ignored drift)"
	for i, u := range d.own.Unmanaged {
		if u.Deleted && !planned[u.Object] {
			d.own.Unmanaged[i].Deleted, d.own.Unmanaged[i].Reason = false, kept
		}
	}
	for i, o := range d.own.Orphaned {
		if o.Deleted && !planned[o.Object+"/app"] {
			d.own.Orphaned[i].Deleted, d.own.Orphaned[i].Reason = false, kept
		}
	}
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
