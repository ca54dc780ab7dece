package handlers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
)

// announcedRequest starts sending what a request owes, written to the outbox with the change, and
// refreshes the dashboards of everyone it concerns.
func (h *Handlers) announcedRequest(req baton.ApprovalRequest) {
	h.outbox.kick(baton.Lane{TeamID: req.TeamID, Lane: req.AnnounceLane()})
	h.refreshRequestHomes(req)
}

// sendRequestMessage sends one message of the outbox about a request, as it stands now.
func (h *Handlers) sendRequestMessage(ctx context.Context, m *baton.Outgoing, mark slack.MsgOption) error {
	req, t, step := m.Request, h.requestType(m.Request.Type), int(m.Ref)
	if m.Kind == baton.AnnounceStepDecided {
		h.unwatchStep(ctx, req, step)
		return nil
	}
	trail, err := h.approvals.RequestActions(ctx, req.ID)
	if err != nil {
		return err
	}
	switch m.Kind {
	case baton.AnnounceStepTimers:
		if req.Status == baton.ApprovalPending && req.CurrentStep == step {
			return h.watchStep(ctx, req, step, stepStart(req, trail, step))
		}
		return nil
	case baton.AnnounceRequestNote:
		if req.ChannelTS != "" {
			return nil
		}
		_, ts, err := h.slack.PostMessage(ctx, req.ChannelID, msgText(submittedText(req, t)), mark)
		if err != nil {
			return err
		}
		m.Request.ChannelTS = ts
		return h.approvals.SetRequestThread(ctx, req.ID, ts)
	case baton.AnnounceRequestStatus:
		opts := []slack.MsgOption{msgText(statusCardText(req, t)), slack.MsgOptionBlocks(statusCardBlocks(req, t, trail)...)}
		if req.StatusTS != "" {
			return h.slack.UpdateMessage(ctx, req.StatusChannel, req.StatusTS, opts...)
		}
		ch, err := h.slack.OpenDM(ctx, req.RequesterID)
		if err != nil {
			return err
		}
		_, ts, err := h.slack.PostMessage(ctx, ch, append(opts, mark)...)
		if err != nil {
			return err
		}
		m.Request.StatusChannel, m.Request.StatusTS, m.Request.StatusLink = ch, ts, h.linkTo(ctx, ch, ts)
		return h.approvals.SetRequestStatusCard(ctx, req.ID, ch, ts, m.Request.StatusLink)
	case baton.AnnounceApproverCard:
		if sent, err := h.approverCardSent(ctx, req, step, m.To); err != nil || sent {
			return err
		}
		ch, err := h.slack.OpenDM(ctx, m.To)
		if err != nil {
			return err
		}
		_, ts, err := h.slack.PostMessage(ctx, ch, msgText(approverCardText(req, t)), slack.MsgOptionBlocks(approverCardBlocks(req, t, step, m.To, trail)...), mark)
		if err != nil {
			return err
		}
		return h.approvals.AddRequestCard(ctx, baton.ApprovalCard{RequestID: req.ID, Step: step, ApproverID: m.To, ChannelID: ch, TS: ts, Link: h.linkTo(ctx, ch, ts)})
	case baton.AnnounceApproverCards:
		return h.refreshCards(ctx, req, t, step, trail)
	case baton.AnnounceOutcome:
		final := lastDecision(trail)
		if req.Status == baton.ApprovalApproved && len(req.Steps) == 0 || final != nil && final.Actor == req.RequesterID {
			return nil // said already: with the route of an automatic approval, or to the requester who ended it
		}
		if err := h.sendDM(ctx, req.RequesterID, msgText(outcomeText(req, t, final)), mark); err != nil {
			return err
		}
		if req.Status == baton.ApprovalApproved {
			h.background(ctx, func(ctx context.Context) {
				if err := h.considerSuggestion(ctx, req); err != nil {
					h.logger(ctx).WarnContext(ctx, "suggestion of authority not made", "request", req.Ref(), "err", err)
				}
			})
		}
		return nil
	case baton.AnnounceOutcomeThread:
		if req.ChannelTS == "" {
			return nil
		}
		_, _, err := h.slack.PostMessage(ctx, req.ChannelID, msgText(outcomeText(req, t, lastDecision(trail))), slack.MsgOptionTS(req.ChannelTS), mark)
		return err
	}
	return fmt.Errorf("outbox: unknown message kind %q", m.Kind)
}

// approverCardSent reports whether an approver was sent the card of a step already.
func (h *Handlers) approverCardSent(ctx context.Context, req baton.ApprovalRequest, step int, approver string) (bool, error) {
	cards, err := h.approvals.RequestCards(ctx, req.ID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(cards, func(c baton.ApprovalCard) bool { return c.Step == step && c.ApproverID == approver }), nil
}

// stepStart is when a step became current: when the request was filed, for the first; when the last
// action on the step before it decided that one, for the others.
func stepStart(req baton.ApprovalRequest, trail []baton.ApprovalAction, step int) time.Time {
	start := req.CreatedAt
	for _, a := range trail {
		if step > 0 && a.Step == step-1 && a.At.After(start) {
			start = a.At
		}
	}
	return start
}
