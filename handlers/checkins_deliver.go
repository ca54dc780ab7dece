package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// DeliveryStore keeps each check-in DM: claimed before it is sent, then delivered, seen, snoozed, answered, reminded.
type DeliveryStore interface {
	ClaimDelivery(ctx context.Context, d baton.CheckinDelivery, now time.Time, lease time.Duration) (baton.CheckinDelivery, baton.PostClaim, error)
	ClaimSnoozed(ctx context.Context, id int64, until, now time.Time, lease time.Duration) (baton.CheckinDelivery, baton.PostClaim, error)
	ReleaseDelivery(ctx context.Context, id int64) error
	MarkDelivered(ctx context.Context, id int64, channelID, ts string, at time.Time) (baton.CheckinDelivery, error)
	MarkDeliverySeen(ctx context.Context, id int64, at time.Time) (baton.CheckinDelivery, bool, error)
	AnswerDelivery(ctx context.Context, id int64, answer string, at time.Time) (baton.CheckinDelivery, bool, error)
	SnoozeDelivery(ctx context.Context, id int64, until time.Time) (baton.CheckinDelivery, bool, error)
	Delivery(ctx context.Context, id int64) (baton.CheckinDelivery, error)
	DeliveryByMessage(ctx context.Context, channelID, ts string) (baton.CheckinDelivery, bool, error)
	ClaimReminder(ctx context.Context, id int64, at time.Time, lease time.Duration) (baton.CheckinDelivery, baton.PostClaim, error)
	RecordReminder(ctx context.Context, id int64, channelID, ts string) error
	ReleaseReminder(ctx context.Context, id int64) error
}

// postLease is how long a job run holds the check-in post it claims: as long as the run itself may
// go on, which is until its job's lease ends. A run killed mid-post, or cut off by its lease, leaves
// the post to the job's next run, on this process or another.
func postLease(ctx context.Context) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return max(time.Until(deadline), 0)
	}
	return scheduler.DefaultLease
}

// errPostHeld retries a job whose post another run holds: once that run has posted, the retry finds
// nothing owed; if it ended without a word, the retry takes the post over.
var errPostHeld = errors.New("another run of this job holds the check-in post")

// undeliverable are Slack's answers that say this person cannot get DMs any more: retrying will not help.
var undeliverable = []string{"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot", "channel_not_found", "is_archived"}

// onCheckinDeliver sends one recipient their check-in, once per due time, then schedules the next.
// It re-reads the check-in: a paused, cancelled or muted one sends nothing and schedules nothing.
func (h *Handlers) onCheckinDeliver(ctx context.Context, j scheduler.Job) error {
	var p checkinJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	c, err := h.checkins.CheckinByID(ctx, p.ID)
	if baton.ErrorCode(err) == baton.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	rcp, ok := c.Recipient(p.User)
	if c.State != baton.CheckinActive || !ok || rcp.Muted() {
		return nil
	}
	d, claim, err := h.deliveries.ClaimDelivery(ctx, baton.CheckinDelivery{CheckinID: c.ID, TeamID: c.TeamID, RecipientID: p.User, DueAt: p.Due}, h.now(), postLease(ctx))
	switch {
	case err != nil:
		return err
	case claim == baton.PostHeld:
		return errPostHeld
	case claim.Owed():
		if err := h.postDelivery(ctx, c, checkinPost{d: d, kind: postFirst, at: p.Due}, claim); err != nil {
			return err
		}
	}
	h.scheduleNext(ctx, c, rcp, p.Due)
	return nil
}

