package main

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// dueTuesday creates T-1 for Ana, due Tue 1 Dec 2026 at 15:00 Berlin (14:00 UTC, 09:00 in New York),
// through the New task form, and returns its card.
func dueTuesday(h *harness) slackdouble.Message {
	h.t.Helper()
	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	h.submit(bea, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Ship v2")}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
		input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-01"}),
		input("due_time", slackdouble.InputValue{SelectedTime: "15:00"}),
	))
	card := h.card(launc, 1)
	h.dm(ana, "handed you")
	h.idle()
	return card
}

// jobDue is when the task's job of that name is due, or false when none is waiting.
func (h *harness) jobDue(number int64, name string) (time.Time, bool) {
	h.t.Helper()
	j, ok, err := h.jobs.JobByKey(h.ctx, jobKeyOf(h, number, name))
	if err != nil {
		h.t.Fatal(err)
	}
	return j.DueAt, ok
}

func jobKeyOf(h *harness, number int64, name string) string {
	return "task:" + h.slack.Options().TeamID + ":" + baton.TaskRef(number)[2:] + ":" + name
}

// advanceTo moves the bot's clock; the scheduler notices within its idle bound.
func (h *harness) advanceTo(t time.Time) {
	h.clock.Advance(t.Sub(h.clock.Now()))
}

func TestDeadlineWatchRemindsTellsTheDelegatorWhenStalledAndFlagsOverdue(t *testing.T) {
	h := newHarness(t)
	card := dueTuesday(h)
	due := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	for name, want := range map[string]time.Time{"due-24h0m0s": due.Add(-24 * time.Hour), "due-2h0m0s": due.Add(-2 * time.Hour), "overdue": due} {
		if at, ok := h.jobDue(1, name); !ok || !at.Equal(want) {
			t.Errorf("checkpoint %s due %v (%v), want %v", name, at, ok, want)
		}
	}

	// 24 hours before: Monday 09:00 in New York. Nothing has moved since Bea handed it over.
	h.advanceTo(due.Add(-24*time.Hour + time.Second))
	reminder := h.dm(ana, ":bell:", "T-1 · Ship v2", "is due")
	if !strings.Contains(strings.Join(reminder.ActionIDs(), " "), "task.status") {
		t.Errorf("the reminder has no status controls: %v", reminder.ActionIDs())
	}
	h.dm(bea, "T-1 · Ship v2", "has been *To do* since")
	h.idle()

	// Ana answers the reminder from the DM itself.
	if _, err := h.slack.SelectOption(h.waitCtx(), ana, reminder.Channel, reminder.TS, "task.status", "1:in_progress"); err != nil {
		t.Fatal(err)
	}
	h.cardNow(card, statusLine(baton.StatusInProgress))
	h.dm(bea, "<@UANA> moved", "*In progress*")
	h.idle()

	// 2 hours before: she moved it since the last look, so Bea is not bothered.
	h.advanceTo(due.Add(-2*time.Hour + time.Second))
	h.slack.WaitMessage(h.waitCtx(), h.slack.DMChannel(ana), func(m slackdouble.Message) bool {
		return m.Has(":bell:") && m.TS != reminder.TS
	})
	h.idle()
	stalls := 0
	for _, m := range h.slack.Messages(h.slack.DMChannel(bea)) {
		if m.Has("has been") {
			stalls++
		}
	}
	if stalls != 1 {
		t.Errorf("Bea was told %d times that the task stalled, want once (before Ana moved it)", stalls)
	}

	// At the due moment it is still open: both hear it is overdue.
	h.advanceTo(due.Add(time.Second))
	h.dm(ana, ":alarm_clock:", "T-1 · Ship v2", "is overdue", "*In progress*")
	h.dm(bea, ":alarm_clock:", "is overdue")
}

