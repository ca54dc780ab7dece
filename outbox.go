package baton

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// Outgoing is one message in the outbox: what it announces about which task, decision or request,
// and to whom.
type Outgoing struct {
	ID         int64        `db:"id"`
	TeamID     string       `db:"team_id"`
	Lane       string       `db:"lane"`
	Kind       AnnounceKind `db:"kind"`
	To         string       `db:"recipient"`
	Attempts   int          `db:"attempts"`
	Created    time.Time    `db:"created_at"`
	TaskID     int64        `db:"task_id"`
	DecisionID int64        `db:"decision_id"`
	RequestID  int64        `db:"request_id"`
	Ref        int64        `db:"ref"`
	// Event is the task event a task's message announces.
	Event TaskEvent `db:"event"`
	// Task, Decision and Request are what the message is about as they stand when it is read, not as
	// they were when it was written: one of them is set.
	Task     Task            `db:"-"`
	Decision Decision        `db:"-"`
	Request  ApprovalRequest `db:"-"`
}

// Lane names one queue of the outbox: a workspace and the channel its messages are paced by.
type Lane struct {
	TeamID string `db:"team_id"`
	Lane   string `db:"lane"`
}

// ClaimedLane is a lane just claimed. TakenOver says it was taken from a process whose lease ran
// out: that process may have posted the lane's next message without living to mark it sent. It
// stays so, whoever claims the lane next, until FinishOutgoing is told the post was dealt with.
type ClaimedLane struct {
	Lane
	TakenOver bool `db:"taken_over"`
}

// ErrLaneLost means another process holds the lane now: the one that lost it stops sending.
var ErrLaneLost = errors.New("the outbox lane is held by another process")

// NewClaim returns a fresh random claim token, for a process to mark what it holds.
func NewClaim() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
