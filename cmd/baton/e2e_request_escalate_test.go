package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
)

// stepJobDue is when a request step's job (remind or escalate) is due, or false when none is waiting.
func (h *harness) stepJobDue(number int64, step int, what string) (time.Time, bool) {
	h.t.Helper()
	key := fmt.Sprintf("request:%s:%d:%d:%s", h.slack.Options().TeamID, number, step, what)
	j, ok, err := h.jobs.JobByKey(h.ctx, key)
	if err != nil {
		h.t.Fatal(err)
	}
	return j.DueAt, ok
}

// trailHas reports whether a request's trail holds an action of Baton's of that kind for that person.
func (h *harness) trailHas(number int64, action, who string) bool {
	h.t.Helper()
	trail, err := h.db.RequestActions(h.ctx, h.stored(number).ID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, a := range trail {
		if a.Action == action && a.Actor == baton.ActorBaton && a.Comment == who {
			return true
		}
	}
	return false
}

func (h *harness) bells(user string) int { return h.dmsWith(user, ":bell: Reminder") }

func TestAnUndecidedStepRemindsItsApproverAndADecisionStopsItsTimers(t *testing.T) {
	h := newRequestHarness(t)
	filed := h.clock.Now() // Friday 09:00 UTC; Max works in UTC.
	h.request(bea, launc, "travel region=europe Offsite in Lisbon")
	card := h.approverCard(mgr, "R-1 · Travel")
	if at, ok := h.stepJobDue(1, 0, "remind"); !ok || !at.Equal(filed.Add(2*time.Hour)) {
		t.Fatalf("reminder due %v (%v), want 2 hours after filing", at, ok)
	}
	if at, ok := h.stepJobDue(1, 0, "escalate"); !ok || !at.Equal(filed.Add(24*time.Hour)) {
		t.Fatalf("escalation due %v (%v), want a day after filing", at, ok)
	}

	h.advanceTo(filed.Add(2*time.Hour + time.Second))
	h.dm(mgr, ":bell: Reminder", "R-1 · Travel", "step 1 Manager")
	h.until("the reminder to be in the trail", func() bool { return h.trailHas(1, baton.ActRemind, mgr) })
	h.idle()

	h.rqClick(mgr, card, "request.approve")
	h.dm(bea, "R-1 · Travel is approved")
	h.idle()
	for _, what := range []string{"remind", "escalate"} {
		if at, ok := h.stepJobDue(1, 0, what); ok {
			t.Errorf("the decided step still has its %s job waiting (due %v)", what, at)
		}
	}
	h.advanceTo(filed.Add(25 * time.Hour))
	h.idle()
	if n := h.bells(mgr); n != 1 {
		t.Errorf("Max got %d reminders, want 1", n)
	}
	for _, m := range h.slack.Messages(h.slack.DMChannel(cfo)) {
		if m.Has("needs your approval") {
			t.Fatalf("a decided request was escalated: %s", m.AllText())
		}
	}
}

func TestAStepUndecidedForADayEscalatesAndTheEscalationApproverCanDecide(t *testing.T) {
	h := newRequestHarness(t)
	filed := h.clock.Now()
	h.request(bea, launc, "travel region=europe Offsite in Lisbon")
	card := h.approverCard(mgr, "R-1 · Travel")
	status := h.dm(bea, "R-1 · Travel", "waiting for approval")

	// Saturday 09:00: the step escalates to the CFO. The reminder, which was due on Friday but ran
	// only now, waits for Max's Monday morning.
	h.advanceTo(filed.Add(24*time.Hour + time.Second))
	cfoCard := h.approverCard(cfo, "R-1 · Travel")
	h.ckNow(card, "Escalated to <@UCFO> after 1 day")
	h.ckNow(status, "escalated to <@UCFO> after 1 day")
	h.until("the escalation to be in the trail", func() bool { return h.trailHas(1, baton.ActEscalate, cfo) })
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	h.until("the reminder to wait for Monday", func() bool {
		at, ok := h.stepJobDue(1, 0, "remind")
		return ok && at.Equal(monday)
	})
	if got := h.stored(1).Steps[0]; len(got.Approvers) != 2 || got.EscalatedTo[0] != cfo {
		t.Fatalf("escalated step = %+v", got)
	}

	h.rqClick(cfo, cfoCard, "request.approve")
	h.dm(bea, "R-1 · Travel is approved", "<@UCFO>")
	h.idle()
	if _, ok := h.stepJobDue(1, 0, "remind"); ok {
		t.Error("the put-off reminder still waits after the step was decided")
	}
	h.advanceTo(monday.Add(time.Hour))
	h.idle()
	if n := h.bells(mgr); n != 0 {
		t.Errorf("Max was reminded %d times of a decided request", n)
	}
}

func TestAReminderDueAt3amWaitsForTheApproversMorning(t *testing.T) {
	h := newRequestHarness(t)
	// Monday 16:00 UTC is 01:00 on Tuesday in Tokyo, where Cal, the regional lead, lives.
	h.advanceTo(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC))
	h.request(bea, launc, "travel region=apac Offsite in Osaka")
	h.approverCard(cal, "R-1 · Travel")

	// Two hours later it is 03:00 for Cal: the reminder moves to 09:00 Tokyo (Tue 00:00 UTC).
	h.advanceTo(time.Date(2026, 11, 30, 18, 0, 1, 0, time.UTC))
	morning := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h.until("the reminder to move to Cal's morning", func() bool {
		at, ok := h.stepJobDue(1, 0, "remind")
		return ok && at.Equal(morning)
	})
	h.idle()
	if n := h.bells(cal); n != 0 {
		t.Fatalf("Cal was reminded at 03:00 his time")
	}
	if h.trailHas(1, baton.ActRemind, cal) {
		t.Fatal("a reminder put off is in the trail as sent")
	}
	h.advanceTo(morning.Add(time.Second))
	h.dm(cal, ":bell: Reminder", "R-1 · Travel")
	h.until("the reminder to be in the trail", func() bool { return h.trailHas(1, baton.ActRemind, cal) })
}

// TestARequestADeadProcessAnnouncedInPartIsFinishedByAnother plays a process that posted a new
// request's note in its channel and died: the process that takes the lane over keeps that note as the
// request's thread, and sends the requester's status card and the approver's card once each.
func TestARequestADeadProcessAnnouncedInPartIsFinishedByAnother(t *testing.T) {
	h := newRequestHarness(t)
	h.holdLane(launc, "dead")
	h.request(bea, launc, "travel region=europe Offsite in Lisbon")
	h.idle()
	var kinds []string
	if err := h.db.SelectContext(h.ctx, &kinds, `SELECT kind FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"request.note", "request.status", "request.approver", "request.watch"}; !slices.Equal(kinds, want) {
		t.Fatalf("the request queued %v, want %v", kinds, want)
	}
	ts := h.postedBeforeDying("request.note", launc, ":inbox_tray: R-1 · Travel submitted by <@UBEA>.")
	h.leaseRunsOut("dead")
	h.approverCard(mgr, "R-1 · Travel")
	h.dm(bea, "R-1 · Travel", "waiting for approval")
	h.idle()
	notes := 0
	for _, m := range h.slack.Messages(launc) {
		if m.Has("submitted by") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes of R-1 in the channel, want the one the dead process posted", notes)
	}
	if got := h.stored(1); got.ChannelTS != ts {
		t.Errorf("the request's thread is %q, want the note posted (%s)", got.ChannelTS, ts)
	}
	if n := h.dmsWith(mgr, "needs your approval"); n != 1 {
		t.Errorf("Max got %d approver cards, want 1", n)
	}
}
