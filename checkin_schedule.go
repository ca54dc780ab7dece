package baton

import (
	"fmt"
	"strings"
	"time"
)

// Repeat is how often a check-in is asked.
type Repeat string

// The check-in repeats.
const (
	RepeatOnce        Repeat = "once"
	RepeatDaily       Repeat = "daily"
	RepeatWeekdays    Repeat = "weekdays"
	RepeatWeekly      Repeat = "weekly"
	RepeatEveryNWeeks Repeat = "every_n_weeks"
)

// Schedule is when a check-in is asked. Times of day are read on each recipient's own wall clock, so a
// 09:30 check-in stays at 09:30 local across daylight-saving changes.
type Schedule struct {
	Repeat     Repeat
	Days       [7]bool // weekly and every_n_weeks: the chosen days, indexed by time.Weekday
	EveryWeeks int     // every_n_weeks: N ≥ 2
	At         Clock   // the time of day of repeating schedules
	// Once is, for a dated once-schedule, its civil date and time as a UTC wall clock (read in each
	// recipient's zone); for an "in 2h" schedule, the exact instant (creation + InDuration).
	Once       time.Time
	InDuration time.Duration // "in 2h": the delay asked for; such a check-in fires exactly at Once
	Anchor     string        // every_n_weeks: YYYY-MM-DD the series starts; weeks count from the first chosen day on or after it
	// SkipNonWorking leaves out the recipient's days off (weekly days off, holidays, out-of-office):
	// a repeating check-in skips them, a dated once-check-in moves to the next working day at the same time.
	SkipNonWorking bool
}

// Next is the first time the check-in fires strictly after `after`, in the recipient's calendar; false
// when it never fires again (a once-schedule already past, or no day that can fire). A wall time that does
// not exist that day fires at the first minute after it; a wall time that happens twice fires the first time.
func (s Schedule) Next(after time.Time, cal Calendar) (time.Time, bool) {
	loc := cal.Location()
	if s.Repeat == RepeatOnce {
		t := s.Once
		if s.InDuration <= 0 && !t.IsZero() {
			day := civilDay(t)
			if s.SkipNonWorking {
				day = cal.nextWorkingDay(day)
			}
			t = wallMoment(day, Clock{Hour: t.Hour(), Minute: t.Minute()}, loc)
		}
		if t.IsZero() || !t.After(after) {
			return time.Time{}, false
		}
		return t, true
	}
	days, ok := s.repeatDays()
	if !ok || !s.At.valid() {
		return time.Time{}, false
	}
	day := civilDay(after.In(loc))
	period := 7
	var week0 time.Time
	if s.Repeat == RepeatEveryNWeeks {
		anchor, err := time.Parse(time.DateOnly, s.Anchor)
		if err != nil || s.EveryWeeks < 1 {
			return time.Time{}, false
		}
		first := anchor
		for !days[first.Weekday()] {
			first = first.AddDate(0, 0, 1)
		}
		week0 = mondayOf(first)
		period = 7 * s.EveryWeeks
		if day.Before(first) {
			day = first
		}
	}
	// Within any stretch of `period` days each chosen day comes up once; each holiday can take away one of
	// them, so if nothing fires within this many days (after the out-of-office), nothing ever will.
	for i := period * (len(cal.Holidays) + 2); i >= 0; i-- {
		if s.SkipNonWorking {
			day = cal.nextWorkingDay(day)
		}
		inWeek := s.Repeat != RepeatEveryNWeeks || int(mondayOf(day).Sub(week0)/(7*24*time.Hour))%s.EveryWeeks == 0
		if days[day.Weekday()] && inWeek {
			if t := wallMoment(day, s.At, loc); t.After(after) {
				return t, true
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// repeatDays is which days of the week a repeating schedule can fire on.
func (s Schedule) repeatDays() ([7]bool, bool) {
	switch s.Repeat {
	case RepeatDaily:
		return [7]bool{true, true, true, true, true, true, true}, true
	case RepeatWeekdays:
		return DefaultWorkWeek().Days, true
	case RepeatWeekly, RepeatEveryNWeeks:
		return s.Days, s.Days != [7]bool{}
	}
	return [7]bool{}, false
}

// mondayOf is the Monday starting a civil day's week.
func mondayOf(day time.Time) time.Time {
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// Describe is the schedule in words for confirmations: "every weekday at 09:30", "on Tue 1 Dec at 15:00".
func (s Schedule) Describe() string {
	switch s.Repeat {
	case RepeatOnce:
		if s.InDuration > 0 {
			return "in " + DescribeDuration(s.InDuration)
		}
		return "on " + s.Once.Format("Mon 2 Jan") + " at " + s.Once.Format("15:04")
	case RepeatDaily:
		return "every day at " + s.At.String()
	case RepeatWeekdays:
		return "every weekday at " + s.At.String()
	case RepeatWeekly:
		return "every " + describeDays(s.Days) + " at " + s.At.String()
	case RepeatEveryNWeeks:
		return fmt.Sprintf("every %d weeks on %s at %s", s.EveryWeeks, describeDays(s.Days), s.At)
	}
	return "not scheduled"
}

// describeDays lists days from Monday: "Mon", "Mon and Thu", "Mon, Wed and Fri".
func describeDays(days [7]bool) string {
	var names []string
	for i := 1; i <= 7; i++ {
		if wd := time.Weekday(i % 7); days[wd] {
			names = append(names, wd.String()[:3])
		}
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// DescribeDuration is a duration in days, hours and minutes: "1 day", "2 hours", "1 hour 30 minutes".
func DescribeDuration(d time.Duration) string {
	var parts []string
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		n := int(d / u.size)
		d -= time.Duration(n) * u.size
		switch {
		case n == 1:
			parts = append(parts, "1 "+u.name)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", n, u.name))
		}
	}
	if len(parts) == 0 {
		return "less than a minute"
	}
	return strings.Join(parts, " ")
}
