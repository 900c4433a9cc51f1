package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dates. Entra's date functions pass dates around as text in the format
// M/d/yyyy h:mm:ss tt, always UTC (section "CDate": "The returned string is
// always in UTC and follows the format M/d/yyyy h:mm:ss tt"). DateAdd and
// DateDiff follow Visual Basic's DateAdd and DateDiff, whose interval
// names they take; formats are .NET custom date and time format strings.

// EntraTimeLayout is the Go layout of Entra's date text (M/d/yyyy h:mm:ss tt).
const EntraTimeLayout = "1/2/2006 3:04:05 PM"

// fileTimeEpoch is the start of Active Directory time (100 ns ticks since
// 1601-01-01 UTC), in Unix seconds.
const fileTimeEpoch = -11644473600

// dateFormats are the texts CDate, DateAdd and DateDiff read, in .NET
// format syntax (K: an optional Z or ±hh:mm offset; none means UTC).
var dateFormats = []dotnetFormat{
	mustFormat("M/d/yyyy h:mm:ss tt"),
	mustFormat("yyyy-MM-ddTHH:mm:ss.FFFFFFFK"),
	mustFormat("yyyy-MM-ddTHH:mm:ssK"),
	mustFormat("yyyy-MM-ddTHH:mmK"),
	mustFormat("yyyy-MM-dd HH:mm:ss.FFFFFFFK"),
	mustFormat("yyyy-MM-dd HH:mm:ssK"),
	mustFormat("yyyy-MM-ddK"),
	mustFormat("M/d/yyyy H:mm:ss"),
	mustFormat("M/d/yyyy"),
	mustFormat("yyyyMMddHHmmss.FFFFFFFK"),
}

// dateArg evaluates argument i as a date.
func (n *node) dateArg(env *Env, i int) (time.Time, bool, error) {
	s, ok, err := n.textArg(env, i)
	if err != nil || !ok {
		return time.Time{}, ok, err
	}
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, false, n.errorf("%s: %v", n.spec.param(i), err)
	}
	return t, true, nil
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, f := range dateFormats {
		if t, err := f.parse(s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date (want e.g. 2009-06-15T01:45:30-07:00 or 6/15/2009 8:45:30 AM)", s)
}

// CDate — section "CDate": the date in UTC as M/d/yyyy h:mm:ss tt.
func evalCDate(n *node, env *Env) (any, error) {
	t, ok, err := n.dateArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	return t.Format(EntraTimeLayout), nil
}

// interval reads a DateAdd/DateDiff interval: yyyy, m, d, ww, h, n, s (and
// Visual Basic's q, y, w).
func (n *node) interval(env *Env) (string, error) {
	s, ok, err := n.textArg(env, 0)
	if err != nil {
		return "", err
	}
	s = strings.ToLower(s)
	switch s {
	case "yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s":
		return s, nil
	}
	if !ok {
		return "", n.errorf("interval is null")
	}
	return "", n.errorf("interval: want yyyy, m, d, ww, h, n or s, got %q", s)
}

// DateAdd — section "DateAdd" (Visual Basic DateAdd: months and years
// clamp the day to the end of the month).
func evalDateAdd(n *node, env *Env) (any, error) {
	iv, err := n.interval(env)
	if err != nil {
		return nil, err
	}
	v, ok, err := n.intArg(env, 1)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, n.errorf("value is null")
	}
	t, ok, err := n.dateArg(env, 2)
	if err != nil || !ok {
		return nil, err
	}
	const maxUnits = 1 << 40 // far beyond any date, short of overflow
	if v > maxUnits || v < -maxUnits {
		return nil, n.errorf("value %d is out of range", v)
	}
	seconds := map[string]int64{"y": 86400, "d": 86400, "w": 86400, "ww": 7 * 86400, "h": 3600, "n": 60, "s": 1}
	switch iv {
	case "yyyy":
		t = addMonths(t, v*12)
	case "q":
		t = addMonths(t, v*3)
	case "m":
		t = addMonths(t, v)
	default:
		t = time.Unix(t.Unix()+v*seconds[iv], int64(t.Nanosecond())).UTC()
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return nil, n.errorf("the result is outside the years 1 to 9999")
	}
	return t.Format(EntraTimeLayout), nil
}

