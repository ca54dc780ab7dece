package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
)

// checkinPostEvent names the metadata Baton's check-in DMs carry: which delivery, and which post of it.
const checkinPostEvent = "baton_checkin"

// Kinds of check-in post: a delivery's first post, its return after a snooze, its one reminder.
const (
	postFirst    = "first"
	postSnoozed  = "snoozed"
	postReminder = "reminder"
)

// checkinPost is one post of a delivery.
type checkinPost struct {
	d    baton.CheckinDelivery
	kind string
	// at is when the post came due (the delivery's due time, the snooze's end, when the delivery was
	// delivered for its reminder): no post of it is older.
	at time.Time
}

// name tells this post from every other post of the delivery.
func (p checkinPost) name() string {
	if p.kind == postSnoozed {
		return p.kind + ":" + strconv.FormatInt(p.at.Unix(), 10)
	}
	return p.kind
}

// mark tags the post with what it is, for postedBefore to find.
func (p checkinPost) mark() slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: checkinPostEvent,
		EventPayload: map[string]any{"delivery": strconv.FormatInt(p.d.ID, 10), "post": p.name()}})
}

// postedBefore looks in the recipient's DM for this post, made by a run that ended before it could
// record it. When Slack can't be asked, it is not found: the post is made, and may show twice.
func (h *Handlers) postedBefore(ctx context.Context, p checkinPost) (channelID, ts string, found bool) {
	log := h.logger(ctx).With("delivery_id", p.d.ID, "post", p.name())
	dm, err := h.slack.OpenDM(ctx, p.d.RecipientID)
	if err != nil {
		log.WarnContext(ctx, "could not look for a check-in posted before", "err", err)
		return "", "", false
	}
	msgs, err := h.slack.RecentMessages(ctx, dm, "", strconv.FormatInt(p.at.Add(-time.Minute).Unix(), 10)+".000000")
	if err != nil {
		log.WarnContext(ctx, "could not look for a check-in posted before", "err", err)
		return "", "", false
	}
	id := strconv.FormatInt(p.d.ID, 10)
	for _, m := range msgs {
		if m.Metadata.EventType == checkinPostEvent && m.Metadata.EventPayload["delivery"] == id && m.Metadata.EventPayload["post"] == p.name() {
			return dm, m.Timestamp, true
		}
	}
	return "", "", false
}
