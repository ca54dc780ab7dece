package store_test

import (
	"context"
	"errors"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
	"github.com/jmoiron/sqlx"
)

func deliveryCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM deliveries`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInTx(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	insert := func(key string) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (key) VALUES ($1)`, key)
			return err
		}
	}

	refusal := baton.Errorf(baton.EForbidden, "no")
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := insert("rolled-back")(tx); err != nil {
			return err
		}
		return refusal
	})
	if !errors.Is(err, refusal) {
		t.Fatalf("InTx error = %v, want fn's error", err)
	}
	if n := deliveryCount(t, db); n != 0 {
		t.Fatalf("after an error %d rows remain", n)
	}

	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want the panic re-raised", p)
			}
		}()
		_ = db.InTx(ctx, func(tx *sqlx.Tx) error {
			if err := insert("panicked")(tx); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if n := deliveryCount(t, db); n != 0 {
		t.Fatalf("after a panic %d rows remain", n)
	}

	if err := db.InTx(ctx, insert("committed")); err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if n := deliveryCount(t, db); n != 1 {
		t.Fatalf("after a commit %d rows, want 1", n)
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
}
