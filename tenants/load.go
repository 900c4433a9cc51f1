package tenants

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SettingsFile and TenantsDir are where a repository keeps its files.
const (
	SettingsFile = "xtsync.yaml"
	TenantsDir   = "tenants"
)

// DefaultSettings returns the settings of a repository without xtsync.yaml.
func DefaultSettings() Settings {
	return Settings{
		Policies:         []string{"policies"},
		DisabledPolicies: []string{},
		Snapshots:        ".xtsync/snapshots",
		IgnorePartners:   []string{},
		MaxDeleteShare:   0.1,
		Notifications:    Notifications{NearThreshold: 0.8, Webhooks: []Webhook{}},
	}
}

// Load reads xtsync.yaml (optional) and tenants/*.yaml from fsys, applies
// the defaults, resolves references and validates the repository. It returns
// the model and every problem found, sorted by position; the model is nil
// only when nothing could be read. It never panics.
func Load(fsys fs.FS) (*Repo, Diagnostics) {
	return LoadWith(fsys, LoadOptions{})
}

// LoadOptions are the checks of Load that depend on more than the files.
type LoadOptions struct {
	// Now, when set, is the time of the load: a suspend whose until is not
	// after it is an error (xtsync validate). Zero: not checked — reconcile
	// loads a repository whose suspension has ended and warns about it.
	Now time.Time
}

// LoadWith is Load with options.
func LoadWith(fsys fs.FS, o LoadOptions) (*Repo, Diagnostics) {
	repo, diags, _ := load(fsys, o)
	return repo, diags
}

// load also returns the format paths the loader read (for tests).
func load(fsys fs.FS, opts LoadOptions) (*Repo, Diagnostics, map[string]bool) {
	var diags Diagnostics
	read := map[string]bool{}
	repo := &Repo{Settings: DefaultSettings(), Tenants: []*Tenant{}}
	repo.Settings.File = SettingsFile

	settingsPaths := map[string]Pos{}
	items := itemPositions{partner: map[*Partner]map[string]Pos{}, sync: map[*SyncConfig]map[string]Pos{}}
	// unreadable maps the name of a tenant file that yields no tenant (by
	// its file name) to the file: references to it cannot be checked.
	unreadable := map[string]string{}
	if data, err := readFile(fsys, SettingsFile); err == nil {
		s, l := parseSettings(SettingsFile, data)
		repo.Settings = s
		settingsPaths = l.paths
		diags = append(diags, l.diags...)
		merge(read, l.read)
	} else if !errors.Is(err, fs.ErrNotExist) {
		diags = append(diags, fileError(SettingsFile, err))
	}

	entries, err := fs.ReadDir(fsys, TenantsDir)
	if err != nil {
		msg := fmt.Sprintf("read %s/: %v", TenantsDir, err)
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == TenantsDir {
			msg = pe.Err.Error()
		}
		if errors.Is(err, fs.ErrNotExist) {
			msg = "no tenants/ directory: a config repository keeps one file per tenant in tenants/<name>.yaml"
		}
		diags = append(diags, Diagnostic{Pos: Pos{File: TenantsDir}, Severity: SeverityError, Code: "no-tenants-dir", Message: msg})
		diags.Sort()
		return repo, diags, read
	}
	for _, e := range entries {
		file := path.Join(TenantsDir, e.Name())
		switch {
		case e.IsDir() || strings.HasPrefix(e.Name(), "."):
			continue
		case strings.HasSuffix(e.Name(), ".yml"):
			diags = append(diags, Diagnostic{Pos: Pos{File: file, Line: 1, Col: 1}, Severity: SeverityWarning, Code: "ignored-file",
				Message: "ignored: tenant files end in .yaml (rename it to " + strings.TrimSuffix(e.Name(), ".yml") + ".yaml)"})
			continue
		case !strings.HasSuffix(e.Name(), ".yaml"):
			continue
		}
		stem := strings.TrimSuffix(e.Name(), ".yaml")
		data, err := readFile(fsys, file)
		if err != nil {
			diags = append(diags, fileError(file, err))
			unreadable[stem] = file
			continue
		}
		t, l := parseTenant(file, data)
		diags = append(diags, l.diags...)
		merge(read, l.read)
		for p, paths := range l.partnerPaths {
			items.partner[p] = paths
		}
		for sc, paths := range l.syncPaths {
			items.sync[sc] = paths
		}
		if t == nil || t.Name == "" {
			unreadable[stem] = file
		}
		if t == nil {
			continue
		}
		if t.Name != "" && t.Name != stem && patterns[tenantNamePattern].MatchString(t.Name) {
			diags = append(diags, Diagnostic{Pos: t.PathPos("name"), Severity: SeverityError, Code: "file-name-mismatch",
				Message: fmt.Sprintf("name %q does not match the file name: rename the file to tenants/%s.yaml or set name: %s", t.Name, t.Name, stem)})
		}
		if t.Name == "" {
			continue
		}
		repo.Tenants = append(repo.Tenants, t)
	}
	sort.SliceStable(repo.Tenants, func(i, j int) bool { return repo.Tenants[i].Name < repo.Tenants[j].Name })
	diags = append(diags, check(repo, settingsPaths, items, unreadable)...)
	if !opts.Now.IsZero() {
		diags = append(diags, endedSuspends(repo, opts.Now)...)
	}
	diags.Sort()
	return repo, dedupe(diags), read
}

