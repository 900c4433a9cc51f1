package prcomment_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xtsync/xtsync/internal/prcomment"
	"github.com/xtsync/xtsync/internal/prcomment/prcommenttest"
)

func TestSplit(t *testing.T) {
	long := strings.Repeat("x", 3000) + "\n"
	fenced := "intro\n```mermaid\n" + strings.Repeat("a --> b\n", 400) + "```\ntail\n"
	tests := []struct {
		name  string
		body  string
		limit int
		parts int
	}{
		{"short", "## plan\nnothing\n", 65536, 1},
		{"empty", "", 65536, 1},
		{"many lines", strings.Repeat("| a | b |\n", 1000), 2048, 6},
		{"a line longer than a part", long, 1024, 4},
		{"a fence cut in two", fenced, 1024, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := prcomment.Split("xtsync-plan", tt.body, tt.limit)
			if len(parts) != tt.parts {
				t.Errorf("%d parts, want %d", len(parts), tt.parts)
			}
			var joined strings.Builder
			for i, p := range parts {
				if len(p) > tt.limit {
					t.Errorf("part %d: %d bytes, over the limit %d", i+1, len(p), tt.limit)
				}
				head, rest, _ := strings.Cut(p, "\n")
				want := "<!-- xtsync:comment xtsync-plan -->"
				if i > 0 {
					want = "<!-- xtsync:comment xtsync-plan part " + itoa(i+1) + " -->"
					_, rest, _ = strings.Cut(rest, "\n\n") // "(continued: part i of n)"
				}
				if head != want {
					t.Errorf("part %d starts %q, want %q", i+1, head, want)
				}
				if strings.Count(p, "```")%2 != 0 {
					t.Errorf("part %d leaves a code fence open:\n%s", i+1, p)
				}
				joined.WriteString(rest)
			}
			got := joined.String()
			if tt.name == "a fence cut in two" {
				// The cut added a closing and an opening fence line per cut.
				got = strings.ReplaceAll(got, "\n```\n```mermaid\n", "")
				got = strings.ReplaceAll(got, "```\n```mermaid\n", "")
			}
			if tt.name == "a line longer than a part" {
				got = strings.ReplaceAll(got, "\n", "") + "\n"
			}
			if got != tt.body && !(tt.body == "" && got == "") {
				t.Errorf("the parts do not add up to the body: %s", cmp.Diff(tt.body, got))
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// post posts body through the real client to the fake host and returns its
// comments afterwards.
type host struct {
	name   string
	srv    *prcommenttest.Server
	thread prcomment.Thread
}

func hosts(t *testing.T) []host {
	gh := prcommenttest.NewGitHub("org/identity", "gh-token")
	gh.PageSize = 2 // three pages for five comments: pagination is followed
	t.Cleanup(gh.Close)
	g, err := prcomment.NewGitHub(http.DefaultClient, gh.URL, "org/identity", 7, "gh-token")
	if err != nil {
		t.Fatal(err)
	}
	ado := prcommenttest.NewAzureDevOps("identity", "repo-1", "ado-token")
	t.Cleanup(ado.Close)
	a, err := prcomment.NewAzureDevOps(http.DefaultClient, ado.URL+"/org/", "identity", "repo-1", 7, "ado-token")
	if err != nil {
		t.Fatal(err)
	}
	return []host{{"github", gh, g}, {"azure-devops", ado, a}}
}

func TestPostUpdatesInPlace(t *testing.T) {
	ctx := context.Background()
	for _, h := range hosts(t) {
		t.Run(h.name, func(t *testing.T) {
			h.srv.Add(7, "LGTM")
			h.srv.Add(7, "<!-- xtsync:comment other -->\nanother report")
			h.srv.Add(8, "<!-- xtsync:comment xtsync-plan -->\nanother pull request")
			steps := []struct {
				body  string
				limit int
				want  prcomment.Result
				parts int
			}{
				{"## plan 1\n", 65536, prcomment.Result{Created: 1}, 1},
				{"## plan 1\n", 65536, prcomment.Result{Unchanged: 1}, 1},
				{"## plan 2\n", 65536, prcomment.Result{Updated: 1}, 1},
				{strings.Repeat("| user | change |\n", 300), 2048, prcomment.Result{Updated: 1, Created: 2}, 3},
				{"## plan 3\n", 65536, prcomment.Result{Updated: 1, Deleted: 2}, 1},
			}
			for i, s := range steps {
				got, err := prcomment.Post(ctx, h.thread, "xtsync-plan", s.body, s.limit)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("step %d: (-want +got)\n%s", i, diff)
				}
				var ours []string
				for _, c := range h.srv.Comments(7) {
					if strings.HasPrefix(c, "<!-- xtsync:comment xtsync-plan") {
						ours = append(ours, c)
					}
				}
				if len(ours) != s.parts {
					t.Errorf("step %d: %d plan comments, want %d", i, len(ours), s.parts)
				}
			}
			want := []string{"LGTM", "<!-- xtsync:comment other -->\nanother report", "<!-- xtsync:comment xtsync-plan -->\n## plan 3\n"}
			if diff := cmp.Diff(want, h.srv.Comments(7)); diff != "" {
				t.Errorf("comments of the pull request (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff([]string{"<!-- xtsync:comment xtsync-plan -->\nanother pull request"}, h.srv.Comments(8)); diff != "" {
				t.Errorf("another pull request's comments were touched (-want +got)\n%s", diff)
			}
		})
	}
}

func TestPostRemovesDuplicates(t *testing.T) {
	for _, h := range hosts(t) {
		t.Run(h.name, func(t *testing.T) {
			// Two runs raced and both created the comment.
			h.srv.Add(7, "<!-- xtsync:comment xtsync-plan -->\nold")
			h.srv.Add(7, "<!-- xtsync:comment xtsync-plan -->\nold")
			got, err := prcomment.Post(context.Background(), h.thread, "xtsync-plan", "new\n", 65536)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(prcomment.Result{Updated: 1, Deleted: 1}, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if diff := cmp.Diff([]string{"<!-- xtsync:comment xtsync-plan -->\nnew\n"}, h.srv.Comments(7)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestPostErrors(t *testing.T) {
	for _, h := range hosts(t) {
		t.Run(h.name, func(t *testing.T) {
			h.srv.Token = "rotated"
			_, err := prcomment.Post(context.Background(), h.thread, "xtsync-plan", "x\n", 65536)
			if err == nil || !strings.Contains(err.Error(), "401") {
				t.Fatalf("err = %v, want the 401 named", err)
			}
			for _, tok := range []string{"gh-token", "ado-token"} {
				if strings.Contains(err.Error(), tok) {
					t.Errorf("the error shows the token: %v", err)
				}
			}
		})
	}
	if _, err := prcomment.Post(context.Background(), nil, "no spaces allowed", "x", 0); err == nil {
		t.Error("a marker with spaces was accepted")
	}
}
