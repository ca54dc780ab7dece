package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	baton "github.com/batonhq/baton"
)

// requestAnnouncements lists, in the order they are to be sent, the messages a request owes after it
// was filed (d nil) or after actor's action on it (d: what the action did). Where a new request goes,
// and an automatic approval, are told in the answer to whoever filed it, and an end the requester
// chose is told to them by its answer: neither is here.
func requestAnnouncements(r Request, d *Decision, actor string) []baton.Announcement {
	var out []baton.Announcement
	if d == nil {
		if r.ChannelID != "" {
			out = append(out, baton.Announcement{Kind: baton.AnnounceRequestNote})
		}
		out = append(out, baton.Announcement{Kind: baton.AnnounceRequestStatus})
		if r.Status == RequestPending && r.CurrentStep < len(r.Steps) {
			out = append(out, stepOpened(r, r.CurrentStep)...)
		}
		if r.Status != RequestPending {
			out = append(out, outcome(r, false)...)
		}
		return out
	}
	out = append(out, baton.Announcement{Kind: baton.AnnounceApproverCards, Ref: int64(d.Step.Index)})
	if d.StepDone {
		out = append(out, baton.Announcement{Kind: baton.AnnounceStepDecided, Ref: int64(d.Step.Index)})
		if r.Status == RequestPending {
			out = append(out, stepOpened(r, r.CurrentStep)...)
		}
	}
	out = append(out, baton.Announcement{Kind: baton.AnnounceRequestStatus})
	if d.Finished {
		out = append(out, outcome(r, actor != r.RequesterID)...)
	}
	return out
}

// escalationAnnouncements is what escalating a step to the added approvers owes: every card of the
// step redrawn to say so, a card to each person added, and the requester's status card redrawn.
func escalationAnnouncements(step int, added []string) []baton.Announcement {
	out := []baton.Announcement{{Kind: baton.AnnounceApproverCards, Ref: int64(step)}}
	for _, a := range added {
		out = append(out, baton.Announcement{Kind: baton.AnnounceApproverCard, To: a, Ref: int64(step)})
	}
	return append(out, baton.Announcement{Kind: baton.AnnounceRequestStatus})
}

// stepOpened is what a step that becomes current owes: a card to each approver, and its timers.
func stepOpened(r Request, step int) []baton.Announcement {
	var out []baton.Announcement
	for _, a := range r.Steps[step].Approvers {
		out = append(out, baton.Announcement{Kind: baton.AnnounceApproverCard, To: a, Ref: int64(step)})
	}
	return append(out, baton.Announcement{Kind: baton.AnnounceStepTimers, Ref: int64(step)})
}

// outcome is what a request that ended owes: a word in its channel's thread and, when tell, one to
// its requester.
func outcome(r Request, tell bool) []baton.Announcement {
	var out []baton.Announcement
	if tell {
		out = append(out, baton.Announcement{Kind: baton.AnnounceOutcome, To: r.RequesterID})
	}
	if r.ChannelID != "" {
		out = append(out, baton.Announcement{Kind: baton.AnnounceOutcomeThread})
	}
	return out
}

// AnnounceLane is the queue a request's announcements wait in: the channel it was made in, or its
// requester's.
func (r Request) AnnounceLane() string {
	if r.ChannelID != "" {
		return r.ChannelID
	}
	return r.RequesterID
}

// announceRequest writes the messages a request owes into the outbox, in the transaction that
// files it (d nil) or in which actor acts on it.
func announceRequest(ctx context.Context, tx *sqlx.Tx, r Request, d *Decision, actor string) error {
	return queueAbout(ctx, tx, r.TeamID, r.AnnounceLane(), requestAnnouncements(r, d, actor), about{request: r.ID})
}
