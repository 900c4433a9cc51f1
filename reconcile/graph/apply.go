package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xtsync/xtsync/reconcile"
)

// ApplierOptions tunes an Applier.
type ApplierOptions struct {
	// ReplicationWait bounds the wait for a new service principal to be
	// readable after instantiating the template (Graph documents "up to a
	// few minutes"); default 5 minutes.
	ReplicationWait time.Duration
	// ReplicationPoll is the first delay between reads of a new service
	// principal, doubled up to 15 s; default 100 ms.
	ReplicationPoll time.Duration
}

// Applier applies reconcile Changes through the clients (by
// Change.TenantID). It remembers the ids of the objects earlier changes
// of the same configuration created or found.
type Applier struct {
	clients map[string]*Client
	opts    ApplierOptions
	mu      sync.Mutex
	mem     map[string]*configIDs // by tenant id + "|" + Change.Config
	// templates are the job template schemas read, by tenant id.
	templates map[string]json.RawMessage
}

// configIDs are the ids of one configuration's parts.
type configIDs struct {
	sp, app, job, appRole string
}

var _ reconcile.Applier = (*Applier)(nil)

// NewApplier returns an Applier writing through clients (keyed by tenant id).
func NewApplier(clients map[string]*Client, opts ApplierOptions) *Applier {
	if opts.ReplicationWait <= 0 {
		opts.ReplicationWait = 5 * time.Minute
	}
	if opts.ReplicationPoll <= 0 {
		opts.ReplicationPoll = 100 * time.Millisecond
	}
	cs := map[string]*Client{}
	for k, c := range clients {
		cs[strings.ToLower(k)] = c
	}
	return &Applier{clients: cs, opts: opts, mem: map[string]*configIDs{}, templates: map[string]json.RawMessage{}}
}

// Apply writes one change and says what became of it.
func (a *Applier) Apply(ctx context.Context, ch *reconcile.Change) (reconcile.ResultKind, error) {
	c := a.clients[strings.ToLower(ch.TenantID)]
	if c == nil {
		return reconcile.ResultFailed, fmt.Errorf("%s: no Graph client for tenant %s", ch.Object, ch.TenantID)
	}
	var (
		r   reconcile.ResultKind
		err error
	)
	switch ch.Kind {
	case reconcile.KindPartner:
		r, err = a.partner(ctx, c, ch)
	case reconcile.KindIdentitySync:
		r, err = a.identitySync(ctx, c, ch)
	case reconcile.KindApp:
		r, err = a.app(ctx, c, ch)
	case reconcile.KindJob:
		r, err = a.job(ctx, c, ch)
	case reconcile.KindSecrets:
		r, err = a.secrets(ctx, c, ch)
	case reconcile.KindSchema:
		r, err = a.schema(ctx, c, ch)
	case reconcile.KindAssignment:
		r, err = a.assignment(ctx, c, ch)
	case reconcile.KindState:
		r, err = a.state(ctx, c, ch)
	default:
		err = fmt.Errorf("unknown kind %q", ch.Kind)
	}
	if err != nil {
		return reconcile.ResultFailed, fmt.Errorf("%s %s: %w", ch.Action, ch.Object, err)
	}
	return r, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain values are marshalled
	}
	return b
}

// --- trust -------------------------------------------------------------

func consent(p *reconcile.Partner) map[string]any {
	return map[string]any{"automaticUserConsentSettings": map[string]any{"inboundAllowed": p.InboundAutoRedeem, "outboundAllowed": p.OutboundAutoRedeem}}
}

func boolEq(a, b *bool) bool {
	return (a == nil || !*a) == (b == nil || !*b) && (a == nil) == (b == nil)
}