func TestDoneCancelsTheDeadlineWatchAndANewDueDateReschedulesIt(t *testing.T) {
	h := newHarness(t)
	card := dueTuesday(h)

	h.click(bea, card, "task.due")
	v := h.view(bea, "task.due")
	h.submit(bea, v, form(input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-08"}), input("due_time", slackdouble.InputValue{SelectedTime: "15:00"})))
	h.cardNow(card, "<!date^1796738400^")
	h.idle()
	if at, ok := h.jobDue(1, "overdue"); !ok || !at.Equal(time.Date(2026, 12, 8, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("overdue check at %v (%v), want the new due moment", at, ok)
	}

	h.selectStatus(ana, card, baton.StatusDone)
	h.cardNow(card, statusLine(baton.StatusDone))
	h.idle()
	for _, name := range []string{"due-24h0m0s", "due-2h0m0s", "overdue"} {
		if at, ok := h.jobDue(1, name); ok {
			t.Errorf("a Done task still has its %s check waiting (due %v)", name, at)
		}
	}

	h.selectStatus(ana, card, baton.StatusInProgress)
	h.cardNow(card, statusLine(baton.StatusInProgress))
	h.idle()
	if _, ok := h.jobDue(1, "overdue"); !ok {
		t.Error("reopening the task did not bring its deadline watch back")
	}
}

func TestAStatusThatDoesNotMoveNudgesTheOwnerOnce(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "<@UANA> Renew the certificates")
	h.card(launc, 1)
	h.idle()
	// Friday 09:00 UTC plus three working days in New York is Wednesday at the same moment.
	at, ok := h.jobDue(1, "stale")
	if want := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC); !ok || !at.Equal(want) {
		t.Fatalf("stale nudge due %v (%v), want %v", at, ok, want)
	}
	h.advanceTo(at.Add(time.Second))
	nudge := h.dm(ana, ":wave:", "T-1 · Renew the certificates", "has been *To do* since")
	if !strings.Contains(strings.Join(nudge.ActionIDs(), " "), "task.status") {
		t.Errorf("the nudge has no status controls: %v", nudge.ActionIDs())
	}
}

// A status that moves puts the nudge off: it comes three working days after the last move, not the first.
func TestAStatusThatMovesPutsTheNudgeOff(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "<@UANA> Renew the certificates")
	card := h.card(launc, 1)
	h.idle()
	first, ok := h.jobDue(1, "stale")
	if want := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC); !ok || !first.Equal(want) {
		t.Fatalf("stale nudge due %v (%v), want %v", first, ok, want)
	}
	// Monday 09:00 UTC Ana starts: three working days later is Thursday at the same moment.
	h.advanceTo(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	h.selectStatus(ana, card, baton.StatusInProgress)
	h.threadReply(card, "In progress")
	h.idle()

	h.advanceTo(first.Add(time.Second))
	want := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	h.until("the nudge put off to Thursday", func() bool {
		at, ok := h.jobDue(1, "stale")
		return ok && at.Equal(want)
	})
	h.idle()
	if n := h.dmsWith(ana, "has been"); n != 0 {
		t.Fatalf("Ana was nudged %d times on Wednesday, a day after she moved the task", n)
	}
	h.advanceTo(want.Add(time.Second))
	h.dm(ana, ":wave:", "T-1 · Renew the certificates", "has been *In progress* since")
}

// until re-checks a condition held outside Slack (the database) until it holds, or fails the test.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	ctx := h.waitCtx()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			h.t.Fatalf("gave up waiting: %s", what)
		case <-tick.C:
		}
	}
}

func TestAReminderOutsideWorkingHoursWaitsForTheOwnersMorning(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	h.submit(bea, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Sign the lease")}),
		input("owner", slackdouble.InputValue{SelectedUser: cal}),
		input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-01"}),
		input("due_time", slackdouble.InputValue{SelectedTime: "18:00"}),
	))
	h.card(launc, 1)
	h.idle()
	// Due Tue 17:00 UTC. Its 24 h reminder falls on Mon 17:00 UTC, 02:00 on Tuesday in Tokyo, where Cal
	// lives: it waits for 09:00 Tokyo (Tue 00:00 UTC), still well before the deadline.
	h.advanceTo(time.Date(2026, 11, 30, 17, 0, 1, 0, time.UTC))
	morning := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	h.until("the reminder to move to Cal's morning", func() bool {
		at, ok := h.jobDue(1, "due-24h0m0s")
		return ok && at.Equal(morning)
	})
	h.idle()
	for _, m := range h.slack.Messages(h.slack.DMChannel(cal)) {
		if m.Has(":bell:") {
			t.Fatalf("Cal was reminded at 02:00 his time: %s", m.AllText())
		}
	}
	h.advanceTo(morning.Add(time.Second))
	h.dm(cal, ":bell:", "T-1 · Sign the lease")
}

// Redis keeps nothing on disk: when it loses the queue's index, the scheduler rebuilds it from Postgres
// and the reminder still arrives, once.
func TestRemindersSurviveRedisLosingEverything(t *testing.T) {
	h := newHarness(t)
	dueTuesday(h)
	opts, err := redis.ParseURL(testRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	if err := deleteRedisKeys(h.ctx, opts, h.redisPrefix); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	h.advanceTo(due.Add(-24*time.Hour + time.Second))
	h.dm(ana, ":bell:", "T-1 · Ship v2")
	h.until("the 24 h reminder to be recorded as fired", func() bool {
		_, ok := h.jobDue(1, "due-24h0m0s")
		return !ok
	})
	h.idle()
	if bells := h.dmsWith(ana, ":bell:"); bells != 1 {
		t.Errorf("Ana got %d reminders, want exactly one", bells)
	}
}
