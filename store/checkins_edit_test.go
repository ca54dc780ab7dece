package store_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestEditCheckinReplacesWhatWasAskedAndKeepsHistory(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	c := createCheckin(t, db, "T1", "UBEA", weekdays0930, "UANA", "UBO")
	d, _, err := db.ClaimDelivery(ctx, baton.CheckinDelivery{CheckinID: c.ID, TeamID: "T1", RecipientID: "UBO", DueAt: now}, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MuteCheckinRecipient(ctx, c.ID, "UANA", now); err != nil {
		t.Fatal(err)
	}

	edit := c
	edit.Message = "Anything blocking you?"
	edit.Schedule = baton.Schedule{Repeat: baton.RepeatDaily, At: baton.Clock{Hour: 16}}
	edit.AskReply = false
	edit.RemindAfter = 2 * time.Hour
	edit.Recipients = []baton.CheckinRecipient{{UserID: "UANA", TZ: "Europe/Berlin"}, {UserID: "UCAL", TZ: "Asia/Tokyo"}}
	got, err := db.UpdateCheckin(ctx, edit, now.Add(time.Minute))
	if err != nil {
		t.Fatalf("UpdateCheckin: %v", err)
	}
	if got.Message != edit.Message || got.Schedule != edit.Schedule || got.AskReply || got.RemindAfter != 2*time.Hour ||
		!got.UpdatedAt.Equal(now.Add(time.Minute)) || got.Number != c.Number || got.Revision != c.Revision+1 {
		t.Errorf("edited check-in = %+v", got)
	}
	if len(got.Recipients) != 2 || got.Recipients[0].UserID != "UANA" || got.Recipients[1].UserID != "UCAL" {
		t.Fatalf("recipients = %+v, want Ana and Cal", got.Recipients)
	}
	if !got.Recipients[0].Muted() || got.Recipients[0].TZ != "America/New_York" {
		t.Errorf("Ana stays as she was (muted, her zone) = %+v", got.Recipients[0])
	}
	if kept, err := db.Delivery(ctx, d.ID); err != nil || kept.RecipientID != "UBO" {
		t.Errorf("Bo's past delivery = %+v, %v; it must stay", kept, err)
	}
}

func TestEditCheckinRefusesStaleAndEndedOnes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	c := createCheckin(t, db, "T1", "UBEA", weekdays0930, "UANA")

	// Two editors opened the form on the same revision, at the same instant: exactly one save wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			e := c
			e.Message = []string{"first", "second"}[i]
			_, errs[i] = db.UpdateCheckin(ctx, e, now)
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two edits of one version: %v / %v, want exactly one refused", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, baton.EConflict)
		}
	}

	// A pause after the form opened makes the form stale too.
	cur, err := db.Checkin(ctx, "T1", c.Number)
	if err != nil {
		t.Fatal(err)
	}
	paused, _, err := db.MoveCheckin(ctx, "T1", c.Number, moveTo(baton.CheckinPaused, now.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateCheckin(ctx, cur, now.Add(2*time.Hour))
	wantCode(t, err, baton.EConflict)
	if _, err := db.UpdateCheckin(ctx, paused, now.Add(2*time.Hour)); err != nil {
		t.Errorf("edit of the paused check-in as it is now: %v", err)
	}

	cancelled := createCheckin(t, db, "T1", "UBEA", weekdays0930, "UANA")
	cancelled, _, err = db.MoveCheckin(ctx, "T1", cancelled.Number, moveTo(baton.CheckinCancelled, now))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateCheckin(ctx, cancelled, now.Add(time.Hour))
	wantCode(t, err, baton.EConflict)

	missing := c
	missing.Number = 99
	_, err = db.UpdateCheckin(ctx, missing, now)
	wantCode(t, err, baton.ENotFound)
}

func TestReminderGoesOutOncePerUnseenDelivery(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	c := createCheckin(t, db, "T1", "UBEA", weekdays0930, "UANA", "UBO")
	deliver := func(user string) baton.CheckinDelivery {
		t.Helper()
		d, _, err := db.ClaimDelivery(ctx, baton.CheckinDelivery{CheckinID: c.ID, TeamID: "T1", RecipientID: user, DueAt: now}, now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if d, err = db.MarkDelivered(ctx, d.ID, "D"+user, "1.1", now); err != nil {
			t.Fatal(err)
		}
		return d
	}
	ana, bo := deliver("UANA"), deliver("UBO")

	if _, claim, err := db.ClaimReminder(ctx, ana.ID, now.Add(time.Hour), time.Minute); err != nil || claim != baton.PostClaimed {
		t.Fatalf("first reminder claim: %v, %v", claim, err)
	}
	if _, claim, _ := db.ClaimReminder(ctx, ana.ID, now.Add(time.Hour), time.Minute); claim != baton.PostHeld {
		t.Errorf("a second run while the first posts the reminder: %v, want held", claim)
	}
	// The run posting it crashed: once its lease is over, the next run takes the reminder over.
	if _, claim, _ := db.ClaimReminder(ctx, ana.ID, now.Add(time.Hour+2*time.Minute), time.Minute); claim != baton.PostTakenOver {
		t.Errorf("a reminder left by a crashed run: %v, want taken over", claim)
	}
	if err := db.RecordReminder(ctx, ana.ID, "DUANA", "2.2"); err != nil {
		t.Fatal(err)
	}
	got, found, err := db.DeliveryByMessage(ctx, "DUANA", "2.2")
	if err != nil || !found || got.ID != ana.ID || !got.RemindedAt.Equal(now.Add(time.Hour+2*time.Minute)) {
		t.Errorf("delivery by the reminder's message = %+v, %v, %v", got, found, err)
	}
	if _, claim, _ := db.ClaimReminder(ctx, ana.ID, now.Add(3*time.Hour), time.Minute); claim != baton.PostNotOwed {
		t.Errorf("a reminder recorded was claimed again: %v", claim)
	}

	if _, _, err := db.MarkDeliverySeen(ctx, bo.ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, claim, _ := db.ClaimReminder(ctx, bo.ID, now.Add(time.Hour), time.Minute); claim != baton.PostNotOwed {
		t.Errorf("a seen delivery was claimed for a reminder: %v", claim)
	}

	// A reminder that could not be posted is given back for the retry.
	cal := deliver("UCAL")
	if _, claim, _ := db.ClaimReminder(ctx, cal.ID, now.Add(time.Hour), time.Minute); claim != baton.PostClaimed {
		t.Fatalf("Cal's reminder not claimed: %v", claim)
	}
	if err := db.ReleaseReminder(ctx, cal.ID); err != nil {
		t.Fatal(err)
	}
	if _, claim, _ := db.ClaimReminder(ctx, cal.ID, now.Add(2*time.Hour), time.Minute); claim != baton.PostClaimed {
		t.Errorf("a released reminder could not be claimed again: %v", claim)
	}
}

func TestCheckinRecipientLimitPerWorkspace(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if n, err := db.CheckinMaxRecipients(ctx, "T1"); err != nil || n != baton.DefaultCheckinMaxRecipients {
		t.Fatalf("default limit = %d, %v", n, err)
	}
	if err := db.SetCheckinMaxRecipients(ctx, "T1", 40, "UADM"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CheckinMaxRecipients(ctx, "T1"); n != 40 {
		t.Errorf("T1 limit = %d, want 40", n)
	}
	if n, _ := db.CheckinMaxRecipients(ctx, "T2"); n != baton.DefaultCheckinMaxRecipients {
		t.Errorf("T2 limit = %d, want the default", n)
	}
	if err := db.SetCheckinMaxRecipients(ctx, "T1", 0, "UADM"); err == nil {
		t.Error("a limit of 0 was stored")
	}
	if w, err := db.WorkWeek(ctx, "T1"); err != nil || !reflect.DeepEqual(w, baton.DefaultWorkWeek()) {
		t.Errorf("the limit changed the working week: %v, %v", w, err)
	}
}