func (a *Applier) partner(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	p := ch.Partner
	if p == nil {
		return "", errors.New("change has no partner")
	}
	path := partnersPath + "/" + url.PathEscape(p.TenantID)
	if ch.Action == reconcile.ActionDelete {
		return deleteAt(ctx, c, path)
	}
	cur, err := c.Do(ctx, http.MethodGet, path, nil)
	switch {
	case IsNotFound(err):
		body := consent(p)
		body["tenantId"] = p.TenantID
		if _, err := c.Do(ctx, http.MethodPost, partnersPath, mustJSON(body)); err != nil && !IsConflict(err) {
			return "", err
		} else if err == nil {
			return reconcile.ResultCreated, nil
		}
		if cur, err = c.Do(ctx, http.MethodGet, path, nil); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	}
	var w wirePartner
	if err := json.Unmarshal(cur, &w); err != nil {
		return "", fmt.Errorf("reading the partner: %w", err)
	}
	if w.AutomaticUserConsentSettings != nil && boolEq(w.AutomaticUserConsentSettings.InboundAllowed, p.InboundAutoRedeem) &&
		boolEq(w.AutomaticUserConsentSettings.OutboundAllowed, p.OutboundAutoRedeem) {
		return reconcile.ResultUnchanged, nil
	}
	if _, err := c.Do(ctx, http.MethodPatch, path, mustJSON(consent(p))); err != nil {
		return "", err
	}
	return reconcile.ResultUpdated, nil
}

func (a *Applier) identitySync(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	// The object is identitySync/<target>/<source>: the partner is the source.
	partnerID := ""
	if ch.Partner != nil {
		partnerID = ch.Partner.TenantID
	}
	if partnerID == "" {
		return "", errors.New("change names no partner tenant (Change.Partner)")
	}
	path := partnersPath + "/" + url.PathEscape(partnerID) + "/identitySynchronization"
	if ch.Action == reconcile.ActionDelete {
		return deleteAt(ctx, c, path)
	}
	is := ch.IdentitySync
	if is == nil {
		return "", errors.New("change has no identity synchronization")
	}
	body := map[string]any{"displayName": is.DisplayName, "userSyncInbound": map[string]any{"isSyncAllowed": is.UserSyncInbound}}
	cur, err := c.Do(ctx, http.MethodGet, path, nil)
	if IsNotFound(err) {
		body["tenantId"] = partnerID
		if _, err := c.Do(ctx, http.MethodPut, path, mustJSON(body)); err != nil {
			return "", err
		}
		return reconcile.ResultCreated, nil
	} else if err != nil {
		return "", err
	}
	var w struct {
		DisplayName     string `json:"displayName"`
		UserSyncInbound struct {
			IsSyncAllowed bool `json:"isSyncAllowed"`
		} `json:"userSyncInbound"`
	}
	if err := json.Unmarshal(cur, &w); err != nil {
		return "", fmt.Errorf("reading the identity synchronization: %w", err)
	}
	if w.UserSyncInbound.IsSyncAllowed == is.UserSyncInbound && (is.DisplayName == "" || w.DisplayName == is.DisplayName) {
		return reconcile.ResultUnchanged, nil
	}
	if is.DisplayName == "" {
		delete(body, "displayName")
	}
	if _, err := c.Do(ctx, http.MethodPatch, path, mustJSON(body)); err != nil {
		return "", err
	}
	return reconcile.ResultUpdated, nil
}

// deleteAt deletes path; a 404 is unchanged.
func deleteAt(ctx context.Context, c *Client, path string) (reconcile.ResultKind, error) {
	if _, err := c.Do(ctx, http.MethodDelete, path, nil); err != nil {
		if IsNotFound(err) {
			return reconcile.ResultUnchanged, nil
		}
		return "", err
	}
	return reconcile.ResultDeleted, nil
}

// --- the configuration's ids --------------------------------------------

func (a *Applier) memory(ch *reconcile.Change) *configIDs {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := strings.ToLower(ch.TenantID) + "|" + ch.Config
	m := a.mem[k]
	if m == nil {
		m = &configIDs{}
		a.mem[k] = m
	}
	if s := ch.Sync; s != nil {
		if m.sp == "" {
			m.sp = s.ServicePrincipalID
		}
		if m.app == "" {
			m.app = s.ApplicationID
		}
		if m.appRole == "" {
			m.appRole = s.AppRoleID
		}
		if m.job == "" && s.Job != nil {
			m.job = s.Job.ID
		}
	}
	return m
}

func (a *Applier) remember(ch *reconcile.Change, f func(m *configIDs)) {
	m := a.memory(ch)
	a.mu.Lock()
	f(m)
	a.mu.Unlock()
}

// tagOf is the ownership tag of the change's configuration.
func tagOf(ch *reconcile.Change) string {
	if ch.Sync != nil && ch.Sync.Source != "" && ch.Sync.Name != "" {
		return reconcile.TagSyncPrefix + ch.Sync.Source + "/" + ch.Sync.Name
	}
	return reconcile.TagSyncPrefix + ch.Config
}

