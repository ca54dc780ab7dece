package baton_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton"
)

func TestParseWorkDays(t *testing.T) {
	week := func(days ...time.Weekday) [7]bool {
		var w [7]bool
		for _, d := range days {
			w[d] = true
		}
		return w
	}
	cases := map[string][7]bool{
		"mon-fri":     week(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday),
		"Sun-Thu":     week(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday),
		"mon,tue,thu": week(time.Monday, time.Tuesday, time.Thursday),
		"fri-mon":     week(time.Friday, time.Saturday, time.Sunday, time.Monday),
		"sat":         week(time.Saturday),
	}
	for in, want := range cases {
		got, err := baton.ParseWorkDays(in)
		if err != nil || got != want {
			t.Errorf("ParseWorkDays(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "weekdays", "mon-funday", "mon,,tue"} {
		if _, err := baton.ParseWorkDays(bad); baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("ParseWorkDays(%q) = %v, want an invalid-input error", bad, err)
		}
	}
}

func TestWorkWeekString(t *testing.T) {
	w := baton.DefaultWorkWeek()
	if got := w.String(); got != "Mon–Fri 09:00–18:00" {
		t.Errorf("default week = %q", got)
	}
	days, _ := baton.ParseWorkDays("mon,tue,thu")
	start, end, err := baton.ParseWorkHours("8:00-16:30")
	if err != nil {
		t.Fatal(err)
	}
	w = baton.WorkWeek{Days: days, Start: start, End: end}
	if got := w.String(); got != "Mon, Tue, Thu 08:00–16:30" {
		t.Errorf("week = %q", got)
	}
	if err := w.Validate(); err != nil {
		t.Error(err)
	}
	for in, want := range map[string]string{"sun-thu": "Sun–Thu", "fri-mon": "Fri–Mon", "mon-sun": "Every day", "sat,sun": "Sat, Sun", "mon,wed": "Mon, Wed"} {
		days, _ := baton.ParseWorkDays(in)
		if got := (baton.WorkWeek{Days: days, Start: start, End: end}).String(); got != want+" 08:00–16:30" {
			t.Errorf("%s → %q, want %q", in, got, want+" 08:00–16:30")
		}
	}
	if _, _, err := baton.ParseWorkHours("18:00"); err == nil {
		t.Error("a single time was accepted as working hours")
	}
}

func TestParseDigest(t *testing.T) {
	cases := map[string]baton.DigestSetting{
		"off":      {},
		"on":       {Daily: true, At: baton.DefaultDigestTime},
		"08:30":    {Daily: true, At: baton.Clock{Hour: 8, Minute: 30}},
		"at 17:00": {Daily: true, At: baton.Clock{Hour: 17}},
	}
	for in, want := range cases {
		if got, err := baton.ParseDigest(in); err != nil || got != want {
			t.Errorf("ParseDigest(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := baton.ParseDigest("whenever"); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("junk accepted: %v", err)
	}
}

func TestParseReminderOffsets(t *testing.T) {
	got, err := baton.ParseReminderOffsets("2d, 4h,30m,4h")
	want := []time.Duration{48 * time.Hour, 4 * time.Hour, 30 * time.Minute}
	if err != nil || len(got) != len(want) {
		t.Fatalf("offsets = %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("offset %d = %v, want %v", i, got[i], want[i])
		}
	}
	if s := baton.FormatOffsets(append(got, 90*time.Minute)); s != "48h, 4h, 30m, 1h30m" {
		t.Errorf("formatted %q", s)
	}
	for _, bad := range []string{"", "soon", "-2h", "0h", "15d", "1h,2h,3h,4h,5h"} {
		if _, err := baton.ParseReminderOffsets(bad); baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}
