package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

// outboxTask stores a task with its card in channel C1 and returns it with the lane its messages wait in.
func outboxTask(t *testing.T, db *store.DB, owner, delegator string) (baton.Task, baton.Lane) {
	t.Helper()
	task, ev, err := baton.NewTask("T1", delegator, owner, "Ship it", "", baton.Due{}, now)
	if err != nil {
		t.Fatal(err)
	}
	task.ChannelID = "C1"
	stored, err := db.CreateTask(context.Background(), task, ev)
	if err != nil {
		t.Fatal(err)
	}
	return stored, baton.Lane{TeamID: "T1", Lane: "C1"}
}

func queued(msgs []baton.Outgoing) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Kind)+">"+m.To)
	}
	return out
}

func TestAChangeQueuesItsMessagesInTheSameTransaction(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	task, lane := outboxTask(t, db, "UANA", "UBEA")
	if _, _, err := db.UpdateTask(ctx, "T1", task.Number, func(t *baton.Task) (baton.TaskEvent, error) {
		return t.ChangeStatus("UANA", baton.StatusBlocked, "Waiting on legal", now)
	}); err != nil {
		t.Fatal(err)
	}
	wantErr := errors.New("refused")
	if _, _, err := db.UpdateTask(ctx, "T1", task.Number, func(t *baton.Task) (baton.TaskEvent, error) {
		return baton.TaskEvent{}, wantErr
	}); !errors.Is(err, wantErr) {
		t.Fatalf("refused change: %v", err)
	}
	msgs, err := db.OutgoingIn(ctx, lane, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := queued(msgs)
	want := []string{"task.card>", "task.assigned>UANA", "task.timers>", "task.card>", "task.thread>", "task.urgent>UBEA", "task.timers>"}
	if len(got) != len(want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("queued %v, want %v", got, want)
		}
	}
	if msgs[4].Event.Kind != baton.EventStatus || msgs[4].Event.Note != "Waiting on legal" || msgs[4].Task.Status != baton.StatusBlocked {
		t.Errorf("the thread reply carries %+v of %+v", msgs[4].Event, msgs[4].Task)
	}
	if n, err := db.OutboxDepth(ctx); err != nil || n != int64(len(want)) {
		t.Errorf("OutboxDepth = %d, %v, want %d", n, err, len(want))
	}
}

func TestOutboxLanesAreHeldByOneProcessAndTakenOverWhenItDies(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	_, lane := outboxTask(t, db, "UANA", "UBEA")

	got, err := db.ClaimLanes(ctx, "dead", time.Second, 10)
	if err != nil || len(got) != 1 || got[0].Lane != lane || got[0].TakenOver {
		t.Fatalf("first claim = %+v, %v; want the lane, not taken over", got, err)
	}
	if _, ok, err := db.ClaimLane(ctx, lane, "alive", time.Minute); ok || err != nil {
		t.Fatalf("a held lane was claimed again (%v)", err)
	}
	if got, err := db.ClaimLanes(ctx, "alive", time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("a held lane was claimed by a poll: %+v, %v", got, err)
	}
	leasesRunOut(t, db)
	taken, ok, err := db.ClaimLane(ctx, lane, "alive", time.Minute)
	if err != nil || !ok || !taken.TakenOver {
		t.Fatalf("claim after the lease = %+v, %v, %v; want it taken over", taken, ok, err)
	}
	msgs, err := db.OutgoingIn(ctx, lane, 50)
	if err != nil {
		t.Fatal(err)
	}
	if again, ok, err := db.ClaimLane(ctx, lane, "alive", time.Minute); err != nil || !ok || !again.TakenOver {
		t.Fatalf("claimed again by its holder = %+v, %v, %v; want it still taken over until the post is dealt with", again, ok, err)
	}
	if _, err := db.FinishOutgoing(ctx, lane, "dead", []int64{msgs[0].ID}, false); !errors.Is(err, baton.ErrLaneLost) {
		t.Fatalf("the dead process finished a message of a lane it lost: %v", err)
	}
	if released, err := db.FinishOutgoing(ctx, lane, "alive", []int64{msgs[0].ID}, true); released || err != nil {
		t.Fatalf("a lane with a message waiting was released (%v)", err)
	}
	if released, err := db.FinishOutgoing(ctx, lane, "alive", []int64{msgs[1].ID, msgs[2].ID}, false); !released || err != nil {
		t.Fatalf("an emptied lane was not released (%v)", err)
	}
	if left, err := db.OutgoingIn(ctx, lane, 50); len(left) != 0 || err != nil {
		t.Fatalf("left in the lane: %+v (%v)", left, err)
	}
	again, ok, err := db.ClaimLane(ctx, lane, "next", time.Minute)
	if err != nil || !ok || again.TakenOver {
		t.Fatalf("claim of a released lane = %+v, %v, %v; want it free, not taken over", again, ok, err)
	}
}

