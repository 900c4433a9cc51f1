package expr

// Caution is a form of an expression that Microsoft's function reference
// ("Reference for writing expressions for attribute mappings") documents as
// unsupported or risky: it parses and Graph accepts it, but provisioning
// may not do what it reads as.
type Caution struct {
	Col int    // 1-based column of the call
	Msg string // what is wrong and what to write instead
}

// nullTests are the functions that test for null or empty.
var nullTests = map[string]bool{"IsPresent": true, "IsNullOrEmpty": true, "IsNull": true}

// Cautions lists the expression's cautioned forms, in column order:
//
//   - IIF whose condition tests for null or empty (IsPresent, IsNullOrEmpty,
//     IsNull, or a comparison with ""): IIF's known limitations say the
//     condition check fails when its attribute is empty or null, list
//     IIF([country]="", …), IIF(IsNullOrEmpty([country]), …) and
//     IIF(IsPresent([country]), …) as unsupported and recommend Switch;
//   - Switch: a caution says that when another mapped attribute changes
//     but not the one Switch reads, the provisioning service evaluates the
//     Switch as null and clears the target value, and recommends IIF;
//   - Switch whose source is IsPresent, IsNull or IsNullOrEmpty, which a
//     caution forbids (use "" as one of the keys).
func (e *Expr) Cautions() []Caution {
	if e == nil || e.root == nil {
		return nil
	}
	var out []Caution
	var walk func(n *node)
	walk = func(n *node) {
		if n.kind == kindCall {
			switch n.name {
			case "IIF":
				if len(n.args) > 0 && testsNull(n.args[0]) {
					out = append(out, Caution{n.col, `IIF whose condition tests for null or empty is unsupported: Microsoft's IIF known limitations say "If the source attribute used within the IIF function is empty or null, the condition check fails" (in a cycle the user fails); use Switch with "" as a key, e.g. Switch([country], [country], "", "Other")`})
				}
			case "Switch":
				out = append(out, Caution{n.col, `Switch: Microsoft cautions that when another attribute of the user changes but not the one Switch reads, the provisioning service evaluates the Switch as null and sets the target attribute to null; its resolution is to use IIF instead`})
				if len(n.args) > 0 && n.args[0].kind == kindCall && nullTests[n.args[0].name] {
					out = append(out, Caution{n.args[0].col, `Switch: Microsoft says not to use ` + n.args[0].name + ` as Switch's source; use the attribute itself with "" as one of the keys, e.g. Switch([statusFlag], "Default Value", "true", "1", "", "0")`})
				}
			}
		}
		for _, a := range n.args {
			walk(a)
		}
	}
	walk(e.root)
	return out
}

// testsNull reports whether an IIF condition tests for null or empty: a
// null-testing call, or a comparison with the empty text.
func testsNull(c *node) bool {
	switch c.kind {
	case kindCall:
		return nullTests[c.name]
	case kindCmp:
		for _, a := range c.args {
			if a.kind == kindStr && a.str == "" {
				return true
			}
		}
	}
	return false
}