// dedupe drops repeated diagnostics (an aliased node reports once).
func dedupe(ds Diagnostics) Diagnostics {
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

func merge(dst, src map[string]bool) {
	for k := range src {
		dst[k] = true
	}
}

func fileError(file string, err error) Diagnostic {
	code := "read-error"
	if errors.Is(err, errTooLarge) {
		code = "file-too-large"
	}
	msg := fmt.Sprintf("read %s: %v", file, err)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == file {
		// The position names the file already: say only what is wrong
		// ("a symbolic link: ...").
		msg = pe.Err.Error()
		code = "unreadable-file"
	}
	return Diagnostic{Pos: Pos{File: file, Line: 1, Col: 1}, Severity: SeverityError, Code: code, Message: msg}
}

var errTooLarge = fmt.Errorf("file is larger than %d bytes (1 MiB)", MaxFileSize)

// readFile reads a file of at most MaxFileSize bytes.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	return data, nil
}

// ParseSettings decodes xtsync.yaml and applies the defaults.
func ParseSettings(file string, data []byte) (Settings, Diagnostics) {
	s, l := parseSettings(file, data)
	return s, l.diags
}

func parseSettings(file string, data []byte) (Settings, *fileLoader) {
	s := DefaultSettings()
	s.File = file
	l := newFileLoader(file)
	root := l.parseDoc(data, true)
	if root == nil {
		return s, l
	}
	s.Pos = l.pos(root)
	o := l.object(root, SettingsFormat(), "", "")
	if o.node == nil {
		return s, l
	}
	if v, nodes, present := o.strs("policies"); present {
		s.Policies = []string{}
		for i, dir := range v {
			if l.repoPath(nodes[i], "policies", dir) {
				s.Policies = append(s.Policies, dir)
			}
		}
	}
	if v, _, present := o.strs("disabledPolicies"); present {
		s.DisabledPolicies = append([]string{}, v...)
	}
	if v, n, ok := o.str("snapshots"); ok && l.repoPath(n, "snapshots", v) {
		s.Snapshots = v
	}
	s.Prune = o.boolean("prune", false)
	if v, _, present := o.strs("ignorePartners"); present {
		s.IgnorePartners = []string{}
		for _, id := range v {
			s.IgnorePartners = append(s.IgnorePartners, strings.ToLower(id))
		}
	}
	if v, n, ok := o.str("verifyCommits"); ok && l.repoPath(n, "verifyCommits", v) {
		s.VerifyCommits = v
	}
	for _, e := range o.entries("assumptions") {
		v := l.resolve(e.valNode)
		if v == nil || !l.scalarOf(v, "!!bool", "a boolean", "assumptions."+e.key) {
			continue
		}
		a, _ := assumptionByID(e.key)
		if !a.Overridable {
			l.errorf(e.keyNode, "fixed-assumption", "assumptions: %s cannot be overridden: it is how xtsync models Entra, not a guess Entra may contradict", e.key)
			continue
		}
		if s.Assumptions == nil {
			s.Assumptions = map[string]bool{}
		}
		s.Assumptions[e.key] = v.Value == "true"
	}
	s.MaxDeleteShare = o.number("maxDeleteShare", 0.1)
	if v, n, ok := o.str("policyTimeout"); ok {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil && v == "":
			l.errorf(n, "invalid-value", "policyTimeout: empty: want a duration such as 30s or 2m")
		case err != nil:
			// The pattern check reported it already.
		case d < time.Second || d > 24*time.Hour:
			l.errorf(n, "invalid-value", "policyTimeout: %s: want 1s to 24h", v)
		default:
			s.PolicyTimeout = d
		}
	}
	for i, it := range o.list("windows") {
		if w := parseWindow(o, it, i); w != nil {
			s.Windows = append(s.Windows, w)
		}
	}
	for i, it := range o.list("ignore") {
		if r := parseIgnore(o, it, i); r != nil {
			s.Ignore = append(s.Ignore, r)
		}
	}
	if no := o.child("notifications"); no != nil && no.node != nil {
		s.Notifications = parseNotifications(no)
	}
	return s, l
}

