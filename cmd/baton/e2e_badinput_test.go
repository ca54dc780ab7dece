package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// badNothingPosted checks that nobody saw a card, a thread reply or a DM, and that no task was stored.
func (h *harness) badNothingPosted(t *testing.T, name string) {
	t.Helper()
	h.idle()
	if n := h.taskCount(); n != 0 {
		t.Errorf("%s: %d tasks stored, want none", name, n)
	}
	for _, ch := range []string{launc, open_, h.slack.DMChannel(bea), h.slack.DMChannel(ana), h.slack.DMChannel(gone), h.slack.DMChannel(robo)} {
		for _, m := range h.slack.Messages(ch) {
			t.Errorf("%s: something was posted in %s: %s", name, ch, m.AllText())
		}
	}
}

func TestQuickFormBadInputIsRefusedPrivately(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"empty title", "<@UANA>", []string{"A task needs a title"}},
		{"empty title with a due date", "<@UANA> due:tomorrow", []string{"A task needs a title"}},
		{"title too long", "<@UANA> " + strings.Repeat("x", 201), []string{"The title is 201 characters long; keep it to 200"}},
		{"unknown owner", "<@UNOPE> Ship the pricing page", []string{"I can't find <@UNOPE> in this workspace"}},
		{"deactivated owner", "<@UGONE|gone> Ship the pricing page", []string{"<@UGONE> has been deactivated", "can't own a task"}},
		{"bot owner", "<@UROBO> Ship the pricing page", []string{"<@UROBO> is a bot", "bots can't own tasks"}},
		{"bare name nobody has", "@nobody Ship the pricing page", []string{"I can't find anyone called @nobody"}},
		{"bare name two people have", "@sam Ship the pricing page", []string{"More than one person is called @sam"}},
		{"due word", "<@UANA> Ship the pricing page due:someday", []string{"someday", "is not a date", "YYYY-MM-DD"}},
		{"due date that does not exist", "<@UANA> Ship the pricing page due:2026-13-45", []string{"2026-13-45", "is not a date"}},
		{"empty due", "<@UANA> Ship the pricing page due:", []string{"due: needs a date"}},
		{"past due date", "<@UANA> Ship the pricing page due:2026-11-01", []string{"Sun 1 Nov 2026 is in the past"}},
	}
	h := newHarness(t)
	// One harness for every case (the harness fails its own test, so no subtests): each case must leave
	// the workspace as empty as it found it.
	for _, c := range cases {
		e := h.listHelperReply(bea, launc, c.text)
		if !hasAll(e.AllText(), c.want) {
			t.Errorf("%s: /task %s: the reply does not say %q:\n%s", c.name, c.text, c.want, e.AllText())
		}
		if e.Has("Created") || e.Has("Something went wrong") {
			t.Errorf("%s: /task %s: reply %s", c.name, c.text, e.AllText())
		}
		h.badNothingPosted(t, c.name)
	}
}

// badSubmit submits the New task form and returns the errors the bot put under its fields.
func (h *harness) badSubmit(t *testing.T, name string, v slackdouble.View, values map[string]map[string]slackdouble.InputValue) map[string]string {
	t.Helper()
	ack := h.submit(bea, v, values)
	var a struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if len(ack.Payload) == 0 {
		t.Fatalf("%s: the form was accepted and closed", name)
	}
	if err := json.Unmarshal(ack.Payload, &a); err != nil {
		t.Fatalf("%s: ack %s: %v", name, ack.Payload, err)
	}
	if a.ResponseAction != "errors" {
		t.Fatalf("%s: ack %s, want response_action errors", name, ack.Payload)
	}
	open := h.slack.OpenViews(bea)
	if len(open) != 1 || open[0].ID != v.ID {
		t.Fatalf("%s: the New task form did not stay open: %+v", name, open)
	}
	for k, msg := range a.Errors {
		if open[0].Errors[k] != msg {
			t.Errorf("%s: the form does not show %q under %s: %v", name, msg, k, open[0].Errors)
		}
	}
	return a.Errors
}

