package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xtsync/xtsync/plan"
)

// JUnit XML, the subset CI systems read (Jenkins, GitLab, Azure Pipelines,
// GitHub test reporters): one testsuite "xtsync policies", one testcase per
// policy evaluated (and per diagnostic code, "validate/<code>"); a policy
// that denies fails, with every deny in the failure's text; warnings go to
// the testcase's system-out.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// FindingsJUnit writes the report as JUnit XML.
func FindingsJUnit(w io.Writer, r *Findings) error {
	byPolicy := map[string][]item{}
	for _, it := range r.items() {
		byPolicy[it.rule] = append(byPolicy[it.rule], it)
	}
	ids := map[string]bool{}
	for _, p := range r.Policies {
		ids[p.ID] = true
	}
	for id := range byPolicy {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)

	suite := junitSuite{Name: "xtsync policies"}
	for _, id := range sorted {
		// A diagnostic of the loader is no policy: its class and failure
		// type say so.
		class, failType := "xtsync.policy", "deny"
		if strings.HasPrefix(id, "validate/") {
			class, failType = "xtsync.validate", "error"
		}
		c := junitCase{Name: id, Classname: class}
		var denies, warns []string
		for _, it := range byPolicy[id] {
			line := it.msg
			if loc := itemLocation(it); loc != "" {
				line = loc + ": " + it.msg
			}
			if it.level == plan.LevelDeny {
				denies = append(denies, line)
			} else {
				warns = append(warns, "warning: "+line)
			}
		}
		if len(denies) > 0 {
			msg := fmt.Sprintf("%s denied: %s", id, Count(len(denies), "finding", "findings"))
			if strings.HasPrefix(id, "validate/") {
				msg = fmt.Sprintf("%s: %s", id, Count(len(denies), "error", "errors"))
			}
			c.Failure = &junitFailure{Type: failType, Message: msg, Text: strings.Join(denies, "\n")}
			suite.Failures++
		}
		if len(warns) > 0 {
			c.SystemOut = strings.Join(warns, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "xtsync check", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, out)
	return err
}
