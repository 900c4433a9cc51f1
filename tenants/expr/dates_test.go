package expr

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The date functions against the examples of Microsoft's reference
// (sections CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime,
// NumFromDate).
func TestEvalDates(t *testing.T) {
	tests := []evalTest{
		// CDate examples 1 to 3: the UTC equivalent as M/d/yyyy h:mm:ss tt.
		{"CDate/1", `CDate([StatusHireDate])`, map[string]any{"StatusHireDate": "2020-03-16-07:00"}, "3/16/2020 7:00:00 AM"},
		{"CDate/2", `CDate("2021-06-30+08:00")`, nil, "6/29/2021 4:00:00 PM"},
		{"CDate/3", `CDate("2009-06-15T01:45:30-07:00")`, nil, "6/15/2009 8:45:30 AM"},
		{"CDate/Entra text", `CDate("8/25/2021 5:41:18 PM")`, nil, "8/25/2021 5:41:18 PM"},
		{"CDate/Z", `CDate("2021-08-24T10:00:00.5Z")`, nil, "8/24/2021 10:00:00 AM"},
		{"CDate/null", `CDate([x])`, nil, nil},
		// DateAdd example 1, every row of its table.
		{"DateAdd/7 days", `DateAdd("d", 7, CDate([StatusHireDate]))`, map[string]any{"StatusHireDate": "2012-03-16-07:00"}, "3/23/2012 7:00:00 AM"},
		{"DateAdd/-10 days", `DateAdd("d", -10, CDate([StatusHireDate]))`, map[string]any{"StatusHireDate": "2012-03-16-07:00"}, "3/6/2012 7:00:00 AM"},
		{"DateAdd/2 weeks", `DateAdd("ww", 2, CDate([StatusHireDate]))`, map[string]any{"StatusHireDate": "2012-03-16-07:00"}, "3/30/2012 7:00:00 AM"},
		{"DateAdd/10 months", `DateAdd("m", 10, CDate([StatusHireDate]))`, map[string]any{"StatusHireDate": "2012-03-16-07:00"}, "1/16/2013 7:00:00 AM"},
		{"DateAdd/2 years", `DateAdd("yyyy", 2, CDate([StatusHireDate]))`, map[string]any{"StatusHireDate": "2012-03-16-07:00"}, "3/16/2014 7:00:00 AM"},
		{"DateAdd/month end", `DateAdd("m", 1, CDate("2021-01-31"))`, nil, "2/28/2021 12:00:00 AM"},
		{"DateAdd/leap year", `DateAdd("yyyy", 1, CDate("2020-02-29"))`, nil, "2/28/2021 12:00:00 AM"},
		{"DateAdd/hours", `DateAdd("h", 13, "1/1/2021 11:30:00 PM")`, nil, "1/2/2021 12:30:00 PM"},
		{"DateAdd/Now", `DateAdd("n", 30, Now())`, nil, "7/2/2021 4:03:38 PM"},
		// DateDiff example 1, every row of its table.
		{"DateDiff/positive days", `DateDiff("d", "2021-08-18+08:00", "2021-08-31+08:00")`, nil, int64(13)},
		{"DateDiff/negative days", `DateDiff("d", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")`, nil, int64(-3449)},
		{"DateDiff/weeks", `DateDiff("ww", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")`, nil, int64(-493)},
		{"DateDiff/months", `DateDiff("m", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")`, nil, int64(-113)},
		{"DateDiff/years", `DateDiff("yyyy", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")`, nil, int64(-9)},
		{"DateDiff/same", `DateDiff("d", "2021-08-31+08:00", "2021-08-31+08:00")`, nil, int64(0)},
		{"DateDiff/hours", `DateDiff("h", "2021-08-24", "2021-08-25")`, nil, int64(24)},
		{"DateDiff/minutes", `DateDiff("n", "2021-08-24", "2021-08-25")`, nil, int64(1440)},
		{"DateDiff/seconds", `DateDiff("s", "2021-08-24", "2021-08-25")`, nil, int64(86400)},
		{"DateDiff/centuries", `DateDiff("s", "0001-01-01", "9999-12-31")`, nil, int64(315537811200)},
		// DateDiff example 2: Switch with IIF on a DateDiff.
		{"DateDiff/IIF", "Switch([Active], , \n  \"1\", IIF(DateDiff(\"d\", Now(), CDate([StatusHireDate])) > 5, \"False\", \"True\"), \n  \"0\", \"False\")",
			map[string]any{"Active": "1", "StatusHireDate": "2021-07-05-07:00"}, "True"},
		{"DateDiff/IIF far", "Switch([Active], , \n  \"1\", IIF(DateDiff(\"d\", Now(), CDate([StatusHireDate])) > 5, \"False\", \"True\"), \n  \"0\", \"False\")",
			map[string]any{"Active": "1", "StatusHireDate": "2021-08-05-07:00"}, "False"},
		// DateFromNum: January 1, 2012 at 11:00 PM.
		{"DateFromNum", `DateFromNum(129699324000000000)`, nil, "1/1/2012 11:00:00 PM"},
		{"DateFromNum/attribute", `DateFromNum([lastLogonTimestamp])`, map[string]any{"lastLogonTimestamp": "129699324000000000"}, "1/1/2012 11:00:00 PM"},
		// NumFromDate: the Workday example.
		{"NumFromDate", `NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))`,
			map[string]any{"ContractEndDate": "2020-12-31-08:00"}, int64(132539615990000000)},
		{"NumFromDate/round trip", `DateFromNum(NumFromDate("2012-01-01T23:00:00Z"))`, nil, "1/1/2012 11:00:00 PM"},
		// FormatDateTime: "Output date as a string in a certain format".
		{"FormatDateTime", `FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")`, map[string]any{"extensionAttribute1": "20150123105347.1Z"}, "2015-01-23"},
		{"FormatDateTime/SuccessFactors", `FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")`, map[string]any{"endDate": "12/31/2020 11:59:59 PM"}, "2020-12-31"},
		{"FormatDateTime/three arguments", `FormatDateTime([d], "yyyy-MM-dd", "dddd, MMMM d, yyyy 'at' h:mm tt")`, map[string]any{"d": "2012-01-01"}, "Sunday, January 1, 2012 at 12:00 AM"},
		{"FormatDateTime/offset to UTC", `FormatDateTime("2021-06-30T20:00:00+08:00", , "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.fffK")`, nil, "2021-06-30T12:00:00.000Z"},
		{"FormatDateTime/two-digit year", `FormatDateTime("31.12.49", , "dd.MM.yy", "yyyy")`, nil, "2049"},
		{"FormatDateTime/escapes", `FormatDateTime("2021-01-02", , "yyyy-MM-dd", "\\d\\a\\y d%M")`, nil, "day 21"},
		{"FormatDateTime/null", `FormatDateTime([x], , "yyyy", "yyyy")`, nil, nil},
	}
	runEvalTests(t, tests)
}

