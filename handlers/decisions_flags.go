package handlers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/scheduler"
)

// flagJob is the payload of a flag's reminder.
type flagJob struct {
	Number int64 `json:"n"`
	FlagID int64 `json:"f"`
}

func (h *Handlers) registerDecisionReminders(s Scheduler) {
	s.Handle(jobDecisionRemind, h.tracked(h.onDecisionRemind))
}

// decisionBlocks renders a decision with who it is flagged for and the key result it links.
func (h *Handlers) decisionBlocks(ctx context.Context, d baton.Decision, full bool) []slack.Block {
	var kr *baton.KeyResult
	if d.KRNumber != 0 {
		if k, err := h.keyResults.KeyResult(ctx, d.TeamID, d.KRNumber); err == nil {
			kr = &k
		} else {
			h.logger(ctx).WarnContext(ctx, "key result of a decision not read", "decision", d.Ref(), "err", err)
		}
	}
	return decisionCardBlocks(d, h.decisionFlags(ctx, d), kr, full)
}

func (h *Handlers) decisionFlags(ctx context.Context, d baton.Decision) []baton.DecisionFlag {
	flags, err := h.decisions.DecisionFlags(ctx, d.ID)
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "decision flags not read", "decision", d.Ref(), "err", err)
	}
	return flags
}

// updateDecisionCard redraws a decision's card in place.
func (h *Handlers) updateDecisionCard(ctx context.Context, d baton.Decision) {
	if d.CardTS == "" {
		return
	}
	if err := h.slack.UpdateMessage(ctx, d.ChannelID, d.CardTS, msgText(decisionSummary(d)),
		slack.MsgOptionBlocks(h.decisionBlocks(ctx, d, false)...)); err != nil {
		h.logger(ctx).ErrorContext(ctx, "decision card not updated", "decision", d.Ref(), "err", err)
	}
}

func (h *Handlers) cardLink(ctx context.Context, d baton.Decision) string {
	if d.CardLink != "" || d.CardTS == "" {
		return d.CardLink
	}
	return h.linkTo(ctx, d.ChannelID, d.CardTS)
}

// onDecisionAck records that the person has read the decision, shows it on the card, cancels the
// reminders of the flags it closed, and takes the buttons off their message.
func (h *Handlers) onDecisionAck(ctx context.Context, r *bot.Request) {
	number, version, err := parseAckValue(r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	d, opened, err := h.decisions.AcknowledgeDecision(ctx, r.TeamID, number, r.UserID, version, h.now())
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if len(opened) > 0 {
		h.updateDecisionCard(ctx, d)
	}
	for _, id := range opened {
		if h.sched != nil {
			h.cancelJob(ctx, flagJobKey(d.TeamID, d.Number, id))
		}
	}
	h.homes.Refresh(r.TeamID, r.UserID)
	if r.Interaction.Container.MessageTs == "" {
		return // pressed on the dashboard, which the refresh redraws
	}
	msg := r.Interaction.Message
	if err := h.slack.UpdateMessage(ctx, r.Interaction.Container.ChannelID, r.Interaction.Container.MessageTs,
		msgText(sentText(msg.Text)), slack.MsgOptionBlocks(ackedMessageBlocks(decisionAckedText(msg))...)); err != nil {
		h.logger(ctx).WarnContext(ctx, "flag message not updated", "decision", d.Ref(), "err", err)
	}
}

// currentFlag reports whether f is the flag its person has on d now: a withdrawn flag, or one a
// later version replaced, is not.
func (h *Handlers) currentFlag(ctx context.Context, d baton.Decision, f baton.DecisionFlag) bool {
	current := false
	for _, latest := range h.decisionFlags(ctx, d) {
		if latest.UserID == f.UserID {
			current = latest.ID == f.ID
		}
	}
	return current
}

// onDecisionRemind reminds someone of a flag still unacknowledged after a day, once. Outside their
// working hours the job comes back at their next working moment. A flag acknowledged, already
// reminded, or followed by a newer flag of a later version does nothing.
func (h *Handlers) onDecisionRemind(ctx context.Context, j scheduler.Job) error {
	var p flagJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.Key, err)
	}
	f, err := h.decisions.DecisionFlag(ctx, p.FlagID)
	if baton.ErrorCode(err) == baton.ENotFound {
		return nil
	}
	if err != nil || f.Acknowledged() || !f.RemindedAt.IsZero() {
		return err
	}
	d, err := h.decisions.Decision(ctx, j.TeamID, p.Number)
	if err != nil {
		return err
	}
	if !h.currentFlag(ctx, d, f) {
		return nil
	}
	cal, err := h.calendarOf(ctx, j.TeamID, f.UserID)
	if err != nil {
		return err
	}
	now := h.now()
	if next := cal.NextWorkingMoment(now); next.After(now) {
		return h.sched.EnqueueMany(ctx, []scheduler.Job{{Kind: j.Kind, Key: j.Key, TeamID: j.TeamID, Payload: j.Payload, DueAt: next}})
	}
	if first, err := h.decisions.MarkFlagReminded(ctx, f.ID, now); err != nil || !first {
		return err
	}
	text := flagReminder(d, f, now)
	h.dm(ctx, f.UserID, msgText(text), slack.MsgOptionBlocks(flagMessageBlocks(d, f.Version, text, h.cardLink(ctx, d))...))
	return nil
}
