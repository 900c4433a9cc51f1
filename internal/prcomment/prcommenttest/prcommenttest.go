// Package prcommenttest serves, on loopback, the few REST endpoints of
// GitHub's issue comments and Azure DevOps' pull-request threads that
// xtsync comment uses, keeping the comments in memory, so that tests can
// post through the real clients and read what a pull request would show.
package prcommenttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Server is a fake code host holding one repository's pull-request
// conversations.
type Server struct {
	*httptest.Server
	Token string // the bearer token every request must carry
	// PageSize is how many comments GitHub's list answers per page (at most
	// the per_page asked for), so that pagination is exercised.
	PageSize int

	mu       sync.Mutex
	next     int
	comments map[int][]*Comment // by pull request number
	Requests []string           // "METHOD PATH" of every request, in order
}

// Comment is one stored comment.
type Comment struct {
	ID     int
	Thread int // Azure DevOps' thread id
	Body   string
}

func newServer(token string) *Server {
	return &Server{Token: token, PageSize: 100, comments: map[int][]*Comment{}, next: 1000}
}

// Comments returns the bodies of pull request pr's comments, oldest first.
func (s *Server) Comments(pr int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.comments[pr] {
		out = append(out, c.Body)
	}
	return out
}

// Add stores a comment written by someone else.
func (s *Server) Add(pr int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.comments[pr] = append(s.comments[pr], &Comment{ID: s.next, Thread: s.next, Body: body})
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request, scheme string) bool {
	s.mu.Lock()
	s.Requests = append(s.Requests, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	if r.Header.Get("Authorization") != scheme+" "+s.Token {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return false
	}
	return true
}

// NewGitHub starts a fake GitHub REST API for the repository owner/repo:
// GET and POST /repos/{owner}/{repo}/issues/{n}/comments, PATCH and DELETE
// /repos/{owner}/{repo}/issues/comments/{id}.
func NewGitHub(repository, token string) *Server {
	s := newServer(token)
	prefix := "/repos/" + repository + "/issues/"
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r, "Bearer") {
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if id, ok := strings.CutPrefix(rest, "comments/"); ok {
			n, _ := strconv.Atoi(id)
			pr, i := s.find(n)
			if i < 0 {
				http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
				return
			}
			switch r.Method {
			case http.MethodPatch:
				var in struct {
					Body string `json:"body"`
				}
				if json.NewDecoder(r.Body).Decode(&in) != nil {
					http.Error(w, `{"message":"Problems parsing JSON"}`, http.StatusBadRequest)
					return
				}
				s.comments[pr][i].Body = in.Body
				writeJSON(w, http.StatusOK, githubComment(s.comments[pr][i]))
			case http.MethodDelete:
				s.comments[pr] = append(s.comments[pr][:i], s.comments[pr][i+1:]...)
				w.WriteHeader(http.StatusNoContent)
			default:
				w.WriteHeader(http.StatusMethodNotAllowed)
			}
			return
		}
		num, tail, _ := strings.Cut(rest, "/")
		pr, err := strconv.Atoi(num)
		if err != nil || tail != "comments" {
			http.NotFound(w, r)
			return
		}
		switch r.Method {
		case http.MethodGet:
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if page < 1 {
				page = 1
			}
			size := s.PageSize
			if pp, _ := strconv.Atoi(r.URL.Query().Get("per_page")); pp > 0 && pp < size {
				size = pp
			}
			all := s.comments[pr]
			lo, hi := min((page-1)*size, len(all)), min(page*size, len(all))
			if hi < len(all) {
				w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=%d&per_page=%d>; rel="next"`, s.URL, r.URL.Path, page+1, size))
			}
			out := []map[string]any{}
			for _, c := range all[lo:hi] {
				out = append(out, githubComment(c))
			}
			writeJSON(w, http.StatusOK, out)
		case http.MethodPost:
			var in struct {
				Body string `json:"body"`
			}
			if json.NewDecoder(r.Body).Decode(&in) != nil || in.Body == "" {
				http.Error(w, `{"message":"Validation Failed"}`, http.StatusUnprocessableEntity)
				return
			}
			if len(in.Body) > 65536 {
				http.Error(w, `{"message":"Validation Failed","errors":[{"message":"Body is too long (maximum is 65536 characters)"}]}`, http.StatusUnprocessableEntity)
				return
			}
			s.next++
			c := &Comment{ID: s.next, Thread: s.next, Body: in.Body}
			s.comments[pr] = append(s.comments[pr], c)
			writeJSON(w, http.StatusCreated, githubComment(c))
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	}))
	return s
}

func githubComment(c *Comment) map[string]any {
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"login": "github-actions[bot]", "type": "Bot"}}
}

// find returns the pull request and index of comment id (-1 when none);
// s.mu is held.
func (s *Server) find(id int) (int, int) {
	prs := make([]int, 0, len(s.comments))
	for pr := range s.comments {
		prs = append(prs, pr)
	}
	sort.Ints(prs)
	for _, pr := range prs {
		for i, c := range s.comments[pr] {
			if c.ID == id {
				return pr, i
			}
		}
	}
	return 0, -1
}

// NewAzureDevOps starts a fake Azure DevOps REST API for the repository
// repoID of project: GET and POST …/pullRequests/{n}/threads, PATCH and
// DELETE …/threads/{t}/comments/{c}. Its collection URL is URL + "/org/".
func NewAzureDevOps(project, repoID, token string) *Server {
	s := newServer(token)
	prefix := "/org/" + project + "/_apis/git/repositories/" + repoID + "/pullRequests/"
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r, "Bearer") {
			return
		}
		if r.URL.Query().Get("api-version") == "" {
			http.Error(w, `{"message":"No api-version was supplied"}`, http.StatusBadRequest)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		parts := strings.Split(rest, "/")
		pr, err := strconv.Atoi(parts[0])
		if err != nil || len(parts) < 2 || parts[1] != "threads" {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case len(parts) == 2 && r.Method == http.MethodGet:
			out := []map[string]any{}
			for _, c := range s.comments[pr] {
				out = append(out, map[string]any{"id": c.Thread, "comments": []map[string]any{{"id": c.ID, "parentCommentId": 0, "content": c.Body}}})
			}
			writeJSON(w, http.StatusOK, map[string]any{"value": out, "count": len(out)})
		case len(parts) == 2 && r.Method == http.MethodPost:
			var in struct {
				Comments []struct {
					Content string `json:"content"`
				} `json:"comments"`
			}
			if json.NewDecoder(r.Body).Decode(&in) != nil || len(in.Comments) != 1 {
				http.Error(w, `{"message":"bad thread"}`, http.StatusBadRequest)
				return
			}
			s.next++
			s.comments[pr] = append(s.comments[pr], &Comment{ID: 1, Thread: s.next, Body: in.Comments[0].Content})
			writeJSON(w, http.StatusOK, map[string]any{"id": s.next})
		case len(parts) == 5 && parts[3] == "comments":
			thread, _ := strconv.Atoi(parts[2])
			i := -1
			for j, c := range s.comments[pr] {
				if c.Thread == thread && strconv.Itoa(c.ID) == parts[4] {
					i = j
				}
			}
			if i < 0 {
				http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
				return
			}
			switch r.Method {
			case http.MethodPatch:
				var in struct {
					Content string `json:"content"`
				}
				if json.NewDecoder(r.Body).Decode(&in) != nil {
					http.Error(w, `{"message":"bad comment"}`, http.StatusBadRequest)
					return
				}
				s.comments[pr][i].Body = in.Content
				writeJSON(w, http.StatusOK, map[string]any{"id": 1, "content": in.Content})
			case http.MethodDelete:
				s.comments[pr] = append(s.comments[pr][:i], s.comments[pr][i+1:]...)
				w.WriteHeader(http.StatusOK)
			default:
				w.WriteHeader(http.StatusMethodNotAllowed)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	return s
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
