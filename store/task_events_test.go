package store_test

import (
	"context"
	"slices"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestTaskEventsOldestFirst(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	task := createTask(t, db, "T1", "U1", "U2", "Write the memo", dueNone)
	other := createTask(t, db, "T1", "U1", "U2", "Unrelated", dueNone)

	changes := []func(*baton.Task) (baton.TaskEvent, error){
		func(t *baton.Task) (baton.TaskEvent, error) {
			return t.ChangeStatus("U1", baton.StatusInProgress, "", now)
		},
		func(t *baton.Task) (baton.TaskEvent, error) { return t.Reassign("U2", "U3", "U1 is away", now) },
		func(t *baton.Task) (baton.TaskEvent, error) { return t.LogUpdate("U3", "Draft done", now) },
	}
	for _, change := range changes {
		if _, _, err := db.UpdateTask(ctx, "T1", task.Number, change); err != nil {
			t.Fatalf("UpdateTask: %v", err)
		}
	}
	setStatus(t, db, "T1", other.Number, baton.StatusDone)

	events, err := db.TaskEvents(ctx, task.ID)
	if err != nil {
		t.Fatalf("TaskEvents: %v", err)
	}
	var kinds []baton.EventKind
	for i, ev := range events {
		kinds = append(kinds, ev.Kind)
		if ev.TaskID != task.ID || ev.TeamID != "T1" {
			t.Fatalf("event %d belongs to task %d of %s", i, ev.TaskID, ev.TeamID)
		}
		if i > 0 && ev.ID <= events[i-1].ID {
			t.Fatalf("events out of order: %+v", events)
		}
	}
	want := []baton.EventKind{baton.EventCreated, baton.EventStatus, baton.EventReassigned, baton.EventUpdate}
	if !slices.Equal(kinds, want) {
		t.Fatalf("event kinds = %v, want %v", kinds, want)
	}
	if ev := events[2]; ev.From != "U1" || ev.To != "U3" || ev.Note != "U1 is away" {
		t.Fatalf("reassign event = %+v", ev)
	}

	none, err := db.TaskEvents(ctx, other.ID+1000)
	if err != nil || len(none) != 0 {
		t.Fatalf("events of a missing task = %+v, %v", none, err)
	}
}
