package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/store"
)

// reqListLimit bounds how many requests one list shows.
const reqListLimit = 20

// showRequest shows a request with its route and history, to its requester and its approvers.
func (h *Handlers) showRequest(ctx context.Context, r *bot.Request, number int64) {
	req, err := h.store.Request(ctx, r.TeamID, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if !canSee(req, r.UserID) {
		h.fail(ctx, r, baton.Errorf(baton.EForbidden, "Only the requester and the approvers of %s can see it.", req.Ref()))
		return
	}
	trail, err := h.store.RequestActions(ctx, req.ID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	t := h.requestType(req.Type)
	blocks := statusCardBlocks(req, t, trail)
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(clip("*History*\n"+trailLines(req, trail), 3000)), nil, nil, slack.SectionBlockOptionBlockID("req_trail")))
	h.reply(ctx, r, statusCardText(req, t), blocks...)
}

func canSee(req store.Request, userID string) bool {
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
	reqs, err := h.store.RequestsByRequester(ctx, r.TeamID, r.UserID, reqListLimit)
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
	reqs, err := h.store.RequestsAwaiting(ctx, r.TeamID, r.UserID, reqListLimit)
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

func (h *Handlers) replyList(ctx context.Context, r *bot.Request, title string, reqs []store.Request) {
	lines := []string{title}
	for _, req := range reqs {
		lines = append(lines, requestLine(req, h.requestType(req.Type)))
	}
	text := clip(strings.Join(lines, "\n"), 3000)
	h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("req_list")))
}

// whyRequest is a dry run: where a request would go and why, with nothing filed.
func (h *Handlers) whyRequest(ctx context.Context, r *bot.Request, p *baton.Policy, text string) {
	now := h.now()
	grants, _, err := h.requesterGrants(ctx, p, r.TeamID, r.UserID, now)
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
	out := fmt.Sprintf(":mag: Nothing was filed — this is where it would go.\n%s", d.String())
	h.reply(ctx, r, clip(out, 3000))
}