func TestNewTaskModalBadInputStaysOpenWithTheReasonUnderTheField(t *testing.T) {
	title := func(s string) map[string]map[string]slackdouble.InputValue {
		return input("title", slackdouble.InputValue{Value: slackdouble.Str(s)})
	}
	owner := func(u string) map[string]map[string]slackdouble.InputValue {
		return input("owner", slackdouble.InputValue{SelectedUser: u})
	}
	date := func(d string) map[string]map[string]slackdouble.InputValue {
		return input("due_date", slackdouble.InputValue{SelectedDate: d})
	}
	clock := func(c string) map[string]map[string]slackdouble.InputValue {
		return input("due_time", slackdouble.InputValue{SelectedTime: c})
	}
	cases := []struct {
		name   string
		values map[string]map[string]slackdouble.InputValue
		want   map[string]string // block_id → part of the message under it
	}{
		{"blank title", form(title("   "), owner(ana)), map[string]string{"title": "A task needs a title"}},
		{"deactivated owner", form(title("Ship it"), owner(gone)), map[string]string{"owner": "<@UGONE> has been deactivated"}},
		{"bot owner", form(title("Ship it"), owner(robo)), map[string]string{"owner": "bots can't own tasks"}},
		{"past date", form(title("Ship it"), owner(ana), date("2026-11-20")), map[string]string{"due_date": "Fri 20 Nov 2026 is in the past"}},
		// The day is missing, so the message asks for one under the day.
		{"time without a date", form(title("Ship it"), owner(ana), clock("17:00")), map[string]string{"due_date": "Pick a due date to go with the time"}},
		// 08:00 today in Berlin has passed (it is 10:00 there): the day is fine, the time is not.
		{"time already passed today", form(title("Ship it"), owner(ana), date("2026-11-27"), clock("08:00")), map[string]string{"due_time": "has already passed"}},
		{"several at once", form(title("  "), owner(robo), date("2026-11-01")), map[string]string{
			"title": "A task needs a title", "owner": "bots can't own tasks", "due_date": "is in the past"}},
	}
	h := newHarness(t)
	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	for _, c := range cases {
		errs := h.badSubmit(t, c.name, v, c.values)
		for field, want := range c.want {
			if !strings.Contains(errs[field], want) {
				t.Errorf("%s: under %s: %q, want %q (all errors %v)", c.name, field, errs[field], want, errs)
			}
		}
		for field := range errs {
			if _, ok := c.want[field]; !ok {
				t.Errorf("%s: unexpected error under %s: %q", c.name, field, errs[field])
			}
		}
		h.badNothingPosted(t, c.name)
	}

	// The same form, put right, creates the task: the refusals lost nothing.
	ack := h.submit(bea, v, form(title("Ship it"), owner(ana), date("2026-11-28")))
	if len(ack.Payload) != 0 {
		t.Fatalf("the corrected form was refused: %s", ack.Payload)
	}
	h.card(launc, 1)
	if h.taskCount() != 1 {
		t.Errorf("%d tasks after the corrected form, want 1", h.taskCount())
	}
}

func TestUnknownTaskIDIsRefused(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	for _, text := range []string{"T-99", "T-99 history", "t-99"} {
		e := h.listHelperReply(bea, launc, text)
		if !e.Has("There is no task T-99") {
			t.Errorf("/task %s: %s", text, e.AllText())
		}
		if len(e.ActionIDs()) != 0 {
			t.Errorf("/task %s: the refusal has controls %v", text, e.ActionIDs())
		}
	}
	h.idle()
	if got, _ := h.slack.Message(card.Channel, card.TS); got.Edits != 0 {
		t.Errorf("T-1's card was edited %d times", got.Edits)
	}
	if h.taskCount() != 1 || len(h.events(1)) != 1 {
		t.Errorf("tasks %d, T-1 events %d", h.taskCount(), len(h.events(1)))
	}
}

func TestATaskOfAnotherWorkspaceIsNotShown(t *testing.T) {
	h := newHarness(t)
	if h.slack.Options().TeamID == "T0002" {
		t.Fatal("the double's workspace is T0002; the test needs another one")
	}
	h.listHelperSeed("T0002", bea, ana, "Secret merger plan", "", baton.StatusBlocked)

	for _, text := range []string{"T-1", "T-1 history"} {
		e := h.listHelperReply(bea, launc, text)
		if !e.Has("There is no task T-1") || e.Has("Secret merger plan") {
			t.Errorf("/task %s from another workspace: %s", text, e.AllText())
		}
	}
	for _, text := range []string{"list", "list delegated", "list blocked"} {
		e := h.listHelperReply(ana, launc, text)
		if e.Has("Secret merger plan") || !e.Has("(0)") {
			t.Errorf("/task %s shows another workspace's task: %s", text, e.AllText())
		}
	}
	if n := h.taskCount(); n != 0 {
		t.Errorf("workspace %s has %d tasks", h.slack.Options().TeamID, n)
	}
}

func TestChoosingDoneTwiceSaysAlreadyDone(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusDone)
	h.cardNow(card, ":white_check_mark: Done")
	h.dm(bea, "marked", "*Done*")
	h.threadReply(card, "to *Done*")
	h.idle()
	events := len(h.events(1))
	replies := len(h.slack.Thread(card.Channel, card.TS))
	dms := len(h.slack.Messages(h.slack.DMChannel(bea)))

	h.selectStatus(ana, card, baton.StatusDone)
	h.ephemeral(ana, "already Done")
	h.idle()
	if n := len(h.events(1)); n != events {
		t.Errorf("%d events after choosing Done again, want %d", n, events)
	}
	if n := len(h.slack.Thread(card.Channel, card.TS)); n != replies {
		t.Errorf("the thread grew from %d to %d messages", replies, n)
	}
	if n := len(h.slack.Messages(h.slack.DMChannel(bea))); n != dms {
		t.Errorf("Bea was told again (%d DMs, want %d)", n, dms)
	}
	if got := h.task(1); got.Status != baton.StatusDone {
		t.Errorf("status %s", got.Status)
	}
	if cur, _ := h.slack.Message(card.Channel, card.TS); !cur.Has(":white_check_mark: Done") {
		t.Errorf("the card no longer shows Done:\n%s", cur.AllText())
	}
}