// postDelivery posts the DM of a claimed delivery (its first post, or its return from a snooze) and
// records it. A failure Slack may get over gives the claim back and is returned, so the job runs
// again; a person who can no longer get DMs is logged.
func (h *Handlers) postDelivery(ctx context.Context, c baton.Checkin, p checkinPost, claim baton.PostClaim) error {
	ch, ts, posted, err := h.postClaimed(ctx, c, p, claim, deliveryText(c), deliveryBlocks(c, p.d, p.kind != postFirst), h.deliveries.ReleaseDelivery)
	if !posted {
		return err
	}
	d, err := h.deliveries.MarkDelivered(ctx, p.d.ID, ch, ts, h.now())
	if err != nil {
		return err
	}
	if p.kind == postFirst {
		h.scheduleReminder(ctx, c, d)
	}
	h.homes.Refresh(c.TeamID, c.SenderID)
	return nil
}

// postClaimed posts a claimed check-in DM: a delivery, its return from a snooze, or its reminder.
// Taken over from a run that ended without a word, it is first looked for in Slack, where that run
// may have posted it. When Slack refuses, the claim is given back with release and posted is false:
// the error is returned when a retry may get through, and nil (the refusal logged) when the person
// can no longer get DMs.
func (h *Handlers) postClaimed(ctx context.Context, c baton.Checkin, p checkinPost, claim baton.PostClaim, text md.Text, blocks []slack.Block,
	release func(ctx context.Context, id int64) error) (channelID, ts string, posted bool, err error) {
	d := p.d
	if claim == baton.PostTakenOver {
		if channelID, ts, found := h.postedBefore(ctx, p); found {
			return channelID, ts, true, nil
		}
	}
	channelID, ts, err = h.slack.PostMessage(ctx, d.RecipientID, msgText(text), slack.MsgOptionBlocks(blocks...), p.mark())
	if err == nil {
		return channelID, ts, true, nil
	}
	if rerr := release(ctx, d.ID); rerr != nil {
		h.logger(ctx).ErrorContext(ctx, "check-in claim not released", "checkin", c.Ref(), "user_id", d.RecipientID, "err", rerr)
	}
	if bot.IsSlackError(err, undeliverable...) {
		h.logger(ctx).WarnContext(ctx, "check-in not delivered: the recipient cannot get direct messages", "checkin", c.Ref(), "user_id", d.RecipientID, "err", err)
		return "", "", false, nil
	}
	return "", "", false, err
}

// jobDelivery reads the delivery a job is about, by its ID, and its check-in; ok is false when there
// is nothing to do: the delivery is gone, or the check-in no longer follows up on it for its recipient
// (paused, cancelled, muted, or the recipient taken off it).
func (h *Handlers) jobDelivery(ctx context.Context, id int64) (c baton.Checkin, d baton.CheckinDelivery, ok bool, err error) {
	d, err = h.deliveries.Delivery(ctx, id)
	if baton.ErrorCode(err) == baton.ENotFound {
		return c, d, false, nil
	}
	if err != nil {
		return c, d, false, err
	}
	if c, err = h.checkins.CheckinByID(ctx, d.CheckinID); err != nil {
		return c, d, false, err
	}
	rcp, ok := c.Recipient(d.RecipientID)
	return c, d, followsUp(c.State) && ok && !rcp.Muted(), nil
}

// followsUp reports whether a check-in in state s still follows up on the deliveries it made (the
// reminder of an unseen one, a snoozed one coming back): an active one does, and so does a finished
// one — a one-time check-in is finished once it reached everyone, and its question still stands. A
// paused or cancelled one does not.
func followsUp(s baton.CheckinState) bool {
	return s == baton.CheckinActive || s == baton.CheckinFinished
}

// scheduleNext queues the recipient's next delivery after the one due at `after`, or, when the
// schedule has no more, finishes a check-in that has reached everyone.
func (h *Handlers) scheduleNext(ctx context.Context, c baton.Checkin, rcp baton.CheckinRecipient, after time.Time) {
	if now := h.now(); now.After(after) {
		after = now
	}
	cal, err := h.calendar(ctx, c.TeamID, recipientPerson(rcp))
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "next check-in not scheduled", "checkin", c.Ref(), "user_id", rcp.UserID, "err", err)
		return
	}
	if next, ok := c.Schedule.Next(after, cal); ok {
		h.enqueueCheckin(ctx, c, []scheduler.Job{deliveryJob(c, rcp.UserID, next)})
		h.unlessStillDue(ctx, c, rcp.UserID, after)
		return
	}
	if done, err := h.checkins.FinishCheckinIfDone(ctx, c.ID, h.now()); err != nil {
		h.logger(ctx).WarnContext(ctx, "check-in not marked finished", "checkin", c.Ref(), "err", err)
	} else if done {
		h.homes.Refresh(c.TeamID, c.SenderID)
	}
}

