package baton

// The kinds of announcements of an approval request. Ref is the step a message is about, To the
// person a direct message is for.
const (
	// AnnounceRequestNote posts, in the channel a request was made in, the note its outcome is threaded under.
	AnnounceRequestNote AnnounceKind = "request.note"
	// AnnounceRequestStatus posts the requester's status card, or redraws it as the request stands.
	AnnounceRequestStatus AnnounceKind = "request.status"
	// AnnounceApproverCard sends To the card of step Ref to decide from.
	AnnounceApproverCard AnnounceKind = "request.approver"
	// AnnounceApproverCards redraws every approver card of step Ref.
	AnnounceApproverCards AnnounceKind = "request.cards"
	// AnnounceStepTimers schedules the reminder and the escalation of step Ref, which is now current.
	AnnounceStepTimers AnnounceKind = "request.watch"
	// AnnounceStepDecided cancels the reminder and the escalation of step Ref, which is decided.
	AnnounceStepDecided AnnounceKind = "request.unwatch"
	// AnnounceOutcome tells the requester how their request ended.
	AnnounceOutcome AnnounceKind = "request.outcome"
	// AnnounceOutcomeThread says how a request ended under its note in the channel it was made in.
	AnnounceOutcomeThread AnnounceKind = "request.outcome_thread"
)

// RequestAnnouncements lists, in the order they are to be sent, the messages a request owes after it
// was filed (d nil) or after actor's action on it (d: what the action did). Where a new request goes,
// and an automatic approval, are told in the answer to whoever filed it, and an end the requester
// chose is told to them by its answer: neither is here.
func RequestAnnouncements(r ApprovalRequest, d *ApprovalOutcome, actor string) []Announcement {
	var out []Announcement
	if d == nil {
		if r.ChannelID != "" {
			out = append(out, Announcement{Kind: AnnounceRequestNote})
		}
		out = append(out, Announcement{Kind: AnnounceRequestStatus})
		if r.Status == ApprovalPending && r.CurrentStep < len(r.Steps) {
			out = append(out, approvalStepOpened(r, r.CurrentStep)...)
		}
		if r.Status != ApprovalPending {
			out = append(out, approvalEnded(r, false)...)
		}
		return out
	}
	out = append(out, Announcement{Kind: AnnounceApproverCards, Ref: int64(d.Step.Index)})
	if d.StepDone {
		out = append(out, Announcement{Kind: AnnounceStepDecided, Ref: int64(d.Step.Index)})
		if r.Status == ApprovalPending {
			out = append(out, approvalStepOpened(r, r.CurrentStep)...)
		}
	}
	out = append(out, Announcement{Kind: AnnounceRequestStatus})
	if d.Finished {
		out = append(out, approvalEnded(r, actor != r.RequesterID)...)
	}
	return out
}

// EscalationAnnouncements is what escalating a step to the added approvers owes: every card of the
// step redrawn to say so, a card to each person added, and the requester's status card redrawn.
func EscalationAnnouncements(step int, added []string) []Announcement {
	out := []Announcement{{Kind: AnnounceApproverCards, Ref: int64(step)}}
	for _, a := range added {
		out = append(out, Announcement{Kind: AnnounceApproverCard, To: a, Ref: int64(step)})
	}
	return append(out, Announcement{Kind: AnnounceRequestStatus})
}

// approvalStepOpened is what a step that becomes current owes: a card to each approver, and its timers.
func approvalStepOpened(r ApprovalRequest, step int) []Announcement {
	var out []Announcement
	for _, a := range r.Steps[step].Approvers {
		out = append(out, Announcement{Kind: AnnounceApproverCard, To: a, Ref: int64(step)})
	}
	return append(out, Announcement{Kind: AnnounceStepTimers, Ref: int64(step)})
}

// approvalEnded is what a request that ended owes: a word in its channel's thread and, when tell, one to
// its requester.
func approvalEnded(r ApprovalRequest, tell bool) []Announcement {
	var out []Announcement
	if tell {
		out = append(out, Announcement{Kind: AnnounceOutcome, To: r.RequesterID})
	}
	if r.ChannelID != "" {
		out = append(out, Announcement{Kind: AnnounceOutcomeThread})
	}
	return out
}
