package baton_test

import (
	"testing"
	"time"

	"github.com/batonhq/baton"
)

func dueTask(t *testing.T, status baton.Status, due time.Time) baton.Task {
	t.Helper()
	created := due.Add(-72 * time.Hour)
	task, _, err := baton.NewTask("T1", "UD", "UO", "Ship v2", "", baton.Due{}, created)
	if err != nil {
		t.Fatal(err)
	}
	task.Due = baton.Due{Date: due.Format(time.DateOnly), Time: due.Format("15:04"), At: due, HasTime: true}
	task.Status = status
	return task
}

func TestDeadlineCheckpoints(t *testing.T) {
	due := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	offsets := baton.DefaultReminderOffsets
	cases := []struct {
		name   string
		status baton.Status
		now    time.Time
		want   []string
	}{
		{"far ahead", baton.StatusTodo, due.Add(-72 * time.Hour), []string{"due-24h0m0s", "due-2h0m0s", "overdue"}},
		{"inside a day", baton.StatusInProgress, due.Add(-5 * time.Hour), []string{"due-2h0m0s", "overdue"}},
		{"an hour left", baton.StatusBlocked, due.Add(-time.Hour), []string{"overdue"}},
		{"past due", baton.StatusTodo, due.Add(time.Minute), nil},
		{"done", baton.StatusDone, due.Add(-72 * time.Hour), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			task := dueTask(t, c.status, due)
			got := task.DeadlineCheckpoints(offsets, c.now)
			if len(got) != len(c.want) {
				t.Fatalf("checkpoints %+v, want %v", got, c.want)
			}
			for i, cp := range got {
				if cp.Name != c.want[i] || !cp.At.Equal(due.Add(-cp.Before)) {
					t.Errorf("checkpoint %d = %+v, want %s", i, cp, c.want[i])
				}
				if i > 0 && !got[i-1].At.Before(cp.At) {
					t.Errorf("checkpoints out of order: %+v", got)
				}
			}
			if len(got) > 0 && !got[len(got)-1].Overdue() {
				t.Errorf("the last checkpoint should be the due moment: %+v", got)
			}
		})
	}
	var none baton.Task
	if cps := none.DeadlineCheckpoints(offsets, due); cps != nil {
		t.Errorf("a task without a due date has checkpoints: %+v", cps)
	}
}

func TestPreviousCheckpointAndStalled(t *testing.T) {
	due := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	task := dueTask(t, baton.StatusInProgress, due)
	assigned := task.CreatedAt
	offsets := baton.DefaultReminderOffsets
	day, twoHours := due.Add(-24*time.Hour), due.Add(-2*time.Hour)

	if got := task.PreviousCheckpoint(offsets, day, assigned); !got.Equal(assigned) {
		t.Errorf("before the first reminder the watch last looked at assignment, got %v", got)
	}
	if got := task.PreviousCheckpoint(offsets, twoHours, assigned); !got.Equal(day) {
		t.Errorf("before the 2h reminder it last looked at the 24h one, got %v", got)
	}
	if got := task.PreviousCheckpoint(offsets, due, assigned); !got.Equal(twoHours) {
		t.Errorf("before overdue it last looked at the 2h one, got %v", got)
	}
	reassigned := due.Add(-time.Hour)
	if got := task.PreviousCheckpoint(offsets, due, reassigned); !got.Equal(reassigned) {
		t.Errorf("a reassignment after the last reminder restarts the watch, got %v", got)
	}

	task.StatusChangedAt = day.Add(-time.Hour)
	if !task.Stalled(day) {
		t.Error("status moved before the checkpoint: the task has stalled since")
	}
	task.StatusChangedAt = day.Add(time.Minute)
	if task.Stalled(day) {
		t.Error("status moved after the checkpoint: not stalled")
	}
}