func parseWindow(o *obj, it *yaml.Node, i int) *Window {
	l := o.l
	wo := o.item("windows", it, "windows."+strconv.Itoa(i))
	if wo.node == nil {
		return nil
	}
	w := &Window{Index: i, TimeZone: "UTC", Tenants: []string{}, Configurations: []string{}, Pos: l.pos(it)}
	w.Name, _, _ = wo.str("name")
	if k, _, ok := wo.str("kind"); ok {
		w.Kind = WindowKind(k)
	}
	sched, sn, sok := wo.str("schedule")
	w.Schedule = sched
	w.Duration, _, _ = wo.duration("duration")
	tz, tzn, tzok := wo.str("timeZone")
	if tzok {
		w.TimeZone = tz
	}
	_, schedErr, tzErr := w.compile()
	if sok && schedErr != nil {
		l.errorf(sn, "invalid-schedule", "windows: schedule %q: %s", sched, cronReason(schedErr))
	}
	if tzok && tzErr != nil {
		l.errorf(tzn, "invalid-value", "windows: timeZone: %s", tzErr)
	}
	if v, nodes, _ := wo.strs("tenants"); v != nil {
		w.Tenants = v
		for _, n := range nodes {
			w.TenantPos = append(w.TenantPos, l.pos(n))
		}
	}
	if v, nodes, _ := wo.strs("configurations"); v != nil {
		w.Configurations = v
		for _, n := range nodes {
			w.ConfigPos = append(w.ConfigPos, l.pos(n))
		}
	}
	return w
}

// cronReason is the cron parser's error without its prefixes.
func cronReason(err error) string {
	msg := err.Error()
	for _, p := range []string{"failed to parse int from ", "provided bad location "} {
		msg = strings.Replace(msg, p, "bad number ", 1)
	}
	return msg + " (want minute hour day-of-month month day-of-week, or @daily, @weekly …)"
}

func parseIgnore(o *obj, it *yaml.Node, i int) *IgnoreRule {
	l := o.l
	ro := o.item("ignore", it, "ignore."+strconv.Itoa(i))
	if ro.node == nil {
		return nil
	}
	r := &IgnoreRule{Fields: []string{}, Pos: l.pos(it)}
	ok := true
	if v, n, present := ro.str("object"); present {
		r.Object = v
		_, err := compileObjectPattern(v)
		switch {
		case err != nil:
			l.errorf(n, "invalid-pattern", "ignore: object %q: %s", v, globReason(err))
			ok = false
		case !objectPatternKnown(v):
			l.errorf(n, "invalid-pattern", "ignore: object %q names no object reconcile manages: want partner/<tenant>/<partner>, identitySync/<target>/<source> or sync/<source>/<name>/<part>", v)
			ok = false
		}
	} else {
		ok = false
	}
	fields, nodes, present := ro.strs("fields")
	if present && len(fields) == 0 && len(nodes) == 0 {
		if n := ro.get("fields"); n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
			l.errorf(ro.keyNode("fields"), "invalid-value", "ignore: fields: empty: list the fields to leave alone (* for every field)")
		}
		ok = false
	}
	for j, f := range fields {
		p, err := compileFieldPattern(f)
		if err != nil {
			l.errorf(nodes[j], "invalid-pattern", "ignore: field %q: %s", f, globReason(err))
			ok = false
			continue
		}
		if !knownField(f, p) {
			l.warnf(nodes[j], "unknown-drift-field", "ignore: field %q matches no field reconcile reports (%s)", f, driftFieldList())
		}
		r.Fields = append(r.Fields, f)
	}
	if v, n, present := ro.str("reason"); present {
		r.Reason = strings.TrimSpace(v)
		if r.Reason == "" {
			l.errorf(n, "missing-key", "ignore: reason is blank: say why this drift is left alone (every run reports it)")
		}
	}
	if !ok {
		return nil
	}
	return r
}

