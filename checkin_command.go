package baton

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what /checkin accepts.
const (
	MaxCheckinMessageLen = 3000
	MaxCheckinRecipients = 20
	MaxEveryWeeks        = 52
	MaxCheckinDelay      = 365 * 24 * time.Hour
)

// CheckinCommand is a parsed /checkin quick form.
type CheckinCommand struct {
	Recipients []UserRef
	Schedule   Schedule
	TaskNumber int64 // the task given with "for T-12"; 0 for none
	// RemindAfter, from "remind after 2h", is how long a delivery may stay unseen before one reminder.
	RemindAfter time.Duration
	Message     string
}

// Bounds of a check-in's reminder to a recipient who has not seen a delivery.
const (
	MinCheckinReminder = 15 * time.Minute
	MaxCheckinReminder = 7 * 24 * time.Hour
)

const (
	checkinExample = "`/checkin @ana every weekday at 09:30 How is the launch going?`"
	checkinForms   = "These work: `every weekday at 09:30`, `daily at 9:00`, `every mon,thu at 16:00`, " +
		"`every 2 weeks on mon at 10:00`, `tomorrow at 10:00`, `on 2026-12-01 at 15:00`, `in 2h`."
)

// ParseCheckinCommand reads the text after /checkin: the recipients (mentions or @names), the schedule,
// an optional "for T-12", then the message to send. now's location is the zone of the person typing:
// it decides which day "today" and "tomorrow" are, and whether a date and time have already passed.
// A new schedule skips days off unless it is an "in …" one.
func ParseCheckinCommand(text string, now time.Time) (CheckinCommand, error) {
	var c CheckinCommand
	seen := map[string]bool{}
	rest := text
	for {
		w, r := cutWord(rest)
		u, ok := ParseUserRef(strings.TrimSuffix(w, ","))
		if !ok {
			break
		}
		key := "id:" + u.ID
		if u.ID == "" {
			key = "name:" + strings.ToLower(u.Name)
		}
		if !seen[key] {
			seen[key] = true
			c.Recipients = append(c.Recipients, u)
		}
		rest = r
	}
	if len(c.Recipients) == 0 {
		return CheckinCommand{}, Errorf(EInvalid, "Start with who to check in with, then when and what to ask: %s", checkinExample)
	}
	if len(c.Recipients) > MaxCheckinRecipients {
		return CheckinCommand{}, Errorf(EInvalid, "That is %d people; one check-in can ask %d at most. Split it, or ask in a channel.",
			len(c.Recipients), MaxCheckinRecipients)
	}
	s, rest, err := parseSchedule(rest, now)
	if err != nil {
		return CheckinCommand{}, err
	}
	c.Schedule = s
	if w, r := cutWord(rest); strings.EqualFold(w, "for") {
		ref, r2 := cutWord(r)
		if n, ok := ParseTaskRef(ref); ok {
			c.TaskNumber = n
			rest = r2
		}
	}
	if w, r := cutWord(rest); strings.EqualFold(w, "remind") {
		if after, r2 := cutWord(r); strings.EqualFold(after, "after") {
			d, r3, err := parseReminderDelay(r2)
			if err != nil {
				return CheckinCommand{}, err
			}
			c.RemindAfter, rest = d, r3
		}
	}
	c.Message = strings.TrimSpace(UnescapeSlack(rest))
	if c.Message == "" {
		return CheckinCommand{}, Errorf(EInvalid, "Add the question to ask after the schedule: %s", checkinExample)
	}
	if n := utf8.RuneCountInString(c.Message); n > MaxCheckinMessageLen {
		return CheckinCommand{}, Errorf(EInvalid, "The message is %d characters long; keep it to %d at most.", n, MaxCheckinMessageLen)
	}
	return c, nil
}

