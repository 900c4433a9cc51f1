package expr

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// attrs is a test Env reading a map.
func attrs(m map[string]any) Env {
	return Env{
		Attr:  func(name string) any { return m[name] },
		Now:   func() string { return "7/2/2021 3:33:38 PM" },
		Guid:  func() string { return "00aa00aa-bb11-cc22-dd33-44ee44ee44ee" },
		Taken: func(v string) bool { return m["taken:"+v] != nil },
		RandomString: func(length, minNumbers, minSpecial, minCapital, minLower int, exclude string) string {
			return strings.Repeat("x", length) + "|" + exclude
		},
	}
}

// The sections named are those of Microsoft's "Reference for writing
// expressions for attribute mappings in Microsoft Entra ID"
// (functions-for-customizing-application-data.md); their examples are the
// first cases of each function.
func TestEval(t *testing.T) {
	tests := []evalTest{
		// Append: "Append constant suffix to user name".
		{"Append", `Append([userPrincipalName], ".test")`, map[string]any{"userPrincipalName": "John.Doe@contoso.com"}, "John.Doe@contoso.com.test"},
		{"Append/null source", `Append([userPrincipalName], ".test")`, nil, nil},
		{"Append/null suffix", `Append("a", [x])`, nil, "a"},
		// BitAnd: BitAnd(&HF, &HF7) returns 7.
		{"BitAnd", `BitAnd(&HF, &HF7)`, nil, int64(7)},
		{"BitAnd/text", `BitAnd([flags], 2)`, map[string]any{"flags": "514"}, int64(2)},
		{"BitAnd/null", `BitAnd([flags], 2)`, nil, nil},
		// CBool: "Returns True if both attributes have the same value".
		{"CBool/equal", `CBool([attribute1] = [attribute2])`, map[string]any{"attribute1": "a", "attribute2": "a"}, true},
		{"CBool/differ", `CBool([attribute1] = [attribute2])`, map[string]any{"attribute1": "a", "attribute2": "b"}, false},
		{"CBool/number", `CBool(2)`, nil, true},
		{"CBool/zero text", `CBool("0")`, nil, false},
		{"CBool/true text", `CBool("TRUE")`, nil, true},
		{"CBool/null", `CBool([x])`, nil, false},
		// Coalesce: "Flow mail value if not NULL, otherwise flow userPrincipalName".
		{"Coalesce", `Coalesce([mail],[userPrincipalName])`, map[string]any{"userPrincipalName": "John.Doe@contoso.com"}, "John.Doe@contoso.com"},
		{"Coalesce/first", `Coalesce([mail],[userPrincipalName])`, map[string]any{"mail": "j@contoso.com", "userPrincipalName": "u"}, "j@contoso.com"},
		{"Coalesce/empty is not null", `Coalesce([mail], "d")`, map[string]any{"mail": ""}, ""},
		{"Coalesce/default", `Coalesce([mail], [upn], "none")`, nil, "none"},
		{"Coalesce/all null", `Coalesce([mail], [upn])`, nil, nil},
		// ConvertToBase64: returns "SABlAGwAbABvACAAdwBvAHIAbABkACEA".
		{"ConvertToBase64", `ConvertToBase64("Hello world!")`, nil, "SABlAGwAbABvACAAdwBvAHIAbABkACEA"},
		// ConvertToUTF8Hex: returns 48656C6C6F20776F726C6421.
		{"ConvertToUTF8Hex", `ConvertToUTF8Hex("Hello world!")`, nil, "48656C6C6F20776F726C6421"},
		{"ConvertToUTF8Hex/utf8", `ConvertToUTF8Hex("é")`, nil, "C3A9"},
		// Count: the number of elements of a multi-valued attribute.
		{"Count", `Count([proxyAddresses])`, map[string]any{"proxyAddresses": []any{"smtp:a", "SMTP:b"}}, int64(2)},
		{"Count/single", `Count([mail])`, map[string]any{"mail": "a"}, int64(1)},
		{"Count/null", `Count([mail])`, nil, int64(0)},
		// CStr: CStr([dn]) returns "cn=Joe,dc=contoso,dc=com".
		{"CStr", `CStr([dn])`, map[string]any{"dn": "cn=Joe,dc=contoso,dc=com"}, "cn=Joe,dc=contoso,dc=com"},
		{"CStr/number", `CStr(42)`, nil, "42"},
		{"CStr/bool", `CStr(IsNull([x]))`, nil, "True"},
		{"CStr/null", `CStr([x])`, nil, nil},
		// Guid, Now, RandomString: the Env stand-ins.
		{"Guid", `Guid()`, nil, "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"},
		{"Now", `Now()`, nil, "7/2/2021 3:33:38 PM"},
		{"RandomString", `RandomString(6,3,0,0,3)`, nil, "xxxxxx|"},
		{"RandomString/exclude", `RandomString(10,2,2,2,1,"?,")`, nil, "xxxxxxxxxx|?,"},
		// IgnoreFlowIfNullOrEmpty: examples 1 and 2.
		{"IgnoreFlowIfNullOrEmpty/null", `IgnoreFlowIfNullOrEmpty([department])`, nil, nil},
		{"IgnoreFlowIfNullOrEmpty/empty", `IgnoreFlowIfNullOrEmpty([department])`, map[string]any{"department": ""}, nil},
		{"IgnoreFlowIfNullOrEmpty/value", `IgnoreFlowIfNullOrEmpty([department])`, map[string]any{"department": "Sales"}, "Sales"},
		{"IgnoreFlowIfNullOrEmpty/Switch", `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))`, map[string]any{"prefix": "9"}, nil},
		// Anywhere in the expression, it drops the whole attribute.
		{"IgnoreFlowIfNullOrEmpty/nested", `Join(" - ", IgnoreFlowIfNullOrEmpty([department]), [jobTitle])`, map[string]any{"jobTitle": "Rep"}, nil},
		{"IgnoreFlowIfNullOrEmpty/nested value", `Join(" - ", IgnoreFlowIfNullOrEmpty([department]), [jobTitle])`, map[string]any{"department": "Sales", "jobTitle": "Rep"}, "Sales - Rep"},
		{"IgnoreFlowIfNullOrEmpty/under Coalesce", `Coalesce(IgnoreFlowIfNullOrEmpty([a]), "x")`, map[string]any{"a": ""}, nil},
		{"IgnoreFlowIfNullOrEmpty/untaken IIF branch", `IIF([c]="1", IgnoreFlowIfNullOrEmpty([a]), "b")`, map[string]any{"c": "2"}, "b"},
		{"IgnoreFlowIfNullOrEmpty/Switch match", `IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))`, map[string]any{"prefix": "3444"}, "Prof."},
		// IIF: country="USA" gives country, else department; the nested AND
		// and OR forms of "Known limitations".
		{"IIF/true", `IIF([country]="USA",[country],[department])`, map[string]any{"country": "USA", "department": "Sales"}, "USA"},
		{"IIF/false", `IIF([country]="USA",[country],[department])`, map[string]any{"country": "FR", "department": "Sales"}, "Sales"},
		{"IIF/and", `IIF([country]="USA",IIF([state]="CA","True","False"),"False")`, map[string]any{"country": "USA", "state": "CA"}, "True"},
		{"IIF/and false", `IIF([country]="USA",IIF([state]="CA","True","False"),"False")`, map[string]any{"country": "USA", "state": "NY"}, "False"},
		{"IIF/or", `IIF([country]="USA","True",IIF([state]="CA","True","False"))`, map[string]any{"country": "FR", "state": "CA"}, "True"},
		{"IIF/numbers", `IIF(Count([a]) > 1, "many", "few")`, map[string]any{"a": []any{"1", "2"}}, "many"},
		{"IIF/number text", `IIF([n] >= 10, "big", "small")`, map[string]any{"n": "9"}, "small"},
		{"IIF/text order", `IIF([s] < "b", "lt", "ge")`, map[string]any{"s": "a"}, "lt"},
		{"IIF/two texts compare as text", `IIF([n] = "1", "eq", "ne")`, map[string]any{"n": "01"}, "ne"},
		{"IIF/number and text compare as numbers", `IIF([n] = 1, "eq", "ne")`, map[string]any{"n": "01"}, "eq"},
		{"IIF/text order of digits", `IIF([n] < "10", "lt", "ge")`, map[string]any{"n": "9"}, "ge"},
		{"IIF/bool", `IIF(IsPresent([a]) = True, "p", "a")`, map[string]any{"a": "x"}, "p"},
		{"IIF/bool text", `IIF([enabled], "on", "off")`, map[string]any{"enabled": "True"}, "on"},
		{"IIF/lazy", `IIF(True, "ok", Mid("x", 0, 1))`, nil, "ok"},
		// InStr: examples.
		{"InStr", `InStr("The quick brown fox","quick")`, nil, int64(5)},
		{"InStr/start binary", `InStr("repEated","e",3,vbBinaryCompare)`, nil, int64(7)},
		{"InStr/start text", `InStr("repEated","e",3,vbTextCompare)`, nil, int64(4)},
		{"InStr/absent", `InStr("abc","d")`, nil, int64(0)},
		{"InStr/empty", `InStr("abc","")`, nil, int64(1)},
		{"InStr/past end", `InStr("abc","a",9)`, nil, int64(0)},
		{"InStr/null", `InStr([x],"a")`, nil, nil},
		{"InStr/runes", `InStr("Zoë Doe","D")`, nil, int64(5)},
		// IsNull, IsNullOrEmpty, IsPresent, IsString.
		{"IsNull/absent", `IsNull([displayName])`, nil, true},
		{"IsNull/empty", `IsNull([displayName])`, map[string]any{"displayName": ""}, false},
		{"IsNullOrEmpty/absent", `IsNullOrEmpty([displayName])`, nil, true},
		{"IsNullOrEmpty/empty", `IsNullOrEmpty([displayName])`, map[string]any{"displayName": ""}, true},
		{"IsNullOrEmpty/value", `IsNullOrEmpty([displayName])`, map[string]any{"displayName": "x"}, false},
		{"IsPresent", `Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])`, map[string]any{"directManager": "m1"}, "m1"},
		{"IsPresent/empty", `IsPresent([a])`, map[string]any{"a": ""}, false},
		{"IsString", `IsString([a])`, map[string]any{"a": ""}, true},
		{"IsString/number", `IsString(Count([a]))`, nil, false},
		{"IsString/null", `IsString([a])`, nil, false},
		// Item: Item([proxyAddresses], 1) is the first item.
		{"Item", `Item([proxyAddresses], 1)`, map[string]any{"proxyAddresses": []any{"SMTP:a@x", "smtp:b@x"}}, "SMTP:a@x"},
		{"Item/2", `Item([proxyAddresses], 2)`, map[string]any{"proxyAddresses": []any{"SMTP:a@x", "smtp:b@x"}}, "smtp:b@x"},
		{"Item/past end", `Item([proxyAddresses], 3)`, map[string]any{"proxyAddresses": []any{"SMTP:a@x"}}, nil},
		{"Item/single", `Item([mail], 1)`, map[string]any{"mail": "a"}, "a"},
		// Join: "Add a comma between last name and first name" (empty
		// values are left out); multi-valued values are joined item by item.
		{"Join", `Join(", ", "", [surname], [givenName])`, map[string]any{"givenName": "John", "surname": "Doe"}, "Doe, John"},
		{"Join/space", `Join(" ", [givenName], [surname])`, map[string]any{"givenName": "John", "surname": "Doe"}, "John Doe"},
		{"Join/null", `Join(" ", [givenName], [surname])`, map[string]any{"surname": "Doe"}, "Doe"},
		{"Join/multi", `Join(";", [proxyAddresses], "x")`, map[string]any{"proxyAddresses": []any{"a", "b"}}, "a;b;x"},
		{"Join/number", `Join("", 1000, "7")`, nil, "10007"},
		// Left: Left("John Doe", 3) returns "Joh"; the documented edge cases.
		{"Left", `Left("John Doe", 3)`, nil, "Joh"},
		{"Left/zero", `Left("John Doe", 0)`, nil, ""},
		{"Left/negative", `Left("John Doe", -1)`, nil, "John Doe"},
		{"Left/null", `Left([x], 3)`, nil, ""},
		{"Left/short", `Left("Jo", 3)`, nil, "Jo"},
		{"Left/runes", `Left("Zoë", 3)`, nil, "Zoë"},
		// Mid: "Generate user alias by concatenating parts of first and last name".
		{"Mid", `Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))`, map[string]any{"givenName": "John", "surname": "Doe"}, "JohDoe"},
		{"Mid/middle", `Mid("abcdef", 2, 3)`, nil, "bcd"},
		{"Mid/past end", `Mid("abc", 5, 3)`, nil, ""},
		{"Mid/null", `Mid([x], 1, 3)`, nil, nil},
		// NormalizeDiacritics: "Zoë" gives "Zoe"; rows of the table.
		{"NormalizeDiacritics", `NormalizeDiacritics([givenName])`, map[string]any{"givenName": "Zoë"}, "Zoe"},
		{"NormalizeDiacritics/table", `NormalizeDiacritics("Ærøskøbing Straße Łódź Ā́")`, nil, "AEroeskoebing Strasse Lodz A"},
		{"NormalizeDiacritics/combining", `NormalizeDiacritics("e̊̄ a̱")`, nil, "e a"},
		// Not: True gives False, anything else True.
		{"Not/true", `Not("True")`, nil, false},
		{"Not/false", `Not("False")`, nil, true},
		{"Not/bool", `Not(IsNull([x]))`, nil, false},
		// PCase: the three examples of the table.
		{"PCase", `PCase([firstName])`, map[string]any{"firstName": "PABLO GONSALVES (SECOND)"}, "Pablo Gonsalves (Second)"},
		{"PCase/separators", `PCase([lastName]," '-")`, map[string]any{"lastName": "PINTO-DE'SILVA"}, "Pinto-De'Silva"},
		{"PCase/Join", `PCase(Join(" ",[firstName],[lastName]))`, map[string]any{"firstName": "GREGORY", "lastName": "JAMES"}, "Gregory James"},
		{"PCase/custom only", `PCase("a-b c", " ")`, nil, "A-b C"},
		// Redact: the value itself.
		{"Redact", `Redact([userPrincipalName])`, map[string]any{"userPrincipalName": "u@x"}, "u@x"},
		// RemoveDuplicates.
		{"RemoveDuplicates", `RemoveDuplicates([proxyAddresses])`, map[string]any{"proxyAddresses": []any{"a", "b", "a", "A"}}, []any{"a", "b", "A"}},
		{"RemoveDuplicates/single", `RemoveDuplicates([mail])`, map[string]any{"mail": "a"}, "a"},
		// Replace: examples 1 to 6 and "Strip known domain name".
		{"Replace/1 oldValue", `Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )`, map[string]any{"BusinessTitle": "Product Developer"}, "Software Engineer"},
		{"Replace/2 template", `Replace([UserID],"<username>", , , , , "<username>@contoso.com")`, map[string]any{"UserID": "jsmith"}, "jsmith@contoso.com"},
		{"Replace/3 regex", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", , "${phoneNumber}", , )`, map[string]any{"telephoneNumber": "+91 9998887777"}, "9998887777"},
		// The doc shows 19998887777, but "+" is not in the pattern's class.
		{"Replace/3 collapse", `Replace([mobile], , "[()\\s-]+", , "", , )`, map[string]any{"mobile": "+1 (999) 888-7777"}, "+19998887777"},
		{"Replace/4 group", `Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )`, map[string]any{"AddressLineData": "545 Tremont Street"}, "888 Tremont Street"},
		{"Replace/4 suffix", `Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )`, map[string]any{"userPrincipalName": "jsmith@contoso.com"}, "jsmith"},
		{"Replace/5 attribute", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )`, map[string]any{"telephoneNumber": "", "mobile": "+91 8887779999"}, "8887779999"},
		{"Replace/5 source wins", `Replace([telephoneNumber], , "\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})", "phoneNumber" , , [mobile], )`, map[string]any{"telephoneNumber": "+1 555", "mobile": "+91 8887779999"}, "+1 555"},
		{"Replace/5 no match", `Replace([telephoneNumber], , "(?<d>\\d{10})", "d" , , [mobile], )`, map[string]any{"mobile": "none"}, nil},
		// .NET substitutions in replacementValue (the reference points to
		// .NET's "Substitutions in Regular Expressions").
		{"Replace/$2 $1", `Replace([n], , "(\\w+)\\s(\\w+)", , "$2 $1", , )`, map[string]any{"n": "one two"}, "two one"},
		{"Replace/$1abc is group 1 then abc", `Replace([n], , "(x)", , "$1abc", , )`, map[string]any{"n": "x"}, "xabc"},
		{"Replace/${1}0", `Replace([n], , "(x)", , "${1}0", , )`, map[string]any{"n": "x"}, "x0"},
		{"Replace/$$", `Replace([n], , "x", , "$$", , )`, map[string]any{"n": "axb"}, "a$b"},
		{"Replace/$&", `Replace([n], , "x+", , "[$&]", , )`, map[string]any{"n": "axxb"}, "a[xx]b"},
		{"Replace/before", "Replace([n], , \"b\", , \"$`\", , )", map[string]any{"n": "abc"}, "aac"},
		{"Replace/after", `Replace([n], , "b", , "$'", , )`, map[string]any{"n": "abc"}, "acc"},
		{"Replace/$_", `Replace([n], , "b", , "$_", , )`, map[string]any{"n": "abc"}, "aabcc"},
		{"Replace/$+ last group", `Replace([n], , "(a)(b)?", , "[$+]", , )`, map[string]any{"n": "ab"}, "[b]"},
		{"Replace/$+ unmatched", `Replace([n], , "(a)(b)?", , "[$+]", , )`, map[string]any{"n": "a"}, "[]"},
		{"Replace/no such group is text", `Replace([n], , "(x)", , "$3${nope}$z", , )`, map[string]any{"n": "x"}, "$3${nope}$z"},
		{"Replace/.NET numbers named groups last", `Replace([n], , "(?<first>a)(b)", , "$1-$2-${first}", , )`, map[string]any{"n": "ab"}, "b-a-a"},
		{"Replace/trailing $", `Replace([n], , "x", , "y$", , )`, map[string]any{"n": "x"}, "y$"},
		{"Replace/6 remove", `Replace([mailNickname], , "[a-zA-Z_]*", , "", , )`, map[string]any{"mailNickname": "john_doe72"}, "72"},
		{"Replace/strip domain", `Replace([mail], "@contoso.com", , ,"", ,)`, map[string]any{"mail": "john.doe@contoso.com"}, "john.doe"},
		{"Replace/null", `Replace([mail], "@contoso.com", , ,"", ,)`, nil, nil},
		{"Replace/pattern from attribute", `Replace("a1b2", , [p], , "", , )`, map[string]any{"p": "\\d"}, "ab"},
		// "Generate an ID for a user …": 1000 then the hex digits without letters.
		{"Replace/hex id", `Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))`, map[string]any{"objectId": "0a-"}, "100030612"},
		// SelectUniqueValue: the UPN example.
		{"SelectUniqueValue/first", selectUPN, map[string]any{"PreferredFirstName": "John", "PreferredLastName": "Smith"}, "John.Smith@contoso.com"},
		{"SelectUniqueValue/second", selectUPN, map[string]any{"PreferredFirstName": "John", "PreferredLastName": "Smith", "taken:John.Smith@contoso.com": true}, "J.Smith@contoso.com"},
		{"SelectUniqueValue/third", selectUPN, map[string]any{"PreferredFirstName": "John", "PreferredLastName": "Smith", "taken:John.Smith@contoso.com": true, "taken:J.Smith@contoso.com": true}, "Jo.Smith@contoso.com"},
		// SingleAppRoleAssignment.
		{"SingleAppRoleAssignment", `SingleAppRoleAssignment([appRoleAssignments])`, map[string]any{"appRoleAssignments": []any{"Admin"}}, "Admin"},
		{"SingleAppRoleAssignment/none", `SingleAppRoleAssignment([appRoleAssignments])`, map[string]any{"appRoleAssignments": []any{}}, nil},
		// Split: "Split a string into a multi-valued array".
		{"Split", `Split([extensionAttribute5], ",")`, map[string]any{"extensionAttribute5": "PermissionSetOne, PermissionSetTwo"}, []any{"PermissionSetOne", "PermissionSetTwo"}},
		{"Split/null", `Split([extensionAttribute5], ",")`, nil, nil},
		// StripSpaces.
		{"StripSpaces", `StripSpaces(" a b  c ")`, nil, "abc"},
		// Switch: "Replace a value based on predefined set of options" and the notes.
		{"Switch", `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")`, map[string]any{"state": "QLD"}, "Australia/Brisbane"},
		{"Switch/default", `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane")`, map[string]any{"state": "WA"}, "Australia/Sydney"},
		{"Switch/case-sensitive", `Switch([s], "d", "qld", "x")`, map[string]any{"s": "QLD"}, "d"},
		{"Switch/ToLower", `Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")`, map[string]any{"statusFlag": "TRUE"}, "1"},
		{"Switch/empty key", `Switch([statusFlag], "Default Value", "true", "1", "", "0")`, map[string]any{"statusFlag": ""}, "0"},
		{"Switch/null matches empty", `Switch([country],[country],"","Other")`, nil, "Other"},
		{"Switch/omitted default", `Switch([Active], , "1", "True", "0", "False")`, map[string]any{"Active": "7"}, nil},
		// ToLower, ToUpper: "Convert generated userPrincipalName (UPN) value to lower case".
		{"ToLower", `ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))`, map[string]any{"PreferredFirstName": "John", "PreferredLastName": "Smith"}, "john.smith@contoso.com"},
		{"ToLower/Turkish", `ToLower("TITLE", "tr-TR")`, nil, "tıtle"},
		{"ToUpper", `ToUpper([jobTitle])`, map[string]any{"jobTitle": "Engineer"}, "ENGINEER"},
		{"ToUpper/culture", `ToUpper("istanbul", "en-US")`, nil, "ISTANBUL"},
		{"ToUpper/Turkish", `ToUpper("istanbul", "tr-TR")`, nil, "İSTANBUL"},
		// Word: the two examples and the documented edge cases.
		{"Word", `Word("The quick brown fox",3," ")`, nil, "brown"},
		{"Word/separators", `Word("This,string!has&many separators",3,",!&#")`, nil, "has"},
		{"Word/zero", `Word("a b",0," ")`, nil, ""},
		{"Word/past end", `Word("a b",3," ")`, nil, ""},
		{"Word/null", `Word([x],1," ")`, nil, ""},
		// Plain values.
		{"attribute", `[mail]`, map[string]any{"mail": "a@b"}, "a@b"},
		{"attribute/multi", `[proxyAddresses]`, map[string]any{"proxyAddresses": []any{"a", "b"}}, []any{"a", "b"}},
		{"string escapes", `"Company name: \"Contoso\" \\ ok"`, nil, `Company name: "Contoso" \ ok`},
		{"number", `-10`, nil, int64(-10)},
		{"bool", `False`, nil, false},
	}
	runEvalTests(t, tests)
}

