package handlers

import (
	"context"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

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

// tellEach tells each person about a task at once; a failure is logged, the others are still told.
func (h *Handlers) tellEach(ctx context.Context, t baton.Task, people []string, text md.Text) {
	for _, p := range people {
		h.tell(ctx, t, p, text)
	}
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
	case ev.Kind == baton.EventAsked:
		return md.F(":wave: %s asks how %s stands. Pick its status on the card or log an update there — a line is enough.", md.Mention(ev.Actor), head)
	case ev.Kind == baton.EventReassigned:
		return md.F(":arrows_counterclockwise: %s reassigned %s from %s to %s.", md.Mention(ev.Actor), head, md.Mention(ev.From), md.Mention(ev.To))
	}
	return md.F(":calendar: %s changed the due date of %s to %s.", md.Mention(ev.Actor), head, dueText(t.Due))
}

// notify sends one person a direct message about a task, with a button that opens its card; opts
// are added to the message.
func (h *Handlers) notify(ctx context.Context, t baton.Task, userID string, text md.Text, opts ...slack.MsgOption) error {
	link := t.CardLink
	if link == "" && t.CardTS != "" {
		link = h.linkTo(ctx, t.ChannelID, t.CardTS)
	}
	return h.sendDM(ctx, userID, append([]slack.MsgOption{msgText(text), slack.MsgOptionBlocks(noticeBlocks(t, text, link)...)}, opts...)...)
}

// tell is notify where nothing can try again: a failure is logged.
func (h *Handlers) tell(ctx context.Context, t baton.Task, userID string, text md.Text) {
	if err := h.notify(ctx, t, userID, text); err != nil {
		h.logger(ctx).ErrorContext(ctx, "direct message not delivered", "user_id", userID, "task", t.Ref(), "err", err)
	}
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

// askedText tells the person who asked for an update that it went out.
func askedText(t baton.Task) md.Text {
	return md.F(":wave: Asked %s how *%s · %s* stands. Their answer will show in the card's thread; you can ask again in 24 hours.",
		md.Mention(t.OwnerID), t.Ref(), md.Esc(t.Title))
}
