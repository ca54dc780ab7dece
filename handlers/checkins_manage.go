package handlers

import (
	"context"
	"slices"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// checkinListLimit is how many check-ins /checkin list shows; finishedFor is how long a finished
// one stays listed, so its answers can still be read there.
const (
	checkinListLimit = 20
	finishedFor      = 7 * 24 * time.Hour
)

// listCheckins shows the sender their check-ins with where each recipient's last delivery stands.
func (h *Handlers) listCheckins(ctx context.Context, r *bot.Request) {
	list, total, latest, err := h.sendersCheckins(ctx, r.TeamID, r.UserID, checkinListLimit)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	const title = "Your check-ins"
	h.reply(ctx, r, title, checkinListBlocks(title, list, total, latest)...)
}

// sendersCheckins reads a sender's check-ins (at most limit), how many there are, and their latest deliveries.
func (h *Handlers) sendersCheckins(ctx context.Context, teamID, userID string, limit int) ([]baton.Checkin, int, map[int64][]baton.CheckinDelivery, error) {
	since := h.now().Add(-finishedFor)
	list, err := h.checkins.CheckinsBySender(ctx, teamID, userID, since, limit)
	if err != nil {
		return nil, 0, nil, err
	}
	total := len(list)
	if total == limit {
		if total, err = h.checkins.CountCheckinsBySender(ctx, teamID, userID, since); err != nil {
			return nil, 0, nil, err
		}
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	latest, err := h.checkins.LatestDeliveries(ctx, ids)
	return list, total, latest, err
}

// checkinAndActor reads check-in C-number of the workspace and the person acting on it.
func (h *Handlers) checkinAndActor(ctx context.Context, r *bot.Request, number int64) (baton.Checkin, Person, error) {
	c, err := h.checkins.Checkin(ctx, r.TeamID, number)
	if err != nil {
		return c, Person{}, err
	}
	me, err := h.actor(ctx, r)
	return c, me, err
}

// showCheckin shows one check-in to its sender, a recipient or an admin.
func (h *Handlers) showCheckin(ctx context.Context, r *bot.Request, number int64) {
	c, me, err := h.checkinAndActor(ctx, r, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if _, isRecipient := c.Recipient(me.ID); !c.ManagedBy(me.ID, me.IsAdmin) && !isRecipient {
		h.fail(ctx, r, baton.Errorf(baton.EForbidden, "Check-in %s belongs to %s; only they, the people it asks and admins can see it.", c.Ref(), md.Mention(c.SenderID)))
		return
	}
	latest, err := h.checkins.LatestDeliveries(ctx, []int64{c.ID})
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, md.F("Check-in %s", c.Ref()), checkinShowBlocks(c, latest[c.ID], c.ManagedBy(me.ID, me.IsAdmin))...)
}

// changeCheckinState pauses, resumes or cancels a check-in for its sender or an admin.
func (h *Handlers) changeCheckinState(ctx context.Context, r *bot.Request, verb string, number int64) {
	c, me, err := h.checkinAndActor(ctx, r, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if !c.ManagedBy(me.ID, me.IsAdmin) {
		h.fail(ctx, r, baton.Errorf(baton.EForbidden, "Only %s, who set up check-in %s, or a workspace admin can %s it.", md.Mention(c.SenderID), c.Ref(), verb))
		return
	}
	to := baton.CheckinPaused
	switch verb {
	case "resume":
		to = baton.CheckinActive
	case "cancel", "stop":
		to = baton.CheckinCancelled
	}
	now := h.now()
	c, moved, err := h.checkins.MoveCheckin(ctx, r.TeamID, number, func(c *baton.Checkin) bool { return c.Move(to, now) })
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if !moved {
		h.reply(ctx, r, md.F(":information_source: Check-in *%s* is %s, so there is nothing to %s.", c.Ref(), stateWords(c.State), verb))
		return
	}
	h.homes.Refresh(c.TeamID, c.SenderID)
	switch to {
	case baton.CheckinPaused:
		h.cancelAll(ctx, c)
		h.reply(ctx, r, md.F(":double_vertical_bar: Paused check-in *%s*. Nobody gets it until you `/checkin resume %s`.", c.Ref(), c.Ref()))
	case baton.CheckinCancelled:
		h.cancelAll(ctx, c)
		h.reply(ctx, r, md.F(":no_entry_sign: Cancelled check-in *%s*. Nobody will get it again.", c.Ref()))
	default:
		plans := h.scheduleAll(ctx, c)
		h.reply(ctx, r, checkinConfirmText(c), checkinResumedBlocks(c, plans)...)
	}
}

// stateWords says a check-in's state in a sentence.
func stateWords(s baton.CheckinState) string {
	switch s {
	case baton.CheckinPaused:
		return "paused"
	case baton.CheckinCancelled:
		return "cancelled"
	case baton.CheckinFinished:
		return "finished"
	}
	return "running"
}

// sortedDeliveries orders deliveries by recipient as the check-in lists them.
func sortedDeliveries(c baton.Checkin, ds []baton.CheckinDelivery) []baton.CheckinDelivery {
	order := map[string]int{}
	for i, r := range c.Recipients {
		order[r.UserID] = i
	}
	out := slices.Clone(ds)
	slices.SortFunc(out, func(a, b baton.CheckinDelivery) int { return order[a.RecipientID] - order[b.RecipientID] })
	return out
}
