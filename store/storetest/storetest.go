// Package storetest gives each test its own Postgres schema, migrated and dropped afterwards.
//
// The database comes from TEST_DATABASE_URL, defaulting to the local server. When it cannot be
// reached the test is skipped, unless CI is set, in which case it fails.
package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/store"
)

// DefaultURL is the test database used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Pool limits for a test's store: tests run in parallel against one server, so each keeps few
// connections.
const (
	maxOpenConns = 10
	maxIdleConns = 2
)

const setupTimeout = 30 * time.Second

// New returns a store on a fresh, migrated schema of its own. The store is closed and the schema
// dropped when the test ends.
func New(t testing.TB) *store.DB {
	t.Helper()
	db := Open(t, URL(t))
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: %v", err)
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
	admin, err := store.Open(ctx, base)
	if err != nil {
		unreachable(t, err)
	}
	defer closeDB(t, admin)

	schema := "t_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })

	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return u
}

// Open opens a store on dbURL (as returned by URL) and closes it when the test ends.
func Open(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		unreachable(t, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxIdleConns)
	t.Cleanup(func() { closeDB(t, db) })
	return db
}

func unreachable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("storetest: test database unreachable (CI is set, so this fails): %v", err)
	}
	t.Skipf("storetest: skipping, test database unreachable (set TEST_DATABASE_URL to run store tests): %v", err)
}

func dropSchema(t testing.TB, base, schema string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := store.Open(ctx, base)
	if err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
		return
	}
	defer closeDB(t, admin)
	if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("storetest: drop schema %s: %v", schema, err)
	}
}

func closeDB(t testing.TB, db *store.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Errorf("storetest: %v", err)
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
