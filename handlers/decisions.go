package handlers

import (
	"context"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// DecisionStore keeps decision records, their versions, cards and flags.
type DecisionStore interface {
	CreateDecision(ctx context.Context, d baton.Decision, v baton.DecisionVersion, reason string) (baton.DecisionSave, error)
	EditDecision(ctx context.Context, teamID string, number int64, reason string, change func(d *baton.Decision) (baton.DecisionVersion, error)) (baton.DecisionSave, error)
	Decision(ctx context.Context, teamID string, number int64) (baton.Decision, error)
	DecisionVersions(ctx context.Context, decisionID int64) ([]baton.DecisionVersion, error)
	SetDecisionCard(ctx context.Context, decisionID int64, channelID, ts, link string) error
	DecisionFlags(ctx context.Context, decisionID int64) ([]baton.DecisionFlag, error)
	DecisionFlag(ctx context.Context, id int64) (baton.DecisionFlag, error)
	AcknowledgeDecision(ctx context.Context, teamID string, number int64, userID string, version int, at time.Time) (baton.Decision, []int64, error)
	MarkFlagReminded(ctx context.Context, id int64, at time.Time) (bool, error)
	ListDecisions(ctx context.Context, q baton.DecisionQuery) ([]baton.Decision, error)
	PendingFlags(ctx context.Context, teamID, userID string, limit int) ([]baton.PendingFlag, int, error)
}

func (h *Handlers) registerDecisions(r *bot.Router) {
	r.Command("/decision", h.onDecisionCommand)
	r.ViewSubmission(cbDecisionNew, h.onDecisionSubmit)
	r.ViewSubmission(cbDecisionEdit, h.onDecisionSubmit)
	r.ViewSubmission(cbDecisionConflict, h.onDecisionReload)
	r.Action(actDecisionEdit, h.onDecisionEdit)
	r.Action(actDecisionHistory, h.onDecisionHistoryButton)
	r.Action(actDecisionAck, h.onDecisionAck)
	r.Action(actDecisionOpen, func(context.Context, *bot.Request) {})
}

func (h *Handlers) onDecisionCommand(ctx context.Context, r *bot.Request) {
	cmd := baton.ParseDecisionCommand(r.Command.Text)
	switch cmd.Kind {
	case baton.DecisionOpenModal:
		h.openModal(ctx, r, decisionModal(nil, r.ChannelID))
	case baton.DecisionShow:
		h.showDecision(ctx, r, cmd.Number)
	case baton.DecisionHistory:
		h.decisionHistory(ctx, r, cmd.Number)
	case baton.DecisionList:
		h.listDecisions(ctx, r, cmd)
	case baton.DecisionHelp:
		h.reply(ctx, r, decisionHelpText, decisionHelpBlocks("")...)
	default:
		h.reply(ctx, r, decisionHelpText, decisionHelpBlocks(md.F("I didn't understand `/decision %s`.", md.Clip(md.Esc(baton.UnescapeSlack(cmd.Problem)), 200)))...)
	}
}

// showDecision answers with the full record of a decision, privately.
func (h *Handlers) showDecision(ctx context.Context, r *bot.Request, number int64) {
	d, err := h.decisions.Decision(ctx, r.TeamID, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, decisionSummary(d), h.decisionBlocks(ctx, d, true)...)
}

// decisionHistory answers with a decision's versions and what each changed, privately.
func (h *Handlers) decisionHistory(ctx context.Context, r *bot.Request, number int64) {
	d, err := h.decisions.Decision(ctx, r.TeamID, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	versions, err := h.decisions.DecisionVersions(ctx, d.ID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, md.F("History of %s", d.Ref()), decisionHistoryBlocks(d, versions)...)
}

func (h *Handlers) onDecisionHistoryButton(ctx context.Context, r *bot.Request) {
	number, err := parseDecisionNumber(r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.decisionHistory(ctx, r, number)
}

// listDecisions finds decisions by task, key result, person or words.
func (h *Handlers) listDecisions(ctx context.Context, r *bot.Request, cmd baton.DecisionCommand) {
	q := baton.DecisionQuery{TeamID: r.TeamID, TaskNumber: cmd.Task, KRNumber: cmd.KR, Words: cmd.Words}
	var title md.Text = "Latest decisions"
	switch {
	case cmd.Task != 0:
		if _, err := h.tasks.Task(ctx, r.TeamID, cmd.Task); err != nil {
			h.fail(ctx, r, err)
			return
		}
		title = md.F("Decisions linked to %s", baton.TaskRef(cmd.Task))
	case cmd.KR != 0:
		if _, err := h.keyResults.KeyResult(ctx, r.TeamID, cmd.KR); err != nil {
			h.fail(ctx, r, err)
			return
		}
		title = md.F("Decisions linked to %s", baton.KRRef(cmd.KR))
	case cmd.User != (baton.UserRef{}):
		p, err := h.people.Resolve(ctx, cmd.User)
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		q.UserID = p.ID
		title = "Decisions by or flagged for " + md.Mention(p.ID)
	case cmd.Words != "":
		title = md.F("Decisions matching “%s”", clip(cmd.Words, 100))
	}
	found, err := h.decisions.ListDecisions(ctx, q)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, title, decisionListBlocks(title, found)...)
}

func parseDecisionNumber(v string) (int64, error) {
	n, err := parseNumber(v)
	if err != nil {
		return 0, baton.Errorf(baton.EInvalid, "That button is out of date. Find the decision with /decision list.")
	}
	return n, nil
}