// addMonths adds months as .NET does: the day is clamped to the last day
// of the resulting month (1/31 + 1 month = 2/28 or 2/29).
func addMonths(t time.Time, months int64) time.Time {
	y, m, d := t.Date()
	total := int64(y)*12 + int64(m-1) + months
	if total < 0 || total > 10000*12 {
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	ny, nm := int(total/12), time.Month(total%12+1)
	if last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
		d = last
	}
	hh, mm, ss := t.Clock()
	return time.Date(ny, nm, d, hh, mm, ss, t.Nanosecond(), time.UTC)
}

// DateDiff — section "DateDiff" (Visual Basic DateDiff): years and months
// count calendar boundaries, days, hours, minutes and seconds whole elapsed
// units, weeks (ww) the Sundays crossed.
func evalDateDiff(n *node, env *Env) (any, error) {
	iv, err := n.interval(env)
	if err != nil {
		return nil, err
	}
	a, ok, err := n.dateArg(env, 1)
	if err != nil || !ok {
		return nil, err
	}
	b, ok, err := n.dateArg(env, 2)
	if err != nil || !ok {
		return nil, err
	}
	// Elapsed time as .NET's TimeSpan.Total… doubles (time.Duration would
	// overflow past 292 years).
	total := func(a, b time.Time, unit float64) int64 {
		return int64((float64(b.Unix()-a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9) / unit)
	}
	switch iv {
	case "yyyy":
		return int64(b.Year() - a.Year()), nil
	case "q":
		return int64((b.Year()-a.Year())*4 + (int(b.Month())-1)/3 - (int(a.Month())-1)/3), nil
	case "m":
		return int64((b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())), nil
	case "y", "d":
		return total(a, b, 86400), nil
	case "w":
		return total(a, b, 86400) / 7, nil
	case "ww":
		a = a.AddDate(0, 0, -(int(a.Weekday()) + 1))
		b = b.AddDate(0, 0, -(int(b.Weekday()) + 1))
		return total(a, b, 86400) / 7, nil
	case "h":
		return total(a, b, 3600), nil
	case "n":
		return total(a, b, 60), nil
	}
	return total(a, b, 1), nil
}

// DateFromNum — section "DateFromNum": Active Directory time (100 ns since
// 1601) as a date.
func evalDateFromNum(n *node, env *Env) (any, error) {
	v, ok, err := n.intArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	if v < 0 || v > 2650467743999999999 { // 9999-12-31T23:59:59.9999999Z
		return nil, n.errorf("value %d is not an Active Directory time", v)
	}
	t := time.Unix(fileTimeEpoch+v/10_000_000, (v%10_000_000)*100).UTC()
	return t.Format(EntraTimeLayout), nil
}

// NumFromDate — section "NumFromDate": a date as Active Directory time.
func evalNumFromDate(n *node, env *Env) (any, error) {
	t, ok, err := n.dateArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	secs := t.Unix() - fileTimeEpoch
	if secs < 0 {
		return nil, n.errorf("value: %s is before 1601", t.Format(time.RFC3339))
	}
	return secs*10_000_000 + int64(t.Nanosecond()/100), nil
}

// FormatDateTime — section "FormatDateTime": reads source with inputFormat
// and writes it with outputFormat (.NET custom formats). A date with an
// offset is converted to UTC. dateTimeStyles is accepted and ignored.
func evalFormatDateTime(n *node, env *Env) (any, error) {
	in, out := 1, 2
	if len(n.args) == 4 {
		in, out = 2, 3
	}
	s, ok, err := n.textArg(env, 0)
	if err != nil || !ok {
		return nil, err
	}
	fin, err := n.formatArg(env, in)
	if err != nil {
		return nil, err
	}
	fout, err := n.formatArg(env, out)
	if err != nil {
		return nil, err
	}
	t, err := fin.parse(strings.TrimSpace(s))
	if err != nil {
		return nil, n.errorf("cannot read %q with inputFormat: %v", s, err)
	}
	return fout.format(t), nil
}

func (n *node) formatArg(env *Env, i int) (dotnetFormat, error) {
	formats, _ := n.aux.(map[int]dotnetFormat)
	if f, ok := formats[i]; ok {
		return f, nil
	}
	s, ok, err := n.textArg(env, i)
	if err != nil {
		return nil, err
	}
	if !ok || s == "" {
		return nil, n.errorf("%s is empty", formatParam(n, i))
	}
	f, err := parseFormat(s)
	if err != nil {
		return nil, n.errorf("%s: %v", formatParam(n, i), err)
	}
	return f, nil
}

// formatParam names argument i of FormatDateTime, with or without its
// dateTimeStyles argument.
func formatParam(n *node, i int) string {
	if len(n.args) == 3 && i > 0 {
		i++
	}
	return n.spec.param(i)
}

// prepareFormatDateTime compiles constant formats at parse time.
func prepareFormatDateTime(n *node) error {
	formats := map[int]dotnetFormat{}
	start := 1
	if len(n.args) == 4 {
		start = 2
	}
	for i := start; i < len(n.args); i++ {
		a := n.args[i]
		if a.kind != kindStr {
			continue
		}
		f, err := parseFormat(a.str)
		if err != nil {
			return &Error{Col: a.col, Msg: fmt.Sprintf("FormatDateTime: %s: %v", formatParam(n, i), err)}
		}
		formats[i] = f
	}
	n.aux = formats
	return nil
}

// dotnetFormat is a parsed .NET custom date and time format string.
type dotnetFormat []fmtToken

// fmtToken is a run of one specifier letter (c, repeated n times) or, with
// c == 0, literal text.
type fmtToken struct {
	c   byte
	n   int
	lit string
}

func mustFormat(s string) dotnetFormat {
	f, err := parseFormat(s)
	if err != nil {
		panic(err)
	}
	return f
}

func parseFormat(s string) (dotnetFormat, error) {
	var f dotnetFormat
	lit := func(s string) {
		if k := len(f); k > 0 && f[k-1].c == 0 {
			f[k-1].lit += s
			return
		}
		f = append(f, fmtToken{lit: s})
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case 'y', 'M', 'd', 'H', 'h', 'm', 's', 'f', 'F', 't', 'z', 'K', 'g':
			j := i
			for j < len(s) && s[j] == c {
				j++
			}
			if (c == 'f' || c == 'F') && j-i > 7 {
				return nil, fmt.Errorf("at most 7 %c in a row", c)
			}
			f = append(f, fmtToken{c: c, n: j - i})
			i = j
		case '\'', '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted text")
			}
			lit(s[i+1 : i+1+end])
			i += end + 2
		case '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("trailing backslash")
			}
			lit(s[i+1 : i+2])
			i += 2
		case '%':
			i++
		default:
			lit(s[i : i+1])
			i++
		}
	}
	return f, nil
}

