package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
)

// notifyAssigned tells a new owner the task is theirs: what, by when, from whom, and where the card is.
func (h *Handlers) notifyAssigned(ctx context.Context, t baton.Task, actor, note string) {
	if t.OwnerID == actor {
		return
	}
	text := fmt.Sprintf(":baton: %s handed you *%s · %s*.", mention(actor), t.Ref(), esc(t.Title))
	if actor != t.DelegatorID {
		text = fmt.Sprintf(":baton: %s assigned you *%s · %s*, delegated by %s.", mention(actor), t.Ref(), esc(t.Title), mention(t.DelegatorID))
	}
	text += "\n*Due:* " + dueText(t.Due)
	if goal := h.goalOf(ctx, t); goal != nil {
		text += "\n:dart: *Why it matters:* " + chainText(*goal)
	}
	if note != "" {
		text += "\n> " + clip(esc(note), 1500)
	}
	h.notify(ctx, t, t.OwnerID, text)
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

func (h *Handlers) notifyOthers(ctx context.Context, t baton.Task, actor string, people []string, text string) {
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
func eventNotice(t baton.Task, ev baton.TaskEvent) string {
	head := fmt.Sprintf("*%s · %s*", t.Ref(), esc(t.Title))
	switch {
	case ev.Kind == baton.EventStatus && ev.To == string(baton.StatusBlocked):
		return fmt.Sprintf(":red_circle: %s is *blocked* — %s says:\n> %s", head, mention(ev.Actor), clip(esc(ev.Note), 1500))
	case ev.Kind == baton.EventStatus && ev.To == string(baton.StatusDone):
		return fmt.Sprintf(":white_check_mark: %s marked %s *Done*.", mention(ev.Actor), head)
	case ev.Kind == baton.EventStatus:
		return fmt.Sprintf("%s %s moved %s from *%s* to *%s*.", baton.Status(ev.To).Emoji(), mention(ev.Actor), head,
			baton.Status(ev.From).Label(), baton.Status(ev.To).Label())
	case ev.Kind == baton.EventReassigned:
		return fmt.Sprintf(":arrows_counterclockwise: %s reassigned %s from %s to %s.", mention(ev.Actor), head, mention(ev.From), mention(ev.To))
	}
	return fmt.Sprintf(":calendar: %s changed the due date of %s to %s.", mention(ev.Actor), head, dueText(t.Due))
}

// notify sends one person a direct message about a task, with a button that opens its card.
func (h *Handlers) notify(ctx context.Context, t baton.Task, userID, text string) {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(clip(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID("notice"))}
	if t.CardTS != "" {
		if link, err := h.slack.Permalink(ctx, t.ChannelID, t.CardTS); err == nil {
			open := slack.NewButtonBlockElement(actOpen, numberString(t.Number), plain("Open card"))
			open.URL = link
			open.Style = slack.StylePrimary
			blocks = append(blocks, slack.NewActionBlock("notice_actions", open))
		} else {
			h.log.WarnContext(ctx, "no permalink for the card", "task", t.Ref(), "err", err)
		}
	}
	h.dm(ctx, userID, slack.MsgOptionText(clip(text, 3000), false), slack.MsgOptionBlocks(blocks...))
}
