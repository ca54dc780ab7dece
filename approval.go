package baton

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// ApprovalStatus is where an approval request stands.
type ApprovalStatus string

// The statuses of a request. Every one but pending is final.
const (
	ApprovalPending          ApprovalStatus = "pending"
	ApprovalApproved         ApprovalStatus = "approved"
	ApprovalRejected         ApprovalStatus = "rejected"
	ApprovalChangesRequested ApprovalStatus = "changes_requested"
	ApprovalCancelled        ApprovalStatus = "cancelled"
)

// Words reads the status as people say it.
func (s ApprovalStatus) Words() string {
	switch s {
	case ApprovalChangesRequested:
		return "changes requested"
	case ApprovalPending:
		return "waiting for approval"
	}
	return string(s)
}

// The actions of a request's trail.
const (
	ActSubmit      = "submit"
	ActRoute       = "route"
	ActAutoApprove = "auto_approve"
	ActApprove     = "approve"
	ActReject      = "reject"
	ActChanges     = "changes"
	ActCancel      = "cancel"
	ActRemind      = "remind"   // Baton reminded an approver; Comment is the approver's user ID
	ActEscalate    = "escalate" // Baton added the step's escalation approvers; Comment lists them
)

// ActorBaton is the actor of the actions Baton takes by itself: reminders and escalations.
const ActorBaton = "baton"

// ApprovalRequest is an approval request: R-9.
type ApprovalRequest struct {
	ID            int64
	TeamID        string
	Number        int64
	Type          string
	Values        map[string]string // field name → value as typed text (numbers plain, dates YYYY-MM-DD, users IDs)
	Summary       string            // free text given with the request
	RequesterID   string
	ChannelID     string // where the request was made, when in a channel
	ChannelTS     string // Baton's "R-9 submitted" message there, the outcome's thread
	PolicyVersion string
	Branch        int
	BranchName    string
	Explanation   string
	Status        ApprovalStatus
	CurrentStep   int // 0-based index into Steps
	CreatedAt     time.Time
	DecidedAt     time.Time // zero while pending
	StatusChannel string    // the requester's status card
	StatusTS      string
	StatusLink    string // the status card's permalink, "" until it is known
	Steps         []ApprovalStep
}

// ApprovalStep is one step of a request's route.
type ApprovalStep struct {
	Index     int
	Name      string
	Mode      Mode
	Approvers []string
	Decided   bool
	Approved  []string // who approved this step so far, in order

	RemindAfter   time.Duration // after this long undecided, its approvers are reminded; 0: never
	EscalateAfter time.Duration // after this long undecided, EscalateTo join its approvers; 0: never
	EscalateTo    []string
	EscalatedTo   []string // who an escalation added to Approvers; any one of them decides the step alone
}

// Label is the step as people read it: "step 1 Finance".
func (s ApprovalStep) Label() string {
	if s.Name == "" {
		return fmt.Sprintf("step %d", s.Index+1)
	}
	return fmt.Sprintf("step %d %s", s.Index+1, s.Name)
}

// StepApproved reports whether the approvals so far decide the step. An `any` step needs one approval.
// An `all` step needs every approver it was routed to, unless an escalation added someone: the step
// was escalated because it waited too long, so the approval of one escalation approver is enough.
func (s ApprovalStep) StepApproved() bool {
	if s.Mode != ModeAll {
		return len(s.Approved) > 0
	}
	for _, a := range s.Approved {
		if slices.Contains(s.EscalatedTo, a) {
			return true
		}
	}
	for _, a := range s.Approvers {
		if !slices.Contains(s.EscalatedTo, a) && !slices.Contains(s.Approved, a) {
			return false
		}
	}
	return true
}

// Ref is the request's short ID.
func (r ApprovalRequest) Ref() string { return RequestRef(r.Number) }

// Step returns the step the request waits on, when it is pending.
func (r ApprovalRequest) Step() (ApprovalStep, bool) {
	if r.Status != ApprovalPending || r.CurrentStep >= len(r.Steps) {
		return ApprovalStep{}, false
	}
	return r.Steps[r.CurrentStep], true
}

// ApprovalAction is one entry of a request's trail.
type ApprovalAction struct {
	ID        int64     `db:"id"`
	RequestID int64     `db:"request_id"`
	Step      int       `db:"step"`
	Actor     string    `db:"actor"`
	Action    string    `db:"action"`
	Comment   string    `db:"comment"`
	At        time.Time `db:"at"`
}

// ApprovalCard is where an approver's card of one step was posted.
type ApprovalCard struct {
	RequestID  int64  `db:"request_id"`
	Step       int    `db:"step"`
	ApproverID string `db:"approver_id"`
	ChannelID  string `db:"channel_id"`
	TS         string `db:"ts"`
	Link       string `db:"link"` // the card's permalink, "" until it is known
}

// ApprovalOutcome is what one approver's action did to a request.
type ApprovalOutcome struct {
	Action   string
	Step     ApprovalStep // the step acted on, as it is after the action
	StepDone bool         // the step is decided (approved by enough people, or ended by a rejection)
	Finished bool         // the request reached a final status
}

// PendingApproval is a request waiting on a person's approval.
type PendingApproval struct {
	ApprovalRequest
	// StepSince is when the step it waits on became current: when the request was filed, or when the
	// approval that decided the step before it came in.
	StepSince time.Time
	// Card is the person's card of that step, zero when it was not posted yet.
	Card ApprovalCard
}

// AnnounceLane is the queue a request's announcements wait in: the channel it was made in, or its
// requester's.
func (r ApprovalRequest) AnnounceLane() string {
	if r.ChannelID != "" {
		return r.ChannelID
	}
	return r.RequesterID
}

var requestRefRe = regexp.MustCompile(`^(?i)#?r-(\d{1,18})$`)

// RequestRef formats an approval request number as its short ID.
func RequestRef(n int64) string { return "R-" + strconv.FormatInt(n, 10) }

// ParseRequestRef reads a short approval request ID such as R-9.
func ParseRequestRef(word string) (int64, bool) { return parseRef(requestRefRe, word) }
