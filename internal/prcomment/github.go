package prcomment

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-github/v75/github"
)

// GitHub is the conversation of a GitHub pull request: its issue comments.
type GitHub struct {
	client      *github.Client
	owner, repo string
	number      int
}

// NewGitHub returns the conversation of pull request number of
// owner/repo at the REST API apiURL ("https://api.github.com", or a GitHub
// Enterprise Server's "https://HOST/api/v3"), authenticated with token.
func NewGitHub(hc *http.Client, apiURL, repository string, number int, token string) (*GitHub, error) {
	owner, repo, ok := strings.Cut(repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("repository %q: want OWNER/NAME", repository)
	}
	if number <= 0 {
		return nil, fmt.Errorf("pull request number %d: want 1 or more", number)
	}
	base, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
	if err != nil {
		return nil, fmt.Errorf("GitHub API URL %q: %w", apiURL, err)
	}
	c := github.NewClient(hc).WithAuthToken(token)
	c.BaseURL = base
	return &GitHub{client: c, owner: owner, repo: repo, number: number}, nil
}

// List returns every comment of the pull request's conversation.
func (g *GitHub) List(ctx context.Context) ([]Comment, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	var out []Comment
	for {
		cs, resp, err := g.client.Issues.ListComments(ctx, g.owner, g.repo, g.number, opts)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out = append(out, Comment{ID: strconv.FormatInt(c.GetID(), 10), Body: c.GetBody()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Create adds a comment.
func (g *GitHub) Create(ctx context.Context, body string) error {
	_, _, err := g.client.Issues.CreateComment(ctx, g.owner, g.repo, g.number, &github.IssueComment{Body: &body})
	return err
}

// Update replaces the body of comment id.
func (g *GitHub) Update(ctx context.Context, id, body string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("comment id %q: %w", id, err)
	}
	_, _, err = g.client.Issues.EditComment(ctx, g.owner, g.repo, n, &github.IssueComment{Body: &body})
	return err
}

// Delete removes comment id.
func (g *GitHub) Delete(ctx context.Context, id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fmt.Errorf("comment id %q: %w", id, err)
	}
	_, err = g.client.Issues.DeleteComment(ctx, g.owner, g.repo, n)
	return err
}
