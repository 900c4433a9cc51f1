package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"

	"github.com/xtsync/xtsync/simulate"
)

// The LinkSource values of simulate.SourceLink.
const (
	LinkProvisioningLogs = "provisioning-logs"
	LinkExtUPN           = "ext-upn"
)

// ProvisioningEntry is what a pull keeps of one provisioning log entry
// (provisioningObjectSummary).
type ProvisioningEntry struct {
	// LogTenantID is the tenant whose logs held the entry (a sync job's
	// logs live in its source tenant).
	LogTenantID string
	Time        string // activityDateTime
	// Action is provisioningAction, lower-cased: create, update, delete,
	// disable, stageddelete, other.
	Action string
	// Status is provisioningStatusInfo.status: success, failure, skipped …
	Status string
	// Config is the sync configuration's name: the display name of the
	// service principal that ran the job.
	Config string
	// SourceTenantID is sourceIdentity.details.tenantId, or LogTenantID.
	SourceTenantID string
	SourceUserID   string
	TargetUserID   string
}

// ProvisioningLog reads the tenant's provisioning logs (GET
// /auditLogs/provisioning, every page), only the entries of activityDateTime
// since or later when since (RFC 3339) is set: an incremental pull keeps the
// links it has and needs only the new entries. An endpoint that does not
// exist (404) counts as no entries.
func (c *Client) ProvisioningLog(ctx context.Context, since string) ([]ProvisioningEntry, error) {
	top := int32(500)
	q := &auditlogs.ProvisioningRequestBuilderGetQueryParameters{Top: &top}
	if since != "" {
		if _, err := time.Parse(time.RFC3339, since); err != nil {
			return nil, fmt.Errorf("provisioning logs since %q: want an RFC 3339 time", since)
		}
		f := "activityDateTime ge " + since
		q.Filter = &f
	}
	ri, err := auditlogs.NewProvisioningRequestBuilderInternal(map[string]string{}, c.adapter).ToGetRequestInformation(ctx,
		&auditlogs.ProvisioningRequestBuilderGetRequestConfiguration{QueryParameters: q})
	if err != nil {
		return nil, err
	}
	var out []ProvisioningEntry
	_, err = c.pages(ctx, ri, 500, func(p *Page) error {
		for i, obj := range p.Value {
			e, err := decodeProvisioningEntry(obj)
			if err != nil {
				return fmt.Errorf("provisioning log value[%d]: %w", i, err)
			}
			e.LogTenantID = c.tenantID
			if e.SourceTenantID == "" {
				e.SourceTenantID = c.tenantID
			}
			out = append(out, e)
		}
		return nil
	})
	if since != "" && statusOf(err) == http.StatusBadRequest {
		c.log.Info("graph: provisioning logs cannot be filtered by date; reading them all", "tenantId", c.tenantID)
		return c.ProvisioningLog(ctx, "")
	}
	if IsNotFound(err) {
		c.log.Warn("graph: no provisioning logs endpoint; B2B links fall back to the #EXT# UPN convention", "tenantId", c.tenantID)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read provisioning logs of tenant %s: %w", c.tenantID, err)
	}
	return out, nil
}

func decodeProvisioningEntry(obj map[string]json.RawMessage) (ProvisioningEntry, error) {
	type identity struct {
		ID      string         `json:"id"`
		Details map[string]any `json:"details"`
	}
	var raw struct {
		Time   string `json:"activityDateTime"`
		Action string `json:"provisioningAction"`
		Status struct {
			Status string `json:"status"`
		} `json:"provisioningStatusInfo"`
		SP struct {
			DisplayName string `json:"displayName"`
		} `json:"servicePrincipal"`
		Source *identity `json:"sourceIdentity"`
		Target *identity `json:"targetIdentity"`
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return ProvisioningEntry{}, err
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return ProvisioningEntry{}, err
	}
	e := ProvisioningEntry{Time: raw.Time, Action: strings.ToLower(raw.Action), Status: strings.ToLower(raw.Status.Status), Config: raw.SP.DisplayName}
	if raw.Source != nil {
		e.SourceUserID = raw.Source.ID
		if tid, ok := raw.Source.Details["tenantId"].(string); ok {
			e.SourceTenantID = strings.ToLower(tid)
		}
	}
	if raw.Target != nil {
		e.TargetUserID = raw.Target.ID
	}
	return e, nil
}

