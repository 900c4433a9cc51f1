package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/internal/prcomment"
	"github.com/xtsync/xtsync/reconcile/graph"
)

func commentCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "comment",
		Usage:     "post a report as one pull-request comment, updated in place (GitHub, Azure DevOps)",
		UsageText: "xtsync comment --marker NAME [--provider auto|github|azure-devops] [--pr N] FILE|-",
		Description: `Posts FILE (or standard input) as a comment on the pull request the CI job
runs for, marked with NAME in an HTML comment: the next run finds the comment
with that marker and updates it in place, so a pull request has one plan
comment however often it is pushed, never a pile of them. A report longer
than GitHub's 65,536-character limit is split into numbered parts (code
blocks closed and reopened at a cut); parts a shorter report no longer needs
are deleted. Comments without the marker are never touched.

Where it posts comes from the CI environment:
  github        GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL and the pull
                request of GITHUB_EVENT_PATH (GitHub Actions sets them; the
                job needs "pull-requests: write")
  azure-devops  SYSTEM_ACCESSTOKEN (map it into the step's env),
                SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECTID, BUILD_REPOSITORY_ID,
                SYSTEM_PULLREQUEST_PULLREQUESTID (a pull request's thread)
--provider auto picks github under GitHub Actions and azure-devops under
Azure Pipelines. The API must be https (plain http only on loopback). The
token is never printed.

Examples:
   xtsync plan --output markdown > plan.md; xtsync comment --marker xtsync-plan plan.md
   xtsync plan --output markdown | xtsync comment --marker xtsync-plan -

Exit codes: 0 posted, 1 error (the API refused, no pull request), 2 usage error.`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "marker", Usage: "`NAME` marking the comment (letters, digits, '.', '_', '-')", EnvVars: []string{"XTSYNC_COMMENT_MARKER"}},
			&ucli.StringFlag{Name: "provider", Value: "auto", Usage: "`KIND`: auto, github or azure-devops", EnvVars: []string{"XTSYNC_COMMENT_PROVIDER"}},
			&ucli.IntFlag{Name: "pr", Usage: "pull request `NUMBER` (default: the CI event's)", EnvVars: []string{"XTSYNC_COMMENT_PR"}},
			&ucli.IntFlag{Name: "max-bytes", Value: prcomment.MaxBytes, Usage: "split the report into comments of at most `N` bytes", EnvVars: []string{"XTSYNC_COMMENT_MAX_BYTES"}},
		},
		Action: func(c *ucli.Context) error { return runComment(c, e) },
	}
}

func runComment(c *ucli.Context, e *env) error {
	if c.NArg() != 1 {
		return usageError("comment: want one FILE (or - for standard input), got %d arguments", c.NArg())
	}
	marker := c.String("marker")
	if !prcomment.ValidMarker(marker) {
		return usageError("comment: --marker: want 1 to 64 letters, digits, '.', '_' or '-', got %q", marker)
	}
	if n := c.Int("max-bytes"); n < 1024 || n > prcomment.MaxBytes {
		return usageError("comment: --max-bytes: want 1024 to %d, got %d", prcomment.MaxBytes, n)
	}
	provider := c.String("provider")
	if provider == "auto" {
		switch {
		case os.Getenv("GITHUB_ACTIONS") == "true":
			provider = "github"
		case strings.EqualFold(os.Getenv("TF_BUILD"), "true"):
			provider = "azure-devops"
		default:
			return usageError("comment: --provider auto: neither GitHub Actions (GITHUB_ACTIONS) nor Azure Pipelines (TF_BUILD) runs this: name the provider")
		}
	}
	body, err := readCommentBody(c.Args().First())
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	var thread prcomment.Thread
	switch provider {
	case "github":
		thread, err = githubThread(hc, c.Int("pr"))
	case "azure-devops":
		thread, err = azureDevOpsThread(hc, c.Int("pr"))
	default:
		return usageError("comment: --provider: want auto, github or azure-devops, got %q", provider)
	}
	if err != nil {
		return fmt.Errorf("comment: %w", err)
	}
	res, err := prcomment.Post(c.Context, thread, marker, body, c.Int("max-bytes"))
	if err != nil {
		return fmt.Errorf("comment: %w", err)
	}
	e.log.Info("pull-request comment posted", "marker", marker, "provider", provider,
		"created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged, "deleted", res.Deleted)
	return nil
}

// maxCommentInput is the largest report comment reads: twenty comments.
const maxCommentInput = 20 * prcomment.MaxBytes

func readCommentBody(name string) (string, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("comment: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxCommentInput+1))
	if err != nil {
		return "", fmt.Errorf("comment: read %s: %w", name, err)
	}
	if len(b) > maxCommentInput {
		return "", fmt.Errorf("comment: %s is larger than %d bytes: post a summary (xtsync plan summarises its Markdown by itself)", name, maxCommentInput)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", fmt.Errorf("comment: %s is empty: nothing to post", name)
	}
	return string(b), nil
}

// checkAPIURL refuses an API URL that would send the token in clear text
// off this machine.
func checkAPIURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s %q: not a URL", what, raw)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && graph.IsLoopback(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("%s %q: want https (plain http only on loopback): the token would travel in clear text", what, raw)
}

func githubThread(hc *http.Client, pr int) (prcomment.Thread, error) {
	token := os.Getenv("GITHUB_TOKEN")
	if token == "" {
		return nil, fmt.Errorf("github: GITHUB_TOKEN is not set (pass the workflow's github.token)")
	}
	api := os.Getenv("GITHUB_API_URL")
	if api == "" {
		api = "https://api.github.com"
	}
	if err := checkAPIURL("GITHUB_API_URL", api); err != nil {
		return nil, err
	}
	if pr == 0 {
		n, err := githubEventPR(os.Getenv("GITHUB_EVENT_PATH"))
		if err != nil {
			return nil, err
		}
		pr = n
	}
	return prcomment.NewGitHub(hc, api, os.Getenv("GITHUB_REPOSITORY"), pr, token)
}

// githubEventPR reads the pull request number of the event that started the
// workflow.
func githubEventPR(path string) (int, error) {
	if path == "" {
		return 0, fmt.Errorf("github: no GITHUB_EVENT_PATH and no --pr: not a pull-request event")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("github: read the event: %w", err)
	}
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return 0, fmt.Errorf("github: read the event %s: %w", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number <= 0 {
		return 0, fmt.Errorf("github: the event is not a pull request's (run on pull_request, or pass --pr)")
	}
	return ev.PullRequest.Number, nil
}

func azureDevOpsThread(hc *http.Client, pr int) (prcomment.Thread, error) {
	token := os.Getenv("SYSTEM_ACCESSTOKEN")
	if token == "" {
		return nil, fmt.Errorf("azure devops: SYSTEM_ACCESSTOKEN is not set (map $(System.AccessToken) into the step's env)")
	}
	coll := os.Getenv("SYSTEM_COLLECTIONURI")
	if err := checkAPIURL("SYSTEM_COLLECTIONURI", coll); err != nil {
		return nil, err
	}
	if pr == 0 {
		s := os.Getenv("SYSTEM_PULLREQUEST_PULLREQUESTID")
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("azure devops: no pull request (SYSTEM_PULLREQUEST_PULLREQUESTID %q) and no --pr: run it in a pull request's build", s)
		}
		pr = n
	}
	project := os.Getenv("SYSTEM_TEAMPROJECTID")
	if project == "" {
		project = os.Getenv("SYSTEM_TEAMPROJECT")
	}
	return prcomment.NewAzureDevOps(hc, coll, project, os.Getenv("BUILD_REPOSITORY_ID"), pr, token)
}
