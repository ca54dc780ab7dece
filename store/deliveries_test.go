package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/store/storetest"
)

func TestFirstDelivery(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()

	for i, want := range []bool{true, false, false} {
		got, err := db.FirstDelivery(ctx, "envelope-1")
		if err != nil {
			t.Fatalf("FirstDelivery: %v", err)
		}
		if got != want {
			t.Fatalf("call %d: FirstDelivery = %v, want %v", i, got, want)
		}
	}
	if first, err := db.FirstDelivery(ctx, "envelope-2"); err != nil || !first {
		t.Fatalf("FirstDelivery of another key = %v, %v", first, err)
	}
}

func TestFirstDeliveryConcurrent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	const n = 20

	firsts := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { firsts[i], errs[i] = db.FirstDelivery(context.Background(), "Ev123") })
	}
	wg.Wait()
	count := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("FirstDelivery: %v", errs[i])
		}
		if firsts[i] {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d calls saw the delivery first, want 1", count)
	}
}

func TestPruneDeliveries(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for _, key := range []string{"old-1", "old-2", "new"} {
		if _, err := db.FirstDelivery(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE deliveries SET seen_at = now() - interval '2 days' WHERE key LIKE 'old-%'`); err != nil {
		t.Fatal(err)
	}

	n, err := db.PruneDeliveries(ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatalf("PruneDeliveries: %v", err)
	}
	if n != 2 {
		t.Fatalf("pruned %d, want 2", n)
	}
	if first, _ := db.FirstDelivery(ctx, "new"); first {
		t.Fatal("a recent delivery was pruned")
	}
	if first, _ := db.FirstDelivery(ctx, "old-1"); !first {
		t.Fatal("a pruned delivery is still remembered")
	}
	if n, err := db.PruneDeliveries(ctx, time.Now().Add(-24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("second prune = %d, %v, want 0", n, err)
	}
}