func (f dotnetFormat) format(t time.Time) string {
	var b strings.Builder
	pad := func(v, n int) {
		s := strconv.Itoa(v)
		for k := len(s); k < n; k++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	for _, tk := range f {
		switch tk.c {
		case 0:
			b.WriteString(tk.lit)
		case 'y':
			if tk.n <= 2 {
				pad(t.Year()%100, tk.n)
			} else {
				pad(t.Year(), tk.n)
			}
		case 'M':
			switch {
			case tk.n >= 4:
				b.WriteString(t.Month().String())
			case tk.n == 3:
				b.WriteString(t.Month().String()[:3])
			default:
				pad(int(t.Month()), tk.n)
			}
		case 'd':
			switch {
			case tk.n >= 4:
				b.WriteString(t.Weekday().String())
			case tk.n == 3:
				b.WriteString(t.Weekday().String()[:3])
			default:
				pad(t.Day(), tk.n)
			}
		case 'H':
			pad(t.Hour(), min(tk.n, 2))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, min(tk.n, 2))
		case 'm':
			pad(t.Minute(), min(tk.n, 2))
		case 's':
			pad(t.Second(), min(tk.n, 2))
		case 'f', 'F':
			digits := fmt.Sprintf("%09d", t.Nanosecond())[:tk.n]
			if tk.c == 'F' {
				digits = strings.TrimRight(digits, "0")
			}
			b.WriteString(digits)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(tk.n, 2)])
		case 'z':
			switch tk.n {
			case 1:
				b.WriteString("+0")
			case 2:
				b.WriteString("+00")
			default:
				b.WriteString("+00:00")
			}
		case 'K':
			b.WriteString("Z")
		case 'g':
			b.WriteString("A.D.")
		}
	}
	return b.String()
}

