package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// quickRequest files a request typed in one line: /request purchase amount=12000 New laptops.
func (h *Handlers) quickRequest(ctx context.Context, r *bot.Request, p *baton.Policy, t *baton.RequestType, text string) {
	_, raw, rest := baton.ParseRequestQuick(text)
	values, errs := baton.ValidateValues(t, raw)
	if len(errs) > 0 {
		h.reply(ctx, r, valueErrorsText(errs))
		return
	}
	if len([]rune(rest)) > baton.MaxLongTextLen {
		h.reply(ctx, r, md.F(":warning: Nothing was filed: the description is longer than %d characters. Shorten it, or use the form with `/request %s`.", baton.MaxLongTextLen, t.Name))
		return
	}
	req, route, err := h.fileRequest(ctx, p, r.TeamID, r.UserID, r.ChannelID, t, values, rest)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, routeSummary(req, t, route))
	h.announcedRequest(req)
}

// valueErrorsText says why the values of a quick request were refused, one line per field.
func valueErrorsText(errs map[string]string) md.Text {
	var lines []md.Text
	for _, k := range sortedValueKeys(errs) {
		lines = append(lines, "• "+md.Esc(errs[k]))
	}
	return md.F(":warning: Nothing was filed. Fix this and try again:\n%s", md.Join(lines, "\n"))
}

// onRequestPickSubmit replaces the type picker with the chosen type's form.
func (h *Handlers) onRequestPickSubmit(ctx context.Context, r *bot.Request) any {
	p := h.policyNow(ctx)
	if p == nil {
		return fieldErrors(map[string]string{fReqType: "No request types are configured any more."})
	}
	meta, err := decodeReqMeta(r.Interaction.View.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fReqType: baton.ErrorMessage(err)})
	}
	choice := formValues(r.Interaction.View.State).get(fReqType).SelectedOption.Value
	t, ok := p.Type(choice)
	if !ok {
		return fieldErrors(map[string]string{fReqType: "Choose a kind of request."})
	}
	v := requestFormModal(t, meta.ChannelID)
	return slack.NewUpdateViewSubmissionResponse(&v)
}

// onRequestFormSubmit validates a request form before Slack closes it, so mistakes show under the field.
func (h *Handlers) onRequestFormSubmit(ctx context.Context, r *bot.Request) any {
	view := r.Interaction.View
	meta, err := decodeReqMeta(view.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fReqSummary: baton.ErrorMessage(err)})
	}
	var t *baton.RequestType
	p := h.policyNow(ctx)
	if p != nil {
		t, _ = p.Type(meta.Type)
	}
	if t == nil {
		return fieldErrors(map[string]string{fReqSummary: "This kind of request is no longer configured. Close the form and start again with /request."})
	}
	state := formValues(view.State)
	raw := map[string]string{}
	for _, f := range t.Fields {
		if s := formFieldValue(state, f); s != "" {
			raw[f.Name] = s
		}
	}
	values, errs := baton.ValidateValues(t, raw)
	if len(errs) > 0 {
		out := map[string]string{}
		for name, msg := range errs {
			out[fieldBlock(name)] = msg
		}
		return fieldErrors(out)
	}
	summary := state.text(fReqSummary)
	req, route, err := h.fileRequest(ctx, p, r.TeamID, r.UserID, meta.ChannelID, t, values, summary)
	if err != nil {
		return h.submitFailure(ctx, r, err, fReqSummary)
	}
	h.background(ctx, func(ctx context.Context) {
		// Where it goes comes first; the status card and the approvers' cards follow from the outbox.
		h.dm(ctx, req.RequesterID, msgText(routeSummary(req, t, route)))
		h.announcedRequest(req)
	})
	return nil
}

// formFieldValue reads one request field from a submitted form as typed text.
func formFieldValue(state formState, f baton.Field) string {
	a := state.get(fieldBlock(f.Name))
	switch f.Kind {
	case baton.FieldSelect:
		return a.SelectedOption.Value
	case baton.FieldDate:
		return a.SelectedDate
	case baton.FieldUser:
		return a.SelectedUser
	}
	return strings.TrimSpace(a.Value)
}

