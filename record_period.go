package baton

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// RecordPeriod is the stretch of time a track record covers: from From up to, not including, To.
type RecordPeriod struct {
	From, To time.Time
	Label    string // as people read it: "the last 90 days", "Tue 1 Sep – Mon 30 Nov 2026"
}

// DefaultRecordDays is how far back a record looks when no period is given.
const DefaultRecordDays = 90

// MaxRecordDays is the longest period a record or a backtest may cover.
const MaxRecordDays = 366

var (
	recordDaysRe  = regexp.MustCompile(`^(?i)(\d{1,5})\s*d(ays?)?$`)
	recordRangeRe = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|–|—|to)\s*(\d{4}-\d{2}-\d{2})$`)
)

const recordPeriodUsage = "Write the period as `30d`, `90d` or `2026-09-01..2026-11-30`."

// ParseRecordPeriod reads a record's period: "" (the last 90 days), `30d`, or a range of days
// `2026-09-01..2026-11-30`, both days included and read in loc. A range ending after now ends now.
// A period longer than a year, or one that starts in the future, is refused.
func ParseRecordPeriod(s string, loc *time.Location, now time.Time) (RecordPeriod, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return lastDays(DefaultRecordDays, now), nil
	}
	if m := recordDaysRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > MaxRecordDays {
			return RecordPeriod{}, Errorf(EInvalid, "%s is not a period I can show: pick from 1 to %d days. %s", s, MaxRecordDays, recordPeriodUsage)
		}
		return lastDays(n, now), nil
	}
	m := recordRangeRe.FindStringSubmatch(s)
	if m == nil {
		return RecordPeriod{}, Errorf(EInvalid, "%q isn't a period. %s", s, recordPeriodUsage)
	}
	first, err1 := time.ParseInLocation(time.DateOnly, m[1], loc)
	last, err2 := time.ParseInLocation(time.DateOnly, m[2], loc)
	if err1 != nil || err2 != nil {
		return RecordPeriod{}, Errorf(EInvalid, "%q has a day that doesn't exist. %s", s, recordPeriodUsage)
	}
	if last.Before(first) {
		return RecordPeriod{}, Errorf(EInvalid, "%s ends before it starts: put the earlier day first.", s)
	}
	from, to := dayStart(first, loc), dayStart(last.AddDate(0, 0, 1), loc)
	if days := daysBetween(first, last) + 1; days > MaxRecordDays {
		return RecordPeriod{}, Errorf(EInvalid, "%s covers %d days; a period may cover up to %d. Pick a shorter one.", s, days, MaxRecordDays)
	}
	if !from.Before(now) {
		return RecordPeriod{}, Errorf(EInvalid, "%s starts in the future, so there is nothing to show yet.", s)
	}
	if to.After(now) {
		to = now
	}
	return RecordPeriod{From: from, To: to, Label: fmt.Sprintf("%s – %s", first.Format("Mon 2 Jan 2006"), last.Format("Mon 2 Jan 2006"))}, nil
}

// ParseSince reads the day a backtest starts from (`since 2026-06-01`), in loc. It must lie in the
// past, at most a year back.
func ParseSince(s string, loc *time.Location, now time.Time) (time.Time, error) {
	day, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, Errorf(EInvalid, "%q isn't a day: write since as YYYY-MM-DD, for example `since 2026-06-01`.", s)
	}
	from := dayStart(day, loc)
	if !from.Before(now) {
		return time.Time{}, Errorf(EInvalid, "%s is in the future: pick a day that has passed.", s)
	}
	if from.Before(now.AddDate(0, 0, -MaxRecordDays)) {
		return time.Time{}, Errorf(EInvalid, "%s is more than %d days ago; pick a later day.", s, MaxRecordDays)
	}
	return from, nil
}

func lastDays(n int, now time.Time) RecordPeriod {
	return RecordPeriod{From: now.AddDate(0, 0, -n), To: now, Label: fmt.Sprintf("the last %d days", n)}
}

// daysBetween counts calendar days from a to b, both dates at midnight in one zone.
func daysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}
