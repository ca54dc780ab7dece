package handlers

import (
	"context"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

// change applies a domain change to a task under a row lock, refusing anyone who may not act on it.
func (h *Handlers) change(ctx context.Context, teamID string, number int64, actor Person,
	fn func(t *baton.Task) (baton.TaskEvent, error)) (baton.Task, baton.TaskEvent, baton.Task, error) {
	var before baton.Task
	after, ev, err := h.tasks.UpdateTask(ctx, teamID, number, func(t *baton.Task) (baton.TaskEvent, error) {
		if !t.CanAct(actor.ID, actor.IsAdmin) {
			return baton.TaskEvent{}, t.ForbiddenError()
		}
		before = *t
		return fn(t)
	})
	return after, ev, before, err
}

// loadForActor loads a task and checks that the person may change it, before a form is shown to them.
func (h *Handlers) loadForActor(ctx context.Context, r *bot.Request, number int64) (baton.Task, Person, error) {
	me, err := h.actor(ctx, r)
	if err != nil {
		return baton.Task{}, me, err
	}
	t, err := h.tasks.Task(ctx, r.TeamID, number)
	if err != nil {
		return t, me, err
	}
	if !t.CanAct(me.ID, me.IsAdmin) {
		return t, me, t.ForbiddenError()
	}
	return t, me, nil
}

// onStatusSelect moves a task to the status picked on its card or on a dashboard; a dashboard that
// showed the task otherwise than it stands is refused and redrawn.
func (h *Handlers) onStatusSelect(ctx context.Context, r *bot.Request) {
	number, to, stamp, err := parseStatusValue(r.Action.SelectedOption.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if to == baton.StatusBlocked {
		t, _, err := h.loadForActor(ctx, r, number)
		if err == nil {
			err = checkStamp(t, stamp)
		}
		if err == nil {
			err = baton.CheckTransition(t.Status, to)
		}
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		h.openModal(ctx, r, blockedModal(t))
		return
	}
	// The change itself checks, under the task's lock, that this person may make it.
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	after, ev, before, err := h.change(ctx, r.TeamID, number, me, func(t *baton.Task) (baton.TaskEvent, error) {
		if err := checkStamp(*t, stamp); err != nil {
			return baton.TaskEvent{}, err
		}
		return t.ChangeStatus(me.ID, to, "", h.now())
	})
	if err != nil {
		h.failOnCard(ctx, r, err, number)
		return
	}
	h.afterChange(ctx, before, after, ev)
	h.refreshPrivateCopy(ctx, r, after)
}

// refreshPrivateCopy redraws the private copy of a card (from /task T-12) that someone acted on:
// Slack cannot update an ephemeral message except through its response_url.
func (h *Handlers) refreshPrivateCopy(ctx context.Context, r *bot.Request, t baton.Task) {
	if r.Interaction == nil || !r.Interaction.Container.IsEphemeral || r.Interaction.ResponseURL == "" {
		return
	}
	if err := h.slack.Respond(ctx, r.Interaction.ResponseURL, slack.MsgOptionReplaceOriginal(r.Interaction.ResponseURL),
		msgText(taskSummary(t)), slack.MsgOptionBlocks(h.cardOf(ctx, t)...)); err != nil {
		h.logger(ctx).WarnContext(ctx, "private copy of the card not refreshed", "task", t.Ref(), "err", err)
	}
}

// onBlockedClosed puts the card's status menu back, and the dashboard's, when someone closes the
// Blocked form without saving: Slack clients keep showing the option they picked until it is redrawn.
func (h *Handlers) onBlockedClosed(ctx context.Context, r *bot.Request) {
	meta, err := decodeMeta(r.Interaction.View.PrivateMetadata)
	if err != nil || meta.Number == 0 {
		return
	}
	if t, err := h.tasks.Task(ctx, r.TeamID, meta.Number); err == nil {
		h.updateCard(ctx, t)
	}
	h.homes.kick(homeKey{r.TeamID, r.UserID}, 0) // the dashboard's menu too, when the form came from there
}

// failOnCard reports a refused change; when the card someone clicked is out of date, it is refreshed too.
func (h *Handlers) failOnCard(ctx context.Context, r *bot.Request, err error, number int64) {
	if code := baton.ErrorCode(err); code == baton.EConflict || code == baton.EInvalid {
		if t, lerr := h.tasks.Task(ctx, r.TeamID, number); lerr == nil {
			h.updateCard(ctx, t)
			h.refreshPrivateCopy(ctx, r, t)
		}
	}
	h.fail(ctx, r, err)
}

// onOpenChangeModal opens one of the task's change forms, after checking the person may use it and,
// from a dashboard, that it showed the task as it stands.
func (h *Handlers) onOpenChangeModal(build func(baton.Task) slack.ModalViewRequest) bot.Handler {
	return func(ctx context.Context, r *bot.Request) {
		number, stamp, err := parseTaskValue(r.Action.Value)
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		t, _, err := h.loadForActor(ctx, r, number)
		if err == nil {
			err = checkStamp(t, stamp)
		}
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		h.openModal(ctx, r, build(t))
	}
}

// submitChange is the shared path of every change form: read the task number, apply the change,
// keep the form open with the reason under field when it is refused, and follow up after closing it.
func (h *Handlers) submitChange(ctx context.Context, r *bot.Request, field string,
	fn func(me Person, t *baton.Task) (baton.TaskEvent, error)) any {
	meta, err := decodeMeta(r.Interaction.View.PrivateMetadata)
	if err != nil || meta.Number == 0 {
		return fieldErrors(map[string]string{field: "This form is out of date. Close it and open the task again."})
	}
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, field)
	}
	after, ev, before, err := h.change(ctx, r.TeamID, meta.Number, me, func(t *baton.Task) (baton.TaskEvent, error) {
		return fn(me, t)
	})
	if err != nil {
		return h.submitFailure(ctx, r, err, field)
	}
	h.background(ctx, func(ctx context.Context) { h.afterChange(ctx, before, after, ev) })
	return nil
}