// evalTest is one expression evaluated against attribute values.
type evalTest struct {
	name  string
	src   string
	attrs map[string]any
	want  any
}

func runEvalTests(t *testing.T, tests []evalTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			got, err := e.Eval(attrs(tt.attrs))
			if err != nil {
				t.Fatalf("Eval(%q): %v", tt.src, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Eval(%q) (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

const selectUPN = `SelectUniqueValue( 
        Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"), 
        Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
        Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com")
    )`

func TestEvalErrors(t *testing.T) {
	tests := []struct {
		src   string
		attrs map[string]any
		env   *Env
		want  Error
	}{
		{`Mid("abc", 0, 1)`, nil, nil, Error{Col: 1, Msg: "Mid: start must be at least 1 (the first character), got 0"}},
		{`Join(" ", Mid("abc", 1, -1))`, nil, nil, Error{Col: 11, Msg: "Mid: length must not be negative, got -1"}},
		{`Item([a], 0)`, nil, nil, Error{Col: 1, Msg: "Item: index must be at least 1 (the first item), got 0"}},
		{`ToUpper([a])`, map[string]any{"a": []any{"x", "y"}}, nil, Error{Col: 1, Msg: "ToUpper: source: want a single value, got a multi-valued one with 2 values"}},
		{`Left("abc", "x")`, nil, nil, Error{Col: 1, Msg: `Left: numChars: want a number, got "x"`}},
		{`CBool("maybe")`, nil, nil, Error{Col: 1, Msg: `CBool: cannot convert "maybe" to a boolean`}},
		{`InStr("a", "b", 1, "x")`, nil, nil, Error{Col: 1, Msg: "InStr: compareType: want vbBinaryCompare or vbTextCompare, got x"}},
		{`RandomString(2,3,0,0,0)`, nil, nil, Error{Col: 1, Msg: "RandomString: length 2 is less than the minimum counts together (3)"}},
		{`SelectUniqueValue("a", "b")`, map[string]any{"taken:a": true, "taken:b": true}, nil, Error{Col: 1, Msg: "SelectUniqueValue: every rule's value is already taken in the target (Entra escrows the entry)"}},
		{`Replace("a", , [p], , "", , )`, map[string]any{"p": "(?=x)"}, nil, Error{Col: 1, Msg: "Replace: regexPattern: error parsing regexp: invalid or unsupported Perl syntax: `(?=` (xtsync uses Go's RE2 syntax: no look-arounds or back-references)"}},
		{`Join(" ", AppRoleAssignmentsComplex([appRoleAssignments]))`, nil, nil, Error{Col: 11, Msg: "AppRoleAssignmentsComplex: cannot be evaluated offline: it needs Microsoft Entra (use Graph's parseExpression)"}},
		{`AltSecIdFromNetId([netId])`, nil, nil, Error{Col: 1, Msg: "AltSecIdFromNetId: cannot be evaluated offline: it needs Microsoft Entra (use Graph's parseExpression)"}},
		// IIF, known limitations: a null or empty attribute in the
		// condition fails the condition check (the documented forms).
		{`IIF([country]="USA","yes","no")`, nil, nil, Error{Col: 1, Msg: "IIF: the condition reads [country], which is null or empty for this user: the condition check fails (use Switch to test for empty values)"}},
		{`IIF([country]="", "Other", [country])`, map[string]any{"country": ""}, nil, Error{Col: 1, Msg: "IIF: the condition reads [country], which is null or empty for this user: the condition check fails (use Switch to test for empty values)"}},
		{`IIF(IsNullOrEmpty([country]), "Other", [country])`, nil, nil, Error{Col: 1, Msg: "IIF: the condition reads [country], which is null or empty for this user: the condition check fails (use Switch to test for empty values)"}},
		{`Join(" ", IIF(IsPresent([country]), [country], "Other"))`, nil, nil, Error{Col: 11, Msg: "IIF: the condition reads [country], which is null or empty for this user: the condition check fails (use Switch to test for empty values)"}},
		{`Guid()`, nil, &Env{}, Error{Col: 1, Msg: "Guid: no GUID source in this evaluation"}},
		{`Now()`, nil, &Env{}, Error{Col: 1, Msg: "Now: no clock in this evaluation"}},
		{`RandomString(6,3,0,0,3)`, nil, &Env{}, Error{Col: 1, Msg: "RandomString: no random source in this evaluation"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			env := attrs(tt.attrs)
			if tt.env != nil {
				env = *tt.env
			}
			v, err := e.Eval(env)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Eval = %#v, %v; want *Error", v, err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvalNilEnv(t *testing.T) {
	e, err := Parse(`Coalesce([a], "d")`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Eval(Env{})
	if err != nil || got != "d" {
		t.Errorf(`Eval(Env{}) = %#v, %v; want "d"`, got, err)
	}
}

func BenchmarkEval(b *testing.B) {
	srcs := map[string]string{
		"Join":    `Join(" ", [givenName], [surname])`,
		"IIF":     `IIF([country]="USA", [country], [department])`,
		"ToUpper": `ToUpper([jobTitle])`,
		"Switch":  `Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney", "QLD", "Australia/Brisbane")`,
		"Replace": `Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )`,
	}
	user := map[string]any{"givenName": "John", "surname": "Doe", "country": "USA", "department": "Sales",
		"jobTitle": "Engineer", "state": "QLD", "userPrincipalName": "jsmith@contoso.com"}
	env := &Env{Attr: func(name string) any { return user[name] }}
	for name, src := range srcs {
		e, err := Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.EvalEnv(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(selectUPN); err != nil {
			b.Fatal(err)
		}
	}
}

// An Expr is immutable once parsed: goroutines may share it (run with -race).
func TestConcurrentEval(t *testing.T) {
	e, err := Parse(`Join(" ", Replace([upn], , "(?<Suffix>@(.)*)", "Suffix", "", , ), FormatDateTime([d], , "yyyy-MM-dd", "dd.MM.yyyy"))`)
	if err != nil {
		t.Fatal(err)
	}
	env := attrs(map[string]any{"upn": "jsmith@contoso.com", "d": "2021-08-24"})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				v, err := e.EvalEnv(&env)
				if err != nil || v != "jsmith 24.08.2021" {
					t.Errorf("Eval = %#v, %v", v, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
