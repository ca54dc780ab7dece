package baton_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must not depend on the machine's zoneinfo
	"unicode/utf8"

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

func TestParseCheckinCommand(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, berlin) // Friday 10:00 in Berlin
	ana := []baton.UserRef{{Name: "ana"}}
	u1 := []baton.UserRef{{ID: "U1"}}
	type sched = baton.Schedule
	tests := []struct {
		text string
		want baton.CheckinCommand
	}{
		{"<@U1> <@U2|bo> every weekday at 09:30 for T-12 How is the launch going?", baton.CheckinCommand{
			Recipients: []baton.UserRef{{ID: "U1"}, {ID: "U2", Name: "bo"}},
			Schedule:   sched{Repeat: baton.RepeatWeekdays, At: clock(9, 30), SkipNonWorking: true},
			TaskNumber: 12, Message: "How is the launch going?"}},
		{"@ana every mon,thu at 16:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatWeekly, Days: days(time.Monday, time.Thursday), At: clock(16, 0), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana Every Monday, Thursday at 4pm Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatWeekly, Days: days(time.Monday, time.Thursday), At: clock(16, 0), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana weekly on tue and fri at 9:30 am Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatWeekly, Days: days(time.Tuesday, time.Friday), At: clock(9, 30), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana every mondays at 9:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatWeekly, Days: days(time.Monday), At: clock(9, 0), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana daily at 9:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, Message: "Status?"}},
		{"@ana every day at 18:45 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(18, 45), SkipNonWorking: true}, Message: "Status?"}},
		{"@ana weekdays at 08:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatWeekdays, At: clock(8, 0), SkipNonWorking: true}, Message: "Status?"}},
		{"@ana every 2 weeks on mon at 10:00 Retro notes?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatEveryNWeeks, EveryWeeks: 2, Days: days(time.Monday), At: clock(10, 0),
				Anchor: "2026-11-27", SkipNonWorking: true},
			Message: "Retro notes?"}},
		{"@ana every 1 week on fri at 10:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatWeekly, Days: days(time.Friday), At: clock(10, 0), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana tomorrow at 10:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatOnce, Once: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana today at 10:01 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatOnce, Once: time.Date(2026, 11, 27, 10, 1, 0, 0, time.UTC), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana on 2026-12-01 at 15:00 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatOnce, Once: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), SkipNonWorking: true},
			Message:  "Status?"}},
		{"@ana in 2h Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatOnce, InDuration: 2 * time.Hour, Once: time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)},
			Message:  "Status?"}},
		{"@ana in 1h30m for t-3 Status?", baton.CheckinCommand{Recipients: ana,
			Schedule:   sched{Repeat: baton.RepeatOnce, InDuration: 90 * time.Minute, Once: time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)},
			TaskNumber: 3, Message: "Status?"}},
		{"@ana in 90 minutes Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatOnce, InDuration: 90 * time.Minute, Once: time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)},
			Message:  "Status?"}},
		{"@ana in 3 days Status?", baton.CheckinCommand{Recipients: ana,
			Schedule: sched{Repeat: baton.RepeatOnce, InDuration: 72 * time.Hour, Once: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
			Message:  "Status?"}},
		// Mentions separated by commas, repeated people counted once.
		{"<@U1>, <@U1|ana> @ana @Ana, @bo daily at 9:00 hi", baton.CheckinCommand{
			Recipients: []baton.UserRef{{ID: "U1"}, {Name: "ana"}, {Name: "bo"}},
			Schedule:   sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, Message: "hi"}},
		// The message keeps its lines and Slack's escapes are undone.
		{"<@U1> daily at 9:00   Line one\nLine &lt;two&gt; &amp; more  ", baton.CheckinCommand{Recipients: u1,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, Message: "Line one\nLine <two> & more"}},
		// "for" that is not followed by a task is part of the message.
		{"<@U1> daily at 9:00 for the launch: how is it going?", baton.CheckinCommand{Recipients: u1,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, Message: "for the launch: how is it going?"}},
		{"<@U1> daily at 9:00 for #T-7 for T-8", baton.CheckinCommand{Recipients: u1,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, TaskNumber: 7, Message: "for T-8"}},
		// A reminder to whoever has not seen a delivery after a while, with or without a task.
		{"<@U1> every weekday at 09:30 for T-12 remind after 2h How is the launch going?", baton.CheckinCommand{Recipients: u1,
			Schedule:   sched{Repeat: baton.RepeatWeekdays, At: clock(9, 30), SkipNonWorking: true},
			TaskNumber: 12, RemindAfter: 2 * time.Hour, Message: "How is the launch going?"}},
		{"<@U1> daily at 9:00 Remind After 1 day Status?", baton.CheckinCommand{Recipients: u1,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, RemindAfter: 24 * time.Hour, Message: "Status?"}},
		// "remind" not followed by "after" is part of the message.
		{"<@U1> daily at 9:00 remind me what we agreed?", baton.CheckinCommand{Recipients: u1,
			Schedule: sched{Repeat: baton.RepeatDaily, At: clock(9, 0), SkipNonWorking: true}, Message: "remind me what we agreed?"}},
	}
	for _, tt := range tests {
		got, err := baton.ParseCheckinCommand(tt.text, now)
		if err != nil {
			t.Errorf("ParseCheckinCommand(%q): %v", tt.text, err)
			continue
		}
		if !got.Schedule.Once.IsZero() {
			got.Schedule.Once = got.Schedule.Once.UTC() // compare the instant and wall clock, not the pointer
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCheckinCommand(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
		}
	}
}

