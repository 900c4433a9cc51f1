package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Object kinds, mixed into every derived id and random stream.
const (
	kTenant uint64 = iota + 1
	kUser
	kGroup
	kB2B
	kGhost
	kGuest
	kLink
	kStatus
	kMembers
	kConfig
	kKey
)

// mix is the splitmix64 finaliser: a bijection that scatters its input.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash derives a 64-bit value from the seed, an object kind and up to three
// coordinates.
func (g *generator) hash(kind, a, b, c uint64) uint64 {
	x := mix(g.o.Seed ^ kind*0x9e3779b97f4a7c15)
	x = mix(x ^ a)
	x = mix(x ^ b*0xd6e8feb86659fd93)
	return mix(x ^ c*0xa0761d6478bd642f)
}

// uuid formats a random-version (4) GUID derived from the coordinates.
func (g *generator) uuid(kind, a, b, c uint64) string {
	var buf [36]byte
	return string(g.appendUUID(buf[:0], kind, a, b, c))
}

func (g *generator) appendUUID(dst []byte, kind, a, b, c uint64) []byte {
	const hexd = "0123456789abcdef"
	hi := g.hash(kind, a, b, c)
	lo := mix(hi ^ 0x5851f42d4c957f2d)
	hi = hi&^(0xf<<12) | 4<<12   // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // variant 10
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, b := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexd[b>>4], hexd[b&0xf])
	}
	return dst
}

// userKind is what sort of account a home user is.
type userKind uint8

const (
	kindMember  userKind = iota // an employee: userType Member, no alternative security ids
	kindGuest                   // an internal guest: userType Guest, no alternative security ids
	kindB2B                     // a B2B user from outside the repository: alternative security ids
	kindSMS                     // a Member signing in by SMS: alternative security ids
	kindService                 // a service account: Member, no person's names
)

// status is the part of a user that groups and links need without
// generating the whole user: derived from one hash.
type status struct {
	kind     userKind
	disabled bool
	deleted  bool
}

// eligible reports whether a source user can be provisioned at all
// (DESIGN §4: userType Member, no alternative security ids, not deleted).
func (s status) eligible() bool {
	return !s.deleted && (s.kind == kindMember || s.kind == kindService)
}

// The shares of the user population, in parts per 10,000.
const (
	shareGuest    = 200 // 2 % internal guests
	shareB2B      = 100 // 1 % B2B users invited from outside
	shareSMS      = 50  // 0.5 % SMS sign-in
	shareService  = 30  // 0.3 % service accounts
	shareDisabled = 300 // 3 % disabled
	shareDeleted  = 50  // 0.5 % soft-deleted

	shareSharedMail = 5 // 0.05 % carry a shared mail address
)

func (g *generator) status(t, i int) status {
	h := g.hash(kStatus, uint64(t), uint64(i), 0)
	r := int(h % 10000)
	var s status
	switch {
	case r < shareGuest:
		s.kind = kindGuest
	case r < shareGuest+shareB2B:
		s.kind = kindB2B
	case r < shareGuest+shareB2B+shareSMS:
		s.kind = kindSMS
	case r < shareGuest+shareB2B+shareSMS+shareService:
		s.kind = kindService
	}
	s.disabled = int(h>>16%10000) < shareDisabled
	s.deleted = int(h>>32%10000) < shareDeleted
	return s
}

// user is one generated home user. Empty strings are absent attributes.
type user struct {
	status
	t, i                               int
	upn, mail, displayName, userType   string
	givenName, surname, mailNickname   string
	department, jobTitle, employeeType string
	employeeID, companyName            string
	city, country, officeLocation      string
	preferredLanguage, mobilePhone     string
	manager                            int // index of the manager, -1 for none
	proxy                              bool
}

// userRand is a reusable random stream, reseeded per object.
type userRand struct {
	pcg rand.PCG
	r   *rand.Rand
}

func newUserRand() *userRand {
	u := &userRand{}
	u.r = rand.New(&u.pcg)
	return u
}

func (g *generator) seedRand(ur *userRand, kind uint64, t, i int) *rand.Rand {
	ur.pcg.Seed(g.hash(kind, uint64(t), uint64(i), 0), uint64(i))
	return ur.r
}