// findSP reads the template's service principals and returns the one
// tagged for the change's configuration, else (when byName) the one with
// its display name; nil when none.
func findSP(ctx context.Context, c *Client, ch *reconcile.Change, byName bool) (*wireSP, error) {
	b, err := c.Do(ctx, http.MethodGet, templateSPs, nil)
	if err != nil {
		return nil, err
	}
	items, err := c.getList(ctx, b)
	if err != nil {
		return nil, err
	}
	tag := tagOf(ch)
	var named *wireSP
	for _, raw := range items {
		var sp wireSP
		if err := json.Unmarshal(raw, &sp); err != nil {
			return nil, fmt.Errorf("reading a service principal: %w", err)
		}
		if slices.Contains(sp.Tags, tag) {
			return &sp, nil
		}
		if byName && named == nil && ch.Sync != nil && sp.DisplayName == ch.Sync.DisplayName {
			named = &sp
		}
	}
	return named, nil
}

// ids returns the configuration's ids, re-reading the service principal
// (and the application and job) when memory has none.
func (a *Applier) ids(ctx context.Context, c *Client, ch *reconcile.Change, needJob bool) (*configIDs, error) {
	m := a.memory(ch)
	a.mu.Lock()
	got := *m
	a.mu.Unlock()
	if got.sp == "" || got.appRole == "" {
		sp, err := findSP(ctx, c, ch, false)
		if err != nil {
			return nil, err
		}
		if sp == nil && got.sp == "" {
			return nil, fmt.Errorf("no service principal tagged %s", tagOf(ch))
		}
		if sp != nil {
			got.sp, got.appRole = sp.ID, sp.msiamRole()
		} else {
			b, err := c.Do(ctx, http.MethodGet, "servicePrincipals/"+got.sp+"?$select=id,appRoles", nil)
			if err != nil {
				return nil, err
			}
			var w wireSP
			if err := json.Unmarshal(b, &w); err != nil {
				return nil, err
			}
			got.appRole = w.msiamRole()
		}
	}
	if needJob && got.job == "" {
		id, err := jobOf(ctx, c, got.sp)
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, errors.New("the configuration has no synchronization job")
		}
		got.job = id
	}
	a.remember(ch, func(m *configIDs) { *m = got })
	return &got, nil
}

