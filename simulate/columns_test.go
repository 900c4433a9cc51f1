package simulate

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestColumnForms: every form a column takes (dictionary of strings and
// booleans, distinct strings, any values) and every change between them
// reads back as the map form does: values, empty strings, absent values.
func TestColumnForms(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"formatVersion": 1, "users": [`)
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"id": "u%d", "userPrincipalName": "user%d@contoso.eu"`, i, i)
		fmt.Fprintf(&b, `, "department": %q`, []string{"Sales", "IT", ""}[i%3]) // dictionary, with ""
		fmt.Fprintf(&b, `, "employeeId": "%06d"`, i)                            // distinct strings from the start
		if i%5 == 0 {
			b.WriteString(`, "mobilePhone": ""`) // a present empty string among distinct strings
		} else if i%5 != 4 {
			fmt.Fprintf(&b, `, "mobilePhone": "+1 555 %04d"`, i) // a dictionary that overflows into strings
		}
		fmt.Fprintf(&b, `, "showInAddressList": %v`, i%7 != 0) // booleans
		fmt.Fprintf(&b, `, "mailNickname": "user%d"`, i)       // a prefix of the UPN
		fmt.Fprintf(&b, `, "officeLocation": "B%d"`, i%100)    // a dictionary
		fmt.Fprintf(&b, `, "grows": "%d"`, i)                  // a dictionary that overflows into strings
		if i == 2500 {
			b.WriteString(`, "employeeId": 7, "department": 3, "grows": true`) // later values of another kind
		}
		if i < 1000 && i%2 == 0 {
			b.WriteString(`, "flag": true`)
		} else if i >= 1000 {
			fmt.Fprintf(&b, `, "flag": "f%d"`, i) // booleans, then strings: overflows into any values
		}
		b.WriteString(`, "manager": "u0"}`) // a user's id
	}
	b.WriteString("]}")
	data := []byte(b.String())
	maps, err := DecodeSnapshot(data, "s.json")
	if err != nil {
		t.Fatal(err)
	}
	col, err := decodeSnapshot(data, "s.json", ReadOptions{Columnar: true})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for k, c := range col.cols.cols {
		switch {
		case c.dict != nil:
			kinds[col.cols.names[k]] = "dict"
		case c.strs != nil:
			kinds[col.cols.names[k]] = "strings"
		default:
			kinds[col.cols.names[k]] = "any"
		}
	}
	want := map[string]string{"department": "any", "employeeId": "any", "mobilePhone": "strings", "showInAddressList": "dict",
		"mailNickname": "strings", "officeLocation": "dict", "grows": "any", "flag": "any", "manager": "dict"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("column forms (-want +got):\n%s", diff)
	}
	for i := range maps.Users {
		for _, name := range col.cols.names {
			if w, g := maps.Users[i].Attributes[name], col.Attr(i, name); !cmp.Equal(w, g) {
				t.Fatalf("user %d %s: columnar %#v, maps %#v", i, name, g, w)
			}
			if g := col.attrGetter(name); g != nil && !cmp.Equal(maps.Users[i].Attributes[name], g(int32(i))) {
				t.Fatalf("user %d %s: getter %#v", i, name, g(int32(i)))
			}
		}
	}
	var a, c bytes.Buffer
	if err := WriteSnapshot(&a, maps); err != nil {
		t.Fatal(err)
	}
	if err := WriteSnapshot(&c, col); err != nil {
		t.Fatal(err)
	}
	if a.String() != c.String() {
		t.Error("the columnar snapshot writes differently from the map one")
	}
}
