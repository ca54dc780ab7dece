package handlers

import (
	"context"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// notifyAssigned tells a new owner the task is theirs: what, by when, from whom, and where the card is.
func (h *Handlers) notifyAssigned(ctx context.Context, t baton.Task, actor, note string) {
	if t.OwnerID == actor {
		return
	}
	h.notify(ctx, t, t.OwnerID, assignedText(t, actor, note, h.goalOf(ctx, t)))
}

// assignedText is the direct message to a task's new owner; goal, the goal the task serves, may be nil.
func assignedText(t baton.Task, actor, note string, goal *baton.Alignment) md.Text {
	text := md.F(":baton: %s handed you *%s · %s*.", md.Mention(actor), t.Ref(), md.Esc(t.Title))
	if actor != t.DelegatorID {
		text = md.F(":baton: %s assigned you *%s · %s*, delegated by %s.", md.Mention(actor), t.Ref(), md.Esc(t.Title), md.Mention(t.DelegatorID))
	}
	text += "\n*Due:* " + dueText(t.Due)
	if goal != nil {
		text += "\n:dart: *Why it matters:* " + chainText(*goal)
	}
	if note != "" {
		text += "\n> " + md.Clip(md.Esc(note), 1500)
	}
	return text
}

// notifyChange tells the owner and the delegator about a change one of the others made.
func (h *Handlers) notifyChange(ctx context.Context, before, after baton.Task, ev baton.TaskEvent) {
	switch ev.Kind {
	case baton.EventReassigned:
		h.notifyAssigned(ctx, after, ev.Actor, ev.Note)
		h.notifyOthers(ctx, after, ev.Actor, []string{after.DelegatorID, before.OwnerID}, eventNotice(after, ev))
	case baton.EventStatus, baton.EventDue:
		urgent := ev.Kind == baton.EventStatus && ev.To == string(baton.StatusBlocked)
		for _, p := range others(ev.Actor, after.OwnerID, after.DelegatorID) {
			h.signal(ctx, after, p, eventNotice(after, ev), urgent)
		}
	}
}

func (h *Handlers) notifyOthers(ctx context.Context, t baton.Task, actor string, people []string, text md.Text) {
	for _, p := range others(actor, people...) {
		h.notify(ctx, t, p, text)
	}
}

// others is people without the one who acted, each once.
func others(actor string, people ...string) []string {
	told := map[string]bool{actor: true, "": true}
	var out []string
	for _, p := range people {
		if !told[p] {
			told[p] = true
			out = append(out, p)
		}
	}
	return out
}

// eventNotice is the direct message for a change, led by what matters most.
func eventNotice(t baton.Task, ev baton.TaskEvent) md.Text {
	head := md.F("*%s · %s*", t.Ref(), md.Esc(t.Title))
	switch {
	case ev.Kind == baton.EventStatus && ev.To == string(baton.StatusBlocked):
		return md.F(":red_circle: %s is *blocked* — %s says:\n> %s", head, md.Mention(ev.Actor), md.Clip(md.Esc(ev.Note), 1500))
	case ev.Kind == baton.EventStatus && ev.To == string(baton.StatusDone):
		return md.F(":white_check_mark: %s marked %s *Done*.", md.Mention(ev.Actor), head)
	case ev.Kind == baton.EventStatus:
		return md.F("%s %s moved %s from *%s* to *%s*.", baton.Status(ev.To).Emoji(), md.Mention(ev.Actor), head,
			baton.Status(ev.From).Label(), baton.Status(ev.To).Label())
	case ev.Kind == baton.EventReassigned:
		return md.F(":arrows_counterclockwise: %s reassigned %s from %s to %s.", md.Mention(ev.Actor), head, md.Mention(ev.From), md.Mention(ev.To))
	}
	return md.F(":calendar: %s changed the due date of %s to %s.", md.Mention(ev.Actor), head, dueText(t.Due))
}

// notify sends one person a direct message about a task, with a button that opens its card.
func (h *Handlers) notify(ctx context.Context, t baton.Task, userID string, text md.Text) {
	var link string
	if t.CardTS != "" {
		var err error
		if link, err = h.slack.Permalink(ctx, t.ChannelID, t.CardTS); err != nil {
			h.log.WarnContext(ctx, "no permalink for the card", "task", t.Ref(), "err", err)
		}
	}
	h.dm(ctx, userID, msgText(text), slack.MsgOptionBlocks(noticeBlocks(t, text, link)...))
}

// noticeBlocks is a direct message about a task, with a button that opens its card at cardLink
// (none when cardLink is empty).
func noticeBlocks(t baton.Task, text md.Text, cardLink string) []slack.Block {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(md.Clip(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID("notice"))}
	if cardLink != "" {
		open := slack.NewButtonBlockElement(actOpen, numberString(t.Number), plain("Open card"))
		open.URL = cardLink
		open.Style = slack.StylePrimary
		blocks = append(blocks, slack.NewActionBlock("notice_actions", open))
	}
	return blocks
}
