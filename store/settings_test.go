package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/store/storetest"
)

func TestWorkWeekDefaultsAndRoundTrips(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if w, err := db.WorkWeek(ctx, "T1"); err != nil || w != baton.DefaultWorkWeek() {
		t.Fatalf("unset week = %v, %v; want the default", w, err)
	}
	days, _ := baton.ParseWorkDays("sun-thu")
	want := baton.WorkWeek{Days: days, Start: baton.Clock{Hour: 8}, End: baton.Clock{Hour: 16, Minute: 30}}
	if err := db.SetWorkWeek(ctx, "T1", want, "UADM"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.WorkWeek(ctx, "T1"); got != want {
		t.Errorf("week = %v, want %v", got, want)
	}
	if got, _ := db.WorkWeek(ctx, "T2"); got != baton.DefaultWorkWeek() {
		t.Errorf("another workspace got %v", got)
	}
	bad := baton.WorkWeek{Days: days, Start: baton.Clock{Hour: 18}, End: baton.Clock{Hour: 9}}
	if err := db.SetWorkWeek(ctx, "T1", bad, "UADM"); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("a day ending before it starts was stored: %v", err)
	}
}

func TestDigestItemsWaitUntilSent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if s, _ := db.Digest(ctx, "T1", "U1"); s.Daily {
		t.Fatal("digest is on before anyone chose it")
	}
	on := baton.DigestSetting{Daily: true, At: baton.Clock{Hour: 8, Minute: 30}}
	if err := db.SetDigest(ctx, "T1", "U1", on); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Digest(ctx, "T1", "U1"); s != on {
		t.Errorf("digest = %+v, want %+v", s, on)
	}

	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	task, ev, _ := baton.NewTask("T1", "U2", "U1", "Ship", "", baton.Due{}, now)
	created, err := db.CreateTask(ctx, task, ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []md.Text{"first", "second"} {
		if err := db.AddDigestItem(ctx, "T1", "U1", created.ID, line); err != nil {
			t.Fatal(err)
		}
	}
	ids, lines, err := db.PendingDigest(ctx, "T1", "U1")
	if err != nil || len(ids) != 2 || !slices.Equal(lines, []md.Text{"first", "second"}) {
		t.Fatalf("pending = %v %q, %v", ids, lines, err)
	}
	if err := db.MarkDigestSent(ctx, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if _, lines, _ := db.PendingDigest(ctx, "T1", "U1"); !slices.Equal(lines, []md.Text{"second"}) {
		t.Errorf("after sending the first, pending = %q", lines)
	}
	if ids, _, _ := db.PendingDigest(ctx, "T1", "U2"); len(ids) != 0 {
		t.Errorf("another person's digest holds %v", ids)
	}
}

func TestReminderOffsets(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	got, err := db.ReminderOffsets(ctx, "T1")
	if err != nil || len(got) != 2 || got[0] != 24*time.Hour || got[1] != 2*time.Hour {
		t.Fatalf("default reminders = %v, %v", got, err)
	}
	want := []time.Duration{48 * time.Hour, 90 * time.Minute}
	if err := db.SetReminderOffsets(ctx, "T1", want, "UADM"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ReminderOffsets(ctx, "T1"); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("reminders = %v, want %v", got, want)
	}
	if w, _ := db.WorkWeek(ctx, "T1"); w != baton.DefaultWorkWeek() {
		t.Errorf("setting reminders changed the working week to %v", w)
	}
}
