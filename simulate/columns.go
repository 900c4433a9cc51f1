package simulate

// columns stores the users' other properties one slice per attribute,
// indexed like Snapshot.Users: far fewer objects than a map per user.
type columns struct {
	index map[string]int
	names []string
	data  [][]any
	hint  int // expected number of users
}

func (c *columns) set(name string, user int, v any) {
	k, ok := c.index[name]
	if !ok {
		k = len(c.names)
		c.index[name] = k
		c.names = append(c.names, name)
		c.data = append(c.data, make([]any, 0, max(c.hint, user+1)))
	}
	col := c.data[k]
	for len(col) < user {
		col = append(col, nil)
	}
	if len(col) == user {
		col = append(col, v)
	} else {
		col[user] = v
	}
	c.data[k] = col
}

// pad extends every column to n users.
func (c *columns) pad(n int) {
	for k, col := range c.data {
		for len(col) < n {
			col = append(col, nil)
		}
		c.data[k] = col[:n:n]
	}
}

func (c *columns) get(name string, user int) any {
	k, ok := c.index[name]
	if !ok || user >= len(c.data[k]) {
		return nil
	}
	return c.data[k][user]
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
			if i < len(c.data[k]) && c.data[k][i] != nil {
				if u.Attributes == nil {
					u.Attributes = map[string]any{}
				}
				u.Attributes[name] = c.data[k][i]
			}
		}
	}
	s.cols = nil
}

// attrColumn returns the column of one attribute for every user: the
// snapshot's own column when columnar, else gathered from the maps.
func (s *Snapshot) attrColumn(name string) []any {
	if s.cols != nil {
		if k, ok := s.cols.index[name]; ok {
			return s.cols.data[k]
		}
		return nil
	}
	var col []any
	for i := range s.Users {
		if v, ok := s.Users[i].Attributes[name]; ok {
			if col == nil {
				col = make([]any, len(s.Users))
			}
			col[i] = v
		}
	}
	return col
}
