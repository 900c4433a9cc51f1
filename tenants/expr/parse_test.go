package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseErrors(t *testing.T) {
	long := `"` + strings.Repeat("a", MaxLen-2) + `"`
	tests := []struct {
		src  string
		want Error
	}{
		{``, Error{1, "empty expression"}},
		{`   `, Error{1, "empty expression"}},
		{`Foo([a])`, Error{1, "unknown function Foo"}},
		{`Joinx(" ", [a])`, Error{1, "unknown function Joinx: did you mean Join?"}},
		{`ToUper([a])`, Error{1, "unknown function ToUper: did you mean ToUpper?"}},
		{`Join(" ", toupper([a]))`, Error{11, "unknown function toupper (function names are case-sensitive: did you mean ToUpper?)"}},
		{`Mid([a], 1)`, Error{1, "Mid takes 3 arguments (source, start, length), got 2"}},
		{`Guid(1)`, Error{1, "Guid takes 0 arguments (), got 1"}},
		{`ToUpper()`, Error{1, "ToUpper takes 1 to 2 arguments (source, culture), got 0"}},
		{`Join(" ")`, Error{1, "Join takes at least 2 arguments (separator, source, …), got 1"}},
		{`Switch([a], "d", "k")`, Error{1, "Switch takes an even number of arguments, at least 4 (source, defaultValue, key, value, …), got 3"}},
		{`Replace([a], "x", , , "y", , )`[:len(`Replace([a], "x", , , "y", , )`)-3] + `)`, Error{1, "Replace takes 7 arguments (source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template), got 6"}},
		{`Append(, "x")`, Error{8, "Append: argument 1 (source) is required"}},
		{`Switch([a], , "k", "v", , "w")`, Error{25, "Switch: argument 5 (key) is required"}},
		{`Switch([a], , "k", "v", "j", )`, Error{30, "Switch: argument 6 (value) is required"}},
		{`Mid([a], , 2)`, Error{10, "Mid: argument 2 (start) is required"}},
		{`ToUpper("abc`, Error{9, `unterminated string: missing closing "`}},
		{`ToUpper("abc\")`, Error{9, `unterminated string: missing closing "`}},
		{`ToUpper([abc)`, Error{9, "unterminated attribute: missing ]"}},
		{`ToUpper([])`, Error{9, `attribute name "": want a name without surrounding spaces`}},
		{`ToUpper([ a])`, Error{9, `attribute name " a": want a name without surrounding spaces`}},
		{`ToUpper([a]`, Error{12, "missing ) to close ToUpper( at col 8"}},
		{`ToUpper(`, Error{9, "missing ) to close ToUpper( at col 8"}},
		{`ToUpper([a] [b])`, Error{13, `unexpected '[' in the arguments of ToUpper: want , or )`}},
		{`ToUpper([a]) x`, Error{14, `unexpected 'x' after the end of the expression`}},
		{`[a] [b]`, Error{5, `unexpected '[' after the end of the expression`}},
		{`ToUpper([a]))`, Error{13, `unexpected ')' after the end of the expression`}},
		{`ToUpper`, Error{1, "ToUpper is a function: call it with parentheses, ToUpper(…)"}},
		{`ToUpper(givenName)`, Error{9, "unknown name givenName: attributes go in square brackets ([givenName]), text in double quotes"}},
		{`ToUpper(true)`, Error{9, "unknown name true: attributes go in square brackets ([true]), text in double quotes"}},
		{`Left("a", 1.5)`, Error{12, "malformed number: only whole numbers are supported"}},
		{`Left("a", 99999999999999999999)`, Error{11, "number 99999999999999999999 is out of range"}},
		{`BitAnd(&H, 1)`, Error{10, "malformed hexadecimal number: want &H followed by hex digits"}},
		{`IIF([a] = "x" = "y", 1, 2)`, Error{15, "comparisons cannot be chained; nest IIF calls instead"}},
		{`IIF([a] = , 1, 2)`, Error{11, `unexpected ',': want a function call, [attribute], "string" or number`}},
		{`IIF(= [a], 1, 2)`, Error{5, `unexpected '=': want a function call, [attribute], "string" or number`}},
		{`ToUpper([a]) =`, Error{15, `unexpected end of expression: want a function call, [attribute], "string" or number`}},
		{`Join(" ", SelectUniqueValue("a", "b"))`, Error{11, "SelectUniqueValue must be the whole expression; it cannot be nested"}},
		{`Replace([a], "x", "y", , "z", , )`, Error{1, "Replace: give oldValue or regexPattern, not both"}},
		{`Replace([a], "x", , , , , )`, Error{1, "Replace: with oldValue, give replacementValue or template"}},
		{`Replace([a], "x", , , "y", , "t")`, Error{1, "Replace: with oldValue, give replacementValue or template, not both"}},
		{`Replace([a], , , , "y", , )`, Error{1, "Replace: give oldValue or regexPattern"}},
		{`Replace([a], , "x", , , , )`, Error{1, "Replace: with regexPattern, give replacementValue, or regexGroupName with replacementValue or replacementAttributeName"}},
		{`Replace([a], "x", , "g", "y", , )`, Error{21, "Replace: regexGroupName cannot be combined with the other arguments given"}},
		{`Replace([a], , "(", , "y", , )`, Error{16, "Replace: regexPattern: error parsing regexp: missing closing ): `(` (xtsync uses Go's RE2 syntax: no look-arounds or back-references)"}},
		{`Replace([a], , "(?<n>x)", "m", "y", , )`, Error{27, `Replace: regexGroupName: the pattern has no group named "m"`}},
		{"ToUpper(\"\xff\")", Error{10, "invalid UTF-8"}},
		{long + " ", Error{MaxLen + 1, "expression is 10001 characters long, Entra accepts at most 10000"}},
		{"Join(\"\"" + strings.Repeat(",1", (MaxLen-10)/2) + ")", Error{1, "expression is 14993 characters long once printed canonically (as xtsync sends it), Entra accepts at most 10000"}},
	}
	for _, tt := range tests {
		name := tt.src
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			e, err := Parse(tt.src)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Parse(%q) = %v, %v; want *Error", tt.src, e, err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("Parse(%q) error (-want +got):\n%s", tt.src, diff)
			}
		})
	}
	if _, err := Parse(long); err != nil {
		t.Errorf("Parse of a %d-character expression: %v", MaxLen, err)
	}
}

