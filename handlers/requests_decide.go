package handlers

import (
	"context"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// onRequestApprove approves the step a card is for. The store decides under a row lock, so only
// approvers of the current step act, and two clicks at once decide once.
func (h *Handlers) onRequestApprove(ctx context.Context, r *bot.Request) {
	number, step, err := parseDecisionValue(r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.decide(ctx, r, number, step, baton.ActApprove, "")
}

// decide applies an approver's action and tells everyone concerned. A refusal changes nothing and is
// said privately to the person who clicked.
func (h *Handlers) decide(ctx context.Context, r *bot.Request, number int64, step int, action, comment string) {
	req, _, err := h.approvals.ChangeRequest(ctx, r.TeamID, number, baton.Decide(step, r.UserID, action, comment, h.selfApproval, h.now()))
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.announcedRequest(req)
}

// selfApproval says whether the policy lets a requester decide their own requests of a type.
func (h *Handlers) selfApproval(requestType string) bool {
	t := h.requestType(requestType)
	return t != nil && t.AllowSelfApproval
}

// onRequestCommentButton opens the comment form of a rejection or a request for changes, for an
// approver of the current step only.
func (h *Handlers) onRequestCommentButton(actionID string) bot.Handler {
	action := baton.ActReject
	if actionID == actReqChanges {
		action = baton.ActChanges
	}
	return func(ctx context.Context, r *bot.Request) {
		number, step, err := parseDecisionValue(r.Action.Value)
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		req, err := h.approvals.Request(ctx, r.TeamID, number)
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		if _, err := req.CheckDecider(step, r.UserID, h.selfApproval); err != nil {
			h.fail(ctx, r, err)
			return
		}
		h.openModal(ctx, r, commentModal(req, step, action))
	}
}

// onRequestCommentSubmit rejects or asks for changes with the comment given.
func (h *Handlers) onRequestCommentSubmit(ctx context.Context, r *bot.Request) any {
	meta, err := decodeReqMeta(r.Interaction.View.PrivateMetadata)
	if err != nil || (meta.Action != baton.ActReject && meta.Action != baton.ActChanges) {
		return fieldErrors(map[string]string{fReqComment: "This form is out of date. Close it and start again."})
	}
	comment := formValues(r.Interaction.View.State).text(fReqComment)
	if comment == "" {
		return fieldErrors(map[string]string{fReqComment: "Say why, so the requester knows what to do."})
	}
	req, _, err := h.approvals.ChangeRequest(ctx, r.TeamID, meta.Number, baton.Decide(meta.Step, r.UserID, meta.Action, comment, h.selfApproval, h.now()))
	if err != nil {
		return h.submitFailure(ctx, r, err, fReqComment)
	}
	h.announcedRequest(req)
	return nil
}

// refreshRequestHomes republishes the dashboards of everyone a request concerns: its requester and
// every approver of every step.
func (h *Handlers) refreshRequestHomes(req baton.ApprovalRequest) {
	people := []string{req.RequesterID}
	for _, s := range req.Steps {
		people = append(people, s.Approvers...)
	}
	h.homes.Refresh(req.TeamID, people...)
}

// refreshCards redraws every approver card of a step.
func (h *Handlers) refreshCards(ctx context.Context, req baton.ApprovalRequest, t *baton.RequestType, step int, trail []baton.ApprovalAction) error {
	cards, err := h.approvals.RequestCards(ctx, req.ID)
	if err != nil {
		return err
	}
	for _, c := range cards {
		if c.Step != step {
			continue
		}
		if err := h.slack.UpdateMessage(ctx, c.ChannelID, c.TS, msgText(approverCardText(req, t)),
			slack.MsgOptionBlocks(approverCardBlocks(req, t, step, c.ApproverID, trail)...)); err != nil {
			return err
		}
	}
	return nil
}

// outcomeText says how a request ended, and the comment of the decision that ended it.
func outcomeText(req baton.ApprovalRequest, t *baton.RequestType, final *baton.ApprovalAction) md.Text {
	switch {
	case req.Status == baton.ApprovalApproved && len(req.Steps) > 0:
		last := req.Steps[len(req.Steps)-1]
		return md.F("%s %s is approved; the last approval was by %s.", statusEmoji(req.Status), requestTitle(req, t), mentionList(last.Approved[len(last.Approved)-1:]))
	case final != nil && final.Action != baton.ActAutoApprove:
		text := md.F("%s %s: %s by %s.", statusEmoji(req.Status), requestTitle(req, t), actionWords(final.Action), md.Mention(final.Actor))
		if final.Comment != "" {
			text += md.F(" “%s”", md.Clip(md.Esc(final.Comment), 1000))
		}
		return text
	}
	return md.F("%s %s is %s.", statusEmoji(req.Status), requestTitle(req, t), req.Status.Words())
}

// cancelRequest cancels a pending request for its requester and updates every card.
func (h *Handlers) cancelRequest(ctx context.Context, r *bot.Request, number int64) {
	req, _, err := h.approvals.ChangeRequest(ctx, r.TeamID, number, baton.Cancel(r.UserID, h.now()))
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, cancelledText(req, h.requestType(req.Type)))
	h.announcedRequest(req)
}

// cancelledText confirms a cancellation to the requester.
func cancelledText(req baton.ApprovalRequest, t *baton.RequestType) md.Text {
	return md.F(":no_entry_sign: Cancelled %s. Its approvers' cards now say so.", requestTitle(req, t))
}
