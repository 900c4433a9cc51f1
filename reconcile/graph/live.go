package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xtsync/xtsync/reconcile"
)

const (
	partnersPath = "policies/crossTenantAccessPolicy/partners"
	// templateSPs lists the service principals of the cross-tenant sync
	// template, with the properties ReadLive needs.
	templateSPs  = "servicePrincipals?$filter=applicationTemplateId%20eq%20'" + reconcile.XTSTemplateID + "'&$select=id,appId,displayName,tags,appRoles,applicationTemplateId"
	templateApps = "applications?$filter=applicationTemplateId%20eq%20'" + reconcile.XTSTemplateID + "'&$select=id,appId"
)

// subResult is one answer of a batched GET.
type subResult struct {
	Status int
	Body   json.RawMessage
}

// getAll GETs paths (relative to /v1.0) with $batch, 20 a request, and
// returns every answer with its status; a sub-request answered 429/503/504
// (or not at all) is sent again on its own, through the Client's retries.
// A status >= 400 other than those is returned, not an error: the caller
// decides whether a 404 means "none".
func (c *Client) getAll(ctx context.Context, paths []string) ([]subResult, error) {
	out := make([]subResult, len(paths))
	for start := 0; start < len(paths); start += maxBatch {
		end := min(start+maxBatch, len(paths))
		if err := c.getBatch(ctx, paths[start:end], out[start:end]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Client) getBatch(ctx context.Context, paths []string, out []subResult) error {
	if len(paths) > 1 {
		var req struct {
			Requests []batchRequestItem `json:"requests"`
		}
		for i, p := range paths {
			req.Requests = append(req.Requests, batchRequestItem{ID: strconv.Itoa(i + 1), Method: http.MethodGet, URL: "/" + p})
		}
		body, _ := json.Marshal(req)
		if b, err := c.Do(ctx, http.MethodPost, "$batch", body); err == nil {
			var resp struct {
				Responses []batchResponseItem `json:"responses"`
			}
			if json.Unmarshal(b, &resp) == nil {
				for _, r := range resp.Responses {
					i, err := strconv.Atoi(r.ID)
					if err != nil || i < 1 || i > len(paths) {
						continue
					}
					out[i-1] = subResult{Status: r.Status, Body: r.Body}
				}
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	for i, p := range paths {
		switch out[i].Status {
		case 0, http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			if out[i].Status != 0 {
				c.stats.retries.Add(1)
			}
			b, err := c.Do(ctx, http.MethodGet, p, nil)
			if err != nil {
				if st := statusOf(err); st != 0 && st != http.StatusTooManyRequests && st != http.StatusServiceUnavailable {
					out[i] = subResult{Status: st}
					continue
				}
				return err
			}
			out[i] = subResult{Status: http.StatusOK, Body: b}
		}
	}
	return nil
}

// getList follows the nextLinks of a collection answered in first.
func (c *Client) getList(ctx context.Context, first json.RawMessage) ([]json.RawMessage, error) {
	var items []json.RawMessage
	page := first
	for {
		var p struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(page, &p); err != nil {
			return nil, fmt.Errorf("reading a collection: %w", err)
		}
		items = append(items, p.Value...)
		if p.NextLink == "" {
			return items, nil
		}
		ri := c.linkRequest(p.NextLink)
		b, err := c.send(ctx, ri)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", p.NextLink, err)
		}
		page = b
	}
}

// readParallelism is how many tenants ReadLive reads at once: each needs
// a few dependent rounds, so a run over many tenants is bound by Graph's
// latency; Graph throttles per tenant and application, and each tenant
// still gets one request at a time.
const readParallelism = 16

// ReadLive reads, for every client (one per repo tenant, keyed by tenant
// id), its partner configurations with identitySynchronization and
// automaticUserConsentSettings, and every service principal instantiated
// from the cross-tenant sync template with its application, job(s),
// schema, secrets, app role assignments and started/paused state, into
// one *reconcile.State. Unmanaged objects are read too. Reads are batched
// with $batch (20 a request), in three rounds per tenant; a 404 on an
// optional part (no identitySynchronization, no job) is "none".
func ReadLive(ctx context.Context, clients map[string]*Client) (*reconcile.State, error) {
	st := &reconcile.State{Tenants: map[string]*reconcile.TenantState{}}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, readParallelism)
	for tid, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ts, err := readTenant(ctx, c, strings.ToLower(tid))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("reading the live state of tenant %s: %w", tid, err)
				}
				return
			}
			st.Tenants[ts.TenantID] = ts
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return st, nil
}

type wirePartner struct {
	TenantID                     string `json:"tenantId"`
	AutomaticUserConsentSettings *struct {
		InboundAllowed  *bool `json:"inboundAllowed"`
		OutboundAllowed *bool `json:"outboundAllowed"`
	} `json:"automaticUserConsentSettings"`
}

type wireSP struct {
	ID          string   `json:"id"`
	AppID       string   `json:"appId"`
	DisplayName string   `json:"displayName"`
	Tags        []string `json:"tags"`
	AppRoles    []struct {
		ID          string `json:"id"`
		Value       string `json:"value"`
		DisplayName string `json:"displayName"`
	} `json:"appRoles"`
}

// msiamRole returns the id of the msiam_access app role.
func (sp *wireSP) msiamRole() string {
	for _, r := range sp.AppRoles {
		if r.DisplayName == "msiam_access" || r.Value == "msiam_access" {
			return r.ID
		}
	}
	if len(sp.AppRoles) == 1 {
		return sp.AppRoles[0].ID
	}
	return ""
}

func readTenant(ctx context.Context, c *Client, tid string) (*reconcile.TenantState, error) {
	ts := &reconcile.TenantState{TenantID: tid, Partners: map[string]*reconcile.Partner{}, Configs: []*reconcile.SyncConfig{}}
	// Round 1: partners, template service principals, their applications.
	r1, err := c.getAll(ctx, []string{partnersPath, templateSPs, templateApps})
	if err != nil {
		return nil, err
	}
	lists := make([][]json.RawMessage, 3)
	for i, r := range r1 {
		if r.Status >= 300 {
			return nil, fmt.Errorf("GET %s: status %d", []string{partnersPath, "servicePrincipals", "applications"}[i], r.Status)
		}
		if lists[i], err = c.getList(ctx, r.Body); err != nil {
			return nil, err
		}
	}
	var partnerIDs []string
	for _, raw := range lists[0] {
		var wp wirePartner
		if err := json.Unmarshal(raw, &wp); err != nil {
			return nil, fmt.Errorf("reading a partner: %w", err)
		}
		p := &reconcile.Partner{TenantID: strings.ToLower(wp.TenantID), Raw: raw}
		if s := wp.AutomaticUserConsentSettings; s != nil {
			p.InboundAutoRedeem, p.OutboundAutoRedeem = s.InboundAllowed, s.OutboundAllowed
		}
		ts.Partners[p.TenantID] = p
		partnerIDs = append(partnerIDs, p.TenantID)
	}
	sort.Strings(partnerIDs)
	appByAppID := map[string]string{}
	for _, raw := range lists[2] {
		var a struct{ ID, AppID string }
		if json.Unmarshal(raw, &a) == nil {
			appByAppID[strings.ToLower(a.AppID)] = a.ID
		}
	}
	var sps []wireSP
	for _, raw := range lists[1] {
		var sp wireSP
		if err := json.Unmarshal(raw, &sp); err != nil {
			return nil, fmt.Errorf("reading a service principal: %w", err)
		}
		sps = append(sps, sp)
	}

	// Round 2: identity sync per partner; jobs, secrets, assignments per SP.
	var paths []string
	for _, p := range partnerIDs {
		paths = append(paths, partnersPath+"/"+p+"/identitySynchronization")
	}
	for _, sp := range sps {
		base := "servicePrincipals/" + sp.ID
		paths = append(paths, base+"/synchronization/jobs", base+"/synchronization/secrets", base+"/appRoleAssignedTo")
	}
	r2, err := c.getAll(ctx, paths)
	if err != nil {
		return nil, err
	}
	for i, p := range partnerIDs {
		r := r2[i]
		switch {
		case r.Status == http.StatusNotFound:
		case r.Status >= 300:
			return nil, fmt.Errorf("GET %s: status %d", paths[i], r.Status)
		default:
			var w struct {
				DisplayName     string `json:"displayName"`
				UserSyncInbound *struct {
					IsSyncAllowed bool `json:"isSyncAllowed"`
				} `json:"userSyncInbound"`
			}
			if err := json.Unmarshal(r.Body, &w); err != nil {
				return nil, fmt.Errorf("reading the identity synchronization of %s: %w", p, err)
			}
			is := &reconcile.IdentitySync{DisplayName: w.DisplayName}
			if w.UserSyncInbound != nil {
				is.UserSyncInbound = w.UserSyncInbound.IsSyncAllowed
			}
			ts.Partners[p].IdentitySync = is
		}
	}
	type schemaRef struct {
		cfg  *reconcile.SyncConfig
		path string
	}
	var schemas []schemaRef
	for j, sp := range sps {
		cfg := &reconcile.SyncConfig{DisplayName: sp.DisplayName, ServicePrincipalID: sp.ID, AppID: sp.AppID,
			ApplicationID: appByAppID[strings.ToLower(sp.AppID)], Tags: sp.Tags, AppRoleID: sp.msiamRole(),
			Secrets: map[string]string{}, Assignments: []reconcile.Assignment{}}
		if cfg.Tags == nil {
			cfg.Tags = []string{}
		}
		cfg.Source, cfg.Name = tagName(cfg.Tags, tid)
		jobs, secrets, assigns := r2[len(partnerIDs)+3*j], r2[len(partnerIDs)+3*j+1], r2[len(partnerIDs)+3*j+2]
		if jobs.Status < 300 {
			items, err := c.getList(ctx, jobs.Body)
			if err != nil {
				return nil, err
			}
			for _, raw := range items {
				var w struct {
					ID         string `json:"id"`
					TemplateID string `json:"templateId"`
					Schedule   struct {
						State string `json:"state"`
					} `json:"schedule"`
					Status struct {
						Code string `json:"code"`
					} `json:"status"`
				}
				if err := json.Unmarshal(raw, &w); err != nil {
					return nil, fmt.Errorf("reading a job of %s: %w", sp.ID, err)
				}
				if cfg.Job != nil && !strings.EqualFold(w.TemplateID, reconcile.JobTemplateID) {
					continue
				}
				cfg.Job = &reconcile.Job{ID: w.ID, TemplateID: w.TemplateID, Started: w.Schedule.State == "Active", Status: w.Status.Code}
			}
		} else if jobs.Status != http.StatusNotFound {
			return nil, fmt.Errorf("GET %s: status %d", paths[len(partnerIDs)+3*j], jobs.Status)
		}
		if secrets.Status < 300 {
			var w struct {
				Value []struct {
					Key   string `json:"key"`
					Value string `json:"value"`
				} `json:"value"`
			}
			if err := json.Unmarshal(secrets.Body, &w); err != nil {
				return nil, fmt.Errorf("reading the secrets of %s: %w", sp.ID, err)
			}
			for _, kv := range w.Value {
				cfg.Secrets[kv.Key] = kv.Value
			}
		} else if secrets.Status != http.StatusNotFound {
			return nil, fmt.Errorf("GET secrets of %s: status %d", sp.ID, secrets.Status)
		}
		if assigns.Status < 300 {
			items, err := c.getList(ctx, assigns.Body)
			if err != nil {
				return nil, err
			}
			for _, raw := range items {
				var a struct {
					ID                   string `json:"id"`
					PrincipalID          string `json:"principalId"`
					PrincipalType        string `json:"principalType"`
					PrincipalDisplayName string `json:"principalDisplayName"`
					AppRoleID            string `json:"appRoleId"`
				}
				if err := json.Unmarshal(raw, &a); err != nil {
					return nil, fmt.Errorf("reading an assignment of %s: %w", sp.ID, err)
				}
				cfg.Assignments = append(cfg.Assignments, reconcile.Assignment{ID: a.ID, PrincipalID: a.PrincipalID,
					PrincipalType: a.PrincipalType, PrincipalName: a.PrincipalDisplayName, AppRoleID: a.AppRoleID})
			}
			sort.Slice(cfg.Assignments, func(a, b int) bool { return cfg.Assignments[a].PrincipalID < cfg.Assignments[b].PrincipalID })
		} else if assigns.Status != http.StatusNotFound {
			return nil, fmt.Errorf("GET assignments of %s: status %d", sp.ID, assigns.Status)
		}
		if cfg.Job != nil {
			schemas = append(schemas, schemaRef{cfg, "servicePrincipals/" + sp.ID + "/synchronization/jobs/" + url.PathEscape(cfg.Job.ID) + "/schema"})
		}
		ts.Configs = append(ts.Configs, cfg)
	}

	// Round 3: the schemas of the jobs, and the job template's schema as
	// the tenant's Graph serves it (the same for every configuration).
	if len(schemas) > 0 {
		paths = paths[:0]
		for _, s := range schemas {
			paths = append(paths, s.path)
		}
		paths = append(paths, "servicePrincipals/"+schemas[0].cfg.ServicePrincipalID+"/synchronization/templates")
		r3, err := c.getAll(ctx, paths)
		if err != nil {
			return nil, err
		}
		if t := r3[len(schemas)]; t.Status < 300 {
			ts.Template = JobTemplateSchema(t.Body)
		}
		for i, s := range schemas {
			switch {
			case r3[i].Status == http.StatusNotFound:
			case r3[i].Status >= 300:
				return nil, fmt.Errorf("GET %s: status %d", s.path, r3[i].Status)
			default:
				s.cfg.Job.Schema = stripContext(r3[i].Body)
			}
		}
	}
	sort.Slice(ts.Configs, func(a, b int) bool {
		if ts.Configs[a].DisplayName != ts.Configs[b].DisplayName {
			return ts.Configs[a].DisplayName < ts.Configs[b].DisplayName
		}
		return ts.Configs[a].ServicePrincipalID < ts.Configs[b].ServicePrincipalID
	})
	return ts, nil
}

// stripContext removes the @odata annotations of an object's top level.
func stripContext(b json.RawMessage) json.RawMessage {
	// Graph puts @odata.context first: cut it out without decoding the
	// rest (a schema is tens of kilobytes).
	const pfx = `{"@odata.context":`
	if bytes.HasPrefix(b, []byte(pfx)) {
		dec := json.NewDecoder(bytes.NewReader(b[len(pfx):]))
		var ctxURL string
		if dec.Decode(&ctxURL) == nil {
			rest := bytes.TrimLeft(b[len(pfx)+int(dec.InputOffset()):], " \t\r\n")
			if len(rest) > 0 && rest[0] == ',' && !bytes.Contains(rest, []byte(`"@odata.`)) {
				return append([]byte{'{'}, rest[1:]...)
			}
		}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	for k := range m {
		if strings.HasPrefix(k, "@odata.") {
			delete(m, k)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}

// tagName returns the source and name of an xtsync tag
// ("xtsync:sync:<source>/<name>"), or "", "".
func tagName(tags []string, _ string) (string, string) {
	for _, t := range tags {
		if rest, ok := strings.CutPrefix(t, reconcile.TagSyncPrefix); ok {
			if src, name, ok := strings.Cut(rest, "/"); ok {
				return src, name
			}
		}
	}
	return "", ""
}
