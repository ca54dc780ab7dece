package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// staleAfterWorkingDays is how long a task's status may sit still before its owner is nudged.
const staleAfterWorkingDays = 3

// checkpointJob is the payload of a deadline checkpoint. Due and StatusAt say what the world looked
// like when the job was scheduled: a job whose task has moved on does nothing.
type checkpointJob struct {
	Number   int64         `json:"n"`
	Name     string        `json:"c,omitempty"`
	Before   time.Duration `json:"b,omitempty"`
	Due      string        `json:"d,omitempty"`
	StatusAt time.Time     `json:"s,omitempty"`
	Deferred bool          `json:"w,omitempty"`
}

func (h *Handlers) registerDeadlines(s Scheduler) {
	s.Handle(jobCheckpoint, h.tracked(h.onCheckpoint))
	s.Handle(jobStale, h.tracked(h.onStale))
	s.Handle(jobStaleDelegator, h.tracked(h.onStaleDelegator))
	s.Handle(jobDigest, h.tracked(h.onDigest))
}

// watch keeps a task's timers in step with a change: deadline checkpoints follow the due date and
// whether the task is done; the stale nudge follows its status. It runs from the outbox, so a change
// committed is never left without its timers.
func (h *Handlers) watch(ctx context.Context, t baton.Task, ev baton.TaskEvent) error {
	if h.sched == nil {
		return nil
	}
	var errs []error
	done := string(baton.StatusDone)
	// A task without a due date has no checkpoints (they were cancelled when its date was cleared),
	// and a new task has none to cancel.
	switch {
	case ev.Kind == baton.EventCreated && t.Due.Set():
		errs = append(errs, h.watchDeadline(ctx, t, false))
	case ev.Kind == baton.EventDue || (ev.Kind == baton.EventStatus && t.Due.Set() && (ev.From == done || ev.To == done)):
		errs = append(errs, h.watchDeadline(ctx, t, true))
	}
	// A move between open statuses leaves the stale nudge where it is: when it comes due, it sees the
	// status moved since and puts itself off (onStale). Every other change that concerns it sets it.
	moved := ev.Kind == baton.EventStatus && ev.From != done && ev.To != done
	if ev.Kind == baton.EventCreated || ev.Kind == baton.EventReassigned || (ev.Kind == baton.EventStatus && !moved) {
		errs = append(errs, h.watchStale(ctx, t))
	}
	return errors.Join(errs...)
}

// reminderOffsets are how long before a deadline this workspace reminds owners.
func (h *Handlers) reminderOffsets(ctx context.Context, teamID string) []time.Duration {
	offsets, err := h.calendars.ReminderOffsets(ctx, teamID)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "workspace reminders unknown; using the defaults", "err", err)
		return baton.DefaultReminderOffsets
	}
	return offsets
}

// watchDeadline schedules a task's deadline checkpoints still ahead of it and, when replacing is
// set, cancels those it had that are no longer wanted.
func (h *Handlers) watchDeadline(ctx context.Context, t baton.Task, replacing bool) error {
	offsets := h.reminderOffsets(ctx, t.TeamID)
	wanted := map[string]bool{}
	var jobs []scheduler.Job
	for _, cp := range t.DeadlineCheckpoints(offsets, h.now()) {
		wanted[cp.Name] = true
		jobs = append(jobs, h.job(jobCheckpoint, t, cp.Name, cp.At, checkpointJob{Number: t.Number, Name: cp.Name, Before: cp.Before, Due: t.Due.String()}))
	}
	for _, name := range baton.CheckpointNames(append(offsets, baton.DefaultReminderOffsets...)) {
		if replacing && !wanted[name] {
			h.cancelJob(ctx, taskJobKey(t.TeamID, t.Number, name))
		}
	}
	return h.enqueue(ctx, jobs...)
}

// watchStale schedules the nudge for a task whose status does not move for a few working days.
func (h *Handlers) watchStale(ctx context.Context, t baton.Task) error {
	if !t.Status.Open() {
		h.cancelJob(ctx, taskJobKey(t.TeamID, t.Number, "stale"))
		return nil
	}
	job, err := h.staleJob(ctx, t)
	if err != nil {
		return err
	}
	return h.enqueue(ctx, job)
}

// staleJob is the nudge due a few of its owner's working days after the task's status last moved.
func (h *Handlers) staleJob(ctx context.Context, t baton.Task) (scheduler.Job, error) {
	cal, err := h.calendarOf(ctx, t.TeamID, t.OwnerID)
	if err != nil {
		return scheduler.Job{}, err
	}
	at := cal.AddWorkingDays(t.StatusChangedAt, staleAfterWorkingDays)
	return h.job(jobStale, t, "stale", at, checkpointJob{Number: t.Number, StatusAt: t.StatusChangedAt}), nil
}

func (h *Handlers) job(kind string, t baton.Task, name string, at time.Time, p checkpointJob) scheduler.Job {
	payload, _ := json.Marshal(p)
	return scheduler.Job{Kind: kind, Key: taskJobKey(t.TeamID, t.Number, name), TeamID: t.TeamID, Payload: payload, DueAt: at}
}

// loadJobTask reads the task a job is about; a task that no longer exists ends the job quietly.
func (h *Handlers) loadJobTask(ctx context.Context, j scheduler.Job) (baton.Task, checkpointJob, bool, error) {
	var p checkpointJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return baton.Task{}, p, false, fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	t, err := h.tasks.Task(ctx, j.TeamID, p.Number)
	if baton.ErrorCode(err) == baton.ENotFound {
		return t, p, false, nil
	}
	return t, p, err == nil, err
}

