package main

import (
	"strings"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// delegated creates T-1, owned by Ana and delegated by Bea, and returns its card.
func delegated(h *harness) slackdouble.Message {
	h.t.Helper()
	h.command(bea, launc, "<@UANA> Ship the pricing page due:2026-12-04")
	h.ephemeral(bea, "Created T-1")
	card := h.card(launc, 1)
	h.dm(ana, "handed you")
	return card
}

func (h *harness) selectStatus(user string, card slackdouble.Message, status baton.Status) {
	h.t.Helper()
	if _, err := h.slack.SelectOption(h.waitCtx(), user, card.Channel, card.TS, "task.status", "1:"+string(status)); err != nil {
		h.t.Fatalf("select %s: %v", status, err)
	}
}

func (h *harness) click(user string, card slackdouble.Message, actionID string) {
	h.t.Helper()
	if _, err := h.slack.ClickButton(h.waitCtx(), user, card.Channel, card.TS, actionID); err != nil {
		h.t.Fatalf("click %s: %v", actionID, err)
	}
}

// threadReply waits for a reply in the card's thread containing every one of want.
func (h *harness) threadReply(card slackdouble.Message, want ...string) slackdouble.Message {
	h.t.Helper()
	m, err := h.slack.WaitMessage(h.waitCtx(), card.Channel, func(m slackdouble.Message) bool {
		return m.ThreadTS == card.TS && m.TS != card.TS && hasAll(m.AllText(), want)
	})
	if err != nil {
		var got []string
		for _, r := range h.slack.Thread(card.Channel, card.TS) {
			got = append(got, r.AllText())
		}
		h.t.Fatalf("no thread reply with %q; thread:\n%s", want, strings.Join(got, "\n"))
	}
	return m
}

// statusLine is how a card shows its status; a status's bare name is also in every card's status menu.
func statusLine(s baton.Status) string {
	return "*Status*\n" + s.Emoji() + " " + s.Label()
}

// cardNow waits until the card, updated in place, contains every one of want.
func (h *harness) cardNow(card slackdouble.Message, want ...string) slackdouble.Message {
	h.t.Helper()
	var cur slackdouble.Message
	err := h.slack.Wait(h.waitCtx(), func() bool {
		cur, _ = h.slack.Message(card.Channel, card.TS)
		return hasAll(cur.AllText(), want)
	})
	if err != nil {
		h.t.Fatalf("card never showed %q; it shows:\n%s", want, cur.AllText())
	}
	return cur
}

func TestOwnerMovesStatusCardUpdatesThreadRepliesDelegatorIsTold(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusInProgress)

	updated := h.cardNow(card, "*Status*\n:large_blue_circle: In progress")
	if updated.Edits != 1 {
		t.Errorf("card edited %d times, want once in place", updated.Edits)
	}
	h.threadReply(card, "<@UANA> moved this from *To do* to *In progress*")
	h.dm(bea, "<@UANA> moved", "T-1 · Ship the pricing page", "*In progress*")
	h.idle()
	for _, m := range h.slack.Messages(h.slack.DMChannel(ana)) {
		if m.Has("moved") {
			t.Errorf("Ana was told about her own change: %s", m.AllText())
		}
	}
	evs := h.events(1)
	last := evs[len(evs)-1]
	if last.Kind != baton.EventStatus || last.From != "todo" || last.To != "in_progress" || last.Actor != ana {
		t.Errorf("last event %+v", last)
	}
	if msgs := h.slack.Messages(launc); countCards(msgs) != 1 {
		t.Errorf("%d cards in the channel, want the one card updated in place", countCards(msgs))
	}
}

func countCards(msgs []slackdouble.Message) int {
	n := 0
	for _, m := range msgs {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			if m.Has("T-1 ·") {
				n++
			}
		}
	}
	return n
}

func TestBlockedAsksForTheReasonAndReachesTheDelegatorAtOnce(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusBlocked)
	v := h.view(ana, "task.blocked")

	ack := h.submit(ana, v, form(input("note", slackdouble.InputValue{Value: slackdouble.Str("   ")})))
	if !strings.Contains(string(ack.Payload), "Say what is blocking") {
		t.Fatalf("an empty reason was accepted: %s", ack.Payload)
	}
	if h.task(1).Status != baton.StatusTodo {
		t.Fatal("the task changed although the form was refused")
	}

	h.submit(ana, v, form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Legal has not signed off")})))
	h.cardNow(card, ":red_circle: Blocked", "Legal has not signed off")
	h.threadReply(card, "to *Blocked*", "Legal has not signed off")
	dm := h.dm(bea, "is *blocked*", "Legal has not signed off")
	if len(dm.ActionIDs()) == 0 {
		t.Error("the blocked alert has no button to open the card")
	}
	if got := h.task(1); got.Status != baton.StatusBlocked || got.BlockedReason != "Legal has not signed off" {
		t.Errorf("stored %s %q", got.Status, got.BlockedReason)
	}
	h.home(bea, "Needs your attention", "blocked since today: Legal has not signed off")
}

