package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// krReminderJob is the payload of a key result reminder. CheckedAt is the key result's last update
// when the job was planned: a job whose key result has been updated since does nothing.
type krReminderJob struct {
	Number    int64     `json:"n"`
	CheckedAt time.Time `json:"c"`
	Deferred  bool      `json:"w,omitempty"`
}

func (h *Handlers) registerOKRReminders(s Scheduler) {
	s.Handle(jobKRCheckin, h.tracked(h.onKRReminder))
}

func krJob(k baton.KeyResult, at time.Time, p krReminderJob) scheduler.Job {
	payload, _ := json.Marshal(p)
	return scheduler.Job{Kind: jobKRCheckin, Key: krJobKey(k.TeamID, k.Number), TeamID: k.TeamID, Payload: payload, DueAt: at}
}

// okrReminderDays is the workspace's check-in interval; the default when it cannot be read.
func (h *Handlers) okrReminderDays(ctx context.Context, teamID string) int {
	days, err := h.keyResults.OKRReminderDays(ctx, teamID)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "key result reminder days unknown; using the default", "err", err)
		return baton.DefaultOKRReminderDays
	}
	return days
}

// watchKR plans the reminder of a metric key result from its last update. Roll-ups move with their
// tasks and are never reminded.
func (h *Handlers) watchKR(ctx context.Context, k baton.KeyResult) {
	if h.sched == nil || k.Kind != baton.KRMetric {
		return
	}
	at := baton.CheckInDue(k.CheckedAt, h.okrReminderDays(ctx, k.TeamID))
	if err := h.sched.EnqueueMany(ctx, []scheduler.Job{krJob(k, at, krReminderJob{Number: k.Number, CheckedAt: k.CheckedAt})}); err != nil {
		h.logger(ctx).ErrorContext(ctx, "key result reminder not scheduled", "kr", k.Ref(), "err", err)
	}
}

// onKRReminder reminds the owner of a key result still not updated, in their working hours, with an
// Update button; then plans the next reminder. A key result updated since does nothing.
func (h *Handlers) onKRReminder(ctx context.Context, j scheduler.Job) error {
	var p krReminderJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	k, err := h.keyResults.KeyResult(ctx, j.TeamID, p.Number)
	if baton.ErrorCode(err) == baton.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if k.Kind != baton.KRMetric || !k.CheckedAt.Equal(p.CheckedAt) {
		return nil
	}
	objective, err := h.objectives.ObjectiveChain(ctx, k.ObjectiveID)
	if err != nil {
		return err
	}
	if len(objective) == 0 || objective[0].Status != baton.ObjectiveActive {
		return nil
	}
	now := h.now()
	days := h.okrReminderDays(ctx, k.TeamID)
	if due := baton.CheckInDue(k.CheckedAt, days); now.Before(due) {
		return h.sched.EnqueueMany(ctx, []scheduler.Job{krJob(k, due, krReminderJob{Number: k.Number, CheckedAt: k.CheckedAt})})
	}
	cal, err := h.calendarOf(ctx, k.TeamID, k.OwnerID)
	if err != nil {
		return err
	}
	if next := cal.NextWorkingMoment(now); !p.Deferred && next.After(now) {
		p.Deferred = true
		return h.sched.EnqueueMany(ctx, []scheduler.Job{krJob(k, next, p)})
	}
	stale := int(now.Sub(k.CheckedAt) / (24 * time.Hour))
	blocks := krReminderBlocks(k, stale)
	h.dm(ctx, k.OwnerID, msgText(krReminderText(k, stale)),
		slack.MsgOptionBlocks(blocks...))
	next := now.Add(time.Duration(days) * 24 * time.Hour)
	return h.sched.EnqueueMany(ctx, []scheduler.Job{krJob(k, next, krReminderJob{Number: k.Number, CheckedAt: k.CheckedAt})})
}

// onKRUpdateButton opens the check-in form of a key result for someone who may update it.
func (h *Handlers) onKRUpdateButton(ctx context.Context, r *bot.Request) {
	number, err := strconv.ParseInt(r.Action.Value, 10, 64)
	if err != nil || number <= 0 {
		h.fail(ctx, r, baton.Errorf(baton.EInvalid, "That button is out of date. Open the key result with `/okr`."))
		return
	}
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	k, err := h.keyResults.KeyResult(ctx, r.TeamID, number)
	if err == nil {
		err = h.mayCheckIn(ctx, me, k)
	}
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.openModal(ctx, r, krCheckinModal(k))
}

// onKRCheckinSubmit records the value from the check-in form; a value that is not a number stays in
// the form with the reason under it.
func (h *Handlers) onKRCheckinSubmit(ctx context.Context, r *bot.Request) any {
	meta, err := decodeMeta(r.Interaction.View.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fValue: baton.ErrorMessage(err)})
	}
	v := formValues(r.Interaction.View.State)
	value, err := baton.ParseOKRNumber(v.text(fValue))
	if err != nil {
		return fieldErrors(map[string]string{fValue: baton.ErrorMessage(err)})
	}
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fValue)
	}
	before, after, err := h.checkInKR(ctx, r.TeamID, me, meta.Number, value, v.text(fComment))
	if err != nil {
		return h.submitFailure(ctx, r, err, fValue)
	}
	h.background(ctx, func(ctx context.Context) {
		h.dm(ctx, me.ID, msgText(checkedInText(before, after)))
	})
	return nil
}

// okrReminderCommand sets how many days a key result may go without a check-in (admins).
func (h *Handlers) okrReminderCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change when key result owners are reminded.")
	}
	days, err := baton.ParseOKRReminderDays(text)
	if err != nil {
		return err
	}
	if err := h.keyResults.SetOKRReminderDays(ctx, r.TeamID, days, me.ID); err != nil {
		return err
	}
	h.reply(ctx, r, md.F(":dart: Owners of key results not updated for %s get a reminder, in their working hours.", plural(days, "day")))
	return nil
}
