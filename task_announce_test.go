package baton

import (
	"slices"
	"testing"
)

func TestAnnouncementsTellEveryoneInvolvedButTheOneWhoActed(t *testing.T) {
	base := Task{OwnerID: "UANA", DelegatorID: "UBEA", ChannelID: "C1"}
	moved := base
	moved.OwnerID = "UCAL"
	cases := []struct {
		name   string
		before Task
		after  Task
		ev     TaskEvent
		want   []Announcement
	}{
		{"created for another", Task{}, base, TaskEvent{Kind: EventCreated, Actor: "UBEA"},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceAssigned, To: "UANA"}, {Kind: AnnounceTaskTimers}}},
		{"created for oneself", Task{}, base, TaskEvent{Kind: EventCreated, Actor: "UANA"},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceTaskTimers}}},
		{"status by the owner", base, base, TaskEvent{Kind: EventStatus, Actor: "UANA", To: string(StatusInProgress)},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceThread}, {Kind: AnnounceSignal, To: "UBEA"}, {Kind: AnnounceTaskTimers}}},
		{"blocked by the owner", base, base, TaskEvent{Kind: EventStatus, Actor: "UANA", To: string(StatusBlocked)},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceThread}, {Kind: AnnounceUrgent, To: "UBEA"}, {Kind: AnnounceTaskTimers}}},
		{"due date by an admin", base, base, TaskEvent{Kind: EventDue, Actor: "UADM"},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceThread}, {Kind: AnnounceSignal, To: "UANA"}, {Kind: AnnounceSignal, To: "UBEA"}, {Kind: AnnounceTaskTimers}}},
		{"reassigned by the delegator", base, moved, TaskEvent{Kind: EventReassigned, Actor: "UBEA", From: "UANA", To: "UCAL"},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceThread}, {Kind: AnnounceAssigned, To: "UCAL"}, {Kind: AnnounceNotice, To: "UANA"}, {Kind: AnnounceTaskTimers}}},
		{"an update logged", base, base, TaskEvent{Kind: EventUpdate, Actor: "UANA"},
			[]Announcement{{Kind: AnnounceCard}, {Kind: AnnounceThread}}},
	}
	for _, c := range cases {
		if got := c.after.Announcements(c.before, c.ev); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAnnouncementsQueueByTheCardsChannel(t *testing.T) {
	if got := (Task{ChannelID: "C1", DelegatorID: "UBEA"}).AnnounceLane(); got != "C1" {
		t.Errorf("lane %q, want the card's channel", got)
	}
	if got := (Task{DelegatorID: "UBEA"}).AnnounceLane(); got != "UBEA" {
		t.Errorf("lane %q, want the delegator for a task with no channel", got)
	}
}
