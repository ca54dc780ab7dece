package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// goalOf is the goal a task serves, or nil when it serves none. A goal that cannot be read is logged
// and left out: the task is shown without it rather than not at all.
func (h *Handlers) goalOf(ctx context.Context, t baton.Task) *baton.Alignment {
	if t.KRID == 0 {
		return nil
	}
	a, err := h.keyResults.Alignment(ctx, t.TeamID, t.KRID)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "goal of a task not read", "task", t.Ref(), "err", err)
		return nil
	}
	return &a
}

// cardOf renders a task's card with the goal it serves.
func (h *Handlers) cardOf(ctx context.Context, t baton.Task) []slack.Block {
	return cardBlocks(t, h.goalOf(ctx, t), h.now())
}

// announced starts sending what a task's change owes, written to the outbox with the change.
func (h *Handlers) announced(t baton.Task) {
	h.outbox.kick(baton.Lane{TeamID: t.TeamID, Lane: t.AnnounceLane()})
}

// sendTaskMessage sends one message of the outbox about a task, as it stands now.
func (h *Handlers) sendTaskMessage(ctx context.Context, m *baton.Outgoing, mark slack.MsgOption) error {
	t, ev := m.Task, m.Event
	switch m.Kind {
	case baton.AnnounceCard:
		if t.CardTS != "" {
			return h.slack.UpdateMessage(ctx, t.ChannelID, t.CardTS, msgText(taskSummary(t)), slack.MsgOptionBlocks(h.cardOf(ctx, t)...))
		}
		return h.postCard(ctx, &m.Task, mark)
	case baton.AnnounceThread:
		if t.CardTS == "" {
			return nil
		}
		_, _, err := h.slack.PostMessage(ctx, t.ChannelID, msgText(eventLine(ev)), slack.MsgOptionBlocks(threadReply(ev)...), slack.MsgOptionTS(t.CardTS), mark)
		return err
	case baton.AnnounceAssigned:
		note := ""
		if ev.Kind == baton.EventReassigned {
			note = ev.Note
		}
		return h.notify(ctx, t, m.To, assignedText(t, ev.Actor, note, h.goalOf(ctx, t)), mark)
	case baton.AnnounceNotice, baton.AnnounceUrgent:
		return h.notify(ctx, t, m.To, eventNotice(t, ev), mark)
	case baton.AnnounceSignal:
		return h.signal(ctx, t, m.To, eventNotice(t, ev), mark)
	case baton.AnnounceTaskTimers:
		return h.watch(ctx, t, ev)
	}
	return fmt.Errorf("outbox: unknown message kind %q", m.Kind)
}

// postCard posts a task's first card in its channel, joining a public channel Baton is not in, and
// records where it went. A channel Baton truly cannot post in (private, archived, gone) sends the
// card to the delegator's DM with a word on how to fix it; a failure that may pass is returned, to
// be tried again in the channel.
func (h *Handlers) postCard(ctx context.Context, t *baton.Task, mark slack.MsgOption) error {
	if t.SourceChannelID != "" && t.SourceTS != "" && t.SourceLink == "" {
		if link, err := h.slack.Permalink(ctx, t.SourceChannelID, t.SourceTS); err == nil {
			t.SourceLink = link
		} else {
			h.logger(ctx).WarnContext(ctx, "no permalink for the source message", "task", t.Ref(), "err", err)
		}
	}
	asked := t.ChannelID
	ch, ts, moved, err := h.postFirstCard(ctx, asked, t.DelegatorID, msgText(taskSummary(*t)), slack.MsgOptionBlocks(h.cardOf(ctx, *t)...), mark)
	if err != nil {
		return err
	}
	t.ChannelID, t.CardTS, t.CardLink = ch, ts, h.linkTo(ctx, ch, ts)
	if err := h.tasks.SetCard(ctx, t.ID, t.ChannelID, ts, t.CardLink, t.SourceLink); err != nil {
		// Tried again, the card is found in Slack by its outbox ID and recorded then.
		return fmt.Errorf("card posted but not recorded: %w", err)
	}
	if moved {
		if _, _, err := h.slack.PostMessage(ctx, t.ChannelID, msgText(movedToDMNotice(*t, asked))); err != nil {
			h.logger(ctx).WarnContext(ctx, "could not say why the card is in direct messages", "task", t.Ref(), "err", err)
		}
	}
	if t.SourceChannelID != "" && t.SourceTS != "" {
		if _, _, err := h.slack.PostMessage(ctx, t.SourceChannelID, msgText(trackedText(*t, t.CardLink)), slack.MsgOptionTS(t.SourceTS)); err != nil {
			h.logger(ctx).WarnContext(ctx, "could not reply in the source thread", "task", t.Ref(), "err", err)
		}
	}
	return nil
}

// trackedText is the reply under the message a task was made from; link is the card's, when known.
func trackedText(t baton.Task, link string) md.Text {
	if link != "" {
		return md.F(":baton: Tracked as %s, owned by %s.", md.Link(link, md.Esc(t.Ref())), md.Mention(t.OwnerID))
	}
	return md.F(":baton: Tracked as %s, owned by %s.", t.Ref(), md.Mention(t.OwnerID))
}

// movedToDMNotice, right under a task's card in direct messages, says why the card is there.
func movedToDMNotice(t baton.Task, asked string) md.Text {
	return md.F("I can't post the card of %s in %s — it's private, archived or I'm not a member. Invite me there with `/invite @Baton`; for now the card is above.",
		t.Ref(), md.Channel(asked))
}

// cardWait is how long a new task's card will wait for its turn in its channel, when that is long
// enough to tell the person who made it (0 otherwise): Slack lets Baton post about once a second per
// channel.
func (h *Handlers) cardWait(ctx context.Context, t baton.Task) time.Duration {
	n, err := h.lanes.LanePosts(ctx, baton.Lane{TeamID: t.TeamID, Lane: t.AnnounceLane()})
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "card's turn unknown", "task", t.Ref(), "err", err)
		return 0
	}
	if ahead := n - 1; ahead >= lateCard {
		return time.Duration(ahead) * h.outbox.stride
	}
	return 0
}

// lateCard is how many posts must be ahead of a card in its channel before the person who made the
// task is told when it will appear: about ten seconds' worth at Slack's pace.
const lateCard = 10

// lateCardNotice tells the person who made a task when its card will appear in its channel.
func lateCardNotice(t baton.Task, wait time.Duration) md.Text {
	return md.F(" Its card will appear in %s in about %s: Slack lets me post about once a second in a channel, and %s is busy.",
		md.Channel(t.ChannelID), roughly(wait), md.Channel(t.ChannelID))
}

// roughly says a wait the way a person would: "20 seconds", "3 minutes".
func roughly(d time.Duration) string {
	switch {
	case d < 55*time.Second:
		return fmt.Sprintf("%d seconds", int((d+5*time.Second)/(10*time.Second))*10)
	case d < 90*time.Second:
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", int((d+30*time.Second)/time.Minute))
}
