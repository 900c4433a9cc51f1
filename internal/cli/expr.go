package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/xtsync/xtsync/tenants"
	"github.com/xtsync/xtsync/tenants/expr"
)

// entraTime is how Entra's Now() prints the time: M/d/yyyy h:mm:ss tt, UTC.
const entraTime = "1/2/2006 3:04:05 PM"

func exprCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "expr",
		Usage:     "evaluate one attribute-mapping expression offline",
		UsageText: "xtsync expr 'EXPRESSION' [--set NAME=VALUE]... [--set-json NAME=JSON]... [--now TIME] [--guid GUID] [--output text|json]",
		Description: `Parses and evaluates an Entra attribute-mapping expression (the language of
"expression" mappings: Join, IIF, Switch, Replace, …) against attribute
values given on the command line — the offline twin of Graph's
parseExpression. Function names are case-sensitive; attributes are written
[name], text "in double quotes" with \" and \\ as escapes.

--set NAME=VALUE gives an attribute a text value; repeat the same NAME for a
multi-valued attribute. --set-json NAME=JSON gives it a JSON value: a string,
a whole number, true/false, null or an array of those. Attributes not set
are absent (null).

Text output prints a string as is, a multi-valued result one value per line,
True/False, numbers in decimal, and "null" when nothing would flow. JSON
output is {"value": …}. Now() is the current UTC time as Entra prints it
(M/d/yyyy h:mm:ss tt) unless --now fixes it; Guid() is random unless --guid
fixes it; RandomString() is random. AppRoleAssignmentsComplex and
AltSecIdFromNetId parse but cannot be evaluated offline. See
docs/expressions.md.

Examples:
   xtsync expr 'Join(" ", [givenName], [surname])' --set givenName=Ada --set surname=Lovelace
   xtsync expr 'IIF([country]="USA", [country], [department])' --set country=FR --set department=Sales
   xtsync expr 'Split([extensionAttribute5], ",")' --set extensionAttribute5="a, b" --output json

A parse or evaluation error prints the expression with a caret under the
column and the message on stderr.

Exit codes: 0 evaluated, 1 parse or evaluation error, 2 usage error.`,
		Flags: []ucli.Flag{
			&ucli.GenericFlag{Name: "set", Value: &assignments{}, Usage: "attribute `NAME=VALUE` (text; repeat a name for several values)", EnvVars: []string{"XTSYNC_EXPR_SET"}},
			&ucli.GenericFlag{Name: "set-json", Value: &assignments{}, Usage: "attribute `NAME=JSON` (string, number, boolean, null or array)", EnvVars: []string{"XTSYNC_EXPR_SET_JSON"}},
			&ucli.StringFlag{Name: "now", Usage: "the time Now() returns, RFC 3339 (`TIME`, e.g. 2021-07-02T15:33:38Z); default the current time", EnvVars: []string{"XTSYNC_EXPR_NOW"}},
			&ucli.StringFlag{Name: "guid", Usage: "the `GUID` Guid() returns; default a random one", EnvVars: []string{"XTSYNC_EXPR_GUID"}},
			outputFlag("text", "json"),
		},
		Action: func(c *ucli.Context) error { return runExpr(c, e) },
	}
}

// assignments collects repeated NAME=VALUE flags without splitting them on
// commas (urfave's slice flags would).
type assignments struct{ list [][2]string }

func (a *assignments) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	a.list = append(a.list, [2]string{strings.TrimSpace(name), value})
	return nil
}

func (a *assignments) String() string { return "" }

func runExpr(c *ucli.Context, e *env) error {
	args, err := flagsAfterArgs(c)
	if err != nil {
		return err
	}
	format, err := outputFormat(c, "text", "json")
	if err != nil {
		return err
	}
	switch len(args) {
	case 0:
		return usageError("expr: missing the EXPRESSION argument (quote it: xtsync expr 'ToUpper([jobTitle])')")
	case 1:
	default:
		return usageError("expr: want one EXPRESSION argument, got %d (quote the expression)", len(args))
	}
	src := args[0]
	attrs, err := exprAttributes(c.Generic("set").(*assignments), c.Generic("set-json").(*assignments))
	if err != nil {
		return usageError("expr: %v", err)
	}
	now := time.Now().UTC()
	if s := c.String("now"); s != "" {
		if now, err = time.Parse(time.RFC3339, s); err != nil {
			return usageError("expr: --now: want an RFC 3339 time such as 2021-07-02T15:33:38Z, got %q", s)
		}
		now = now.UTC()
	}
	guid := c.String("guid")
	switch {
	case guid == "":
		guid = randomGUID()
	case !tenants.IsGUID(guid):
		return usageError("expr: --guid: want a GUID such as 7b2c4e1a-0d4f-4c8e-9a3b-5f6e7d8c9b0a, got %q", guid)
	}
	x, err := expr.Parse(src)
	if err != nil {
		return exprFailed(e.stderr, src, "parse expression", err)
	}
	v, err := x.Eval(expr.Env{
		Attr:         func(name string) any { return attrs[name] },
		Now:          func() string { return now.Format(entraTime) },
		Guid:         func() string { return guid },
		RandomString: randomString,
	})
	if err != nil {
		return exprFailed(e.stderr, src, "evaluate expression", err)
	}
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Value any `json:"value"`
		}{v})
	}
	return writeExprText(e.stdout, v)
}

