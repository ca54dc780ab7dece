// Package migrations is Baton's Postgres schema: one numbered sequence of SQL files for every
// package that keeps tables (store's records, scheduler's jobs), and the code that applies it.
// It imports no other Baton package, so any of them, and their tests, can bring a schema up to
// date.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// How long Up waits for another process's migration: a try every second for five minutes.
const (
	lockPeriodSeconds = 1
	lockTries         = 300
)

// Up brings the connection's current schema (the first of its search_path) up to date. Several
// processes may call it at once: a Postgres advisory lock, keyed by the schema's name, lets one
// apply the pending migrations while the others wait and then find nothing to do.
func Up(ctx context.Context, db *sql.DB) error {
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("migrate: read current schema: %w", err)
	}
	if !schema.Valid {
		return errors.New("migrate: no schema in the search_path exists")
	}
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(lockID(schema.String)),
		lock.WithLockTimeout(lockPeriodSeconds, lockTries),
	)
	if err != nil {
		return fmt.Errorf("migrate: create lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, files,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("migrate: load migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate: apply migrations: %w", err)
	}
	return nil
}

// Latest is the number of the newest migration embedded in this build.
func Latest() (int64, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return 0, fmt.Errorf("read the migrations: %w", err)
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

// lockID is the advisory lock key for migrating one schema, so that processes migrating
// different schemas of the same database (tests, several environments) do not wait on each other.
func lockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("baton/migrate/" + schema))
	return int64(h.Sum64())
}
