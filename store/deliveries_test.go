package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func accept(t *testing.T, db *store.DB, key string, payload []byte, lease time.Duration) (string, bool) {
	t.Helper()
	claim, first, err := db.AcceptDelivery(context.Background(), key, "slash_commands", "env-"+key, payload, lease)
	if err != nil {
		t.Fatalf("AcceptDelivery(%s): %v", key, err)
	}
	return claim, first
}

func TestAcceptDeliveryOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	for i, want := range []bool{true, false, false} {
		if claim, first := accept(t, db, "envelope-1", []byte(`{}`), time.Minute); first != want || claim == "" {
			t.Fatalf("call %d: first = %v, claim %q; want first = %v and a claim", i, first, claim, want)
		}
	}
	if _, first := accept(t, db, "envelope-2", nil, time.Minute); !first {
		t.Fatal("another key was not first")
	}
}

func TestAcceptDeliveryConcurrent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	const n = 20
	firsts := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, firsts[i], errs[i] = db.AcceptDelivery(context.Background(), "Ev123", "events_api", "env", []byte(`{}`), time.Minute)
		})
	}
	wg.Wait()
	count := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("AcceptDelivery: %v", errs[i])
		}
		if firsts[i] {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d calls saw the delivery first, want 1", count)
	}
}

func TestTakeOverOnlyUnfinishedDeliveriesPastTheirLease(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	accept(t, db, "live", []byte(`{"n":1}`), time.Hour)
	finished, _ := accept(t, db, "finished", []byte(`{"n":2}`), -time.Second)
	if err := db.FinishDelivery(ctx, "finished", finished); err != nil {
		t.Fatal(err)
	}
	accept(t, db, "submission", nil, -time.Second)
	oldClaim, _ := accept(t, db, "stale-2", []byte(`{"n":4}`), -time.Second)
	accept(t, db, "stale-1", []byte(`{"n":3}`), -time.Second)
	if _, err := db.ExecContext(ctx, `UPDATE deliveries SET seen_at = now() - interval '1 minute' WHERE key = 'stale-1'`); err != nil {
		t.Fatal(err)
	}

	// Two replicas take over at once: each delivery goes to one of them.
	var wg sync.WaitGroup
	taken := make([][]store.Delivery, 2)
	for i := range taken {
		wg.Go(func() {
			var err error
			if taken[i], err = db.TakeOverDeliveries(ctx, time.Minute, 10); err != nil {
				t.Errorf("TakeOverDeliveries: %v", err)
			}
		})
	}
	wg.Wait()
	all := append(taken[0], taken[1]...)
	if len(all) != 2 {
		t.Fatalf("took over %+v, want stale-1 and stale-2 once each", all)
	}
	got := taken[0]
	if len(got) < len(taken[1]) {
		got = taken[1]
	}
	if len(got) == 2 && (got[0].Key != "stale-1" || got[1].Key != "stale-2") {
		t.Errorf("took over %s, %s; want the oldest first", got[0].Key, got[1].Key)
	}
	for _, d := range all {
		if d.Attempts != 2 || d.Claim == "" || d.Claim == oldClaim || d.Kind != "slash_commands" || string(d.Payload) == "" {
			t.Errorf("taken over %+v", d)
		}
	}
	if again, err := db.TakeOverDeliveries(ctx, time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("taken over again inside the new lease: %+v, %v", again, err)
	}
	// The process that was too slow can no longer finish what was taken from it.
	if err := db.FinishDelivery(ctx, "stale-2", oldClaim); err != nil {
		t.Fatal(err)
	}
	var done bool
	if err := db.GetContext(ctx, &done, `SELECT done_at IS NOT NULL FROM deliveries WHERE key = 'stale-2'`); err != nil || done {
		t.Fatalf("finished with a claim taken over: done = %v, %v", done, err)
	}
}

