package baton

import (
	"sort"
	"time"
)

// DefaultReminderOffsets are how long before a task's due moment its owner is reminded.
var DefaultReminderOffsets = []time.Duration{24 * time.Hour, 2 * time.Hour}

// Checkpoint is a moment the deadline watch looks at a task: a reminder before it is due, or the
// moment it becomes overdue (Before 0).
type Checkpoint struct {
	Name   string
	At     time.Time
	Before time.Duration
}

// Overdue reports whether this checkpoint is the due moment itself.
func (c Checkpoint) Overdue() bool { return c.Before == 0 }

// CheckpointNames lists the names every task's checkpoints may have, for cancelling them all.
func CheckpointNames(offsets []time.Duration) []string {
	names := []string{"overdue"}
	for _, o := range offsets {
		names = append(names, checkpointName(o))
	}
	return names
}

func checkpointName(before time.Duration) string {
	if before == 0 {
		return "overdue"
	}
	return "due-" + before.String()
}

// DeadlineCheckpoints are the checkpoints of an open task still ahead of now, earliest first.
// A reminder whose moment has passed is skipped: a task due in an hour gets no "due in 24h" reminder.
func (t *Task) DeadlineCheckpoints(offsets []time.Duration, now time.Time) []Checkpoint {
	if !t.Status.Open() || !t.Due.Set() {
		return nil
	}
	var out []Checkpoint
	for _, before := range append([]time.Duration{0}, offsets...) {
		at := t.Due.At.Add(-before)
		if at.After(now) {
			out = append(out, Checkpoint{Name: checkpointName(before), At: at, Before: before})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// PreviousCheckpoint is the moment the watch last looked at the task before the checkpoint at `at`:
// the latest earlier reminder, or when the task was handed to its owner if that came later.
func (t *Task) PreviousCheckpoint(offsets []time.Duration, at, assignedAt time.Time) time.Time {
	prev := assignedAt
	for _, before := range offsets {
		if cp := t.Due.At.Add(-before); cp.Before(at) && cp.After(prev) {
			prev = cp
		}
	}
	return prev
}

// Stalled reports whether the task's status has not moved since the given moment.
func (t *Task) Stalled(since time.Time) bool { return !t.StatusChangedAt.After(since) }
