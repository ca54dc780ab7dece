package handlers

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// Choices of the ⋯ menu on a delivery.
const (
	moreSnoozeHour     = "snooze_1h"
	moreSnoozeTomorrow = "snooze_tomorrow"
	moreMute           = "mute"
)

// seenReactions are the reactions on a delivery that say "I saw it".
var seenReactions = map[string]bool{"eyes": true, "white_check_mark": true}

var staleDelivery = baton.Errorf(baton.EInvalid, "That check-in message is out of date. Ask the sender to check in again.")

// actionDelivery reads the delivery a button or menu on a DM is about and checks that the person
// acting is its recipient.
func (h *Handlers) actionDelivery(ctx context.Context, r *bot.Request, value string) (baton.Checkin, baton.CheckinDelivery, error) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return baton.Checkin{}, baton.CheckinDelivery{}, staleDelivery
	}
	d, err := h.deliveries.Delivery(ctx, id)
	if err != nil {
		return baton.Checkin{}, baton.CheckinDelivery{}, err
	}
	if d.TeamID != r.TeamID || d.RecipientID != r.UserID {
		return baton.Checkin{}, baton.CheckinDelivery{}, baton.Errorf(baton.EForbidden, "This check-in was sent to %s; only they can answer it.", md.Mention(d.RecipientID))
	}
	c, err := h.checkins.CheckinByID(ctx, d.CheckinID)
	return c, d, err
}

// onCheckinGotIt marks a delivery seen: the recipient acknowledged it, no reply needed.
func (h *Handlers) onCheckinGotIt(ctx context.Context, r *bot.Request) {
	c, d, err := h.actionDelivery(ctx, r, r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.markSeen(ctx, c, d)
}

// onCheckinReaction marks a delivery seen when its recipient reacts to it with 👀 or ✅.
func (h *Handlers) onCheckinReaction(ctx context.Context, r *bot.Request) {
	ev, ok := r.Event.InnerEvent.Data.(*slackevents.ReactionAddedEvent)
	if !ok || !seenReactions[ev.Reaction] || ev.Item.Type != "message" {
		return
	}
	d, found, err := h.deliveries.DeliveryByMessage(ctx, ev.Item.Channel, ev.Item.Timestamp)
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "reaction not handled", "err", err)
		return
	}
	if !found || d.RecipientID != ev.User || d.TeamID != r.TeamID {
		return
	}
	c, err := h.checkins.CheckinByID(ctx, d.CheckinID)
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "reaction not handled", "err", err)
		return
	}
	h.markSeen(ctx, c, d)
}

func (h *Handlers) markSeen(ctx context.Context, c baton.Checkin, d baton.CheckinDelivery) {
	seen, ok, err := h.deliveries.MarkDeliverySeen(ctx, d.ID, h.now())
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "check-in not marked seen", "checkin", c.Ref(), "err", err)
		return
	}
	if !ok {
		return
	}
	h.redrawDelivery(ctx, c, seen)
	h.homes.Refresh(c.TeamID, c.SenderID)
}

// redrawDelivery updates the recipient's DM to show where the delivery stands.
func (h *Handlers) redrawDelivery(ctx context.Context, c baton.Checkin, d baton.CheckinDelivery) {
	if d.ChannelID == "" || d.TS == "" {
		return
	}
	if err := h.slack.UpdateMessage(ctx, d.ChannelID, d.TS, msgText(deliveryText(c)),
		slack.MsgOptionBlocks(deliveryBlocks(c, d, false)...)); err != nil {
		h.logger(ctx).WarnContext(ctx, "check-in message not redrawn", "checkin", c.Ref(), "err", err)
	}
}

