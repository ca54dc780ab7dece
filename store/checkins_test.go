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

func createCheckin(t *testing.T, db *store.DB, team, sender string, schedule baton.Schedule, recipients ...string) baton.Checkin {
	t.Helper()
	c := baton.Checkin{TeamID: team, SenderID: sender, Message: "How is the launch going?", Schedule: schedule, AskReply: true, CreatedAt: now}
	for _, r := range recipients {
		c.Recipients = append(c.Recipients, baton.CheckinRecipient{UserID: r, TZ: "America/New_York"})
	}
	created, err := db.CreateCheckin(context.Background(), c)
	if err != nil {
		t.Fatalf("CreateCheckin: %v", err)
	}
	return created
}

var weekdays0930 = baton.Schedule{Repeat: baton.RepeatWeekdays, At: baton.Clock{Hour: 9, Minute: 30}, SkipNonWorking: true}

func TestCheckinsAreNumberedPerWorkspaceApartFromTasks(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createTask(t, db, "TA", "U1", "U2", "A task takes T-1", dueNone)
	for want := int64(1); want <= 3; want++ {
		for _, team := range []string{"TA", "TB"} {
			c := createCheckin(t, db, team, "UBEA", weekdays0930, "UANA", "UBO")
			if c.Number != want || c.Ref() != baton.CheckinRef(want) {
				t.Fatalf("%s check-in = %s, want C-%d", team, c.Ref(), want)
			}
		}
	}
	got, err := db.Checkin(ctx, "TA", 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Schedule != weekdays0930 || got.SenderID != "UBEA" || got.State != baton.CheckinActive || !got.AskReply ||
		len(got.Recipients) != 2 || got.Recipients[0].UserID != "UANA" || got.Recipients[0].TZ != "America/New_York" || got.Recipients[0].Muted() {
		t.Errorf("stored check-in = %+v", got)
	}
	if _, err := db.Checkin(ctx, "TA", 9); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("C-9: %v, want not found", err)
	}
	wantCode(t, func() error { _, err := db.Checkin(ctx, "TC", 1); return err }(), baton.ENotFound)
}

func TestCheckinStateTransitions(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	c := createCheckin(t, db, "T1", "UBEA", weekdays0930, "UANA")
	if got, ok, err := db.MoveCheckin(ctx, "T1", c.Number, moveTo(baton.CheckinPaused, now)); err != nil || !ok || got.State != baton.CheckinPaused {
		t.Fatalf("pause = %v, %v, %v", got.State, ok, err)
	}
	if _, ok, _ := db.MoveCheckin(ctx, "T1", c.Number, moveTo(baton.CheckinPaused, now)); ok {
		t.Error("pausing a paused check-in moved it")
	}
	if got, ok, _ := db.MoveCheckin(ctx, "T1", c.Number, moveTo(baton.CheckinActive, now)); !ok || got.State != baton.CheckinActive {
		t.Errorf("resume = %v, %v", got.State, ok)
	}
	if got, ok, _ := db.MoveCheckin(ctx, "T1", c.Number, moveTo(baton.CheckinCancelled, now)); !ok || got.State != baton.CheckinCancelled {
		t.Errorf("cancel = %v, %v", got.State, ok)
	}
	if _, ok, _ := db.MoveCheckin(ctx, "T1", c.Number, moveTo(baton.CheckinActive, now)); ok {
		t.Error("a cancelled check-in was resumed")
	}
	if _, _, err := db.MoveCheckin(ctx, "T1", 42, moveTo(baton.CheckinPaused, now)); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("pausing C-42: %v, want not found", err)
	}
	list, err := db.CheckinsBySender(ctx, "T1", "UBEA", now, 10)
	if err != nil || len(list) != 0 {
		t.Errorf("a cancelled check-in is still listed: %v, %v", list, err)
	}

	if ok, err := db.MuteCheckinRecipient(ctx, c.ID, "UANA", now); !ok || err != nil {
		t.Errorf("mute = %v, %v", ok, err)
	}
	if ok, _ := db.MuteCheckinRecipient(ctx, c.ID, "UANA", now); ok {
		t.Error("muting twice reported a change")
	}
	got, _ := db.Checkin(ctx, "T1", c.Number)
	if r, _ := got.Recipient("UANA"); !r.Muted() {
		t.Errorf("recipient not muted: %+v", r)
	}
}

