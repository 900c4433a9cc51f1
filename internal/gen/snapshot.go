package gen

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/xtsync/xtsync/simulate"
)

// CapturedAt is the capture time written in every snapshot: fixed, so the
// output depends on the options alone.
const CapturedAt = "2026-11-26T10:00:00Z"

// Snapshot is the directory snapshot of one tenant (DESIGN §3), written on
// demand: its home users, the B2B users earlier cycles created in it, and
// its groups.
type Snapshot struct {
	// Tenant is the tenant's name; the file is snapshots/<Tenant>.json.
	Tenant string
	g      *generator
	ti     int
}

// Users returns the number of users the snapshot holds.
func (s *Snapshot) Users() int { return s.g.tenants[s.ti].users + len(s.g.targets[s.ti]) }

// WriteTo streams the snapshot as JSON to w, one user or group per line.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 256<<10)
	g, t := s.g, s.ti
	tn := &g.tenants[t]
	ur := newUserRand()
	buf := make([]byte, 0, 4096)

	buf = append(buf, `{"formatVersion":1,"tenantId":"`...)
	buf = append(buf, tn.id...)
	buf = append(buf, `","capturedAt":"`+CapturedAt+`","verifiedDomains":[`...)
	buf = appendString(buf, tn.domain)
	buf = append(buf, ',')
	buf = appendString(buf, tn.labsDomain)
	buf = append(buf, ',')
	buf = appendString(buf, tn.initialDomain)
	buf = append(buf, "],\n\"users\":["...)
	sep := "\n"
	for i := 0; i < tn.users; i++ {
		buf = append(buf, sep...)
		sep = ",\n"
		u := g.user(ur, t, i)
		buf = g.appendHomeUser(buf, &u)
		if len(buf) > 64<<10 {
			if _, err := bw.Write(buf); err != nil {
				return cw.n, err
			}
			buf = buf[:0]
		}
	}
	for e := range g.targets[t] {
		buf = append(buf, sep...)
		sep = ",\n"
		buf = g.appendB2BUser(buf, ur, t, e)
		if len(buf) > 64<<10 {
			if _, err := bw.Write(buf); err != nil {
				return cw.n, err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "\n],\n\"groups\":["...)
	sep = "\n"
	for rank := range tn.groups {
		buf = append(buf, sep...)
		sep = ",\n"
		buf = g.appendGroup(buf, t, rank)
		if len(buf) > 64<<10 {
			if _, err := bw.Write(buf); err != nil {
				return cw.n, err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "\n]}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return cw.n, err
	}
	err := bw.Flush()
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendAttr appends ,"key":"value" unless value is empty (absent).
func appendAttr(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	return appendString(appendKey(b, key), value)
}

// appendAttrs appends the user's directory attributes that are set.
func appendAttrs(b []byte, u *user) []byte {
	b = appendAttr(b, "givenName", u.givenName)
	b = appendAttr(b, "surname", u.surname)
	b = appendAttr(b, "department", u.department)
	b = appendAttr(b, "jobTitle", u.jobTitle)
	b = appendAttr(b, "employeeType", u.employeeType)
	b = appendAttr(b, "employeeId", u.employeeID)
	b = appendAttr(b, "companyName", u.companyName)
	b = appendAttr(b, "city", u.city)
	b = appendAttr(b, "country", u.country)
	b = appendAttr(b, "officeLocation", u.officeLocation)
	b = appendAttr(b, "preferredLanguage", u.preferredLanguage)
	b = appendAttr(b, "mailNickname", u.mailNickname)
	b = appendAttr(b, "mobilePhone", u.mobilePhone)
	return b
}

func appendBool(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(appendKey(b, key), v)
}

func (g *generator) appendHead(b []byte, id []byte, upn, mail, displayName, userType string, enabled bool) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, id...)
	b = append(b, '"')
	b = appendAttr(b, "userPrincipalName", upn)
	b = appendAttr(b, "mail", mail)
	b = appendAttr(b, "displayName", displayName)
	b = appendAttr(b, "userType", userType)
	return appendBool(b, "accountEnabled", enabled)
}

func (g *generator) appendHomeUser(b []byte, u *user) []byte {
	var id [36]byte
	b = g.appendHead(b, g.appendUUID(id[:0], kUser, uint64(u.t), uint64(u.i), 0), u.upn, u.mail, u.displayName, u.userType, !u.disabled)
	b = appendAttrs(b, u)
	if u.manager >= 0 {
		b = append(appendKey(b, "manager"), '"')
		b = append(g.appendUUID(b, kUser, uint64(u.t), uint64(u.manager), 0), '"')
	}
	switch u.kind {
	case kindB2B:
		b = append(b, `,"alternativeSecurityIds":[{"type":5,"identityProvider":"ExternalAzureAD"}]`...)
	case kindSMS:
		b = append(b, `,"alternativeSecurityIds":[{"type":6,"identityProvider":"phone"}]`...)
	}
	if u.proxy && u.mail != "" {
		b = append(appendKey(b, "proxyAddresses"), '[')
		b = appendString(b, "SMTP:"+u.mail)
		b = append(b, ']')
	}
	if u.deleted {
		b = append(b, `,"deleted":true`...)
	}
	return append(b, '}')
}

// extUPN is the UPN a B2B user gets in tenant t: the source UPN with @
// replaced by _, then #EXT#@ and the target's initial domain.
func (g *generator) extUPN(upn string, t int) string {
	return strings.ReplaceAll(upn, "@", "_") + "#EXT#@" + g.tenants[t].initialDomain
}

func (g *generator) appendB2BUser(b []byte, ur *userRand, t, e int) []byte {
	x := g.targets[t][e]
	s := int(x.source)
	src := &g.tenants[s]
	var id [36]byte
	if x.user < 0 { // the source user is gone: only the link remains
		n := uint64(e)
		gn := givenNames[g.hash(kGhost, uint64(t), n, 1)%uint64(len(givenNames))]
		sn := surnames[g.hash(kGhost, uint64(t), n, 2)%uint64(len(surnames))]
		upn := gn.ascii + "." + sn.ascii + ".former" + strconv.Itoa(e) + "@" + src.domain
		b = g.appendHead(b, g.appendUUID(id[:0], kGhost, uint64(t), n, 0), g.extUPN(upn, t), upn, gn.display+" "+sn.display, g.configs[x.config].userType, true)
		b = appendAttr(b, "givenName", gn.display)
		b = appendAttr(b, "surname", sn.display)
		b = append(b, `,"showInAddressList":true,"alternativeSecurityIds":[{"type":5,"identityProvider":"ExternalAzureAD"}],"source":{"tenantId":"`...)
		b = append(b, src.id...)
		b = append(b, `","userId":"`...)
		b = g.appendUUID(b, kGhost, uint64(s), n, 1)
		b = append(b, `","config":`...)
		b = appendString(b, g.configs[x.config].name)
		return append(b, `,"linkSource":"provisioning-logs"}}`...)
	}
	u := g.user(ur, s, int(x.user))
	switch x.config {
	case cfgNone, cfgGuest: // invited by hand: only what an invitation sets
		mail := u.mail
		if mail == "" {
			mail = u.upn
		}
		if x.config == cfgGuest {
			// A guest without source link that already carries the source
			// user's address: as its mail, or (every other one) as a
			// secondary proxy address in other letter case.
			upn, proxy := g.extUPN(mail, t), ""
			if x.user%2 == 1 {
				proxy, mail = mail, "former."+mail
			}
			b = g.appendHead(b, g.appendUUID(id[:0], kGuest, uint64(t), uint64(s), uint64(x.user)), upn, mail, u.displayName, "Guest", true)
			b = append(b, `,"alternativeSecurityIds":[{"type":5,"identityProvider":"ExternalAzureAD"}]`...)
			if proxy != "" {
				b = append(appendKey(b, "proxyAddresses"), '[')
				b = appendString(b, "SMTP:"+mail)
				b = append(b, ',')
				b = appendString(b, "smtp:"+strings.ToUpper(proxy))
				b = append(b, ']')
			}
			return append(b, '}')
		}
		b = g.appendHead(b, g.appendUUID(id[:0], kB2B, uint64(t), uint64(s), uint64(x.user)), g.extUPN(mail, t), mail, u.displayName, "Guest", true)
		b = append(b, `,"alternativeSecurityIds":[{"type":5,"identityProvider":"ExternalAzureAD"}],"source":{"tenantId":"`...)
		b = append(b, src.id...)
		b = append(b, `","userId":"`...)
		b = g.appendUUID(b, kUser, uint64(s), uint64(x.user), 0)
		return append(b, `","config":null,"linkSource":"ext-upn"}}`...)
	}
	c := &g.configs[x.config]
	a := g.mapped(&u, c)
	if x.flags&flagStale != 0 {
		g.stale(&a, t, &u)
	}
	enabled := !u.disabled || x.flags&flagDisabled == 0
	b = g.appendHead(b, g.appendUUID(id[:0], kB2B, uint64(t), uint64(s), uint64(x.user)), g.extUPN(u.upn, t), u.mail, a.displayName, c.userType, enabled)
	b = appendAttrs(b, &a)
	b = appendBool(b, "showInAddressList", c.showInGAL)
	if u.manager >= 0 {
		if l := g.links[t][s][u.manager]; l >= 0 {
			if m := g.targets[t][l]; m.config >= 0 && m.flags&flagDeleted == 0 {
				b = append(appendKey(b, "manager"), '"')
				b = append(g.appendUUID(b, kB2B, uint64(t), uint64(s), uint64(u.manager)), '"')
			}
		}
	}
	b = append(b, `,"alternativeSecurityIds":[{"type":5,"identityProvider":"ExternalAzureAD"}]`...)
	if x.flags&flagDeleted != 0 {
		b = append(b, `,"deleted":true`...)
	}
	b = append(b, `,"source":{"tenantId":"`...)
	b = append(b, src.id...)
	b = append(b, `","userId":"`...)
	b = g.appendUUID(b, kUser, uint64(s), uint64(x.user), 0)
	b = append(b, `","config":`...)
	b = appendString(b, c.name)
	if x.flags&flagDeleted != 0 {
		b = appendBool(b, "deletedBySync", x.flags&flagDeletedByUser == 0)
	}
	return append(b, `,"linkSource":"provisioning-logs"}}`...)
}

// mapped returns the attributes a configuration writes for a source user:
// the default mappings with the configuration's changes applied.
func (g *generator) mapped(u *user, c *config) user {
	a := user{
		displayName: u.displayName, givenName: u.givenName, surname: u.surname,
		jobTitle: u.jobTitle, department: u.department, employeeID: u.employeeID,
		city: u.city, country: u.country, mailNickname: u.mailNickname,
		preferredLanguage: u.preferredLanguage, officeLocation: u.officeLocation,
	}
	for _, m := range c.mappings {
		switch m.target {
		case "companyName":
			a.companyName = m.value
		case "employeeType":
			a.employeeType = u.employeeType
		case "jobTitle":
			a.jobTitle = strings.ToUpper(u.jobTitle)
		case "displayName":
			var parts []string
			for _, p := range []string{u.givenName, u.surname} {
				if p != "" {
					parts = append(parts, p)
				}
			}
			if len(parts) > 0 {
				a.displayName = strings.Join(parts, " ")
			}
		case "mobile":
			a.mobilePhone = u.mobilePhone
		}
	}
	return a
}

// stale changes one attribute of a target user, as if the source changed
// since the last cycle.
func (g *generator) stale(a *user, t int, u *user) {
	h := g.hash(kKey, uint64(t), uint64(u.t), uint64(u.i))
	switch h % 4 {
	case 0:
		a.department = departments[(h>>8)%uint64(len(departments))].name
		if a.department == u.department {
			a.department = "Former " + u.department
		}
	case 1:
		a.jobTitle = "Associate"
	case 2:
		a.city = "Old " + u.city
	default:
		a.displayName = u.givenName + " " + surnames[(h>>8)%uint64(len(surnames))].display
	}
}

func (g *generator) appendGroup(b []byte, t, rank int) []byte {
	gr := &g.tenants[t].groups[rank]
	b = append(b, `{"id":"`...)
	b = append(b, gr.id...)
	b = append(b, `","displayName":`...)
	b = appendString(b, gr.name)
	b = appendBool(b, "securityEnabled", gr.security)
	b = append(b, `,"members":[`...)
	for n, i := range gr.members {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(g.appendUUID(b, kUser, uint64(t), uint64(i), 0), '"')
	}
	for n, r := range gr.nested {
		if n > 0 || len(gr.members) > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, g.tenants[t].groups[r].id...)
		b = append(b, '"')
	}
	return append(b, "]}"...)
}

// appendString appends s as a JSON string, the way the simulator writes
// snapshots.
func appendString(b []byte, s string) []byte { return simulate.AppendJSONString(b, s) }
