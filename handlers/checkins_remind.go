package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/scheduler"
)

// remindJob is the payload of the job that reminds a recipient of an unseen delivery.
type remindJob struct {
	Delivery int64 `json:"d"`
}

// scheduleReminder queues the one reminder of a delivery just posted, for when it has stayed unseen
// for the check-in's RemindAfter, moved to the recipient's next working moment.
func (h *Handlers) scheduleReminder(ctx context.Context, c baton.Checkin, d baton.CheckinDelivery) {
	if h.sched == nil || c.RemindAfter <= 0 || !d.RemindedAt.IsZero() {
		return
	}
	rcp, _ := c.Recipient(d.RecipientID)
	cal, err := h.calendar(ctx, c.TeamID, recipientPerson(rcp))
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "check-in reminder not scheduled", "checkin", c.Ref(), "user_id", d.RecipientID, "err", err)
		return
	}
	payload, _ := json.Marshal(remindJob{Delivery: d.ID})
	job := scheduler.Job{Kind: jobCheckinRemind, Key: reminderJobKey(c.TeamID, c.Number, d.RecipientID, d.ID), TeamID: c.TeamID,
		Payload: payload, DueAt: cal.NextWorkingMoment(d.DeliveredAt.Add(c.RemindAfter))}
	if err := h.sched.EnqueueMany(ctx, []scheduler.Job{job}); err != nil {
		h.logger(ctx).ErrorContext(ctx, "check-in reminder not scheduled", "checkin", c.Ref(), "user_id", d.RecipientID, "err", err)
	}
}

// rescheduleReminders moves the waiting reminders of a check-in's latest deliveries after an edit
// changed its reminder delay: to the new time, or away when it no longer reminds.
func (h *Handlers) rescheduleReminders(ctx context.Context, c baton.Checkin) {
	if h.sched == nil {
		return
	}
	latest, err := h.checkins.LatestDeliveries(ctx, []int64{c.ID})
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "check-in reminders not moved", "checkin", c.Ref(), "err", err)
		return
	}
	for _, d := range latest[c.ID] {
		switch {
		case d.State != baton.DeliveryDelivered || !d.RemindedAt.IsZero():
		case c.RemindAfter > 0:
			h.scheduleReminder(ctx, c, d)
		default:
			h.cancelJob(ctx, reminderJobKey(c.TeamID, c.Number, d.RecipientID, d.ID))
		}
	}
}

// onCheckinRemind posts the one reminder of a delivery that is still unseen, unless the world moved
// on: the check-in was paused, cancelled or muted, the recipient was taken off it, or a newer
// delivery has replaced this one.
func (h *Handlers) onCheckinRemind(ctx context.Context, j scheduler.Job) error {
	var p remindJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	c, d, ok, err := h.jobDelivery(ctx, p.Delivery)
	if !ok || d.State != baton.DeliveryDelivered || c.RemindAfter <= 0 {
		return err
	}
	if d.DeliveredAt.Add(c.RemindAfter).After(h.now()) {
		h.scheduleReminder(ctx, c, d) // an edit made the delay longer
		return nil
	}
	latest, err := h.checkins.LatestDeliveries(ctx, []int64{c.ID})
	if err != nil {
		return err
	}
	for _, l := range latest[c.ID] {
		if l.RecipientID == d.RecipientID && l.ID != d.ID {
			return nil
		}
	}
	d, claim, err := h.deliveries.ClaimReminder(ctx, d.ID, h.now(), postLease(ctx))
	switch {
	case err != nil:
		return err
	case claim == baton.PostHeld:
		return errPostHeld
	case !claim.Owed():
		return nil
	}
	post := checkinPost{d: d, kind: postReminder, at: d.DeliveredAt}
	ch, ts, posted, err := h.postClaimed(ctx, c, post, claim, "Reminder — "+deliveryText(c), deliveryBlocks(c, d, true), h.deliveries.ReleaseReminder)
	if !posted {
		return err
	}
	if err := h.deliveries.RecordReminder(ctx, d.ID, ch, ts); err != nil {
		return err
	}
	h.homes.Refresh(c.TeamID, c.SenderID)
	return nil
}
