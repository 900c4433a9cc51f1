package report

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/xtsync/xtsync/plan"
)

// SARIF 2.1.0 (OASIS), the subset GitHub code scanning and other SARIF
// viewers read. The schema is
// https://json.schemastore.org/sarif-2.1.0.json; the test checks the
// properties it requires by hand.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Version        string      `json:"version,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string        `json:"id"`
		ShortDescription     *sarifMessage `json:"shortDescription,omitempty"`
		DefaultConfiguration sarifConfig   `json:"defaultConfiguration"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
)

// sarifLevel maps a finding level to SARIF's.
func sarifLevel(level string) string {
	if level == plan.LevelDeny {
		return "error"
	}
	return "warning"
}

// FindingsSARIF writes the report as a SARIF 2.1.0 log: tool driver xtsync
// with one rule per policy, one result per finding with its file (relative
// to the repository, uriBaseId %SRCROOT%) and line. toolVersion may be "".
func FindingsSARIF(w io.Writer, r *Findings, toolVersion string) error {
	type rule struct {
		desc  string
		level string
	}
	rules := map[string]*rule{}
	for _, p := range r.Policies {
		rules[p.ID] = &rule{desc: p.Description, level: sarifLevel(p.Level)}
	}
	for _, f := range r.Findings {
		ru, ok := rules[f.Policy]
		if !ok {
			ru = &rule{}
			rules[f.Policy] = ru
		}
		if ru.level != "error" {
			ru.level = sarifLevel(f.Level)
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	driver := sarifDriver{Name: "xtsync", InformationURI: "https://github.com/xtsync/xtsync", Version: toolVersion, Rules: []sarifRule{}}
	for i, id := range ids {
		index[id] = i
		sr := sarifRule{ID: id, DefaultConfiguration: sarifConfig{Level: rules[id].level}}
		if sr.DefaultConfiguration.Level == "" {
			sr.DefaultConfiguration.Level = "error"
		}
		if d := rules[id].desc; d != "" {
			sr.ShortDescription = &sarifMessage{Text: d}
		}
		driver.Rules = append(driver.Rules, sr)
	}
	results := []sarifResult{}
	for _, f := range r.Findings {
		res := sarifResult{RuleID: f.Policy, RuleIndex: index[f.Policy], Level: sarifLevel(f.Level), Message: sarifMessage{Text: f.Msg}}
		if file := findingFile(f); file != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: file, URIBaseID: "%SRCROOT%"}}}
			if f.Line > 0 && f.File != "" {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line}
			}
			res.Locations = []sarifLocation{loc}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// findingFile is the finding's file or, for a finding about a tenant that
// names no file, the tenant's file (tenants/<name>.yaml, the loader's rule),
// so code scanning can place it.
func findingFile(f plan.Finding) string {
	if f.File != "" {
		return f.File
	}
	if f.Tenant != "" {
		return "tenants/" + f.Tenant + ".yaml"
	}
	return ""
}
