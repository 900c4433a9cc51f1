package emulator

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// AllRoles lists every application permission the emulator checks. A token
// with no roles claim (Token(tid, nil)) is granted all of them.
var AllRoles = []string{
	"User.Read.All",
	"Group.Read.All",
	"GroupMember.Read.All",
	"Policy.ReadWrite.CrossTenantAccess",
	"Application.ReadWrite.All",
	"Synchronization.ReadWrite.All",
	"AppRoleAssignment.ReadWrite.All",
	"AuditLog.Read.All",
	"Organization.Read.All",
}

// claims is the part of an access token the emulator reads.
type claims struct {
	TenantID string    `json:"tid"`
	Roles    *[]string `json:"roles,omitempty"`
}

// Token returns an unsigned JWT for tenantID with the given application
// permissions in its roles claim; nil roles means every permission. The
// emulator does not check signatures: it reads tid and roles only, as Graph
// reads them from a real token.
func Token(tenantID string, roles []string) string {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	body := map[string]any{
		"aud":   "https://graph.microsoft.com",
		"iss":   "https://sts.windows.net/" + tenantID + "/",
		"tid":   tenantID,
		"idtyp": "app",
	}
	if roles != nil {
		body["roles"] = roles
	}
	b, _ := json.Marshal(body) // a map of strings and string slices always marshals
	return hdr + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// errNoToken and errBadToken are the two ways authentication fails. Their
// texts are Graph's own, sent to clients verbatim, hence the capitals.
var (
	//lint:ignore ST1005 Graph's wire message
	errNoToken = errors.New("Access token is empty.")
	//lint:ignore ST1005 Graph's wire message
	errBadToken = errors.New("Invalid JWT token. The token is not in a valid format.")
)

// parseBearer reads the claims of the Authorization header's bearer token.
func parseBearer(h http.Header) (claims, error) {
	auth := h.Get("Authorization")
	if auth == "" {
		return claims{}, errNoToken
	}
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return claims{}, errNoToken
	}
	return parseToken(strings.TrimSpace(tok))
}

// parseToken decodes a JWT's payload without checking its signature.
func parseToken(tok string) (claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return claims{}, errBadToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims{}, errBadToken
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return claims{}, errBadToken
	}
	if !isGUID(c.TenantID) {
		//lint:ignore ST1005 Graph's wire message style, sent to the client verbatim
		return claims{}, fmt.Errorf("Invalid JWT token. The tid claim %q is not a tenant id.", c.TenantID)
	}
	return c, nil
}

// grants reports whether the token's roles allow a request that needs any of
// the permissions in need. X.ReadWrite.Y implies X.Read.Y, and
// Directory.Read(Write).All implies the directory read permissions.
func (c claims) grants(need []string) bool {
	if len(need) == 0 || c.Roles == nil {
		return true
	}
	for _, have := range *c.Roles {
		for _, n := range need {
			if impliesPermission(have, n) {
				return true
			}
		}
	}
	return false
}

func impliesPermission(have, need string) bool {
	if strings.EqualFold(have, need) {
		return true
	}
	if strings.EqualFold(strings.Replace(have, ".ReadWrite.", ".Read.", 1), need) {
		return true
	}
	switch strings.ToLower(have) {
	case "directory.read.all", "directory.readwrite.all":
		switch need {
		case "User.Read.All", "Group.Read.All", "GroupMember.Read.All":
			return true
		}
	}
	return false
}

// isGUID reports whether s looks like a GUID (8-4-4-4-12 hex digits).
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// IsTenantID reports whether s has the form of a tenant id (a GUID).
func IsTenantID(s string) bool { return isGUID(s) }
