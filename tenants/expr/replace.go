package expr

import (
	"fmt"
	"regexp"
	"strings"
)

// Replace — section "Replace". Its seven parameters select one of five
// behaviours by which arguments are given (not empty); the behaviour and a
// constant pattern are fixed at parse time.
var replaceParams = []string{"source", "oldValue", "regexPattern", "regexGroupName", "replacementValue", "replacementAttributeName", "template"}

const (
	rSource = iota
	rOld
	rPattern
	rGroup
	rRepl
	rReplAttr
	rTemplate
)

type replaceMode uint8

const (
	replaceOld         replaceMode = iota // oldValue, replacementValue: every oldValue in source becomes replacementValue
	replaceTemplate                       // oldValue, template: every oldValue in template becomes source
	replaceRegex                          // regexPattern, replacementValue: regex replace, .NET substitutions expanded
	replaceRegexGroup                     // regexPattern, regexGroupName, replacementValue: the group's matches become replacementValue
	replaceRegexAttrib                    // regexPattern, regexGroupName, replacementAttributeName: source, or else the group extracted from the attribute
)

type replaceData struct {
	mode replaceMode
	re   *regexp.Regexp // nil when the pattern is not a constant
}

func prepareReplace(n *node) error {
	has := func(i int) bool { return n.args[i].kind != kindEmpty }
	fail := func(format string, args ...any) error {
		return &Error{Col: n.col, Msg: "Replace: " + fmt.Sprintf(format, args...)}
	}
	only := func(allowed ...int) error {
		for i := rOld; i <= rTemplate; i++ {
			if !has(i) {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || a == i
			}
			if !ok {
				return &Error{Col: n.args[i].col, Msg: fmt.Sprintf("Replace: %s cannot be combined with the other arguments given", replaceParams[i])}
			}
		}
		return nil
	}
	d := &replaceData{}
	switch {
	case has(rOld) && has(rPattern):
		return fail("give oldValue or regexPattern, not both")
	case has(rOld) && has(rRepl) && has(rTemplate):
		return fail("with oldValue, give replacementValue or template, not both")
	case has(rOld) && has(rRepl):
		d.mode = replaceOld
		if err := only(rOld, rRepl); err != nil {
			return err
		}
	case has(rOld) && has(rTemplate):
		d.mode = replaceTemplate
		if err := only(rOld, rTemplate); err != nil {
			return err
		}
	case has(rOld):
		return fail("with oldValue, give replacementValue or template")
	case has(rPattern) && has(rGroup) && has(rReplAttr):
		d.mode = replaceRegexAttrib
		if err := only(rPattern, rGroup, rReplAttr); err != nil {
			return err
		}
	case has(rPattern) && has(rGroup) && has(rRepl):
		d.mode = replaceRegexGroup
		if err := only(rPattern, rGroup, rRepl); err != nil {
			return err
		}
	case has(rPattern) && has(rRepl):
		d.mode = replaceRegex
		if err := only(rPattern, rRepl); err != nil {
			return err
		}
	case has(rPattern):
		return fail("with regexPattern, give replacementValue, or regexGroupName with replacementValue or replacementAttributeName")
	default:
		return fail("give oldValue or regexPattern")
	}
	if p := n.args[rPattern]; p.kind == kindStr {
		re, err := compileRegex(p.str)
		if err != nil {
			return &Error{Col: p.col, Msg: "Replace: regexPattern: " + err.Error()}
		}
		if g := n.args[rGroup]; g.kind == kindStr && re.SubexpIndex(g.str) < 0 {
			return &Error{Col: g.col, Msg: fmt.Sprintf("Replace: regexGroupName: the pattern has no group named %q", g.str)}
		}
		d.re = re
	}
	n.aux = d
	return nil
}

// compileRegex compiles a pattern. Patterns are .NET regular expressions in
// Entra; RE2 (Go) accepts the common subset, named groups (?<name>…)
// included, and rejects look-arounds and back-references.
func compileRegex(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("%w (xtsync uses Go's RE2 syntax: no look-arounds or back-references)", err)
	}
	return re, nil
}

