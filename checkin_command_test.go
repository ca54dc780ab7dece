package baton_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/batonhq/baton"
)

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
