package store

import "context"

// OutboxDepth counts the messages in the outbox not yet sent.
func (db *DB) OutboxDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM outbox`); err != nil {
		return 0, mapError("count the outbox", err)
	}
	return n, nil
}