// unlessStillDue re-reads a check-in after queueing a recipient's next delivery from what it was.
// Whoever changed it meanwhile acted on the jobs they could see, and this one may have come after:
// when it was paused, cancelled or muted, or the recipient was taken off it, the job is cancelled;
// when it was edited, the next delivery is worked out again from the new schedule.
func (h *Handlers) unlessStillDue(ctx context.Context, was baton.Checkin, userID string, after time.Time) {
	key := checkinJobKey(was.TeamID, was.Number, userID)
	c, err := h.checkins.CheckinByID(ctx, was.ID)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "check-in not re-read after scheduling", "job_key", key, "err", err)
		return
	}
	rcp, ok := c.Recipient(userID)
	switch {
	case c.State != baton.CheckinActive || !ok || rcp.Muted():
		h.cancelJob(ctx, key)
	case c.Revision != was.Revision:
		h.scheduleNext(ctx, c, rcp, after)
	}
}

// scheduleAll queues the next delivery of every recipient who has not muted the check-in.
func (h *Handlers) scheduleAll(ctx context.Context, c baton.Checkin) []recipientPlan {
	var plans []recipientPlan
	var jobs []scheduler.Job
	for _, rcp := range c.Recipients {
		if rcp.Muted() {
			continue
		}
		p := recipientPerson(rcp)
		cal, err := h.calendar(ctx, c.TeamID, p)
		if err != nil {
			h.logger(ctx).ErrorContext(ctx, "check-in not scheduled", "checkin", c.Ref(), "user_id", rcp.UserID, "err", err)
			continue
		}
		next, ok := c.Schedule.Next(h.now(), cal)
		plans = append(plans, recipientPlan{person: p, next: next, ok: ok})
		if ok {
			jobs = append(jobs, deliveryJob(c, rcp.UserID, next))
		}
	}
	h.enqueueCheckin(ctx, c, jobs)
	return plans
}

// cancelAll removes every recipient's waiting delivery.
func (h *Handlers) cancelAll(ctx context.Context, c baton.Checkin) {
	if h.sched == nil {
		return
	}
	for _, rcp := range c.Recipients {
		h.cancelJob(ctx, checkinJobKey(c.TeamID, c.Number, rcp.UserID))
	}
}

// recipientPerson is a recipient as the calendar needs them: their ID and stored time zone.
func recipientPerson(rcp baton.CheckinRecipient) Person {
	loc, err := time.LoadLocation(rcp.TZ)
	if err != nil {
		loc = time.UTC
	}
	return Person{ID: rcp.UserID, Loc: loc}
}

// onCheckinSnoozeEnd posts a snoozed delivery again when its snooze ends, once.
func (h *Handlers) onCheckinSnoozeEnd(ctx context.Context, j scheduler.Job) error {
	var p snoozeJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	c, d, ok, err := h.jobDelivery(ctx, p.Delivery)
	if !ok {
		return err
	}
	d, claim, err := h.deliveries.ClaimSnoozed(ctx, d.ID, p.Until, h.now(), postLease(ctx))
	switch {
	case err != nil:
		return err
	case claim == baton.PostHeld:
		return errPostHeld
	case !claim.Owed():
		return nil
	}
	return h.postDelivery(ctx, c, checkinPost{d: d, kind: postSnoozed, at: p.Until}, claim)
}

// snoozeJob is the payload of the job that ends a snooze.
type snoozeJob struct {
	Delivery int64     `json:"d"`
	Until    time.Time `json:"u"`
}
