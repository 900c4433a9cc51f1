package expr

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// spec describes one function: its parameters, how many arguments it
// takes, which may be left out, and its evaluator.
type spec struct {
	params []string // parameter names; a variadic function repeats the last (or the last pair)
	pairs  bool     // the repeated parameters are the last two (Switch's key, value)
	min    int
	max    int // -1: no upper bound
	// omit reports whether argument i of n may be left empty ("Switch([a], , …)").
	omit func(i, n int) bool
	// even: the argument count must be even (Switch).
	even bool
	// online: the function needs Entra (dates, app roles); Eval reports it.
	online bool
	// prepare checks and pre-computes a call at parse time.
	prepare func(*node) error
	eval    func(*node, *Env) (any, error)
}

func (s *spec) param(i int) string {
	switch {
	case i < len(s.params):
		return s.params[i]
	case s.pairs:
		return s.params[len(s.params)-2+(i-len(s.params))%2]
	}
	return s.params[len(s.params)-1]
}

// check validates a parsed call against the spec.
func (s *spec) check(n *node) error {
	got := len(n.args)
	if got < s.min || (s.max >= 0 && got > s.max) || (s.even && got%2 != 0) {
		var want string
		switch {
		case s.even:
			want = fmt.Sprintf("an even number of arguments, at least %d", s.min)
		case s.min == s.max:
			want = fmt.Sprintf("%d argument%s", s.min, plural(s.min))
		case s.max < 0:
			want = fmt.Sprintf("at least %d arguments", s.min)
		default:
			want = fmt.Sprintf("%d to %d arguments", s.min, s.max)
		}
		return &Error{Col: n.col, Msg: fmt.Sprintf("%s takes %s (%s), got %d", n.name, want, s.signature(), got)}
	}
	for i, a := range n.args {
		if a.kind == kindEmpty && (s.omit == nil || !s.omit(i, got)) {
			return &Error{Col: a.col, Msg: fmt.Sprintf("%s: argument %d (%s) is required", n.name, i+1, s.param(i))}
		}
	}
	n.eval = s.eval
	if s.online {
		n.eval = evalOnline
	}
	if s.prepare != nil {
		return s.prepare(n)
	}
	return nil
}

