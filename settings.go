package baton

import (
	"strconv"
	"strings"
	"time"
)

var dayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// ParseWorkDays reads working days as an admin types them: "mon-fri", "mon,tue,thu", "sun-thu".
func ParseWorkDays(s string) ([7]bool, error) {
	var days [7]bool
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return days, Errorf(EInvalid, "Say which days, for example `mon-fri` or `mon,tue,wed,thu`.")
	}
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, ok := weekdays[strings.TrimSpace(from)]
		if !ok {
			return days, Errorf(EInvalid, "%q is not a day of the week. Use mon, tue, wed, thu, fri, sat, sun: for example `mon-fri`.", from)
		}
		if !isRange {
			days[a] = true
			continue
		}
		b, ok := weekdays[strings.TrimSpace(to)]
		if !ok {
			return days, Errorf(EInvalid, "%q is not a day of the week. Use mon, tue, wed, thu, fri, sat, sun: for example `mon-fri`.", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			days[d] = true
			if d == b {
				break
			}
		}
	}
	return days, nil
}

// ParseWorkHours reads working hours such as "09:00-18:00".
func ParseWorkHours(s string) (Clock, Clock, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Clock{}, Clock{}, Errorf(EInvalid, "Write working hours as a range, for example `09:00-18:00`.")
	}
	start, err := ParseClock(strings.TrimSpace(from))
	if err != nil {
		return Clock{}, Clock{}, err
	}
	end, err := ParseClock(strings.TrimSpace(to))
	return start, end, err
}

// String is the working week in words: "Mon–Fri 09:00–18:00", "Sun–Thu 08:00–17:00" or
// "Mon, Tue, Thu 08:00–16:00".
func (w WorkWeek) String() string {
	var names []string
	runs, start := 0, 0
	for i, d := range dayOrder {
		if !w.Days[d] {
			continue
		}
		names = append(names, d.String()[:3])
		if prev := dayOrder[(i+6)%7]; !w.Days[prev] {
			runs, start = runs+1, i
		}
	}
	days := strings.Join(names, ", ")
	switch {
	case len(names) == 7:
		days = "Every day"
	case runs == 1 && len(names) > 2:
		days = dayOrder[start].String()[:3] + "–" + dayOrder[(start+len(names)-1)%7].String()[:3]
	}
	return days + " " + w.Start.String() + "–" + w.End.String()
}

// DigestSetting is how a person hears about stage changes and stale tasks: at once, or in one daily
// message at a local time of their choosing. Blocked and overdue always arrive at once.
type DigestSetting struct {
	Daily bool
	At    Clock
}

// DefaultDigestTime is when a daily digest goes out unless its reader picks another time.
var DefaultDigestTime = Clock{Hour: 9}

// ParseDigest reads "/baton digest 08:30", "/baton digest on" and "/baton digest off".
func ParseDigest(s string) (DigestSetting, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "off", "immediate", "now":
		return DigestSetting{}, nil
	case "", "on", "daily":
		return DigestSetting{Daily: true, At: DefaultDigestTime}, nil
	}
	at, err := ParseClock(strings.TrimPrefix(s, "at "))
	if err != nil {
		return DigestSetting{}, Errorf(EInvalid, "Say when the daily digest should arrive, for example `/baton digest 08:30`, or `/baton digest off` to hear about changes at once.")
	}
	return DigestSetting{Daily: true, At: at}, nil
}

// MaxReminders bounds how many reminders before a deadline a workspace may ask for.
const MaxReminders = 4

// ParseReminderOffsets reads how long before a deadline owners are reminded: "24h,2h", "2d,4h,30m".
func ParseReminderOffsets(s string) ([]time.Duration, error) {
	usage := "Say how long before the deadline to remind, for example `/baton reminders 24h,2h` (d, h and m work)."
	parts := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' })
	if len(parts) == 0 {
		return nil, Errorf(EInvalid, "%s", usage)
	}
	if len(parts) > MaxReminders {
		return nil, Errorf(EInvalid, "Pick at most %d reminders; more than that is nagging.", MaxReminders)
	}
	seen := map[time.Duration]bool{}
	var out []time.Duration
	for _, p := range parts {
		d, err := parseOffset(p)
		if err != nil || d <= 0 || d > 14*24*time.Hour {
			return nil, Errorf(EInvalid, "%q is not a time before the deadline between 1m and 14d. %s", p, usage)
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

func parseOffset(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		d, err := time.ParseDuration(days + "h")
		return d * 24, err
	}
	return time.ParseDuration(s)
}

// FormatOffsets writes reminder offsets back as people type them: "24h, 2h".
func FormatOffsets(offsets []time.Duration) string {
	parts := make([]string, len(offsets))
	for i, d := range offsets {
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		switch {
		case m == 0:
			parts[i] = strconv.Itoa(h) + "h"
		case h == 0:
			parts[i] = strconv.Itoa(m) + "m"
		default:
			parts[i] = strconv.Itoa(h) + "h" + strconv.Itoa(m) + "m"
		}
	}
	return strings.Join(parts, ", ")
}
