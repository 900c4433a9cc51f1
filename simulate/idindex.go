package simulate

import (
	"hash/maphash"
	"unsafe"
)

// idIndex finds users by id: an open-addressing hash table of user indexes,
// four bytes a slot, the ids themselves read from the users it indexes. A
// map[string]int32 of a million users takes about 60 MB; this, 8 MB.
type idIndex struct {
	seed  maphash.Seed
	slots []int32 // user index + 1; 0 is empty
	n     int
	// sum is idSum of the users indexed, to tell (valid) whether they are
	// still the ones the index was built from.
	sum uint64
}

// newIDIndex returns an index with room for about n users.
func newIDIndex(n int) *idIndex {
	size := 16
	for size*7/10 < n {
		size *= 2
	}
	return &idIndex{seed: maphash.MakeSeed(), slots: make([]int32, size)}
}

// buildIDIndex indexes users by id; of several users with one id, the
// last counts (as in a map filled in order).
func buildIDIndex(users []User) *idIndex {
	x := newIDIndex(len(users))
	for i := range users {
		if j, ok := x.add(users, int32(i)); !ok {
			x.replace(users, j, int32(i))
		}
	}
	x.seal(users)
	return x
}

// replace points the slot of user j at user i (same id).
func (x *idIndex) replace(users []User, j, i int32) {
	m := x.mask()
	for h := maphash.String(x.seed, users[j].ID) & m; ; h = (h + 1) & m {
		if x.slots[h] == j+1 {
			x.slots[h] = i + 1
			return
		}
	}
}

func (x *idIndex) mask() uint64 { return uint64(len(x.slots) - 1) }

// get returns the index of the user with the id.
func (x *idIndex) get(users []User, id string) (int32, bool) {
	if x == nil {
		return 0, false
	}
	m := x.mask()
	for h := maphash.String(x.seed, id) & m; ; h = (h + 1) & m {
		j := x.slots[h]
		if j == 0 {
			return 0, false
		}
		if users[j-1].ID == id {
			return j - 1, true
		}
	}
}

// getBytes is get of an id not yet a string.
func (x *idIndex) getBytes(users []User, id []byte) (int32, bool) {
	if x == nil {
		return 0, false
	}
	m := x.mask()
	for h := maphash.Bytes(x.seed, id) & m; ; h = (h + 1) & m {
		j := x.slots[h]
		if j == 0 {
			return 0, false
		}
		if users[j-1].ID == string(id) {
			return j - 1, true
		}
	}
}

// add indexes users[i] by its id; when another user has that id already,
// it returns that user's index and false.
func (x *idIndex) add(users []User, i int32) (int32, bool) {
	if (x.n+1)*10 > len(x.slots)*7 {
		x.grow(users)
	}
	id := users[i].ID
	m := x.mask()
	for h := maphash.String(x.seed, id) & m; ; h = (h + 1) & m {
		j := x.slots[h]
		if j == 0 {
			x.slots[h] = i + 1
			x.n++
			return i, true
		}
		if users[j-1].ID == id {
			return j - 1, false
		}
	}
}

func (x *idIndex) grow(users []User) {
	old := x.slots
	x.slots = make([]int32, 2*len(old))
	m := x.mask()
	for _, j := range old {
		if j == 0 {
			continue
		}
		h := maphash.String(x.seed, users[j-1].ID) & m
		for x.slots[h] != 0 {
			h = (h + 1) & m
		}
		x.slots[h] = j
	}
}

// seal records which users the index was built from (see valid).
func (x *idIndex) seal(users []User) { x.sum = idSum(users) }

// valid reports whether the index still describes users: the same number,
// each with the very id string it was indexed by, in the same place. A
// caller that changes a snapshot's users after reading it gets a new
// index instead of a stale one.
func (x *idIndex) valid(users []User) bool {
	return x != nil && x.n == len(users) && x.sum == idSum(users)
}

// idSum mixes the address, length and place of every user's id string:
// reading it costs a pass over the users, without hashing a byte.
func idSum(users []User) uint64 {
	var s uint64
	for i := range users {
		id := users[i].ID
		v := uint64(uintptr(unsafe.Pointer(unsafe.StringData(id))))*31 + uint64(len(id))
		s += (v ^ uint64(i)*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9
	}
	return s
}
