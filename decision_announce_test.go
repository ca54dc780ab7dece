package baton

import (
	"slices"
	"testing"
)

func TestDecisionAnnouncementsFollowWhatTheVersionChanged(t *testing.T) {
	d := Decision{ID: 7, ChannelID: "C1", AuthorID: "UBEA"}
	d.TaskNumber = 12
	flags := []DecisionFlag{{ID: 3, UserID: "UANA"}, {ID: 4, UserID: "UCAL"}}
	cases := []struct {
		name string
		d    Decision
		c    DecisionChange
		want []Announcement
	}{
		{"new, about a task, flagging two", d, DecisionChange{Created: true, Version: 1, Flags: flags},
			[]Announcement{{Kind: AnnounceDecisionCard}, {Kind: AnnounceDecisionTask},
				{Kind: AnnounceFlag, To: "UANA", Ref: 3}, {Kind: AnnounceFlag, To: "UCAL", Ref: 4}}},
		{"new, about no task", Decision{ID: 7, ChannelID: "C1"}, DecisionChange{Created: true, Version: 1},
			[]Announcement{{Kind: AnnounceDecisionCard}}},
		{"edited, superseding another", d, DecisionChange{Version: 3, Superseded: 5},
			[]Announcement{{Kind: AnnounceDecisionCard}, {Kind: AnnounceDecisionEdited, Ref: 3},
				{Kind: AnnounceDecisionCard, About: 5}, {Kind: AnnounceSuperseded, About: 5}}},
	}
	for _, c := range cases {
		if got := c.d.Announcements(c.c); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if got := (Decision{AuthorID: "UBEA"}).AnnounceLane(); got != "UBEA" {
		t.Errorf("a decision with no channel queues in %q, want its author's lane", got)
	}
}