// onCheckpoint reminds the owner before the due moment, tells the delegator when the task has not moved
// since the last look, and tells both when it is overdue. A job about a task that moved on does nothing.
func (h *Handlers) onCheckpoint(ctx context.Context, j scheduler.Job) error {
	t, p, ok, err := h.loadJobTask(ctx, j)
	if !ok || err != nil {
		return err
	}
	offsets := h.reminderOffsets(ctx, t.TeamID)
	if !t.Status.Open() || t.Due.String() != p.Due || (p.Before != 0 && !slices.Contains(offsets, p.Before)) {
		return nil
	}
	if p.Before == 0 {
		h.tellEach(ctx, t, baton.OthersThan("", t.OwnerID, t.DelegatorID), overdueText(t))
		h.homes.Refresh(t.TeamID, t.OwnerID, t.DelegatorID)
		return nil
	}
	cal, err := h.calendarOf(ctx, t.TeamID, t.OwnerID)
	if err != nil {
		return err
	}
	now := h.now()
	if next := cal.NextWorkingMoment(now); !p.Deferred && next.After(now) && next.Before(t.Due.At) {
		p.Deferred = true
		return h.sched.EnqueueMany(ctx, []scheduler.Job{h.job(jobCheckpoint, t, p.Name, next, p)})
	}
	h.remindOwner(ctx, t)
	assigned, err := h.assignedAt(ctx, t)
	if err != nil {
		return err
	}
	checkpointAt := t.Due.At.Add(-p.Before)
	if since := t.PreviousCheckpoint(offsets, checkpointAt, assigned); t.Stalled(since) && t.DelegatorID != t.OwnerID {
		h.tell(ctx, t, t.DelegatorID, stalledText(t))
	}
	return nil
}

// remindOwner sends the owner the task with its controls, so one click answers the reminder.
func (h *Handlers) remindOwner(ctx context.Context, t baton.Task) {
	text := reminderText(t)
	h.dm(ctx, t.OwnerID, msgText(text), slack.MsgOptionBlocks(nudgeBlocks("reminder", text, t)...))
}

// overdueText tells the owner and the delegator that a task's due moment has passed.
func overdueText(t baton.Task) md.Text {
	return md.F(":alarm_clock: *%s · %s* is overdue: it was due %s and is still *%s*.",
		t.Ref(), md.Esc(t.Title), dueText(t.Due), t.Status.Label())
}

// stalledText tells the delegator that a task due soon has not moved since the last checkpoint.
func stalledText(t baton.Task) md.Text {
	return md.F(":hourglass_flowing_sand: *%s · %s* is due %s and has been *%s* since %s.",
		t.Ref(), md.Esc(t.Title), dueText(t.Due), t.Status.Label(), md.Date(t.StatusChangedAt, "{date_short_pretty}"))
}

// reminderText reminds the owner of a task's coming due moment.
func reminderText(t baton.Task) md.Text {
	return md.F(":bell: *%s · %s* is due %s. It is *%s* — still on track?", t.Ref(), md.Esc(t.Title), dueText(t.Due), t.Status.Label())
}

// staleText nudges the owner of a task whose status has not moved for a few working days.
func staleText(t baton.Task) md.Text {
	return md.F(":wave: *%s · %s* has been *%s* since %s. Where does it stand?",
		t.Ref(), md.Esc(t.Title), t.Status.Label(), md.Date(t.StatusChangedAt, "{date_short_pretty}"))
}

// nudgeBlocks is a reminder or nudge to a task's owner with the task's controls, so one click answers it.
func nudgeBlocks(blockID string, text md.Text, t baton.Task) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(blockID)),
		taskActions(t),
	}
}

// assignedAt is when the task was last handed to its current owner.
func (h *Handlers) assignedAt(ctx context.Context, t baton.Task) (time.Time, error) {
	events, err := h.tasks.TaskEvents(ctx, t.ID)
	if err != nil {
		return time.Time{}, err
	}
	at := t.CreatedAt
	for _, ev := range events {
		if ev.Kind == baton.EventReassigned && ev.At.After(at) {
			at = ev.At
		}
	}
	return at, nil
}

// onStale nudges the owner of a task whose status has not moved for a few working days, once.
func (h *Handlers) onStale(ctx context.Context, j scheduler.Job) error {
	t, p, ok, err := h.loadJobTask(ctx, j)
	if !ok || err != nil {
		return err
	}
	if !t.Status.Open() {
		return nil
	}
	if !t.StatusChangedAt.Equal(p.StatusAt) {
		// The status moved since this nudge was set: it comes that long after the last move instead.
		next, err := h.staleJob(ctx, t)
		if err != nil {
			return err
		}
		return h.sched.EnqueueMany(ctx, []scheduler.Job{next})
	}
	text := staleText(t)
	h.dm(ctx, t.OwnerID, msgText(text), slack.MsgOptionBlocks(nudgeBlocks("stale", text, t)...))
	cal, err := h.calendarOf(ctx, t.TeamID, t.OwnerID)
	if err != nil {
		return err
	}
	at := cal.AddWorkingDays(h.now(), staleAfterWorkingDays)
	return h.sched.EnqueueMany(ctx, []scheduler.Job{h.job(jobStaleDelegator, t, "stale-delegator", at, p)})
}
