package baton_test

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must not depend on the machine's zoneinfo

	"github.com/batonhq/baton"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    baton.Clock
		wantErr string // a part of the message, when the clock is refused
	}{
		{in: "9:30", want: baton.Clock{Hour: 9, Minute: 30}},
		{in: "09:30", want: baton.Clock{Hour: 9, Minute: 30}},
		{in: " 16:00 ", want: baton.Clock{Hour: 16}},
		{in: "0:00", want: baton.Clock{}},
		{in: "23:59", want: baton.Clock{Hour: 23, Minute: 59}},
		{in: "4pm", want: baton.Clock{Hour: 16}},
		{in: "4:15 PM", want: baton.Clock{Hour: 16, Minute: 15}},
		{in: "9:30am", want: baton.Clock{Hour: 9, Minute: 30}},
		{in: "12am", want: baton.Clock{}},
		{in: "12pm", want: baton.Clock{Hour: 12}},
		{in: "12:30a.m.", want: baton.Clock{Minute: 30}},
		{in: "24:00", wantErr: "00:00 to 23:59"},
		{in: "25:10", wantErr: "00:00 to 23:59"},
		{in: "9:60", wantErr: "00–59"},
		{in: "13pm", wantErr: "from 1 to 12"},
		{in: "0am", wantErr: "from 1 to 12"},
		{in: "9", wantErr: "HH:MM"},
		{in: "9:5", wantErr: "HH:MM"},
		{in: "", wantErr: "HH:MM"},
		{in: "noon", wantErr: "HH:MM"},
		{in: "09:30:00", wantErr: "HH:MM"},
		{in: "-1:00", wantErr: "HH:MM"},
		{in: "１０:００", wantErr: "HH:MM"},
	}
	for _, tt := range tests {
		got, err := baton.ParseClock(tt.in)
		if tt.wantErr != "" {
			if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), tt.wantErr) {
				t.Errorf("ParseClock(%q) = %v, %v; want an invalid error mentioning %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if s := (baton.Clock{Hour: 9, Minute: 5}).String(); s != "09:05" {
		t.Errorf("Clock.String() = %q, want 09:05", s)
	}
}

func TestWorkWeekValidate(t *testing.T) {
	def := baton.DefaultWorkWeek()
	if err := def.Validate(); err != nil {
		t.Fatalf("default week: %v", err)
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if want := wd != time.Saturday && wd != time.Sunday; def.Days[wd] != want {
			t.Errorf("default week: %v working = %v, want %v", wd, def.Days[wd], want)
		}
	}
	if def.Start != (baton.Clock{Hour: 9}) || def.End != (baton.Clock{Hour: 18}) {
		t.Errorf("default hours = %v–%v, want 09:00–18:00", def.Start, def.End)
	}
	noDays := def
	noDays.Days = [7]bool{}
	backwards := def
	backwards.Start, backwards.End = baton.Clock{Hour: 18}, baton.Clock{Hour: 9}
	empty := def
	empty.End = empty.Start
	outOfRange := def
	outOfRange.End = baton.Clock{Hour: 25}
	for name, w := range map[string]baton.WorkWeek{"no days": noDays, "backwards": backwards, "empty": empty, "out of range": outOfRange} {
		if err := w.Validate(); baton.ErrorCode(err) != baton.EInvalid || baton.ErrorMessage(err) == "" {
			t.Errorf("%s: Validate() = %v, want an invalid error", name, err)
		}
	}
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// berlinCal is a Berlin calendar with the default week, Christmas off and no out-of-office.
func berlinCal(t testing.TB) baton.Calendar {
	return baton.Calendar{
		Loc:      mustLoad(t, "Europe/Berlin"),
		Week:     baton.DefaultWorkWeek(),
		Holidays: map[string]string{"2026-12-25": "Christmas", "2026-12-28": "Bridge day"},
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal := berlinCal(t)
	cal.OutOfOfficeUntil = "2026-12-02"
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-11-27", false}, // Friday, within the out-of-office (which has no start)
		{"2026-12-02", false}, // Wednesday, the last day away
		{"2026-12-03", true},  // Thursday, back
		{"2026-12-05", false}, // Saturday
		{"2026-12-06", false}, // Sunday
		{"2026-12-24", true},  // Thursday
		{"2026-12-25", false}, // Christmas
		{"2026-12-28", false}, // Monday, a holiday too
		{"2026-12-29", true},
	}
	for _, tt := range tests {
		day, _ := time.Parse(time.DateOnly, tt.day)
		if got := cal.IsWorkingDay(day); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.day, got, tt.want)
		}
		// The day is read as a date, whatever zone the value carries.
		inTokyo := time.Date(day.Year(), day.Month(), day.Day(), 23, 30, 0, 0, mustLoad(t, "Asia/Tokyo"))
		if got := cal.IsWorkingDay(inTokyo); got != tt.want {
			t.Errorf("IsWorkingDay(%v) = %v, want %v", inTokyo, got, tt.want)
		}
	}
}

