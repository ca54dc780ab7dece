package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// reply answers the person who acted, privately: through the response_url when the request has one,
// in a window over their dashboard when they acted there, otherwise in their direct messages with Baton.
func (h *Handlers) reply(ctx context.Context, r *bot.Request, text md.Text, blocks ...slack.Block) {
	if onHome(r) && h.showOnHome(ctx, r, text, blocks) {
		return
	}
	opts := []slack.MsgOption{msgText(text)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if url := responseURL(r); url != "" {
		err := h.slack.Respond(ctx, url, opts...)
		if err == nil {
			return
		}
		h.logger(ctx).WarnContext(ctx, "reply through response_url failed; sending a direct message", "err", err)
	}
	h.dm(ctx, r.UserID, opts...)
}

// dm sends a direct message from Baton to a person; a failure is logged.
func (h *Handlers) dm(ctx context.Context, userID string, opts ...slack.MsgOption) {
	if err := h.sendDM(ctx, userID, opts...); err != nil {
		h.logger(ctx).ErrorContext(ctx, "direct message not delivered", "user_id", userID, "err", err)
	}
}

// sendDM sends a direct message from Baton to a person.
func (h *Handlers) sendDM(ctx context.Context, userID string, opts ...slack.MsgOption) error {
	ch, err := h.slack.OpenDM(ctx, userID)
	if err == nil {
		_, _, err = h.slack.PostMessage(ctx, ch, opts...)
	}
	return err
}

func responseURL(r *bot.Request) string {
	switch {
	case r.Command != nil:
		return r.Command.ResponseURL
	case r.Interaction != nil:
		return r.Interaction.ResponseURL
	}
	return ""
}

// fail tells the person that what they asked for did not happen. A domain error's message is shown as is;
// anything else is logged with a short reference the person can quote. A refusal on the dashboard
// redraws it, since what it showed may be out of date.
func (h *Handlers) fail(ctx context.Context, r *bot.Request, err error) {
	h.reply(ctx, r, h.userMessage(ctx, err))
	if onHome(r) {
		h.homes.kick(homeKey{r.TeamID, r.UserID}, 0)
	}
}

// onHome reports whether r is an action on the person's App Home, where Slack gives no response_url.
func onHome(r *bot.Request) bool {
	return r.Interaction != nil && r.Interaction.Type == slack.InteractionTypeBlockActions && r.Interaction.View.Type == slack.VTHomeTab
}

// cbHomeAnswer names the window an answer on the dashboard is shown in; it has nothing to submit.
const cbHomeAnswer = "home.answer"

// showOnHome answers an action on the dashboard in a window over it, with nothing to submit; it
// reports false when Slack would not open one (the few seconds to open it had passed).
func (h *Handlers) showOnHome(ctx context.Context, r *bot.Request, text md.Text, blocks []slack.Block) bool {
	if r.Replayed {
		return false
	}
	if len(blocks) == 0 {
		blocks = []slack.Block{slack.NewSectionBlock(mrkdwn(md.Clip(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID("answer"))}
	}
	shown := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		if b.BlockType() != slack.MBTAction { // its buttons answer in messages; here it is read only
			shown = append(shown, b)
		}
	}
	v := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: cbHomeAnswer, Title: plain("Baton"), Close: plain("Close"), Blocks: slack.Blocks{BlockSet: shown}}
	if _, err := h.slack.OpenView(ctx, triggerID(r), v); err != nil {
		h.logger(ctx).WarnContext(ctx, "answer on the dashboard not shown in a window; sending it as a message", "err", err)
		return false
	}
	return true
}

// userMessage turns an error into words for the person who acted, logging internal errors once. A
// domain error names people with <@U…>; those stay mentions, and nothing else in it becomes markup.
func (h *Handlers) userMessage(ctx context.Context, err error) md.Text {
	if msg := baton.ErrorMessage(err); msg != "" {
		if baton.ErrorCode(err) == baton.EUnavailable {
			h.logger(ctx).WarnContext(ctx, "request not done: a server did not answer", "err", err)
		}
		return ":warning: " + md.WithMentions(msg)
	}
	ref := bot.NewRef()
	h.logger(ctx).ErrorContext(ctx, "request failed", "ref", ref, "err", err)
	return md.F(":warning: Something went wrong on our side. Please try again in a moment; if it keeps happening, give your Baton admin the reference %s.", ref)
}

// typedCommand is a slash command as the person typed it, in a code span.
func typedCommand(cmd *slack.SlashCommand) md.Text {
	return md.Code(strings.TrimSpace(cmd.Command + " " + baton.UnescapeSlack(cmd.Text)))
}

// GaveUp tells the person who asked for something that Baton gave up on it: the work was cut short
// by one stopped process after another. Events are nobody's request, and are only logged.
func (h *Handlers) GaveUp(ctx context.Context, r *bot.Request) {
	what := md.Text("what you asked for")
	switch {
	case r.Command != nil:
		what = md.F("what you asked for with %s", typedCommand(r.Command))
	case r.Action != nil:
		what = "what your click asked for"
	case r.Kind == bot.KindEvent:
		return
	}
	h.reply(ctx, r, md.F(":warning: Baton could not finish %s: it was interrupted too many times, so it stopped trying. Check whether any of it happened, and ask again if not.", what))
}

// linkTo is a message's permalink, "" when Slack can't give it: a link is a convenience, and its
// absence is only logged.
func (h *Handlers) linkTo(ctx context.Context, channelID, ts string) string {
	link, err := h.slack.Permalink(ctx, channelID, ts)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "no permalink for a message", "channel_id", channelID, "err", err)
	}
	return link
}

// commandHelp is a command's help, led by what was not understood when problem is set.
func commandHelp(command string, problem, body md.Text) []slack.Block {
	var b []slack.Block
	if problem != "" {
		b = append(b, slack.NewSectionBlock(mrkdwn(md.F(":thinking_face: %s Here is what %s understands:", md.Clip(problem, 1500), command)), nil, nil,
			slack.SectionBlockOptionBlockID("help_problem")))
	}
	return append(b, slack.NewSectionBlock(mrkdwn(body), nil, nil, slack.SectionBlockOptionBlockID("help")))
}
