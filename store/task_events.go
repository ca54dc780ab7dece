package store

import (
	"context"

	baton "github.com/batonhq/baton"
)

const taskEventColumns = `id, task_id, team_id, kind, actor_id, from_value, to_value, note, at`

// TaskEvents returns a task's history, oldest first.
func (db *DB) TaskEvents(ctx context.Context, taskID int64) ([]baton.TaskEvent, error) {
	var events []baton.TaskEvent
	err := db.SelectContext(ctx, &events, `SELECT `+taskEventColumns+` FROM task_events WHERE task_id = $1 ORDER BY id`, taskID)
	if err != nil {
		return nil, mapError("read task events", err)
	}
	for i := range events {
		events[i].At = events[i].At.UTC()
	}
	return events, nil
}
