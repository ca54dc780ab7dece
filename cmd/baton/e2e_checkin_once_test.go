package main

import (
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// ckOnce sets up, at Friday 09:30 New York, a one-time check-in to Ana and Cal in two hours that
// reminds after one, and returns their deliveries once the check-in has reached both of them, which
// finishes it.
func (h *harness) ckOnce() (toAna, toCal slackdouble.Message) {
	h.t.Helper()
	h.advanceTo(ckFri)
	h.ckCommand(bea, launc, "<@UANA> <@UCAL> in 2h remind after 1h Are the launch slides ready?")
	h.ephemeral(bea, "Check-in *C-1* is set up", "reminding anyone who hasn't seen it after 1 hour")
	h.idle()
	h.advanceTo(ckFri.Add(2*time.Hour + time.Second))
	toAna, toCal = h.dm(ana, "Are the launch slides ready?"), h.dm(cal, "Are the launch slides ready?")
	h.idle()
	c, err := h.db.Checkin(h.ctx, h.slack.Options().TeamID, 1)
	if err != nil {
		h.t.Fatal(err)
	}
	if c.State != baton.CheckinFinished {
		h.t.Fatalf("the one-time check-in is %s once it reached everyone, want finished", c.State)
	}
	return toAna, toCal
}

// dueJobsRun waits until every job due by the bot's clock has run, then until the bot is idle: what
// was due has happened, and what did not happen will not.
func (h *harness) dueJobsRun() {
	h.t.Helper()
	if err := waitFor(h.waitCtx(), func() (bool, error) {
		var n int
		err := h.db.GetContext(h.ctx, &n, `SELECT count(*) FROM jobs WHERE team_id = $1 AND state = 'pending' AND due_at <= $2`,
			h.slack.Options().TeamID, h.clock.Now())
		return n == 0, err
	}); err != nil {
		h.t.Fatalf("jobs due by %s did not run: %v", h.clock.Now(), err)
	}
	h.idle()
}

func TestAOneTimeCheckinRemindsWhoeverHasNotSeenItOnce(t *testing.T) {
	h := newHarness(t)
	_, toCal := h.ckOnce()
	h.ckClick(cal, toCal, "checkin.got_it")
	h.ckNow(toCal, "Seen")
	h.idle()

	h.advanceTo(ckFri.Add(3*time.Hour + 2*time.Second))
	h.dmWhere(ana, func(m slackdouble.Message) bool { return m.Has("Reminder") && m.Has("Are the launch slides ready?") })
	h.idle()
	h.advanceTo(ckFri.Add(9 * time.Hour))
	h.dueJobsRun()
	if n := h.ckDeliveries(ana, "C-1"); n != 2 {
		t.Errorf("Ana, who never saw it, got %d check-in DMs, want the question and one reminder", n)
	}
	if n := h.ckDeliveries(cal, "C-1"); n != 1 {
		t.Errorf("Cal, who saw it, got %d check-in DMs, want only the question", n)
	}
	h.ckCommand(bea, launc, "C-1")
	h.ephemeral(bea, "<@UANA> — delivered", ", reminded <!date^")
}

func TestAOneTimeCheckinAnsweredIsNotReminded(t *testing.T) {
	h := newHarness(t)
	toAna, toCal := h.ckOnce()
	for _, d := range []struct {
		user string
		dm   slackdouble.Message
	}{{ana, toAna}, {cal, toCal}} {
		h.ckClick(d.user, d.dm, "checkin.reply")
		h.submit(d.user, h.view(d.user, "checkin.answer"), input("ck_answer", slackdouble.InputValue{Value: slackdouble.Str("Yes, in the drive")}))
		h.ckNow(d.dm, "Answered")
	}
	h.idle()
	h.advanceTo(ckFri.Add(9 * time.Hour))
	h.dueJobsRun()
	for _, who := range []string{ana, cal} {
		if n := h.ckDeliveries(who, "C-1"); n != 1 {
			t.Errorf("%s answered and got %d check-in DMs, want no reminder", who, n)
		}
	}
}

func TestAOneTimeCheckinCancelledIsNotReminded(t *testing.T) {
	h := newHarness(t)
	h.ckOnce()
	h.ckCommand(bea, launc, "cancel C-1")
	h.ephemeral(bea, "Cancelled check-in *C-1*")
	h.idle()
	h.advanceTo(ckFri.Add(9 * time.Hour))
	h.dueJobsRun()
	for _, who := range []string{ana, cal} {
		if n := h.ckDeliveries(who, "C-1"); n != 1 {
			t.Errorf("%s got %d check-in DMs after the sender cancelled it, want no reminder", who, n)
		}
	}
}
