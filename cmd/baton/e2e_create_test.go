package main

import (
	"strings"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

func TestQuickTaskPostsCardTellsOwnerAndRecordsEvent(t *testing.T) {
	h := newHarness(t)
	ack := h.command(bea, launc, "<@UANA|ana> Ship the pricing page &amp; plans due:tomorrow")
	if ack.Latency > h.slack.Options().AckTimeout {
		t.Fatalf("ack took %v", ack.Latency)
	}

	h.ephemeral(bea, "Created T-1", "Ship the pricing page &amp; plans", "<@UANA>")
	card := h.card(launc, 1)
	for _, want := range []string{"Ship the pricing page &amp; plans", "*Owner*\n<@UANA>", "*Delegated by*\n<@UBEA>", "Sat 28 Nov 2026", "To do"} {
		if !card.Has(want) {
			t.Errorf("card lacks %q:\n%s", want, card.AllText())
		}
	}
	for _, id := range []string{"task.status", "task.log", "task.reassign", "task.due"} {
		if !strings.Contains(strings.Join(card.ActionIDs(), " "), id) {
			t.Errorf("card has no %s control: %v", id, card.ActionIDs())
		}
	}

	dm := h.dm(ana, "handed you", "T-1 · Ship the pricing page &amp; plans", "Sat 28 Nov 2026", "<@UBEA>", "Open card")
	if len(dm.ActionIDs()) == 0 {
		t.Error("the assignment DM has no button to open the card")
	}

	task := h.task(1)
	if task.Title != "Ship the pricing page & plans" || task.OwnerID != ana || task.DelegatorID != bea || task.Status != baton.StatusTodo {
		t.Errorf("stored task %+v", task)
	}
	if task.ChannelID != launc || task.CardTS != card.TS {
		t.Errorf("card recorded at %s/%s, posted at %s/%s", task.ChannelID, task.CardTS, launc, card.TS)
	}
	evs := h.events(1)
	if len(evs) != 1 || evs[0].Kind != baton.EventCreated || evs[0].Actor != bea || evs[0].To != ana {
		t.Errorf("events %+v", evs)
	}
	h.home(ana, "Your tasks", "T-1")
	h.home(bea, "Delegated by you", "T-1", "<@UANA>")
}

func TestDelegatingToYourselfSendsNoDM(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "<@UBEA> Book the venue")
	h.card(launc, 1)
	h.ephemeral(bea, "Created T-1")
	h.idle()
	if got := h.slack.Messages(h.slack.DMChannel(bea)); len(got) != 0 {
		t.Errorf("Bea was told about her own task: %+v", got)
	}
}

func TestBareNameResolvesThroughTheDirectory(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "@ana Write the launch post")
	h.ephemeral(bea, "Created T-1", "<@UANA>")
	if h.task(1).OwnerID != ana {
		t.Errorf("owner %s", h.task(1).OwnerID)
	}
}

func TestNewTaskModalCreatesTheTask(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	if !strings.Contains(v.PrivateMetadata, launc) {
		t.Errorf("modal does not remember the channel: %q", v.PrivateMetadata)
	}
	ack := h.submit(bea, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Prepare the board deck")}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
		input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-03"}),
		input("due_time", slackdouble.InputValue{SelectedTime: "16:30"}),
		input("description", slackdouble.InputValue{Value: slackdouble.Str("Numbers from finance, story from product.")}),
	))
	if len(ack.Payload) != 0 {
		t.Fatalf("valid form was not closed: %s", ack.Payload)
	}
	card := h.card(launc, 1)
	// 16:30 in Berlin is 15:30 UTC: the card shows the moment in each viewer's own time.
	for _, want := range []string{"Prepare the board deck", "Numbers from finance", "<!date^1796311800^"} {
		if !card.Has(want) {
			t.Errorf("card lacks %q:\n%s", want, card.AllText())
		}
	}
	h.dm(ana, "handed you", "T-1 · Prepare the board deck")
	if d := h.task(1).Due; d.Date != "2026-12-03" || d.Time != "16:30" || !d.HasTime {
		t.Errorf("due %+v", d)
	}
}

func TestNewTaskModalPostsInTheChosenChannel(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	h.submit(bea, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Invite the press")}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
		input("channel", slackdouble.InputValue{SelectedConversation: open_}),
	))
	h.card(open_, 1)
	if h.slack.CallCount("conversations.join") != 1 {
		t.Errorf("Baton should have joined the public channel once, joined %d times", h.slack.CallCount("conversations.join"))
	}
}

func TestMakeATaskFromAMessage(t *testing.T) {
	h := newHarness(t)
	src := h.slack.PostUserMessage(launc, cal, "Can someone fix the signup bug?\nIt fails on Safari.", "")
	if _, err := h.slack.MessageShortcut(h.waitCtx(), bea, launc, src, "task.from_message"); err != nil {
		t.Fatal(err)
	}
	v := h.view(bea, "task.new")
	if !v.Has("Can someone fix the signup bug?") || !v.Has("It fails on Safari.") {
		t.Fatalf("modal is not prefilled with the message:\n%s", v.AllText())
	}
	h.submit(bea, v, form(input("owner", slackdouble.InputValue{SelectedUser: ana})))

	card := h.card(launc, 1)
	if !card.Has("this message") || !card.Has("/archives/"+launc+"/p") {
		t.Errorf("card does not link back to the message:\n%s", card.AllText())
	}
	reply, err := h.slack.WaitMessage(h.waitCtx(), launc, func(m slackdouble.Message) bool {
		return m.ThreadTS == src && m.Has("Tracked as") && m.Has("T-1")
	})
	if err != nil {
		t.Fatalf("the original thread got no link to the card: %v", err)
	}
	if !reply.Has("/archives/" + launc) {
		t.Errorf("thread reply does not link to the card: %s", reply.AllText())
	}
	if got := h.task(1); got.Title != "Can someone fix the signup bug?" || !strings.Contains(got.Description, "Safari") {
		t.Errorf("task %q / %q", got.Title, got.Description)
	}
}

func TestCardInAPublicChannelBatonIsNotInJoinsIt(t *testing.T) {
	h := newHarness(t)
	h.command(bea, open_, "<@UANA> Order the banners")
	h.card(open_, 1)
	h.ephemeral(bea, "Created T-1")
	if h.task(1).ChannelID != open_ {
		t.Errorf("card recorded in %s", h.task(1).ChannelID)
	}
}

func TestCardInAPrivateChannelBatonIsNotInGoesToTheDelegatorAndSaysHowToInvite(t *testing.T) {
	h := newHarness(t)
	h.command(bea, priv, "<@UANA> Draft the reorg memo")
	h.ephemeral(bea, "Created T-1")
	h.dm(bea, "card of T-1", "/invite @Baton")
	h.card(h.slack.DMChannel(bea), 1)
	h.idle()
	if got := h.task(1); got.ChannelID != h.slack.DMChannel(bea) || got.CardTS == "" {
		t.Errorf("task not kept with its card: %+v", got)
	}
	if len(h.slack.Messages(priv)) != 0 {
		t.Error("something was posted in the private channel")
	}
	h.dm(ana, "handed you", "T-1")
}