func TestString(t *testing.T) {
	tests := []struct{ src, want string }{
		{`Join(" ",[givenName],[surname])`, `Join(" ", [givenName], [surname])`},
		{"  ToUpper (\n[jobTitle] )  ", `ToUpper([jobTitle])`},
		{`Replace([mail], "@contoso.com", , ,"", ,)`, `Replace([mail], "@contoso.com", , , "", , )`},
		{`Switch([Active], , "1", "a", "0", "b")`, `Switch([Active], , "1", "a", "0", "b")`},
		{`IIF([country]="USA",[country],[department])`, `IIF([country] = "USA", [country], [department])`},
		{`IIF([n]<>1,True,False)`, `IIF([n] <> 1, True, False)`},
		{`IIF([n]>=-1,1,0)`, `IIF([n] >= -1, 1, 0)`},
		{`BitAnd(&HF, &hf7)`, `BitAnd(15, 247)`},
		{`InStr("a","b",1,vbTextCompare)`, `InStr("a", "b", 1, vbTextCompare)`},
		{`"say \"hi\" \\ \d"`, `"say \"hi\" \\ \\d"`},
		{`Guid( )`, `Guid()`},
		{`[extension_8b1a_employeeNumber]`, `[extension_8b1a_employeeNumber]`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, e.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("Parse(String()): %v", err)
			}
			if !again.Equal(e) {
				t.Errorf("Parse(%q) differs from Parse(%q)", e.String(), tt.src)
			}
		})
	}
}

func TestConstantAndAttribute(t *testing.T) {
	c := ParseConstant(`Say "hi"`)
	if got, want := c.String(), `"Say \"hi\""`; got != want {
		t.Errorf("ParseConstant.String() = %s, want %s", got, want)
	}
	if v, err := c.Eval(Env{}); err != nil || v != `Say "hi"` {
		t.Errorf("ParseConstant.Eval = %#v, %v", v, err)
	}
	a := ParseAttribute("mail")
	if got, want := a.String(), `[mail]`; got != want {
		t.Errorf("ParseAttribute.String() = %s, want %s", got, want)
	}
	if diff := cmp.Diff([]string{"mail"}, a.Attributes()); diff != "" {
		t.Errorf("Attributes (-want +got):\n%s", diff)
	}
	if v, err := a.Eval(attrs(map[string]any{"mail": "m@x"})); err != nil || v != "m@x" {
		t.Errorf("ParseAttribute.Eval = %#v, %v", v, err)
	}
	p, err := Parse(`[mail]`)
	if err != nil || !p.Equal(a) {
		t.Errorf("Parse([mail]) = %v, %v; want equal to ParseAttribute", p, err)
	}
}

