package store

import (
	"context"
	"time"
)

// FirstDelivery records that a Slack envelope or event with this key has been seen and reports
// whether this call was the first to see it, across every bot process sharing the database.
func (db *DB) FirstDelivery(ctx context.Context, key string) (bool, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO deliveries (key) VALUES ($1) ON CONFLICT (key) DO NOTHING`, key)
	if err != nil {
		return false, mapError("record delivery", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapError("record delivery", err)
	}
	return n == 1, nil
}

// PruneDeliveries forgets deliveries seen before the given instant and returns how many it removed.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM deliveries WHERE seen_at < $1`, before.UTC())
	if err != nil {
		return 0, mapError("prune deliveries", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError("prune deliveries", err)
	}
	return n, nil
}