// jobOf returns the id of the Azure2Azure job of a service principal, or "".
func jobOf(ctx context.Context, c *Client, sp string) (string, error) {
	b, err := c.Do(ctx, http.MethodGet, "servicePrincipals/"+sp+"/synchronization/jobs", nil)
	if err != nil {
		if IsNotFound(err) {
			return "", nil
		}
		return "", err
	}
	var w struct {
		Value []struct{ ID, TemplateID string } `json:"value"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return "", fmt.Errorf("reading the jobs: %w", err)
	}
	for _, j := range w.Value {
		if strings.EqualFold(j.TemplateID, reconcile.JobTemplateID) {
			return j.ID, nil
		}
	}
	return "", nil
}

// --- app -----------------------------------------------------------------

func (a *Applier) app(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	s := ch.Sync
	if s == nil {
		return "", errors.New("change has no configuration")
	}
	m := a.memory(ch)
	if ch.Action == reconcile.ActionDelete {
		app := m.app
		if app == "" && m.sp != "" {
			b, err := c.Do(ctx, http.MethodGet, "servicePrincipals/"+m.sp+"?$select=appId", nil)
			if IsNotFound(err) {
				return reconcile.ResultUnchanged, nil
			} else if err != nil {
				return "", err
			}
			var w struct{ AppID string }
			_ = json.Unmarshal(b, &w)
			ab, err := c.Do(ctx, http.MethodGet, "applications(appId='"+w.AppID+"')?$select=id", nil)
			if err != nil {
				return "", err
			}
			var wa struct{ ID string }
			_ = json.Unmarshal(ab, &wa)
			app = wa.ID
		}
		if app == "" {
			return "", errors.New("no application id to delete")
		}
		return deleteAt(ctx, c, "applications/"+app)
	}
	// Create or adopt: the tagged one, the one of memory, else one of that
	// display name (a half-made or portal-made configuration the plan
	// adopts), else instantiate.
	var sp *wireSP
	if m.sp != "" {
		b, err := c.Do(ctx, http.MethodGet, "servicePrincipals/"+m.sp+"?$select=id,appId,displayName,tags,appRoles", nil)
		if err != nil && !IsNotFound(err) {
			return "", err
		}
		if err == nil {
			sp = &wireSP{}
			if err := json.Unmarshal(b, sp); err != nil {
				return "", err
			}
		}
	}
	if sp == nil {
		var err error
		if sp, err = findSP(ctx, c, ch, true); err != nil {
			return "", err
		}
	}
	result := reconcile.ResultUpdated
	if sp == nil {
		var err error
		if sp, err = a.instantiate(ctx, c, ch); err != nil {
			return "", err
		}
		result = reconcile.ResultCreated
	}
	a.remember(ch, func(m *configIDs) { m.sp, m.appRole = sp.ID, sp.msiamRole() })
	// The application's id, for a later delete.
	if m.app == "" && sp.AppID != "" {
		if b, err := c.Do(ctx, http.MethodGet, "applications(appId='"+sp.AppID+"')?$select=id", nil); err == nil {
			var wa struct{ ID string }
			if json.Unmarshal(b, &wa) == nil {
				a.remember(ch, func(m *configIDs) { m.app = wa.ID })
			}
		}
	}
	want := s.Tags
	if !slices.Contains(want, reconcile.TagOwner) {
		want = append(slices.Clone(want), reconcile.TagOwner)
	}
	if tag := tagOf(ch); !slices.Contains(want, tag) {
		want = append(want, tag)
	}
	tags := slices.Clone(sp.Tags)
	for _, t := range want {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	patch := map[string]any{}
	if len(tags) != len(sp.Tags) {
		patch["tags"] = tags
	}
	if s.DisplayName != "" && s.DisplayName != sp.DisplayName {
		patch["displayName"] = s.DisplayName
	}
	if len(patch) == 0 {
		if result == reconcile.ResultCreated {
			return result, nil
		}
		return reconcile.ResultUnchanged, nil
	}
	if _, err := c.Do(ctx, http.MethodPatch, "servicePrincipals/"+sp.ID, mustJSON(patch)); err != nil {
		return "", err
	}
	return result, nil
}

// instantiate instantiates the template and waits until the new service
// principal is readable. Instantiate is not idempotent: after a dropped
// connection or a 5xx the service principal is looked up by display name
// before a second attempt, so a run never makes two.
func (a *Applier) instantiate(ctx context.Context, c *Client, ch *reconcile.Change) (*wireSP, error) {
	body := mustJSON(map[string]any{"displayName": ch.Sync.DisplayName})
	var sp *wireSP
	for attempt := 0; ; attempt++ {
		b, err := c.Do(ctx, http.MethodPost, "applicationTemplates/"+reconcile.XTSTemplateID+"/instantiate", body)
		if err == nil {
			var w struct {
				Application struct {
					ID string `json:"id"`
				} `json:"application"`
				ServicePrincipal wireSP `json:"servicePrincipal"`
			}
			if err := json.Unmarshal(b, &w); err != nil {
				return nil, fmt.Errorf("reading the instantiated application: %w", err)
			}
			sp = &w.ServicePrincipal
			a.remember(ch, func(m *configIDs) { m.app = w.Application.ID })
			break
		}
		var ae *APIError
		if ctx.Err() != nil || attempt >= 3 || (errors.As(err, &ae) && ae.Status < 500) {
			return nil, err
		}
		c.stats.retries.Add(1)
		found, ferr := findSP(ctx, c, ch, true)
		if ferr != nil {
			return nil, ferr
		}
		if found != nil {
			return found, nil
		}
	}
	// Replication: the new service principal answers 404 for a while.
	delay := a.opts.ReplicationPoll
	deadline := time.Now().Add(a.opts.ReplicationWait)
	for {
		_, err := c.Do(ctx, http.MethodGet, "servicePrincipals/"+sp.ID+"?$select=id", nil)
		if err == nil {
			return sp, nil
		}
		if !IsNotFound(err) {
			return nil, err
		}
		if time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("service principal %s still not found %s after instantiating the template: %w", sp.ID, a.opts.ReplicationWait, err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 15*time.Second)
	}
}

// --- job, secrets, schema, state ------------------------------------------

func (a *Applier) job(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	ids, err := a.ids(ctx, c, ch, false)
	if err != nil {
		return "", err
	}
	base := "servicePrincipals/" + ids.sp + "/synchronization/jobs"
	if ch.Action == reconcile.ActionDelete {
		if ids.job == "" {
			if ids.job, err = jobOf(ctx, c, ids.sp); err != nil || ids.job == "" {
				return reconcile.ResultUnchanged, err
			}
		}
		return deleteAt(ctx, c, base+"/"+url.PathEscape(ids.job))
	}
	if id, err := jobOf(ctx, c, ids.sp); err != nil {
		return "", err
	} else if id != "" {
		a.remember(ch, func(m *configIDs) { m.job = id })
		return reconcile.ResultUnchanged, nil
	}
	// Test connection first: an error names the missing trust.
	target := ""
	if ch.Sync != nil {
		target = ch.Sync.Secrets["CompanyId"]
	}
	if target != "" {
		vb := mustJSON(map[string]any{"templateId": reconcile.JobTemplateID, "useSavedCredentials": false,
			"credentials": []map[string]string{{"key": "CompanyId", "value": target}, {"key": "AuthenticationType", "value": "SyncPolicy"}}})
		if _, err := c.Do(ctx, http.MethodPost, base+"/validateCredentials", vb); err != nil {
			return "", fmt.Errorf("testing the connection to tenant %s (its partner configuration and inbound identity synchronization must exist first): %w", target, err)
		}
	}
	b, err := c.Do(ctx, http.MethodPost, base, mustJSON(map[string]any{"templateId": reconcile.JobTemplateID}))
	if err != nil {
		return "", err
	}
	var w struct{ ID string }
	if err := json.Unmarshal(b, &w); err != nil {
		return "", fmt.Errorf("reading the new job: %w", err)
	}
	a.remember(ch, func(m *configIDs) { m.job = w.ID })
	return reconcile.ResultCreated, nil
}

func (a *Applier) secrets(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	if ch.Action == reconcile.ActionDelete {
		return reconcile.ResultUnchanged, nil // secrets go with their service principal
	}
	ids, err := a.ids(ctx, c, ch, false)
	if err != nil {
		return "", err
	}
	path := "servicePrincipals/" + ids.sp + "/synchronization/secrets"
	want := map[string]string{}
	if ch.Sync != nil {
		want = ch.Sync.Secrets
	}
	if b, err := c.Do(ctx, http.MethodGet, path, nil); err == nil {
		var w struct {
			Value []struct{ Key, Value string } `json:"value"`
		}
		if json.Unmarshal(b, &w) == nil {
			cur := map[string]string{}
			for _, kv := range w.Value {
				cur[kv.Key] = kv.Value
			}
			same := len(cur) == len(want)
			for k, v := range want {
				same = same && cur[k] == v
			}
			if same {
				return reconcile.ResultUnchanged, nil
			}
		}
	} else if !IsNotFound(err) {
		return "", err
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	kvs := []map[string]string{}
	for _, k := range keys {
		kvs = append(kvs, map[string]string{"key": k, "value": want[k]})
	}
	if _, err := c.Do(ctx, http.MethodPut, path, mustJSON(map[string]any{"value": kvs})); err != nil {
		return "", redact(err, want)
	}
	return reconcile.ResultUpdated, nil
}

// redact removes secret values from an error's text.
func redact(err error, secrets map[string]string) error {
	msg := err.Error()
	changed := false
	for _, v := range secrets {
		if len(v) >= 4 && strings.Contains(msg, v) {
			msg, changed = strings.ReplaceAll(msg, v, "[redacted]"), true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}

// equalSchema compares two schemas with reconcile.NormalizeSchema, or as
// compacted JSON when it fails.
func equalSchema(x, y json.RawMessage) bool { return reconcile.EqualSchemas(x, y) }

// template returns the Azure2Azure template's schema as Graph serves it
// for service principal sp (nil when it serves none), read once per run
// per tenant: the defaults of the mappings the repository does not name.
func (a *Applier) template(ctx context.Context, c *Client, sp string) (json.RawMessage, error) {
	a.mu.Lock()
	t, ok := a.templates[strings.ToLower(c.TenantID())]
	a.mu.Unlock()
	if ok {
		return t, nil
	}
	b, err := c.Do(ctx, http.MethodGet, "servicePrincipals/"+sp+"/synchronization/templates", nil)
	if err != nil {
		if IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the synchronization templates: %w", err)
	}
	t = JobTemplateSchema(b)
	a.mu.Lock()
	a.templates[strings.ToLower(c.TenantID())] = t
	a.mu.Unlock()
	return t, nil
}

// JobTemplateSchema picks the Azure2Azure template's schema out of a
// synchronization/templates answer (nil when there is none).
func JobTemplateSchema(b []byte) json.RawMessage {
	var w struct {
		Value []struct {
			ID         string          `json:"id"`
			FactoryTag string          `json:"factoryTag"`
			Schema     json.RawMessage `json:"schema"`
		} `json:"value"`
	}
	if json.Unmarshal(b, &w) != nil {
		return nil
	}
	for _, v := range w.Value {
		if (strings.EqualFold(v.ID, reconcile.JobTemplateID) || strings.EqualFold(v.FactoryTag, reconcile.JobTemplateID)) && len(v.Schema) > 0 && string(v.Schema) != "null" {
			return stripContext(v.Schema)
		}
	}
	return nil
}

func (a *Applier) schema(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	if ch.Action == reconcile.ActionDelete {
		return reconcile.ResultUnchanged, nil // the schema goes with its job
	}
	if ch.MergeSchema == nil {
		return "", errors.New("schema change without a merge")
	}
	ids, err := a.ids(ctx, c, ch, true)
	if err != nil {
		return "", err
	}
	path := "servicePrincipals/" + ids.sp + "/synchronization/jobs/" + url.PathEscape(ids.job) + "/schema"
	b, err := c.Do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return "", err
	}
	fresh := stripContext(b)
	tmpl, err := a.template(ctx, c, ids.sp)
	if err != nil {
		return "", err
	}
	merged, err := ch.MergeSchema(fresh, tmpl)
	if err != nil {
		return "", fmt.Errorf("merging the schema: %w", err)
	}
	if equalSchema(fresh, merged) {
		return reconcile.ResultUnchanged, nil
	}
	if _, err := c.Do(ctx, http.MethodPut, path, merged); err != nil {
		return "", err
	}
	return reconcile.ResultUpdated, nil
}

func (a *Applier) state(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	ids, err := a.ids(ctx, c, ch, true)
	if err != nil {
		return "", err
	}
	base := "servicePrincipals/" + ids.sp + "/synchronization/jobs/" + url.PathEscape(ids.job)
	b, err := c.Do(ctx, http.MethodGet, base+"?$select=id,schedule", nil)
	if err != nil {
		return "", err
	}
	var w struct {
		Schedule struct{ State string } `json:"schedule"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return "", fmt.Errorf("reading the job: %w", err)
	}
	start := ch.Sync == nil || ch.Sync.Job == nil || ch.Sync.Job.Started
	if ch.Action == reconcile.ActionDelete {
		start = false
	}
	if (w.Schedule.State == "Active") == start {
		return reconcile.ResultUnchanged, nil
	}
	verb := "pause"
	if start {
		verb = "start"
	}
	if _, err := c.Do(ctx, http.MethodPost, base+"/"+verb, nil); err != nil {
		return "", err
	}
	return reconcile.ResultUpdated, nil
}

