package baton

import "time"

// Urgency ranks a task at a moment: 0 overdue and blocked, 1 overdue, 2 blocked, 3 neither.
func (t Task) Urgency(now time.Time) int {
	switch overdue, blocked := t.Overdue(now), t.Status == StatusBlocked; {
	case overdue && blocked:
		return 0
	case overdue:
		return 1
	case blocked:
		return 2
	}
	return 3
}

// CompareUrgency orders tasks the way a dashboard lists them: overdue and blocked first, then by
// due date, soonest first (those without one last), then the longest in their status first.
func CompareUrgency(a, b Task, now time.Time) int {
	if c := a.Urgency(now) - b.Urgency(now); c != 0 {
		return c
	}
	switch {
	case a.Due.Set() != b.Due.Set():
		if a.Due.Set() {
			return -1
		}
		return 1
	case a.Due.Set() && !a.Due.At.Equal(b.Due.At):
		return a.Due.At.Compare(b.Due.At)
	case !a.StatusChangedAt.Equal(b.StatusChangedAt):
		return a.StatusChangedAt.Compare(b.StatusChangedAt)
	}
	return int(a.Number - b.Number)
}