func globReason(err error) string {
	return strings.TrimPrefix(err.Error(), "glob: ")
}

// objectPatternKnown reports whether an object pattern can match an object
// name: its first part is partner, identitySync, sync or a wildcard.
func objectPatternKnown(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	if strings.ContainsAny(first, "*?[{") {
		return true
	}
	return contains(objectKinds, first)
}

// driftFieldList lists the field names for a message.
func driftFieldList() string {
	var all []string
	for _, k := range []string{"partner", "identitySync", "app", "job", "secrets", "schema", "assignment", "state"} {
		all = append(all, DriftFields[k]...)
	}
	return strings.Join(all, ", ")
}

// parseSuspend reads a suspend key of a tenant or a sync configuration.
func parseSuspend(o *obj) *Suspend {
	so := o.child("suspend")
	if so == nil || so.node == nil {
		return nil
	}
	s := &Suspend{Pos: o.l.pos(so.node)}
	if t, n, ok := so.timestamp("until"); ok {
		s.Until, s.UntilPos = t, o.l.pos(n)
	}
	if r, n, ok := so.str("reason"); ok {
		s.Reason = strings.TrimSpace(r)
		if s.Reason == "" {
			o.l.errorf(n, "missing-key", "suspend: reason is blank: say why (every run reports it)")
		}
	}
	return s
}

// endedSuspends reports the suspensions whose until is not after now.
func endedSuspends(repo *Repo, now time.Time) Diagnostics {
	var ds Diagnostics
	check := func(what string, s *Suspend) {
		if s == nil || s.Until.IsZero() || s.Until.After(now) {
			return
		}
		ds = append(ds, Diagnostic{Pos: s.UntilPos, Severity: SeverityError, Code: "suspend-ended",
			Message: fmt.Sprintf("suspend of %s: until %s has passed (it is %s): remove the suspend, or set a later until", what, s.Until.Format(time.RFC3339), now.UTC().Format(time.RFC3339))})
	}
	for _, t := range repo.Tenants {
		check("tenant "+t.Name, t.Suspend)
		for _, sc := range t.Sync {
			check("sync "+sc.Key(), sc.Suspend)
		}
	}
	return ds
}

// parseNotifications decodes xtsync.yaml's notifications.
func parseNotifications(o *obj) Notifications {
	n := Notifications{NearThreshold: o.number("nearThreshold", 0.8), Webhooks: []Webhook{}}
	seen := map[string]int{}
	for i, it := range o.list("webhooks") {
		wo := o.item("webhooks", it, "notifications.webhooks."+strconv.Itoa(i))
		if wo.node == nil {
			continue
		}
		w := Webhook{Events: append([]string{}, NotifyEvents...), Pos: o.l.pos(it)}
		kind, _, okKind := wo.str("kind")
		env, envNode, okEnv := wo.str("urlEnv")
		if evs, nodes, present := wo.strs("events"); present {
			w.Events = []string{}
			dup := map[string]bool{}
			for j, ev := range evs {
				if dup[ev] {
					o.l.errorf(nodes[j], "duplicate-value", "events: %q is listed twice", ev)
					continue
				}
				dup[ev] = true
				w.Events = append(w.Events, ev)
			}
			if ev := wo.get("events"); ev != nil && ev.Kind == yaml.SequenceNode && len(ev.Content) == 0 {
				o.l.errorf(wo.keyNode("events"), "invalid-value", "events: empty: list at least one of %s, or remove the webhook", strings.Join(NotifyEvents, ", "))
			}
		}
		if !okKind || !okEnv {
			continue
		}
		if first, dup := seen[env]; dup {
			o.l.errorf(envNode, "duplicate-value", "urlEnv: %s is the URL of the webhook at line %d already: one webhook per URL", env, first)
			continue
		}
		seen[env] = w.Pos.Line
		w.Kind, w.URLEnv = kind, env
		n.Webhooks = append(n.Webhooks, w)
	}
	return n
}

