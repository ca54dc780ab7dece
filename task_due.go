package baton

import (
	"strings"
	"time"
)

// Due is when a task is due: a day, optionally with a time of day, in the zone of the person who set it.
// At is the moment the task becomes overdue: the given time, or the end of the day.
type Due struct {
	Date    string    // YYYY-MM-DD, "" when there is no due date
	Time    string    // HH:MM, "" for the whole day
	At      time.Time // the instant the task becomes overdue
	HasTime bool
}

// Set reports whether there is a due date.
func (d Due) Set() bool { return d.Date != "" }

// Equal reports whether two due dates mean the same moment.
func (d Due) Equal(o Due) bool {
	return d.Date == o.Date && d.Time == o.Time && d.At.Equal(o.At)
}

// String is the due date in a stable, machine-readable form kept in task events.
func (d Due) String() string {
	if !d.Set() {
		return ""
	}
	if d.HasTime {
		return d.At.UTC().Format(time.RFC3339)
	}
	return d.Date
}

// Text is the due date in words, without a time zone: "Fri 4 Dec 2026" or "Fri 4 Dec 2026 15:00".
func (d Due) Text() string {
	if !d.Set() {
		return "no due date"
	}
	day, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		return d.Date
	}
	s := day.Format("Mon 2 Jan 2006")
	if d.HasTime {
		s += " " + d.Time
	}
	return s
}

// NewDue builds a due date from a day and an optional time of day ("HH:MM") in loc.
// A day before today, or a moment already past, is refused.
func NewDue(date, clock string, loc *time.Location, now time.Time) (Due, error) {
	date = strings.TrimSpace(date)
	clock = strings.TrimSpace(clock)
	if date == "" {
		if clock != "" {
			return Due{}, Errorf(EInvalid, "Pick a due date to go with the time, or clear the time.")
		}
		return Due{}, nil
	}
	today := civilDay(now.In(loc))
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return Due{}, Errorf(EInvalid, "%q is not a date. Write it as YYYY-MM-DD, for example %s.", date, today.AddDate(0, 0, 7).Format(time.DateOnly))
	}
	if day.Before(today) {
		return Due{}, Errorf(EInvalid, "%s is in the past. Pick today or a later day.", day.Format("Mon 2 Jan 2006"))
	}
	date = day.Format(time.DateOnly)
	if clock == "" {
		return Due{Date: date, At: dayStart(day.AddDate(0, 0, 1), loc)}, nil
	}
	tod, err := time.Parse("15:04", clock)
	if err != nil {
		return Due{}, Errorf(EInvalid, "%q is not a time of day. Write it as HH:MM, for example 17:00.", clock)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), tod.Hour(), tod.Minute(), 0, 0, loc)
	if !at.After(now) {
		return Due{}, Errorf(EInvalid, "%s %s has already passed. Pick a later time.", day.Format("Mon 2 Jan"), tod.Format("15:04"))
	}
	return Due{Date: date, Time: tod.Format("15:04"), At: at, HasTime: true}, nil
}

// ParseDueWord reads the word after "due:" in the quick form: YYYY-MM-DD, today, tomorrow, or a weekday
// (the next one after today).
func ParseDueWord(word string, loc *time.Location, now time.Time) (Due, error) {
	w := strings.ToLower(strings.TrimSpace(word))
	today := civilDay(now.In(loc))
	var day time.Time
	switch {
	case w == "":
		return Due{}, Errorf(EInvalid, "due: needs a date: due:2026-12-04, due:today, due:tomorrow or a weekday like due:fri.")
	case w == "today":
		day = today
	case w == "tomorrow":
		day = today.AddDate(0, 0, 1)
	default:
		wd, ok := weekdays[w]
		if !ok {
			return NewDue(w, "", loc, now)
		}
		ahead := (int(wd) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		day = today.AddDate(0, 0, ahead)
	}
	return NewDue(day.Format(time.DateOnly), "", loc, now)
}

// DueFromString reads back Due.String() for a task whose days are counted in loc.
func DueFromString(s string, loc *time.Location) (Due, error) {
	if s == "" {
		return Due{}, nil
	}
	if at, err := time.Parse(time.RFC3339, s); err == nil {
		l := at.In(loc)
		return Due{Date: l.Format(time.DateOnly), Time: l.Format("15:04"), At: at, HasTime: true}, nil
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Due{}, Errorf(EInvalid, "%q is not a due date.", s)
	}
	return Due{Date: s, At: dayStart(day.AddDate(0, 0, 1), loc)}, nil
}
