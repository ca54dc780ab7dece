package baton_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

func TestAskForUpdateOnceADayAndOnlyOfAnOpenTaskSomeoneElseOwns(t *testing.T) {
	task := newTask(t)
	before := task.UpdatedAt

	ev, err := task.AskForUpdate(delegator, created.Add(time.Hour))
	if err != nil {
		t.Fatalf("first ask: %v", err)
	}
	if ev.Kind != baton.EventAsked || ev.Actor != delegator || ev.To != owner || !task.UpdateAskedAt.Equal(created.Add(time.Hour)) {
		t.Fatalf("event %+v, asked at %v", ev, task.UpdateAskedAt)
	}
	if !task.UpdatedAt.Equal(before) {
		t.Errorf("asking moved the task's updated time to %v: a question is not a change of the task", task.UpdatedAt)
	}

	_, err = task.AskForUpdate(delegator, created.Add(5*time.Hour))
	wantCode(t, err, baton.EConflict)
	if msg := baton.ErrorMessage(err); !strings.Contains(msg, "4 hours ago") || !strings.Contains(msg, "again in 20 hours") {
		t.Errorf("second ask the same day says %q; want how long ago and when to ask again", msg)
	}
	if _, err := task.AskForUpdate(delegator, created.Add(time.Hour+baton.AskEvery)); err != nil {
		t.Errorf("a day later: %v", err)
	}

	wantCode(t, func() error { _, err := task.AskForUpdate(owner, created.Add(72*time.Hour)); return err }(), baton.EInvalid)

	// A new owner has not been asked: the day's ask was the previous one's.
	if _, err := task.AskForUpdate(delegator, created.Add(73*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := task.Reassign(delegator, stranger, "", created.Add(74*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ev, err := task.AskForUpdate(delegator, created.Add(75*time.Hour)); err != nil || ev.To != stranger {
		t.Errorf("asking the new owner after a reassignment: %+v, %v", ev, err)
	}

	if _, err := task.ChangeStatus(owner, baton.StatusDone, "", created.Add(80*time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error { _, err := task.AskForUpdate(delegator, created.Add(90*time.Hour)); return err }(), baton.EConflict)
}

func TestAskingForAnUpdateIsSaidInTheThreadAndToTheOwnerOnly(t *testing.T) {
	task := newTask(t)
	task.ChannelID = "C1"
	before := task
	ev, err := task.AskForUpdate(delegator, created.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := task.Announcements(before, ev)
	want := []baton.Announcement{{Kind: baton.AnnounceThread}, {Kind: baton.AnnounceNotice, To: owner}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("announcements = %+v, want %+v", got, want)
	}
}
