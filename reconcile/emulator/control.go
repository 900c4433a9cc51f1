package emulator

import (
	"net/http"
	"regexp"
	"strings"
)

// tokenPath matches Entra's token endpoint: /{tenant}/oauth2/v2.0/token.
var tokenPath = regexp.MustCompile(`^/([^/]+)/oauth2/(v2\.0/)?token$`)

func isTokenPath(p string) bool { return tokenPath.MatchString(p) }

// tokenEndpoint answers a client-credentials token request with an
// emulator token for the tenant in the path (a GUID or a tenant name), all
// roles. No secret is checked.
func (s *Server) tokenEndpoint(r *http.Request) resp {
	if r.Method != http.MethodPost {
		return gerr(http.StatusMethodNotAllowed, "invalid_request", "use POST")
	}
	tenant := tokenPath.FindStringSubmatch(r.URL.Path)[1]
	id, found := s.resolveTenant(tenant)
	if !found {
		return resp{status: http.StatusBadRequest, body: map[string]any{
			"error":             "invalid_tenant",
			"error_description": "Tenant '" + tenant + "' not found. The emulator knows tenants by id or name.",
		}}
	}
	return ok(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": Token(id, nil)})
}

// resolveTenant maps a tenant name or id to its id; a GUID is accepted
// even when the emulator does not hold it yet.
func (s *Server) resolveTenant(nameOrID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.st.tenant(nameOrID); t != nil {
		return t.ID, true
	}
	if isGUID(nameOrID) {
		return strings.ToLower(nameOrID), true
	}
	return "", false
}

// ResolveTenant maps a tenant name (or id) to its id.
func (s *Server) ResolveTenant(nameOrID string) (string, bool) { return s.resolveTenant(nameOrID) }

// control serves /_emulator/*: GET /_emulator/tenants lists the tenants;
// GET /_emulator/token?tenant=NAME|ID[&roles=A,B] returns a token;
// GET /_emulator/stats returns the request counters (reads, writes,
// byMethod, byClass: see Stats) and DELETE /_emulator/stats zeroes them; POST
// /_emulator/cycle runs one provisioning cycle of every started job.
func (s *Server) control(r *http.Request) resp {
	path := strings.TrimPrefix(r.URL.Path, "/_emulator/")
	if path == "cycle" {
		if r.Method != http.MethodPost {
			return gerr(http.StatusMethodNotAllowed, "Request_BadRequest", "use POST /_emulator/cycle")
		}
		res := s.RunCycles()
		if res == nil {
			res = []CycleResult{}
		}
		return ok(map[string]any{"value": res})
	}
	if path == "stats" && r.Method == http.MethodDelete {
		s.ResetStats()
		return noContent()
	}
	if r.Method != http.MethodGet {
		return gerr(http.StatusMethodNotAllowed, "Request_BadRequest", "control endpoints are GET only (but POST /_emulator/cycle and DELETE /_emulator/stats)")
	}
	switch path {
	case "tenants":
		s.mu.Lock()
		defer s.mu.Unlock()
		list := []map[string]any{}
		for _, t := range s.st.Tenants {
			list = append(list, map[string]any{"id": t.ID, "name": t.Name, "users": len(t.Users), "groups": len(t.Groups)})
		}
		return ok(map[string]any{"value": list})
	case "token":
		id, found := s.resolveTenant(r.URL.Query().Get("tenant"))
		if !found {
			return gerr(http.StatusNotFound, "Request_ResourceNotFound", "tenant %q not found", r.URL.Query().Get("tenant"))
		}
		var roles []string
		if v := r.URL.Query().Get("roles"); v != "" {
			roles = strings.Split(v, ",")
		}
		return ok(map[string]any{"access_token": Token(id, roles)})
	case "stats":
		st := s.Requests()
		return ok(map[string]any{"requests": st.Requests, "bytes": st.Bytes, "faults": st.Faults,
			"reads": st.Reads, "writes": st.Writes, "byMethod": st.ByMethod, "byClass": st.ByClass})
	}
	return gerr(http.StatusNotFound, "Request_ResourceNotFound", "unknown control endpoint %q", r.URL.Path)
}
