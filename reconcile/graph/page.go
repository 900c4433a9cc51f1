package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/xtsync/xtsync/simulate"
)

// Page is one page of a Graph collection or delta response.
type Page struct {
	// Value holds the page's objects, each property kept as raw JSON so that
	// an absent property (unchanged, in a delta) differs from a null one.
	Value     []map[string]json.RawMessage
	NextLink  string
	DeltaLink string
}

// DecodePage decodes one page of a Graph collection:
// {"value": [...], "@odata.nextLink": "...", "@odata.deltaLink": "..."}.
func DecodePage(b []byte) (*Page, error) {
	var raw struct {
		Value     []map[string]json.RawMessage `json:"value"`
		NextLink  *string                      `json:"@odata.nextLink"`
		DeltaLink *string                      `json:"@odata.deltaLink"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decode graph page: %w", err)
	}
	p := &Page{Value: raw.Value}
	if raw.NextLink != nil {
		p.NextLink = *raw.NextLink
	}
	if raw.DeltaLink != nil {
		p.DeltaLink = *raw.DeltaLink
	}
	for i, obj := range p.Value {
		if obj == nil {
			return nil, fmt.Errorf("decode graph page: value[%d]: want an object, got null", i)
		}
	}
	return p, nil
}

// Removal is a delta's "@removed" annotation.
type Removal struct {
	// Reason is "changed" (soft-deleted, restorable) or "deleted" (gone).
	Reason string `json:"reason"`
}

// removal returns the object's @removed annotation, or nil.
func removal(obj map[string]json.RawMessage) (*Removal, error) {
	raw, ok := obj["@removed"]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var r Removal
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("@removed: %w", err)
	}
	return &r, nil
}

// objectID returns the object's id.
func objectID(obj map[string]json.RawMessage) (string, error) {
	var id string
	if err := json.Unmarshal(obj["id"], &id); err != nil || id == "" {
		return "", errors.New("object without an id")
	}
	return id, nil
}

// snapshotOnly are properties of a snapshot user that Graph never serves as
// user properties; a server that sends them is not trusted for them.
var snapshotOnly = map[string]bool{"deleted": true, "source": true, "deletedDateTime": true}

// ApplyUser sets the properties present in a Graph user object on u: a
// property that is absent leaves u's value alone (a delta sends only what
// changed), a null clears it. Annotations (@odata.*, @removed) are ignored,
// except manager@delta.
func ApplyUser(u *simulate.User, obj map[string]json.RawMessage) error {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if err := applyUserProp(u, k, obj[k]); err != nil {
			return fmt.Errorf("user %q: %s: %w", u.ID, k, err)
		}
	}
	return nil
}

func applyUserProp(u *simulate.User, k string, raw json.RawMessage) error {
	null := isNull(raw)
	switch k {
	case "id":
		if s, ok := plainString(raw); ok {
			u.ID = s
			return nil
		}
		return json.Unmarshal(raw, &u.ID)
	case "userPrincipalName":
		return optString(raw, &u.UserPrincipalName)
	case "mail":
		return optString(raw, &u.Mail)
	case "displayName":
		return optString(raw, &u.DisplayName)
	case "userType":
		return optString(raw, &u.UserType)
	case "accountEnabled":
		if null {
			u.AccountEnabled = false
			return nil
		}
		return json.Unmarshal(raw, &u.AccountEnabled)
	case "proxyAddresses":
		return optList(raw, &u.ProxyAddresses)
	case "alternativeSecurityIds":
		return optList(raw, &u.AlternativeSecurityIDs)
	case "manager", "manager@delta":
		id, err := managerID(raw)
		if err != nil {
			return err
		}
		setAttr(u, "manager", id)
		return nil
	}
	if strings.Contains(k, "@") || snapshotOnly[k] {
		return nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		return err
	}
	setAttr(u, k, v)
	return nil
}

// setAttr sets an extra attribute; nil, "" and [] remove it (they flow no
// more than a null, and real Graph sends null for every unset selected
// property).
func setAttr(u *simulate.User, k string, v any) {
	if isEmpty(v) {
		delete(u.Attributes, k)
		return
	}
	if u.Attributes == nil {
		u.Attributes = map[string]any{}
	}
	u.Attributes[k] = v
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// managerID reads a manager reference: an id string, an object with an id,
// or manager@delta's one-element array (with @removed when unset).
func managerID(raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	type ref struct {
		ID      string   `json:"id"`
		Removed *Removal `json:"@removed"`
	}
	var one ref
	if json.Unmarshal(raw, &one) == nil && raw[0] == '{' {
		if one.Removed != nil || one.ID == "" {
			return nil, nil
		}
		return one.ID, nil
	}
	var many []ref
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("want an id, an object with an id or an array of them")
	}
	for _, r := range many {
		if r.Removed == nil && r.ID != "" {
			return r.ID, nil
		}
	}
	return nil, nil
}

// optList decodes a list property; null and [] leave it nil.
func optList[T any](raw json.RawMessage, dst *[]T) error {
	*dst = nil
	if isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return err
	}
	if len(*dst) == 0 {
		*dst = nil
	}
	return nil
}

func optString(raw json.RawMessage, dst *string) error {
	if isNull(raw) {
		*dst = ""
		return nil
	}
	if s, ok := plainString(raw); ok {
		*dst = s
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// plainString is the fast path of decoding a JSON string without escapes
// (most property values): no reflection, one allocation.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 || c >= 0x80 {
			return "", false
		}
	}
	return string(body), true
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// decodeValue decodes a property value into the types simulate.User
// attributes hold: string, bool, int64 (integers) or float64, []any,
// map[string]any, nil.
func decodeValue(raw json.RawMessage) (any, error) {
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return normalizeNumbers(v), nil
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return x.String()
		}
		return f
	case []any:
		for i := range x {
			x[i] = normalizeNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeNumbers(x[k])
		}
	}
	return v
}

// EncodeUser renders a snapshot user as the Graph user object a server
// would send (the inverse of ApplyUser for everything Graph serves).
func EncodeUser(u simulate.User) map[string]any {
	m := map[string]any{}
	for k, v := range u.Attributes {
		m[k] = v
	}
	m["id"] = u.ID
	m["userPrincipalName"] = u.UserPrincipalName
	m["accountEnabled"] = u.AccountEnabled
	for k, v := range map[string]string{"mail": u.Mail, "displayName": u.DisplayName, "userType": u.UserType} {
		if v != "" {
			m[k] = v
		} else {
			m[k] = nil
		}
	}
	if len(u.ProxyAddresses) > 0 {
		m["proxyAddresses"] = u.ProxyAddresses
	}
	if len(u.AlternativeSecurityIDs) > 0 {
		m["alternativeSecurityIds"] = u.AlternativeSecurityIDs
	}
	return m
}

// DecodeUserPage decodes a page of Graph users into snapshot users, and
// lists the ids of the users a delta removed (with the reason).
func DecodeUserPage(b []byte) ([]simulate.User, map[string]string, error) {
	p, err := DecodePage(b)
	if err != nil {
		return nil, nil, err
	}
	var users []simulate.User
	removed := map[string]string{}
	for i, obj := range p.Value {
		id, err := objectID(obj)
		if err != nil {
			return nil, nil, fmt.Errorf("decode graph page: value[%d]: %w", i, err)
		}
		rm, err := removal(obj)
		if err != nil {
			return nil, nil, fmt.Errorf("decode graph page: user %q: %w", id, err)
		}
		if rm != nil {
			removed[id] = rm.Reason
			continue
		}
		var u simulate.User
		if err := ApplyUser(&u, obj); err != nil {
			return nil, nil, fmt.Errorf("decode graph page: %w", err)
		}
		users = append(users, u)
	}
	return users, removed, nil
}

// sameEndpoint reports whether link is on the base URL's scheme and host.
func sameEndpoint(base, link string) bool {
	b, err1 := url.Parse(base)
	l, err2 := url.Parse(link)
	return err1 == nil && err2 == nil && strings.EqualFold(b.Scheme, l.Scheme) && strings.EqualFold(b.Host, l.Host)
}
