package reconcile

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/tenants"
)

// ImportTenant is a tenant `xtsync import` makes a file for: the name the
// repository gives it and what Graph says of it.
type ImportTenant struct {
	Name          string
	TenantID      string
	DisplayName   string
	InitialDomain string
	Cloud         tenants.Cloud
}

// ImportNote is what ImportRepo has to say about one place of a tenant
// file: an object it left out and why, or what the first reconcile of the
// new repository will write (an adoption, a rename).
type ImportNote struct {
	// Tenant is the repository name of the tenant whose file it concerns.
	Tenant string
	// Path is the dotted path it concerns, named as tenants.Tenant.Paths
	// names them ("sync.eu-to-us.id", "partners.<id>"); "" for the file.
	Path string
	Msg  string
	// Left is true when a live object is not in the repository: reconcile
	// leaves it alone (it is not xtsync's), but nothing manages it either.
	Left bool
}

// ImportRepo builds a config repository from the live state of the tenants
// ts (the inverse of what a reconcile of it would write): one tenant each,
// the partners each has, and its cross-tenant sync configurations, with
// group and user ids named through dir. It is Import over a repository
// that declares everything live holds:
//
//   - a partner that is a tenant of ts is named by its repository name; a
//     partner outside ts is declared by tenant id when it grants trust
//     xtsync manages (automatic redemption either way, inbound user
//     sync), and left out with a note otherwise;
//   - a configuration xtsync made (tagged) keeps its name; one made in the
//     portal gets its service principal id (`id:`), so the first reconcile
//     adopts it rather than making a twin, and its display name as name
//     (made valid, and unique in the tenant, when it is not);
//   - a configuration the files cannot express — no provisioning job, a
//     target outside ts, a mapping or scoping filter the loader refuses —
//     is left out with a note saying why: reconcile does not touch a
//     configuration it does not own, so leaving it out changes nothing,
//     where writing it without the part would.
//
// Settings are the defaults. The notes are sorted by tenant and path.
func ImportRepo(live *State, ts []ImportTenant, dir Directory) (*tenants.Repo, []ImportNote) {
	skel := &tenants.Repo{Settings: tenants.DefaultSettings(), Tenants: []*tenants.Tenant{}}
	skel.Settings.File = tenants.SettingsFile
	names := map[string]string{}
	for _, it := range ts {
		names[strings.ToLower(it.TenantID)] = it.Name
	}
	var notes []ImportNote
	note := func(tenant, path, msg string, left bool) {
		notes = append(notes, ImportNote{Tenant: tenant, Path: path, Msg: msg, Left: left})
	}
	sorted := append([]ImportTenant(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, it := range sorted {
		cloud := it.Cloud
		if cloud == "" {
			cloud = tenants.CloudGlobal
		}
		t := &tenants.Tenant{Name: it.Name, TenantID: strings.ToLower(it.TenantID), DisplayName: it.DisplayName,
			InitialDomain: it.InitialDomain, Cloud: cloud, File: tenants.TenantsDir + "/" + it.Name + ".yaml",
			Partners: []*tenants.Partner{}, Sync: []*tenants.SyncConfig{}}
		skel.Tenants = append(skel.Tenants, t)
		var lt *TenantState
		if live != nil {
			lt = live.Tenants[t.TenantID]
		}
		if lt == nil {
			continue
		}
		for _, pid := range sortedKeys(lt.Partners) {
			lp := lt.Partners[pid]
			if n, ok := names[pid]; ok {
				t.Partners = append(t.Partners, &tenants.Partner{Tenant: n, TenantID: pid})
				continue
			}
			if bv(lp.InboundAutoRedeem) || bv(lp.OutboundAutoRedeem) || (lp.IdentitySync != nil && lp.IdentitySync.UserSyncInbound) {
				t.Partners = append(t.Partners, &tenants.Partner{Tenant: pid, TenantID: pid})
				note(t.Name, "partners."+pid, "a tenant outside this repository: the trust above is managed here from now on; its other cross-tenant access settings stay the portal's", false)
				continue
			}
			note(t.Name, "", fmt.Sprintf("partner %s (a tenant outside this repository) grants none of the trust xtsync manages: left out, and left as it is by reconcile (with prune: true it would be deleted; list it in ignorePartners to keep it)", pid), true)
		}
		sort.SliceStable(t.Partners, func(i, j int) bool {
			a, b := t.Partners[i], t.Partners[j]
			if (a.Tenant == a.TenantID) != (b.Tenant == b.TenantID) {
				return b.Tenant == b.TenantID // repository tenants first
			}
			return a.Tenant < b.Tenant
		})
		importConfigs(t, lt, names, note)
	}

	repo := Import(live, skel, dir)
	// Keep only what the files can say: a configuration the loader would
	// refuse is left out whole.
	dropped := map[string]bool{} // tenant + "\x00sync." + name
	for i, t := range repo.Tenants {
		declared := map[string]bool{}
		for _, sc := range skel.Tenants[i].Sync {
			declared[sc.Name] = true
		}
		kept := t.Sync[:0]
		for _, sc := range t.Sync {
			if !declared[sc.Name] {
				continue // noted above: no job, no target, a target not imported
			}
			if why := inexpressible(t, sc); why != "" {
				note(t.Name, "", fmt.Sprintf("configuration %q (service principal %s) is left out: %s; it stays as it is, unmanaged (fix it in the portal and import again, or write it here by hand)",
					sc.Name, configSP(live, skel.Tenants[i], sc), why), true)
				dropped[t.Name+"\x00sync."+sc.Name] = true
				continue
			}
			kept = append(kept, sc)
		}
		t.Sync = kept
	}
	// The notes of a configuration left out go with it.
	keptNotes := notes[:0]
	for _, n := range notes {
		p := n.Path
		if strings.HasPrefix(p, "sync.") {
			if i := strings.Index(p[len("sync."):], "."); i >= 0 {
				p = p[:len("sync.")+i]
			}
		}
		if !dropped[n.Tenant+"\x00"+p] {
			keptNotes = append(keptNotes, n)
		}
	}
	notes = keptNotes
	sort.SliceStable(notes, func(i, j int) bool {
		if notes[i].Tenant != notes[j].Tenant {
			return notes[i].Tenant < notes[j].Tenant
		}
		return notes[i].Path < notes[j].Path
	})
	return repo, notes
}

// importConfigs declares in t every live configuration of lt that a file
// can hold, named, and notes the others.
func importConfigs(t *tenants.Tenant, lt *TenantState, names map[string]string, note func(tenant, path, msg string, left bool)) {
	used := map[string]bool{}
	type cand struct {
		lc     *SyncConfig
		name   string
		tagged bool
	}
	var cands []cand
	for _, lc := range lt.Configs {
		what := fmt.Sprintf("configuration %q (service principal %s)", lc.DisplayName, lc.ServicePrincipalID)
		target := strings.ToLower(lc.Secrets[SecretCompanyID])
		switch {
		case lc.Job == nil:
			note(t.Name, "", what+" has no provisioning job (it was never finished): left out", true)
			continue
		case target == "":
			note(t.Name, "", what+" names no target tenant (no CompanyId secret): left out", true)
			continue
		case names[target] == "":
			note(t.Name, "", fmt.Sprintf("%s syncs to tenant %s, which is not imported: left out (import that tenant too, with --tenant NAME=%s, to manage it)", what, target, target), true)
			continue
		}
		if key := taggedKey(lc.Tags); strings.HasPrefix(key, t.Name+"/") && validSyncName(strings.TrimPrefix(key, t.Name+"/")) {
			cands = append(cands, cand{lc: lc, name: strings.TrimPrefix(key, t.Name+"/"), tagged: true})
			continue
		}
		cands = append(cands, cand{lc: lc})
	}
	// xtsync's own configurations keep their names; the others take what
	// is left.
	for _, c := range cands {
		if c.tagged {
			used[strings.ToLower(c.name)] = true
		}
	}
	for _, c := range cands {
		if c.tagged {
			t.Sync = append(t.Sync, &tenants.SyncConfig{Source: t.Name, Name: c.name})
			continue
		}
		name := uniqueName(syncName(c.lc.DisplayName), used)
		used[strings.ToLower(name)] = true
		t.Sync = append(t.Sync, &tenants.SyncConfig{Source: t.Name, Name: name, ID: strings.ToLower(c.lc.ServicePrincipalID)})
		p := "sync." + name
		note(t.Name, p+".id", "made in the portal: the first reconcile adopts this configuration by its id (tags it as xtsync's), its job and users kept", false)
		if name != c.lc.DisplayName {
			note(t.Name, p, fmt.Sprintf("named %q in Entra, which is not a name this file accepts ([A-Za-z0-9_.-], at most 120, unique in the tenant): the first reconcile renames it %q", c.lc.DisplayName, name), false)
		}
		if key := taggedKey(c.lc.Tags); key != "" {
			note(t.Name, p+".id", fmt.Sprintf("tagged as %q, which is not this tenant's: the first reconcile tags it again", key), false)
		}
	}
}

var syncNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,120}$`)

func validSyncName(s string) bool { return syncNameRE.MatchString(s) }

var notNameChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// syncName is a display name made a valid configuration name: every run
// of other characters becomes one hyphen.
func syncName(display string) string {
	s := strings.Trim(notNameChars.ReplaceAllString(display, "-"), "-")
	if len(s) > 120 {
		s = strings.TrimRight(s[:120], "-")
	}
	if s == "" {
		s = "sync"
	}
	return s
}

// uniqueName is name, or name-2, name-3 … the first not used (names
// compare without regard to case, as Entra's display names do for people).
func uniqueName(name string, used map[string]bool) string {
	if !used[strings.ToLower(name)] {
		return name
	}
	for i := 2; ; i++ {
		suffix := "-" + strconv.Itoa(i)
		base := name
		if len(base)+len(suffix) > 120 {
			base = base[:120-len(suffix)]
		}
		if c := base + suffix; !used[strings.ToLower(c)] {
			return c
		}
	}
}

// inexpressible says why a configuration's file form does not load, or "".
func inexpressible(t *tenants.Tenant, sc *tenants.SyncConfig) string {
	one := *t
	one.Partners, one.Sync = nil, []*tenants.SyncConfig{sc}
	_, ds := tenants.ParseTenant(t.File, tenants.Marshal(&one))
	var why []string
	for _, d := range ds.Errors() {
		why = append(why, d.Message)
	}
	return strings.Join(why, "; ")
}

// configSP is the service principal id of an imported configuration.
func configSP(live *State, t *tenants.Tenant, sc *tenants.SyncConfig) string {
	if sc.ID != "" {
		return sc.ID
	}
	if live != nil && live.Tenants[t.TenantID] != nil {
		for _, lc := range live.Tenants[t.TenantID].Configs {
			if taggedKey(lc.Tags) == sc.Key() {
				return lc.ServicePrincipalID
			}
		}
	}
	return "?"
}
