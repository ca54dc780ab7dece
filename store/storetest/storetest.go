// Package storetest gives each test a store on its own Postgres schema, migrated and dropped
// afterwards (see pgtest, which it builds on).
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/internal/pgtest"
	"github.com/batonhq/baton/store"
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
// it; see pgtest.URL.
func URL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}

// Open opens a store on dbURL (as returned by URL) and closes it when the test ends.
func Open(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		pgtest.Unreachable(t, err)
	}
	db.SetMaxOpenConns(pgtest.MaxOpenConns)
	db.SetMaxIdleConns(pgtest.MaxIdleConns)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("storetest: %v", err)
		}
	})
	return db
}
