package simulate

import "unsafe"

// columns stores the users' other properties one column per attribute,
// indexed like Snapshot.Users: far fewer objects than a map per user.
// A column whose values repeat (department, city, a boolean …) is
// dictionary-coded: 4 bytes per user instead of 16. A column of distinct
// strings (an employee id, a phone number) keeps them unboxed, 16 bytes per
// user; other columns keep any value.
type columns struct {
	index map[string]int
	names []string
	cols  []*column
	hint  int // expected number of users
}

// column is one attribute's values, in one of three forms:
//
//   - dictionary-coded while dict is not nil: dict holds the distinct
//     values (strings and booleans; dict[0] is nil) and codes[i] is user
//     i's;
//   - strings while strs is not nil: user i's value is strs[i], absent when
//     its data pointer is nil (a present "" points at emptyString);
//   - any values (vals) otherwise.
//
// A column starts dictionary-coded and turns into strings, or any values,
// when it meets too many distinct values or a value of another kind.
type column struct {
	codes []uint32
	dict  []any
	seen  map[string]uint32
	bools [2]uint32 // codes of false and true (0: none yet)
	strs  []string
	vals  []any
}

// dictShare bounds the distinct values a dictionary-coded column keeps:
// the number of users over dictShare, and at least 2,048.
const dictShare = 8

// emptyString is where a present empty string of a strings column points,
// so that it differs from an absent value.
var emptyString = unsafe.String(new(byte), 0)

// slot returns the index of the column of an attribute, made when new
// (user: the first user that has it).
func (c *columns) slot(name string, user int) int {
	k, ok := c.index[name]
	if !ok {
		k = len(c.names)
		c.index[name] = k
		c.names = append(c.names, name)
		c.cols = append(c.cols, &column{codes: make([]uint32, 0, max(c.hint, user+1)), dict: []any{nil}, seen: map[string]uint32{}})
	}
	return k
}

// code returns the dictionary code of a string value already in column k;
// false when the value is new or the column is not dictionary-coded.
func (c *columns) code(k int, b []byte) (uint32, bool) {
	col := c.cols[k]
	if col.dict == nil {
		return 0, false
	}
	code, ok := col.seen[string(b)]
	return code, ok
}

// setCode sets user's value of dictionary-coded column k to a code that
// code returned.
func (col *column) setCode(user int, code uint32) {
	col.codes = setAt(col.codes, user, code)
}

// setAt sets s[i] to v, extending s with zero values as needed.
func setAt[T any](s []T, i int, v T) []T {
	if i < len(s) {
		s[i] = v
		return s
	}
	var zero T
	for len(s) < i {
		s = append(s, zero)
	}
	return append(s, v)
}

// setAt sets user's value of column k (v not nil).
func (c *columns) setAt(k int, user int, v any) {
	col := c.cols[k]
	if col.dict != nil {
		if code, ok := col.dictCode(v, c.hint); ok {
			col.setCode(user, code)
			return
		}
		col.undict(v, c.hint)
	}
	if col.strs != nil {
		if s, ok := v.(string); ok {
			if s == "" {
				s = emptyString
			}
			col.strs = setAt(col.strs, user, s)
			return
		}
		col.anyValues(c.hint)
	}
	col.vals = setAt(col.vals, user, v)
}

// dictCode returns the code of v in a dictionary-coded column, adding it
// when there is room; false when v is not a string or boolean, or the
// dictionary is full.
func (col *column) dictCode(v any, hint int) (uint32, bool) {
	room := len(col.dict) <= max(hint, 1<<14)/dictShare
	switch x := v.(type) {
	case string:
		code, ok := col.seen[x]
		if !ok && room {
			code = uint32(len(col.dict))
			col.dict = append(col.dict, v)
			col.seen[x] = code
			ok = true
		}
		return code, ok
	case bool:
		b := 0
		if x {
			b = 1
		}
		if col.bools[b] == 0 && room {
			col.bools[b] = uint32(len(col.dict))
			col.dict = append(col.dict, v)
		}
		return col.bools[b], col.bools[b] != 0
	}
	return 0, false
}

// undict turns a dictionary-coded column into strings when its values and
// v are all strings, else into any values.
func (col *column) undict(v any, hint int) {
	_, str := v.(string)
	str = str && col.bools == [2]uint32{}
	if !str {
		col.vals = make([]any, len(col.codes), max(hint, len(col.codes)))
		for i, code := range col.codes {
			col.vals[i] = col.dict[code]
		}
	} else {
		col.strs = make([]string, len(col.codes), max(hint, len(col.codes)))
		for i, code := range col.codes {
			if code != 0 {
				s := col.dict[code].(string)
				if s == "" {
					s = emptyString
				}
				col.strs[i] = s
			}
		}
	}
	col.codes, col.dict, col.seen, col.bools = nil, nil, nil, [2]uint32{}
}