// fileRequest routes a request by policy p and stores it. Approvers Slack can't use (bots, people who left, unknown
// IDs) are left out and the route says so. Nothing is stored when the request can't be routed.
func (h *Handlers) fileRequest(ctx context.Context, p *baton.Policy, teamID, requester, channelID string, t *baton.RequestType, values baton.Values, summary string) (baton.ApprovalRequest, baton.Route, error) {
	now := h.now()
	grants, err := h.requesterGrants(ctx, p, teamID, requester, now)
	if err != nil {
		return baton.ApprovalRequest{}, baton.Route{}, err
	}
	dir, err := h.directory(ctx, teamID)
	if err != nil {
		return baton.ApprovalRequest{}, baton.Route{}, err
	}
	route, err := p.Route(t.Name, values, requester, dir, grants, now)
	if err != nil {
		return baton.ApprovalRequest{}, baton.Route{}, err
	}
	var used baton.Grant
	byGrant := route.Grant != nil
	if byGrant {
		used = *route.Grant
		route.Reason = "Grant " + used.Ref() + ": " + route.Reason
		route.Explanation = "Grant " + used.Ref() + ": " + route.Explanation
	}
	var lookupErr error
	route, err = route.KeepUsable(func(id string) bool {
		p, err := h.people.Get(ctx, id)
		if err != nil {
			if baton.ErrorCode(err) != baton.ENotFound && lookupErr == nil {
				lookupErr = err
			}
			return false
		}
		return !p.IsBot && !p.Deleted
	})
	if lookupErr != nil {
		return baton.ApprovalRequest{}, baton.Route{}, lookupErr
	}
	if err != nil {
		return baton.ApprovalRequest{}, baton.Route{}, err
	}
	req := baton.ApprovalRequest{
		TeamID: teamID, Type: t.Name, Values: valueTexts(values), Summary: summary, RequesterID: requester,
		PolicyVersion: route.PolicyVersion, Branch: route.Branch, BranchName: route.BranchName,
		Explanation: route.Explanation, Status: baton.ApprovalPending, CreatedAt: now,
	}
	if isChannel(channelID) {
		req.ChannelID = channelID
	}
	actions := []baton.ApprovalAction{{Actor: requester, Action: baton.ActSubmit, At: now}}
	if route.AutoApproved {
		req.Status, req.DecidedAt = baton.ApprovalApproved, now
		actions = append(actions, baton.ApprovalAction{Actor: requester, Action: baton.ActAutoApprove, Comment: route.Reason, At: now})
	} else {
		actions = append(actions, baton.ApprovalAction{Actor: requester, Action: baton.ActRoute, Comment: route.Explanation, At: now})
	}
	for _, s := range route.Steps {
		req.Steps = append(req.Steps, baton.ApprovalStep{Name: s.Name, Mode: s.Mode, Approvers: s.Approvers,
			RemindAfter: s.RemindAfter, EscalateAfter: s.EscalateAfter, EscalateTo: s.EscalateTo})
	}
	stored, err := h.approvals.CreateRequest(ctx, req, actions)
	if err == nil && byGrant {
		if err := h.grants.RecordGrantUse(ctx, used.ID, requester, stored.Number, now); err != nil {
			h.logger(ctx).ErrorContext(ctx, "grant use not recorded", "grant", used.Ref(), "request", stored.Ref(), "err", err)
		}
	}
	return stored, route, err
}

// isChannel reports whether a conversation is a channel (not a DM) where an outcome can be threaded.
func isChannel(id string) bool { return strings.HasPrefix(id, "C") || strings.HasPrefix(id, "G") }

// valueTexts writes typed values as text for storage.
func valueTexts(values baton.Values) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		switch x := v.(type) {
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case time.Time:
			out[k] = x.Format(time.DateOnly)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// routeSummary tells the requester what happened to their request and why.
func routeSummary(r baton.ApprovalRequest, t *baton.RequestType, route baton.Route) md.Text {
	if route.AutoApproved {
		return md.F(":white_check_mark: %s is approved automatically. %s", requestTitle(r, t), md.WithMentions(route.Explanation))
	}
	return md.F(":inbox_tray: Filed %s. It goes to %s first. Why: %s", requestTitle(r, t), mentionList(r.Steps[0].Approvers), md.WithMentions(route.Explanation))
}

// submittedText is the note in the channel a request was made in; its outcome is threaded under it.
func submittedText(req baton.ApprovalRequest, t *baton.RequestType) md.Text {
	return md.F(":inbox_tray: %s submitted by %s.", requestTitle(req, t), md.Mention(req.RequesterID))
}
