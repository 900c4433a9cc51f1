package simulate

import (
	"iter"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/xtsync/xtsync/tenants"
)

// snapIndex is what a run looks up in one snapshot, built once per run and
// shared by the configurations (they run in parallel; the parts are built
// on first use).
type snapIndex struct {
	s *Snapshot

	srcOnce  sync.Once
	byID     *idIndex
	lowerUPN []string
	order    []int32 // users by lower-cased UPN, then id

	tgtOnce  sync.Once
	links    multiIndex[linkKey] // B2B users by the source user they represent
	byConfig map[cfgKey][]int32  // B2B users by their managing configuration
	mails    map[string]bool     // mails and smtp: addresses of users without source, not deleted
	b2b      int                 // B2B users (with source) not deleted

	domOnce  sync.Once
	verified map[string]bool

	grpOnce   sync.Once
	grpByID   map[string]int32
	grpByName map[string][]int32 // lower-cased display name -> groups

	colMu sync.Mutex
	cols  map[string]func(int32) any
}

type linkKey struct{ tenant, user string }
type cfgKey struct{ tenant, config string }

func newIndex(s *Snapshot) *snapIndex { return &snapIndex{s: s, cols: map[string]func(int32) any{}} }

func (x *snapIndex) source() {
	x.srcOnce.Do(func() {
		users := x.s.Users
		x.byID = x.s.byID
		if !x.byID.valid(users) {
			x.byID = buildIDIndex(users)
		}
		x.lowerUPN = make([]string, len(users))
		for i := range users {
			x.lowerUPN[i] = strings.ToLower(users[i].UserPrincipalName)
		}
		x.order = sortedOrder(x.lowerUPN, users)
	})
}

// sortKey is a user's place in the order of lower-cased UPN, then id: the
// first 16 bytes of the UPN as two big-endian numbers decide most
// comparisons without reading the strings.
type sortKey struct {
	a, b uint64
	i    int32
}

// sortedOrder returns the user indexes by lower-cased UPN, then id.
func sortedOrder(lower []string, users []User) []int32 {
	keys := make([]sortKey, len(lower))
	for i, l := range lower {
		keys[i] = sortKey{a: prefix64(l, 0), b: prefix64(l, 8), i: int32(i)}
	}
	slices.SortFunc(keys, func(x, y sortKey) int {
		switch {
		case x.a != y.a:
			return cmpUint(x.a, y.a)
		case x.b != y.b:
			return cmpUint(x.b, y.b)
		}
		if c := strings.Compare(lower[x.i], lower[y.i]); c != 0 {
			return c
		}
		return strings.Compare(users[x.i].ID, users[y.i].ID)
	})
	order := make([]int32, len(keys))
	for k := range keys {
		order[k] = keys[k].i
	}
	return order
}

// prefix64 is s[off:off+8] as a big-endian number, zero-padded: numbers
// compare like the bytes (equal numbers say nothing).
func prefix64(s string, off int) uint64 {
	var v uint64
	for k := off; k < off+8; k++ {
		v <<= 8
		if k < len(s) {
			v |= uint64(s[k])
		}
	}
	return v
}

