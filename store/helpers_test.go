package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
)

// now is the tests' clock.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func createTask(t *testing.T, db *store.DB, team, owner, delegator, title string, due baton.Due) baton.Task {
	t.Helper()
	task, ev, err := baton.NewTask(team, delegator, owner, title, "", due, now)
	if err != nil {
		t.Fatalf("NewTask: %v", err)
	}
	created, err := db.CreateTask(context.Background(), task, ev)
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	return created
}

func setStatus(t *testing.T, db *store.DB, team string, number int64, to baton.Status) baton.Task {
	t.Helper()
	task, _, err := db.UpdateTask(context.Background(), team, number, func(task *baton.Task) (baton.TaskEvent, error) {
		return task.ChangeStatus(task.DelegatorID, to, "waiting on legal", now)
	})
	if err != nil {
		t.Fatalf("UpdateTask to %s: %v", to, err)
	}
	return task
}

func due(t *testing.T, date, clock string, loc *time.Location) baton.Due {
	t.Helper()
	d, err := baton.NewDue(date, clock, loc, now)
	if err != nil {
		t.Fatalf("NewDue(%q, %q): %v", date, clock, err)
	}
	return d
}

func wantCode(t *testing.T, err error, code string) *baton.Error {
	t.Helper()
	var e *baton.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a domain error, want code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("error code = %s (%s), want %s", e.Code, e.Message, code)
	}
	return e
}

func numbers(tasks []baton.Task) []int64 {
	ns := make([]int64, len(tasks))
	for i, task := range tasks {
		ns[i] = task.Number
	}
	return ns
}
