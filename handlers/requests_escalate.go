package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// stepJob is the payload of a step's reminder or escalation. Only, on a reminder, lists the approvers
// it was put off for until their working hours; empty means every approver who has not acted.
type stepJob struct {
	Number int64    `json:"n"`
	Step   int      `json:"s"`
	Only   []string `json:"o,omitempty"`
}

func (h *Handlers) registerEscalation(s Scheduler) {
	s.Handle(jobRequestRemind, h.tracked(h.onRequestRemind))
	s.Handle(jobRequestEscalate, h.tracked(h.onRequestEscalate))
}

func stepJobOf(kind, key, teamID string, at time.Time, p stepJob) scheduler.Job {
	payload, _ := json.Marshal(p)
	return scheduler.Job{Kind: kind, Key: key, TeamID: teamID, Payload: payload, DueAt: at}
}

// watchStep schedules the reminder and the escalation of a step that became current at start.
func (h *Handlers) watchStep(ctx context.Context, req baton.ApprovalRequest, step int, start time.Time) error {
	if h.sched == nil || step >= len(req.Steps) {
		return nil
	}
	s := req.Steps[step]
	p := stepJob{Number: req.Number, Step: step}
	var jobs []scheduler.Job
	if s.RemindAfter > 0 {
		jobs = append(jobs, stepJobOf(jobRequestRemind, stepJobKey(req.TeamID, req.Number, step, "remind"), req.TeamID, start.Add(s.RemindAfter), p))
	}
	if s.EscalateAfter > 0 && len(s.EscalateTo) > 0 {
		jobs = append(jobs, stepJobOf(jobRequestEscalate, stepJobKey(req.TeamID, req.Number, step, "escalate"), req.TeamID, start.Add(s.EscalateAfter), p))
	}
	if len(jobs) == 0 {
		return nil
	}
	return h.sched.EnqueueMany(ctx, jobs)
}

// unwatchStep cancels the timers of a step that was decided, or of a request that ended.
func (h *Handlers) unwatchStep(ctx context.Context, req baton.ApprovalRequest, step int) {
	if h.sched == nil {
		return
	}
	h.cancelJob(ctx, stepJobKey(req.TeamID, req.Number, step, "remind"))
	h.cancelJob(ctx, stepJobKey(req.TeamID, req.Number, step, "escalate"))
}

// loadStepJob reads the request a step job is about, and the step when the request still waits on it.
// A job about a request gone, ended or moved on does nothing.
func (h *Handlers) loadStepJob(ctx context.Context, j scheduler.Job) (baton.ApprovalRequest, baton.ApprovalStep, stepJob, bool, error) {
	var p stepJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return baton.ApprovalRequest{}, baton.ApprovalStep{}, p, false, fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	req, err := h.approvals.Request(ctx, j.TeamID, p.Number)
	if baton.ErrorCode(err) == baton.ENotFound {
		return req, baton.ApprovalStep{}, p, false, nil
	}
	if err != nil {
		return req, baton.ApprovalStep{}, p, false, err
	}
	step, ok := req.Step()
	return req, step, p, ok && step.Index == p.Step, nil
}

// onRequestRemind reminds each approver of a step who has not acted yet, once. An approver outside
// their working hours is reminded at their next working moment instead: the job comes back then for
// those it put off, and checks again that the step still waits.
func (h *Handlers) onRequestRemind(ctx context.Context, j scheduler.Job) error {
	req, step, p, ok, err := h.loadStepJob(ctx, j)
	if !ok || err != nil {
		return err
	}
	now := h.now()
	var nowIDs, later []string
	var laterAt time.Time
	for _, a := range step.Approvers {
		if slices.Contains(step.Approved, a) || (len(p.Only) > 0 && !slices.Contains(p.Only, a)) {
			continue
		}
		person, err := h.people.Get(ctx, a)
		if err != nil {
			return err
		}
		cal, err := h.calendar(ctx, req.TeamID, person)
		if err != nil {
			return err
		}
		next := cal.NextWorkingMoment(now)
		if !next.After(now) {
			nowIDs = append(nowIDs, a)
			continue
		}
		later = append(later, a)
		if laterAt.IsZero() || next.Before(laterAt) {
			laterAt = next
		}
	}
	t := h.requestType(req.Type)
	for _, a := range nowIDs {
		h.dm(ctx, a, msgText(stepReminderText(req, t, step)))
		if err := h.approvals.RecordRequestAction(ctx, baton.ApprovalAction{RequestID: req.ID, Step: step.Index, Actor: baton.ActorBaton,
			Action: baton.ActRemind, Comment: a, At: now}); err != nil {
			h.logger(ctx).ErrorContext(ctx, "reminder sent but not recorded", "request", req.Ref(), "user_id", a, "err", err)
		}
	}
	if len(later) == 0 {
		return nil
	}
	p.Only = later
	return h.sched.EnqueueMany(ctx, []scheduler.Job{stepJobOf(jobRequestRemind, j.Key, req.TeamID, laterAt, p)})
}

// stepReminderText reminds an approver of a step that still waits on them.
func stepReminderText(req baton.ApprovalRequest, t *baton.RequestType, step baton.ApprovalStep) md.Text {
	return md.F(":bell: Reminder: *%s* from %s is still waiting for your approval (%s). Decide from its card, or see it with `/request %s`.",
		requestTitle(req, t), md.Mention(req.RequesterID), step.Label(), req.Ref())
}

// onRequestEscalate adds the step's escalation approvers when it still waits, sends them the card its
// approvers got (they can decide it), and has every card of the step say it was escalated.
func (h *Handlers) onRequestEscalate(ctx context.Context, j scheduler.Job) error {
	_, _, p, ok, err := h.loadStepJob(ctx, j)
	if !ok || err != nil {
		return err
	}
	req, added, err := h.approvals.EscalateRequest(ctx, j.TeamID, p.Number, p.Step, h.now())
	if err != nil || len(added) == 0 {
		return err
	}
	h.announcedRequest(req)
	return nil
}

// escalationLine says who a waiting step was escalated to, and after how long.
func escalationLine(s baton.ApprovalStep) md.Text { return escalationWords(s, "escalated") }

// escalationWords is escalationLine led by verb: "Escalated to <@U1> after 2 days".
func escalationWords(s baton.ApprovalStep, verb string) md.Text {
	if len(s.EscalatedTo) == 0 {
		return ""
	}
	return md.F("%s to %s after %s", verb, mentionList(s.EscalatedTo), baton.DescribeDuration(s.EscalateAfter))
}

// trailActor is who did an action, as the trail shows it: Baton itself for reminders and escalations.
func trailActor(a baton.ApprovalAction) md.Text {
	if a.Actor == baton.ActorBaton || a.Actor == "" {
		return "Baton"
	}
	return md.Mention(a.Actor)
}

// trailPeople is whom Baton reminded, or escalated to, as mentions.
func trailPeople(a baton.ApprovalAction) md.Text {
	if a.Comment == "" {
		return ""
	}
	return mentionList(strings.Split(a.Comment, ","))
}
