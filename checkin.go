package baton

import (
	"fmt"
	"time"
)

// CheckinState is where a check-in stands.
type CheckinState string

// The states of a check-in.
const (
	CheckinActive    CheckinState = "active"
	CheckinPaused    CheckinState = "paused"
	CheckinCancelled CheckinState = "cancelled"
	CheckinFinished  CheckinState = "finished" // a once-check-in that reached everyone
)

// Checkin is a question Baton asks some people on a schedule, for the person who set it up.
type Checkin struct {
	ID         int64
	TeamID     string
	Number     int64
	SenderID   string
	Message    string
	Schedule   Schedule
	TaskNumber int64 // the linked task T-n; 0 for none
	AskReply   bool
	// RemindAfter is how long a delivery may stay unseen before its recipient gets one reminder; 0: never.
	RemindAfter time.Duration
	State       CheckinState
	Revision    int64 // counts the check-in's changes: edits and state changes
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Recipients  []CheckinRecipient
}

// CheckinRef is the short ID people type: C-5.
func CheckinRef(n int64) string { return fmt.Sprintf("C-%d", n) }

// Ref is the check-in's short ID.
func (c Checkin) Ref() string { return CheckinRef(c.Number) }

// Recipient returns the recipient with this user ID.
func (c Checkin) Recipient(userID string) (CheckinRecipient, bool) {
	for _, r := range c.Recipients {
		if r.UserID == userID {
			return r, true
		}
	}
	return CheckinRecipient{}, false
}

// CheckinRecipient is one person a check-in asks; TZ is the IANA zone their schedule is read in.
type CheckinRecipient struct {
	UserID  string
	TZ      string
	MutedAt time.Time // zero when not muted
}

// Muted reports whether the recipient asked for no more deliveries.
func (r CheckinRecipient) Muted() bool { return !r.MutedAt.IsZero() }

// DeliveryState is where one delivery of a check-in stands.
type DeliveryState string

// The states of a delivery: scheduled → delivered (→ snoozed → delivered) → seen → answered.
const (
	DeliveryScheduled DeliveryState = "scheduled"
	DeliveryDelivered DeliveryState = "delivered"
	DeliverySnoozed   DeliveryState = "snoozed"
	DeliverySeen      DeliveryState = "seen"
	DeliveryAnswered  DeliveryState = "answered"
)

// CheckinDelivery is one DM of a check-in to one recipient, for one due time.
type CheckinDelivery struct {
	ID           int64
	CheckinID    int64
	TeamID       string
	RecipientID  string
	DueAt        time.Time
	State        DeliveryState
	ChannelID    string
	TS           string
	DeliveredAt  time.Time
	SeenAt       time.Time
	AnsweredAt   time.Time
	SnoozedUntil time.Time
	RemindedAt   time.Time // when the one reminder went out; zero before
	Answer       string
}

// DefaultCheckinMaxRecipients is how many people one check-in may ask until an admin says otherwise.
const DefaultCheckinMaxRecipients = 500
