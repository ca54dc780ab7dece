package baton

import (
	"slices"
	"testing"
)

func TestRequestAnnouncementsFollowWhatHappened(t *testing.T) {
	two := []ApprovalStep{{Index: 0, Approvers: []string{"UMAX"}}, {Index: 1, Approvers: []string{"UFAY", "UFRED"}}}
	filed := ApprovalRequest{RequesterID: "UBEA", ChannelID: "C1", Status: ApprovalPending, Steps: two}
	auto := ApprovalRequest{RequesterID: "UBEA", Status: ApprovalApproved}
	next := filed
	next.CurrentStep = 1
	rejected := filed
	rejected.Status = ApprovalRejected
	cases := []struct {
		name string
		r    ApprovalRequest
		d    *ApprovalOutcome
		want []Announcement
	}{
		{"filed in a channel", filed, nil, []Announcement{
			{Kind: AnnounceRequestNote}, {Kind: AnnounceRequestStatus},
			{Kind: AnnounceApproverCard, To: "UMAX"}, {Kind: AnnounceStepTimers}}},
		{"approved automatically, in a DM", auto, nil, []Announcement{{Kind: AnnounceRequestStatus}}},
		{"first step approved", next, &ApprovalOutcome{Step: two[0], StepDone: true}, []Announcement{
			{Kind: AnnounceApproverCards}, {Kind: AnnounceStepDecided},
			{Kind: AnnounceApproverCard, To: "UFAY", Ref: 1}, {Kind: AnnounceApproverCard, To: "UFRED", Ref: 1},
			{Kind: AnnounceStepTimers, Ref: 1}, {Kind: AnnounceRequestStatus}}},
		{"rejected", rejected, &ApprovalOutcome{Step: two[0], StepDone: true, Finished: true}, []Announcement{
			{Kind: AnnounceApproverCards}, {Kind: AnnounceStepDecided}, {Kind: AnnounceRequestStatus},
			{Kind: AnnounceOutcome, To: "UBEA"}, {Kind: AnnounceOutcomeThread}}},
	}
	for _, c := range cases {
		if got := RequestAnnouncements(c.r, c.d, "UMAX"); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	cancelled := filed
	cancelled.Status = ApprovalCancelled
	if got := RequestAnnouncements(cancelled, &ApprovalOutcome{Step: two[0], StepDone: true, Finished: true}, "UBEA"); !slices.Equal(got, []Announcement{
		{Kind: AnnounceApproverCards}, {Kind: AnnounceStepDecided}, {Kind: AnnounceRequestStatus}, {Kind: AnnounceOutcomeThread}}) {
		t.Errorf("cancelled by its requester: %v", got)
	}
	if got := EscalationAnnouncements(0, []string{"UCFO"}); !slices.Equal(got, []Announcement{
		{Kind: AnnounceApproverCards}, {Kind: AnnounceApproverCard, To: "UCFO"}, {Kind: AnnounceRequestStatus}}) {
		t.Errorf("escalation: %v", got)
	}
}
