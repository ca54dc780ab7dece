package baton

import (
	"slices"
	"time"
)

// checkinMoves is a check-in's state machine: for each state a check-in can be put in, the states it
// may come from. A finished one-time check-in may still remind those who have not seen it, so it can
// be cancelled too.
var checkinMoves = map[CheckinState][]CheckinState{
	CheckinPaused:    {CheckinActive},
	CheckinActive:    {CheckinPaused},
	CheckinCancelled: {CheckinActive, CheckinPaused, CheckinFinished},
	CheckinFinished:  {CheckinActive},
}

// CanMove reports whether a check-in in state s may be put in state to.
func (s CheckinState) CanMove(to CheckinState) bool { return slices.Contains(checkinMoves[to], s) }

// Move puts the check-in in state to when its state machine allows it, and counts the change; false:
// it could not move, and nothing changed.
func (c *Checkin) Move(to CheckinState, at time.Time) bool {
	if !c.State.CanMove(to) {
		return false
	}
	c.State, c.UpdatedAt = to, at.UTC()
	c.Revision++
	return true
}

// ManagedBy reports whether a person may edit, pause, resume or cancel the check-in: its sender or
// an admin.
func (c Checkin) ManagedBy(userID string, admin bool) bool { return c.SenderID == userID || admin }

// deliveryMoves is a delivery's state machine: scheduled → delivered (→ snoozed → delivered) → seen
// → answered. For each state, the states a delivery may come from.
var deliveryMoves = map[DeliveryState][]DeliveryState{
	DeliveryDelivered: {DeliveryScheduled, DeliverySnoozed},
	DeliverySeen:      {DeliveryDelivered, DeliverySnoozed},
	DeliveryAnswered:  {DeliveryDelivered, DeliverySnoozed, DeliverySeen},
	DeliverySnoozed:   {DeliveryDelivered, DeliverySnoozed, DeliverySeen},
}

// DeliveryFrom returns the states a delivery may be put in state to from.
func DeliveryFrom(to DeliveryState) []DeliveryState { return slices.Clone(deliveryMoves[to]) }

// PostClaim is what a run that is to post a check-in DM (a delivery, its return from a snooze, or
// its reminder) got when it claimed the post. A claim lasts as long as the run that made it may
// still be posting; a run that was killed, or cut off when its lease ran out, leaves a claim that
// the next run takes over.
type PostClaim int

const (
	// PostNotOwed: there is nothing to post any more (it was posted, seen, answered, snoozed again).
	PostNotOwed PostClaim = iota
	// PostHeld: another run holds the post and may be posting it now; try again once its claim ends.
	PostHeld
	// PostClaimed: this run posts it, and no run tried before.
	PostClaimed
	// PostTakenOver: this run posts it after a run that claimed it and ended without saying how it
	// went; that run may have posted, so Slack is asked first.
	PostTakenOver
)

// Owed reports whether the run that got the claim is to post.
func (c PostClaim) Owed() bool { return c == PostClaimed || c == PostTakenOver }
