package simulate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// WriteSnapshot writes a snapshot as JSON, deterministically: users sorted by
// id, their attributes by name, groups by id with their members sorted, one
// user or group per line. It does not modify s. ReadSnapshot reads it back
// equal (null attributes are dropped).
func WriteSnapshot(w io.Writer, s *Snapshot) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"formatVersion":`...)
	fv := s.FormatVersion
	if fv == 0 {
		fv = SnapshotFormatVersion
	}
	b = strconv.AppendInt(b, int64(fv), 10)
	b = append(b, `,"tenantId":`...)
	b = appendJSONString(b, s.TenantID)
	if s.CapturedAt != "" {
		b = append(b, `,"capturedAt":`...)
		b = appendJSONString(b, s.CapturedAt)
	}
	b = append(b, `,"verifiedDomains":`...)
	b = appendStrings(b, s.VerifiedDomains)
	b = append(b, ",\n\"users\":["...)
	order := make([]int, len(s.Users))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return s.Users[order[i]].ID < s.Users[order[j]].ID })
	var keys []string
	var err error
	for n, i := range order {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b, keys, err = appendUser(b, s, i, keys)
		if err != nil {
			return fmt.Errorf("write snapshot: user %q: %w", s.Users[i].ID, err)
		}
		if len(b) > 60<<10 {
			if _, err := bw.Write(b); err != nil {
				return fmt.Errorf("write snapshot: %w", err)
			}
			b = b[:0]
		}
	}
	b = append(b, "\n],\n\"groups\":["...)
	gorder := make([]int, len(s.Groups))
	for i := range gorder {
		gorder[i] = i
	}
	sort.Slice(gorder, func(i, j int) bool { return s.Groups[gorder[i]].ID < s.Groups[gorder[j]].ID })
	for n, i := range gorder {
		g := &s.Groups[i]
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"id\":"...)
		b = appendJSONString(b, g.ID)
		b = append(b, `,"displayName":`...)
		b = appendJSONString(b, g.DisplayName)
		b = append(b, `,"securityEnabled":`...)
		b = strconv.AppendBool(b, g.SecurityEnabled)
		b = append(b, `,"members":`...)
		members := append([]string(nil), g.Members...)
		sort.Strings(members)
		b = appendStrings(b, members)
		b = append(b, '}')
		if len(b) > 60<<10 {
			if _, err := bw.Write(b); err != nil {
				return fmt.Errorf("write snapshot: %w", err)
			}
			b = b[:0]
		}
	}
	b = append(b, "\n]}\n"...)
	if _, err := bw.Write(b); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

func appendUser(b []byte, s *Snapshot, i int, keys []string) ([]byte, []string, error) {
	u := &s.Users[i]
	b = append(b, `{"id":`...)
	b = appendJSONString(b, u.ID)
	b = append(b, `,"userPrincipalName":`...)
	b = appendJSONString(b, u.UserPrincipalName)
	opt := func(k, v string) {
		if v != "" {
			b = append(b, ',', '"')
			b = append(b, k...)
			b = append(b, '"', ':')
			b = appendJSONString(b, v)
		}
	}
	opt("mail", u.Mail)
	opt("displayName", u.DisplayName)
	opt("userType", u.UserType)
	b = append(b, `,"accountEnabled":`...)
	b = strconv.AppendBool(b, u.AccountEnabled)
	keys = keys[:0]
	if s.cols != nil {
		for _, k := range s.cols.names {
			if s.Attr(i, k) != nil && !knownUserKey(k) {
				keys = append(keys, k)
			}
		}
	} else {
		for k, v := range u.Attributes {
			if v != nil && !knownUserKey(k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	var err error
	for _, k := range keys {
		b = append(b, ',')
		b = appendJSONString(b, k)
		b = append(b, ':')
		if b, err = appendValue(b, s.Attr(i, k)); err != nil {
			return b, keys, fmt.Errorf("attribute %s: %w", k, err)
		}
	}
	if len(u.AlternativeSecurityIDs) > 0 {
		b = append(b, `,"alternativeSecurityIds":[`...)
		for i, a := range u.AlternativeSecurityIDs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = strconv.AppendInt(b, int64(a.Type), 10)
			if a.IdentityProvider != "" {
				b = append(b, `,"identityProvider":`...)
				b = appendJSONString(b, a.IdentityProvider)
			}
			if a.Key != "" {
				b = append(b, `,"key":`...)
				b = appendJSONString(b, a.Key)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(u.ProxyAddresses) > 0 {
		b = append(b, `,"proxyAddresses":`...)
		b = appendStrings(b, u.ProxyAddresses)
	}
	if u.Deleted {
		b = append(b, `,"deleted":true`...)
	}
	if l := u.Source; l != nil {
		b = append(b, `,"source":{"tenantId":`...)
		b = appendJSONString(b, l.TenantID)
		b = append(b, `,"userId":`...)
		b = appendJSONString(b, l.UserID)
		b = append(b, `,"config":`...)
		if l.Config == "" {
			b = append(b, "null"...)
		} else {
			b = appendJSONString(b, l.Config)
		}
		if l.DeletedBySync != nil {
			b = append(b, `,"deletedBySync":`...)
			b = strconv.AppendBool(b, *l.DeletedBySync)
		}
		if l.LinkSource != "" {
			b = append(b, `,"linkSource":`...)
			b = appendJSONString(b, l.LinkSource)
		}
		b = append(b, '}')
	}
	return append(b, '}'), keys, nil
}

// knownUserKey reports whether a property is a User field, which an
// attribute of the same name must not shadow.
func knownUserKey(k string) bool {
	switch k {
	case "id", "userPrincipalName", "mail", "displayName", "userType", "accountEnabled",
		"alternativeSecurityIds", "proxyAddresses", "deleted", "source":
		return true
	}
	return false
}

func appendStrings(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendValue appends an attribute value: the fast path for scalars,
// encoding/json for the rest (which sorts map keys).
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, fmt.Errorf("unsupported number %v", x)
		}
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped as encoding/json
// does without HTML escaping (invalid UTF-8 as \ufffd).
func appendJSONString(b []byte, s string) []byte { return appendResultString(b, s) }