func TestAttributesAndFunctions(t *testing.T) {
	e, err := Parse(`IIF([country]="USA", Join(" ", [surname], [givenName], [country]), Replace([telephoneNumber], , "(?<d>\\d+)", "d", , [mobile], ))`)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"country", "givenName", "mobile", "surname", "telephoneNumber"}, e.Attributes()); diff != "" {
		t.Errorf("Attributes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"IIF", "Join", "Replace"}, e.Functions()); diff != "" {
		t.Errorf("Functions (-want +got):\n%s", diff)
	}
	if !e.Offline() {
		t.Error("Offline() = false, want true")
	}
	d, err := Parse(`Join("", AppRoleAssignmentsComplex([appRoleAssignments]))`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Offline() {
		t.Error("Offline() = true for AppRoleAssignmentsComplex, want false")
	}
	if ParseConstant("x").Attributes() != nil {
		t.Error("a constant reads attributes")
	}
}

// Every function of the reference parses; the names are case-sensitive.
func TestFunctionNames(t *testing.T) {
	want := []string{"AltSecIdFromNetId", "AppRoleAssignmentsComplex", "Append", "BitAnd", "CBool", "CDate", "CStr", "Coalesce",
		"ConvertToBase64", "ConvertToUTF8Hex", "Count", "DateAdd", "DateDiff", "DateFromNum", "FormatDateTime", "Guid", "IIF",
		"IgnoreFlowIfNullOrEmpty", "InStr", "IsNull", "IsNullOrEmpty", "IsPresent", "IsString", "Item", "Join", "Left", "Mid",
		"NormalizeDiacritics", "Not", "Now", "NumFromDate", "PCase", "RandomString", "Redact", "RemoveDuplicates", "Replace",
		"SelectUniqueValue", "SingleAppRoleAssignment", "Split", "StripSpaces", "Switch", "ToLower", "ToUpper", "Word"}
	if diff := cmp.Diff(want, FunctionNames()); diff != "" {
		t.Errorf("FunctionNames (-want +got):\n%s", diff)
	}
	for _, src := range []string{
		`DateAdd("d", 7, CDate([StatusHireDate]))`,
		`DateDiff("d", Now(), CDate([StatusHireDate]))`,
		"Switch([Active], , \n  \"1\", IIF(DateDiff(\"d\", Now(), CDate([StatusHireDate])) > 5, \"False\", \"True\"), \n  \"0\", \"False\")",
		`DateFromNum(129699324000000000)`,
		`FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`,
		`NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))`,
		`AppRoleAssignmentsComplex([appRoleAssignments])`,
		`Redact(RandomString(6,3,0,0,3))`,
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%q): %v", src, err)
		}
	}
	if OfflineFunction("AltSecIdFromNetId") || !OfflineFunction("DateAdd") || OfflineFunction("join") {
		t.Error("OfflineFunction: wrong answer")
	}
}

// FuzzParse: Parse never panics, and what it accepts prints to a canonical
// form that parses to the same tree and prints the same again.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Col < 1 {
				t.Fatalf("Parse(%q) error %v: want *Error with a column", src, err)
			}
			return
		}
		out := e.String()
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", src, out, err)
		}
		if !again.Equal(e) {
			t.Fatalf("Parse(%q) and Parse(String() = %q) differ", src, out)
		}
		if again.String() != out {
			t.Fatalf("String not stable: %q then %q", out, again.String())
		}
	})
}

// FuzzEval: evaluating anything that parses, with any attribute values,
// never panics and returns only the documented value types.
func FuzzEval(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "John", "a,b, c", int64(2))
	}
	f.Fuzz(func(t *testing.T, src, s, multi string, n int64) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		values := map[string]any{}
		for i, name := range e.Attributes() {
			switch i % 4 {
			case 0:
				values[name] = s
			case 1:
				values[name] = []any{s, multi, s}
			case 2:
				values[name] = n
			}
		}
		v, err := e.Eval(attrs(values))
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Col < 1 {
				t.Fatalf("Eval(%q) error %v: want *Error with a column", src, err)
			}
			return
		}
		checkValue(t, v, 0)
		// The canonical form means the same.
		again, err := Parse(e.String())
		if err != nil {
			t.Fatalf("Parse(String()): %v", err)
		}
		v2, err := again.Eval(attrs(values))
		if err != nil || !cmp.Equal(v, v2) {
			t.Fatalf("Eval(%q) = %#v, but its canonical form %q gives %#v, %v", src, v, e.String(), v2, err)
		}
	})
}

func checkValue(t *testing.T, v any, depth int) {
	switch x := v.(type) {
	case nil, string, bool, int64:
	case []any:
		if depth > 0 {
			t.Fatalf("nested multi-valued value %#v", v)
		}
		for _, y := range x {
			checkValue(t, y, depth+1)
		}
	default:
		t.Fatalf("value of type %T", v)
	}
}

var fuzzSeeds = []string{
	`Join(" ", [givenName], [surname])`,
	`IIF([country]="USA",[country],[department])`,
	`Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )`,
	`Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )`,
	`Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )`,
	`Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane")`,
	`PCase([lastName]," '-")`,
	`Word("This,string!has&many separators",3,",!&#")`,
	`InStr("repEated","e",3,vbBinaryCompare)`,
	`BitAnd(&HF, &HF7)`,
	`Mid([givenName], 1, 3)`,
	`Left([x], -1)`,
	`Item(Split([a], ","), 2)`,
	`RemoveDuplicates([proxyAddresses])`,
	`NormalizeDiacritics("Zoë")`,
	`ConvertToBase64([a])`,
	`CBool([a] >= 3)`,
	`Coalesce([mail], , "x")`,
	`"a \" b \\"`,
	selectUPN,
	`Mid("abc", [n], [n])`,
	`ToUpper([a], "tr")`,
	`DateAdd("m", [n], CDate([d]))`,
	`DateDiff("ww", [a], "2012-03-16-07:00")`,
	`FormatDateTime([d], , "yyyyMMddHHmmss.fZ", "dddd MMM yy h:m:s tt zzz K")`,
	`FormatDateTime([d], [f], [g])`,
	`NumFromDate([d])`,
	`DateFromNum([n])`,
}