func (s *spec) signature() string {
	p := strings.Join(s.params, ", ")
	if s.max < 0 {
		p += ", …"
	}
	return p
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// omitFrom allows leaving out the arguments from index k on.
func omitFrom(k int) func(i, n int) bool { return func(i, _ int) bool { return i >= k } }

// specs are the functions of the language, by their case-sensitive name.
// The sections cited are those of Microsoft's "Reference for writing
// expressions for attribute mappings in Microsoft Entra ID".
var specs map[string]*spec

func init() {
	fixed := func(eval func(*node, *Env) (any, error), params ...string) *spec {
		return &spec{params: params, min: len(params), max: len(params), eval: eval}
	}
	optional := func(s *spec, from int) *spec {
		s.min, s.omit = from, omitFrom(from)
		return s
	}
	online := func(params ...string) *spec {
		s := fixed(nil, params...)
		s.online = true
		return s
	}
	specs = map[string]*spec{
		"Append":                    fixed(evalAppend, "source", "suffix"),
		"AppRoleAssignmentsComplex": online("appRoleAssignments"),
		"AltSecIdFromNetId":         online("netId"),
		"BitAnd":                    fixed(evalBitAnd, "value1", "value2"),
		"CBool":                     fixed(evalCBool, "expression"),
		"CDate":                     fixed(evalCDate, "expression"),
		"Coalesce":                  {params: []string{"source"}, min: 1, max: -1, omit: omitFrom(1), eval: evalCoalesce},
		"ConvertToBase64":           fixed(evalConvertToBase64, "source"),
		"ConvertToUTF8Hex":          fixed(evalConvertToUTF8Hex, "source"),
		"Count":                     fixed(evalCount, "attribute"),
		"CStr":                      fixed(evalCStr, "value"),
		"DateAdd":                   fixed(evalDateAdd, "interval", "value", "dateTime"),
		"DateDiff":                  fixed(evalDateDiff, "interval", "date1", "date2"),
		"DateFromNum":               fixed(evalDateFromNum, "value"),
		"FormatDateTime":            {params: []string{"source", "dateTimeStyles", "inputFormat", "outputFormat"}, min: 3, max: 4, omit: func(i, n int) bool { return n == 4 && i == 1 }, prepare: prepareFormatDateTime, eval: evalFormatDateTime},
		"Guid":                      fixed(evalGuid),
		"IgnoreFlowIfNullOrEmpty":   fixed(evalIgnoreFlow, "expression"),
		"IIF":                       fixed(evalIIF, "condition", "valueIfTrue", "valueIfFalse"),
		"InStr":                     optional(&spec{params: []string{"value1", "value2", "start", "compareType"}, max: 4, eval: evalInStr}, 2),
		"IsNull":                    fixed(evalIsNull, "expression"),
		"IsNullOrEmpty":             fixed(evalIsNullOrEmpty, "expression"),
		"IsPresent":                 fixed(evalIsPresent, "expression"),
		"IsString":                  fixed(evalIsString, "expression"),
		"Item":                      fixed(evalItem, "attribute", "index"),
		"Join":                      {params: []string{"separator", "source"}, min: 2, max: -1, eval: evalJoin},
		"Left":                      fixed(evalLeft, "string", "numChars"),
		"Mid":                       fixed(evalMid, "source", "start", "length"),
		"NormalizeDiacritics":       fixed(evalNormalizeDiacritics, "source"),
		"Not":                       fixed(evalNot, "source"),
		"Now":                       fixed(evalNow),
		"NumFromDate":               fixed(evalNumFromDate, "value"),
		"PCase":                     optional(&spec{params: []string{"source", "wordSeparators"}, max: 2, eval: evalPCase}, 1),
		"RandomString":              optional(&spec{params: []string{"length", "minimumNumbers", "minimumSpecialCharacters", "minimumCapital", "minimumLowerCase", "charactersToAvoid"}, max: 6, eval: evalRandomString}, 5),
		"Redact":                    fixed(evalRedact, "value"),
		"RemoveDuplicates":          fixed(evalRemoveDuplicates, "attribute"),
		"Replace":                   {params: replaceParams, min: 7, max: 7, omit: omitFrom(1), prepare: prepareReplace, eval: evalReplace},
		"SelectUniqueValue":         {params: []string{"uniqueValueRule"}, min: 2, max: -1, eval: evalSelectUniqueValue},
		"SingleAppRoleAssignment":   fixed(evalSingleAppRoleAssignment, "appRoleAssignments"),
		"Split":                     fixed(evalSplit, "source", "delimiter"),
		"StripSpaces":               fixed(evalStripSpaces, "source"),
		"Switch":                    {params: []string{"source", "defaultValue", "key", "value"}, pairs: true, min: 4, max: -1, even: true, omit: func(i, _ int) bool { return i == 1 }, eval: evalSwitch},
		"ToLower":                   optional(&spec{params: []string{"source", "culture"}, max: 2, eval: evalToLower}, 1),
		"ToUpper":                   optional(&spec{params: []string{"source", "culture"}, max: 2, eval: evalToUpper}, 1),
		"Word":                      fixed(evalWord, "string", "wordNumber", "delimiters"),
	}
}

// FunctionNames returns the names of every function the language knows,
// sorted.
func FunctionNames() []string {
	out := make([]string, 0, len(specs))
	for k := range specs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// OfflineFunction reports whether Eval can evaluate the named function.
func OfflineFunction(name string) bool {
	s, ok := specs[name]
	return ok && !s.online
}

func evalOnline(n *node, _ *Env) (any, error) {
	return nil, n.errorf("cannot be evaluated offline: it needs Microsoft Entra (use Graph's parseExpression)")
}

// Append — section "Append": source + suffix.
func evalAppend(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	suffix, _, err := n.textArg(env, 1)
	if err != nil {
		return nil, err
	}
	return s + suffix, nil
}

// BitAnd — section "BitAnd": the bitwise AND of two numbers.
func evalBitAnd(n *node, env *Env) (any, error) {
	a, ok, err := n.intArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	b, ok, err := n.intArg(env, 1)
	if err != nil || !ok {
		return nil, err
	}
	return a & b, nil
}

// CBool — section "CBool": True for a non-zero value.
func evalCBool(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	}
	s, ok, err := n.text(v, "expression")
	if err != nil || !ok {
		return false, err
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true, nil
	case strings.EqualFold(s, "false"):
		return false, nil
	}
	i, perr := parseInt(s)
	if perr != nil {
		return nil, n.errorf("cannot convert %q to a boolean", s)
	}
	return i != 0, nil
}

// Coalesce — section "Coalesce": the first value that isn't null.
func evalCoalesce(n *node, env *Env) (any, error) {
	for _, a := range n.args {
		v, err := a.value(env)
		if err != nil {
			return nil, err
		}
		if !isNull(v) {
			return v, nil
		}
	}
	return nil, nil
}

// ConvertToBase64 — section "ConvertToBase64": base64 of the UTF-16LE bytes.
func evalConvertToBase64(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// ConvertToUTF8Hex — section "ConvertToUTF8Hex": upper-case hex of the UTF-8 bytes.
func evalConvertToUTF8Hex(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	return strings.ToUpper(hex.EncodeToString([]byte(s))), nil
}

// Count — section "Count": the number of values.
func evalCount(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return int64(0), nil
	case []any:
		return int64(len(x)), nil
	}
	return int64(1), nil
}

// CStr — section "CStr": the value as a string.
func evalCStr(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	return s, nil
}

// Guid — section "Guid", through the Env stand-in.
func evalGuid(n *node, env *Env) (any, error) {
	if env.Guid == nil {
		return nil, n.errorf("no GUID source in this evaluation")
	}
	return env.Guid(), nil
}

// Now — section "Now", through the Env stand-in.
func evalNow(n *node, env *Env) (any, error) {
	if env.Now == nil {
		return nil, n.errorf("no clock in this evaluation")
	}
	return env.Now(), nil
}

// IgnoreFlowIfNullOrEmpty — section "IgnoreFlowIfNullOrEmpty": it
// "instructs the provisioning service to ignore the attribute and drop it
// from the flow if the enclosed function or attribute is NULL or empty":
// the whole attribute, wherever the call sits in the expression, so an
// empty value unwinds the evaluation (errIgnoreFlow) and Eval reports that
// nothing flows.
func evalIgnoreFlow(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	if isNullOrEmpty(v) {
		return nil, errIgnoreFlow
	}
	return v, nil
}

// errIgnoreFlow drops the attribute from the flow (IgnoreFlowIfNullOrEmpty).
var errIgnoreFlow = errors.New("IgnoreFlowIfNullOrEmpty: the attribute is dropped from the flow")

// IIF — section "IIF": only the chosen branch is evaluated. Known
// limitations: "If the source attribute used within the IIF function is
// empty or null, the condition check fails": an error, so the user fails
// (IIF([x]="", …), IIF(IsPresent([x]), …) are the documented unsupported
// forms; Switch is the workaround).
func evalIIF(n *node, env *Env) (any, error) {
	if name, ok := nullAttrIn(n.args[0], env); ok {
		return nil, n.errorf("the condition reads [%s], which is null or empty for this user: the condition check fails (use Switch to test for empty values)", name)
	}
	c, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	if truthy(c) {
		return n.args[1].value(env)
	}
	return n.args[2].value(env)
}

// InStr — section "InStr": the 1-based position of value2 in value1, 0 when
// absent. vbTextCompare ignores case.
func evalInStr(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	sub, ok, err := n.textArg(env, 1)
	if err != nil || !ok {
		return nil, err
	}
	start := int64(1)
	if len(n.args) > 2 && n.args[2].kind != kindEmpty {
		if start, ok, err = n.intArg(env, 2); err != nil || !ok {
			return nil, err
		}
		if start < 1 {
			return nil, n.errorf("start must be at least 1, got %d", start)
		}
	}
	fold := false
	if len(n.args) > 3 && n.args[3].kind != kindEmpty {
		v, err := n.args[3].value(env)
		if err != nil {
			return nil, err
		}
		switch v {
		case int64(0), "vbBinaryCompare", "0", nil:
		case int64(1), "vbTextCompare", "1":
			fold = true
		default:
			return nil, n.errorf("compareType: want vbBinaryCompare or vbTextCompare, got %v", v)
		}
	}
	rs, rsub := []rune(s), []rune(sub)
	if start > int64(len(rs)) {
		if len(rsub) == 0 && start == int64(len(rs))+1 {
			return start, nil
		}
		return int64(0), nil
	}
	if len(rsub) == 0 {
		return start, nil
	}
	for i := int(start - 1); i+len(rsub) <= len(rs); i++ {
		if runesEqual(rs[i:i+len(rsub)], rsub, fold) {
			return int64(i + 1), nil
		}
	}
	return int64(0), nil
}

func runesEqual(a, b []rune, fold bool) bool {
	for i := range a {
		if a[i] != b[i] && (!fold || unicode.ToLower(a[i]) != unicode.ToLower(b[i])) {
			return false
		}
	}
	return true
}

// IsNull, IsNullOrEmpty, IsPresent, IsString — sections of the same names.
func evalIsNull(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	return isNull(v), err
}

func evalIsNullOrEmpty(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	return isNullOrEmpty(v), err
}

func evalIsPresent(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	return !isNullOrEmpty(v), err
}

func evalIsString(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	_, ok := v.(string)
	return ok, err
}

// Item — section "Item": the 1-based index-th value; null past the end.
func evalItem(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	i, ok, err := n.intArg(env, 1)
	if err != nil || !ok {
		return nil, err
	}
	if i < 1 {
		return nil, n.errorf("index must be at least 1 (the first item), got %d", i)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		if i > int64(len(x)) {
			return nil, nil
		}
		return x[i-1], nil
	}
	if i == 1 {
		return v, nil
	}
	return nil, nil
}

// Join — section "Join": the values (every value of a multi-valued one)
// separated by separator. Null and empty values are left out (section
// "Add a comma between last name and first name": Join(", ", "", [surname],
// [givenName]) is "Doe, John").
func evalJoin(n *node, env *Env) (any, error) {
	sep, _, err := n.textArg(env, 0)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	first := true
	add := func(v any) error {
		s, ok, err := n.text(v, "source")
		if err != nil || !ok || s == "" {
			return err
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(s)
		return nil
	}
	for _, a := range n.args[1:] {
		v, err := a.value(env)
		if err != nil {
			return nil, err
		}
		if vs, ok := v.([]any); ok {
			for _, x := range vs {
				if err := add(x); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := add(v); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

// Left — section "Left": the first numChars characters; "" for null, the
// whole string for a negative count.
func evalLeft(n *node, env *Env) (any, error) {
	s, _, err := n.textArg(env, 0)
	if err != nil {
		return nil, err
	}
	k, ok, err := n.intArg(env, 1)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, n.errorf("numChars is null")
	}
	if k < 0 {
		return s, nil
	}
	return prefixRunes(s, k), nil
}

// prefixRunes returns the first k characters of s.
func prefixRunes(s string, k int64) string {
	for i := range s {
		if k == 0 {
			return s[:i]
		}
		k--
	}
	return s
}

// Mid — section "Mid": length characters from the 1-based start.
func evalMid(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	start, ok1, err := n.intArg(env, 1)
	if err != nil {
		return nil, err
	}
	length, ok2, err := n.intArg(env, 2)
	if err != nil {
		return nil, err
	}
	if !ok1 || !ok2 {
		return nil, n.errorf("start and length must not be null")
	}
	if start < 1 {
		return nil, n.errorf("start must be at least 1 (the first character), got %d", start)
	}
	if length < 0 {
		return nil, n.errorf("length must not be negative, got %d", length)
	}
	for i := range s {
		if start == 1 {
			return prefixRunes(s[i:], length), nil
		}
		start--
	}
	return "", nil
}

// NormalizeDiacritics — section "NormalizeDiacritics".
func evalNormalizeDiacritics(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	return normalizeDiacritics(s), nil
}

// Not — section "Not": False for True, True for anything else.
func evalNot(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	return !truthy(v), nil
}

// PCase — section "PCase": each word's first letter upper case, the rest
// lower case. Without wordSeparators a word ends at anything that is not a
// letter, a digit or a combining mark (as .NET ToTitleCase).
func evalPCase(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	var seps string
	custom := len(n.args) > 1 && n.args[1].kind != kindEmpty
	if custom {
		if seps, _, err = n.textArg(env, 1); err != nil {
			return nil, err
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		var sep bool
		if custom {
			sep = strings.ContainsRune(seps, r)
		} else {
			sep = !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
		}
		switch {
		case sep:
			b.WriteRune(r)
			start = true
		case start:
			b.WriteRune(unicode.ToTitle(r))
			start = false
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String(), nil
}

// RandomString — section "RandomString", through the Env stand-in.
func evalRandomString(n *node, env *Env) (any, error) {
	var nums [5]int
	for i := range nums {
		v, ok, err := n.intArg(env, i)
		if err != nil {
			return nil, err
		}
		if !ok || v < 0 || v > 256 {
			return nil, n.errorf("%s must be a number from 0 to 256", n.spec.param(i))
		}
		nums[i] = int(v)
	}
	if nums[0] < nums[1]+nums[2]+nums[3]+nums[4] {
		return nil, n.errorf("length %d is less than the minimum counts together (%d)", nums[0], nums[1]+nums[2]+nums[3]+nums[4])
	}
	var exclude string
	if len(n.args) > 5 && n.args[5].kind != kindEmpty {
		var err error
		if exclude, _, err = n.textArg(env, 5); err != nil {
			return nil, err
		}
	}
	if env.RandomString == nil {
		return nil, n.errorf("no random source in this evaluation")
	}
	return env.RandomString(nums[0], nums[1], nums[2], nums[3], nums[4], exclude), nil
}

// Redact — section "Redact": the value itself; only Entra's logs hide it.
func evalRedact(n *node, env *Env) (any, error) { return n.args[0].value(env) }

// RemoveDuplicates — section "RemoveDuplicates": each value once, in order.
func evalRemoveDuplicates(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	vs, ok := v.([]any)
	if !ok {
		return v, nil
	}
	out := make([]any, 0, len(vs))
	seen := make(map[any]bool, len(vs))
	for _, x := range vs {
		switch x.(type) {
		case nil, string, bool, int64:
		default:
			return nil, n.errorf("attribute: unsupported value of type %T", x)
		}
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out, nil
}

// SelectUniqueValue — section "SelectUniqueValue": the first rule's value
// that is not taken in the target (Env.Taken).
func evalSelectUniqueValue(n *node, env *Env) (any, error) {
	for i := range n.args {
		s, ok, err := n.textArg(env, i)
		if err != nil {
			return nil, err
		}
		if !ok || s == "" {
			continue
		}
		if env.Taken == nil || !env.Taken(s) {
			return s, nil
		}
	}
	return nil, n.errorf("every rule's value is already taken in the target (Entra escrows the entry)")
}

// SingleAppRoleAssignment — section "SingleAppRoleAssignment": one role;
// with several, the first.
func evalSingleAppRoleAssignment(n *node, env *Env) (any, error) {
	v, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	if vs, ok := v.([]any); ok {
		if len(vs) == 0 {
			return nil, nil
		}
		return vs[0], nil
	}
	return v, nil
}

// Split — section "Split": a multi-valued value; the values are trimmed of
// surrounding spaces as the doc's example shows ("PermissionSetOne,
// PermissionSetTwo" split on "," gives ["PermissionSetOne",
// "PermissionSetTwo"]).
func evalSplit(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	d, _, err := n.textArg(env, 1)
	if err != nil {
		return nil, err
	}
	if d == "" {
		return []any{strings.TrimSpace(s)}, nil
	}
	parts := strings.Split(s, d)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = strings.TrimSpace(p)
	}
	return out, nil
}

// StripSpaces — section "StripSpaces": without any " ".
func evalStripSpaces(n *node, env *Env) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	return strings.ReplaceAll(s, " ", ""), nil
}

// Switch — section "Switch": the value of the first key equal to source
// (case-sensitive), else defaultValue. A null source matches the key "".
func evalSwitch(n *node, env *Env) (any, error) {
	src, _, err := n.textArg(env, 0)
	if err != nil {
		return nil, err
	}
	for i := 2; i+1 < len(n.args); i += 2 {
		k, _, err := n.textArg(env, i)
		if err != nil {
			return nil, err
		}
		if k == src {
			return n.args[i+1].value(env)
		}
	}
	return n.args[1].value(env)
}

// ToLower and ToUpper — sections of the same names; the culture matters
// only for Turkish and Azerbaijani (dotted and dotless i).
func evalToLower(n *node, env *Env) (any, error) { return changeCase(n, env, false) }
func evalToUpper(n *node, env *Env) (any, error) { return changeCase(n, env, true) }

func changeCase(n *node, env *Env, upper bool) (any, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	var culture string
	if len(n.args) > 1 && n.args[1].kind != kindEmpty {
		if culture, _, err = n.textArg(env, 1); err != nil {
			return nil, err
		}
	}
	lang := strings.ToLower(culture)
	turkic := lang == "tr" || lang == "az" || strings.HasPrefix(lang, "tr-") || strings.HasPrefix(lang, "az-")
	switch {
	case turkic && upper:
		return strings.ToUpperSpecial(unicode.TurkishCase, s), nil
	case turkic:
		return strings.ToLowerSpecial(unicode.TurkishCase, s), nil
	case upper:
		return strings.ToUpper(s), nil
	}
	return strings.ToLower(s), nil
}

// Word — section "Word": the wordNumber-th word, words being separated by
// any of the delimiter characters; "" when there is no such word.
func evalWord(n *node, env *Env) (any, error) {
	s, _, err := n.textArg(env, 0)
	if err != nil {
		return nil, err
	}
	k, ok, err := n.intArg(env, 1)
	if err != nil {
		return nil, err
	}
	d, _, err := n.textArg(env, 2)
	if err != nil {
		return nil, err
	}
	if !ok || k < 1 {
		return "", nil
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(d, r) })
	if k > int64(len(words)) {
		return "", nil
	}
	return words[k-1], nil
}

// evalCmp compares two values for an IIF condition. A null side makes the
// comparison False (section "IIF", known limitations). As in VBA, a number
// compared with a number or a numeric text compares as a number, booleans
// as booleans, and everything else (two texts included) as case-sensitive
// text.
func evalCmp(n *node, env *Env) (any, error) {
	a, err := n.args[0].value(env)
	if err != nil {
		return nil, err
	}
	b, err := n.args[1].value(env)
	if err != nil {
		return nil, err
	}
	if isNull(a) || isNull(b) {
		return false, nil
	}
	var c int
	ab, aBool := a.(bool)
	bb, bBool := b.(bool)
	switch {
	case aBool || bBool:
		if n.op != opEq && n.op != opNe {
			return false, nil
		}
		if !aBool {
			ab = truthy(a)
		}
		if !bBool {
			bb = truthy(b)
		}
		if ab != bb {
			c = 1
		}
	default:
		ai, aok := number(a)
		bi, bok := number(b)
		_, aInt := a.(int64)
		_, bInt := b.(int64)
		if aok && bok && (aInt || bInt) {
			c = cmp.Compare(ai, bi)
		} else {
			as, ok1, err := n.text(a, "left side")
			if err != nil {
				return nil, err
			}
			bs, ok2, err := n.text(b, "right side")
			if err != nil {
				return nil, err
			}
			if !ok1 || !ok2 {
				return false, nil
			}
			c = strings.Compare(as, bs)
		}
	}
	switch n.op {
	case opEq:
		return c == 0, nil
	case opNe:
		return c != 0, nil
	case opLt:
		return c < 0, nil
	case opLe:
		return c <= 0, nil
	case opGt:
		return c > 0, nil
	case opGe:
		return c >= 0, nil
	}
	return false, nil
}

// number reads a whole number: an int64, or text that is one.
func number(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case string:
		return ParseInteger(x)
	}
	return 0, false
}

// IsInteger reports whether s is an integer as Entra's scoping filters
// (Greater_Than, Greater_Than_OR_EQUALS) and expressions read one from text:
// ASCII digits with an optional sign, nothing else (no spaces, no
// separators, any length).
func IsInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseInteger reads an integer (IsInteger) that fits an int64; 0, false
// for anything else. IsInteger
// is a cheap pre-check that spares strconv's error allocations on ordinary
// text.
func ParseInteger(s string) (int64, bool) {
	if !IsInteger(s) {
		return 0, false
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return i, true
}

// nullAttrIn returns the first source attribute the subtree reads that is
// null or empty for the user, if any.
func nullAttrIn(n *node, env *Env) (string, bool) {
	if n.kind == kindAttr {
		if env.Attr == nil || isNullOrEmpty(env.Attr(n.name)) {
			return n.name, true
		}
		return "", false
	}
	for _, a := range n.args {
		if name, ok := nullAttrIn(a, env); ok {
			return name, true
		}
	}
	return "", false
}
