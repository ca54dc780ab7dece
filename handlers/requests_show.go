package handlers

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// ApprovalListStore lists approval requests: a person's own, those waiting on them, and an export's.
type ApprovalListStore interface {
	RequestsByRequester(ctx context.Context, teamID, userID string, limit int) ([]baton.ApprovalRequest, error)
	RequestsAwaiting(ctx context.Context, teamID, userID string, limit int) ([]baton.ApprovalRequest, error)
	AwaitingApproval(ctx context.Context, teamID, userID string, limit int) ([]baton.PendingApproval, int, error)
	ExportRequests(ctx context.Context, teamID, userID string, from, to time.Time, limit int) ([]baton.ApprovalRequest, map[int64][]baton.ApprovalAction, error)
}

// reqListLimit bounds how many requests one list shows.
const reqListLimit = 20

// showRequest shows a request with its route and history, to its requester and its approvers.
func (h *Handlers) showRequest(ctx context.Context, r *bot.Request, number int64) {
	req, err := h.approvals.Request(ctx, r.TeamID, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if !canSee(req, r.UserID) {
		h.fail(ctx, r, baton.Errorf(baton.EForbidden, "Only the requester and the approvers of %s can see it.", req.Ref()))
		return
	}
	trail, err := h.approvals.RequestActions(ctx, req.ID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	t := h.requestType(req.Type)
	h.reply(ctx, r, statusCardText(req, t), requestShowBlocks(req, t, trail)...)
}

// requestShowBlocks is /request R-9: the status card, then the request's history.
func requestShowBlocks(req baton.ApprovalRequest, t *baton.RequestType, trail []baton.ApprovalAction) []slack.Block {
	blocks := statusCardBlocks(req, t, trail)
	return append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip("*History*\n"+trailLines(req, trail), 3000)), nil, nil, slack.SectionBlockOptionBlockID("req_trail")))
}

func canSee(req baton.ApprovalRequest, userID string) bool {
	if req.RequesterID == userID {
		return true
	}
	for _, s := range req.Steps {
		for _, a := range s.Approvers {
			if a == userID {
				return true
			}
		}
	}
	return false
}

// listMyRequests lists the requests the person made.
func (h *Handlers) listMyRequests(ctx context.Context, r *bot.Request) {
	reqs, err := h.approvalLists.RequestsByRequester(ctx, r.TeamID, r.UserID, reqListLimit)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if len(reqs) == 0 {
		h.reply(ctx, r, "You haven't made any requests yet. Start one with `/request`.")
		return
	}
	h.replyList(ctx, r, "*Your requests*", reqs)
}

// listAwaiting lists the requests waiting for the person's approval.
func (h *Handlers) listAwaiting(ctx context.Context, r *bot.Request) {
	reqs, err := h.approvalLists.RequestsAwaiting(ctx, r.TeamID, r.UserID, reqListLimit)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if len(reqs) == 0 {
		h.reply(ctx, r, ":tada: Nothing is waiting for your approval.")
		return
	}
	h.replyList(ctx, r, "*Waiting for your approval*", reqs)
}

func (h *Handlers) replyList(ctx context.Context, r *bot.Request, title md.Text, reqs []baton.ApprovalRequest) {
	text := requestListText(title, reqs, h.requestType)
	h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("req_list")))
}

// requestListText is a list of requests under its title, each with the type it was filed as.
func requestListText(title md.Text, reqs []baton.ApprovalRequest, typeOf func(name string) *baton.RequestType) md.Text {
	lines := []md.Text{title}
	for _, req := range reqs {
		lines = append(lines, requestLine(req, typeOf(req.Type)))
	}
	return md.Clip(md.Join(lines, "\n"), 3000)
}

// whyRequest is a dry run: where a request would go and why, with nothing filed.
func (h *Handlers) whyRequest(ctx context.Context, r *bot.Request, p *baton.Policy, text string) {
	now := h.now()
	grants, err := h.requesterGrants(ctx, p, r.TeamID, r.UserID, now)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	dir, err := h.directory(ctx, r.TeamID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	d, err := p.DryRun(text, r.UserID, dir, grants, now)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, dryRunText(d))
}

// dryRunText is what /request why answers. The dry run's words are the policy's and the route's, with
// the mentions of the people it would go to.
func dryRunText(d baton.DryRun) md.Text {
	return md.Clip(md.F(":mag: Nothing was filed — this is where it would go.\n%s", md.WithMentions(d.String())), 3000)
}
