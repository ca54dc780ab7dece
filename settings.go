package baton

import (
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