func TestExtendKeepsALiveProcessesDeliveries(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	mine, _ := accept(t, db, "mine", []byte(`{}`), -time.Second)
	accept(t, db, "dead", []byte(`{}`), -time.Second)
	if err := db.ExtendDeliveries(ctx, map[string]string{"mine": mine, "dead": "not-its-claim"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	taken, err := db.TakeOverDeliveries(ctx, time.Minute, 10)
	if err != nil || len(taken) != 1 || taken[0].Key != "dead" {
		t.Fatalf("took over %+v, %v; want only the delivery nobody renewed", taken, err)
	}
}

func TestAChangeMarksItsDeliveryDoneOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	claim, _ := accept(t, db, "envelope-9", []byte(`{}`), time.Minute)
	task, ev, err := baton.NewTask("T1", "UDEL", "UOWN", "Plan the launch", "", baton.Due{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTask(store.WithDeliveryClaim(ctx, "envelope-9", claim), task, ev); err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	if taken, err := db.TakeOverDeliveries(ctx, time.Minute, 10); err != nil || len(taken) != 0 {
		t.Fatalf("a delivery whose change committed was taken over: %+v, %v", taken, err)
	}
	// The change's own transaction forgot the envelope: nothing is left to replay it from.
	var kept bool
	if err := db.GetContext(ctx, &kept, `SELECT payload IS NOT NULL FROM deliveries WHERE key = 'envelope-9'`); err != nil || kept {
		t.Fatalf("payload kept after the change committed: %v, %v", kept, err)
	}
	// A replica that took the delivery over would hold another claim: its change is refused.
	if _, err := db.CreateTask(store.WithDeliveryClaim(ctx, "envelope-9", "someone-else"), task, ev); baton.ErrorCode(err) != baton.EConflict {
		t.Fatalf("CreateTask under a lost claim: %v, want a conflict", err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM tasks WHERE title = 'Plan the launch'`); err != nil || n != 1 {
		t.Fatalf("%d tasks, %v; want the change made once", n, err)
	}
}

// A replica takes a delivery over at the moment the process that holds it writes its change: the
// takeover has changed the claim and not committed yet when the change's transaction asks whether
// the delivery is still its own. The change waits for the takeover to commit, then must see the
// claim it lost and be refused, or the task would be made twice, once by each.
func TestAChangeRacingATakeoverOfItsDeliveryIsRefused(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	claim, _ := accept(t, db, "envelope-race", []byte(`{}`), time.Minute)
	takeover, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer takeover.Rollback()
	if _, err := takeover.ExecContext(ctx, `UPDATE deliveries SET claim = 'replica-b' WHERE key = 'envelope-race'`); err != nil {
		t.Fatal(err)
	}
	task, ev, err := baton.NewTask("T1", "UDEL", "UOWN", "Plan the launch", "", baton.Due{}, now)
	if err != nil {
		t.Fatal(err)
	}
	changed := make(chan error, 1)
	go func() {
		_, err := db.CreateTask(store.WithDeliveryClaim(ctx, "envelope-race", claim), task, ev)
		changed <- err
	}()
	// The change is waiting on the row the takeover holds.
	if err := waitLocked(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := takeover.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-changed; baton.ErrorCode(err) != baton.EConflict {
		t.Fatalf("CreateTask under a claim taken over meanwhile: %v, want a conflict", err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM tasks WHERE title = 'Plan the launch'`); err != nil || n != 0 {
		t.Fatalf("%d tasks, %v; want none made under the lost claim", n, err)
	}
}

// waitLocked waits until a session waits for a row of this test's deliveries table that another
// holds: the waiter holds the row's tuple lock while it waits.
func waitLocked(ctx context.Context, db *store.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		var waiting int
		if err := db.GetContext(ctx, &waiting, `SELECT count(*) FROM pg_locks WHERE locktype = 'tuple' AND relation = 'deliveries'::regclass`); err != nil {
			return err
		}
		if waiting > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestAChangeUnderAClaimThatWasNeverKeptIsMade(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	task, ev, err := baton.NewTask("T1", "UDEL", "UOWN", "Plan the launch", "", baton.Due{}, now)
	if err != nil {
		t.Fatal(err)
	}
	// The inbox could not be reached: the envelope is handled in memory under its claim.
	if _, err := db.CreateTask(store.WithDeliveryClaim(context.Background(), "envelope-lost", "c1"), task, ev); err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
}

func TestPruneDeliveries(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for _, key := range []string{"old-1", "old-2", "new"} {
		accept(t, db, key, nil, time.Minute)
	}
	if _, err := db.ExecContext(ctx, `UPDATE deliveries SET seen_at = now() - interval '2 days' WHERE key LIKE 'old-%'`); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneDeliveries(ctx, time.Now().Add(-24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	if _, first := accept(t, db, "new", nil, time.Minute); first {
		t.Fatal("a recent delivery was pruned")
	}
	if _, first := accept(t, db, "old-1", nil, time.Minute); !first {
		t.Fatal("a pruned delivery is still remembered")
	}
}