func TestDeliveryIsClaimedOncePerDueTime(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	c := createCheckin(t, db, "T1", "UBEA", weekdays0930, "UANA", "UBO")
	due := time.Date(2026, 11, 30, 14, 30, 0, 0, time.UTC)
	want := baton.CheckinDelivery{CheckinID: c.ID, TeamID: "T1", RecipientID: "UANA", DueAt: due}

	// Eight runs of the same job at once: exactly one may post.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var claimed []baton.CheckinDelivery
	for range 8 {
		wg.Go(func() {
			d, claim, err := db.ClaimDelivery(ctx, want, now, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if claim != baton.PostClaimed && claim != baton.PostHeld {
				t.Errorf("a run of eight at once got %v", claim)
			}
			if claim.Owed() {
				mu.Lock()
				claimed = append(claimed, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != 1 {
		t.Fatalf("%d runs claimed the delivery, want exactly 1", len(claimed))
	}
	d := claimed[0]
	if d.State != baton.DeliveryScheduled || !d.DueAt.Equal(due) || d.RecipientID != "UANA" {
		t.Errorf("claimed = %+v", d)
	}

	// The post failed: the claim is given back and the retry may post.
	if err := db.ReleaseDelivery(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	// A released claim was never posted: the retry has nothing to look for.
	retry, claim, err := db.ClaimDelivery(ctx, want, now.Add(time.Second), time.Minute)
	if claim != baton.PostClaimed || err != nil || retry.ID != d.ID {
		t.Fatalf("retry after release = %+v, %v, %v", retry, claim, err)
	}
	// A run that crashed holds the claim until its lease ends: another run is told to come back.
	if _, claim, _ := db.ClaimDelivery(ctx, want, now.Add(30*time.Second), time.Minute); claim != baton.PostHeld {
		t.Errorf("a second run got %v while the first held the claim, want held", claim)
	}
	// Then the claim is taken over, and the run that takes it knows the crashed one may have posted.
	if _, claim, _ := db.ClaimDelivery(ctx, want, now.Add(2*time.Minute), time.Minute); claim != baton.PostTakenOver {
		t.Errorf("after the lease of a crashed run, the claim is %v, want taken over", claim)
	}

	delivered, err := db.MarkDelivered(ctx, d.ID, "DUANA", "1700000000.000100", now)
	if err != nil || delivered.State != baton.DeliveryDelivered || delivered.TS != "1700000000.000100" || !delivered.DeliveredAt.Equal(now) {
		t.Fatalf("delivered = %+v, %v", delivered, err)
	}
	// Once posted, no run of that due time posts again, however late.
	if _, claim, _ := db.ClaimDelivery(ctx, want, now.Add(time.Hour), time.Minute); claim != baton.PostNotOwed {
		t.Errorf("a delivered delivery was claimed again: %v", claim)
	}
	// The next due time, and another recipient, are deliveries of their own.
	next := want
	next.DueAt = due.Add(24 * time.Hour)
	if _, claim, _ := db.ClaimDelivery(ctx, next, now, time.Minute); claim != baton.PostClaimed {
		t.Error("the next due time could not be claimed")
	}
	bo := want
	bo.RecipientID = "UBO"
	if _, claim, _ := db.ClaimDelivery(ctx, bo, now, time.Minute); claim != baton.PostClaimed {
		t.Error("another recipient's delivery could not be claimed")
	}
	if found, ok, err := db.DeliveryByMessage(ctx, "DUANA", "1700000000.000100"); !ok || err != nil || found.ID != d.ID {
		t.Errorf("by message = %+v, %v, %v", found, ok, err)
	}
	if _, ok, _ := db.DeliveryByMessage(ctx, "DUANA", "1.2"); ok {
		t.Error("found a delivery for a message that is not one")
	}
}

func TestDeliveryStates(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	c := createCheckin(t, db, "T1", "UBEA", baton.Schedule{Repeat: baton.RepeatOnce, Once: now.Add(time.Hour), InDuration: time.Hour}, "UANA", "UBO")
	claim := func(user string) baton.CheckinDelivery {
		d, claim, err := db.ClaimDelivery(ctx, baton.CheckinDelivery{CheckinID: c.ID, TeamID: "T1", RecipientID: user, DueAt: now}, now, time.Minute)
		if claim != baton.PostClaimed || err != nil {
			t.Fatalf("claim %s: %v, %v", user, claim, err)
		}
		return d
	}
	d := claim("UANA")
	if _, ok, _ := db.MarkDeliverySeen(ctx, d.ID, now); ok {
		t.Error("a delivery not yet posted was marked seen")
	}
	if _, err := db.MarkDelivered(ctx, d.ID, "DUANA", "1.1", now); err != nil {
		t.Fatal(err)
	}
	if done, _ := db.FinishCheckinIfDone(ctx, c.ID, now); done {
		t.Error("finished before Bo had his")
	}

	snoozed, ok, err := db.SnoozeDelivery(ctx, d.ID, now.Add(time.Hour))
	if !ok || err != nil || snoozed.State != baton.DeliverySnoozed || !snoozed.SnoozedUntil.Equal(now.Add(time.Hour)) {
		t.Fatalf("snooze = %+v, %v, %v", snoozed, ok, err)
	}
	if _, claim, _ := db.ClaimSnoozed(ctx, d.ID, now.Add(2*time.Hour), now, time.Minute); claim != baton.PostNotOwed {
		t.Errorf("a snooze that ends at another time: %v", claim)
	}
	if _, claim, _ := db.ClaimSnoozed(ctx, d.ID, now.Add(time.Hour), now.Add(time.Hour), time.Minute); claim != baton.PostClaimed {
		t.Fatalf("the snooze could not be claimed when it ended: %v", claim)
	}
	if _, claim, _ := db.ClaimSnoozed(ctx, d.ID, now.Add(time.Hour), now.Add(time.Hour), time.Minute); claim != baton.PostHeld {
		t.Errorf("the snooze was claimed twice: %v", claim)
	}
	if _, claim, _ := db.ClaimSnoozed(ctx, d.ID, now.Add(time.Hour), now.Add(time.Hour+2*time.Minute), time.Minute); claim != baton.PostTakenOver {
		t.Errorf("the snooze's post left by a crashed run: %v, want taken over", claim)
	}
	again, err := db.MarkDelivered(ctx, d.ID, "DUANA", "1.2", now.Add(time.Hour))
	if err != nil || again.State != baton.DeliveryDelivered || again.TS != "1.2" || !again.SnoozedUntil.IsZero() {
		t.Fatalf("delivered again = %+v, %v", again, err)
	}

	seen, ok, err := db.MarkDeliverySeen(ctx, d.ID, now.Add(2*time.Hour))
	if !ok || err != nil || seen.State != baton.DeliverySeen || !seen.SeenAt.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("seen = %+v, %v, %v", seen, ok, err)
	}
	if _, ok, _ := db.MarkDeliverySeen(ctx, d.ID, now.Add(3*time.Hour)); ok {
		t.Error("seen twice")
	}
	answered, ok, err := db.AnswerDelivery(ctx, d.ID, "On track", now.Add(3*time.Hour))
	if !ok || err != nil || answered.State != baton.DeliveryAnswered || answered.Answer != "On track" || !answered.SeenAt.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("answered = %+v, %v, %v", answered, ok, err)
	}
	if _, ok, _ := db.AnswerDelivery(ctx, d.ID, "Twice", now.Add(4*time.Hour)); ok {
		t.Error("answered twice")
	}
	if _, ok, _ := db.SnoozeDelivery(ctx, d.ID, now.Add(5*time.Hour)); ok {
		t.Error("an answered delivery was snoozed")
	}

	bo := claim("UBO")
	if _, err := db.MarkDelivered(ctx, bo.ID, "DUBO", "1.3", now); err != nil {
		t.Fatal(err)
	}
	if done, err := db.FinishCheckinIfDone(ctx, c.ID, now); !done || err != nil {
		t.Errorf("finish = %v, %v, want finished once everyone had theirs", done, err)
	}
	latest, err := db.LatestDeliveries(ctx, []int64{c.ID})
	if err != nil || len(latest[c.ID]) != 2 || latest[c.ID][0].State != baton.DeliveryAnswered || latest[c.ID][1].RecipientID != "UBO" {
		t.Errorf("latest = %+v, %v", latest, err)
	}
	if list, _ := db.CheckinsBySender(ctx, "T1", "UBEA", now, 10); len(list) != 1 {
		t.Errorf("a check-in finished just now is not listed: %+v", list)
	}
	if list, _ := db.CheckinsBySender(ctx, "T1", "UBEA", now.Add(time.Minute), 10); len(list) != 0 {
		t.Errorf("a check-in finished long ago is still listed: %+v", list)
	}
}

// moveTo moves a check-in as a person asking for state to does.
func moveTo(to baton.CheckinState, at time.Time) func(c *baton.Checkin) bool {
	return func(c *baton.Checkin) bool { return c.Move(to, at) }
}
