package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// announcedDecision starts sending what a decision's saved version owes, written to the outbox with
// it, and refreshes the dashboards of the people it flags.
func (h *Handlers) announcedDecision(saved baton.DecisionSave) {
	d := saved.Decision
	h.outbox.kick(baton.Lane{TeamID: d.TeamID, Lane: d.AnnounceLane()})
	if old := saved.Superseded; old != nil {
		h.outbox.kick(baton.Lane{TeamID: old.TeamID, Lane: old.AnnounceLane()})
	}
	for _, f := range saved.Flags {
		h.homes.Refresh(d.TeamID, f.UserID)
	}
}

// sendDecisionMessage sends one message of the outbox about a decision, as it stands now.
func (h *Handlers) sendDecisionMessage(ctx context.Context, m *baton.Outgoing, mark slack.MsgOption) error {
	d := m.Decision
	switch m.Kind {
	case baton.AnnounceDecisionCard:
		if d.CardTS != "" {
			return h.slack.UpdateMessage(ctx, d.ChannelID, d.CardTS, msgText(decisionSummary(d)), slack.MsgOptionBlocks(h.decisionBlocks(ctx, d, false)...))
		}
		return h.postDecisionCard(ctx, &m.Decision, mark)
	case baton.AnnounceDecisionTask:
		t, ok, err := h.decisionTask(ctx, d)
		if !ok {
			return err
		}
		_, _, err = h.slack.PostMessage(ctx, t.ChannelID, msgText(taskDecisionLine(d, h.cardLink(ctx, d))), slack.MsgOptionTS(t.CardTS), mark)
		return err
	case baton.AnnounceDecisionEdited:
		if d.CardTS == "" {
			return nil
		}
		v, err := h.decisionVersion(ctx, d, int(m.Ref))
		if err != nil {
			return err
		}
		_, _, err = h.slack.PostMessage(ctx, d.ChannelID, msgText(decisionEditLine(d, v)),
			slack.MsgOptionBlocks(decisionEditReply(d, v)...), slack.MsgOptionTS(d.CardTS), mark)
		return err
	case baton.AnnounceSuperseded:
		if d.CardTS == "" || d.SupersededByNumber == 0 {
			return nil
		}
		newer, err := h.decisions.Decision(ctx, d.TeamID, d.SupersededByNumber)
		if err != nil {
			return err
		}
		_, _, err = h.slack.PostMessage(ctx, d.ChannelID, msgText(supersededLine(newer)), slack.MsgOptionTS(d.CardTS), mark)
		return err
	case baton.AnnounceFlag:
		return h.sendFlag(ctx, d, m.Ref, mark)
	}
	return fmt.Errorf("outbox: unknown message kind %q", m.Kind)
}

// postDecisionCard posts a decision's first card in its channel, joining a public channel Baton is
// not in, and records where it went. A channel Baton truly cannot post in sends the card to the
// author's DM with a word on how to fix it; a failure that may pass is returned, to be tried again.
func (h *Handlers) postDecisionCard(ctx context.Context, d *baton.Decision, mark slack.MsgOption) error {
	asked := d.ChannelID
	ch, ts, moved, err := h.postFirstCard(ctx, asked, d.AuthorID, msgText(decisionSummary(*d)), slack.MsgOptionBlocks(h.decisionBlocks(ctx, *d, false)...), mark)
	if err != nil {
		return err
	}
	d.ChannelID, d.CardTS, d.CardLink = ch, ts, h.linkTo(ctx, ch, ts)
	if err := h.decisions.SetDecisionCard(ctx, d.ID, d.ChannelID, ts, d.CardLink); err != nil {
		return fmt.Errorf("decision card posted but not recorded: %w", err)
	}
	if moved {
		if _, _, err := h.slack.PostMessage(ctx, d.ChannelID, msgText(md.F(":information_source: %s is recorded, but I can't post in %s — it's private or I'm not a member. Invite me with `/invite @Baton`; the card is above for now.", d.Ref(), md.Channel(asked)))); err != nil {
			h.logger(ctx).WarnContext(ctx, "could not say why the decision card is in direct messages", "decision", d.Ref(), "err", err)
		}
	}
	return nil
}

// decisionTask is the task a decision is about, when it has a card to reply under.
func (h *Handlers) decisionTask(ctx context.Context, d baton.Decision) (baton.Task, bool, error) {
	if d.TaskNumber == 0 {
		return baton.Task{}, false, nil
	}
	t, err := h.tasks.Task(ctx, d.TeamID, d.TaskNumber)
	if baton.ErrorCode(err) == baton.ENotFound {
		return t, false, nil
	}
	return t, err == nil && t.CardTS != "", err
}

// decisionVersion reads version n of a decision.
func (h *Handlers) decisionVersion(ctx context.Context, d baton.Decision, n int) (baton.DecisionVersion, error) {
	versions, err := h.decisions.DecisionVersions(ctx, d.ID)
	if err != nil {
		return baton.DecisionVersion{}, err
	}
	for _, v := range versions {
		if v.Version == n {
			return v, nil
		}
	}
	return baton.DecisionVersion{}, fmt.Errorf("decision %s has no version %d", d.Ref(), n)
}

// sendFlag asks the person a flag names to acknowledge the decision, unless they have already or a
// later version withdrew or replaced the flag, and schedules the flag's one reminder (a job under the
// flag's key: scheduling it again changes nothing).
func (h *Handlers) sendFlag(ctx context.Context, d baton.Decision, flagID int64, mark slack.MsgOption) error {
	f, err := h.decisions.DecisionFlag(ctx, flagID)
	if baton.ErrorCode(err) == baton.ENotFound {
		return nil
	}
	if err != nil || f.Acknowledged() || !h.currentFlag(ctx, d, f) {
		return err
	}
	v, err := h.decisionVersion(ctx, d, f.Version)
	if err != nil {
		return err
	}
	if h.sched != nil {
		payload, _ := json.Marshal(flagJob{Number: d.Number, FlagID: f.ID})
		if err := h.sched.EnqueueMany(ctx, []scheduler.Job{{Kind: jobDecisionRemind, Key: flagJobKey(d.TeamID, d.Number, f.ID), TeamID: d.TeamID,
			Payload: payload, DueAt: f.FlaggedAt.Add(baton.FlagReminderAfter)}}); err != nil {
			return err
		}
	}
	text := flagNotice(d, v, f, slices.Contains(v.Flagged, f.UserID))
	return h.sendDM(ctx, f.UserID, msgText(text), slack.MsgOptionBlocks(flagMessageBlocks(d, f.Version, text, h.cardLink(ctx, d))...), mark)
}
