package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/simulate"
	"github.com/xtsync/xtsync/tenants"
)

// BlockerFindings turns what stops head's configurations from running into
// findings at the line that causes it, so a gate sees a configuration that
// a typo blocks. A scope reference that matches no group or user
// (unresolved-scope-ref) or several (ambiguous-scope-ref) is a deny with
// "did you mean" (naming a lookalike or invisible character and its code
// point); auto-redeem-not-enabled and missing-snapshot are warnings
// (inbound-sync-not-allowed is the built-in policy inbound-sync-required's,
// and unknown-target a load error).
//
// A blocker counts as the change's when base's cycle does not have it:
// base nil, or the same result as head (a working tree checked alone),
// makes every blocker head's own. One base already has is a warning: it
// was not caused by the change.
func BlockerFindings(base, head *simulate.Result, headRepo *tenants.Repo, snaps Snapshots) []Finding {
	if head == nil {
		return nil
	}
	before := map[string]bool{}
	if base != nil && base != head {
		for _, cr := range base.Configs {
			for _, b := range cr.Blockers {
				before[blockerKey(cr, b)] = true
			}
		}
	}
	var out []Finding
	for _, cr := range head.Configs {
		for _, b := range cr.Blockers {
			level := blockerLevels[b.Code]
			if level == "" {
				continue
			}
			f := Finding{Policy: b.Code, Level: level, Msg: fmt.Sprintf("sync/%s/%s: %s", cr.Source, cr.Name, b.Message),
				Tenant: cr.Source, File: b.File, Line: b.Line}
			if ref, kind, ok := scopeRef(cr, b, headRepo); ok {
				if pos := refPos(headRepo, cr, kind, ref); pos.File != "" {
					f.File, f.Line = pos.File, pos.Line
				}
				if b.Code == simulate.BlockerUnresolvedScopeRef {
					f.Msg += didYouMean(ref, kind, snaps[cr.Source])
				}
			}
			if before[blockerKey(cr, b)] {
				f.Level = LevelWarn
				f.Msg += " (base has it too: not caused by this change)"
			}
			if f.Line < 1 {
				f.Line = 1
			}
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// blockerLevels are the blockers that become findings, with their level.
var blockerLevels = map[string]string{
	simulate.BlockerUnresolvedScopeRef:   LevelDeny,
	simulate.BlockerAmbiguousScopeRef:    LevelDeny,
	simulate.BlockerAutoRedeemNotEnabled: LevelWarn,
	simulate.BlockerMissingSnapshot:      LevelWarn,
}

func blockerKey(cr simulate.ConfigResult, b simulate.Blocker) string {
	return cr.Source + "\x00" + cr.Name + "\x00" + b.Code + "\x00" + b.Message
}

// scopeRef finds the scope reference a scope blocker is about: the
// configuration's group or user whose quoted form its message holds.
func scopeRef(cr simulate.ConfigResult, b simulate.Blocker, repo *tenants.Repo) (ref, kind string, ok bool) {
	if b.Code != simulate.BlockerUnresolvedScopeRef && b.Code != simulate.BlockerAmbiguousScopeRef {
		return "", "", false
	}
	sc := syncConfig(repo, cr.Source, cr.Name)
	if sc == nil {
		return "", "", false
	}
	for kind, refs := range map[string][]string{"group": sc.Scope.Groups, "user": sc.Scope.Users} {
		for _, r := range refs {
			if containsQuoted(b.Message, "scope "+kind+" ", r) {
				return r, kind, true
			}
		}
	}
	return "", "", false
}

func containsQuoted(msg, prefix, ref string) bool {
	want := fmt.Sprintf("%s%q", prefix, ref)
	return len(msg) >= len(want) && msg[:len(want)] == want
}

func syncConfig(repo *tenants.Repo, source, name string) *tenants.SyncConfig {
	if repo == nil {
		return nil
	}
	t := repo.Tenant(source)
	if t == nil {
		return nil
	}
	for _, sc := range t.Sync {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

// refPos is the position of one scope reference ("sync.x.scope.groups.1").
func refPos(repo *tenants.Repo, cr simulate.ConfigResult, kind, ref string) tenants.Pos {
	t := repo.Tenant(cr.Source)
	sc := syncConfig(repo, cr.Source, cr.Name)
	refs := sc.Scope.Groups
	if kind == "user" {
		refs = sc.Scope.Users
	}
	for i, r := range refs {
		if r == ref {
			return t.PathPos(fmt.Sprintf("sync.%s.scope.%ss.%d", cr.Name, kind, i))
		}
	}
	return tenants.Pos{}
}

// didYouMean suggests the group display name or UPN of the source snapshot
// that a reference matching nothing was meant to name: ": did you mean
// "GlobalEmployees"? The reference has U+043E CYRILLIC SMALL LETTER O …".
// Without a suggestion, it names the reference's invisible or lookalike
// characters, if it has any.
func didYouMean(ref, kind string, snap *simulate.Snapshot) string {
	var names []string
	if snap != nil {
		if kind == "group" {
			for _, g := range snap.Groups {
				names = append(names, g.DisplayName)
			}
		} else {
			for _, u := range snap.Users {
				names = append(names, u.UserPrincipalName)
			}
		}
	}
	name, why := tenants.DidYouMean(ref, names)
	switch {
	case name != "" && why != "":
		return fmt.Sprintf(": did you mean %q? %s", name, capitalize(why))
	case name != "":
		return fmt.Sprintf(": did you mean %q?", name)
	}
	if ls := tenants.Lookalikes(ref); len(ls) > 0 {
		return ": the reference has " + tenants.JoinLookalikes(ls)
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