// parse reads s exactly as the format describes. Without an offset the
// time is taken as UTC; with one it is converted to UTC.
func (f dotnetFormat) parse(s string) (time.Time, error) {
	year, month, day := -1, -1, -1
	hour, minute, sec, nsec := 0, 0, 0, 0
	pm, hasAMPM, twelve := false, false, false
	offset, hasOffset := 0, false
	pos := 0
	num := func(minDigits, maxDigits int) (int, error) {
		j := pos
		for j < len(s) && j-pos < maxDigits && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-pos < minDigits {
			return 0, fmt.Errorf("want a number at position %d", pos+1)
		}
		v, _ := strconv.Atoi(s[pos:j])
		pos = j
		return v, nil
	}
	word := func(names []string) (int, error) {
		for i, name := range names {
			if len(s)-pos >= len(name) && strings.EqualFold(s[pos:pos+len(name)], name) {
				pos += len(name)
				return i, nil
			}
		}
		return 0, fmt.Errorf("want a name at position %d", pos+1)
	}
	zone := func(optional bool) error {
		if pos < len(s) && s[pos] == 'Z' {
			pos++
			hasOffset = true
			return nil
		}
		if pos >= len(s) || (s[pos] != '+' && s[pos] != '-') {
			if optional {
				return nil
			}
			return fmt.Errorf("want an offset such as +08:00 at position %d", pos+1)
		}
		sign := 1
		if s[pos] == '-' {
			sign = -1
		}
		pos++
		h, err := num(1, 2)
		if err != nil {
			return err
		}
		m := 0
		if pos < len(s) && s[pos] == ':' {
			pos++
			if m, err = num(2, 2); err != nil {
				return err
			}
		}
		if h > 14 || m > 59 {
			return fmt.Errorf("offset out of range")
		}
		offset, hasOffset = sign*(h*3600+m*60), true
		return nil
	}
	var err error
	for _, tk := range f {
		switch tk.c {
		case 0:
			if !strings.HasPrefix(s[pos:], tk.lit) {
				return time.Time{}, fmt.Errorf("want %q at position %d", tk.lit, pos+1)
			}
			pos += len(tk.lit)
		case 'y':
			switch {
			case tk.n <= 2:
				lo := tk.n
				if year, err = num(lo, 2); err == nil {
					if year < 50 {
						year += 2000
					} else if year < 100 {
						year += 1900
					}
				}
			default:
				year, err = num(tk.n, max(tk.n, 4))
			}
		case 'M':
			switch {
			case tk.n >= 4:
				month, err = word(monthNames)
				month++
			case tk.n == 3:
				month, err = word(shortMonthNames)
				month++
			default:
				month, err = num(tk.n, 2)
			}
		case 'd':
			switch {
			case tk.n >= 4:
				_, err = word(dayNames)
			case tk.n == 3:
				_, err = word(shortDayNames)
			default:
				day, err = num(tk.n, 2)
			}
		case 'H':
			hour, err = num(min(tk.n, 2), 2)
		case 'h':
			hour, err = num(min(tk.n, 2), 2)
			twelve = true
		case 'm':
			minute, err = num(min(tk.n, 2), 2)
		case 's':
			sec, err = num(min(tk.n, 2), 2)
		case 'f', 'F':
			start := pos
			minDigits := tk.n
			if tk.c == 'F' {
				minDigits = 0
			}
			var frac int
			if frac, err = num(minDigits, tk.n); err == nil {
				for k := pos - start; k < 9; k++ {
					frac *= 10
				}
				nsec = frac
			}
		case 't':
			var i int
			if tk.n == 1 {
				i, err = word([]string{"A", "P"})
			} else {
				i, err = word([]string{"AM", "PM"})
			}
			pm, hasAMPM = i == 1, true
		case 'z':
			err = zone(false)
		case 'K':
			err = zone(true)
		case 'g':
			_, err = word([]string{"A.D.", "AD"})
		}
		if err != nil {
			return time.Time{}, err
		}
	}
	if pos != len(s) {
		return time.Time{}, fmt.Errorf("unexpected %q at position %d", s[pos:], pos+1)
	}
	if year < 0 || month < 0 || day < 0 {
		return time.Time{}, fmt.Errorf("the format has no year, month or day")
	}
	if twelve || hasAMPM {
		if hour < 1 && twelve || hour > 12 {
			return time.Time{}, fmt.Errorf("hour %d is not a 12-hour clock hour", hour)
		}
		if hour == 12 {
			hour = 0
		}
		if pm {
			hour += 12
		}
	}
	if year < 1 || year > 9999 || month < 1 || month > 12 || hour > 23 || minute > 59 || sec > 59 ||
		day < 1 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, fmt.Errorf("no such date or time")
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if hasOffset {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, nil
}

var (
	monthNames      = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	shortMonthNames = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	dayNames        = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortDayNames   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)
