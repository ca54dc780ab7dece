package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// formState reads a submitted modal's inputs; every input block uses its block ID as its action ID.
type formState map[string]map[string]slack.BlockAction

func formValues(s *slack.ViewState) formState {
	if s == nil {
		return formState{}
	}
	return formState(s.Values)
}

func (f formState) get(id string) slack.BlockAction { return f[id][id] }

func (f formState) text(id string) string         { return strings.TrimSpace(f.get(id).Value) }
func (f formState) user(id string) string         { return f.get(id).SelectedUser }
func (f formState) date(id string) string         { return f.get(id).SelectedDate }
func (f formState) clock(id string) string        { return f.get(id).SelectedTime }
func (f formState) conversation(id string) string { return f.get(id).SelectedConversation }

func fieldErrors(errs map[string]string) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(errs)
}

// checkOwnerField puts under the owner field why the person chosen cannot own work (deactivated, a
// bot, not found); a failure to look them up keeps the form open with that failure.
func (h *Handlers) checkOwnerField(ctx context.Context, r *bot.Request, owner string, errs map[string]string) *slack.ViewSubmissionResponse {
	if _, err := h.people.Owner(ctx, owner); err != nil {
		if baton.ErrorMessage(err) == "" {
			return h.submitFailure(ctx, r, err, fOwner)
		}
		errs[fOwner] = baton.ErrorMessage(err)
	}
	return nil
}

// submitFailure keeps the modal open with the failure under a field: the person's input is not lost.
func (h *Handlers) submitFailure(ctx context.Context, r *bot.Request, err error, field string) *slack.ViewSubmissionResponse {
	msg := baton.ErrorMessage(err)
	if msg == "" {
		msg = strings.TrimPrefix(string(h.userMessage(ctx, err)), ":warning: ")
	}
	return fieldErrors(map[string]string{field: msg})
}

// openModal opens a modal on the request's trigger, which Slack honours for 3 seconds and once.
func (h *Handlers) openModal(ctx context.Context, r *bot.Request, v slack.ModalViewRequest) {
	if r.Replayed {
		h.reply(ctx, r, lateFormText(r, v))
		return
	}
	if _, err := h.slack.OpenView(ctx, triggerID(r), v); err != nil {
		if bot.IsSlackError(err, "expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id") {
			h.reply(ctx, r, ":hourglass: Slack took too long to open the form. Please try once more.")
			return
		}
		h.fail(ctx, r, err)
	}
}

// lateFormText tells the person that the form they asked for may not have opened: Baton stopped
// after Slack had its request (maybe after opening it), and picked the request up again after the
// few seconds Slack allows to open a form.
func lateFormText(r *bot.Request, v slack.ModalViewRequest) md.Text {
	again := md.Text("do it again")
	switch {
	case r.Command != nil:
		again = md.F("run %s again", typedCommand(r.Command))
	case r.Action != nil:
		again = "press the button again"
	case r.Kind == bot.KindShortcut || r.Kind == bot.KindMessageShortcut:
		again = "use the shortcut again"
	}
	title := "the form"
	if v.Title != nil {
		title = "the " + v.Title.Text + " form"
	}
	return md.F(":hourglass: Baton restarted while opening %s. If it did not open, %s: Slack allows only a few seconds to open a form, and nothing was saved.", title, again)
}

func triggerID(r *bot.Request) string {
	if r.Command != nil {
		return r.Command.TriggerID
	}
	if r.Interaction != nil {
		return r.Interaction.TriggerID
	}
	return ""
}
