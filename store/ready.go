package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/lib/pq"
)

// Ready reports whether Postgres answers and holds every migration this build carries: a process
// that started before a newer one migrated, or against a database nobody migrated, is not ready.
func (db *DB) Ready(ctx context.Context) error {
	want, err := latestMigration()
	if err != nil {
		return err
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

// latestMigration is the number of the newest migration embedded in this build.
func latestMigration() (int64, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return 0, fmt.Errorf("store: read the migrations: %w", err)
	}
	var latest int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if n, err := strconv.ParseInt(num, 10, 64); ok && err == nil {
			latest = max(latest, n)
		}
	}
	return latest, nil
}
