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
