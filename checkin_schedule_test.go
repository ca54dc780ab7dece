package baton_test

import (
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must not depend on the machine's zoneinfo

	"github.com/batonhq/baton"
)

// days builds a weekly day set.
func days(wds ...time.Weekday) [7]bool {
	var d [7]bool
	for _, wd := range wds {
		d[wd] = true
	}
	return d
}

func clock(h, m int) baton.Clock { return baton.Clock{Hour: h, Minute: m} }

func TestScheduleNext(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	berlin := mustLoad(t, "Europe/Berlin")
	lordHowe := mustLoad(t, "Australia/Lord_Howe")
	tokyo := mustLoad(t, "Asia/Tokyo")
	nyCal := baton.Calendar{Loc: ny, Week: baton.DefaultWorkWeek()}
	lhCal := baton.Calendar{Loc: lordHowe, Week: baton.DefaultWorkWeek()}
	bCal := berlinCal(t) // holidays 2026-12-25 and 2026-12-28
	bOOO := berlinCal(t)
	bOOO.OutOfOfficeUntil = "2026-12-02"

	daily := func(h, m int) baton.Schedule { return baton.Schedule{Repeat: baton.RepeatDaily, At: clock(h, m)} }
	weekdaysAt := func(h, m int, skip bool) baton.Schedule {
		return baton.Schedule{Repeat: baton.RepeatWeekdays, At: clock(h, m), SkipNonWorking: skip}
	}
	once := func(y int, mo time.Month, d, h, m int, skip bool) baton.Schedule {
		return baton.Schedule{Repeat: baton.RepeatOnce, Once: time.Date(y, mo, d, h, m, 0, 0, time.UTC), SkipNonWorking: skip}
	}
	monThu := baton.Schedule{Repeat: baton.RepeatWeekly, Days: days(time.Monday, time.Thursday), At: clock(16, 0), SkipNonWorking: true}
	every2 := baton.Schedule{Repeat: baton.RepeatEveryNWeeks, EveryWeeks: 2, Days: days(time.Monday), At: clock(10, 0),
		Anchor: "2026-11-27", SkipNonWorking: true}
	every2MonThu := baton.Schedule{Repeat: baton.RepeatEveryNWeeks, EveryWeeks: 2, Days: days(time.Monday, time.Thursday), At: clock(9, 0),
		Anchor: "2026-12-02"}
	saturdays := baton.Schedule{Repeat: baton.RepeatWeekly, Days: days(time.Saturday), At: clock(10, 0), SkipNonWorking: true}
	saturdaysAnyway := saturdays
	saturdaysAnyway.SkipNonWorking = false
	badAnchor := every2
	badAnchor.Anchor = "soon"
	badClock := daily(24, 0)
	noDays := baton.Schedule{Repeat: baton.RepeatWeekly, At: clock(9, 0)}
	in2h := baton.Schedule{Repeat: baton.RepeatOnce, InDuration: 2 * time.Hour, Once: time.Date(2026, 11, 28, 11, 0, 0, 0, time.UTC)}

	utc := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, time.UTC) }
	never := time.Time{}
	tests := []struct {
		name  string
		s     baton.Schedule
		cal   baton.Calendar
		after time.Time
		want  time.Time // zero: never fires
	}{
		// New York, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT.
		{"NY: 02:30 does not exist → 03:00 EDT", daily(2, 30), nyCal, time.Date(2026, 3, 7, 12, 0, 0, 0, ny), utc(2026, 3, 8, 7, 0)},
		{"NY: the next day is 02:30 EDT again", daily(2, 30), nyCal, utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)},
		{"NY: 09:30 EST before the change", daily(9, 30), nyCal, time.Date(2026, 3, 6, 10, 0, 0, 0, ny), utc(2026, 3, 7, 14, 30)},
		{"NY: 09:30 EDT after it, a different UTC instant", daily(9, 30), nyCal, time.Date(2026, 3, 7, 10, 0, 0, 0, ny), utc(2026, 3, 8, 13, 30)},
		// New York, Sunday 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
		{"NY: repeated 01:30 fires at the first one (EDT)", daily(1, 30), nyCal, time.Date(2026, 10, 31, 12, 0, 0, 0, ny), utc(2026, 11, 1, 5, 30)},
		{"NY: and not again an hour later", daily(1, 30), nyCal, utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)},
		{"NY: between the two 01:30s", daily(1, 30), nyCal, utc(2026, 11, 1, 6, 0), utc(2026, 11, 2, 6, 30)},
		// Berlin, Sunday 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
		{"Berlin: repeated 02:30 fires at the first one (CEST)", daily(2, 30), bCal, time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), utc(2026, 10, 25, 0, 30)},
		{"Berlin: and not at the second", daily(2, 30), bCal, utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)},
		{"Berlin: 09:30 stays local across the change", daily(9, 30), bCal, utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 8, 30)},
		// Lord Howe Island moves by half an hour. 2026-04-05: 02:00 +11 goes back to 01:30 +10:30.
		{"Lord Howe: repeated 01:45 fires at the first one (+11)", daily(1, 45), lhCal, utc(2026, 4, 4, 1, 0), utc(2026, 4, 4, 14, 45)},
		{"Lord Howe: and not at the second", daily(1, 45), lhCal, utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)},
		// 2026-10-04: 02:00 +10:30 jumps to 02:30 +11.
		{"Lord Howe: 02:15 does not exist → 02:30 +11", daily(2, 15), lhCal, utc(2026, 10, 3, 1, 0), utc(2026, 10, 3, 15, 30)},
		{"Lord Howe: 09:30 before the change (+10:30)", daily(9, 30), lhCal, utc(2026, 10, 2, 1, 0), utc(2026, 10, 2, 23, 0)},
		{"Lord Howe: 09:30 after it (+11)", daily(9, 30), lhCal, utc(2026, 10, 2, 23, 0), utc(2026, 10, 3, 22, 30)},

		// Working days.
		{"weekdays: Friday after 09:30 → Monday", weekdaysAt(9, 30, true), bCal, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 30, 0, 0, berlin)},
		{"weekdays: Friday before 09:30 → today", weekdaysAt(9, 30, true), bCal, time.Date(2026, 11, 27, 9, 0, 0, 0, berlin), time.Date(2026, 11, 27, 9, 30, 0, 0, berlin)},
		{"weekdays: exactly at 09:30 → the next one", weekdaysAt(9, 30, true), bCal, time.Date(2026, 11, 26, 9, 30, 0, 0, berlin), time.Date(2026, 11, 27, 9, 30, 0, 0, berlin)},
		{"weekdays skip Sat/Sun even without skipping days off", weekdaysAt(9, 30, false), bCal, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 30, 0, 0, berlin)},
		{"weekdays skip holidays", weekdaysAt(9, 30, true), bCal, time.Date(2026, 12, 24, 10, 0, 0, 0, berlin), time.Date(2026, 12, 29, 9, 30, 0, 0, berlin)},
		{"weekdays on a holiday when asked to", weekdaysAt(9, 30, false), bCal, time.Date(2026, 12, 24, 10, 0, 0, 0, berlin), time.Date(2026, 12, 25, 9, 30, 0, 0, berlin)},
		{"weekdays skip out-of-office", weekdaysAt(9, 30, true), bOOO, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), time.Date(2026, 12, 3, 9, 30, 0, 0, berlin)},
		{"daily skipping days off skips the weekend", baton.Schedule{Repeat: baton.RepeatDaily, At: clock(9, 30), SkipNonWorking: true}, bCal,
			time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 30, 0, 0, berlin)},
		{"daily without skipping fires on Saturday", daily(9, 30), bCal, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), time.Date(2026, 11, 28, 9, 30, 0, 0, berlin)},
		{"daily in the recipient's zone", daily(9, 30), baton.Calendar{Loc: tokyo}, utc(2026, 11, 27, 0, 0), utc(2026, 11, 27, 0, 30)},

		// Weekly on chosen days.
		{"mon,thu: Monday 16:00 → Thursday", monThu, bCal, time.Date(2026, 11, 30, 16, 0, 0, 0, berlin), time.Date(2026, 12, 3, 16, 0, 0, 0, berlin)},
		{"mon,thu: Thursday evening → Monday", monThu, bCal, time.Date(2026, 12, 3, 17, 0, 0, 0, berlin), time.Date(2026, 12, 7, 16, 0, 0, 0, berlin)},
		{"mon,thu: a holiday Monday is skipped", monThu, bCal, time.Date(2026, 12, 24, 17, 0, 0, 0, berlin), time.Date(2026, 12, 31, 16, 0, 0, 0, berlin)},
		{"Saturdays while skipping days off never fire", saturdays, bCal, utc(2026, 11, 27, 0, 0), never},
		{"Saturdays fire when days off are not skipped", saturdaysAnyway, bCal, utc(2026, 11, 27, 0, 0), time.Date(2026, 11, 28, 10, 0, 0, 0, berlin)},

		// Every two weeks, counted from the first chosen day on or after the anchor (Friday 2026-11-27).
		{"every 2 weeks: first Monday after the anchor", every2, bCal, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), time.Date(2026, 11, 30, 10, 0, 0, 0, berlin)},
		{"every 2 weeks: then two weeks later", every2, bCal, time.Date(2026, 11, 30, 10, 0, 0, 0, berlin), time.Date(2026, 12, 14, 10, 0, 0, 0, berlin)},
		{"every 2 weeks: a holiday Monday is skipped, not moved", every2, bCal, time.Date(2026, 12, 14, 10, 0, 0, 0, berlin), time.Date(2027, 1, 11, 10, 0, 0, 0, berlin)},
		{"every 2 weeks: nothing before the anchor", every2, bCal, utc(2026, 1, 1, 0, 0), time.Date(2026, 11, 30, 10, 0, 0, 0, berlin)},
		// Anchored on Wednesday 2026-12-02: the first chosen day is Thursday 12-03, so that week counts.
		{"every 2 weeks on mon,thu: this week's Thursday", every2MonThu, bCal, utc(2026, 11, 1, 0, 0), time.Date(2026, 12, 3, 9, 0, 0, 0, berlin)},
		{"every 2 weeks on mon,thu: then Monday two weeks on", every2MonThu, bCal, time.Date(2026, 12, 3, 9, 0, 0, 0, berlin), time.Date(2026, 12, 14, 9, 0, 0, 0, berlin)},
		{"every 2 weeks on mon,thu: and that week's Thursday", every2MonThu, bCal, time.Date(2026, 12, 14, 9, 0, 0, 0, berlin), time.Date(2026, 12, 17, 9, 0, 0, 0, berlin)},

		// Once.
		{"once: in the recipient's zone (Tokyo)", once(2026, 12, 1, 15, 0, true), baton.Calendar{Loc: tokyo}, utc(2026, 11, 27, 0, 0), utc(2026, 12, 1, 6, 0)},
		{"once: in the recipient's zone (New York)", once(2026, 12, 1, 15, 0, true), nyCal, utc(2026, 11, 27, 0, 0), utc(2026, 12, 1, 20, 0)},
		{"once: past → never", once(2026, 11, 20, 15, 0, true), bCal, utc(2026, 11, 27, 0, 0), never},
		{"once: exactly now → never", once(2026, 12, 1, 15, 0, false), bCal, time.Date(2026, 12, 1, 15, 0, 0, 0, berlin), never},
		{"once: on a holiday moves to the next working day", once(2026, 12, 25, 10, 0, true), bCal, utc(2026, 11, 27, 0, 0), time.Date(2026, 12, 29, 10, 0, 0, 0, berlin)},
		{"once: on a holiday when asked to", once(2026, 12, 25, 10, 0, false), bCal, utc(2026, 11, 27, 0, 0), time.Date(2026, 12, 25, 10, 0, 0, 0, berlin)},
		{"once: during out-of-office moves after it", once(2026, 12, 1, 10, 0, true), bOOO, utc(2026, 11, 27, 0, 0), time.Date(2026, 12, 3, 10, 0, 0, 0, berlin)},
		{"once: a time that does not exist", once(2026, 3, 8, 2, 30, false), nyCal, utc(2026, 3, 1, 0, 0), utc(2026, 3, 8, 7, 0)},
		{"in 2h: exactly then, even on a Saturday", in2h, bCal, utc(2026, 11, 28, 9, 0), utc(2026, 11, 28, 11, 0)},
		{"in 2h: once only", in2h, bCal, utc(2026, 11, 28, 11, 0), never},

		// Schedules that cannot fire.
		{"zero schedule", baton.Schedule{}, bCal, utc(2026, 11, 27, 0, 0), never},
		{"once without a date", baton.Schedule{Repeat: baton.RepeatOnce}, bCal, utc(2026, 11, 27, 0, 0), never},
		{"weekly without days", noDays, bCal, utc(2026, 11, 27, 0, 0), never},
		{"every 2 weeks without an anchor", badAnchor, bCal, utc(2026, 11, 27, 0, 0), never},
		{"a clock past midnight", badClock, bCal, utc(2026, 11, 27, 0, 0), never},
	}
	for _, tt := range tests {
		got, ok := tt.s.Next(tt.after, tt.cal)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("%s: Next(%v) = %v, %v; want %v", tt.name, tt.after.UTC(), got.UTC(), ok, tt.want.UTC())
		}
	}
}

