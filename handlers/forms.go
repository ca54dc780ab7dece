package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
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
