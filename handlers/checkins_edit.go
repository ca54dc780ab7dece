package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// editableCheckin reads a check-in someone wants to edit and checks that they may, and that it
// has not ended.
func (h *Handlers) editableCheckin(ctx context.Context, r *bot.Request, number int64) (baton.Checkin, Person, error) {
	c, me, err := h.checkinAndActor(ctx, r, number)
	if err != nil {
		return c, me, err
	}
	if !c.ManagedBy(me.ID, me.IsAdmin) {
		return c, me, baton.Errorf(baton.EForbidden, "Only %s, who set up check-in %s, or a workspace admin can edit it.", md.Mention(c.SenderID), c.Ref())
	}
	if c.State == baton.CheckinCancelled || c.State == baton.CheckinFinished {
		return c, me, baton.Errorf(baton.EInvalid, "Check-in %s is %s, so there is nothing to edit. Set up a new one with `/checkin`.", c.Ref(), stateWords(c.State))
	}
	return c, me, nil
}

// openCheckinEdit opens the check-in form filled in with what the check-in asks now.
func (h *Handlers) openCheckinEdit(ctx context.Context, r *bot.Request, number int64) {
	c, me, err := h.editableCheckin(ctx, r, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.openModal(ctx, r, checkinEditModal(c, me.Loc))
}

// onCheckinEditButton opens the Edit form from a check-in's summary.
func (h *Handlers) onCheckinEditButton(ctx context.Context, r *bot.Request) {
	n, err := strconv.ParseInt(r.Action.Value, 10, 64)
	if err != nil || n <= 0 {
		h.fail(ctx, r, baton.Errorf(baton.EInvalid, "That button is out of date. Use `/checkin edit C-5` with the check-in's ID."))
		return
	}
	h.openCheckinEdit(ctx, r, n)
}

// onCheckinEditSubmit validates the Edit form like a new one, saves the edit unless the check-in
// changed meanwhile, moves the waiting deliveries to the new schedule and confirms in the sender's DM.
func (h *Handlers) onCheckinEditSubmit(ctx context.Context, r *bot.Request) any {
	var meta editMeta
	if err := json.Unmarshal([]byte(r.Interaction.View.PrivateMetadata), &meta); err != nil || meta.Number <= 0 {
		return h.submitFailure(ctx, r, fmt.Errorf("check-in edit form: bad metadata %q: %w", r.Interaction.View.PrivateMetadata, err), fCkRecipients)
	}
	old, me, err := h.editableCheckin(ctx, r, meta.Number)
	if err != nil {
		return h.submitFailure(ctx, r, err, fCkRecipients)
	}
	d, resp := h.checkinDraftFromForm(ctx, r, me)
	if resp != nil {
		return resp
	}
	if old.State == baton.CheckinActive {
		if _, err := h.planCheckin(ctx, r.TeamID, d.schedule, d.recipients); err != nil {
			return h.submitFailure(ctx, r, err, fCkTime)
		}
	}
	edit := old
	edit.Revision = meta.Revision
	d.apply(&edit)
	c, err := h.checkins.UpdateCheckin(ctx, edit, h.now())
	if err != nil {
		return h.submitFailure(ctx, r, err, fCkRecipients)
	}
	// The edit is saved: the form closes now, and its deliveries move after (hundreds of people take a while).
	h.background(ctx, func(ctx context.Context) {
		var plans []recipientPlan
		if c.State == baton.CheckinActive {
			h.cancelRemoved(ctx, old, c)
			plans = h.scheduleAll(ctx, c)
		}
		if c.RemindAfter != old.RemindAfter {
			h.rescheduleReminders(ctx, c)
		}
		h.homes.Refresh(c.TeamID, c.SenderID)
		h.dm(ctx, me.ID, msgText(checkinConfirmText(c)), slack.MsgOptionBlocks(checkinEditedBlocks(c, plans)...))
	})
	return nil
}

// cancelRemoved cancels the waiting deliveries of the people an edit took off a check-in.
func (h *Handlers) cancelRemoved(ctx context.Context, old, now baton.Checkin) {
	if h.sched == nil {
		return
	}
	for _, rcp := range old.Recipients {
		if _, still := now.Recipient(rcp.UserID); !still {
			h.cancelJob(ctx, checkinJobKey(old.TeamID, old.Number, rcp.UserID))
		}
	}
}