// repoPath checks that a settings path stays inside the repository: a
// pull request must not point xtsync at files elsewhere on the machine.
func (l *fileLoader) repoPath(n *yaml.Node, key, p string) bool {
	if p == "" || !fs.ValidPath(path.Clean(p)) {
		l.errorf(n, "invalid-value", "%s: %q: want a relative path inside the repository (no leading /, no ..)", key, p)
		return false
	}
	return true
}

// itemPositions holds the paths each partner entry and sync configuration
// recorded itself (see fileLoader.partnerPaths).
type itemPositions struct {
	partner map[*Partner]map[string]Pos
	sync    map[*SyncConfig]map[string]Pos
}

// at returns the position of path (or of its nearest ancestor) among an
// entry's own paths, else the tenant's.
func at(t *Tenant, own map[string]Pos, path string) Pos {
	for p := path; p != ""; {
		if pos, ok := own[p]; ok {
			return pos
		}
		i := lastDot(p)
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return t.PathPos(path)
}

// check runs the checks that need the whole repository: duplicates across
// files, references, and the warnings.
func check(repo *Repo, settingsPaths map[string]Pos, items itemPositions, unreadable map[string]string) Diagnostics {
	var ds Diagnostics
	// unchecked notes, once per unreadable file, a reference to its tenant
	// that cannot be checked; it reports whether name is such a tenant.
	noted := map[string]bool{}
	unchecked := func(p Pos, what, name string) bool {
		file, ok := unreadable[name]
		if !ok {
			return false
		}
		if !noted[file] {
			noted[file] = true
			ds = append(ds, Diagnostic{Pos: p, Severity: SeverityNote, Code: "unchecked-reference",
				Message: fmt.Sprintf("%s %q: the reference could not be checked because %s has errors", what, name, file)})
		}
		return true
	}
	errorf := func(p Pos, code, format string, args ...any) {
		ds = append(ds, Diagnostic{Pos: p, Severity: SeverityError, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	warnf := func(p Pos, code, format string, args ...any) {
		ds = append(ds, Diagnostic{Pos: p, Severity: SeverityWarning, Code: code, Message: fmt.Sprintf(format, args...)})
	}

	byName := map[string]*Tenant{}
	byID := map[string]*Tenant{}
	byFile := map[string]*Tenant{}
	var names []string
	for _, t := range repo.Tenants {
		byFile[t.File] = t
		if first := byName[t.Name]; first != nil {
			errorf(t.PathPos("name"), "duplicate-tenant", "tenant name %q is also declared in %s", t.Name, first.File)
		} else {
			byName[t.Name] = t
			names = append(names, t.Name)
		}
		if t.TenantID == "" {
			continue
		}
		if first := byID[t.TenantID]; first != nil {
			errorf(t.PathPos("tenantId"), "duplicate-tenant-id", "tenant id %s is also tenant %q (%s)", t.TenantID, first.Name, first.File)
		} else {
			byID[t.TenantID] = t
		}
	}

	// Resolve partners.
	for _, t := range repo.Tenants {
		seen := map[string]Pos{}
		var kept []*Partner
		for _, p := range t.Partners {
			own := items.partner[p]
			written := p.Tenant
			if p.TenantID != "" {
				if rt := byID[p.TenantID]; rt != nil {
					p.Tenant = rt.Name
				}
			} else if rt := byName[p.Tenant]; rt != nil {
				p.TenantID = rt.TenantID
			} else if unchecked(at(t, own, "partners."+written+".tenant"), "partner", p.Tenant) {
				kept = append(kept, p)
				continue
			} else {
				msg := fmt.Sprintf("partner %q is neither a tenant of this repository nor a tenant id (GUID)", p.Tenant)
				if s := suggest(p.Tenant, names); s != "" {
					msg += fmt.Sprintf(": did you mean %q?", s)
				}
				errorf(at(t, own, "partners."+written+".tenant"), "unknown-partner", "%s", msg)
				kept = append(kept, p)
				continue
			}
			if written != p.Tenant {
				renamePaths(own, "partners."+written, "partners."+p.Tenant)
			}
			if p.Tenant == t.Name || (p.TenantID != "" && p.TenantID == t.TenantID) {
				errorf(p.Pos, "self-partner", "a tenant cannot be its own partner")
				continue
			}
			key := p.TenantID
			if key == "" {
				key = p.Tenant
			}
			if first, dup := seen[key]; dup {
				errorf(p.Pos, "duplicate-partner", "duplicate partner entry for %s (first at line %d): merge the two entries", p.Tenant, first.Line)
				continue
			}
			seen[key] = p.Pos
			kept = append(kept, p)
		}
		// The partner paths, under the resolved names, of the entries kept
		// (the first of duplicates).
		for k := range t.Paths {
			if strings.HasPrefix(k, "partners.") {
				delete(t.Paths, k)
			}
		}
		for _, p := range kept {
			addPaths(t.Paths, items.partner[p])
		}
	}

	// Sync configurations.
	pairs := map[[2]string][]*SyncConfig{}
	for _, t := range repo.Tenants {
		for _, sc := range t.Sync {
			sc.Source = t.Name
			own := items.sync[sc]
			base := "sync." + sc.Name
			if sc.Target == "" {
				continue
			}
			if IsGUID(sc.Target) {
				if rt := byID[sc.Target]; rt != nil {
					sc.Target = rt.Name
				}
			}
			tgt := byName[sc.Target]
			if tgt == nil && unchecked(at(t, own, base+".target"), "sync "+sc.Name+": target", sc.Target) {
				continue
			}
			if tgt == nil {
				msg := fmt.Sprintf("sync %s: target %q is not a tenant of this repository", sc.Name, sc.Target)
				file := path.Join(TenantsDir, sc.Target+".yaml")
				switch owner := byFile[file]; {
				case owner != nil:
					// The file is there; the name inside it is not.
					msg += fmt.Sprintf(": %s exists, but its name is %q: rename one of them", file, owner.Name)
				case suggest(sc.Target, names) != "":
					msg += fmt.Sprintf(": did you mean %q?", suggest(sc.Target, names))
				case patterns[tenantNamePattern].MatchString(sc.Target):
					msg += fmt.Sprintf(": add %s", file)
				default:
					msg += ": a tenant's name is lower-case letters, digits and dashes (at most 63), the name of its file in tenants/"
				}
				errorf(at(t, own, base+".target"), "dangling-target", "%s", msg)
				continue
			}
			if tgt == t {
				errorf(at(t, own, base+".target"), "self-sync", "sync %s: the target is the source itself", sc.Name)
				continue
			}
			pair := [2]string{t.Name, tgt.Name}
			pairs[pair] = append(pairs[pair], sc)

			in := tgt.Partner(t.Name)
			switch {
			case in == nil:
				warnf(at(t, own, base+".target"), "inbound-sync-not-allowed", "sync %s: %s has no partner entry for %s: add one with inbound.userSync: true to %s (until then the sync is blocked)", sc.Name, tgt.Name, t.Name, tgt.File)
			case in.Inbound == nil || !in.Inbound.UserSync:
				warnf(at(t, own, base+".target"), "inbound-sync-not-allowed", "sync %s: %s does not allow user sync from %s: set inbound.userSync: true in %s (until then the sync is blocked)", sc.Name, tgt.Name, t.Name, tgt.File)
			}
			if in != nil && (in.Inbound == nil || !in.Inbound.AutoRedeem) {
				warnf(at(t, own, base+".target"), "auto-redeem-off", "sync %s: %s does not auto-redeem invitations from %s: set inbound.autoRedeem: true in %s (until then the sync is blocked)", sc.Name, tgt.Name, t.Name, tgt.File)
			}
			if out := t.Partner(tgt.Name); out == nil || out.Outbound == nil || !out.Outbound.AutoRedeem {
				warnf(at(t, own, base+".target"), "auto-redeem-off", "sync %s: %s does not auto-redeem invitations towards %s: add a partner entry for %s with outbound.autoRedeem: true (until then the sync is blocked)", sc.Name, t.Name, tgt.Name, tgt.Name)
			}
			if sc.Scope.All && !contains(sc.Acknowledge, "scope-all") {
				warnf(at(t, own, base+".scope.all"), "scope-all", "sync %s: scope.all provisions every member of %s into %s: add acknowledge: [scope-all] if that is intended", sc.Name, t.Name, tgt.Name)
			}
			if t.Cloud != tgt.Cloud {
				warnf(at(t, own, base+".target"), "cross-cloud", "sync %s: %s (%s) and %s (%s) are in different clouds: Entra needs an Entra ID Governance licence and syncs neither manager nor groups across clouds", sc.Name, t.Name, t.Cloud, tgt.Name, tgt.Cloud)
			}
		}
	}
	for _, scs := range pairs {
		for _, sc := range scs[1:] {
			src := byName[sc.Source]
			warnf(at(src, items.sync[sc], "sync."+sc.Name), "several-configs", "sync %s: %s already has a configuration into %s (%s): Entra runs both, so make sure their scopes do not overlap", sc.Name, sc.Source, sc.Target, scs[0].Name)
		}
	}

	// Names a reviewer cannot read right: a zero-width space or a letter
	// of another alphabet in a scope reference or a filter value makes it
	// match nothing while it looks right in the diff.
	for _, t := range repo.Tenants {
		for _, sc := range t.Sync {
			base := "sync." + sc.Name + ".scope."
			for what, refs := range map[string][]string{"group": sc.Scope.Groups, "user": sc.Scope.Users} {
				for i, ref := range refs {
					if ls := Lookalikes(ref); len(ls) > 0 {
						warnf(t.PathPos(fmt.Sprintf("%s%ss.%d", base, what, i)), "lookalike-name", "sync %s: scope %s %q has %s: a reference that looks right may match nothing", sc.Name, what, ref, JoinLookalikes(ls))
					}
				}
			}
			for i, f := range sc.Scope.Filters {
				for j, c := range f.Clauses {
					if strings.Contains(string(c.Operator), "REGEX") {
						continue
					}
					if ls := Lookalikes(c.Value); len(ls) > 0 {
						warnf(t.PathPos(fmt.Sprintf("%sfilters.%d.clauses.%d.value", base, i, j)), "lookalike-name", "sync %s: filter value %q has %s: a value that looks right may match nothing", sc.Name, c.Value, JoinLookalikes(ls))
					}
				}
			}
		}
	}

	// Settings references.
	s := repo.Settings
	for _, id := range s.IgnorePartners {
		if t := byID[id]; t != nil {
			warnf(settingsPaths["ignorePartners"], "ignored-repo-tenant", "ignorePartners lists %s, which is tenant %s of this repository", id, t.Name)
		}
	}
	configs := map[string]bool{}
	var configNames []string
	for _, sc := range repo.SyncConfigs() {
		configs[sc.Key()] = true
		configNames = append(configNames, sc.Key())
	}
	names2 := map[string]Pos{}
	for _, w := range s.Windows {
		if w.Name != "" {
			if first, dup := names2[w.Name]; dup {
				errorf(w.Pos, "duplicate-window", "windows: name %q is also the name of the window at line %d", w.Name, first.Line)
			} else {
				names2[w.Name] = w.Pos
			}
		}
		for i, name := range w.Tenants {
			if byName[name] != nil || unchecked(w.TenantPos[i], "windows: tenant", name) {
				continue
			}
			msg := fmt.Sprintf("windows: tenant %q is not a tenant of this repository", name)
			if sg := suggest(name, names); sg != "" {
				msg += fmt.Sprintf(": did you mean %q?", sg)
			}
			errorf(w.TenantPos[i], "unknown-tenant", "%s", msg)
		}
		for i, key := range w.Configurations {
			src, _, _ := strings.Cut(key, "/")
			if configs[key] || unchecked(w.ConfigPos[i], "windows: configuration", src) {
				continue
			}
			msg := fmt.Sprintf("windows: configuration %q is not a sync configuration of this repository (want <source>/<name>)", key)
			if sg := suggest(key, configNames); sg != "" {
				msg += fmt.Sprintf(": did you mean %q?", sg)
			}
			errorf(w.ConfigPos[i], "unknown-configuration", "%s", msg)
		}
	}
	return ds
}

// renamePaths moves every path under old to new.
func renamePaths(paths map[string]Pos, old, new string) {
	for k, v := range paths {
		if k == old || strings.HasPrefix(k, old+".") {
			delete(paths, k)
			paths[new+strings.TrimPrefix(k, old)] = v
		}
	}
}