func cmpUint(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

func (x *snapIndex) target() {
	x.tgtOnce.Do(func() {
		x.links = newMultiIndex[linkKey](len(x.s.Users) / 4)
		x.byConfig = map[cfgKey][]int32{}
		x.mails = make(map[string]bool, len(x.s.Users))
		for i := range x.s.Users {
			u := &x.s.Users[i]
			if l := u.Source; l != nil {
				t := strings.ToLower(l.TenantID)
				k := linkKey{t, l.UserID}
				x.links.add(k, int32(i))
				if l.Config != "" {
					c := cfgKey{t, l.Config}
					x.byConfig[c] = append(x.byConfig[c], int32(i))
				}
				if !u.Deleted {
					x.b2b++
				}
				continue
			}
			if u.Deleted {
				continue
			}
			if u.Mail != "" {
				x.mails[strings.ToLower(u.Mail)] = true
			}
			for _, p := range u.ProxyAddresses {
				if len(p) > 5 && strings.EqualFold(p[:5], "smtp:") {
					x.mails[strings.ToLower(p[5:])] = true
				}
			}
		}
	})
}

func (x *snapIndex) domains() map[string]bool {
	x.domOnce.Do(func() {
		x.verified = map[string]bool{}
		for _, d := range x.s.VerifiedDomains {
			x.verified[strings.ToLower(d)] = true
		}
	})
	return x.verified
}

// column returns a reader of one Graph property for every user (nil when
// no user has it), built once per run.
func (x *snapIndex) column(graphName string) func(int32) any {
	x.colMu.Lock()
	defer x.colMu.Unlock()
	if c, ok := x.cols[graphName]; ok {
		return c
	}
	c := x.s.attrGetter(graphName)
	x.cols[graphName] = c
	return c
}

// accessor returns a reader of one attribute, named in the provisioning
// vocabulary or Graph's, for the users of the snapshot.
func (x *snapIndex) accessor(name string) func(i int32) any {
	users := x.s.Users
	switch name {
	case "id", "objectId":
		return func(i int32) any { return users[i].ID }
	case "userPrincipalName":
		return func(i int32) any { return users[i].UserPrincipalName }
	case "mail":
		return func(i int32) any { return users[i].Mail }
	case "displayName":
		return func(i int32) any { return users[i].DisplayName }
	case "userType":
		return func(i int32) any { return users[i].UserType }
	case "accountEnabled":
		return func(i int32) any { return users[i].AccountEnabled }
	case "IsSoftDeleted", "deleted":
		return func(i int32) any { return users[i].Deleted }
	case "proxyAddresses":
		return func(i int32) any {
			if len(users[i].ProxyAddresses) == 0 {
				return nil
			}
			l := make([]any, len(users[i].ProxyAddresses))
			for k, p := range users[i].ProxyAddresses {
				l[k] = p
			}
			return l
		}
	case "telephoneNumber", "businessPhones":
		own := x.column(name)
		phones := x.column("businessPhones")
		first := name == "telephoneNumber"
		return func(i int32) any {
			var v any
			if own != nil {
				v = own(i)
			}
			if v == nil && phones != nil {
				v = phones(i)
			}
			if l, ok := v.([]any); ok && first {
				return firstOf(l)
			}
			return v
		}
	}
	own := x.column(name)
	var alt func(int32) any
	if g := tenants.GraphName(name); g != name {
		alt = x.column(g)
	} else if p := tenants.ProvisioningName(name); p != name {
		alt = x.column(p)
	}
	switch {
	case own == nil && alt == nil:
		return func(int32) any { return nil }
	case alt == nil:
		return own
	case own == nil:
		return alt
	}
	return func(i int32) any {
		if v := own(i); v != nil {
			return v
		}
		return alt(i)
	}
}

func firstOf(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}

// linkedIn returns the target user of tx that is linked to source user id
// of the tenant srcTID through configuration cfg, preferring one that is not
// deleted; -1 when none.
func (tx *snapIndex) linkedIn(srcTID, id, cfg string) int32 {
	best := int32(-1)
	for t := range tx.links.all(linkKey{srcTID, id}) {
		u := &tx.s.Users[t]
		if u.Source.Config != cfg {
			continue
		}
		if !u.Deleted {
			return t
		}
		if best < 0 {
			best = t
		}
	}
	return best
}

// usersByUPN returns the users with the UPN, any case, in snapshot order:
// a binary search of the users sorted by lower-cased UPN.
func (x *snapIndex) usersByUPN(upn string) []int32 {
	x.source()
	l := strings.ToLower(upn)
	lo, _ := slices.BinarySearchFunc(x.order, l, func(i int32, l string) int { return strings.Compare(x.lowerUPN[i], l) })
	var out []int32
	for k := lo; k < len(x.order) && x.lowerUPN[x.order[k]] == l; k++ {
		out = append(out, x.order[k])
	}
	slices.Sort(out)
	return out
}

func (x *snapIndex) groupIndex() {
	x.grpOnce.Do(func() {
		x.grpByID = make(map[string]int32, len(x.s.Groups))
		x.grpByName = make(map[string][]int32, len(x.s.Groups))
		for i := range x.s.Groups {
			g := &x.s.Groups[i]
			x.grpByID[g.ID] = int32(i)
			l := strings.ToLower(g.DisplayName)
			x.grpByName[l] = append(x.grpByName[l], int32(i))
		}
	})
}

// user returns the index of the user with the id (source() must have run).
func (x *snapIndex) user(id string) (int32, bool) { return x.byID.get(x.s.Users, id) }

// resolveGroup returns the groups a scope reference names: the group with
// that object id, else the groups with that display name (any case).
func (x *snapIndex) resolveGroup(ref string) []int32 {
	x.groupIndex()
	if i, ok := x.grpByID[ref]; ok {
		return []int32{i}
	}
	return x.grpByName[strings.ToLower(ref)]
}

// resolveUser returns the users a scope reference names: the user with that
// object id, else the users with that UPN (any case).
func (x *snapIndex) resolveUser(ref string) []int32 {
	x.source()
	if i, ok := x.user(ref); ok {
		return []int32{i}
	}
	return x.usersByUPN(ref)
}

// multiIndex maps a key to the indexes that have it, without a slice per
// key: most keys have one.
type multiIndex[K comparable] struct {
	first map[K]int32
	more  map[K][]int32 // the second and later, in order
}

func newMultiIndex[K comparable](hint int) multiIndex[K] {
	return multiIndex[K]{first: make(map[K]int32, hint), more: map[K][]int32{}}
}

func (m *multiIndex[K]) add(k K, i int32) {
	if _, ok := m.first[k]; !ok {
		m.first[k] = i
		return
	}
	m.more[k] = append(m.more[k], i)
}

// all yields the indexes with the key, without allocating.
func (m *multiIndex[K]) all(k K) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		i, ok := m.first[k]
		if !ok || !yield(i) {
			return
		}
		for _, j := range m.more[k] {
			if !yield(j) {
				return
			}
		}
	}
}

// members yields the indexes of the users among group g's direct members.
// The reader's member indexes are used when they still hold (the member
// string is the user's own id string), else the id index.
func (x *snapIndex) members(g int, yield func(int32)) {
	users := x.s.Users
	var idx []int32
	if g < len(x.s.memberIdx) {
		idx = x.s.memberIdx[g]
	}
	for k, m := range x.s.Groups[g].Members {
		if k < len(idx) {
			if i := idx[k]; i >= 0 && int(i) < len(users) && sameString(users[i].ID, m) {
				yield(i)
				continue
			}
		}
		if i, ok := x.byID.get(users, m); ok {
			yield(i)
		}
	}
}

// sameString reports whether two strings are one: same bytes in memory.
func sameString(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b))
}
