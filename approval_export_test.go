package baton_test

import (
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
)

func TestParseExportRange(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// 23:30 UTC on 27 Nov is already 28 Nov in Berlin.
	now := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		text, from, to, problem string
	}{
		{"", "2026-10-30", "2026-11-28", ""},
		{"  ", "2026-10-30", "2026-11-28", ""},
		{"2026-11-01", "2026-11-01", "2026-11-28", ""},
		{"2026-11-01 2026-11-15", "2026-11-01", "2026-11-15", ""},
		{"2026-11-15 2026-11-15", "2026-11-15", "2026-11-15", ""},
		{"2025-11-15 2026-11-15", "2025-11-15", "2026-11-15", ""},
		{"2024-02-29 2025-03-01", "2024-02-29", "2025-03-01", ""},
		{"2025-11-15 2026-11-16", "", "", "2025-11-15 to 2026-11-16 is more than a year. Export at most a year at a time, such as `/request export 2025-11-15 2026-11-15`."},
		{"2020-01-01", "", "", "2020-01-01 to 2026-11-28 is more than a year"},
		{"2026-11-15 2026-11-01", "", "", "The export would start on 2026-11-15, after its last day 2026-11-01. Put the earlier date first: `/request export 2026-11-01 2026-11-15`."},
		{"2026-12-10", "", "", "The export would start on 2026-12-10, after its last day 2026-11-28"},
		{"2026-13-01", "", "", `"2026-13-01" isn't a date I can read. Write dates as YYYY-MM-DD`},
		{"2026-02-30", "", "", `"2026-02-30" isn't a date I can read`},
		{"01/11/2026", "", "", `"01/11/2026" isn't a date I can read`},
		{"2026-11-01 tomorrow", "", "", `"tomorrow" isn't a date I can read`},
		{"2026-11-01 2026-11-02 2026-11-03", "", "", "Give at most two dates"},
	} {
		r, err := baton.ParseExportRange(tc.text, berlin, now)
		if tc.problem != "" {
			if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), tc.problem) {
				t.Errorf("%q: err = %v, want %q", tc.text, err, tc.problem)
			}
			continue
		}
		if err != nil || r.From != tc.from || r.To != tc.to {
			t.Errorf("%q = %+v, %v; want %s to %s", tc.text, r, err, tc.from, tc.to)
			continue
		}
		wantStart, _ := time.ParseInLocation(time.DateOnly, tc.from, berlin)
		wantEnd, _ := time.ParseInLocation(time.DateOnly, tc.to, berlin)
		if !r.Start.Equal(wantStart) || !r.End.Equal(wantEnd.AddDate(0, 0, 1)) {
			t.Errorf("%q: [%s, %s), want midnight of %s to midnight after %s in Berlin", tc.text, r.Start, r.End, tc.from, tc.to)
		}
	}
}

func FuzzParseExportRange(f *testing.F) {
	for _, s := range []string{"", "2026-11-01", "2026-11-01 2026-11-30", "2026-13-01", "x y z", "2026-11-30 2026-11-01"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		r, err := baton.ParseExportRange(text, time.UTC, now)
		if err != nil {
			if baton.ErrorMessage(err) == "" {
				t.Fatalf("%q: an error without words for the user: %v", text, err)
			}
			return
		}
		if !r.Start.Before(r.End) || r.End.After(r.Start.AddDate(1, 0, 1)) {
			t.Fatalf("%q: range [%s, %s) is empty or longer than a year", text, r.Start, r.End)
		}
	})
}
