package handlers

import (
	"context"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

func (h *Handlers) quickTask(ctx context.Context, r *bot.Request, cmd baton.TaskCommand) {
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	owner, err := h.people.Resolve(ctx, cmd.Owner)
	if err == nil {
		owner, err = h.people.Owner(ctx, owner.ID)
	}
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	var due baton.Due
	if cmd.HasDue {
		if due, err = baton.ParseDueWord(cmd.DueWord, me.Loc, h.now()); err != nil {
			h.fail(ctx, r, err)
			return
		}
	}
	var (
		goal   baton.KeyResult
		weight float64
	)
	if cmd.HasKR {
		if cmd.KRWord == "" {
			h.fail(ctx, r, baton.Errorf(baton.EInvalid, "Say which key result the task serves, like `kr:KR-7`, or leave `kr:` out."))
			return
		}
		if goal, weight, err = h.resolveGoal(ctx, r.TeamID, cmd.KRWord); err != nil {
			h.fail(ctx, r, err)
			return
		}
	}
	t, ev, err := baton.NewTask(r.TeamID, me.ID, owner.ID, cmd.Title, "", due, h.now())
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	t.ChannelID = r.ChannelID
	t.KRID, t.KRWeight = goal.ID, weight
	created, notice, err := h.createTask(ctx, t, ev)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, createdText(created, notice))
}

// createdText confirms a task made with /task to the person who made it; notice says when its card
// will appear, when that is later than usual.
func createdText(t baton.Task, notice md.Text) md.Text {
	return md.F(":white_check_mark: Created %s *%s* for %s.%s", t.Ref(), md.Esc(t.Title), md.Mention(t.OwnerID), notice)
}

// createdFromFormText confirms a task made with the New task form, when its card needs a word.
func createdFromFormText(t baton.Task, notice md.Text) md.Text {
	return md.F(":white_check_mark: Created %s *%s*.%s", t.Ref(), md.Esc(t.Title), notice)
}

func (h *Handlers) onMessageShortcut(ctx context.Context, r *bot.Request) {
	msg := r.Interaction.Message
	text := baton.UnescapeSlack(msg.Text)
	title, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	meta := modalMeta{ChannelID: r.ChannelID, SourceCh: r.ChannelID, SourceTS: msg.Timestamp}
	h.openModal(ctx, r, newTaskModal(title, text, r.ChannelID, meta))
}

// onNewTaskSubmit validates the New task form before Slack closes it, so mistakes show under the field.
func (h *Handlers) onNewTaskSubmit(ctx context.Context, r *bot.Request) any {
	view := r.Interaction.View
	meta, err := decodeMeta(view.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fTitle: baton.ErrorMessage(err)})
	}
	v := formValues(view.State)
	errs := map[string]string{}
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	if err := baton.ValidateTitle(v.text(fTitle)); err != nil {
		errs[fTitle] = baton.ErrorMessage(err)
	}
	owner := v.user(fOwner)
	if owner == "" {
		errs[fOwner] = "Choose who owns the task."
	} else if resp := h.checkOwnerField(ctx, r, owner, errs); resp != nil {
		return resp
	}
	due, err := baton.NewDue(v.date(fDueDate), v.clock(fDueTime), me.Loc, h.now())
	if err != nil {
		errs[h.dueField(v, me.Loc)] = baton.ErrorMessage(err)
	}
	goal, weight, err := h.resolveGoal(ctx, r.TeamID, v.text(fTaskGoal))
	if err != nil {
		if baton.ErrorMessage(err) == "" {
			return h.submitFailure(ctx, r, err, fTaskGoal)
		}
		errs[fTaskGoal] = baton.ErrorMessage(err)
	}
	channel := v.conversation(fChannel)
	if channel == "" {
		channel = meta.ChannelID
	}
	if channel == "" {
		errs[fChannel] = "Choose the channel where the card should live."
	}
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	t, ev, err := baton.NewTask(r.TeamID, me.ID, owner, v.text(fTitle), v.text(fDescription), due, h.now())
	if err != nil {
		return fieldErrors(map[string]string{fDescription: baton.ErrorMessage(err)})
	}
	t.ChannelID = channel
	t.KRID, t.KRWeight = goal.ID, weight
	t.SourceChannelID, t.SourceTS = meta.SourceCh, meta.SourceTS
	stored, err := h.tasks.CreateTask(ctx, t, ev)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	h.announced(stored)
	h.background(ctx, func(ctx context.Context) {
		if notice := h.afterCreate(ctx, stored); notice != "" {
			h.dm(ctx, me.ID, msgText(createdFromFormText(stored, notice)))
		}
	})
	return nil
}

// dueField is the form field a due date error belongs under: the time when the day itself is fine.
func (h *Handlers) dueField(v formState, loc *time.Location) string {
	if v.date(fDueDate) == "" {
		return fDueDate
	}
	if _, err := baton.NewDue(v.date(fDueDate), "", loc, h.now()); err == nil {
		return fDueTime
	}
	return fDueDate
}

// createTask stores the task with the messages it owes (its card, the owner's DM) and starts sending
// them. The notice says when the card will appear, when its channel makes it wait.
func (h *Handlers) createTask(ctx context.Context, t baton.Task, ev baton.TaskEvent) (baton.Task, md.Text, error) {
	stored, err := h.tasks.CreateTask(ctx, t, ev)
	if err != nil {
		return baton.Task{}, "", err
	}
	h.announced(stored)
	return stored, h.afterCreate(ctx, stored), nil
}

// afterCreate refreshes both dashboards of a new task, and returns what the person who made it should
// hear about its card.
func (h *Handlers) afterCreate(ctx context.Context, t baton.Task) md.Text {
	h.homes.Refresh(t.TeamID, t.OwnerID, t.DelegatorID)
	if wait := h.cardWait(ctx, t); wait > 0 {
		return lateCardNotice(t, wait)
	}
	return ""
}
