package tenants

// Operator is a scoping filter operator, named as Entra names it.
type Operator string

// The scoping filter operators xtsync accepts (Entra doc §2.3). "&" and "!&"
// are refused: Entra does not document their semantics.
const (
	OpEquals             Operator = "EQUALS"
	OpNotEquals          Operator = "NOT EQUALS"
	OpIncludes           Operator = "Includes"
	OpEndsWith           Operator = "ENDS_WITH"
	OpRegexMatch         Operator = "REGEX MATCH"
	OpNotRegexMatch      Operator = "NOT REGEX MATCH"
	OpIsNull             Operator = "IS NULL"
	OpIsNotNull          Operator = "IS NOT NULL"
	OpIsTrue             Operator = "IS TRUE"
	OpIsFalse            Operator = "IS FALSE"
	OpGreaterThan        Operator = "Greater_Than"
	OpGreaterThanOrEqual Operator = "Greater_Than_OR_EQUALS"
)

// Unary reports whether the operator takes no value.
func (o Operator) Unary() bool {
	switch o {
	case OpIsNull, OpIsNotNull, OpIsTrue, OpIsFalse:
		return true
	}
	return false
}
