package tenants

import (
	"bytes"
	"time"

	"go.yaml.in/yaml/v3"
)

// The normalised YAML form of a tenant file: every key explicit, defaults
// written out, mappings sorted. Loading it yields the same model.
type (
	yTenant struct {
		APIVersion    string     `yaml:"apiVersion"`
		Kind          string     `yaml:"kind"`
		Name          string     `yaml:"name"`
		TenantID      string     `yaml:"tenantId"`
		DisplayName   string     `yaml:"displayName,omitempty"`
		InitialDomain string     `yaml:"initialDomain,omitempty"`
		Cloud         string     `yaml:"cloud"`
		Suspend       *ySuspend  `yaml:"suspend,omitempty"`
		Partners      []yPartner `yaml:"partners"`
		Sync          []ySync    `yaml:"sync"`
	}
	yPartner struct {
		Tenant   string     `yaml:"tenant"`
		Inbound  *yInbound  `yaml:"inbound,omitempty"`
		Outbound *yOutbound `yaml:"outbound,omitempty"`
	}
	yInbound struct {
		UserSync   bool     `yaml:"userSync"`
		AutoRedeem bool     `yaml:"autoRedeem"`
		Limits     *yLimits `yaml:"limits,omitempty"`
	}
	yOutbound struct {
		AutoRedeem bool `yaml:"autoRedeem"`
	}
	yLimits struct {
		UserTypes []string `yaml:"userTypes,omitempty"`
		MaxUsers  *int     `yaml:"maxUsers,omitempty"`
	}
	ySync struct {
		Name              string              `yaml:"name"`
		ID                string              `yaml:"id,omitempty"`
		Target            string              `yaml:"target"`
		Enabled           bool                `yaml:"enabled"`
		Scope             yScope              `yaml:"scope"`
		UserType          string              `yaml:"userType"`
		UserTypeFlow      string              `yaml:"userTypeFlow"`
		ShowInAddressList bool                `yaml:"showInAddressList"`
		Mappings          map[string]yMapping `yaml:"mappings"`
		Actions           []string            `yaml:"actions"`
		DeletionThreshold int                 `yaml:"deletionThreshold"`
		Acknowledge       []string            `yaml:"acknowledge"`
		Suspend           *ySuspend           `yaml:"suspend,omitempty"`
	}
	ySuspend struct {
		Until  string `yaml:"until,omitempty"`
		Reason string `yaml:"reason"`
	}
	yScope struct {
		All     bool      `yaml:"all"`
		Groups  []string  `yaml:"groups"`
		Users   []string  `yaml:"users"`
		Filters []yFilter `yaml:"filters"`
	}
	yFilter struct {
		Name    string    `yaml:"name,omitempty"`
		Clauses []yClause `yaml:"clauses"`
	}
	yClause struct {
		Attribute string  `yaml:"attribute"`
		Operator  string  `yaml:"operator"`
		Value     *string `yaml:"value,omitempty"`
	}
	yMapping struct {
		Source     *string `yaml:"source,omitempty"`
		Constant   *string `yaml:"constant,omitempty"`
		Expression *string `yaml:"expression,omitempty"`
		Remove     bool    `yaml:"remove,omitempty"`
		Flow       string  `yaml:"flow,omitempty"`
	}
)

// Marshal renders a tenant in the normalised file form: every key written
// out, defaults included, mappings sorted. ParseTenant(Marshal(t)) yields a
// model equal to t (positions aside).
func Marshal(t *Tenant) []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(toYAML(t)); err != nil {
		// Encode fails only on types it cannot encode; these are plain.
		panic("tenants: marshal: " + err.Error())
	}
	return b.Bytes()
}

func toYAML(t *Tenant) yTenant {
	y := yTenant{
		APIVersion: APIVersion, Kind: KindTenant, Name: t.Name, TenantID: t.TenantID,
		DisplayName: t.DisplayName, InitialDomain: t.InitialDomain, Cloud: string(t.Cloud),
		Partners: []yPartner{}, Sync: []ySync{}, Suspend: marshalSuspend(t.Suspend),
	}
	for _, p := range t.Partners {
		yp := yPartner{Tenant: p.Tenant}
		if p.Outbound != nil {
			yp.Outbound = &yOutbound{AutoRedeem: p.Outbound.AutoRedeem}
		}
		if p.Inbound != nil {
			yp.Inbound = &yInbound{UserSync: p.Inbound.UserSync, AutoRedeem: p.Inbound.AutoRedeem}
			if l := p.Inbound.Limits; l != nil {
				yp.Inbound.Limits = &yLimits{UserTypes: l.UserTypes, MaxUsers: l.MaxUsers}
			}
		}
		y.Partners = append(y.Partners, yp)
	}
	for _, sc := range t.Sync {
		ys := ySync{
			Name: sc.Name, ID: sc.ID, Target: sc.Target, Enabled: sc.Enabled,
			Scope:    yScope{All: sc.Scope.All, Groups: nonNil(sc.Scope.Groups), Users: nonNil(sc.Scope.Users), Filters: []yFilter{}},
			UserType: sc.UserType, UserTypeFlow: string(sc.UserTypeFlow), ShowInAddressList: sc.ShowInAddressList,
			Mappings: map[string]yMapping{}, Actions: []string{}, DeletionThreshold: sc.DeletionThreshold,
			Acknowledge: nonNil(sc.Acknowledge), Suspend: marshalSuspend(sc.Suspend),
		}
		for _, f := range sc.Scope.Filters {
			yf := yFilter{Name: f.Name, Clauses: []yClause{}}
			for _, c := range f.Clauses {
				yc := yClause{Attribute: c.Attribute, Operator: string(c.Operator)}
				if !c.Operator.Unary() {
					v := c.Value
					yc.Value = &v
				}
				yf.Clauses = append(yf.Clauses, yc)
			}
			ys.Scope.Filters = append(ys.Scope.Filters, yf)
		}
		for _, m := range sc.Mappings {
			v := m.Value
			ym := yMapping{Flow: string(m.Flow)}
			switch m.Kind {
			case MappingSource:
				ym.Source = &v
			case MappingConstant:
				ym.Constant = &v
			case MappingExpression:
				ym.Expression = &v
			case MappingRemove:
				ym.Remove, ym.Flow = true, ""
			}
			ys.Mappings[m.Target] = ym
		}
		for _, a := range sc.Actions {
			ys.Actions = append(ys.Actions, string(a))
		}
		y.Sync = append(y.Sync, ys)
	}
	return y
}

func marshalSuspend(s *Suspend) *ySuspend {
	if s == nil {
		return nil
	}
	y := &ySuspend{Reason: s.Reason}
	if !s.Until.IsZero() {
		y.Until = s.Until.Format(time.RFC3339)
	}
	return y
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