// Walking a daily schedule across both New York changes gives one check-in a day, always at 01:30 local
// (or the first minute after it).
func TestScheduleNextWalksOnceADay(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	cal := baton.Calendar{Loc: ny}
	for _, tc := range []struct {
		s     baton.Schedule
		from  time.Time
		local []string
	}{
		{baton.Schedule{Repeat: baton.RepeatDaily, At: clock(1, 30)}, time.Date(2026, 10, 30, 12, 0, 0, 0, ny),
			[]string{"2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST", "2026-11-03 01:30 EST"}},
		{baton.Schedule{Repeat: baton.RepeatDaily, At: clock(2, 15)}, time.Date(2026, 3, 6, 12, 0, 0, 0, ny),
			[]string{"2026-03-07 02:15 EST", "2026-03-08 03:00 EDT", "2026-03-09 02:15 EDT", "2026-03-10 02:15 EDT"}},
	} {
		after := tc.from
		var got []string
		for range tc.local {
			next, ok := tc.s.Next(after, cal)
			if !ok {
				t.Fatalf("Next(%v) never fires", after)
			}
			got = append(got, next.In(ny).Format("2006-01-02 15:04 MST"))
			after = next
		}
		if !reflect.DeepEqual(got, tc.local) {
			t.Errorf("%s fires at %q, want %q", tc.s.Describe(), got, tc.local)
		}
	}
}