// onCheckinReplyButton opens the Reply form.
func (h *Handlers) onCheckinReplyButton(ctx context.Context, r *bot.Request) {
	c, d, err := h.actionDelivery(ctx, r, r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if d.State == baton.DeliveryAnswered {
		h.reply(ctx, r, ":white_check_mark: You already answered this check-in.")
		return
	}
	h.openModal(ctx, r, checkinReplyModal(c, d))
}

// onCheckinReplySubmit records the answer, then posts it in the linked task's thread, or to the
// sender by DM.
func (h *Handlers) onCheckinReplySubmit(ctx context.Context, r *bot.Request) any {
	view := r.Interaction.View
	var meta replyMeta
	if err := json.Unmarshal([]byte(view.PrivateMetadata), &meta); err != nil {
		return fieldErrors(map[string]string{fCkAnswer: "This form is out of date. Close it and press Reply again."})
	}
	answer := formValues(view.State).text(fCkAnswer)
	if answer == "" {
		return fieldErrors(map[string]string{fCkAnswer: "Write your answer."})
	}
	c, d, err := h.actionDelivery(ctx, r, strconv.FormatInt(meta.Delivery, 10))
	if err != nil {
		return h.submitFailure(ctx, r, err, fCkAnswer)
	}
	answered, ok, err := h.deliveries.AnswerDelivery(ctx, d.ID, answer, h.now())
	if err != nil {
		return h.submitFailure(ctx, r, err, fCkAnswer)
	}
	if !ok {
		return fieldErrors(map[string]string{fCkAnswer: "You already answered this check-in."})
	}
	h.background(ctx, func(ctx context.Context) {
		h.redrawDelivery(ctx, c, answered)
		h.passAnswer(ctx, c, answered)
		h.homes.Refresh(c.TeamID, c.SenderID)
	})
	return nil
}

// passAnswer posts an answer where the sender follows it: the linked task's thread, else their DM.
func (h *Handlers) passAnswer(ctx context.Context, c baton.Checkin, d baton.CheckinDelivery) {
	text := answerText(c, d)
	opts := []slack.MsgOption{msgText(text), slack.MsgOptionBlocks(checkinAnswerBlocks(text)...)}
	if c.TaskNumber > 0 {
		t, err := h.tasks.Task(ctx, c.TeamID, c.TaskNumber)
		if err == nil && t.CardTS != "" {
			if _, _, err = h.slack.PostMessage(ctx, t.ChannelID, append(opts, slack.MsgOptionTS(t.CardTS))...); err == nil {
				return
			}
		}
		h.logger(ctx).WarnContext(ctx, "check-in answer not posted in the task thread; sending it to the sender", "checkin", c.Ref(), "err", err)
	}
	h.dm(ctx, c.SenderID, opts...)
}

// checkinAnswerBlocks are the blocks of an answer's message: its text, cut to fit a section.
func checkinAnswerBlocks(text md.Text) []slack.Block {
	return []slack.Block{slack.NewSectionBlock(mrkdwn(md.Clip(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID("checkin_answer"))}
}

// onCheckinMore handles the ⋯ menu of a delivery: snooze it, or mute the whole check-in.
func (h *Handlers) onCheckinMore(ctx context.Context, r *bot.Request) {
	id, choice, _ := strings.Cut(r.Action.SelectedOption.Value, ":")
	c, d, err := h.actionDelivery(ctx, r, id)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	switch choice {
	case moreSnoozeHour:
		h.snooze(ctx, r, c, d, h.now().Add(time.Hour))
	case moreSnoozeTomorrow:
		h.snooze(ctx, r, c, d, tomorrowSameTime(h.now(), d.DueAt, recipientLoc(c, d.RecipientID)))
	case moreMute:
		h.mute(ctx, r, c, d)
	default:
		h.fail(ctx, r, staleDelivery)
	}
}

// recipientLoc is the time zone a recipient's schedule is read in.
func recipientLoc(c baton.Checkin, userID string) *time.Location {
	rcp, _ := c.Recipient(userID)
	return recipientPerson(rcp).Loc
}

// tomorrowSameTime is tomorrow (in loc, from now) at the wall-clock time the delivery was due.
func tomorrowSameTime(now, due time.Time, loc *time.Location) time.Time {
	n, d := now.In(loc), due.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day()+1, d.Hour(), d.Minute(), 0, 0, loc)
}

func (h *Handlers) snooze(ctx context.Context, r *bot.Request, c baton.Checkin, d baton.CheckinDelivery, until time.Time) {
	until = until.Truncate(time.Second)
	snoozed, ok, err := h.deliveries.SnoozeDelivery(ctx, d.ID, until)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if !ok {
		h.reply(ctx, r, ":white_check_mark: You already answered this check-in, so there is nothing to snooze.")
		return
	}
	if h.sched != nil {
		payload, _ := json.Marshal(snoozeJob{Delivery: d.ID, Until: until})
		h.enqueueCheckin(ctx, c, []scheduler.Job{{Kind: jobCheckinSnooze, Key: snoozeJobKey(c.TeamID, c.Number, d.RecipientID, d.ID),
			TeamID: c.TeamID, Payload: payload, DueAt: until}})
	}
	h.redrawDelivery(ctx, c, snoozed)
	h.dm(ctx, c.SenderID, msgText(checkinSnoozedNotice(c, d, until)))
	h.homes.Refresh(c.TeamID, c.SenderID)
}

func (h *Handlers) mute(ctx context.Context, r *bot.Request, c baton.Checkin, d baton.CheckinDelivery) {
	ok, err := h.checkins.MuteCheckinRecipient(ctx, c.ID, d.RecipientID, h.now())
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if !ok {
		h.reply(ctx, r, md.F(":no_bell: You already muted check-in %s.", c.Ref()))
		return
	}
	if h.sched != nil {
		h.cancelJob(ctx, checkinJobKey(c.TeamID, c.Number, d.RecipientID))
	}
	c, err = h.checkins.CheckinByID(ctx, c.ID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.redrawDelivery(ctx, c, d)
	h.dm(ctx, c.SenderID, msgText(checkinMutedNotice(c, d)))
	h.homes.Refresh(c.TeamID, c.SenderID)
}

// checkinSnoozedNotice tells the sender a recipient snoozed their delivery.
func checkinSnoozedNotice(c baton.Checkin, d baton.CheckinDelivery, until time.Time) md.Text {
	return md.F(":zzz: %s snoozed check-in *%s* until %s.", md.Mention(d.RecipientID), c.Ref(), md.Date(until, "{date_short_pretty} at {time}"))
}

// checkinMutedNotice tells the sender a recipient muted their check-in.
func checkinMutedNotice(c baton.Checkin, d baton.CheckinDelivery) md.Text {
	return md.F(":no_bell: %s muted check-in *%s* (%s); they will get no more of it.",
		md.Mention(d.RecipientID), c.Ref(), md.Clip(md.Esc(c.Message), 200))
}