func TestStaleStatusMenuOnAnOldPrivateCopyIsRefusedAndTheCardShowsTheTruth(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	old := h.listHelperReply(ana, launc, "T-1") // Ana's private copy, showing To do
	if !old.Has("To do") {
		t.Fatalf("the private copy does not show To do:\n%s", old.AllText())
	}

	h.selectStatus(bea, card, baton.StatusDone)
	h.cardNow(card, ":white_check_mark: Done")
	h.threadReply(card, "to *Done*")
	h.idle()
	events := len(h.events(1))
	replies := len(h.slack.Thread(card.Channel, card.TS))

	if _, err := h.slack.SelectOption(h.waitCtx(), ana, old.Channel, old.TS, "task.status", "1:"+string(baton.StatusInReview)); err != nil {
		t.Fatal(err)
	}
	h.ephemeral(ana, "This task is Done. Reopen it")
	h.idle()
	if got := h.task(1); got.Status != baton.StatusDone {
		t.Errorf("the stale menu moved the task to %s", got.Status)
	}
	if n := len(h.events(1)); n != events {
		t.Errorf("%d events, want %d", n, events)
	}
	if n := len(h.slack.Thread(card.Channel, card.TS)); n != replies {
		t.Errorf("the thread grew from %d to %d messages", replies, n)
	}
	if cur, _ := h.slack.Message(card.Channel, card.TS); !cur.Has("*Status*\n:white_check_mark: Done") {
		t.Errorf("the card does not show the task as Done:\n%s", cur.AllText())
	}
}

func TestAStaleCardIsRedrawnWhenItsChangeIsRefused(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	// The task is finished behind the card's back (say, Slack refused the redraw until Baton gave up on
	// it): the card still says To do.
	if _, err := h.db.ExecContext(h.ctx, `WITH done AS (
			UPDATE tasks SET status = 'done', status_changed_at = $2, updated_at = $2 WHERE number = 1 RETURNING id, team_id)
		INSERT INTO task_events (task_id, team_id, kind, actor_id, from_value, to_value, at)
		SELECT id, team_id, 'status', $1, 'todo', 'done', $2 FROM done`, bea, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if cur, _ := h.slack.Message(card.Channel, card.TS); !cur.Has("*Status*\n:white_circle: To do") {
		t.Fatalf("the card is not stale:\n%s", cur.AllText())
	}

	h.selectStatus(ana, card, baton.StatusInReview)
	h.ephemeral(ana, "This task is Done. Reopen it")
	h.cardNow(card, "*Status*\n:white_check_mark: Done")
	h.idle()
	if got := h.task(1); got.Status != baton.StatusDone {
		t.Errorf("status %s", got.Status)
	}
	if n := len(h.events(1)); n != 2 {
		t.Errorf("%d events, want the creation and the Done", n)
	}
	if n := len(h.slack.Thread(card.Channel, card.TS)); n > 1 {
		t.Errorf("a refused change added %d thread replies", n-1)
	}
}

// A card of a task that no longer exists (say, a database restored from an older backup) still carries
// its status menu. Slack cannot be made to show such a card through the double, so the click is the
// delivery of a real status choice with the task number in its value changed.
func TestStatusMenuOfAnUnknownTaskIsRefused(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	ack, err := h.slack.SelectOption(h.waitCtx(), ana, card.Channel, card.TS, "task.status", "1:"+string(baton.StatusInProgress))
	if err != nil {
		t.Fatal(err)
	}
	h.cardNow(card, statusLine(baton.StatusInProgress))
	h.threadReply(card, "to *In progress*")
	h.idle()
	events := len(h.events(1))
	edits := h.cardNow(card).Edits
	replies := len(h.slack.Thread(card.Channel, card.TS))

	env := ack.Envelope
	var payload map[string]any
	if err := json.Unmarshal(env.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	action := payload["actions"].([]any)[0].(map[string]any)
	action["selected_option"].(map[string]any)["value"] = "99:" + string(baton.StatusDone)
	if env.Payload, err = json.Marshal(payload); err != nil {
		t.Fatal(err)
	}
	env.EnvelopeID = fmt.Sprintf("%s-stale", env.EnvelopeID)
	env.RetryAttempt = -1 // Resend counts it up to a first delivery
	if _, err := h.slack.Resend(h.waitCtx(), env); err != nil {
		t.Fatal(err)
	}

	h.ephemeral(ana, "There is no task T-99")
	h.idle()
	if got := h.task(1); got.Status != baton.StatusInProgress {
		t.Errorf("T-1 moved to %s", got.Status)
	}
	if n := len(h.events(1)); n != events {
		t.Errorf("%d events on T-1, want %d", n, events)
	}
	if n := len(h.slack.Thread(card.Channel, card.TS)); n != replies {
		t.Errorf("the thread grew from %d to %d messages", replies, n)
	}
	if cur := h.cardNow(card, statusLine(baton.StatusInProgress)); cur.Edits != edits {
		t.Errorf("T-1's card was edited by a choice about T-99")
	}
	if h.taskCount() != 1 {
		t.Errorf("%d tasks", h.taskCount())
	}
}