func (h *Handlers) onBlockedSubmit(ctx context.Context, r *bot.Request) any {
	v := formValues(r.Interaction.View.State)
	return h.submitChange(ctx, r, fNote, func(me Person, t *baton.Task) (baton.TaskEvent, error) {
		return t.ChangeStatus(me.ID, baton.StatusBlocked, v.text(fNote), h.now())
	})
}

func (h *Handlers) onLogSubmit(ctx context.Context, r *bot.Request) any {
	v := formValues(r.Interaction.View.State)
	return h.submitChange(ctx, r, fNote, func(me Person, t *baton.Task) (baton.TaskEvent, error) {
		return t.LogUpdate(me.ID, v.text(fNote), h.now())
	})
}

func (h *Handlers) onReassignSubmit(ctx context.Context, r *bot.Request) any {
	v := formValues(r.Interaction.View.State)
	owner := v.user(fOwner)
	if owner == "" {
		return fieldErrors(map[string]string{fOwner: "Choose who should own the task."})
	}
	if _, err := h.people.Owner(ctx, owner); err != nil {
		return h.submitFailure(ctx, r, err, fOwner)
	}
	return h.submitChange(ctx, r, fOwner, func(me Person, t *baton.Task) (baton.TaskEvent, error) {
		return t.Reassign(me.ID, owner, v.text(fNote), h.now())
	})
}

func (h *Handlers) onDueSubmit(ctx context.Context, r *bot.Request) any {
	v := formValues(r.Interaction.View.State)
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fDueDate)
	}
	due, err := baton.NewDue(v.date(fDueDate), v.clock(fDueTime), me.Loc, h.now())
	if err != nil {
		return h.submitFailure(ctx, r, err, h.dueField(v, me.Loc))
	}
	return h.submitChange(ctx, r, fDueDate, func(me Person, t *baton.Task) (baton.TaskEvent, error) {
		return t.ChangeDue(me.ID, due, v.text(fNote), h.now())
	})
}

// afterChange follows a change with what can be drawn again from what is stored: what the change
// owes (the card redrawn, its thread reply, the people involved, the task's timers) was written with
// it and is being sent; the goal's roll-up moves and the dashboards of everyone involved are
// refreshed.
func (h *Handlers) afterChange(ctx context.Context, before, after baton.Task, ev baton.TaskEvent) {
	h.announced(after)
	h.goalMoved(ctx, after, ev)
	h.homes.Refresh(after.TeamID, after.OwnerID, after.DelegatorID, before.OwnerID)
}

// updateCard redraws the task's card in place.
func (h *Handlers) updateCard(ctx context.Context, t baton.Task) {
	if t.CardTS == "" {
		return
	}
	if err := h.slack.UpdateMessage(ctx, t.ChannelID, t.CardTS, msgText(taskSummary(t)),
		slack.MsgOptionBlocks(h.cardOf(ctx, t)...)); err != nil {
		h.logger(ctx).ErrorContext(ctx, "card not updated", "task", t.Ref(), "err", err)
	}
}

// onAskUpdate asks a task's owner how it stands, for its delegator (or an admin): one direct message,
// at most once a day per task, said in the card's thread too.
func (h *Handlers) onAskUpdate(ctx context.Context, r *bot.Request) {
	number, stamp, err := parseTaskValue(r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	after, _, _, err := h.change(ctx, r.TeamID, number, me, func(t *baton.Task) (baton.TaskEvent, error) {
		if err := checkStamp(*t, stamp); err != nil {
			return baton.TaskEvent{}, err
		}
		return t.AskForUpdate(me.ID, h.now())
	})
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.announced(after)
	h.homes.Refresh(after.TeamID, me.ID)
	h.reply(ctx, r, askedText(after))
}
