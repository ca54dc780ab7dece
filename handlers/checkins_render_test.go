package handlers

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

func sampleCheckin(recipients int) baton.Checkin {
	c := baton.Checkin{ID: 3, TeamID: "T1", Number: 5, SenderID: "UBEA", Message: "How is <the launch> & going?",
		Schedule:   baton.Schedule{Repeat: baton.RepeatWeekdays, At: baton.Clock{Hour: 9, Minute: 30}, SkipNonWorking: true},
		TaskNumber: 12, AskReply: true, State: baton.CheckinActive, CreatedAt: fixedNow}
	for i := range recipients {
		c.Recipients = append(c.Recipients, baton.CheckinRecipient{UserID: fmt.Sprintf("U%03d", i), TZ: "America/New_York"})
	}
	return c
}

func sampleDelivery(state baton.DeliveryState) baton.CheckinDelivery {
	return baton.CheckinDelivery{ID: 9, CheckinID: 3, TeamID: "T1", RecipientID: "U000", DueAt: fixedNow, State: state,
		ChannelID: "DU000", TS: "1.1", DeliveredAt: fixedNow, SeenAt: fixedNow.Add(11 * time.Minute),
		AnsweredAt: fixedNow.Add(20 * time.Minute), SnoozedUntil: fixedNow.Add(time.Hour), Answer: "On <track>"}
}

func TestCheckinActionsHaveRoutes(t *testing.T) {
	r := bot.NewRouter()
	New(Config{}).Register(r)
	c := sampleCheckin(2)
	var ids []string
	for _, s := range []baton.DeliveryState{baton.DeliveryDelivered, baton.DeliverySnoozed, baton.DeliverySeen} {
		ids = append(ids, actionIDs(t, deliveryBlocks(c, sampleDelivery(s), false))...)
	}
	ids = append(ids, actionIDs(t, checkinShowBlocks(c, nil, true))...)
	if len(ids) < 9 {
		t.Fatalf("found only %d action_ids: %v", len(ids), ids)
	}
	for _, id := range ids {
		if !r.HasAction(id) {
			t.Errorf("action_id %q is rendered but has no route", id)
		}
	}
	if got := actionIDs(t, deliveryBlocks(c, sampleDelivery(baton.DeliveryAnswered), false)); len(got) != 0 {
		t.Errorf("an answered delivery still offers %v", got)
	}
}

func TestCheckinDeliveryEscapesAndSaysWhereItStands(t *testing.T) {
	c := sampleCheckin(1)
	for state, want := range map[baton.DeliveryState]string{
		baton.DeliveryDelivered: "would like a reply",
		baton.DeliverySnoozed:   "Snoozed until",
		baton.DeliverySeen:      `Seen \u003c!date^`,
		baton.DeliveryAnswered:  `Answered \u003c!date^`,
	} {
		raw, _ := json.Marshal(deliveryBlocks(c, sampleDelivery(state), false))
		text := string(raw)
		if !strings.Contains(text, want) || !strings.Contains(text, `How is \u0026lt;the launch\u0026gt; \u0026amp; going?`) {
			t.Errorf("%s delivery does not say %q with the message escaped:\n%s", state, want, text)
		}
	}
	line := string(deliveryLine(c.Recipients[0], sampleDelivery(baton.DeliverySeen), true))
	if !strings.HasPrefix(line, "<@U000> — delivered <!date^") || !strings.Contains(line, ", seen <!date^") {
		t.Errorf("delivery line = %q", line)
	}
}

func TestHomeWithManyCheckinsStaysUnderTheBlockLimit(t *testing.T) {
	d := sampleHome()
	latest := map[int64][]baton.CheckinDelivery{}
	for i := range 50 {
		c := sampleCheckin(500)
		c.ID, c.Number = int64(100+i), int64(100+i)
		c.Message = strings.Repeat("long question ", 200)
		d.checkins = append(d.checkins, c)
		for j := range 500 {
			del := sampleDelivery(baton.DeliveryAnswered)
			del.CheckinID, del.RecipientID = c.ID, c.Recipients[j].UserID
			latest[c.ID] = append(latest[c.ID], del)
		}
	}
	d.checkinsTotal, d.checkinDeliveries = 5000, latest
	blocks := homeBlocks(d, fixedNow)
	if len(blocks) > maxViewBlocks {
		t.Fatalf("home has %d blocks, Slack allows %d", len(blocks), maxViewBlocks)
	}
	raw, _ := json.Marshal(blocks)
	for _, want := range []string{"Your check-ins* (5000)", "4995 more", "…and 495 more"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("home does not say %q", want)
		}
	}
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil && len([]rune(s.Text.Text)) > 3000 {
			t.Errorf("section %s is %d characters long", s.BlockID, len([]rune(s.Text.Text)))
		}
	}
}

func TestCheckinModalAndListFitSlack(t *testing.T) {
	v := checkinModal()
	if len(v.Title.Text) > 24 || len(v.Blocks.BlockSet) > maxViewBlocks {
		t.Errorf("modal title %q, %d blocks", v.Title.Text, len(v.Blocks.BlockSet))
	}
	var list []baton.Checkin
	for i := range checkinListLimit {
		c := sampleCheckin(40)
		c.ID, c.Number = int64(i+1), int64(i+1)
		list = append(list, c)
	}
	if blocks := checkinListBlocks("Your check-ins", list, 90, nil); len(blocks) > maxMessageBlocks {
		t.Errorf("list has %d blocks, Slack allows %d in a message", len(blocks), maxMessageBlocks)
	}
	plans := make([]recipientPlan, 500)
	for i := range plans {
		plans[i] = recipientPlan{person: Person{ID: fmt.Sprintf("U%03d", i), Loc: time.UTC}, next: fixedNow, ok: i%2 == 0}
	}
	raw, _ := json.Marshal(checkinConfirmBlocks(sampleCheckin(500), plans))
	if !strings.Contains(string(raw), "…and 480 more.") || !strings.Contains(string(raw), "and 490 more") {
		t.Errorf("confirmation does not count the rest: %s", raw)
	}
}

func TestCheckinConfirmationSaysWhenItReminds(t *testing.T) {
	c := sampleCheckin(1)
	plans := []recipientPlan{{person: Person{ID: "U000", Loc: time.UTC}, next: fixedNow, ok: true}}
	raw, _ := json.Marshal(checkinConfirmBlocks(c, plans))
	if strings.Contains(string(raw), "reminding") {
		t.Errorf("a check-in without a reminder says it reminds:\n%s", raw)
	}
	c.RemindAfter = 90 * time.Minute
	raw, _ = json.Marshal(checkinConfirmBlocks(c, plans))
	if !strings.Contains(string(raw), "reminding anyone who hasn't seen it after 1 hour 30 minutes") {
		t.Errorf("the confirmation does not say when it reminds:\n%s", raw)
	}
}