func TestParseCheckinCommandTomorrowIsTheTypistsTomorrow(t *testing.T) {
	// Friday 23:30 UTC is already Saturday in Tokyo.
	now := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	for zone, want := range map[string]time.Time{
		"UTC":        time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		"Asia/Tokyo": time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC),
	} {
		c, err := baton.ParseCheckinCommand("@ana tomorrow at 10:00 hi", now.In(mustLoad(t, zone)))
		if err != nil || !c.Schedule.Once.Equal(want) {
			t.Errorf("%s: tomorrow = %v, %v; want %v", zone, c.Schedule.Once, err, want)
		}
	}
}

func TestParseCheckinCommandErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, berlin) // Friday 10:00 in Berlin
	var people []string
	for i := range 21 {
		people = append(people, "<@U"+string(rune('A'+i))+">")
	}
	many := strings.Join(people, " ") + " "
	tests := []struct {
		text string
		want []string // parts of the message
	}{
		{"", []string{"Start with who", "/checkin @ana every weekday at 09:30"}},
		{"every weekday at 9:30 hi", []string{"Start with who"}},
		{"<!here> daily at 9:00 hi", []string{"Start with who"}},
		{"<@U1>", []string{"Say when to check in", "every mon,thu at 16:00"}},
		{"<@U1> sometimes hi", []string{`"sometimes"`, "These work:", "every weekday at 09:30", "in 2h", "on 2026-12-01 at 15:00"}},
		{"<@U1> every weekday", []string{"Say what time: `every weekday at 09:30`"}},
		{"<@U1> every weekday How is it going?", []string{"Say what time: `every weekday at 09:30`"}},
		{"<@U1>   daily\n  please", []string{"Say what time: `daily at 09:30`"}},
		{"<@U1> every mon How is it going?", []string{"Say what time: `every mon at 09:30`"}},
		{"<@U1> every foo at 9:00 hi", []string{`"foo" is not a day of the week`, "These work:"}},
		{"<@U1> every mon,foo at 9:00 hi", []string{`"foo" is not a day of the week`}},
		{"<@U1> every at 9:00 hi", []string{"Say which days"}},
		{"<@U1> weekly at 9:00 hi", []string{"weekly on mon,thu at 16:00"}},
		{"<@U1> every 2 days at 9:00 hi", []string{"every 2 weeks on mon at 10:00"}},
		{"<@U1> every 2 weeks at 9:00 hi", []string{"every 2 weeks on mon at 10:00"}},
		{"<@U1> every 60 weeks on mon at 9:00 hi", []string{"1 to 52"}},
		{"<@U1> every 0 weeks on mon at 9:00 hi", []string{"1 to 52"}},
		{"<@U1> daily at 25:00 hi", []string{"00:00 to 23:59"}},
		{"<@U1> daily at 9 hi", []string{"HH:MM"}},
		{"<@U1> daily at", []string{"Say what time"}},
		{"<@U1> on 2026-11-20 at 15:00 hi", []string{"Fri 20 Nov 2026 at 15:00 has already passed"}},
		{"<@U1> today at 09:59 hi", []string{"has already passed", "later time"}},
		{"<@U1> today at 10:00 hi", []string{"has already passed"}},
		{"<@U1> on 1/12 at 15:00 hi", []string{`"1/12" is not a date`, "YYYY-MM-DD"}},
		{"<@U1> on 2026-02-30 at 15:00 hi", []string{"not a date"}},
		{"<@U1> on 2026-12-01 hi", []string{"Say what time: `on 2026-12-01 at 09:30`"}},
		{"<@U1> in soon hi", []string{"in 2h", "in 30m"}},
		{"<@U1> in 2 fortnights hi", []string{"in 2h"}},
		{"<@U1> in", []string{"in 2h"}},
		{"<@U1> in 0m hi", []string{"at least a minute"}},
		{"<@U1> in 400 days hi", []string{"too far ahead"}},
		{"<@U1> in 999999w hi", []string{"too far ahead"}},
		{"<@U1> in 200d200d hi", []string{"too far ahead"}},
		{"<@U1> daily at 9:00", []string{"Add the question"}},
		{"<@U1> daily at 9:00 remind after soon hi", []string{"remind after 2h"}},
		{"<@U1> daily at 9:00 remind after 5m hi", []string{"between 15 minutes and 7 days"}},
		{"<@U1> daily at 9:00 remind after 8d hi", []string{"between 15 minutes and 7 days"}},
		{"<@U1> daily at 9:00 remind after 2h", []string{"Add the question"}},
		{"<@U1> daily at 9:00 for T-12   ", []string{"Add the question"}},
		{"<@U1> daily at 9:00 " + strings.Repeat("é", 3001), []string{"3001 characters", "3000 at most"}},
		{many + "daily at 9:00 hi", []string{"21 people", "20 at most"}},
	}
	for _, tt := range tests {
		got, err := baton.ParseCheckinCommand(tt.text, now)
		if baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("ParseCheckinCommand(%q) = %+v, %v; want an invalid error", tt.text, got, err)
			continue
		}
		for _, part := range tt.want {
			if msg := baton.ErrorMessage(err); !strings.Contains(msg, part) {
				t.Errorf("ParseCheckinCommand(%q) error %q does not mention %q", tt.text, msg, part)
			}
		}
	}
	// Exactly at the limit is fine.
	if _, err := baton.ParseCheckinCommand("<@U1> daily at 9:00 "+strings.Repeat("é", 3000), now); err != nil {
		t.Errorf("a 3000-character message: %v", err)
	}
	if _, err := baton.ParseCheckinCommand(strings.Join(people[:20], " ")+" daily at 9:00 hi", now); err != nil {
		t.Errorf("20 people: %v", err)
	}
}

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

