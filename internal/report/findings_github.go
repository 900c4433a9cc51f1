package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/xtsync/xtsync/plan"
)

// FindingsGitHub writes one GitHub Actions workflow command per finding,
// which GitHub shows as an annotation on the file and line:
//
//	::error file=tenants/contoso-eu.yaml,line=24,title=scope-all::sync contoso-eu/eu-to-us: …
//
// denies and load errors as ::error, warnings as ::warning, notes as ::notice. Values are escaped the way
// GitHub's toolkit does (escapeData and escapeProperty).
func FindingsGitHub(w io.Writer, r *Findings) error {
	var b strings.Builder
	for _, it := range r.items() {
		cmd := "warning"
		switch it.level {
		case plan.LevelDeny:
			cmd = "error"
		case levelNote:
			cmd = "notice"
		}
		var props []string
		if it.file != "" {
			props = append(props, "file="+escapeProperty(it.file))
			if it.line > 0 {
				props = append(props, fmt.Sprintf("line=%d", it.line))
				if it.col > 0 {
					props = append(props, fmt.Sprintf("col=%d", it.col))
				}
			}
		}
		props = append(props, "title="+escapeProperty(it.rule))
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(it.msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