// anyValues turns a strings column into any values.
func (col *column) anyValues(hint int) {
	col.vals = make([]any, len(col.strs), max(hint, len(col.strs)))
	for i := range col.strs {
		col.vals[i] = col.str(i)
	}
	col.strs = nil
}

// str is user i's value of a strings column, nil when absent, without
// copying the string: the interface points at the column's element, which
// is never written again once the snapshot is read.
func (col *column) str(i int) any {
	p := &col.strs[i]
	if unsafe.StringData(*p) == nil {
		return nil
	}
	var v any
	e := (*[2]unsafe.Pointer)(unsafe.Pointer(&v))
	e[0], e[1] = stringType, unsafe.Pointer(p)
	return v
}

// stringType is the type word of an interface holding a string.
var stringType = func() unsafe.Pointer {
	var v any = ""
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[0]
}()

// resize sets the number of users expected to n, once the first users
// (read of them) have been read: every column gets room for n users, and a
// column whose first values are nearly all distinct (an employee id, a
// phone number) stops being dictionary-coded now rather than after
// n/dictShare distinct values.
func (c *columns) resize(n, read int) {
	c.hint = n
	for k, col := range c.cols {
		if col.dict != nil && read >= 64 && !internedAttrs[c.names[k]] && len(col.dict)-1 > read*9/10 {
			col.undict(col.dict[len(col.dict)-1], n)
		}
		switch {
		case col.dict != nil:
			col.codes = grow(col.codes, n)
		case col.strs != nil:
			col.strs = grow(col.strs, n)
		default:
			col.vals = grow(col.vals, n)
		}
	}
}

// grow returns s with room for n elements.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s
	}
	return append(make([]T, 0, n), s...)
}

// pad extends every column to n users and drops the dictionaries' look-up
// maps. Room reserved and not used is kept: it was never written, so it
// takes no memory.
func (c *columns) pad(n int) {
	for _, col := range c.cols {
		switch {
		case col.dict != nil:
			col.codes = fit(col.codes, n)
			col.seen = nil
		case col.strs != nil:
			col.strs = fit(col.strs, n)
		default:
			col.vals = fit(col.vals, n)
		}
	}
}

// fit returns s extended with zero values to n elements, copied to a
// smaller array when more than half of its room would be left unused.
func fit[T any](s []T, n int) []T {
	var zero T
	for len(s) < n {
		s = append(s, zero)
	}
	if cap(s)-n > n/2 {
		s = append(make([]T, 0, n), s[:n]...)
	}
	return s[:n:n]
}

func (col *column) at(i int) any {
	switch {
	case col.dict != nil:
		if i >= len(col.codes) {
			return nil
		}
		return col.dict[col.codes[i]]
	case col.strs != nil:
		if i >= len(col.strs) {
			return nil
		}
		return col.str(i)
	}
	if i >= len(col.vals) {
		return nil
	}
	return col.vals[i]
}

func (c *columns) get(name string, user int) any {
	k, ok := c.index[name]
	if !ok {
		return nil
	}
	return c.cols[k].at(user)
}

// Attr returns user i's property name (a Graph v1.0 name) from
// User.Attributes or, for a columnar snapshot, from its columns; nil when
// absent.
func (s *Snapshot) Attr(i int, name string) any {
	if s.cols != nil {
		return s.cols.get(name, i)
	}
	return s.Users[i].Attributes[name]
}

// Columnar reports whether the snapshot keeps its users' attributes in
// columns (ReadOptions.Columnar) rather than in User.Attributes.
func (s *Snapshot) Columnar() bool { return s.cols != nil }

// ExpandAttributes turns a columnar snapshot into the ordinary form: every
// user's attributes in User.Attributes. A no-op on an ordinary snapshot.
func (s *Snapshot) ExpandAttributes() {
	c := s.cols
	if c == nil {
		return
	}
	for i := range s.Users {
		u := &s.Users[i]
		for k, name := range c.names {
			if v := c.cols[k].at(i); v != nil {
				if u.Attributes == nil {
					u.Attributes = map[string]any{}
				}
				u.Attributes[name] = v
			}
		}
	}
	s.cols = nil
}

// attrGetter returns a reader of one attribute for every user: the
// snapshot's own column when columnar, else a column gathered from the
// maps; nil when no user has it.
func (s *Snapshot) attrGetter(name string) func(i int32) any {
	if s.cols != nil {
		k, ok := s.cols.index[name]
		if !ok {
			return nil
		}
		col := s.cols.cols[k]
		switch {
		case col.dict != nil:
			codes, dict := col.codes, col.dict
			return func(i int32) any { return dict[codes[i]] }
		case col.strs != nil:
			return func(i int32) any { return col.str(int(i)) }
		}
		vals := col.vals
		return func(i int32) any { return vals[i] }
	}
	var vals []any
	for i := range s.Users {
		if v, ok := s.Users[i].Attributes[name]; ok {
			if vals == nil {
				vals = make([]any, len(s.Users))
			}
			vals[i] = v
		}
	}
	if vals == nil {
		return nil
	}
	return func(i int32) any { return vals[i] }
}
