package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

// sendOutgoing sends one message of the outbox as its task, decision or request stands now. Each
// post carries the message's outbox ID in its metadata, for alreadySent to find.
func (h *Handlers) sendOutgoing(ctx context.Context, m *baton.Outgoing) error {
	mark := outboxMark(m.ID)
	switch {
	case m.DecisionID != 0:
		return h.sendDecisionMessage(ctx, m, mark)
	case m.RequestID != 0:
		return h.sendRequestMessage(ctx, m, mark)
	}
	return h.sendTaskMessage(ctx, m, mark)
}

// outboxEvent names the metadata Baton's outbox posts carry.
const outboxEvent = "baton_outbox"

// outboxMark tags a post with the outbox message it sends.
func outboxMark(id int64) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"id": strconv.FormatInt(id, 10)}})
}

// alreadySent looks in Slack for a post of m that a process may have made without living to mark it
// sent: found says it is there (a card, a request's note or an approver's card found is recorded as
// if just posted), known that Slack could be asked (an app without the history scopes, say, cannot:
// the message is then sent, and may go twice).
func (h *Handlers) alreadySent(ctx context.Context, m *baton.Outgoing) (found, known bool) {
	since := strconv.FormatInt(m.Created.Add(-time.Minute).Unix(), 10) + ".000000"
	id := strconv.FormatInt(m.ID, 10)
	for _, p := range h.placesOf(ctx, m) {
		channel := p.channel
		if p.dmWith != "" {
			dm, err := h.slack.OpenDM(ctx, p.dmWith)
			if err != nil {
				h.logger(ctx).WarnContext(ctx, "could not look for a message sent before", "outbox_id", m.ID, "err", err)
				continue
			}
			channel = dm
		}
		msgs, err := h.slack.RecentMessages(ctx, channel, p.thread, since)
		if err != nil {
			h.logger(ctx).WarnContext(ctx, "could not look for a message sent before", "outbox_id", m.ID, "channel_id", channel, "err", err)
			continue
		}
		known = true
		for _, msg := range msgs {
			if msg.Metadata.EventType == outboxEvent && msg.Metadata.EventPayload["id"] == id {
				h.foundSent(ctx, m, channel, msg.Timestamp)
				return true, true
			}
		}
	}
	return false, known
}

// place is where a post may be: a channel (or the DM with a person) and a thread in it.
type place struct{ channel, dmWith, thread string }

// placesOf lists where a post of m may be. A card is looked for in its channel and in the DM it goes
// to when the channel refuses it.
func (h *Handlers) placesOf(ctx context.Context, m *baton.Outgoing) []place {
	t, d := m.Task, m.Decision
	switch m.Kind {
	case baton.AnnounceCard:
		return []place{{channel: t.ChannelID}, {dmWith: t.DelegatorID}}
	case baton.AnnounceThread:
		return []place{{channel: t.ChannelID, thread: t.CardTS}}
	case baton.AnnounceDecisionCard:
		return []place{{channel: d.ChannelID}, {dmWith: d.AuthorID}}
	case baton.AnnounceDecisionEdited, baton.AnnounceSuperseded:
		return []place{{channel: d.ChannelID, thread: d.CardTS}}
	case baton.AnnounceDecisionTask:
		if task, ok, _ := h.decisionTask(ctx, d); ok {
			return []place{{channel: task.ChannelID, thread: task.CardTS}}
		}
		return nil
	case baton.AnnounceRequestNote:
		return []place{{channel: m.Request.ChannelID}}
	case baton.AnnounceOutcomeThread:
		return []place{{channel: m.Request.ChannelID, thread: m.Request.ChannelTS}}
	case baton.AnnounceRequestStatus, baton.AnnounceOutcome:
		return []place{{dmWith: m.Request.RequesterID}}
	}
	return []place{{dmWith: m.To}}
}

