// Package prcomment keeps one report as one pull-request comment: it finds
// the comment(s) carrying a marker and updates them in place, creates them
// when missing, and splits a report longer than the code host's limit into
// numbered parts (deleting parts a shorter report no longer needs). Threads
// are GitHub's issue comments (github.go) or Azure DevOps pull-request
// threads (azuredevops.go).
package prcomment

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxBytes is GitHub's limit on a comment body (65,536 characters), counted
// in bytes so that no multi-byte text can pass it.
const MaxBytes = 65536

// Comment is one comment of a pull request's conversation.
type Comment struct {
	ID   string
	Body string
}

// Thread is the conversation of one pull request.
type Thread interface {
	List(ctx context.Context) ([]Comment, error)
	Create(ctx context.Context, body string) error
	Update(ctx context.Context, id, body string) error
	Delete(ctx context.Context, id string) error
}

// Result counts what Post did.
type Result struct {
	Created, Updated, Unchanged, Deleted int
}

func (r Result) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged, %d deleted", r.Created, r.Updated, r.Unchanged, r.Deleted)
}

var (
	markerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	markerLine = regexp.MustCompile(`^<!-- xtsync:comment ([A-Za-z0-9][A-Za-z0-9._-]{0,63})(?: part ([0-9]{1,4}))? -->`)
)

// ValidMarker reports whether name can be a marker: 1 to 64 letters,
// digits, '.', '_' or '-'.
func ValidMarker(name string) bool { return markerName.MatchString(name) }

// Post makes the comments marked name say body: part i of the split body
// goes to the comment marked as part i (updated only when it differs, or
// created), and marked parts beyond the new count are deleted. Comments
// without the marker are never touched.
func Post(ctx context.Context, t Thread, name, body string, limit int) (Result, error) {
	var r Result
	if !ValidMarker(name) {
		return r, fmt.Errorf("comment marker %q: want 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	parts := Split(name, body, limit)
	existing, err := t.List(ctx)
	if err != nil {
		return r, fmt.Errorf("list the pull request's comments: %w", err)
	}
	byPart := map[int]Comment{}
	var extra []Comment // a second comment claiming a part: a duplicate to remove
	for _, c := range existing {
		n, part, ok := parseMarker(c.Body)
		if !ok || n != name {
			continue
		}
		if _, dup := byPart[part]; dup {
			extra = append(extra, c)
			continue
		}
		byPart[part] = c
	}
	for i, p := range parts {
		c, ok := byPart[i+1]
		switch {
		case !ok:
			if err := t.Create(ctx, p); err != nil {
				return r, fmt.Errorf("create comment %s part %d: %w", name, i+1, err)
			}
			r.Created++
		case c.Body == p:
			r.Unchanged++
		default:
			if err := t.Update(ctx, c.ID, p); err != nil {
				return r, fmt.Errorf("update comment %s part %d: %w", name, i+1, err)
			}
			r.Updated++
		}
		delete(byPart, i+1)
	}
	var stale []int
	for part := range byPart {
		stale = append(stale, part)
	}
	sort.Ints(stale)
	for _, part := range stale {
		extra = append(extra, byPart[part])
	}
	for _, c := range extra {
		if err := t.Delete(ctx, c.ID); err != nil {
			return r, fmt.Errorf("delete stale comment %s: %w", name, err)
		}
		r.Deleted++
	}
	return r, nil
}

// parseMarker returns the marker name and part number (1 for the first
// part) a comment body starts with.
func parseMarker(body string) (string, int, bool) {
	m := markerLine.FindStringSubmatch(body)
	if m == nil {
		return "", 0, false
	}
	part := 1
	if m[2] != "" {
		part, _ = strconv.Atoi(m[2])
	}
	return m[1], part, true
}

func header(name string, part, of int) string {
	if part == 1 {
		return "<!-- xtsync:comment " + name + " -->\n"
	}
	return fmt.Sprintf("<!-- xtsync:comment %s part %d -->\n_(continued: part %d of %d)_\n\n", name, part, part, of)
}

// headroom is what a part keeps free for its header and a closing fence.
const headroom = 200

// Split cuts body into parts of at most limit bytes, each starting with the
// marker line: at line ends, closing an open code fence at the end of a
// part and opening it again in the next, and inside a line (at a rune
// boundary) only when one line alone is too long.
func Split(name, body string, limit int) []string {
	if limit <= headroom {
		limit = MaxBytes
	}
	room := limit - headroom
	var chunks []string
	var cur strings.Builder
	fence := "" // the fence line open at the end of cur, if any
	flush := func() {
		s := cur.String()
		if fence != "" {
			s += "\n" + fenceClose(fence) + "\n"
		}
		chunks = append(chunks, s)
		cur.Reset()
		if fence != "" {
			cur.WriteString(fence + "\n")
		}
	}
	lines := strings.SplitAfter(body, "\n")
	for _, line := range lines {
		if line == "" {
			continue
		}
		for len(line) > room {
			// One line longer than a part: cut it at a rune boundary.
			if cur.Len() > 0 {
				flush()
			}
			cut := room - cur.Len()
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			cur.WriteString(line[:cut])
			cur.WriteString("\n")
			line = line[cut:]
			flush()
		}
		if cur.Len()+len(line) > room {
			flush()
		}
		cur.WriteString(line)
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed
		case fence != "" && trimmed == fenceClose(fence):
			fence = ""
		}
	}
	if cur.Len() > 0 || len(chunks) == 0 {
		s := cur.String()
		chunks = append(chunks, s)
	}
	out := make([]string, len(chunks))
	for i, c := range chunks {
		out[i] = header(name, i+1, len(chunks)) + c
	}
	return out
}

// fenceClose is the line that closes a fence opened by open ("```mermaid"
// is closed by "```").
func fenceClose(open string) string {
	n := 0
	for n < len(open) && open[n] == open[0] {
		n++
	}
	return open[:n]
}
