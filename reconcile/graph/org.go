package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Organization is what GET /organization says of the client's tenant.
type Organization struct {
	ID          string
	DisplayName string
	// InitialDomain is the verified domain Graph flags isInitial (the
	// <name>.onmicrosoft.com the tenant was made with), "" when none is.
	InitialDomain   string
	VerifiedDomains []string
}

// Organization reads the client's tenant: its id, display name and
// verified domains (Organization.Read.All, or User.Read.All).
func (c *Client) Organization(ctx context.Context) (Organization, error) {
	b, err := c.Do(ctx, http.MethodGet, "organization?$select=id,displayName,verifiedDomains", nil)
	if err != nil {
		return Organization{}, fmt.Errorf("read the organization of tenant %s: %w", c.tenantID, err)
	}
	var page struct {
		Value []struct {
			ID              string `json:"id"`
			DisplayName     string `json:"displayName"`
			VerifiedDomains []struct {
				Name      string `json:"name"`
				IsInitial bool   `json:"isInitial"`
			} `json:"verifiedDomains"`
		} `json:"value"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return Organization{}, fmt.Errorf("read the organization of tenant %s: %w", c.tenantID, err)
	}
	if len(page.Value) == 0 {
		return Organization{}, fmt.Errorf("read the organization of tenant %s: Graph returned none", c.tenantID)
	}
	o := page.Value[0]
	if !strings.EqualFold(o.ID, c.tenantID) {
		return Organization{}, fmt.Errorf("read the organization of tenant %s: Graph answered for tenant %s", c.tenantID, o.ID)
	}
	out := Organization{ID: strings.ToLower(o.ID), DisplayName: o.DisplayName, VerifiedDomains: []string{}}
	for _, d := range o.VerifiedDomains {
		out.VerifiedDomains = append(out.VerifiedDomains, d.Name)
		if d.IsInitial && out.InitialDomain == "" {
			out.InitialDomain = d.Name
		}
	}
	return out, nil
}
