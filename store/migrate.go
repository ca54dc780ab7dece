package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// How long Migrate waits for another process's migration: a try every second for five minutes.
const (
	migrateLockPeriodSeconds = 1
	migrateLockTries         = 300
)

// Migrate brings the schema of the connection's current schema (the first of its search_path) up
// to date. Several processes may call it at once: a Postgres advisory lock, keyed by the schema's
// name, lets one apply the pending migrations while the others wait and then find nothing to do.
func (db *DB) Migrate(ctx context.Context) error {
	var schema sql.NullString
	if err := db.GetContext(ctx, &schema, `SELECT current_schema()`); err != nil {
		return fmt.Errorf("store: migrate: read current schema: %w", err)
	}
	if !schema.Valid {
		return errors.New("store: migrate: no schema in the search_path exists")
	}
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID(schema.String)),
		lock.WithLockTimeout(migrateLockPeriodSeconds, migrateLockTries),
	)
	if err != nil {
		return fmt.Errorf("store: migrate: create lock: %w", err)
	}
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("store: migrate: open migrations: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("store: migrate: load migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: apply migrations: %w", err)
	}
	return nil
}

// migrationLockID is the advisory lock key for migrating one schema, so that processes migrating
// different schemas of the same database (tests, several environments) do not wait on each other.
func migrationLockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("baton/migrate/" + schema))
	return int64(h.Sum64())
}
