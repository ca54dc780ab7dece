package handlers

import (
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// checkinSurfaces renders what check-ins send with typed as the question and every answer.
func checkinSurfaces(typed string) []surface {
	c := baton.Checkin{ID: 3, TeamID: "T1", Number: 5, SenderID: fxAlice, Message: typed,
		Schedule:   baton.Schedule{Repeat: baton.RepeatWeekdays, At: baton.Clock{Hour: 9, Minute: 30}, SkipNonWorking: true},
		TaskNumber: 12, AskReply: true, RemindAfter: 2 * time.Hour, State: baton.CheckinActive, CreatedAt: fxNow,
		Recipients: []baton.CheckinRecipient{{UserID: fxBob, TZ: "UTC"}, {UserID: fxCal, TZ: "UTC", MutedAt: fxNow}}}
	delivery := func(state baton.DeliveryState, to string) baton.CheckinDelivery {
		return baton.CheckinDelivery{ID: 9, CheckinID: c.ID, TeamID: c.TeamID, RecipientID: to, DueAt: fxNow, State: state,
			ChannelID: "D0BOB", TS: "1.1", DeliveredAt: fxNow, RemindedAt: fxNow.Add(2 * time.Hour),
			SeenAt: fxNow.Add(11 * time.Minute), AnsweredAt: fxNow.Add(20 * time.Minute),
			SnoozedUntil: fxNow.Add(time.Hour), Answer: typed}
	}
	answered := delivery(baton.DeliveryAnswered, fxBob)
	latest := []baton.CheckinDelivery{answered, delivery(baton.DeliverySeen, fxCal)}
	plans := []recipientPlan{
		{person: Person{ID: fxBob, Loc: time.UTC}, next: fxNow.Add(time.Hour), ok: true},
		{person: Person{ID: fxCal, Loc: time.UTC}},
	}
	paused := c
	paused.State = baton.CheckinPaused
	paused.TaskNumber = 0
	once := c
	once.Schedule = baton.Schedule{Repeat: baton.RepeatOnce, Once: fxNow.Add(24 * time.Hour)}
	byID := map[int64][]baton.CheckinDelivery{c.ID: latest}
	list := []baton.Checkin{c, paused}

	out := []surface{
		{"checkin new modal", checkinModal()},
		{"checkin edit modal", checkinEditModal(c, time.UTC)},
		{"checkin edit modal, once", checkinEditModal(once, time.UTC)},
		{"checkin reply modal", checkinReplyModal(c, delivery(baton.DeliveryDelivered, fxBob))},
		{"checkin delivery text", deliveryText(c)},
		{"checkin reminder text", "Reminder — " + deliveryText(c)},
		{"checkin reminder blocks", deliveryBlocks(c, delivery(baton.DeliveryDelivered, fxBob), true)},
		{"checkin delivery muted", deliveryBlocks(c, delivery(baton.DeliveryDelivered, fxCal), false)},
		{"checkin answer text", answerText(c, answered)},
		{"checkin answer blocks", checkinAnswerBlocks(answerText(c, answered))},
		{"checkin snoozed notice", checkinSnoozedNotice(c, delivery(baton.DeliverySnoozed, fxBob), fxNow.Add(time.Hour))},
		{"checkin muted notice", checkinMutedNotice(c, delivery(baton.DeliveryDelivered, fxCal))},
		{"checkin recipient list", recipientList(c, 1)},
		{"checkin confirm text", checkinConfirmText(c)},
		{"checkin summary", checkinSummary(c, "is set up")},
		{"checkin confirm blocks", checkinConfirmBlocks(c, plans)},
		{"checkin resumed blocks", checkinResumedBlocks(c, plans)},
		{"checkin edited blocks", checkinEditedBlocks(c, plans)},
		{"checkin edited blocks, paused", checkinEditedBlocks(paused, nil)},
		{"checkin headline", checkinHeadline(c)},
		{"checkin headline, paused", checkinHeadline(paused)},
		{"checkin recipient lines", md.Join(recipientLines(c, latest, 1), "\n")},
		{"checkin list", checkinListBlocks("Your check-ins", list, 30, byID)},
		{"checkin list, empty", checkinListBlocks("Your check-ins", nil, 0, nil)},
		{"checkin show", checkinShowBlocks(c, latest, true)},
		{"checkin show, once", checkinShowBlocks(once, nil, false)},
		{"checkin home", checkinHomeBlocks(list, 30, byID)},
		{"checkin help", checkinHelpBlocks(checkinNotUnderstood("C-5 " + typed))},
		{"checkin help, which one", checkinHelpBlocks(md.F("Say which check-in, like `/checkin %s C-5`.", typed))},
	}
	for _, state := range []baton.DeliveryState{baton.DeliveryDelivered, baton.DeliverySnoozed, baton.DeliverySeen, baton.DeliveryAnswered} {
		d := delivery(state, fxBob)
		out = append(out, surface{"checkin delivery " + string(state), deliveryBlocks(c, d, false)})
		for _, r := range c.Recipients {
			out = append(out, surface{"checkin delivery line " + string(state), deliveryLine(r, d, true)})
		}
	}
	return append(out, surface{"checkin delivery line, not delivered", deliveryLine(c.Recipients[0], baton.CheckinDelivery{}, false)})
}
