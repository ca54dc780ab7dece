package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/scheduler"
)

// ckClaimedByDeadRun sets up a check-in to Ana in an hour and plays a run of its delivery job that
// claimed the DM when it came due and died: it returns the delivery and its due time.
func (h *harness) ckClaimedByDeadRun() (int64, time.Time) {
	h.t.Helper()
	h.advanceTo(ckFri)
	h.ckCommand(bea, launc, "<@UANA> in 1h Are the launch slides ready?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()
	due, ok := h.ckJobDue(1, ana)
	if !ok {
		h.t.Fatal("no delivery scheduled")
	}
	var id int64
	if err := h.db.GetContext(h.ctx, &id, `INSERT INTO checkin_deliveries (checkin_id, team_id, recipient_id, due_at, claimed_at)
		SELECT id, team_id, $1, $2, $2 FROM checkins WHERE number = 1 RETURNING id`, ana, due); err != nil {
		h.t.Fatal(err)
	}
	return id, due
}

// ckDeliveryNow reads a delivery's state and message as stored.
func (h *harness) ckDeliveryNow(id int64) (state, ts string) {
	h.t.Helper()
	if err := h.db.QueryRowContext(h.ctx, `SELECT state, ts FROM checkin_deliveries WHERE id = $1`, id).Scan(&state, &ts); err != nil {
		h.t.Fatal(err)
	}
	return state, ts
}

// A run of the job that claimed Ana's check-in DM died before posting it: while its claim may still
// be in use, nobody else posts; once the run's lease is over, the job's next run posts it, once.
func TestACheckinADeadRunClaimedIsPostedByTheNextRun(t *testing.T) {
	h := newHarness(t)
	id, due := h.ckClaimedByDeadRun()

	h.advanceTo(due.Add(time.Second))
	h.dueJobsRun()
	if n := h.ckDeliveries(ana, "C-1"); n != 0 {
		t.Fatalf("%d DMs posted while another run held the claim", n)
	}
	h.advanceTo(due.Add(scheduler.DefaultLease + time.Minute))
	h.dm(ana, "Check-in C-1* from <@UBEA>", "Are the launch slides ready?")
	h.dueJobsRun()
	if n := h.ckDeliveries(ana, "C-1"); n != 1 {
		t.Errorf("%d DMs of C-1, want one", n)
	}
	if state, _ := h.ckDeliveryNow(id); state != string(baton.DeliveryDelivered) {
		t.Errorf("the delivery is %s, want delivered", state)
	}
}

// A run that posted Ana's check-in DM died before recording it: the run that takes the claim over
// finds the DM by what it carries, keeps it as the delivery's message, and posts nothing again.
func TestACheckinADeadRunPostedIsNotPostedAgain(t *testing.T) {
	h := newHarness(t)
	id, due := h.ckClaimedByDeadRun()
	api := slack.New(h.slack.Options().BotToken, slack.OptionAPIURL(h.slack.APIURL()))
	h.advanceTo(due.Add(time.Second))
	_, ts, err := api.PostMessage(ana, slack.MsgOptionText("Check-in C-1 from <@UBEA>: Are the launch slides ready?", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "baton_checkin", EventPayload: map[string]any{"delivery": strconv.FormatInt(id, 10), "post": "first"}}))
	if err != nil {
		t.Fatal(err)
	}

	h.advanceTo(due.Add(scheduler.DefaultLease + time.Minute))
	if err := waitFor(h.waitCtx(), func() (bool, error) {
		state, _ := h.ckDeliveryNow(id)
		return state == string(baton.DeliveryDelivered), nil
	}); err != nil {
		t.Fatalf("the delivery was never recorded: %v", err)
	}
	h.dueJobsRun()
	if state, got := h.ckDeliveryNow(id); state != string(baton.DeliveryDelivered) || got != ts {
		t.Errorf("the delivery is %s with message %s, want delivered with the one the dead run posted (%s)", state, got, ts)
	}
	if n := len(h.slack.Messages(h.slack.DMChannel(ana))); n != 1 {
		t.Errorf("%d messages in Ana's DM, want only the one the dead run posted", n)
	}
}