// foundSent takes a post found in Slack as sent; a card (or a request's note) is recorded as if it had
// just been posted.
func (h *Handlers) foundSent(ctx context.Context, m *baton.Outgoing, channel, ts string) {
	var err error
	switch m.Kind {
	case baton.AnnounceCard:
		m.Task.ChannelID, m.Task.CardTS, m.Task.CardLink = channel, ts, h.linkTo(ctx, channel, ts)
		err = h.tasks.SetCard(ctx, m.Task.ID, channel, ts, m.Task.CardLink, m.Task.SourceLink)
	case baton.AnnounceDecisionCard:
		m.Decision.ChannelID, m.Decision.CardTS, m.Decision.CardLink = channel, ts, h.linkTo(ctx, channel, ts)
		err = h.decisions.SetDecisionCard(ctx, m.Decision.ID, channel, ts, m.Decision.CardLink)
	case baton.AnnounceRequestNote:
		m.Request.ChannelTS = ts
		err = h.approvals.SetRequestThread(ctx, m.Request.ID, ts)
	case baton.AnnounceRequestStatus:
		m.Request.StatusChannel, m.Request.StatusTS, m.Request.StatusLink = channel, ts, h.linkTo(ctx, channel, ts)
		err = h.approvals.SetRequestStatusCard(ctx, m.Request.ID, channel, ts, m.Request.StatusLink)
	case baton.AnnounceApproverCard:
		err = h.approvals.AddRequestCard(ctx, baton.ApprovalCard{RequestID: m.Request.ID, Step: int(m.Ref), ApproverID: m.To,
			ChannelID: channel, TS: ts, Link: h.linkTo(ctx, channel, ts)})
	}
	if err != nil {
		h.logger(ctx).ErrorContext(ctx, "card found but not recorded", "outbox_id", m.ID, "err", err)
	}
	h.logger(ctx).InfoContext(ctx, "message found already sent; not sending it again", "outbox_id", m.ID, "kind", m.Kind)
}

// posts reports whether sending m would post to Slack now, rather than send nothing: a signal kept
// for a digest, a flag already acknowledged or withdrawn, an approver's card already sent, a word for
// a task with no card. After a takeover, only a post that would go and is not in Slack shows where
// the dead holder stopped.
func (h *Handlers) posts(ctx context.Context, m baton.Outgoing) bool {
	switch m.Kind {
	case baton.AnnounceSignal:
		if h.sched == nil {
			return true
		}
		s, err := h.digests.Digest(ctx, m.TeamID, m.To)
		return err != nil || !s.Daily
	case baton.AnnounceFlag:
		f, err := h.decisions.DecisionFlag(ctx, m.Ref)
		return err == nil && !f.Acknowledged() && h.currentFlag(ctx, m.Decision, f)
	case baton.AnnounceApproverCard:
		sent, err := h.approverCardSent(ctx, m.Request, int(m.Ref), m.To)
		return err != nil || !sent
	case baton.AnnounceDecisionTask:
		_, ok, err := h.decisionTask(ctx, m.Decision)
		return err != nil || ok
	}
	return true
}

// postFirstCard posts a card in its channel, joining the channel first when it is public and Baton
// is not in it. When Slack refuses the channel for good (private and Baton not invited, archived,
// gone), the card goes to owner's DM instead and moved says so; a failure that may pass is returned,
// for the message to be tried again. It returns where the card went.
func (h *Handlers) postFirstCard(ctx context.Context, channelID, owner string, opts ...slack.MsgOption) (channel, ts string, moved bool, err error) {
	ts, err = h.postJoining(ctx, channelID, opts...)
	if !bot.IsPermanent(err) {
		return channelID, ts, false, err
	}
	h.logger(ctx).WarnContext(ctx, "card not posted in its channel; sending it by direct message", "channel_id", channelID, "user_id", owner, "err", err)
	dm, err := h.slack.OpenDM(ctx, owner)
	if err == nil {
		_, ts, err = h.slack.PostMessage(ctx, dm, opts...)
	}
	return dm, ts, true, err
}

// postJoining posts in a channel, joining it first when it is public and Baton is not a member.
func (h *Handlers) postJoining(ctx context.Context, channelID string, opts ...slack.MsgOption) (string, error) {
	_, ts, err := h.slack.PostMessage(ctx, channelID, opts...)
	if bot.IsSlackError(err, "not_in_channel") {
		if info, ierr := h.slack.ChannelInfo(ctx, channelID); ierr == nil && !info.IsPrivate && !info.IsIM && !info.IsMpIM {
			if jerr := h.slack.JoinChannel(ctx, channelID); jerr == nil {
				_, ts, err = h.slack.PostMessage(ctx, channelID, opts...)
			}
		}
	}
	return ts, err
}