func TestDoneTellsTheDelegatorAndTheCardCanBeReopened(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusDone)
	h.cardNow(card, ":white_check_mark: Done")
	h.dm(bea, "marked", "*Done*")

	h.selectStatus(ana, card, baton.StatusInReview)
	h.ephemeral(ana, "This task is Done. Reopen it")
	if h.task(1).Status != baton.StatusDone {
		t.Fatal("a Done task moved to In review without being reopened")
	}

	h.selectStatus(bea, card, baton.StatusInProgress)
	h.cardNow(card, ":large_blue_circle: In progress")
	h.threadReply(card, "<@UBEA> moved this from *Done* to *In progress*")
	h.dm(ana, "<@UBEA> moved", "*In progress*")
}

func TestOnlyOwnerDelegatorOrAdminMayChangeATask(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.selectStatus(cal, card, baton.StatusDone)
	h.ephemeral(cal, "Only <@UANA> (owner) or <@UBEA> (delegator) can change T-1")
	h.click(cal, card, "task.reassign")
	h.ephemeral(cal, "Only <@UANA> (owner)")
	h.idle()
	if got, _ := h.slack.Message(card.Channel, card.TS); got.Edits != 0 {
		t.Errorf("the card changed after a refusal (%d edits)", got.Edits)
	}
	if len(h.slack.OpenViews(cal)) != 0 {
		t.Error("a form opened for someone who may not use it")
	}
	if n := len(h.events(1)); n != 1 {
		t.Errorf("%d events after refusals, want only the creation", n)
	}

	h.selectStatus(adm, card, baton.StatusInReview)
	h.cardNow(card, ":eyes: In review")
}

func TestLogUpdateAddsAThreadReply(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.click(ana, card, "task.log")
	v := h.view(ana, "task.log")
	h.submit(ana, v, form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Copy is done, waiting on design.")})))
	h.threadReply(card, "<@UANA> logged an update", "Copy is done, waiting on design.")
	evs := h.events(1)
	if last := evs[len(evs)-1]; last.Kind != baton.EventUpdate || last.Note != "Copy is done, waiting on design." {
		t.Errorf("last event %+v", last)
	}
}

func TestReassignTellsTheNewOwnerAndThePreviousOne(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.click(bea, card, "task.reassign")
	v := h.view(bea, "task.reassign")

	ack := h.submit(bea, v, form(input("owner", slackdouble.InputValue{SelectedUser: ana})))
	if !strings.Contains(string(ack.Payload), "already owns T-1") {
		t.Fatalf("reassigning to the same owner was not refused under the field: %s", ack.Payload)
	}
	ack = h.submit(bea, v, form(input("owner", slackdouble.InputValue{SelectedUser: robo})))
	if !strings.Contains(string(ack.Payload), "bots can't own tasks") {
		t.Fatalf("a bot was accepted as owner: %s", ack.Payload)
	}

	h.submit(bea, v, form(
		input("owner", slackdouble.InputValue{SelectedUser: cal}),
		input("note", slackdouble.InputValue{Value: slackdouble.Str("Ana is on leave")}),
	))
	h.cardNow(card, "*Owner*\n<@UCAL>")
	h.threadReply(card, "reassigned this from <@UANA> to <@UCAL>", "Ana is on leave")
	h.dm(cal, "handed you", "T-1", "Ana is on leave")
	h.dm(ana, "reassigned", "to <@UCAL>")
	h.home(cal, "Your tasks", "T-1")
}

func TestChangeDueDateUpdatesTheCard(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.click(ana, card, "task.due")
	v := h.view(ana, "task.due")
	ack := h.submit(ana, v, form(input("due_date", slackdouble.InputValue{SelectedDate: "2026-11-20"})))
	if !strings.Contains(string(ack.Payload), "in the past") {
		t.Fatalf("a past date was accepted: %s", ack.Payload)
	}
	h.submit(ana, v, form(input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-11"})))
	h.cardNow(card, "Fri 11 Dec 2026")
	h.threadReply(card, "changed the due date from Fri 4 Dec 2026 to Fri 11 Dec 2026")
	h.dm(bea, "changed the due date", "T-1")
}

func TestClosingTheBlockedFormPutsTheStatusMenuBack(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusBlocked)
	v := h.view(ana, "task.blocked")
	if _, err := h.slack.CloseView(h.waitCtx(), ana, v.ID); err != nil {
		t.Fatal(err)
	}
	var redrawn slackdouble.Message
	if err := h.slack.Wait(h.waitCtx(), func() bool {
		redrawn, _ = h.slack.Message(card.Channel, card.TS)
		return redrawn.Edits > 0
	}); err != nil {
		t.Fatal("the card was not redrawn after the form was closed")
	}
	if !redrawn.Has(":white_circle: To do") {
		t.Errorf("redrawn card shows:\n%s", redrawn.AllText())
	}
	h.idle()
	if h.task(1).Status != baton.StatusTodo || len(h.events(1)) != 1 {
		t.Error("closing the form changed the task")
	}
}
