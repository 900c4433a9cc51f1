package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/organization"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/xtsync/xtsync/simulate"
)

// DeltaStateFormatVersion is the format of the delta state files.
const DeltaStateFormatVersion = 1

// BaseUserSelect is the set of user properties every pull selects: what the
// simulator needs whatever the configurations map or filter on.
var BaseUserSelect = []string{
	"id", "userPrincipalName", "mail", "displayName", "userType", "accountEnabled",
	"proxyAddresses", "creationType", "identities", "externalUserState",
	"showInAddressList", "manager",
}

// groupSelect is what a pull reads of groups.
var groupSelect = []string{"id", "displayName", "securityEnabled", "members"}

// PullOptions configures one snapshot pull of one tenant.
type PullOptions struct {
	// Select lists user properties (Graph v1.0 names) to read in addition
	// to BaseUserSelect: those the configurations map or filter on.
	Select []string
	// Previous and Delta are the last snapshot and the delta links that
	// produced it. With both, and the same Select, the pull fetches only the
	// changes and merges them into a copy of Previous; otherwise it is full.
	Previous *simulate.Snapshot
	Delta    *DeltaState
	// PageSize is the $top of paged requests (default 999, Graph's maximum
	// for directory objects).
	PageSize int
	// Now is the capture time written to the snapshot.
	Now time.Time
	// Progress, when set, is called after each page of users with the number
	// of users fetched so far.
	Progress func(users int)
}

// DeltaState is what the next pull of a tenant needs to be incremental: the
// delta links of users and groups, and the $select they were made with.
type DeltaState struct {
	FormatVersion int      `json:"formatVersion"`
	TenantID      string   `json:"tenantId"`
	Select        []string `json:"select"`
	Users         string   `json:"users"`
	Groups        string   `json:"groups"`
	// LogsSince is the latest provisioning log entry read so far (RFC 3339):
	// the next incremental pull reads the logs from there.
	LogsSince string `json:"logsSince,omitempty"`
	// Incremental is true when the pull that produced this state was
	// incremental (not saved).
	Incremental bool `json:"-"`
}

