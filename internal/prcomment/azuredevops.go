package prcomment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// AzureDevOps is the conversation of an Azure Repos pull request: its
// threads, each comment being the first comment of a thread of its own.
type AzureDevOps struct {
	hc    *http.Client
	base  string // …/{project}/_apis/git/repositories/{repo}/pullRequests/{id}/threads
	token string
}

const adoAPIVersion = "7.1"

// NewAzureDevOps returns the conversation of pull request number of the
// repository repoID in project, at the collection URL collection
// ("https://dev.azure.com/ORG/"), authenticated with token (the pipeline's
// System.AccessToken).
func NewAzureDevOps(hc *http.Client, collection, project, repoID string, number int, token string) (*AzureDevOps, error) {
	if collection == "" || project == "" || repoID == "" {
		return nil, fmt.Errorf("azure devops: the collection URL, project and repository id are all needed")
	}
	if number <= 0 {
		return nil, fmt.Errorf("pull request number %d: want 1 or more", number)
	}
	if _, err := url.Parse(collection); err != nil {
		return nil, fmt.Errorf("collection URL %q: %w", collection, err)
	}
	base := strings.TrimSuffix(collection, "/") + "/" + url.PathEscape(project) +
		"/_apis/git/repositories/" + url.PathEscape(repoID) + "/pullRequests/" + strconv.Itoa(number) + "/threads"
	return &AzureDevOps{hc: hc, base: base, token: token}, nil
}

type adoComment struct {
	ID              int    `json:"id,omitempty"`
	ParentCommentID int    `json:"parentCommentId"`
	Content         string `json:"content"`
	CommentType     int    `json:"commentType,omitempty"`
	IsDeleted       bool   `json:"isDeleted,omitempty"`
}

type adoThread struct {
	ID        int          `json:"id,omitempty"`
	Comments  []adoComment `json:"comments"`
	Status    int          `json:"status,omitempty"`
	IsDeleted bool         `json:"isDeleted,omitempty"`
}

// List returns the first comment of every thread; a comment's id is
// "THREAD/COMMENT".
func (a *AzureDevOps) List(ctx context.Context) ([]Comment, error) {
	var page struct {
		Value []adoThread `json:"value"`
	}
	if err := a.do(ctx, http.MethodGet, a.base, nil, &page); err != nil {
		return nil, err
	}
	var out []Comment
	for _, t := range page.Value {
		if t.IsDeleted || len(t.Comments) == 0 || t.Comments[0].IsDeleted {
			continue
		}
		c := t.Comments[0]
		out = append(out, Comment{ID: fmt.Sprintf("%d/%d", t.ID, c.ID), Body: c.Content})
	}
	return out, nil
}

// Create opens a thread (active) with body as its comment.
func (a *AzureDevOps) Create(ctx context.Context, body string) error {
	t := adoThread{Comments: []adoComment{{ParentCommentID: 0, Content: body, CommentType: 1}}, Status: 1}
	return a.do(ctx, http.MethodPost, a.base, t, nil)
}

// Update replaces the content of comment id ("THREAD/COMMENT").
func (a *AzureDevOps) Update(ctx context.Context, id, body string) error {
	u, err := a.commentURL(id)
	if err != nil {
		return err
	}
	return a.do(ctx, http.MethodPatch, u, map[string]string{"content": body}, nil)
}

// Delete removes comment id ("THREAD/COMMENT").
func (a *AzureDevOps) Delete(ctx context.Context, id string) error {
	u, err := a.commentURL(id)
	if err != nil {
		return err
	}
	return a.do(ctx, http.MethodDelete, u, nil, nil)
}

func (a *AzureDevOps) commentURL(id string) (string, error) {
	thread, comment, ok := strings.Cut(id, "/")
	if _, err := strconv.Atoi(thread); !ok || err != nil {
		return "", fmt.Errorf("comment id %q: want THREAD/COMMENT", id)
	}
	if _, err := strconv.Atoi(comment); err != nil {
		return "", fmt.Errorf("comment id %q: want THREAD/COMMENT", id)
	}
	return a.base + "/" + thread + "/comments/" + comment, nil
}

func (a *AzureDevOps) do(ctx context.Context, method, u string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u+"?api-version="+adoAPIVersion, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, e.Message)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode the answer: %w", method, u, err)
		}
	}
	return nil
}
