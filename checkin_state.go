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