// --- assignments -----------------------------------------------------------

func (a *Applier) assignment(ctx context.Context, c *Client, ch *reconcile.Change) (reconcile.ResultKind, error) {
	as := ch.Assignment
	if as == nil {
		return "", errors.New("change has no assignment")
	}
	ids, err := a.ids(ctx, c, ch, false)
	if err != nil {
		return "", err
	}
	path := "servicePrincipals/" + ids.sp + "/appRoleAssignedTo"
	if ch.Action == reconcile.ActionDelete {
		if as.ID == "" {
			return "", errors.New("assignment to delete has no id")
		}
		return deleteAt(ctx, c, path+"/"+url.PathEscape(as.ID))
	}
	role := as.AppRoleID
	if role == "" {
		role = ids.appRole
	}
	if b, err := c.Do(ctx, http.MethodGet, path, nil); err == nil {
		var w struct {
			Value []struct{ PrincipalID, AppRoleID string } `json:"value"`
		}
		if json.Unmarshal(b, &w) == nil {
			for _, v := range w.Value {
				if strings.EqualFold(v.PrincipalID, as.PrincipalID) && strings.EqualFold(v.AppRoleID, role) {
					return reconcile.ResultUnchanged, nil
				}
			}
		}
	} else {
		return "", err
	}
	_, err = c.Do(ctx, http.MethodPost, path, mustJSON(map[string]any{"principalId": as.PrincipalID, "resourceId": ids.sp, "appRoleId": role}))
	if IsConflict(err) || isAlreadyAssigned(err) {
		return reconcile.ResultUnchanged, nil
	}
	if err != nil {
		return "", err
	}
	return reconcile.ResultCreated, nil
}

