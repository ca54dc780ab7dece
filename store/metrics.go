package store

import "context"

// Backlog is what waits: messages in the outbox not yet sent, and jobs parked for a person.
func (db *DB) Backlog(ctx context.Context) (outbox, parked int64, err error) {
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM jobs WHERE state = 'parked')`).Scan(&outbox, &parked)
	return outbox, parked, mapError("count the backlog", err)
}
