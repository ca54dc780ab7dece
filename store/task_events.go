package store

import (
	"context"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
)

const taskEventColumns = `id, task_id, team_id, kind, actor_id, from_value, to_value, note, at`

// insertTaskEvent appends ev to its task's history and returns it as stored, with its ID.
// Task events are never updated or deleted.
func insertTaskEvent(ctx context.Context, tx *sqlx.Tx, ev baton.TaskEvent) (baton.TaskEvent, error) {
	var stored baton.TaskEvent
	err := tx.GetContext(ctx, &stored, `INSERT INTO task_events (task_id, team_id, kind, actor_id, from_value, to_value, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING `+taskEventColumns,
		ev.TaskID, ev.TeamID, ev.Kind, ev.Actor, ev.From, ev.To, ev.Note, ev.At)
	if err != nil {
		return baton.TaskEvent{}, mapError("record task event", err)
	}
	stored.At = stored.At.UTC()
	return stored, nil
}

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