func FuzzParseCheckinCommand(f *testing.F) {
	for _, s := range []string{
		"", "<@U1> <@U2|bo> every weekday at 09:30 for T-12 How is the launch going?", "@ana every mon,thu at 16:00 hi",
		"@ana tomorrow at 10:00 hi", "@ana on 2026-12-01 at 15:00 hi", "@ana in 2h hi", "@ana daily at 9:00 hi",
		"@ana every 2 weeks on mon at 10:00 hi", "@ana every 99999999999999999999 weeks on mon at 10:00 hi",
		"@ana in 99999999999999999999h hi", "@ana in 1h30m for T-3", "@ana weekly on , at 9pm x", "@ana every ,,, at 9 x",
		"<@U1>,,", "@ana today at 23:59 \x00", "@ana daily at 9:30 am", "@ana every mon and at 12am x",
		"<@U1|> daily at 9:00 \u00a0", "@ana on 0000-01-01 at 00:00 x", "@ana on 9999-12-31 at 23:59 x",
	} {
		f.Add(s, int16(0))
	}
	berlin := mustLoad(f, "Europe/Berlin")
	cal := berlinCal(f)
	f.Fuzz(func(t *testing.T, text string, minutes int16) {
		now := time.Date(2026, 11, 27, 10, 0, 0, 0, berlin).Add(time.Duration(minutes) * time.Minute)
		c, err := baton.ParseCheckinCommand(text, now)
		if err != nil {
			if baton.ErrorCode(err) != baton.EInvalid || baton.ErrorMessage(err) == "" {
				t.Fatalf("ParseCheckinCommand(%q) error %v is not a user-facing invalid error", text, err)
			}
			return
		}
		if len(c.Recipients) == 0 || len(c.Recipients) > baton.MaxCheckinRecipients {
			t.Fatalf("ParseCheckinCommand(%q) has %d recipients", text, len(c.Recipients))
		}
		if strings.TrimSpace(c.Message) == "" || utf8.RuneCountInString(c.Message) > baton.MaxCheckinMessageLen {
			t.Fatalf("ParseCheckinCommand(%q) message %q", text, c.Message)
		}
		if c.TaskNumber < 0 {
			t.Fatalf("ParseCheckinCommand(%q) task %d", text, c.TaskNumber)
		}
		if c.Schedule.Describe() == "not scheduled" {
			t.Fatalf("ParseCheckinCommand(%q) schedule %+v cannot be described", text, c.Schedule)
		}
		next, ok := c.Schedule.Next(now, cal)
		if c.Schedule.Repeat == baton.RepeatOnce && !ok {
			t.Fatalf("ParseCheckinCommand(%q) accepted a check-in that never fires: %+v", text, c.Schedule)
		}
		if ok && !next.After(now) {
			t.Fatalf("Next(%v) = %v, not after", now, next)
		}
	})
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
