package baton

import (
	"strings"
	"time"
)

// ExportDefaultDays is how many days, through today, /request export covers without dates.
const ExportDefaultDays = 30

const exportUsage = "for example `/request export` (the last 30 days), `/request export 2026-11-01` (through today) or `/request export 2026-11-01 2026-11-30`"

// ExportRange is the days a request export covers, both included, in the reader's time zone.
type ExportRange struct {
	From, To   string    // YYYY-MM-DD
	Start, End time.Time // the first moment of From and the first moment after To, in the reader's zone
}

// ParseExportRange reads the dates of `/request export [from] [to]`, written YYYY-MM-DD in the reader's
// time zone loc. Without dates the export covers the last ExportDefaultDays days through today; with
// one, that day through today. It covers at most a year.
func ParseExportRange(text string, loc *time.Location, now time.Time) (ExportRange, error) {
	words := strings.Fields(text)
	if len(words) > 2 {
		return ExportRange{}, Errorf(EInvalid, "Give at most two dates, the first and the last day, %s.", exportUsage)
	}
	today := now.In(loc)
	start := time.Date(today.Year(), today.Month(), today.Day()-(ExportDefaultDays-1), 0, 0, 0, 0, loc)
	end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	for i, w := range words {
		d, err := time.ParseInLocation(time.DateOnly, w, loc)
		if err != nil {
			return ExportRange{}, Errorf(EInvalid, "%q isn't a date I can read. Write dates as YYYY-MM-DD, %s.", clipWord(w), exportUsage)
		}
		if i == 0 {
			start = d
		} else {
			end = d
		}
	}
	from, to := start.Format(time.DateOnly), end.Format(time.DateOnly)
	if start.After(end) {
		return ExportRange{}, Errorf(EInvalid, "The export would start on %s, after its last day %s. Put the earlier date first: `/request export %s %s`.", from, to, to, from)
	}
	if end.After(start.AddDate(1, 0, 0)) {
		return ExportRange{}, Errorf(EInvalid, "%s to %s is more than a year. Export at most a year at a time, such as `/request export %s %s`.", from, to, from, start.AddDate(1, 0, 0).Format(time.DateOnly))
	}
	return ExportRange{From: from, To: to, Start: start, End: end.AddDate(0, 0, 1)}, nil
}
