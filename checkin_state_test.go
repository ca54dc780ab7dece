package baton

import (
	"slices"
	"testing"
	"time"
)

func TestCheckinMoves(t *testing.T) {
	all := []CheckinState{CheckinActive, CheckinPaused, CheckinCancelled, CheckinFinished}
	allowed := map[[2]CheckinState]bool{
		{CheckinActive, CheckinPaused}:      true,
		{CheckinPaused, CheckinActive}:      true,
		{CheckinActive, CheckinCancelled}:   true,
		{CheckinPaused, CheckinCancelled}:   true,
		{CheckinFinished, CheckinCancelled}: true,
		{CheckinActive, CheckinFinished}:    true,
	}
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, from := range all {
		for _, to := range all {
			c := Checkin{State: from, Revision: 3}
			moved := c.Move(to, at)
			if want := allowed[[2]CheckinState{from, to}]; moved != want {
				t.Errorf("%s → %s moved %v, want %v", from, to, moved, want)
			}
			if moved && (c.State != to || c.Revision != 4 || !c.UpdatedAt.Equal(at)) {
				t.Errorf("%s → %s left %+v", from, to, c)
			}
			if !moved && (c.State != from || c.Revision != 3) {
				t.Errorf("%s → %s was refused but changed the check-in: %+v", from, to, c)
			}
		}
	}
}

func TestCheckinManagedBySenderOrAdmin(t *testing.T) {
	c := Checkin{SenderID: "UBEA"}
	if !c.ManagedBy("UBEA", false) || !c.ManagedBy("UADM", true) || c.ManagedBy("UCAL", false) {
		t.Error("only the sender and admins manage a check-in")
	}
}

func TestDeliveryFrom(t *testing.T) {
	cases := map[DeliveryState][]DeliveryState{
		DeliveryDelivered: {DeliveryScheduled, DeliverySnoozed},
		DeliverySeen:      {DeliveryDelivered, DeliverySnoozed},
		DeliveryAnswered:  {DeliveryDelivered, DeliverySnoozed, DeliverySeen},
		DeliverySnoozed:   {DeliveryDelivered, DeliverySnoozed, DeliverySeen},
		DeliveryScheduled: nil,
	}
	for to, want := range cases {
		if got := DeliveryFrom(to); !slices.Equal(got, want) {
			t.Errorf("to %s from %v, want %v", to, got, want)
		}
	}
	DeliveryFrom(DeliverySeen)[0] = DeliveryAnswered
	if DeliveryFrom(DeliverySeen)[0] != DeliveryDelivered {
		t.Error("a caller changed the state machine")
	}
}
