package baton_test

import (
	"regexp"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must not depend on the machine's zoneinfo

	"github.com/batonhq/baton"
)

// friday is the fixed clock of the due tests: Friday 27 November 2026, 10:00 in Berlin (CET, UTC+1).
var friday = time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC)

func TestNewDueDateOnly(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	d, err := baton.NewDue(" 2026-12-04 ", "", berlin, friday)
	if err != nil {
		t.Fatalf("NewDue: %v", err)
	}
	if d.Date != "2026-12-04" || d.Time != "" || d.HasTime || !d.Set() {
		t.Errorf("due = %+v", d)
	}
	// A whole-day due date falls due at the start of the next day, in the zone it was set in.
	wantAt := time.Date(2026, 12, 5, 0, 0, 0, 0, berlin)
	if !d.At.Equal(wantAt) {
		t.Errorf("At = %v, want %v", d.At, wantAt)
	}
	if got := d.At.UTC(); !got.Equal(time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("At in UTC = %v, want 2026-12-04 23:00 UTC", got)
	}
	if d.String() != "2026-12-04" {
		t.Errorf("String() = %q", d.String())
	}
	if d.Text() != "Fri 4 Dec 2026" {
		t.Errorf("Text() = %q", d.Text())
	}
}

func TestNewDueWithTime(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	d, err := baton.NewDue("2026-12-04", " 15:00 ", berlin, friday)
	if err != nil {
		t.Fatalf("NewDue: %v", err)
	}
	if d.Date != "2026-12-04" || d.Time != "15:00" || !d.HasTime {
		t.Errorf("due = %+v", d)
	}
	wantAt := time.Date(2026, 12, 4, 15, 0, 0, 0, berlin)
	if !d.At.Equal(wantAt) {
		t.Errorf("At = %v, want %v", d.At, wantAt)
	}
	if d.String() != "2026-12-04T14:00:00Z" {
		t.Errorf("String() = %q, want the UTC instant", d.String())
	}
	if d.Text() != "Fri 4 Dec 2026 15:00" {
		t.Errorf("Text() = %q", d.Text())
	}
}