// parseSchedule reads the schedule words at the start of text and returns the text after them.
func parseSchedule(text string, now time.Time) (Schedule, string, error) {
	first, rest := cutWord(text)
	s := Schedule{SkipNonWorking: true}
	var err error
	switch strings.ToLower(first) {
	case "":
		return Schedule{}, "", Errorf(EInvalid, "Say when to check in, then what to ask: %s %s", checkinExample, checkinForms)
	case "in":
		return parseIn(rest, now)
	case "today", "tomorrow":
		day := civilDay(now)
		if strings.EqualFold(first, "tomorrow") {
			day = day.AddDate(0, 0, 1)
		}
		return parseOnce(day, text, rest, now)
	case "on":
		w, r := cutWord(rest)
		day, perr := time.Parse(time.DateOnly, w)
		if perr != nil {
			return Schedule{}, "", Errorf(EInvalid, "%q is not a date. Write it as YYYY-MM-DD, for example `on %s at 15:00`.",
				w, civilDay(now).AddDate(0, 0, 7).Format(time.DateOnly))
		}
		return parseOnce(day, text, r, now)
	case "daily":
		s.Repeat = RepeatDaily
	case "weekdays":
		s.Repeat = RepeatWeekdays
	case "weekly":
		on, r := cutWord(rest)
		if !strings.EqualFold(on, "on") {
			return Schedule{}, "", Errorf(EInvalid, "Say which days: `weekly on mon,thu at 16:00`.")
		}
		s.Repeat = RepeatWeekly
		s.Days, rest, err = parseDays(r)
	case "every":
		s, rest, err = parseEvery(s, rest, now)
	default:
		return Schedule{}, "", Errorf(EInvalid, "I could not read %q as a schedule. %s", first, checkinForms)
	}
	if err != nil {
		return Schedule{}, "", err
	}
	s.At, rest, err = parseAt(text, rest)
	return s, rest, err
}

// parseEvery reads what follows "every": day, weekday, a list of days, or N weeks on a list of days.
func parseEvery(s Schedule, text string, now time.Time) (Schedule, string, error) {
	w, rest := cutWord(text)
	switch strings.ToLower(w) {
	case "day":
		s.Repeat = RepeatDaily
		return s, rest, nil
	case "weekday", "weekdays", "workday", "workdays":
		s.Repeat = RepeatWeekdays
		return s, rest, nil
	}
	n, err := strconv.Atoi(w)
	if err != nil {
		s.Repeat = RepeatWeekly
		s.Days, rest, err = parseDays(text)
		return s, rest, err
	}
	unit, r := cutWord(rest)
	on, r := cutWord(r)
	if u := strings.ToLower(unit); (u != "week" && u != "weeks") || !strings.EqualFold(on, "on") {
		return Schedule{}, "", Errorf(EInvalid, "Write a repeat every few weeks like `every 2 weeks on mon at 10:00`.")
	}
	if n < 1 || n > MaxEveryWeeks {
		return Schedule{}, "", Errorf(EInvalid, "Pick every 1 to %d weeks.", MaxEveryWeeks)
	}
	s.Days, rest, err = parseDays(r)
	if n == 1 {
		s.Repeat = RepeatWeekly
	} else {
		s.Repeat = RepeatEveryNWeeks
		s.EveryWeeks = n
		s.Anchor = civilDay(now).Format(time.DateOnly)
	}
	return s, rest, err
}

// parseDays reads days of the week up to "at": mon,thu or mon thu or mon and thu, in any case,
// full names and plurals too.
func parseDays(text string) ([7]bool, string, error) {
	var days [7]bool
	rest := text
words:
	for {
		w, r := cutWord(rest)
		if w == "" || strings.EqualFold(w, "at") {
			break
		}
		parts := strings.Split(strings.ToLower(w), ",")
		for _, p := range parts {
			if p == "" || p == "and" {
				continue
			}
			wd, ok := weekdays[p]
			if !ok {
				wd, ok = weekdays[strings.TrimSuffix(p, "s")]
			}
			switch {
			case ok:
				days[wd] = true
			case len(parts) == 1 && days != [7]bool{}:
				break words // the days are over and something else follows: parseAt asks for the time
			default:
				return days, "", Errorf(EInvalid, "%q is not a day of the week. Name days like `every mon,thu at 16:00`. %s", p, checkinForms)
			}
		}
		rest = r
	}
	if days == [7]bool{} {
		return days, "", Errorf(EInvalid, "Say which days: `every mon,thu at 16:00`.")
	}
	return days, rest, nil
}