func TestScheduleDescribe(t *testing.T) {
	tests := []struct {
		s    baton.Schedule
		want string
	}{
		{baton.Schedule{Repeat: baton.RepeatWeekdays, At: clock(9, 30)}, "every weekday at 09:30"},
		{baton.Schedule{Repeat: baton.RepeatDaily, At: clock(9, 0)}, "every day at 09:00"},
		{baton.Schedule{Repeat: baton.RepeatWeekly, Days: days(time.Thursday, time.Monday), At: clock(16, 0)}, "every Mon and Thu at 16:00"},
		{baton.Schedule{Repeat: baton.RepeatWeekly, Days: days(time.Sunday, time.Wednesday, time.Friday, time.Monday), At: clock(8, 5)},
			"every Mon, Wed, Fri and Sun at 08:05"},
		{baton.Schedule{Repeat: baton.RepeatWeekly, Days: days(time.Sunday), At: clock(8, 5)}, "every Sun at 08:05"},
		{baton.Schedule{Repeat: baton.RepeatEveryNWeeks, EveryWeeks: 2, Days: days(time.Monday), At: clock(10, 0)}, "every 2 weeks on Mon at 10:00"},
		{baton.Schedule{Repeat: baton.RepeatOnce, Once: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)}, "on Tue 1 Dec at 15:00"},
		{baton.Schedule{Repeat: baton.RepeatOnce, InDuration: 2 * time.Hour}, "in 2 hours"},
		{baton.Schedule{Repeat: baton.RepeatOnce, InDuration: 90 * time.Minute}, "in 1 hour 30 minutes"},
		{baton.Schedule{Repeat: baton.RepeatOnce, InDuration: 25*time.Hour + time.Minute}, "in 1 day 1 hour 1 minute"},
		{baton.Schedule{Repeat: baton.RepeatOnce, InDuration: 72 * time.Hour}, "in 3 days"},
		{baton.Schedule{Repeat: baton.RepeatOnce, InDuration: time.Second}, "in less than a minute"},
		{baton.Schedule{}, "not scheduled"},
	}
	for _, tt := range tests {
		if got := tt.s.Describe(); got != tt.want {
			t.Errorf("Describe(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// A daily check-in walked through all of 2026 in zones with whole-hour, half-hour and midnight changes
// fires once on every local day: at its time, or where that time is skipped at the first minute after it,
// and where the time comes twice, at the first.
func TestScheduleNextEveryDayOf2026(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Asia/Tehran", "UTC"} {
		loc := mustLoad(t, zone)
		cal := baton.Calendar{Loc: loc}
		for _, at := range []baton.Clock{clock(0, 0), clock(0, 30), clock(1, 30), clock(1, 45), clock(2, 0), clock(2, 30), clock(9, 30), clock(23, 59)} {
			s := baton.Schedule{Repeat: baton.RepeatDaily, At: at}
			after := time.Date(2025, 12, 31, 23, 59, 30, 0, loc)
			for day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == 2026; day = day.AddDate(0, 0, 1) {
				next, ok := s.Next(after, cal)
				if !ok {
					t.Fatalf("%s %v: never fires after %v", zone, at, after)
				}
				local := next.In(loc)
				wall := local.Hour()*60 + local.Minute()
				if local.Format(time.DateOnly) != day.Format(time.DateOnly) || wall < at.Hour*60+at.Minute {
					t.Fatalf("%s %v: after %v fires at %v, want on %s", zone, at, after.In(loc), local, day.Format(time.DateOnly))
				}
				if wall != at.Hour*60+at.Minute {
					// Only where the time was skipped: a moment earlier the clock showed an earlier time.
					if before := next.Add(-time.Nanosecond).In(loc); before.Hour()*60+before.Minute() >= at.Hour*60+at.Minute && before.Day() == local.Day() {
						t.Fatalf("%s %v: fires at %v, later than needed", zone, at, local)
					}
				}
				for _, back := range []time.Duration{30 * time.Minute, time.Hour} {
					if e := next.Add(-back).In(loc); e.Format("2006-01-02 15:04") == local.Format("2006-01-02 15:04") {
						t.Fatalf("%s %v: fires at the second %v; the first was %v", zone, at, local, e)
					}
				}
				after = next
			}
		}
	}
}