func TestNewDueTable(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	// friday is 10:00 in Berlin.
	tests := []struct {
		name   string
		date   string
		clock  string
		ok     bool
		wantAt time.Time // checked when ok and non-zero
	}{
		{name: "nothing", date: "", clock: "", ok: true},
		{name: "blank", date: "  ", clock: " ", ok: true},
		{name: "today", date: "2026-11-27", ok: true, wantAt: time.Date(2026, 11, 28, 0, 0, 0, 0, berlin)},
		{name: "tomorrow", date: "2026-11-28", ok: true, wantAt: time.Date(2026, 11, 29, 0, 0, 0, 0, berlin)},
		{name: "end of year", date: "2026-12-31", ok: true, wantAt: time.Date(2027, 1, 1, 0, 0, 0, 0, berlin)},
		{name: "leap day", date: "2028-02-29", ok: true, wantAt: time.Date(2028, 3, 1, 0, 0, 0, 0, berlin)},
		{name: "yesterday", date: "2026-11-26"},
		{name: "last year", date: "2025-12-04"},
		{name: "today later", date: "2026-11-27", clock: "10:01", ok: true, wantAt: time.Date(2026, 11, 27, 10, 1, 0, 0, berlin)},
		{name: "today right now", date: "2026-11-27", clock: "10:00"},
		{name: "today earlier", date: "2026-11-27", clock: "09:59"},
		{name: "today midnight", date: "2026-11-27", clock: "00:00"},
		{name: "tomorrow midnight", date: "2026-11-28", clock: "00:00", ok: true, wantAt: time.Date(2026, 11, 28, 0, 0, 0, 0, berlin)},
		{name: "yesterday with time", date: "2026-11-26", clock: "23:00"},
		{name: "time without date", date: "", clock: "15:00"},
		{name: "european date", date: "04/12/2026"},
		{name: "us date", date: "12/04/2026"},
		{name: "short month", date: "2026-1-05"},
		{name: "short day", date: "2026-12-4"},
		{name: "month 13", date: "2026-13-01"},
		{name: "30 February", date: "2026-02-30"},
		{name: "not a leap year", date: "2027-02-29"},
		{name: "timestamp", date: "2026-12-04T15:00"},
		{name: "word", date: "tomorrow"},
		{name: "junk", date: "soon"},
		{name: "hour 24", date: "2026-12-04", clock: "24:00"},
		{name: "minute 60", date: "2026-12-04", clock: "15:60"},
		{name: "hour only", date: "2026-12-04", clock: "15"},
		{name: "am/pm", date: "2026-12-04", clock: "3pm"},
		{name: "seconds", date: "2026-12-04", clock: "15:00:00"},
		{name: "dot", date: "2026-12-04", clock: "15.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := baton.NewDue(tt.date, tt.clock, berlin, friday)
			if !tt.ok {
				wantCode(t, err, baton.EInvalid)
				if d != (baton.Due{}) {
					t.Errorf("refused NewDue returned %+v", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewDue(%q, %q): %v", tt.date, tt.clock, err)
			}
			if !tt.wantAt.IsZero() && !d.At.Equal(tt.wantAt) {
				t.Errorf("At = %v, want %v", d.At, tt.wantAt)
			}
			if tt.wantAt.IsZero() && d.Set() {
				t.Errorf("NewDue(%q, %q) = %+v, want no due date", tt.date, tt.clock, d)
			}
		})
	}
}

func TestNewDueAcrossDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	// Clocks go forward in Berlin on 28 March 2027: that day is 23 hours long.
	d, err := baton.NewDue("2027-03-28", "", berlin, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 3, 28, 22, 0, 0, 0, time.UTC); !d.At.Equal(want) {
		t.Errorf("At = %v, want %v (midnight CEST)", d.At.UTC(), want)
	}
	d, err = baton.NewDue("2027-03-28", "12:00", berlin, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 3, 28, 10, 0, 0, 0, time.UTC); !d.At.Equal(want) {
		t.Errorf("At = %v, want %v (noon CEST)", d.At.UTC(), want)
	}
}

func TestParseDueWord(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	if wd := friday.In(berlin).Weekday(); wd != time.Friday {
		t.Fatalf("the fixed clock is a %v, the table assumes Friday", wd)
	}
	tests := []struct {
		word string
		date string // "" means refused
	}{
		{"today", "2026-11-27"},
		{"tomorrow", "2026-11-28"},
		// Weekdays are the next such day, never today.
		{"fri", "2026-12-04"},
		{"friday", "2026-12-04"},
		{"sat", "2026-11-28"},
		{"saturday", "2026-11-28"},
		{"sun", "2026-11-29"},
		{"sunday", "2026-11-29"},
		{"mon", "2026-11-30"},
		{"monday", "2026-11-30"},
		{"tue", "2026-12-01"},
		{"tues", "2026-12-01"},
		{"tuesday", "2026-12-01"},
		{"wed", "2026-12-02"},
		{"wednesday", "2026-12-02"},
		{"thu", "2026-12-03"},
		{"thur", "2026-12-03"},
		{"thurs", "2026-12-03"},
		{"thursday", "2026-12-03"},
		// Case and surrounding space do not matter.
		{"TODAY", "2026-11-27"},
		{"Tomorrow", "2026-11-28"},
		{"FRI", "2026-12-04"},
		{"Mon", "2026-11-30"},
		{"  wEdNeSdAy ", "2026-12-02"},
		// Dates.
		{"2026-12-04", "2026-12-04"},
		{"2026-11-27", "2026-11-27"},
		{"2027-01-15", "2027-01-15"},
		// Junk and the past.
		{"", ""},
		{"   ", ""},
		{"2026-11-26", ""},
		{"2026-12-4", ""},
		{"2026-02-30", ""},
		{"yesterday", ""},
		{"tmrw", ""},
		{"fr", ""},
		{"fridays", ""},
		{"next-week", ""},
		{"due:fri", ""},
		{"4/12", ""},
		{"15:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			d, err := baton.ParseDueWord(tt.word, berlin, friday)
			if tt.date == "" {
				wantCode(t, err, baton.EInvalid)
				if d.Set() {
					t.Errorf("refused ParseDueWord(%q) returned %+v", tt.word, d)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDueWord(%q): %v", tt.word, err)
			}
			if d.Date != tt.date || d.HasTime || d.Time != "" {
				t.Errorf("ParseDueWord(%q) = %+v, want the whole day %s", tt.word, d, tt.date)
			}
			want, err := baton.NewDue(tt.date, "", berlin, friday)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Equal(want) {
				t.Errorf("ParseDueWord(%q) = %+v, want %+v", tt.word, d, want)
			}
		})
	}
}