// parseAt reads "at HH:MM" (a separate am or pm is joined on). text is the whole schedule so far, to
// quote it back when the time is missing.
func parseAt(text, rest string) (Clock, string, error) {
	what := strings.Join(strings.Fields(text[:len(text)-len(rest)]), " ")
	at, r := cutWord(rest)
	w, r := cutWord(r)
	if !strings.EqualFold(at, "at") || w == "" {
		return Clock{}, "", Errorf(EInvalid, "Say what time: `%s at 09:30`.", what)
	}
	if ampm, r2 := cutWord(r); strings.EqualFold(ampm, "am") || strings.EqualFold(ampm, "pm") {
		w += ampm
		r = r2
	}
	c, err := ParseClock(w)
	return c, r, err
}

// parseOnce reads the time of a once-schedule on day and refuses a moment already past in now's zone.
func parseOnce(day time.Time, text, rest string, now time.Time) (Schedule, string, error) {
	at, rest, err := parseAt(text, rest)
	if err != nil {
		return Schedule{}, "", err
	}
	if !wallMoment(day, at, now.Location()).After(now) {
		return Schedule{}, "", Errorf(EInvalid, "%s at %s has already passed. Pick a later time.", day.Format("Mon 2 Jan 2006"), at)
	}
	return Schedule{
		Repeat:         RepeatOnce,
		Once:           time.Date(day.Year(), day.Month(), day.Day(), at.Hour, at.Minute, 0, 0, time.UTC),
		SkipNonWorking: true,
	}, rest, nil
}

var (
	delayRe     = regexp.MustCompile(`^(?:\d{1,6}[a-z]+)+$`)
	delayPartRe = regexp.MustCompile(`(\d{1,6})([a-z]+)`)
	delayUnits  = map[string]time.Duration{
		"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
		"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
		"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	}
)

// parseIn reads the delay after "in": 2h, 30m, 1h30m, 2 hours, 3 days.
func parseIn(text string, now time.Time) (Schedule, string, error) {
	bad := Errorf(EInvalid, "Write the delay like `in 2h`, `in 30m`, `in 1h30m` or `in 3 days`.")
	tooFar := Errorf(EInvalid, "That is too far ahead: pick a delay of at most 365 days, or a date like `on 2026-12-01 at 15:00`.")
	d, rest, err := parseDelay(text, MaxCheckinDelay, bad, tooFar)
	if err != nil {
		return Schedule{}, "", err
	}
	if d < time.Minute {
		return Schedule{}, "", Errorf(EInvalid, "Pick a delay of at least a minute, like `in 30m`.")
	}
	return Schedule{Repeat: RepeatOnce, InDuration: d, Once: now.Add(d).UTC()}, rest, nil
}

// parseReminderDelay reads the delay after "remind after": 2h, 90m, 1 day.
func parseReminderDelay(text string) (time.Duration, string, error) {
	bounds := Errorf(EInvalid, "Pick a reminder between %s and %s after delivery, like `remind after 2h`.",
		DescribeDuration(MinCheckinReminder), DescribeDuration(MaxCheckinReminder))
	d, rest, err := parseDelay(text, MaxCheckinReminder, Errorf(EInvalid, "Write the reminder delay like `remind after 2h` or `remind after 1 day`."), bounds)
	if err == nil && d < MinCheckinReminder {
		err = bounds
	}
	return d, rest, err
}

// parseDelay reads a delay at the start of text (2h, 30m, 1h30m, 2 hours, 3 days) of at most max;
// bad and tooFar are what to say when it is not one or is longer.
func parseDelay(text string, max time.Duration, bad, tooFar error) (time.Duration, string, error) {
	w, rest := cutWord(text)
	if _, err := strconv.Atoi(w); err == nil {
		unit, r := cutWord(rest)
		w += unit
		rest = r
	}
	w = strings.ToLower(w)
	if !delayRe.MatchString(w) {
		return 0, "", bad
	}
	var d time.Duration
	for _, m := range delayPartRe.FindAllStringSubmatch(w, -1) {
		unit, ok := delayUnits[m[2]]
		if !ok {
			return 0, "", bad
		}
		n, _ := strconv.Atoi(m[1])
		if time.Duration(n) > max/unit {
			return 0, "", tooFar
		}
		if d += time.Duration(n) * unit; d > max {
			return 0, "", tooFar
		}
	}
	return d, rest, nil
}