func TestIsWorkingMoment(t *testing.T) {
	cal := berlinCal(t)
	berlin := cal.Loc
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"Friday 08:59", time.Date(2026, 12, 4, 8, 59, 0, 0, berlin), false},
		{"Friday 09:00", time.Date(2026, 12, 4, 9, 0, 0, 0, berlin), true},
		{"Friday 17:59", time.Date(2026, 12, 4, 17, 59, 59, 0, berlin), true},
		{"Friday 18:00", time.Date(2026, 12, 4, 18, 0, 0, 0, berlin), false},
		{"Saturday noon", time.Date(2026, 12, 5, 12, 0, 0, 0, berlin), false},
		{"Christmas noon", time.Date(2026, 12, 25, 12, 0, 0, 0, berlin), false},
		// 08:30 UTC is 09:30 in Berlin: the person's zone decides, not the value's.
		{"Friday 08:30 UTC", time.Date(2026, 12, 4, 8, 30, 0, 0, time.UTC), true},
		// Friday 23:30 UTC is already Saturday in Berlin.
		{"Friday 23:30 UTC", time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := cal.IsWorkingMoment(tt.at); got != tt.want {
			t.Errorf("%s: IsWorkingMoment = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNextWorkingMoment(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	lordHowe := mustLoad(t, "Australia/Lord_Howe")
	everyDay := [7]bool{true, true, true, true, true, true, true}
	// Sunday 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT, so a 02:30 start does not exist.
	nightShiftNY := baton.Calendar{Loc: ny, Week: baton.WorkWeek{Days: everyDay, Start: baton.Clock{Hour: 2, Minute: 30}, End: baton.Clock{Hour: 12}}}
	// Sunday 2026-10-04 on Lord Howe Island: 02:00 jumps to 02:30.
	nightShiftLH := baton.Calendar{Loc: lordHowe, Week: baton.WorkWeek{Days: everyDay, Start: baton.Clock{Hour: 2, Minute: 15}, End: baton.Clock{Hour: 12}}}
	withOOO := berlinCal(t)
	withOOO.OutOfOfficeUntil = "2026-12-02"
	oooToFriday := berlinCal(t)
	oooToFriday.OutOfOfficeUntil = "2026-12-04"
	farOOO := berlinCal(t)
	farOOO.OutOfOfficeUntil = "2099-12-31"
	brokenWeek := berlinCal(t)
	brokenWeek.Week = baton.WorkWeek{} // no days: the default week stands in

	tests := []struct {
		name string
		cal  baton.Calendar
		at   time.Time
		want time.Time
	}{
		{"Friday evening → Monday 09:00", berlinCal(t), time.Date(2026, 11, 27, 19, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"Friday at 18:00 sharp → Monday", berlinCal(t), time.Date(2026, 11, 27, 18, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"during hours → itself", berlinCal(t), time.Date(2026, 11, 27, 10, 17, 3, 0, berlin), time.Date(2026, 11, 27, 10, 17, 3, 0, berlin)},
		{"early morning → 09:00 the same day", berlinCal(t), time.Date(2026, 11, 27, 6, 0, 0, 0, berlin), time.Date(2026, 11, 27, 9, 0, 0, 0, berlin)},
		{"Saturday → Monday", berlinCal(t), time.Date(2026, 11, 28, 12, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"Thursday evening before Christmas → past the holidays and the weekend", berlinCal(t),
			time.Date(2026, 12, 24, 18, 30, 0, 0, berlin), time.Date(2026, 12, 29, 9, 0, 0, 0, berlin)},
		{"on a holiday", berlinCal(t), time.Date(2026, 12, 25, 11, 0, 0, 0, berlin), time.Date(2026, 12, 29, 9, 0, 0, 0, berlin)},
		{"during out-of-office → the day after it", withOOO, time.Date(2026, 11, 30, 10, 0, 0, 0, berlin), time.Date(2026, 12, 3, 9, 0, 0, 0, berlin)},
		{"out-of-office to a Friday → Monday", oooToFriday, time.Date(2026, 12, 1, 10, 0, 0, 0, berlin), time.Date(2026, 12, 7, 9, 0, 0, 0, berlin)},
		{"a long out-of-office is skipped in one step", farOOO, time.Date(2026, 12, 1, 10, 0, 0, 0, berlin), time.Date(2100, 1, 1, 9, 0, 0, 0, berlin)},
		{"zero calendar: UTC, Mon–Fri 09:00–18:00", baton.Calendar{}, time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)},
		{"a week without days counts as the default", brokenWeek, time.Date(2026, 11, 28, 12, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"the moment is read in the person's zone", berlinCal(t), time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)},
		{"DST gap: 02:30 does not exist in New York → 03:00 EDT", nightShiftNY,
			time.Date(2026, 3, 8, 1, 0, 0, 0, ny), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"the day after the gap starts at 02:30 EDT again", nightShiftNY,
			time.Date(2026, 3, 8, 13, 0, 0, 0, ny), time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC)},
		{"DST gap: 02:15 does not exist on Lord Howe → 02:30 +11", nightShiftLH,
			time.Date(2026, 10, 4, 1, 0, 0, 0, lordHowe), time.Date(2026, 10, 3, 15, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got := tt.cal.NextWorkingMoment(tt.at)
		if !got.Equal(tt.want) {
			t.Errorf("%s: NextWorkingMoment(%v) = %v, want %v", tt.name, tt.at, got, tt.want.In(tt.at.Location()))
		}
		if !tt.cal.IsWorkingMoment(got) {
			t.Errorf("%s: %v is not a working moment", tt.name, got)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	everyDay := [7]bool{true, true, true, true, true, true, true}
	nyCal := baton.Calendar{Loc: ny, Week: baton.DefaultWorkWeek()}
	nyEveryDay := baton.Calendar{Loc: ny, Week: baton.WorkWeek{Days: everyDay, Start: baton.Clock{}, End: baton.Clock{Hour: 23, Minute: 59}}}
	withOOO := berlinCal(t)
	withOOO.OutOfOfficeUntil = "2026-12-02"

	tests := []struct {
		name string
		cal  baton.Calendar
		at   time.Time
		n    int
		want time.Time
	}{
		{"zero days", berlinCal(t), time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), 0, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin)},
		{"negative days", berlinCal(t), time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), -3, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin)},
		{"Thursday + 1", berlinCal(t), time.Date(2026, 11, 26, 10, 0, 0, 0, berlin), 1, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin)},
		{"Friday + 1 → Monday, same time", berlinCal(t), time.Date(2026, 11, 27, 10, 15, 30, 5, berlin), 1, time.Date(2026, 11, 30, 10, 15, 30, 5, berlin)},
		{"Thursday + 3 across the weekend", berlinCal(t), time.Date(2026, 11, 26, 17, 0, 0, 0, berlin), 3, time.Date(2026, 12, 1, 17, 0, 0, 0, berlin)},
		{"Saturday + 1 → Monday", berlinCal(t), time.Date(2026, 11, 28, 11, 0, 0, 0, berlin), 1, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin)},
		{"across Christmas, the weekend and a bridge day", berlinCal(t), time.Date(2026, 12, 23, 9, 0, 0, 0, berlin), 2, time.Date(2026, 12, 29, 9, 0, 0, 0, berlin)},
		{"in the evening, outside working hours, the time stays", berlinCal(t), time.Date(2026, 12, 24, 22, 0, 0, 0, berlin), 1, time.Date(2026, 12, 29, 22, 0, 0, 0, berlin)},
		{"days away do not count", withOOO, time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), 2, time.Date(2026, 12, 4, 10, 0, 0, 0, berlin)},
		{"across spring forward the local time stays", nyCal, time.Date(2026, 3, 6, 9, 30, 0, 0, ny), 1, time.Date(2026, 3, 9, 13, 30, 0, 0, time.UTC)},
		{"a time the target day skips → the first minute after", nyEveryDay, time.Date(2026, 3, 7, 2, 30, 0, 0, ny), 1, time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"a time the target day repeats → the first time", nyEveryDay, time.Date(2026, 10, 31, 1, 30, 0, 0, ny), 1, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := tt.cal.AddWorkingDays(tt.at, tt.n); !got.Equal(tt.want) {
			t.Errorf("%s: AddWorkingDays(%v, %d) = %v, want %v", tt.name, tt.at, tt.n, got, tt.want.In(tt.at.Location()))
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, berlin)
	}
	withOOO := berlinCal(t)
	withOOO.OutOfOfficeUntil = "2026-12-02"
	tests := []struct {
		name     string
		cal      baton.Calendar
		from, to time.Time
		want     int
	}{
		{"the same day", berlinCal(t), at(12, 2, 9), at(12, 2, 17), 0},
		{"Monday to Wednesday", berlinCal(t), at(11, 30, 17), at(12, 2, 9), 2},
		{"Friday evening to Monday morning", berlinCal(t), at(11, 27, 20), at(11, 30, 8), 1},
		{"Saturday to Sunday", berlinCal(t), at(11, 28, 10), at(11, 29, 10), 0},
		{"across Christmas and the bridge day", berlinCal(t), at(12, 23, 9), at(12, 29, 9), 2},
		{"days away do not count", withOOO, at(11, 27, 10), at(12, 4, 10), 2},
		{"backwards", berlinCal(t), at(12, 4, 10), at(12, 1, 10), 0},
		{"late in UTC is the next day in Tokyo", baton.Calendar{Loc: mustLoad(t, "Asia/Tokyo")},
			time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), 1},
	}
	for _, tt := range tests {
		if got := tt.cal.WorkingDaysBetween(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: WorkingDaysBetween(%v, %v) = %d, want %d", tt.name, tt.from, tt.to, got, tt.want)
		}
	}
	if got := berlinCal(t).WorkingDaysBetween(at(1, 1, 9).AddDate(-40, 0, 0), at(1, 1, 9)); got > 3660 || got < 2000 {
		t.Errorf("forty years back counts %d working days; want it bounded by ten years of days", got)
	}
}