func TestParseDueWordWeekdaysEveryDay(t *testing.T) {
	// Over a whole week of clocks, every weekday word lands 1..7 days ahead on the right weekday.
	berlin := mustLoad(t, "Europe/Berlin")
	words := map[string]time.Weekday{
		"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
		"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	}
	for i := 0; i < 7; i++ {
		now := friday.AddDate(0, 0, i)
		today := now.In(berlin)
		todayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, berlin)
		for word, wd := range words {
			d, err := baton.ParseDueWord(word, berlin, now)
			if err != nil {
				t.Fatalf("%v %q: %v", today.Weekday(), word, err)
			}
			day, err := time.ParseInLocation(time.DateOnly, d.Date, berlin)
			if err != nil {
				t.Fatal(err)
			}
			if day.Weekday() != wd {
				t.Errorf("on %v, %q gave a %v (%s)", today.Weekday(), word, day.Weekday(), d.Date)
			}
			ahead := int(day.Sub(todayStart).Round(time.Hour) / (24 * time.Hour))
			if ahead < 1 || ahead > 7 {
				t.Errorf("on %v, %q is %d days ahead, want 1..7", today.Weekday(), word, ahead)
			}
		}
	}
}

func TestDueDayDependsOnZone(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	la := mustLoad(t, "America/Los_Angeles")
	// Friday 27 November, 23:30 UTC: already Saturday 08:30 in Tokyo, still Friday 15:30 in Los Angeles.
	now := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)

	tests := []struct {
		word string
		loc  *time.Location
		date string
	}{
		{"today", time.UTC, "2026-11-27"},
		{"today", tokyo, "2026-11-28"},
		{"today", la, "2026-11-27"},
		{"tomorrow", time.UTC, "2026-11-28"},
		{"tomorrow", tokyo, "2026-11-29"},
		{"sat", time.UTC, "2026-11-28"},
		{"sat", tokyo, "2026-12-05"}, // it is already Saturday in Tokyo
		{"fri", time.UTC, "2026-12-04"},
		{"fri", tokyo, "2026-12-04"},
		{"fri", la, "2026-12-04"},
	}
	for _, tt := range tests {
		d, err := baton.ParseDueWord(tt.word, tt.loc, now)
		if err != nil {
			t.Errorf("ParseDueWord(%q, %s): %v", tt.word, tt.loc, err)
			continue
		}
		if d.Date != tt.date {
			t.Errorf("ParseDueWord(%q, %s) = %s, want %s", tt.word, tt.loc, d.Date, tt.date)
		}
	}

	// "today" in Tokyo ends at Sunday 00:00 JST, which is Saturday 15:00 UTC.
	d, err := baton.ParseDueWord("today", tokyo, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC); !d.At.Equal(want) {
		t.Errorf("today in Tokyo: At = %v, want %v", d.At.UTC(), want)
	}

	// The UTC date of the clock is already in the past in Tokyo, but is today in UTC.
	_, err = baton.NewDue("2026-11-27", "", tokyo, now)
	wantCode(t, err, baton.EInvalid)
	if _, err := baton.NewDue("2026-11-27", "", time.UTC, now); err != nil {
		t.Errorf("NewDue(2026-11-27, UTC): %v", err)
	}
	// 09:00 today in Tokyo is still ahead; 08:00 has passed.
	if _, err := baton.NewDue("2026-11-28", "09:00", tokyo, now); err != nil {
		t.Errorf("NewDue(2026-11-28 09:00, Tokyo): %v", err)
	}
	_, err = baton.NewDue("2026-11-28", "08:00", tokyo, now)
	wantCode(t, err, baton.EInvalid)
}

