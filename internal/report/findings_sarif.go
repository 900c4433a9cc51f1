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
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

// sarifLevel maps a finding level to SARIF's.
func sarifLevel(level string) string {
	switch level {
	case plan.LevelDeny:
		return "error"
	case levelNote:
		return "note"
	}
	return "warning"
}

// FindingsSARIF writes the report as a SARIF 2.1.0 log: tool driver xtsync
// with one rule per policy (and per diagnostic code, "validate/<code>"), one
// result per diagnostic and finding with its file (relative to the
// repository, uriBaseId %SRCROOT%), line and column. toolVersion may be "".
func FindingsSARIF(w io.Writer, r *Findings, toolVersion string) error {
	type rule struct {
		desc  string
		level string
	}
	rules := map[string]*rule{}
	for _, p := range r.Policies {
		rules[p.ID] = &rule{desc: p.Description, level: sarifLevel(p.Level)}
	}
	items := r.items()
	for _, it := range items {
		ru, ok := rules[it.rule]
		if !ok {
			ru = &rule{}
			rules[it.rule] = ru
		}
		if ru.level != "error" {
			ru.level = sarifLevel(it.level)
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
	for _, it := range items {
		res := sarifResult{RuleID: it.rule, RuleIndex: index[it.rule], Level: sarifLevel(it.level), Message: sarifMessage{Text: it.msg}}
		if file := itemFile(it); file != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: file, URIBaseID: "%SRCROOT%"}}}
			if it.line > 0 && it.file != "" {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: it.line, StartColumn: it.col}
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

// itemFile is the item's file or, for a finding about a tenant that names
// no file, the tenant's file (tenants/<name>.yaml, the loader's rule), so
// code scanning can place it.
func itemFile(it item) string {
	if it.file != "" {
		return it.file
	}
	if it.tenant != "" {
		return "tenants/" + it.tenant + ".yaml"
	}
	return ""
}
