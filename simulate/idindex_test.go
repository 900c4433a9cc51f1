package simulate

import (
	"strconv"
	"testing"
)

func TestIDIndex(t *testing.T) {
	var users []User
	for i := range 5000 {
		users = append(users, User{ID: "id-" + strconv.Itoa(i)})
	}
	x := newIDIndex(10) // grows
	for i := range users {
		if j, ok := x.add(users, int32(i)); !ok || j != int32(i) {
			t.Fatalf("add(%d) = %d, %v", i, j, ok)
		}
	}
	users = append(users, User{ID: "id-17"})
	if j, ok := x.add(users, int32(len(users)-1)); ok || j != 17 {
		t.Errorf("add of a duplicate = %d, %v; want 17, false", j, ok)
	}
	users = users[:len(users)-1]
	for i, u := range users {
		if j, ok := x.get(users, u.ID); !ok || j != int32(i) {
			t.Fatalf("get(%q) = %d, %v", u.ID, j, ok)
		}
		if j, ok := x.getBytes(users, []byte(u.ID)); !ok || j != int32(i) {
			t.Fatalf("getBytes(%q) = %d, %v", u.ID, j, ok)
		}
	}
	for _, id := range []string{"", "id-5000", "id-", "x"} {
		if j, ok := x.get(users, id); ok {
			t.Errorf("get(%q) = %d, found", id, j)
		}
	}
	var nilIndex *idIndex
	if _, ok := nilIndex.get(users, "id-1"); ok {
		t.Error("a nil index finds a user")
	}

	// valid tells whether the users are still those indexed.
	x.seal(users)
	if !x.valid(users) {
		t.Fatal("not valid for its own users")
	}
	same := append([]User(nil), users...)
	if !x.valid(same) {
		t.Error("not valid for a copy of its users")
	}
	changed := append([]User(nil), users...)
	changed[3].ID = "id-" + strconv.Itoa(3)
	swapped := append([]User(nil), users...)
	swapped[3], swapped[4] = swapped[4], swapped[3]
	for name, u := range map[string][]User{"a new id string": changed, "two users swapped": swapped, "a user fewer": users[1:]} {
		if x.valid(u) {
			t.Errorf("valid after %s", name)
		}
	}

	// Built from users, the last of several with one id counts, as in a map.
	dup := []User{{ID: "a"}, {ID: "b"}, {ID: "a"}}
	if j, _ := buildIDIndex(dup).get(dup, "a"); j != 2 {
		t.Errorf("buildIDIndex: %q is user %d, want 2", "a", j)
	}
}
