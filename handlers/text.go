package handlers

import (
	"fmt"
	"time"
	"unicode/utf8"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// clip shortens s to at most n runes, ending with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// dueText renders a due date: a plain day, or a moment in the viewer's local time.
func dueText(d baton.Due) md.Text {
	if !d.Set() {
		return "No due date"
	}
	if d.HasTime {
		return md.Date(d.At, "{date_short_pretty} at {time}")
	}
	return md.Esc(d.Text())
}

// sinceAgo says how long ago t was: "just now", "3 hours ago".
func sinceAgo(t, now time.Time) string {
	if s := since(t, now); s != "just now" {
		return s + " ago"
	}
	return "just now"
}

func since(t, now time.Time) string {
	if d := now.Sub(t); d >= time.Minute {
		return spanWords(d)
	}
	return "just now"
}

// spanWords says how long something took: "12 minutes", "5 hours", "3 days".
func spanWords(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
