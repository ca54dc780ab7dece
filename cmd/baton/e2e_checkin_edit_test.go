package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

func TestCheckinEditThroughTheFormMovesTheSchedule(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> <@UCAL> every weekday at 09:30 Standup notes?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()

	h.ckCommand(ana, launc, "edit C-1")
	h.ephemeral(ana, "Only <@UBEA>", "or a workspace admin can edit it")

	// The Edit button on the check-in's summary opens the form as it stands.
	h.ckCommand(bea, launc, "C-1")
	summary := h.ephemeral(bea, "*Check-in C-1* from")
	if _, err := h.slack.ClickButton(h.waitCtx(), bea, summary.Channel, summary.TS, "checkin.edit"); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	v := h.view(bea, "checkin.edit")
	for _, want := range []string{"Standup notes?", `"initial_time":"09:30"`, `"initial_users":["UANA","UCAL"]`, `"value":"weekdays"`} {
		if !strings.Contains(string(v.Blocks), want) {
			t.Errorf("the Edit form does not start from what C-1 asks (%s): %s", want, v.Blocks)
		}
	}
	// A second editor opens the same version meanwhile.
	h.ckCommand(adm, launc, "edit C-1")
	stale := h.view(adm, "checkin.edit")

	// Only the changed fields are given: the rest is what the form was filled in with.
	h.submit(bea, v, form(
		input("ck_recipients", slackdouble.InputValue{SelectedUsers: []string{ana}}),
		input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Anything blocking you?")}),
		input("ck_time", slackdouble.InputValue{SelectedTime: "16:00"}),
		input("ck_remind", slackdouble.InputValue{SelectedOption: "120"}),
	))
	h.dm(bea, "Check-in *C-1* is updated", "every weekday at 16:00", "<@UANA>")
	h.idle()
	fri16 := time.Date(2026, 11, 27, 21, 0, 0, 0, time.UTC) // 16:00 in New York
	if at, ok := h.ckJobDue(1, ana); !ok || !at.Equal(fri16) {
		t.Errorf("Ana's next delivery at %v (%v), want %v", at, ok, fri16)
	}
	if _, ok := h.ckJobDue(1, cal); ok {
		t.Error("Cal, taken off the check-in, still has a delivery waiting")
	}

	ack := h.submit(adm, stale, form(input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Overwrite?")})))
	if errs := string(ack.Payload); !strings.Contains(errs, "changed while you were editing it") || !strings.Contains(errs, "/checkin edit C-1") {
		t.Errorf("a stale edit was not refused under the form: %s", errs)
	}

	// Nothing at the old time; the new question at the new time.
	h.advanceTo(ckFri.Add(time.Second))
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 0 {
		t.Fatalf("%d deliveries at the old time", n)
	}
	h.advanceTo(fri16.Add(time.Second))
	h.dm(ana, "Check-in C-1* from <@UBEA>", "Anything blocking you?")
	h.ckCommand(bea, launc, "C-1")
	h.ephemeral(bea, "reminds after 2 hours unseen")

	h.ckCommand(bea, launc, "cancel C-1")
	h.ephemeral(bea, "Cancelled check-in *C-1*")
	h.ckCommand(bea, launc, "edit C-1")
	h.ephemeral(bea, "C-1 is cancelled, so there is nothing to edit")
}

func TestCheckinEditOfAPausedCheckinKeepsItPaused(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 Standup notes?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.ckCommand(bea, launc, "pause C-1")
	h.ephemeral(bea, "Paused check-in *C-1*")
	h.idle()
	h.ckCommand(bea, launc, "edit C-1")
	v := h.view(bea, "checkin.edit")
	h.submit(bea, v, form(input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Numbers?")})))
	h.dm(bea, "Check-in *C-1* is updated", "Numbers?", "It stays paused")
	h.idle()
	if _, ok := h.ckJobDue(1, ana); ok {
		t.Error("editing a paused check-in scheduled a delivery")
	}
	h.ckCommand(bea, launc, "resume C-1")
	h.ephemeral(bea, "Check-in *C-1* is running again")
}

func TestCheckinRemindsOnceWhoeverHasNotSeenIt(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 remind after 2h Standup notes?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()
	h.advanceTo(ckFri.Add(time.Second))
	first := h.dm(ana, "Standup notes?")
	h.idle()

	h.advanceTo(ckFri.Add(2*time.Hour + 2*time.Second))
	reminder := h.dmWhere(ana, func(m slackdouble.Message) bool {
		return m.Has("Reminder") && m.Has("Standup notes?") && m.TS != first.TS
	})
	h.idle()
	h.ckCommand(bea, launc, "C-1")
	h.ephemeral(bea, "<@UANA> — delivered", ", reminded <!date^")

	// Seen from the reminder: no second reminder, and Monday's delivery gets its own.
	h.ckClick(ana, reminder, "checkin.got_it")
	h.ckNow(reminder, "Seen")
	h.advanceTo(ckFri.Add(8 * time.Hour))
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 2 {
		t.Errorf("%d check-in DMs on Friday, want the delivery and one reminder", n)
	}
	h.advanceTo(ckMon.Add(time.Second))
	monday := h.dmWhere(ana, func(m slackdouble.Message) bool {
		return m.Has("Check-in C-1* from") && m.TS != first.TS && m.TS != reminder.TS
	})
	h.idle()
	h.ckClick(ana, monday, "checkin.got_it")
	h.ckNow(monday, "Seen")
	h.advanceTo(ckMon.Add(3 * time.Hour))
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 3 {
		t.Errorf("%d check-in DMs by Monday noon, want no reminder for a seen delivery", n)
	}
}

func TestCheckinReminderWaitsForTheRecipientsWorkingHours(t *testing.T) {
	h := newHarness(t)
	// 17:30 in New York + 2h is after hours: the reminder waits for Monday 09:00 there.
	h.ckCommand(bea, launc, "<@UANA> every fri at 17:30 remind after 2h Weekly wins?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()
	h.advanceTo(time.Date(2026, 11, 27, 22, 30, 1, 0, time.UTC))
	h.dm(ana, "Weekly wins?")
	h.idle()
	d, ok, err := h.db.DeliveryByMessage(h.ctx, h.slack.DMChannel(ana), h.dm(ana, "Weekly wins?").TS)
	if err != nil || !ok {
		t.Fatalf("delivery: %v %v", ok, err)
	}
	j, ok, err := h.jobs.JobByKey(h.ctx, fmt.Sprintf("checkin:%s:1:%s:remind:%d", h.slack.Options().TeamID, ana, d.ID))
	monday9 := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	if err != nil || !ok || !j.DueAt.Equal(monday9) {
		t.Errorf("reminder due %v (%v, %v), want Monday 09:00 in New York %v", j.DueAt, ok, err, monday9)
	}
}

func TestCheckinRecipientLimitIsAWorkspaceSetting(t *testing.T) {
	h := newHarness(t)
	h.baton(bea, "checkins limit 1")
	h.ephemeral(bea, "Only workspace admins")
	h.baton(adm, "checkins limit many")
	h.ephemeral(adm, `"many" is not a limit`, "1 to 1000")
	h.baton(adm, "checkins limit 1")
	h.ephemeral(adm, "up to 1 people")
	h.baton(bea, "checkins")
	h.ephemeral(bea, "up to 1 people")

	h.ckCommand(bea, launc, "<@UANA> <@UCAL> daily at 09:30 Hi?")
	h.ephemeral(bea, "That is 2 people; a check-in can ask 1 at most in this workspace")
	h.ckCommand(bea, launc, "")
	v := h.view(bea, "checkin.new")
	ack := h.submit(bea, v, form(
		input("ck_recipients", slackdouble.InputValue{SelectedUsers: []string{ana, cal}}),
		input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Hi?")}),
	))
	if !strings.Contains(string(ack.Payload), "can ask 1 at most") {
		t.Errorf("the form took more people than the limit: %s", ack.Payload)
	}
	h.idle()
	if n, err := h.db.CountCheckinsBySender(h.ctx, h.slack.Options().TeamID, bea, time.Time{}); err != nil || n != 0 {
		t.Errorf("%d check-ins stored over the limit (%v)", n, err)
	}
}

// dmWhere waits for a message in a person's DM with Baton that pred accepts.
func (h *harness) dmWhere(user string, pred func(slackdouble.Message) bool) slackdouble.Message {
	h.t.Helper()
	m, err := h.slack.WaitMessage(h.waitCtx(), h.slack.DMChannel(user), pred)
	if err != nil {
		h.t.Fatalf("no such message in %s's DM: %v", user, err)
	}
	return m
}

func TestCheckinEditKeepsAQuickFormReminderAndTurningItOffStopsTheWaitingOne(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 remind after 3h Standup notes?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()
	h.advanceTo(ckFri.Add(time.Second))
	h.dm(ana, "Standup notes?")
	h.idle()

	// The form shows the 3 hours typed in the quick form; saving another change keeps them.
	h.ckCommand(bea, launc, "edit C-1")
	v := h.view(bea, "checkin.edit")
	if !strings.Contains(string(v.Blocks), `"initial_option":{"text":{"emoji":false,"text":"After 3 hours"`) {
		t.Fatalf("the form does not start from the 3-hour reminder: %s", v.Blocks)
	}
	h.submit(bea, v, form(input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Standup notes, please?")})))
	h.dm(bea, "Check-in *C-1* is updated")
	h.idle()
	if c, err := h.db.Checkin(h.ctx, h.slack.Options().TeamID, 1); err != nil || c.RemindAfter != 3*time.Hour {
		t.Fatalf("reminder after the edit = %v (%v), want 3h", c.RemindAfter, err)
	}

	// Turned off while Friday's delivery is still unseen: its reminder does not go out.
	h.ckCommand(bea, launc, "edit C-1")
	v = h.view(bea, "checkin.edit")
	h.submit(bea, v, form(input("ck_remind", slackdouble.InputValue{SelectedOption: "0"})))
	h.idle()
	h.advanceTo(ckFri.Add(4 * time.Hour))
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 1 {
		t.Errorf("%d check-in DMs, want the delivery and no reminder", n)
	}
}