// flagsAfterArgs applies the flags written after the expression (urfave/cli
// v2 stops parsing flags at the first argument) and returns the positional
// arguments. "--" ends the flags.
func flagsAfterArgs(c *ucli.Context) ([]string, error) {
	var pos []string
	args := c.Args().Slice()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' || (a[1] >= '0' && a[1] <= '9') { // -10 is an expression
			pos = append(pos, a)
			continue
		}
		name, value, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ok {
			if i+1 >= len(args) {
				return nil, usageError("expr: flag needs an argument: %s", a)
			}
			i++
			value = args[i]
		}
		if err := setFlag(c, name, value); err != nil {
			return nil, usageError("expr: %s: %v", a, err)
		}
	}
	return pos, nil
}

// setFlag sets a flag under each of its names (urfave keeps one value per
// alias and only reconciles them while parsing).
func setFlag(c *ucli.Context, name, value string) error {
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			for _, n := range f.Names() {
				if err := c.Set(n, value); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return fmt.Errorf("flag provided but not defined: -%s", name)
}

// exprFailed shows where the expression went wrong: the expression, a
// caret under the column, then the message (exit 1).
func exprFailed(w io.Writer, src, doing string, err error) error {
	var xe *expr.Error
	if errors.As(err, &xe) {
		line, caret := neighbourhood(src, xe.Col)
		fmt.Fprintf(w, "  %s\n  %s^\n", line, strings.Repeat(" ", caret))
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// neighbourhoodRunes is how much of an expression exprFailed shows on
// either side of the error's column.
const neighbourhoodRunes = 40

// neighbourhood returns the part of src around column col (1-based, in
// runes) on one line — at most neighbourhoodRunes either side, "…" where
// it is cut — and the caret's offset in it.
func neighbourhood(src string, col int) (string, int) {
	rs := []rune(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, src))
	at := min(max(col-1, 0), len(rs))
	from, to := max(at-neighbourhoodRunes, 0), min(at+neighbourhoodRunes, len(rs))
	line, caret := string(rs[from:to]), at-from
	if from > 0 {
		line, caret = "…"+line, caret+1
	}
	if to < len(rs) {
		line += "…"
	}
	return line, caret
}

func writeExprText(w io.Writer, v any) error {
	var b strings.Builder
	switch x := v.(type) {
	case nil:
		b.WriteString("null\n")
	case []any:
		for _, item := range x {
			b.WriteString(exprText(item))
			b.WriteByte('\n')
		}
	default:
		b.WriteString(exprText(v))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func exprText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

// exprAttributes builds the attribute values of --set and --set-json.
func exprAttributes(set, setJSON *assignments) (map[string]any, error) {
	attrs := map[string]any{}
	for _, kv := range set.list {
		switch old := attrs[kv[0]].(type) {
		case nil:
			attrs[kv[0]] = kv[1]
		case string:
			attrs[kv[0]] = []any{old, kv[1]}
		case []any:
			attrs[kv[0]] = append(old, kv[1])
		}
	}
	for _, kv := range setJSON.list {
		if _, dup := attrs[kv[0]]; dup {
			return nil, fmt.Errorf("--set-json %s: the attribute is already set", kv[0])
		}
		v, err := jsonAttribute([]byte(kv[1]))
		if err != nil {
			return nil, fmt.Errorf("--set-json %s: %w", kv[0], err)
		}
		attrs[kv[0]] = v
	}
	return attrs, nil
}

// jsonAttribute converts a JSON value to an expression value.
func jsonAttribute(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: more than one value")
	}
	var conv func(v any, top bool) (any, error)
	conv = func(v any, top bool) (any, error) {
		switch x := v.(type) {
		case nil, string, bool:
			return x, nil
		case json.Number:
			i, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: only whole numbers are supported", x)
			}
			return i, nil
		case []any:
			if !top {
				return nil, errors.New("arrays cannot be nested")
			}
			out := make([]any, len(x))
			for i, item := range x {
				var err error
				if out[i], err = conv(item, false); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
		return nil, errors.New("want a string, number, boolean, null or array, got an object")
	}
	return conv(raw, true)
}

// randomGUID returns a random (version 4) GUID.
func randomGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// The character classes of RandomString (the password complexity
// categories Entra's reference links to).
const (
	rsDigits  = "0123456789"
	rsSpecial = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
	rsUpper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	rsLower   = "abcdefghijklmnopqrstuvwxyz"
)

// randomString is the RandomString() stand-in: at least the minimum count
// of each class, the rest from every class, shuffled, without exclude's
// characters.
func randomString(length, minNumbers, minSpecial, minCapital, minLower int, exclude string) string {
	keep := func(set string) []rune {
		var out []rune
		for _, r := range set {
			if !strings.ContainsRune(exclude, r) {
				out = append(out, r)
			}
		}
		return out
	}
	digits, special, upper, lower := keep(rsDigits), keep(rsSpecial), keep(rsUpper), keep(rsLower)
	all := append(append(append(append([]rune{}, digits...), special...), upper...), lower...)
	pick := func(set []rune) rune { return set[randInt(len(set))] }
	var out []rune
	for _, c := range []struct {
		n   int
		set []rune
	}{{minNumbers, digits}, {minSpecial, special}, {minCapital, upper}, {minLower, lower}} {
		for i := 0; i < c.n && len(c.set) > 0; i++ {
			out = append(out, pick(c.set))
		}
	}
	for len(out) < length && len(all) > 0 {
		out = append(out, pick(all))
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0
	}
	return int(v.Int64())
}