// pick returns an index into weights with probability proportional to its weight.
func pick(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// user generates home user i of tenant t.
func (g *generator) user(ur *userRand, t, i int) user {
	tn := &g.tenants[t]
	r := g.seedRand(ur, kUser, t, i)
	u := user{status: g.status(t, i), t: t, i: i, manager: -1, userType: "Member"}
	gn := givenNames[r.IntN(len(givenNames))]
	sn := surnames[r.IntN(len(surnames))]
	dep := &departments[pick(r, departmentWeights)]
	c := tn.cities[r.IntN(len(tn.cities))]
	num := strconv.Itoa(i)
	local := gn.ascii + "." + sn.ascii + "." + num

	u.givenName, u.surname = gn.display, sn.display
	u.displayName = gn.display + " " + sn.display
	u.department = dep.name
	u.jobTitle = dep.titles[r.IntN(len(dep.titles))]
	u.employeeType = employeeTypes[pick(r, employeeTypeWeights)]
	u.city, u.country, u.preferredLanguage = c.name, c.country, c.lang
	u.officeLocation = c.name + " " + string(rune('A'+r.IntN(6))) + strconv.Itoa(1+r.IntN(9))
	u.companyName = tn.display
	if r.IntN(100) < 5 {
		u.companyName = ""
	}
	if r.IntN(100) >= 2 {
		u.employeeID = strconv.Itoa(100000 + i)
	}
	if r.IntN(100) < 40 {
		u.mobilePhone = "+1 555 01" + strconv.Itoa(10+r.IntN(90)) + " " + strconv.Itoa(1000+r.IntN(9000))
	}
	if i > 0 && r.IntN(100) < 90 {
		u.manager = (i - 1) / 6
	}
	u.proxy = r.IntN(10) < 3

	domain := tn.domain
	switch d := r.IntN(100); {
	case d < 10:
		domain = tn.labsDomain
	case d < 11:
		domain = tn.legacyDomain // not verified
	case d < 12:
		domain = "" // no mailbox
	}

	switch u.kind {
	case kindGuest:
		u.userType = "Guest"
		u.employeeType = employeeTypes[1+r.IntN(3)]
	case kindB2B:
		pd := partnerDomains[r.IntN(len(partnerDomains))]
		u.userType = "Guest"
		if r.IntN(10) < 3 {
			u.userType = "Member" // B2B collaboration member
		}
		u.mail = gn.ascii + "." + sn.ascii + "." + num + "@" + pd
		u.upn = strings.ReplaceAll(u.mail, "@", "_") + "#EXT#@" + tn.initialDomain
		u.mailNickname = gn.ascii + "." + sn.ascii + "." + num + "_" + pd
		u.department, u.jobTitle, u.employeeType, u.employeeID, u.officeLocation = "", "", "", "", ""
		u.companyName, u.manager, u.proxy = "", -1, false
		return u
	case kindService:
		w := groupWords[r.IntN(len(groupWords))]
		local = "svc-" + strings.ToLower(w) + "." + num
		u.givenName, u.surname = "", ""
		u.displayName = "Service " + w + " " + num
		u.department, u.jobTitle, u.employeeType, u.employeeID = "IT", "", "", ""
		u.mobilePhone, u.manager = "", -1
		domain = tn.domain
	}
	u.upn = local + "@" + tn.domain
	u.mailNickname = local
	if domain != "" {
		u.mail = local + "@" + domain
		if r.IntN(10000) < shareSharedMail {
			u.mail = "team@" + domain // a mail several users carry: duplicate-mail
		}
	}
	return u
}

// attr returns a source user's attribute in its string form (booleans as
// .NET prints them), for the scoping filters; "" is null.
func (u *user) attr(name string) string {
	switch name {
	case "userPrincipalName":
		return u.upn
	case "mail":
		return u.mail
	case "displayName":
		return u.displayName
	case "givenName":
		return u.givenName
	case "surname":
		return u.surname
	case "department":
		return u.department
	case "jobTitle":
		return u.jobTitle
	case "employeeType":
		return u.employeeType
	case "employeeId":
		return u.employeeID
	case "companyName":
		return u.companyName
	case "city":
		return u.city
	case "country":
		return u.country
	case "mobilePhone", "mobile":
		return u.mobilePhone
	case "accountEnabled":
		if u.disabled {
			return "False"
		}
		return "True"
	}
	return ""
}
