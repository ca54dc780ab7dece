package baton

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Clock is a time of day on a wall clock, to the minute.
type Clock struct{ Hour, Minute int }

// String is the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

func (c Clock) minutes() int { return c.Hour*60 + c.Minute }

func (c Clock) valid() bool { return c.Hour >= 0 && c.Hour < 24 && c.Minute >= 0 && c.Minute < 60 }

var clockRe = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$`)

// ParseClock reads a time of day: 9:30, 09:30, 16:00, or with am/pm (4pm, 9:30am).
// A bare hour without am/pm is refused, because "at 4" could mean 04:00 or 16:00.
func ParseClock(s string) (Clock, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	m := clockRe.FindStringSubmatch(w)
	if m == nil || (m[2] == "" && m[3] == "") {
		return Clock{}, Errorf(EInvalid, "%q is not a time of day. Write it as HH:MM, for example 09:30 or 16:00.", s)
	}
	h, _ := strconv.Atoi(m[1])
	mi := 0
	if m[2] != "" {
		mi, _ = strconv.Atoi(m[2])
	}
	if mi > 59 {
		return Clock{}, Errorf(EInvalid, "%q is not a time of day: an hour has 60 minutes (00–59).", s)
	}
	if m[3] != "" {
		if h < 1 || h > 12 {
			return Clock{}, Errorf(EInvalid, "%q is not a time of day: with am or pm the hour goes from 1 to 12.", s)
		}
		h %= 12
		if m[3][0] == 'p' {
			h += 12
		}
		return Clock{Hour: h, Minute: mi}, nil
	}
	if h > 23 {
		return Clock{}, Errorf(EInvalid, "%q is not a time of day: the day runs from 00:00 to 23:59.", s)
	}
	return Clock{Hour: h, Minute: mi}, nil
}

// WorkWeek is a workspace's working time: which days, and from when to when on each of them
// (local time in each person's zone). End is exclusive: at 18:00 the day is over.
type WorkWeek struct {
	Days       [7]bool // indexed by time.Weekday
	Start, End Clock
}

// DefaultWorkWeek is Monday to Friday, 09:00 to 18:00.
func DefaultWorkWeek() WorkWeek {
	return WorkWeek{
		Days:  [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true},
		Start: Clock{Hour: 9},
		End:   Clock{Hour: 18},
	}
}

// Validate checks a working week as a workspace admin sets it.
func (w WorkWeek) Validate() error {
	if w.Days == [7]bool{} {
		return Errorf(EInvalid, "Pick at least one working day.")
	}
	if !w.Start.valid() || !w.End.valid() {
		return Errorf(EInvalid, "Working hours must be times of day between 00:00 and 23:59.")
	}
	if w.End.minutes() <= w.Start.minutes() {
		return Errorf(EInvalid, "The working day must end after it starts (%s–%s does not); for example 09:00–18:00.", w.Start, w.End)
	}
	return nil
}

// Holiday is a day off for the whole workspace.
type Holiday struct {
	Date string // YYYY-MM-DD
	Name string
}

// Calendar is when one person works: their zone, the workspace's working week and holidays, and their
// own out-of-office. The zero Calendar is UTC, Monday to Friday 09:00–18:00, with no days off; a Week
// that fails Validate counts as the default week, so no timer can wait forever.
type Calendar struct {
	Loc              *time.Location
	Week             WorkWeek
	Holidays         map[string]string // YYYY-MM-DD → name
	OutOfOfficeUntil string            // YYYY-MM-DD, the last day away (inclusive); "" when not away
}

// Location is the person's zone, UTC when it is not known.
func (c Calendar) Location() *time.Location {
	if c.Loc == nil {
		return time.UTC
	}
	return c.Loc
}

func (c Calendar) week() WorkWeek {
	if c.Week.Validate() != nil {
		return DefaultWorkWeek()
	}
	return c.Week
}

// awayUntil is the last day of the person's out-of-office, when it is set and readable.
func (c Calendar) awayUntil() (time.Time, bool) {
	if c.OutOfOfficeUntil == "" {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, c.OutOfOfficeUntil)
	return d, err == nil
}

// IsWorkingDay reports whether a calendar day (day's own year, month and day) is a working day: one of
// the week's working days, not a holiday, and not within the person's out-of-office.
func (c Calendar) IsWorkingDay(day time.Time) bool {
	day = civilDay(day)
	if until, ok := c.awayUntil(); ok && !day.After(until) {
		return false
	}
	if _, ok := c.Holidays[day.Format(time.DateOnly)]; ok {
		return false
	}
	return c.week().Days[day.Weekday()]
}

// nextWorkingDay is the first working day on or after a calendar day. It always exists: the week has a
// working day, the holidays are finite and the out-of-office is skipped in one step.
func (c Calendar) nextWorkingDay(day time.Time) time.Time {
	day = civilDay(day)
	if until, ok := c.awayUntil(); ok && !day.After(until) {
		day = until.AddDate(0, 0, 1)
	}
	for !c.IsWorkingDay(day) {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// hours is the working period of a calendar day as instants in the person's zone.
func (c Calendar) hours(day time.Time) (start, end time.Time) {
	w, loc := c.week(), c.Location()
	return wallMoment(day, w.Start, loc), wallMoment(day, w.End, loc)
}

// IsWorkingMoment reports whether t falls on a working day within working hours, in the person's zone.
func (c Calendar) IsWorkingMoment(t time.Time) bool {
	day := civilDay(t.In(c.Location()))
	if !c.IsWorkingDay(day) {
		return false
	}
	start, end := c.hours(day)
	return !t.Before(start) && t.Before(end)
}

// NextWorkingMoment is t itself when it is a working moment, else the start of the next working period.
// Where the clocks skip the start time that day, the period starts at the first minute that exists.
func (c Calendar) NextWorkingMoment(t time.Time) time.Time {
	for day := civilDay(t.In(c.Location())); ; day = day.AddDate(0, 0, 1) {
		day = c.nextWorkingDay(day)
		start, end := c.hours(day)
		if !t.Before(end) || !start.Before(end) {
			continue
		}
		if t.Before(start) {
			return start
		}
		return t
	}
}

// maxAgeDays bounds how far back WorkingDaysBetween counts, day by day.
const maxAgeDays = 3660

// WorkingDaysBetween counts the working days after from's day up to and including to's day, in the
// person's zone: Monday to Wednesday is 2 working days, Friday to Monday 1, any two moments of one
// day 0. It counts at most ten years of days; to before from is 0.
func (c Calendar) WorkingDaysBetween(from, to time.Time) int {
	loc := c.Location()
	day, last := civilDay(from.In(loc)), civilDay(to.In(loc))
	n := 0
	for i := 0; i < maxAgeDays && day.Before(last); i++ {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			n++
		}
	}
	return n
}

// AddWorkingDays is the moment n working days after t, at the same local time of day (for "status
// unchanged for n working days"). A t on a day off counts from that day: Saturday plus one working day
// is Monday. n ≤ 0 gives t.
func (c Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	if n <= 0 {
		return t
	}
	loc := c.Location()
	local := t.In(loc)
	day := civilDay(local)
	for ; n > 0; n-- {
		day = c.nextWorkingDay(day.AddDate(0, 0, 1))
	}
	rest := time.Duration(local.Second())*time.Second + time.Duration(local.Nanosecond())
	return wallMoment(day, Clock{Hour: local.Hour(), Minute: local.Minute()}, loc).Add(rest)
}

// wallMoment is the instant a wall clock in loc shows clock on a calendar day. Where that time happens
// twice (clocks set back), it is the first time; where it never happens (clocks set forward), it is the
// first minute after the skip.
func wallMoment(day time.Time, clock Clock, loc *time.Location) time.Time {
	want := time.Date(day.Year(), day.Month(), day.Day(), clock.Hour, clock.Minute, 0, 0, time.UTC)
	t := time.Date(day.Year(), day.Month(), day.Day(), clock.Hour, clock.Minute, 0, 0, loc)
	start, end := t.ZoneBounds()
	got := asWall(t)
	switch {
	case got.After(want): // skipped, and t was placed after the skip: the skip is where t's zone starts
		return start
	case got.Before(want): // skipped, and t was placed before the skip: the skip is where t's zone ends
		return end
	}
	if !start.IsZero() {
		_, before := start.Add(-time.Nanosecond).Zone()
		if e := want.Add(-time.Duration(before) * time.Second); e.Before(start) && asWall(e.In(loc)).Equal(want) {
			return e.In(loc)
		}
	}
	return t
}

// asWall is t's wall clock reading as a UTC time, so readings in different zones can be compared.
func asWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// civilDay is t's calendar day as a UTC midnight, so days can be compared and counted without
// daylight-saving surprises.
func civilDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dayStart is the first moment of a calendar day in loc. Where the clocks skip midnight, that is the
// first minute that exists on the day.
func dayStart(day time.Time, loc *time.Location) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	for t.Day() != day.Day() {
		t = t.Add(time.Minute)
	}
	for prev := t.Add(-time.Minute); prev.Day() == day.Day(); prev = t.Add(-time.Minute) {
		t = prev
	}
	return t
}
