package simulate

// nestedPath explains, for a user who is not assigned, the nested
// membership an engineer most likely expected to count: "member of group
// EU-Engineering, which is a member of the assigned group GlobalEmployees".
// It returns "" when the user is not in a group nested in an assigned one.
// Explain only: it scans the groups.
func nestedPath(c *cfgRun, i int32) string {
	s := c.sx.s
	uid := s.Users[i].ID
	byID := make(map[string]*Group, len(s.Groups))
	for g := range s.Groups {
		byID[s.Groups[g].ID] = &s.Groups[g]
	}
	for _, ref := range c.sc.Scope.Groups {
		for _, g := range c.sx.resolveGroup(ref) {
			assigned := &s.Groups[g]
			for _, m := range assigned.Members {
				child, ok := byID[m]
				if !ok {
					continue
				}
				for _, cm := range child.Members {
					if cm == uid {
						return "member of group " + quote(child.DisplayName) + ", which is a member of the assigned group " + quote(assigned.DisplayName) + ": nested groups are not followed, assign " + quote(child.DisplayName) + " or the user directly"
					}
				}
			}
		}
	}
	return ""
}