func evalReplace(n *node, env *Env) (any, error) {
	d := n.aux.(*replaceData)
	src, ok, err := n.textArg(env, rSource)
	if err != nil {
		return nil, err
	}
	switch d.mode {
	case replaceOld:
		if !ok {
			return nil, nil
		}
		old, _, err := n.textArg(env, rOld)
		if err != nil {
			return nil, err
		}
		repl, _, err := n.textArg(env, rRepl)
		if err != nil || old == "" {
			return src, err
		}
		return strings.ReplaceAll(src, old, repl), nil
	case replaceTemplate:
		if !ok {
			return nil, nil
		}
		old, _, err := n.textArg(env, rOld)
		if err != nil {
			return nil, err
		}
		tmpl, _, err := n.textArg(env, rTemplate)
		if err != nil || old == "" {
			return tmpl, err
		}
		return strings.ReplaceAll(tmpl, old, src), nil
	case replaceRegexAttrib:
		if ok && src != "" {
			return src, nil
		}
	default:
		if !ok {
			return nil, nil
		}
	}
	re := d.re
	if re == nil {
		p, _, err := n.textArg(env, rPattern)
		if err != nil {
			return nil, err
		}
		if re, err = compileRegex(p); err != nil {
			return nil, n.errorf("regexPattern: %v", err)
		}
	}
	group := -1
	if d.mode == replaceRegexGroup || d.mode == replaceRegexAttrib {
		name, _, err := n.textArg(env, rGroup)
		if err != nil {
			return nil, err
		}
		if group = re.SubexpIndex(name); group < 0 {
			return nil, n.errorf("regexGroupName: the pattern has no group named %q", name)
		}
	}
	switch d.mode {
	case replaceRegex:
		repl, _, err := n.textArg(env, rRepl)
		if err != nil {
			return nil, err
		}
		return replaceNET(re, src, repl), nil
	case replaceRegexGroup:
		repl, _, err := n.textArg(env, rRepl)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		last := 0
		for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
			s, e := m[2*group], m[2*group+1]
			if s < 0 || s < last {
				continue
			}
			b.WriteString(src[last:s])
			b.WriteString(repl)
			last = e
		}
		b.WriteString(src[last:])
		return b.String(), nil
	}
	// replaceRegexAttrib with an empty source.
	from, ok, err := n.textArg(env, rReplAttr)
	if err != nil || !ok {
		return nil, err
	}
	m := re.FindStringSubmatchIndex(from)
	if m == nil || m[2*group] < 0 {
		return nil, nil
	}
	return from[m[2*group]:m[2*group+1]], nil
}

// replaceNET replaces every match of re in src with repl, expanding the
// substitutions of .NET's Regex.Replace, to which Microsoft's Replace
// reference points ("Substitutions in Regular Expressions"): $number and
// ${name} (a group; "$1abc" is group 1, then "abc"; a number or name that
// is not a group is literal text), $$ (a dollar), $& (the match), $` and
// $' (the text before and after it), $+ (the last group) and $_ (the whole
// input). Groups are numbered as .NET numbers them: the unnamed ones first,
// left to right, then the named ones.
func replaceNET(re *regexp.Regexp, src, repl string) string {
	names := re.SubexpNames()
	// order[k] is the RE2 index of .NET's group k.
	order := []int{0}
	for i := 1; i < len(names); i++ {
		if names[i] == "" {
			order = append(order, i)
		}
	}
	for i := 1; i < len(names); i++ {
		if names[i] != "" {
			order = append(order, i)
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
		b.WriteString(src[last:m[0]])
		group := func(k int) {
			if i := order[k]; m[2*i] >= 0 {
				b.WriteString(src[m[2*i]:m[2*i+1]])
			}
		}
		for j := 0; j < len(repl); j++ {
			c := repl[j]
			if c != '$' || j+1 == len(repl) {
				b.WriteByte(c)
				continue
			}
			next := repl[j+1]
			switch {
			case next == '$':
				b.WriteByte('$')
				j++
			case next == '&':
				group(0)
				j++
			case next == '`':
				b.WriteString(src[:m[0]])
				j++
			case next == '\'':
				b.WriteString(src[m[1]:])
				j++
			case next == '+':
				group(len(order) - 1)
				j++
			case next == '_':
				b.WriteString(src)
				j++
			case next >= '0' && next <= '9':
				e := j + 1
				for e < len(repl) && repl[e] >= '0' && repl[e] <= '9' {
					e++
				}
				if k, ok := groupNumber(repl[j+1:e], len(order)); ok {
					group(k)
					j = e - 1
				} else {
					b.WriteByte('$')
				}
			case next == '{':
				end := strings.IndexByte(repl[j+2:], '}')
				if end < 0 {
					b.WriteByte('$')
					break
				}
				ref := repl[j+2 : j+2+end]
				k, ok := groupNumber(ref, len(order))
				if !ok {
					for kk := 1; kk < len(order); kk++ {
						if ref != "" && names[order[kk]] == ref {
							k, ok = kk, true
						}
					}
				}
				if !ok {
					b.WriteByte('$')
					break
				}
				group(k)
				j += 2 + end
			default:
				b.WriteByte('$')
			}
		}
		last = m[1]
	}
	b.WriteString(src[last:])
	return b.String()
}

// groupNumber reads a decimal group number below n.
func groupNumber(s string, n int) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	k := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		k = k*10 + int(c-'0')
	}
	return k, k < n
}