// A process renews the lanes it is sending, not every lane its claim holds: a lane it could not let
// go of (Postgres failed it then) would otherwise stay its own, unsent, for as long as it lives.
func TestOnlyTheLanesBeingSentAreRenewed(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	_, sending := outboxTask(t, db, "UANA", "UBEA")
	task, ev, err := baton.NewTask("T1", "UBEA", "UANA", "Ship it too", "", baton.Due{}, now)
	if err != nil {
		t.Fatal(err)
	}
	task.ChannelID = "C2"
	if _, err := db.CreateTask(ctx, task, ev); err != nil {
		t.Fatal(err)
	}
	left := baton.Lane{TeamID: "T1", Lane: "C2"}
	if got, err := db.ClaimLanes(ctx, "p1", time.Minute, 10); err != nil || len(got) != 2 {
		t.Fatalf("p1 claimed %+v, %v; want both lanes", got, err)
	}
	leasesRunOut(t, db)
	if err := db.ExtendLanes(ctx, "p1", []baton.Lane{sending}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ClaimLane(ctx, sending, "p2", time.Minute); ok || err != nil {
		t.Errorf("the lane p1 is sending was taken (%v)", err)
	}
	if taken, ok, err := db.ClaimLane(ctx, left, "p2", time.Minute); !ok || err != nil || !taken.TakenOver {
		t.Errorf("the lane p1 held and no longer sent: %+v, %v, %v; want it taken over", taken, ok, err)
	}
}

func TestADeferredMessageWaitsAndCountsItsAttempt(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	_, lane := outboxTask(t, db, "UANA", "UBEA")
	if _, ok, err := db.ClaimLane(ctx, lane, "p1", time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v", err)
	}
	msgs, err := db.OutgoingIn(ctx, lane, 50)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeferOutgoing(ctx, lane, "p1", msgs[0].ID, "slack: timeout", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.ClaimLane(ctx, lane, "p2", time.Minute); ok || err != nil {
		t.Fatalf("a lane waiting to retry was claimed (%v)", err)
	}
	if got, err := db.ClaimLanes(ctx, "p2", time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("a lane waiting to retry was claimed by a poll: %+v, %v", got, err)
	}
	leasesRunOut(t, db)
	got, err := db.ClaimLanes(ctx, "p2", time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].TakenOver {
		t.Fatalf("claim after the wait = %+v, %v; want the lane, free", got, err)
	}
	msgs, err = db.OutgoingIn(ctx, lane, 50)
	if err != nil || msgs[0].Attempts != 1 {
		t.Fatalf("the deferred message = %+v (%v); want it first, with one attempt", msgs, err)
	}
	if n, err := db.LanePosts(ctx, lane); n != 1 || err != nil {
		t.Errorf("LanePosts = %d, %v; want the card (the DM is not paced by the channel)", n, err)
	}
}

func TestALaneBeingReleasedCanBeClaimedOnceItIs(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	_, lane := outboxTask(t, db, "UANA", "UBEA")
	if _, ok, err := db.ClaimLane(ctx, lane, "holder", time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v", err)
	}
	// Nothing finished: a lane with messages waiting stays held.
	if released, err := db.FinishOutgoing(ctx, lane, "holder", nil, false); released || err != nil {
		t.Fatalf("finishing nothing released a lane with messages waiting (%v)", err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox_lanes SET claim = '', lease_until = '-infinity' WHERE team_id = $1 AND lane = $2`, lane.TeamID, lane.Lane); err != nil {
		t.Fatal(err)
	}
	claimed := make(chan bool, 1)
	go func() {
		_, ok, err := db.ClaimLane(ctx, lane, "kicker", time.Minute)
		if err != nil {
			t.Error(err)
		}
		claimed <- ok
	}()
	waitForLockWait(t, db, "WITH prev AS")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if !<-claimed {
		t.Fatal("a claim made while the lane was being released missed it once it was")
	}
}

// waitForLockWait waits until a statement containing query waits for a lock.
func waitForLockWait(t *testing.T, db *store.DB, query string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND position($1 in query) > 0`, query); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no statement with %q came to wait for a lock", query)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestALaneLetGoWaitsAndWarnsItsNextHolder(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	_, lane := outboxTask(t, db, "UANA", "UBEA")
	if _, ok, err := db.ClaimLane(ctx, lane, "p1", time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v", err)
	}
	if err := db.LetGoLane(ctx, lane, "someone else", 0, true); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ClaimLane(ctx, lane, "p2", time.Minute); ok {
		t.Fatal("a lane was let go by a process that did not hold it")
	}
	if err := db.LetGoLane(ctx, lane, "p1", time.Hour, true); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ClaimLane(ctx, lane, "p2", time.Minute); ok {
		t.Fatal("a lane let go for an hour was claimed at once")
	}
	leasesRunOut(t, db)
	got, ok, err := db.ClaimLane(ctx, lane, "p2", time.Minute)
	if err != nil || !ok || !got.TakenOver {
		t.Fatalf("claim after the wait = %+v, %v, %v; want it, marked taken over", got, ok, err)
	}
}

// leasesRunOut ends every lane's lease, as when its holder died or its wait ended.
func leasesRunOut(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `UPDATE outbox_lanes SET lease_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
}
