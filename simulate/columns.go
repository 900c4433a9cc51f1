package simulate

// columns stores the users' other properties one column per attribute,
// indexed like Snapshot.Users: far fewer objects than a map per user.
// A column whose values repeat (department, city …) is dictionary-coded:
// 4 bytes per user instead of 16.
type columns struct {
	index map[string]int
	names []string
	cols  []*column
	hint  int // expected number of users
}

// column is one attribute's values. While dict is not nil it holds the
// distinct values and codes[i] is user i's (0 = absent); a column with too
// many distinct values switches to vals.
type column struct {
	codes []uint32
	dict  []any
	seen  map[string]uint32
	vals  []any
}

// dictMax is the most distinct values a dictionary-coded column keeps,
// relative to the number of users.
const dictShare = 8

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
	for len(col.codes) < user {
		col.codes = append(col.codes, 0)
	}
	if len(col.codes) == user {
		col.codes = append(col.codes, code)
	} else {
		col.codes[user] = code
	}
}

// setAt sets user's value of column k.
func (c *columns) setAt(k int, user int, v any) {
	col := c.cols[k]
	if col.dict != nil {
		s, isStr := v.(string)
		if isStr {
			code, ok := col.seen[s]
			if !ok && len(col.dict) <= c.hint/dictShare+16 {
				code = uint32(len(col.dict))
				col.dict = append(col.dict, v)
				col.seen[s] = code
				ok = true
			}
			if ok {
				col.setCode(user, code)
				return
			}
		}
		col.plain(c.hint)
	}
	for len(col.vals) < user {
		col.vals = append(col.vals, nil)
	}
	if len(col.vals) == user {
		col.vals = append(col.vals, v)
	} else {
		col.vals[user] = v
	}
}

// plain turns a dictionary-coded column into one value per user.
func (col *column) plain(hint int) {
	col.vals = make([]any, len(col.codes), max(hint, len(col.codes)))
	for i, code := range col.codes {
		col.vals[i] = col.dict[code]
	}
	col.codes, col.dict, col.seen = nil, nil, nil
}

// resize sets the number of users expected to n, once the first users
// (read of them) have been read: every column gets room for n users, and a
// column whose first values are mostly distinct (an employee id, a phone
// number) stops being dictionary-coded now rather than after n/dictShare
// distinct values.
func (c *columns) resize(n, read int) {
	c.hint = n
	for _, col := range c.cols {
		if col.dict != nil && read >= 64 && len(col.dict)-1 > read/2 {
			col.plain(n)
			continue
		}
		if col.dict != nil && cap(col.codes) < n {
			col.codes = append(make([]uint32, 0, n), col.codes...)
		}
		if col.dict == nil && cap(col.vals) < n {
			col.vals = append(make([]any, 0, n), col.vals...)
		}
	}
}

// pad extends every column to n users and drops the dictionaries' look-up
// maps. Room reserved and not used is kept: it was never written, so it
// takes no memory.
func (c *columns) pad(n int) {
	for _, col := range c.cols {
		if col.dict != nil {
			for len(col.codes) < n {
				col.codes = append(col.codes, 0)
			}
			if cap(col.codes)-n > n/2 {
				col.codes = append(make([]uint32, 0, n), col.codes[:n]...)
			}
			col.codes = col.codes[:n:n]
			col.seen = nil
			continue
		}
		for len(col.vals) < n {
			col.vals = append(col.vals, nil)
		}
		if cap(col.vals)-n > n/2 {
			col.vals = append(make([]any, 0, n), col.vals[:n]...)
		}
		col.vals = col.vals[:n:n]
	}
}

func (col *column) at(i int) any {
	if col.dict != nil {
		if i >= len(col.codes) {
			return nil
		}
		return col.dict[col.codes[i]]
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
		if col.dict != nil {
			codes, dict := col.codes, col.dict
			return func(i int32) any { return dict[codes[i]] }
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
