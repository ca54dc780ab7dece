package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

// BATON_DB_POOL_SIZE and BATON_DB_STATEMENT_TIMEOUT reach the pool: no more connections than asked,
// and a statement that runs too long is ended by Postgres instead of holding its connection.
func TestPoolSizeAndStatementTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.URL(t), store.PoolSize(3), store.StatementTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("pool of %d connections, want 3", got)
	}
	start := time.Now()
	_, err = db.ExecContext(ctx, `SELECT pg_sleep(5)`)
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "57014" {
		t.Fatalf("a 5 s statement under a 1 s timeout: %v", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("the statement ran %v", took)
	}
	var timeout string
	if err := db.GetContext(ctx, &timeout, `SHOW statement_timeout`); err != nil || timeout != "1s" {
		t.Errorf("statement_timeout = %q, %v", timeout, err)
	}
}