func isAlreadyAssigned(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(ae.Message), "already exists")
}

// ApplyAssignments writes the assignment changes of one configuration
// with $batch (20 a request) and returns one result per change, in order.
// Sub-requests throttled or failed with 5xx are sent again one by one.
func (a *Applier) ApplyAssignments(ctx context.Context, chs []*reconcile.Change) ([]reconcile.ResultKind, []error) {
	res := make([]reconcile.ResultKind, len(chs))
	errs := make([]error, len(chs))
	if len(chs) == 0 {
		return res, errs
	}
	c := a.clients[strings.ToLower(chs[0].TenantID)]
	if c == nil {
		for i := range chs {
			res[i], errs[i] = reconcile.ResultFailed, fmt.Errorf("no Graph client for tenant %s", chs[0].TenantID)
		}
		return res, errs
	}
	ids, err := a.ids(ctx, c, chs[0], false)
	if err != nil {
		for i := range chs {
			res[i], errs[i] = reconcile.ResultFailed, fmt.Errorf("%s %s: %w", chs[i].Action, chs[i].Object, err)
		}
		return res, errs
	}
	path := "/servicePrincipals/" + ids.sp + "/appRoleAssignedTo"
	for start := 0; start < len(chs); start += maxBatch {
		end := min(start+maxBatch, len(chs))
		type item struct {
			ID      string            `json:"id"`
			Method  string            `json:"method"`
			URL     string            `json:"url"`
			Body    any               `json:"body,omitempty"`
			Headers map[string]string `json:"headers,omitempty"`
		}
		var req struct {
			Requests []item `json:"requests"`
		}
		for i := start; i < end; i++ {
			as := chs[i].Assignment
			it := item{ID: strconv.Itoa(i)}
			if chs[i].Action == reconcile.ActionDelete {
				it.Method, it.URL = http.MethodDelete, path+"/"+url.PathEscape(as.ID)
			} else {
				role := as.AppRoleID
				if role == "" {
					role = ids.appRole
				}
				it.Method, it.URL = http.MethodPost, path
				it.Body = map[string]any{"principalId": as.PrincipalID, "resourceId": ids.sp, "appRoleId": role}
				it.Headers = map[string]string{"Content-Type": "application/json"}
			}
			req.Requests = append(req.Requests, it)
		}
		done := map[int]bool{}
		if b, err := c.Do(ctx, http.MethodPost, "$batch", mustJSON(req)); err == nil {
			c.stats.writes.Add(int64(end - start))
			var resp struct {
				Responses []batchResponseItem `json:"responses"`
			}
			if json.Unmarshal(b, &resp) == nil {
				for _, r := range resp.Responses {
					i, err := strconv.Atoi(r.ID)
					if err != nil || i < start || i >= end {
						continue
					}
					del := chs[i].Action == reconcile.ActionDelete
					switch {
					case r.Status >= 200 && r.Status < 300 && del:
						res[i], done[i] = reconcile.ResultDeleted, true
					case r.Status >= 200 && r.Status < 300:
						res[i], done[i] = reconcile.ResultCreated, true
					case r.Status == http.StatusNotFound && del, r.Status == http.StatusConflict && !del:
						res[i], done[i] = reconcile.ResultUnchanged, true
					}
				}
			}
		} else if ctx.Err() != nil {
			for i := start; i < len(chs); i++ {
				res[i], errs[i] = reconcile.ResultFailed, ctx.Err()
			}
			return res, errs
		}
		for i := start; i < end; i++ {
			if !done[i] {
				c.stats.retries.Add(1)
				res[i], errs[i] = a.Apply(ctx, chs[i])
			}
		}
	}
	return res, errs
}

var _ reconcile.BatchApplier = (*Applier)(nil)
