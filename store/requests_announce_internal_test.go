package store

import (
	"slices"
	"testing"

	baton "github.com/batonhq/baton"
)

func TestRequestAnnouncementsFollowWhatHappened(t *testing.T) {
	two := []RequestStep{{Index: 0, Approvers: []string{"UMAX"}}, {Index: 1, Approvers: []string{"UFAY", "UFRED"}}}
	filed := Request{RequesterID: "UBEA", ChannelID: "C1", Status: RequestPending, Steps: two}
	auto := Request{RequesterID: "UBEA", Status: RequestApproved}
	next := filed
	next.CurrentStep = 1
	rejected := filed
	rejected.Status = RequestRejected
	cases := []struct {
		name string
		r    Request
		d    *Decision
		want []baton.Announcement
	}{
		{"filed in a channel", filed, nil, []baton.Announcement{
			{Kind: baton.AnnounceRequestNote}, {Kind: baton.AnnounceRequestStatus},
			{Kind: baton.AnnounceApproverCard, To: "UMAX"}, {Kind: baton.AnnounceStepTimers}}},
		{"approved automatically, in a DM", auto, nil, []baton.Announcement{{Kind: baton.AnnounceRequestStatus}}},
		{"first step approved", next, &Decision{Step: two[0], StepDone: true}, []baton.Announcement{
			{Kind: baton.AnnounceApproverCards}, {Kind: baton.AnnounceStepDecided},
			{Kind: baton.AnnounceApproverCard, To: "UFAY", Ref: 1}, {Kind: baton.AnnounceApproverCard, To: "UFRED", Ref: 1},
			{Kind: baton.AnnounceStepTimers, Ref: 1}, {Kind: baton.AnnounceRequestStatus}}},
		{"rejected", rejected, &Decision{Step: two[0], StepDone: true, Finished: true}, []baton.Announcement{
			{Kind: baton.AnnounceApproverCards}, {Kind: baton.AnnounceStepDecided}, {Kind: baton.AnnounceRequestStatus},
			{Kind: baton.AnnounceOutcome, To: "UBEA"}, {Kind: baton.AnnounceOutcomeThread}}},
	}
	for _, c := range cases {
		if got := requestAnnouncements(c.r, c.d, "UMAX"); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	cancelled := filed
	cancelled.Status = RequestCancelled
	if got := requestAnnouncements(cancelled, &Decision{Step: two[0], StepDone: true, Finished: true}, "UBEA"); !slices.Equal(got, []baton.Announcement{
		{Kind: baton.AnnounceApproverCards}, {Kind: baton.AnnounceStepDecided}, {Kind: baton.AnnounceRequestStatus}, {Kind: baton.AnnounceOutcomeThread}}) {
		t.Errorf("cancelled by its requester: %v", got)
	}
	if got := escalationAnnouncements(0, []string{"UCFO"}); !slices.Equal(got, []baton.Announcement{
		{Kind: baton.AnnounceApproverCards}, {Kind: baton.AnnounceApproverCard, To: "UCFO"}, {Kind: baton.AnnounceRequestStatus}}) {
		t.Errorf("escalation: %v", got)
	}
}
