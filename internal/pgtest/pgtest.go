// Package pgtest gives each test its own Postgres schema, dropped afterwards, for any package
// that keeps tables (store through storetest, scheduler directly).
//
// The database comes from TEST_DATABASE_URL, defaulting to the local server. When it cannot be
// reached the test is skipped, unless CI is set, in which case it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/pgpool"
	"github.com/batonhq/baton/store/migrations"
	"github.com/jmoiron/sqlx"
)

// DefaultURL is the test database used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Pool limits for a test's connections: tests run in parallel against one server, so each keeps
// few.
const (
	MaxOpenConns = 10
	MaxIdleConns = 2
)

const setupTimeout = 30 * time.Second

// New returns a pool on a fresh, migrated schema of its own. The pool is closed and the schema
// dropped when the test ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	db := open(t, URL(t))
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := migrations.Up(ctx, db.DB); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return db
}

// URL creates a fresh, empty schema for the test and returns a connection URL whose sessions use
// it (through lib/pq's search_path parameter). The schema is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := connect(ctx, base)
	if err != nil {
		Unreachable(t, err)
	}
	defer closeDB(t, admin)

	schema := "t_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })

	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// open opens a pool on dbURL (as returned by URL), as Baton opens its own but with the test's
// limits, and closes it when the test ends.
func open(t testing.TB, dbURL string) *sqlx.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := connect(ctx, dbURL)
	if err != nil {
		Unreachable(t, err)
	}
	t.Cleanup(func() { closeDB(t, db) })
	return db
}

// Unreachable skips the test, or fails it when CI is set, because the test database could not be
// reached.
func Unreachable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("pgtest: test database unreachable (CI is set, so this fails): %v", err)
	}
	t.Skipf("pgtest: skipping, test database unreachable (set TEST_DATABASE_URL to run database tests): %v", err)
}

// connect opens a pool with the test's limits and checks that the database answers.
func connect(ctx context.Context, dbURL string) (*sqlx.DB, error) {
	db, err := pgpool.Open(dbURL, MaxOpenConns, MaxIdleConns, 0)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func dropSchema(t testing.TB, base, schema string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := connect(ctx, base)
	if err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
		return
	}
	defer closeDB(t, admin)
	if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
	}
}

func closeDB(t testing.TB, db *sqlx.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Errorf("pgtest: %v", err)
	}
}

// withSearchPath adds search_path=schema to a lib/pq URL or key=value connection string.
func withSearchPath(dsn, schema string) (string, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", errors.New("TEST_DATABASE_URL is not a valid connection URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