func TestDueFromStringRoundTrip(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	tokyo := mustLoad(t, "Asia/Tokyo")
	tests := []struct {
		name  string
		date  string
		clock string
		loc   *time.Location
	}{
		{"day in Berlin", "2026-12-04", "", berlin},
		{"day and time in Berlin", "2026-12-04", "15:00", berlin},
		{"midnight in Berlin", "2026-12-05", "00:00", berlin},
		{"last minute in Berlin", "2026-12-04", "23:59", berlin},
		{"summer time in Berlin", "2027-07-01", "09:30", berlin},
		// 08:30 in Tokyo is the previous day in UTC: the date must come back in the task's zone.
		{"morning in Tokyo", "2026-12-04", "08:30", tokyo},
		{"day in Tokyo", "2026-12-04", "", tokyo},
		{"day in UTC", "2026-12-04", "", time.UTC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := baton.NewDue(tt.date, tt.clock, tt.loc, friday)
			if err != nil {
				t.Fatalf("NewDue: %v", err)
			}
			s := d.String()
			back, err := baton.DueFromString(s, tt.loc)
			if err != nil {
				t.Fatalf("DueFromString(%q): %v", s, err)
			}
			if !back.Equal(d) {
				t.Errorf("DueFromString(%q) = %+v, want %+v", s, back, d)
			}
			if back.Date != d.Date || back.Time != d.Time || back.HasTime != d.HasTime || !back.At.Equal(d.At) {
				t.Errorf("round trip changed a field: %+v -> %+v", d, back)
			}
			if back.String() != s {
				t.Errorf("String() after round trip = %q, want %q", back.String(), s)
			}
			if back.Text() != d.Text() {
				t.Errorf("Text() after round trip = %q, want %q", back.Text(), d.Text())
			}
		})
	}

	d, err := baton.DueFromString("", berlin)
	if err != nil || d.Set() || d.String() != "" {
		t.Errorf(`DueFromString("") = %+v, %v; want no due date`, d, err)
	}
	if (baton.Due{}).Text() != "no due date" {
		t.Errorf("empty Text() = %q", baton.Due{}.Text())
	}
	for _, s := range []string{"tomorrow", "2026-12-4", "2026-12-04 15:00", "2026-12-04T15:00"} {
		_, err := baton.DueFromString(s, berlin)
		wantCode(t, err, baton.EInvalid)
	}
}

func TestDueEqual(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	day, _ := baton.NewDue("2026-12-04", "", berlin, friday)
	timed, _ := baton.NewDue("2026-12-04", "15:00", berlin, friday)
	other, _ := baton.NewDue("2026-12-05", "", berlin, friday)
	if !day.Equal(day) || !(baton.Due{}).Equal(baton.Due{}) {
		t.Errorf("a due date is not equal to itself")
	}
	if day.Equal(timed) || day.Equal(other) || day.Equal(baton.Due{}) || timed.Equal(baton.Due{}) {
		t.Errorf("different due dates compare equal")
	}
	// The same instant seen from another zone is the same due date.
	moved := timed
	moved.At = timed.At.UTC()
	if !moved.Equal(timed) {
		t.Errorf("zone of At changed equality")
	}
}

