package handlers

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	baton "github.com/batonhq/baton"
)

// esc makes user text safe inside mrkdwn: Slack reads &, < and > as markup.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to at most n runes, ending with an ellipsis when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// slackDate renders a moment that each viewer's Slack client shows in their own time zone.
func slackDate(t time.Time, format string) string {
	return fmt.Sprintf("<!date^%d^%s|%s>", t.Unix(), format, t.UTC().Format("Mon 2 Jan 2006 15:04 UTC"))
}

// dueText renders a due date: a plain day, or a moment in the viewer's local time.
func dueText(d baton.Due) string {
	if !d.Set() {
		return "No due date"
	}
	if d.HasTime {
		return slackDate(d.At, "{date_short_pretty} at {time}")
	}
	return d.Text()
}

// since says how long ago t was, in the largest sensible unit.
// sinceAgo says how long ago t was: "just now", "3 hours ago".
func sinceAgo(t, now time.Time) string {
	if s := since(t, now); s != "just now" {
		return s + " ago"
	}
	return "just now"
}

func since(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
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

func mention(userID string) string { return "<@" + userID + ">" }