// UserSelect is the sorted, de-duplicated $select of a pull.
func UserSelect(extra []string) []string {
	set := map[string]bool{}
	for _, s := range append(slices.Clone(BaseUserSelect), extra...) {
		if s != "" {
			set[s] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Pull reads one tenant's directory: users (users/delta with $select),
// soft-deleted users, groups with their direct members (groups/delta), and
// the verified domains. It returns the snapshot and the delta links for the
// next pull. It never returns a partial snapshot: any error fails the pull.
// B2B users' source links are not derived here; see Link.
func Pull(ctx context.Context, c *Client, opts PullOptions) (*simulate.Snapshot, DeltaState, error) {
	extra := opts.Select
	if u, err := url.Parse(c.baseURL); err == nil && IsLoopback(u.Hostname()) {
		// The emulator serves the snapshot's alternativeSecurityIds as
		// they are; Graph v1.0 has no such user property (see deriveAltSecIDs).
		extra = append(slices.Clone(extra), "alternativeSecurityIds")
	}
	sel := UserSelect(extra)
	keep := map[string]bool{}
	for _, s := range opts.Select {
		keep[s] = true
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 999
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if d := opts.Delta; d != nil && d.Users != "" && (!sameEndpoint(c.baseURL, d.Users) || !sameEndpoint(c.baseURL, d.Groups)) {
		// The delta links belong to another endpoint (--graph-url changed,
		// or an emulator restarted on another port): they cannot be followed.
		c.log.Info("graph: the delta links are for another endpoint, pulling in full", "tenantId", c.tenantID, "endpoint", c.baseURL)
		opts.Delta = nil
	}
	if canIncrement(c, opts, sel) {
		snap, st, err := pullIncremental(ctx, c, opts, sel, keep)
		if err == nil || !isResync(err) {
			return snap, st, err
		}
		c.log.Info("graph: delta link expired, pulling in full", "tenantId", c.tenantID, "err", err)
	}
	return pullFull(ctx, c, opts, sel, keep)
}

func canIncrement(c *Client, opts PullOptions, sel []string) bool {
	d := opts.Delta
	return opts.Previous != nil && d != nil && d.FormatVersion == DeltaStateFormatVersion &&
		strings.EqualFold(d.TenantID, c.tenantID) && strings.EqualFold(opts.Previous.TenantID, c.tenantID) &&
		slices.Equal(d.Select, sel) && d.Users != "" && d.Groups != ""
}

// isResync reports a delta link Graph no longer accepts (410 Gone with
// syncStateNotFound / resyncRequired, or a 400 about the token).
func isResync(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Status == http.StatusGone || (ae.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(ae.Code+ae.Message), "token"))
}

func pullFull(ctx context.Context, c *Client, opts PullOptions, sel []string, keep map[string]bool) (*simulate.Snapshot, DeltaState, error) {
	st := DeltaState{FormatVersion: DeltaStateFormatVersion, TenantID: c.tenantID, Select: sel}
	top := int32(opts.PageSize)
	uri, err := users.NewDeltaRequestBuilderInternal(map[string]string{}, c.adapter).ToGetRequestInformation(ctx,
		&users.DeltaRequestBuilderGetRequestConfiguration{QueryParameters: &users.DeltaRequestBuilderGetQueryParameters{Select: sel, Top: &top}})
	if err != nil {
		return nil, st, err
	}
	dri := c.deletedUsersRequest(sel, opts.PageSize)
	gri, err := groups.NewDeltaRequestBuilderInternal(map[string]string{}, c.adapter).ToGetRequestInformation(ctx,
		&groups.DeltaRequestBuilderGetRequestConfiguration{QueryParameters: &groups.DeltaRequestBuilderGetQueryParameters{Select: groupSelect, Top: &top}})
	if err != nil {
		return nil, st, err
	}
	ori, err := c.orgRequest(ctx)
	if err != nil {
		return nil, st, err
	}
	// The first page of everything in one round trip; then the next pages.
	first, err := c.batchGet(ctx, []*abs.RequestInformation{uri, dri, gri, ori}, opts.PageSize)
	if err != nil && !IsNotFound(err) {
		return nil, st, fmt.Errorf("pull first pages of tenant %s: %w", c.tenantID, err)
	}
	if err != nil { // a 404 of deleted items only: fetch the rest on its own
		first = make([][]byte, 4)
	}

	byID := map[string]*simulate.User{}
	st.Users, err = c.walkUsers(ctx, uri, first[0], opts.PageSize, byID, keep, opts.Progress)
	if err != nil {
		return nil, st, fmt.Errorf("pull users of tenant %s: %w", c.tenantID, err)
	}
	if err := c.pullDeletedUsers(ctx, dri, first[1], opts.PageSize, byID, keep); err != nil {
		return nil, st, fmt.Errorf("pull deleted users of tenant %s: %w", c.tenantID, err)
	}
	gByID := map[string]*simulate.Group{}
	st.Groups, err = c.walkGroups(ctx, gri, first[2], opts.PageSize, gByID)
	if err != nil {
		return nil, st, fmt.Errorf("pull groups of tenant %s: %w", c.tenantID, err)
	}
	domains, err := c.verifiedDomains(ctx, ori, first[3])
	if err != nil {
		return nil, st, fmt.Errorf("pull verified domains of tenant %s: %w", c.tenantID, err)
	}
	return assemble(c.tenantID, opts.Now, domains, byID, gByID), st, nil
}

func pullIncremental(ctx context.Context, c *Client, opts PullOptions, sel []string, keep map[string]bool) (*simulate.Snapshot, DeltaState, error) {
	st := DeltaState{FormatVersion: DeltaStateFormatVersion, TenantID: c.tenantID, Select: sel, Incremental: true}
	byID := map[string]*simulate.User{}
	for i := range opts.Previous.Users {
		u := cloneUser(opts.Previous.Users[i])
		byID[u.ID] = &u
	}
	gByID := map[string]*simulate.Group{}
	for _, g := range opts.Previous.Groups {
		g.Members = slices.Clone(g.Members)
		gByID[g.ID] = &g
	}
	uri, gri := c.linkRequest(opts.Delta.Users), c.linkRequest(opts.Delta.Groups)
	for _, ri := range []*abs.RequestInformation{uri, gri} {
		if u, err := ri.GetUri(); err != nil || !sameEndpoint(c.baseURL, u.String()) {
			return nil, st, fmt.Errorf("pull tenant %s: delta link outside %s", c.tenantID, c.baseURL)
		}
	}
	ori, err := c.orgRequest(ctx)
	if err != nil {
		return nil, st, err
	}
	first, err := c.batchGet(ctx, []*abs.RequestInformation{uri, gri, ori}, opts.PageSize)
	if err != nil {
		return nil, st, fmt.Errorf("pull changes of tenant %s: %w", c.tenantID, err)
	}
	st.Users, err = c.walkUsers(ctx, uri, first[0], opts.PageSize, byID, keep, opts.Progress)
	if err != nil {
		return nil, st, fmt.Errorf("pull user changes of tenant %s: %w", c.tenantID, err)
	}
	st.Groups, err = c.walkGroups(ctx, gri, first[1], opts.PageSize, gByID)
	if err != nil {
		return nil, st, fmt.Errorf("pull group changes of tenant %s: %w", c.tenantID, err)
	}
	domains, err := c.verifiedDomains(ctx, ori, first[2])
	if err != nil {
		return nil, st, fmt.Errorf("pull verified domains of tenant %s: %w", c.tenantID, err)
	}
	return assemble(c.tenantID, opts.Now, domains, byID, gByID), st, nil
}

// linkRequest is a GET of an absolute @odata link.
func (c *Client) linkRequest(link string) *abs.RequestInformation {
	ri := abs.NewRequestInformation()
	ri.Method = abs.GET
	ri.UrlTemplate = "{+request-raw-url}"
	ri.PathParameters = map[string]string{"request-raw-url": link}
	ri.Headers.TryAdd("Accept", "application/json")
	return ri
}

// pages GETs ri, then every @odata.nextLink, handing each page to fn; it
// returns the final @odata.deltaLink (empty for a plain collection). With
// pageSize > 0 every request asks for pages that big (Prefer:
// odata.maxpagesize, which Graph honours on nextLinks, where $top is gone).
func (c *Client) pages(ctx context.Context, ri *abs.RequestInformation, pageSize int, fn func(*Page) error) (string, error) {
	return c.pagesFrom(ctx, ri, nil, pageSize, fn)
}

// pagesFrom is pages with the first page's body already fetched (first,
// from a $batch) when it is not nil.
func (c *Client) pagesFrom(ctx context.Context, ri *abs.RequestInformation, first []byte, pageSize int, fn func(*Page) error) (string, error) {
	for {
		if first != nil {
			p, err := DecodePage(first)
			if err != nil {
				return "", err
			}
			first = nil
			if err := fn(p); err != nil {
				return "", err
			}
			if p.NextLink == "" {
				return p.DeltaLink, nil
			}
			ri = c.linkRequest(p.NextLink)
			continue
		}
		if pageSize > 0 {
			ri.Headers.TryAdd("Prefer", "odata.maxpagesize="+strconv.Itoa(pageSize))
		}
		if ri.UrlTemplate == "{+request-raw-url}" {
			u, err := ri.GetUri()
			if err != nil {
				return "", err
			}
			if !sameEndpoint(c.baseURL, u.String()) {
				return "", fmt.Errorf("refusing to follow link %q outside %s", u.String(), c.baseURL)
			}
		}
		b, err := c.send(ctx, ri)
		if err != nil {
			return "", err
		}
		p, err := DecodePage(b)
		if err != nil {
			return "", err
		}
		if err := fn(p); err != nil {
			return "", err
		}
		switch {
		case p.NextLink != "":
			ri = c.linkRequest(p.NextLink)
		default:
			return p.DeltaLink, nil
		}
	}
}

// walkUsers applies every page of a users delta to byID and returns the
// delta link.
func (c *Client) walkUsers(ctx context.Context, ri *abs.RequestInformation, first []byte, top int, byID map[string]*simulate.User, keep map[string]bool, progress func(int)) (string, error) {
	seen := 0
	link, err := c.pagesFrom(ctx, ri, first, top, func(p *Page) error {
		for i, obj := range p.Value {
			if err := applyUserDelta(byID, obj, keep); err != nil {
				return fmt.Errorf("value[%d]: %w", i, err)
			}
		}
		seen += len(p.Value)
		if progress != nil {
			progress(seen)
		}
		return nil
	})
	if err == nil && link == "" {
		err = errors.New("the delta ended without an @odata.deltaLink")
	}
	return link, err
}

// applyUserDelta merges one users/delta object into byID.
func applyUserDelta(byID map[string]*simulate.User, obj map[string]json.RawMessage, keep map[string]bool) error {
	id, err := objectID(obj)
	if err != nil {
		return err
	}
	rm, err := removal(obj)
	if err != nil {
		return fmt.Errorf("user %q: %w", id, err)
	}
	u := byID[id]
	if rm != nil {
		switch {
		case u == nil:
		case rm.Reason == "changed": // soft-deleted: in deleted items, restorable
			u.Deleted = true
		default:
			delete(byID, id)
		}
		return nil
	}
	if u == nil {
		u = &simulate.User{ID: id}
		byID[id] = u
	}
	u.Deleted = false
	return applyUser(u, obj, keep)
}

// derivationOnly are the user properties a pull reads to derive
// alternativeSecurityIds; they stay in the snapshot only when a
// configuration uses them (keep).
var derivationOnly = []string{"creationType", "externalUserState", "identities"}

// applyUser is ApplyUser plus the derivation of alternativeSecurityIds
// from identities, creationType and externalUserState when the server did
// not send them, and the removal of what only served that derivation.
func applyUser(u *simulate.User, obj map[string]json.RawMessage, keep map[string]bool) error {
	if err := ApplyUser(u, obj); err != nil {
		return err
	}
	if _, served := obj["alternativeSecurityIds"]; !served {
		derived := false
		for _, k := range derivationOnly {
			_, has := obj[k]
			derived = derived || has
		}
		if derived {
			u.AlternativeSecurityIDs = deriveAltSecIDs(u.Attributes)
		}
	}
	for _, k := range derivationOnly {
		if !keep[k] {
			delete(u.Attributes, k)
		}
	}
	if len(u.Attributes) == 0 {
		u.Attributes = nil
	}
	return nil
}

// deriveAltSecIDs reconstructs the alternative security ids Graph v1.0 does
// not expose: one per federated identity (B2B from another Entra tenant,
// Microsoft account, Google, SAML/WS-Fed), else one for an invited or
// redeemed external user. Users with SMS sign-in (a phone authentication
// method) cannot be told apart from a pull: they count as internal.
func deriveAltSecIDs(attrs map[string]any) []simulate.AltSecID {
	var ids []simulate.AltSecID
	if list, ok := attrs["identities"].([]any); ok {
		for _, it := range list {
			m, _ := it.(map[string]any)
			if t, _ := m["signInType"].(string); t == "federated" {
				issuer, _ := m["issuer"].(string)
				ids = append(ids, simulate.AltSecID{Type: 1, IdentityProvider: issuer})
			}
		}
	}
	if len(ids) == 0 {
		ct, _ := attrs["creationType"].(string)
		eus, _ := attrs["externalUserState"].(string)
		if ct == "Invitation" || eus != "" {
			ids = append(ids, simulate.AltSecID{Type: 1, IdentityProvider: "ExternalAzureAD"})
		}
	}
	return ids
}

// pullDeletedUsers adds the soft-deleted users (deleted items) to byID. An
// endpoint that does not exist (404) counts as no deleted users.
// deletedUsersRequest is GET directory/deletedItems/microsoft.graph.user:
// Graph's documented cast segment (the SDK's builder sends the short
// "graph.user" form, which not every server accepts).
func (c *Client) deletedUsersRequest(sel []string, top int) *abs.RequestInformation {
	q := "$select=" + url.QueryEscape(strings.Join(sel, ",")) + "&$top=" + strconv.Itoa(top)
	return c.linkRequest(c.baseURL + "/v1.0/directory/deletedItems/microsoft.graph.user?" + strings.ReplaceAll(q, "%2C", ","))
}

func (c *Client) pullDeletedUsers(ctx context.Context, ri *abs.RequestInformation, first []byte, top int, byID map[string]*simulate.User, keep map[string]bool) error {
	_, err := c.pagesFrom(ctx, ri, first, top, func(p *Page) error {
		for i, obj := range p.Value {
			id, err := objectID(obj)
			if err != nil {
				return fmt.Errorf("value[%d]: %w", i, err)
			}
			u := &simulate.User{ID: id}
			if err := applyUser(u, obj, keep); err != nil {
				return err
			}
			u.Deleted = true
			byID[id] = u
		}
		return nil
	})
	if IsNotFound(err) {
		c.log.Warn("graph: no deleted items endpoint; the snapshot lists no soft-deleted users", "tenantId", c.tenantID)
		return nil
	}
	return err
}

// walkGroups applies every page of a groups delta to byID and returns the
// delta link. One group may come in several pieces (members split across
// pages).
func (c *Client) walkGroups(ctx context.Context, ri *abs.RequestInformation, first []byte, top int, byID map[string]*simulate.Group) (string, error) {
	link, err := c.pagesFrom(ctx, ri, first, top, func(p *Page) error {
		for i, obj := range p.Value {
			if err := applyGroupDelta(byID, obj); err != nil {
				return fmt.Errorf("value[%d]: %w", i, err)
			}
		}
		return nil
	})
	if err == nil && link == "" {
		err = errors.New("the delta ended without an @odata.deltaLink")
	}
	return link, err
}

// memberRef is one entry of members@delta.
type memberRef struct {
	ID      string   `json:"id"`
	Removed *Removal `json:"@removed"`
}

// applyGroupDelta merges one groups/delta object into byID.
func applyGroupDelta(byID map[string]*simulate.Group, obj map[string]json.RawMessage) error {
	id, err := objectID(obj)
	if err != nil {
		return err
	}
	rm, err := removal(obj)
	if err != nil {
		return fmt.Errorf("group %q: %w", id, err)
	}
	if rm != nil {
		delete(byID, id)
		return nil
	}
	g := byID[id]
	if g == nil {
		g = &simulate.Group{ID: id}
		byID[id] = g
	}
	if raw, ok := obj["displayName"]; ok {
		if err := optString(raw, &g.DisplayName); err != nil {
			return fmt.Errorf("group %q: displayName: %w", id, err)
		}
	}
	if raw, ok := obj["securityEnabled"]; ok {
		g.SecurityEnabled = false
		if !isNull(raw) {
			if err := json.Unmarshal(raw, &g.SecurityEnabled); err != nil {
				return fmt.Errorf("group %q: securityEnabled: %w", id, err)
			}
		}
	}
	for _, key := range []string{"members@delta", "members"} {
		raw, ok := obj[key]
		if !ok || isNull(raw) {
			continue
		}
		refs, err := decodeMembers(raw)
		if err != nil {
			return fmt.Errorf("group %q: %s: %w", id, key, err)
		}
		for _, r := range refs {
			i := slices.Index(g.Members, r.ID)
			switch {
			case r.Removed != nil && i >= 0:
				g.Members = slices.Delete(g.Members, i, i+1)
			case r.Removed == nil && i < 0:
				g.Members = append(g.Members, r.ID)
			}
		}
	}
	return nil
}

// decodeMembers reads a member list: objects with an id (and @removed), or
// plain ids.
func decodeMembers(raw json.RawMessage) ([]memberRef, error) {
	var refs []memberRef
	if err := json.Unmarshal(raw, &refs); err == nil {
		for _, r := range refs {
			if r.ID == "" {
				return nil, errors.New("member without an id")
			}
		}
		return refs, nil
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, errors.New("want an array of member objects or ids")
	}
	for _, id := range ids {
		refs = append(refs, memberRef{ID: id})
	}
	return refs, nil
}

// VerifiedDomains returns the tenant's verified domain names (GET
// /organization), in the order Graph lists them.
func (c *Client) VerifiedDomains(ctx context.Context) ([]string, error) {
	ri, err := c.orgRequest(ctx)
	if err != nil {
		return nil, err
	}
	return c.verifiedDomains(ctx, ri, nil)
}

func (c *Client) orgRequest(ctx context.Context) (*abs.RequestInformation, error) {
	return organization.NewOrganizationRequestBuilderInternal(map[string]string{}, c.adapter).ToGetRequestInformation(ctx,
		&organization.OrganizationRequestBuilderGetRequestConfiguration{QueryParameters: &organization.OrganizationRequestBuilderGetQueryParameters{Select: []string{"id", "verifiedDomains"}}})
}

func (c *Client) verifiedDomains(ctx context.Context, ri *abs.RequestInformation, first []byte) ([]string, error) {
	domains := []string{}
	_, err := c.pagesFrom(ctx, ri, first, 0, func(p *Page) error {
		for _, obj := range p.Value {
			var vd []struct {
				Name string `json:"name"`
			}
			if raw, ok := obj["verifiedDomains"]; ok && !isNull(raw) {
				if err := json.Unmarshal(raw, &vd); err != nil {
					return fmt.Errorf("verifiedDomains: %w", err)
				}
			}
			for _, d := range vd {
				if d.Name != "" && !slices.Contains(domains, d.Name) {
					domains = append(domains, d.Name)
				}
			}
		}
		return nil
	})
	return domains, err
}

// assemble builds the snapshot: users and groups sorted by id, members
// sorted.
func assemble(tenantID string, now time.Time, domains []string, byID map[string]*simulate.User, gByID map[string]*simulate.Group) *simulate.Snapshot {
	s := &simulate.Snapshot{
		FormatVersion:   simulate.SnapshotFormatVersion,
		TenantID:        tenantID,
		CapturedAt:      now.UTC().Format(time.RFC3339),
		VerifiedDomains: domains,
		Users:           make([]simulate.User, 0, len(byID)),
		Groups:          make([]simulate.Group, 0, len(gByID)),
	}
	for _, u := range byID {
		s.Users = append(s.Users, *u)
	}
	sort.Slice(s.Users, func(i, j int) bool { return s.Users[i].ID < s.Users[j].ID })
	for _, g := range gByID {
		if g.Members == nil {
			g.Members = []string{}
		}
		sort.Strings(g.Members) // as simulate.WriteSnapshot writes them
		s.Groups = append(s.Groups, *g)
	}
	sort.Slice(s.Groups, func(i, j int) bool { return s.Groups[i].ID < s.Groups[j].ID })
	return s
}

func cloneUser(u simulate.User) simulate.User {
	u.AlternativeSecurityIDs = slices.Clone(u.AlternativeSecurityIDs)
	u.ProxyAddresses = slices.Clone(u.ProxyAddresses)
	if u.Source != nil {
		s := *u.Source
		u.Source = &s
	}
	if u.Attributes != nil {
		m := make(map[string]any, len(u.Attributes))
		for k, v := range u.Attributes {
			m[k] = v
		}
		u.Attributes = m
	}
	return u
}