var dateForm = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func FuzzParseDueWord(f *testing.F) {
	for _, w := range []string{
		"", "today", "TOMORROW", "fri", "Friday", "mon", "thurs", "2026-12-04", "2026-11-26", "2026-02-30",
		"9999-12-31", "0000-01-01", "+2026-12-04", "-2026-12-04", "2026-12-04T15:00:00Z", " sat ", "fr", "\x00",
		"ｆｒｉ", "２０２６-１２-０４", "2026-12-04\n", "due:today",
	} {
		f.Add(w, uint8(0), int16(0))
	}
	f.Add("today", uint8(1), int16(870))   // late in the UTC day: tomorrow in Tokyo
	f.Add("sat", uint8(1), int16(870))     // Saturday in Tokyo
	f.Add("today", uint8(2), int16(-600))  // Los Angeles
	f.Add("tomorrow", uint8(3), int16(30)) // UTC

	zones := []string{"Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = mustLoad(f, z)
	}

	f.Fuzz(func(t *testing.T, word string, zone uint8, minutes int16) {
		loc := locs[int(zone)%len(locs)]
		// The clock stays fixed up to a bounded shift the fuzzer picks (about ±23 days).
		now := friday.Add(time.Duration(minutes) * time.Minute)
		d, err := baton.ParseDueWord(word, loc, now)
		if err != nil {
			if baton.ErrorCode(err) != baton.EInvalid || baton.ErrorMessage(err) == "" {
				t.Fatalf("ParseDueWord(%q) error %v is not a user-facing invalid error", word, err)
			}
			if d.Set() {
				t.Fatalf("ParseDueWord(%q) returned %+v with an error", word, d)
			}
			return
		}
		if !dateForm.MatchString(d.Date) {
			t.Fatalf("ParseDueWord(%q).Date = %q, not YYYY-MM-DD", word, d.Date)
		}
		if d.HasTime || d.Time != "" {
			t.Fatalf("ParseDueWord(%q) = %+v, the quick form has no time of day", word, d)
		}
		day, err := time.ParseInLocation(time.DateOnly, d.Date, loc)
		if err != nil {
			t.Fatalf("ParseDueWord(%q).Date = %q does not parse: %v", word, d.Date, err)
		}
		local := now.In(loc)
		todayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		if day.Before(todayStart) {
			t.Fatalf("ParseDueWord(%q) at %v = %s, before today", word, local, d.Date)
		}
		if !d.At.After(now) {
			t.Fatalf("ParseDueWord(%q) at %v is already due at %v", word, local, d.At)
		}
		if d.String() != d.Date {
			t.Fatalf("String() = %q, want %q", d.String(), d.Date)
		}
	})
}

// In America/Santiago the clocks skip from 00:00 to 01:00 on 2026-09-06: the day still starts, at 01:00.
func TestDueWhereMidnightIsSkipped(t *testing.T) {
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 6, 15, 0, 0, 0, time.UTC) // Sunday 12:00 local
	for word, want := range map[string]string{"today": "2026-09-06", "tomorrow": "2026-09-07", "sun": "2026-09-13"} {
		d, err := baton.ParseDueWord(word, santiago, now)
		if err != nil || d.Date != want {
			t.Errorf("due:%s = %q, %v; want %s", word, d.Date, err, want)
		}
	}
	d, err := baton.NewDue("2026-09-05", "", santiago, time.Date(2026, 9, 5, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC); !d.At.Equal(want) {
		t.Errorf("Saturday's end = %v, want %v (01:00 local, the first minute of Sunday)", d.At.UTC(), want)
	}
}

func TestNewDueNormalisesTheTime(t *testing.T) {
	d, err := baton.NewDue("2026-12-04", " 9:00", time.UTC, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	back, err := baton.DueFromString(d.String(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if d.Time != "09:00" || !d.Equal(back) {
		t.Errorf("9:00 stored as %q, read back as %+v", d.Time, back)
	}
}