// Link derives the source link of the B2B users of every snapshot (keyed by
// repo tenant name) in place. A user's link comes from the latest
// successful provisioning log entry whose target is the user; a user that
// has none keeps the link it already has (logs expire after 30 days, and
// the previous snapshot's links are carried over); an unlinked user with a
// #EXT# UPN is matched to the source user whose UPN it encodes
// (linkSource "ext-upn", configuration unknown). A soft-deleted linked user
// whose latest entry is not a delete by the sync has deletedBySync false.
func Link(snaps map[string]*simulate.Snapshot, entries []ProvisioningEntry) {
	latest := map[string]ProvisioningEntry{} // target user id -> entry
	sorted := append([]ProvisioningEntry(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time < sorted[j].Time })
	for _, e := range sorted {
		if e.TargetUserID == "" || e.SourceUserID == "" || (e.Status != "" && e.Status != "success") {
			continue
		}
		switch e.Action {
		case "create", "update", "delete", "disable":
			latest[e.TargetUserID] = e
		}
	}

	// UPN -> (tenant id, user id) of every non-B2B user, for ext-upn.
	type ref struct{ tenant, user string }
	byUPN := map[string][]ref{}
	names := slices.Sorted(maps.Keys(snaps))
	for _, name := range names {
		s := snaps[name]
		for _, u := range s.Users {
			if u.Deleted || strings.Contains(u.UserPrincipalName, "#EXT#") {
				continue
			}
			k := strings.ToLower(u.UserPrincipalName)
			byUPN[k] = append(byUPN[k], ref{strings.ToLower(s.TenantID), u.ID})
		}
	}

	for _, name := range names {
		s := snaps[name]
		for i := range s.Users {
			u := &s.Users[i]
			if e, ok := latest[u.ID]; ok && !strings.EqualFold(e.SourceTenantID, s.TenantID) {
				link := &simulate.SourceLink{TenantID: e.SourceTenantID, UserID: e.SourceUserID, Config: e.Config, LinkSource: LinkProvisioningLogs}
				if u.Deleted && e.Action != "delete" {
					f := false
					link.DeletedBySync = &f
				}
				u.Source = link
				continue
			}
			if u.Source != nil {
				continue
			}
			upn, ok := sourceUPNFromExt(u.UserPrincipalName)
			if !ok {
				continue
			}
			cands := byUPN[strings.ToLower(upn)]
			if len(cands) != 1 || strings.EqualFold(cands[0].tenant, s.TenantID) {
				continue
			}
			u.Source = &simulate.SourceLink{TenantID: cands[0].tenant, UserID: cands[0].user, LinkSource: LinkExtUPN}
		}
	}
}

// sourceUPNFromExt decodes a B2B UPN "anna_contoso.eu#EXT#@target…" into
// the source UPN "anna@contoso.eu" (the last "_" before #EXT# was the "@").
func sourceUPNFromExt(upn string) (string, bool) {
	i := strings.Index(strings.ToUpper(upn), "#EXT#")
	if i <= 0 {
		return "", false
	}
	local := upn[:i]
	j := strings.LastIndex(local, "_")
	if j <= 0 || j == len(local)-1 {
		return "", false
	}
	return local[:j] + "@" + local[j+1:], true
}

// CarryLinks copies the source links of prev's users onto the same users of
// s that have none (a full pull starts without links).
func CarryLinks(s, prev *simulate.Snapshot) {
	if prev == nil || !strings.EqualFold(s.TenantID, prev.TenantID) {
		return
	}
	old := map[string]*simulate.SourceLink{}
	for _, u := range prev.Users {
		if u.Source != nil {
			old[u.ID] = u.Source
		}
	}
	for i := range s.Users {
		if l := old[s.Users[i].ID]; l != nil && s.Users[i].Source == nil {
			c := *l
			s.Users[i].Source = &c
		}
	}
}

// LatestEntry returns the latest activityDateTime of entries, or since when
// it is later (or there are none): where the next incremental read starts.
func LatestEntry(entries []ProvisioningEntry, since string) string {
	latest := since
	for _, e := range entries {
		if e.Time > latest {
			latest = e.Time
		}
	}
	return latest
}
