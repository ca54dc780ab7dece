package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/batonhq/baton/store/migrations"
	"github.com/lib/pq"
)

// Ready reports whether Postgres answers and holds every migration this build carries: a process
// that started before a newer one migrated, or against a database nobody migrated, is not ready.
func (db *DB) Ready(ctx context.Context) error {
	want, err := migrations.Latest()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var have int64
	err = db.GetContext(ctx, &have, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`)
	var pqErr *pq.Error
	switch {
	case errors.As(err, &pqErr) && pqErr.Code == "42P01": // undefined_table: never migrated
	case err != nil:
		return fmt.Errorf("postgres does not answer: %w", err)
	}
	if have < want {
		return fmt.Errorf("postgres has migrations up to %d, this build needs %d; run baton migrate", have, want)
	}
	return nil
}
