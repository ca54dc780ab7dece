package handlers

import (
	"context"
	"fmt"

	"github.com/batonhq/baton/scheduler"
)

// Baton's timers are scheduler jobs. A job's kind names the handler that runs it when it is due; its
// key names the one job of that kind for one thing, so enqueueing a key again moves its job instead of
// adding a second. Every kind and every key is built here, and nowhere else.
const (
	jobCheckpoint      = "task.checkpoint"      // a task's reminders before its due date, and the overdue signal
	jobStale           = "task.stale"           // a task whose status sat still: nudge the owner
	jobStaleDelegator  = "task.stale_delegator" // still still: tell the delegator
	jobDigest          = "digest.send"          // a person's daily digest
	jobKRCheckin       = "okr.checkin"          // a metric key result not updated for a while
	jobDecisionRemind  = "decision.remind"      // a flag not acknowledged: remind once
	jobRequestRemind   = "request.remind"       // an approval step waiting too long: remind its approvers
	jobRequestEscalate = "request.escalate"     // …and then add its escalation approvers
	jobCheckinDeliver  = "checkin.deliver"      // a check-in's next DM to one recipient
	jobCheckinSnooze   = "checkin.snooze"       // a snoozed delivery comes back
	jobCheckinRemind   = "checkin.remind"       // a delivery left unseen: remind once
)

// taskJobKey names one timer (name: a checkpoint, "stale", "stale-delegator") of task T-number.
func taskJobKey(teamID string, number int64, name string) string {
	return fmt.Sprintf("task:%s:%d:%s", teamID, number, name)
}

// digestJobKey names a person's next digest.
func digestJobKey(teamID, userID string) string { return "digest:" + teamID + ":" + userID }

// krJobKey names the update reminder of key result KR-number.
func krJobKey(teamID string, number int64) string {
	return fmt.Sprintf("kr:%s:%d:checkin", teamID, number)
}

// flagJobKey names the reminder of one flag of decision D-number.
func flagJobKey(teamID string, number, flagID int64) string {
	return fmt.Sprintf("decision:%s:%d:flag:%d", teamID, number, flagID)
}

// stepJobKey names the one reminder or escalation (what) of a step of request R-number.
func stepJobKey(teamID string, number int64, step int, what string) string {
	return fmt.Sprintf("request:%s:%d:%d:%s", teamID, number, step, what)
}

// checkinJobKey names the job that delivers check-in C-number to one recipient.
func checkinJobKey(teamID string, number int64, userID string) string {
	return fmt.Sprintf("checkin:%s:%d:%s", teamID, number, userID)
}

// snoozeJobKey names the job that brings one snoozed delivery back.
func snoozeJobKey(teamID string, number int64, userID string, deliveryID int64) string {
	return fmt.Sprintf("checkin:%s:%d:%s:snooze:%d", teamID, number, userID, deliveryID)
}

// reminderJobKey names the job that reminds a recipient of one unseen delivery.
func reminderJobKey(teamID string, number int64, userID string, deliveryID int64) string {
	return fmt.Sprintf("checkin:%s:%d:%s:remind:%d", teamID, number, userID, deliveryID)
}

// tracked counts a job's run as work in flight, so shutdown (and Wait) lets it finish.
func (h *Handlers) tracked(fn scheduler.HandlerFunc) scheduler.HandlerFunc {
	return func(ctx context.Context, j scheduler.Job) error {
		h.inflight.Add()
		defer h.inflight.Done()
		return fn(ctx, j)
	}
}

func (h *Handlers) enqueue(ctx context.Context, jobs ...scheduler.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	return h.sched.EnqueueMany(ctx, jobs)
}

// cancelJob cancels the job with this key; one that cannot be cancelled is logged, and finds nothing
// to do when it fires.
func (h *Handlers) cancelJob(ctx context.Context, key string) {
	if _, err := h.sched.Cancel(ctx, key); err != nil {
		h.logger(ctx).WarnContext(ctx, "timer not cancelled", "job_key", key, "err", err)
	}
}