func TestDateErrors(t *testing.T) {
	tests := []struct {
		src  string
		want Error
		eval bool // an evaluation error, else a parse error
	}{
		{`CDate("next Tuesday")`, Error{1, `CDate: expression: cannot read "next Tuesday" as a date (want e.g. 2009-06-15T01:45:30-07:00 or 6/15/2009 8:45:30 AM)`}, true},
		{`CDate("2021-02-30")`, Error{1, `CDate: expression: cannot read "2021-02-30" as a date (want e.g. 2009-06-15T01:45:30-07:00 or 6/15/2009 8:45:30 AM)`}, true},
		{`DateAdd("x", 1, Now())`, Error{1, `DateAdd: interval: want yyyy, m, d, ww, h, n or s, got "x"`}, true},
		{`DateAdd("yyyy", 9000, "2021-01-01")`, Error{1, "DateAdd: the result is outside the years 1 to 9999"}, true},
		{`DateFromNum(-1)`, Error{1, "DateFromNum: value -1 is not an Active Directory time"}, true},
		{`FormatDateTime("2021", , "yyyy-MM", "yyyy")`, Error{1, `FormatDateTime: cannot read "2021" with inputFormat: want "-" at position 5`}, true},
		{`FormatDateTime("12:00", , "HH:mm", "yyyy")`, Error{1, `FormatDateTime: cannot read "12:00" with inputFormat: the format has no year, month or day`}, true},
		{`FormatDateTime([d], , [f], "yyyy")`, Error{1, "FormatDateTime: inputFormat is empty"}, true},
		{`FormatDateTime([d], , "'yyyy", "yyyy")`, Error{23, "FormatDateTime: inputFormat: unterminated quoted text"}, false},
		{`FormatDateTime([d], "yyyy", "ffffffff")`, Error{29, "FormatDateTime: outputFormat: at most 7 f in a row"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			if err == nil && tt.eval {
				_, err = e.Eval(attrs(map[string]any{"d": "2021"}))
			}
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got %v, want *Error", err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDates: reading dates and .NET formats never panics; a date CDate
// reads prints as Entra text that reads back to the same second; a format
// with every field round-trips the time it prints.
func FuzzDates(f *testing.F) {
	for _, s := range []struct{ format, date string }{
		{"yyyyMMddHHmmss.fZ", "20150123105347.1Z"},
		{"M/d/yyyy hh:mm:ss tt", "12/31/2020 11:59:59 PM"},
		{"yyyy-MM-ddzzz", "2020-12-31-08:00"},
		{"dddd, MMMM d, yyyy 'at' h:mm tt", "Sunday, January 1, 2012 at 12:00 AM"},
		{`\d%M yy K`, "d1 49 Z"},
		{"yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "2009-06-15T01:45:30.25-07:00"},
	} {
		f.Add(s.format, s.date)
	}
	full := mustFormat("yyyy-MM-ddTHH:mm:ss.fffffffK")
	f.Fuzz(func(t *testing.T, format, date string) {
		if d, err := parseDate(date); err == nil {
			again, err := parseDate(d.Format(EntraTimeLayout))
			if err != nil || !again.Equal(d.Truncate(time.Second)) {
				t.Fatalf("parseDate(%q) = %v, but its Entra text reads as %v, %v", date, d, again, err)
			}
			if back, err := full.parse(full.format(d)); err != nil || !back.Equal(d) {
				t.Fatalf("%v printed with the full format reads as %v, %v", d, back, err)
			}
		}
		fm, err := parseFormat(format)
		if err != nil {
			return
		}
		if d, err := fm.parse(date); err == nil {
			_ = fm.format(d)
		}
	})
}
