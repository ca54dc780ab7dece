package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// ApprovalStore keeps approval requests, their trail and where their cards are.
type ApprovalStore interface {
	CreateRequest(ctx context.Context, r baton.ApprovalRequest, actions []baton.ApprovalAction) (baton.ApprovalRequest, error)
	Request(ctx context.Context, teamID string, number int64) (baton.ApprovalRequest, error)
	RequestActions(ctx context.Context, requestID int64) ([]baton.ApprovalAction, error)
	ChangeRequest(ctx context.Context, teamID string, number int64, change baton.ApprovalChange) (baton.ApprovalRequest, baton.ApprovalOutcome, error)
	RecordRequestAction(ctx context.Context, a baton.ApprovalAction) error
	EscalateRequest(ctx context.Context, teamID string, number int64, step int, at time.Time) (baton.ApprovalRequest, []string, error)
	SetRequestStatusCard(ctx context.Context, requestID int64, channelID, ts, link string) error
	SetRequestThread(ctx context.Context, requestID int64, ts string) error
	AddRequestCard(ctx context.Context, c baton.ApprovalCard) error
	RequestCards(ctx context.Context, requestID int64) ([]baton.ApprovalCard, error)
}

func (h *Handlers) registerRequests(r *bot.Router) {
	r.Command("/request", h.onRequestCommand)
	r.ViewSubmission(cbReqPick, h.onRequestPickSubmit)
	r.ViewSubmission(cbReqNew, h.onRequestFormSubmit)
	r.ViewSubmission(cbReqComment, h.onRequestCommentSubmit)
	r.Action(actReqApprove, h.onRequestApprove)
	r.Action(actReqReject, h.onRequestCommentButton(actReqReject))
	r.Action(actReqChanges, h.onRequestCommentButton(actReqChanges))
}

const noPolicyText = ":information_source: No request types are configured yet, so there is nothing to request. Ask your Baton admin to set BATON_POLICIES to an approval policy file."

func (h *Handlers) onRequestCommand(ctx context.Context, r *bot.Request) {
	text := strings.TrimSpace(r.Command.Text)
	first, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	word := strings.ToLower(first)
	p := h.policyNow(ctx)
	if word == "help" {
		h.reply(ctx, r, requestHelpText, requestHelpBlocks(p, "")...)
		return
	}
	if p == nil {
		h.reply(ctx, r, noPolicyText)
		return
	}
	switch {
	case text == "":
		h.openModal(ctx, r, pickTypeModal(p, r.ChannelID))
	case word == "list" && rest == "":
		h.listMyRequests(ctx, r)
	case word == "list" && strings.EqualFold(rest, "pending"):
		h.listAwaiting(ctx, r)
	case word == "export":
		h.exportRequests(ctx, r, rest)
	case word == "why":
		h.whyRequest(ctx, r, p, rest)
	case word == "cancel":
		n, ok := parseRequestRef(rest)
		if !ok {
			h.reply(ctx, r, requestHelpText, requestHelpBlocks(p, "Say which request to cancel, for example `/request cancel R-9`.")...)
			return
		}
		h.cancelRequest(ctx, r, n)
	default:
		if n, ok := parseRequestRef(text); ok {
			h.showRequest(ctx, r, n)
			return
		}
		t, ok := p.Type(first)
		if !ok {
			h.reply(ctx, r, requestHelpText, requestHelpBlocks(p, md.Esc(baton.ErrorMessage(p.UnknownTypeError(clip(baton.UnescapeSlack(first), 40)))))...)
			return
		}
		if rest == "" {
			h.openModal(ctx, r, requestFormModal(t, r.ChannelID))
			return
		}
		h.quickRequest(ctx, r, p, t, text)
	}
}

// parseRequestRef reads R-9 (or r9, 9).
func parseRequestRef(s string) (int64, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "R"), "-")
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

const requestHelpText = "Baton approvals: /request, /request purchase amount=12000 …, /request list, /request R-9"

func requestHelpBlocks(p *baton.Policy, problem md.Text) []slack.Block {
	var types md.Text = "none configured yet"
	if p != nil {
		types = md.F("`%s`", strings.Join(p.TypeNames(), "`, `"))
	}
	return commandHelp("/request", problem,
		"*Ask for approval with /request*\n"+
			"• `/request` — choose a kind of request and fill in its form\n"+
			"• `/request purchase` — open that request's form\n"+
			"• `/request purchase amount=12000 client_tier=enterprise New laptops` — file it at once\n"+
			"• `/request why purchase amount=12000` — see where it would go, without filing it\n"+
			"• `/request list` — your requests · `/request list pending` — waiting for your approval\n"+
			"• `/request R-9` — one request and its history · `/request cancel R-9`\n"+
			"• `/request export 2026-11-01 2026-11-30` — a spreadsheet (CSV) of requests and their history in your DM; without dates, the last 30 days\n"+
			"Kinds of request: "+types)
}

// requestType finds the type a stored request was filed as; nil when the policy no longer has it.
func (h *Handlers) requestType(name string) *baton.RequestType {
	p := h.policy()
	if p == nil {
		return nil
	}
	t, _ := p.Type(name)
	return t
}
