package baton

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// An ApprovalChange is one change to an approval request, applied under the request's row lock: it
// changes the request in place and returns the entry it adds to the trail and what it did.
type ApprovalChange func(r *ApprovalRequest) (ApprovalAction, ApprovalOutcome, error)

// SelfApproval says whether requests of a type may be decided by the person who made them.
type SelfApproval func(requestType string) bool

// CheckDecider says whether actor may act on step stepIndex of the request, which is the step their
// card was for: not on their own request unless its type allows it, only while the request is
// pending and waits on that step, and only as one of its approvers.
func (r ApprovalRequest) CheckDecider(stepIndex int, actor string, self SelfApproval) (ApprovalStep, error) {
	if r.RequesterID == actor && (self == nil || !self(r.Type)) {
		return ApprovalStep{}, Errorf(EForbidden, "You can't decide on %s: it's your own request. Nothing changed.", r.Ref())
	}
	step, ok := r.Step()
	if !ok {
		return ApprovalStep{}, Errorf(EConflict, "%s is already %s, so nothing changed.", r.Ref(), r.Status.Words())
	}
	if stepIndex != step.Index && stepIndex >= 0 && stepIndex < len(r.Steps) {
		return ApprovalStep{}, Errorf(EConflict, "%s of %s was already decided, so nothing changed.", r.Steps[stepIndex].Label(), r.Ref())
	}
	if !slices.Contains(step.Approvers, actor) {
		return ApprovalStep{}, Errorf(EForbidden, "You're not an approver of %s of %s, so nothing changed. It waits on %s.", step.Label(), r.Ref(), mentionList(step.Approvers))
	}
	return step, nil
}

// Decide is an approver's action (approve, reject or changes) on the step their card was for. An
// `any` step is decided by its first approval; an `all` step by the last of its approvers, or by one
// approver an escalation added (see StepApproved). A decided last step approves the request; a
// rejection or a request for changes ends it.
func Decide(stepIndex int, actor, action, comment string, self SelfApproval, at time.Time) ApprovalChange {
	return func(r *ApprovalRequest) (ApprovalAction, ApprovalOutcome, error) {
		if action != ActApprove && action != ActReject && action != ActChanges {
			return ApprovalAction{}, ApprovalOutcome{}, fmt.Errorf("decide %s: unknown action %q", r.Ref(), action)
		}
		step, err := r.CheckDecider(stepIndex, actor, self)
		if err != nil {
			return ApprovalAction{}, ApprovalOutcome{}, err
		}
		if slices.Contains(step.Approved, actor) {
			return ApprovalAction{}, ApprovalOutcome{}, Errorf(EConflict, "You already approved %s of %s; it waits on the others.", step.Label(), r.Ref())
		}
		d := ApprovalOutcome{Action: action}
		switch action {
		case ActApprove:
			step.Approved = append(slices.Clone(step.Approved), actor)
			d.StepDone = step.StepApproved()
		case ActReject:
			d.StepDone, d.Finished, r.Status = true, true, ApprovalRejected
		case ActChanges:
			d.StepDone, d.Finished, r.Status = true, true, ApprovalChangesRequested
		}
		if d.StepDone {
			step.Decided = true
			if action == ActApprove {
				if r.CurrentStep+1 < len(r.Steps) {
					r.CurrentStep++
				} else {
					d.Finished, r.Status = true, ApprovalApproved
				}
			}
		}
		if d.Finished {
			r.DecidedAt = at.UTC()
		}
		r.Steps[step.Index] = step
		d.Step = step
		return ApprovalAction{RequestID: r.ID, Step: step.Index, Actor: actor, Action: action, Comment: comment, At: at}, d, nil
	}
}

// Cancel is the requester taking back their request while it is pending.
func Cancel(actor string, at time.Time) ApprovalChange {
	return func(r *ApprovalRequest) (ApprovalAction, ApprovalOutcome, error) {
		if r.RequesterID != actor {
			return ApprovalAction{}, ApprovalOutcome{}, Errorf(EForbidden, "Only %s, who made %s, can cancel it.", "<@"+r.RequesterID+">", r.Ref())
		}
		if r.Status != ApprovalPending {
			return ApprovalAction{}, ApprovalOutcome{}, Errorf(EConflict, "%s is already %s, so it can't be cancelled.", r.Ref(), r.Status.Words())
		}
		r.Status, r.DecidedAt = ApprovalCancelled, at.UTC()
		step := ApprovalStep{Index: r.CurrentStep}
		if r.CurrentStep < len(r.Steps) {
			step = r.Steps[r.CurrentStep]
		}
		return ApprovalAction{RequestID: r.ID, Step: r.CurrentStep, Actor: actor, Action: ActCancel, At: at},
			ApprovalOutcome{Action: ActCancel, Step: step, StepDone: true, Finished: true}, nil
	}
}

// Escalate adds the escalation approvers of step stepIndex to its approvers, when the request still
// waits on that step, and returns the trail entry and who was added. It adds no one, and changes
// nothing, when the request moved on or everyone to escalate to already approves the step.
func (r *ApprovalRequest) Escalate(stepIndex int, at time.Time) (ApprovalAction, []string) {
	step, ok := r.Step()
	if !ok || step.Index != stepIndex {
		return ApprovalAction{}, nil
	}
	var added []string
	for _, id := range step.EscalateTo {
		if !slices.Contains(step.Approvers, id) && !slices.Contains(added, id) {
			added = append(added, id)
		}
	}
	if len(added) == 0 {
		return ApprovalAction{}, nil
	}
	step.Approvers = append(slices.Clone(step.Approvers), added...)
	step.EscalatedTo = append(slices.Clone(step.EscalatedTo), added...)
	r.Steps[step.Index] = step
	return ApprovalAction{RequestID: r.ID, Step: step.Index, Actor: ActorBaton, Action: ActEscalate, Comment: strings.Join(added, ","), At: at}, added
}

// mentionList names people as Slack mentions: "<@U1>, <@U2>".
func mentionList(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "<@" + id + ">"
	}
	return strings.Join(parts, ", ")
}
