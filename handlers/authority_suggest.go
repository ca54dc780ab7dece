package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// Suggestions of authority, and the grant form they lead to.
const (
	actSuggestSimulate = "authority.suggest.simulate"
	actSuggestGrant    = "authority.suggest.grant"
	cbGrantForm        = "authority.grant"

	fGrantUser   = "g_user"
	fGrantType   = "g_type"
	fGrantCond   = "g_cond"
	fGrantUntil  = "g_until"
	fGrantReason = "g_reason"
)

// SuggestionStore keeps the workspace's suggestion setting and the suggestions made, and reads the
// requests a suggestion is made from.
type SuggestionStore interface {
	SuggestionSetting(ctx context.Context, teamID string) (on bool, after int, err error)
	SetSuggestionSetting(ctx context.Context, teamID string, on bool, after int, by string) error
	DecidedByApprovers(ctx context.Context, teamID, userID, requestType string, limit int) ([]baton.RecordRequest, error)
	CreateSuggestion(ctx context.Context, s baton.Suggestion) (baton.Suggestion, bool, error)
	Suggestion(ctx context.Context, teamID string, id int64) (baton.Suggestion, error)
	UnsentSuggestions(ctx context.Context, teamID, managerID string) ([]baton.Suggestion, error)
	MarkSuggestionsSent(ctx context.Context, ids []int64, at time.Time) error
}

const suggestionsHelp = "`/baton suggestions` — whether managers are suggested authority their people's record supports · `/baton suggestions off|on` · `/baton suggestions after 10` — after how many requests in a row approved as filed (admins)"

func (h *Handlers) registerSuggestions(r *bot.Router) {
	r.Action(actSuggestSimulate, h.onSuggestSimulate)
	r.Action(actSuggestGrant, h.onSuggestGrant)
	r.ViewSubmission(cbGrantForm, h.onGrantFormSubmit)
}

// considerSuggestion looks, once a request of req's requester was approved by people, at whether
// their record now supports a grant, and tells their manager: in their digest when they take one,
// at once otherwise. At most one suggestion per person and request type per SuggestEvery; nothing
// when the workspace turned suggestions off, the requester has no manager, or already holds
// authority for the type.
func (h *Handlers) considerSuggestion(ctx context.Context, req baton.ApprovalRequest) error {
	on, after, err := h.suggestions.SuggestionSetting(ctx, req.TeamID)
	if err != nil || !on {
		return err
	}
	dir, err := h.directory(ctx, req.TeamID)
	if err != nil {
		return err
	}
	manager := dir.Managers[req.RequesterID]
	if manager == "" {
		return nil
	}
	now := h.now()
	if held, err := h.grants.ActiveGrants(ctx, req.TeamID, req.RequesterID, now); err != nil {
		return err
	} else if holdsAuthorityFor(held, req.Type) {
		return nil
	}
	// The streak's requests, and the one before it: a streak opened by a re-filing doesn't count.
	reqs, err := h.suggestions.DecidedByApprovers(ctx, req.TeamID, req.RequesterID, req.Type, after+1)
	if err != nil {
		return err
	}
	s, ok := baton.SuggestGrant(reqs, numberFields(h.policy(), req.Type), after)
	if !ok {
		return nil
	}
	s.TeamID, s.ManagerID, s.CreatedAt = req.TeamID, manager, now
	if _, _, err := h.suggestions.CreateSuggestion(ctx, s); err != nil {
		return err
	}
	digest, err := h.digests.Digest(ctx, req.TeamID, manager)
	if err != nil || digest.Daily {
		return err
	}
	// Every suggestion still waiting for this manager goes: one whose DM failed before is sent now.
	return h.sendSuggestions(ctx, req.TeamID, manager, false)
}

// holdsAuthorityFor reports whether grants hold one for request type typ.
func holdsAuthorityFor(grants []baton.Grant, typ string) bool {
	for _, g := range grants {
		if strings.EqualFold(g.RequestType, typ) {
			return true
		}
	}
	return false
}

// suggestionBlocks tells a manager what a person's record supports, with a button to simulate the
// grant and one to open the grant form filled in. t labels the field; nil shows it by name.
func suggestionBlocks(s baton.Suggestion, t *baton.RequestType) (md.Text, []slack.Block) {
	value := strconv.FormatFloat(s.Max, 'f', -1, 64)
	label := s.Field
	if t != nil {
		if f, ok := t.Field(s.Field); ok {
			label, value = strings.ToLower(f.Label), f.FormatValue(s.Max)
		}
	}
	text := md.F(":bulb: %s's last %d %s requests with %s up to %s were all approved as filed%s. You could let them approve such requests themselves — nothing changes unless you grant it.",
		md.Mention(s.UserID), len(s.Evidence), s.RequestType, label, value, items(baton.Figure{N: len(s.Evidence), Items: s.Evidence}))
	id := strconv.FormatInt(s.ID, 10)
	return text, []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("suggestion_"+id)),
		slack.NewActionBlock("suggestion_actions_"+id,
			slack.NewButtonBlockElement(actSuggestSimulate, id, plain("Simulate")),
			slack.NewButtonBlockElement(actSuggestGrant, id, plain("Grant…"))),
	}
}

// suggestionOf reads the suggestion a button carries.
func (h *Handlers) suggestionOf(ctx context.Context, r *bot.Request) (baton.Suggestion, error) {
	id, err := strconv.ParseInt(r.Action.Value, 10, 64)
	if err != nil || id <= 0 {
		return baton.Suggestion{}, baton.Errorf(baton.EInvalid, "That button is out of date. Try `/baton authority simulate @name type field<=value`.")
	}
	return h.suggestions.Suggestion(ctx, r.TeamID, id)
}

// onSuggestSimulate runs the backtest of a suggested grant, as /baton authority simulate does.
func (h *Handlers) onSuggestSimulate(ctx context.Context, r *bot.Request) {
	me, err := h.actor(ctx, r)
	var s baton.Suggestion
	if err == nil {
		s, err = h.suggestionOf(ctx, r)
	}
	if err == nil {
		err = h.simulateAuthority(ctx, r, me, s.GrantText())
	}
	if err != nil {
		h.fail(ctx, r, err)
	}
}

// onSuggestGrant opens the grant form filled in with a suggestion.
func (h *Handlers) onSuggestGrant(ctx context.Context, r *bot.Request) {
	s, err := h.suggestionOf(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	reason := "Their last " + strconv.Itoa(len(s.Evidence)) + " " + s.RequestType + " requests were approved as filed"
	h.openModal(ctx, r, grantForm(s.UserID, s.RequestType, s.Condition(), reason))
}

// grantForm is /baton authority grant as a form.
func grantForm(user, typ, cond, reason string) slack.ModalViewRequest {
	until := slack.NewDatePickerBlockElement(fGrantUntil)
	untilIn := slack.NewInputBlock(fGrantUntil, plain("Until"), plain("The last day it holds. Leave empty for no end."), until)
	untilIn.Optional = true
	return modal(cbGrantForm, "Grant authority", "Grant", modalMeta{},
		userInput(fGrantUser, "Who", user),
		textInput(fGrantType, "Request type", "purchase", typ, 40, false, false),
		textInput(fGrantCond, "What it covers", "amount<=5000 — or `raw CEL` in backticks", cond, 500, false, false),
		untilIn,
		textInput(fGrantReason, "Reason", "Why they may decide these themselves", reason, baton.MaxGrantReasonLen, false, true),
	)
}

// onGrantFormSubmit gives the grant the form describes, under the same rules as the command; what
// is wrong is shown under its field and nothing is stored.
func (h *Handlers) onGrantFormSubmit(ctx context.Context, r *bot.Request) any {
	f := formValues(r.Interaction.View.State)
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fGrantUser)
	}
	typ, cond := strings.Join(strings.Fields(f.text(fGrantType)), "_"), f.text(fGrantCond)
	if strings.ContainsAny(typ, "<>`") {
		return fieldErrors(map[string]string{fGrantType: "Write the request type's name, such as purchase."})
	}
	if strings.Contains(strings.ToLower(" "+cond+" "), " until ") {
		return fieldErrors(map[string]string{fGrantCond: "Pick the last day under Until instead of writing it here."})
	}
	text := "<@" + f.user(fGrantUser) + "> " + typ + " " + cond
	if day := f.date(fGrantUntil); day != "" {
		text += " until " + day
	}
	if reason := f.text(fGrantReason); reason != "" {
		text += " " + reason
	}
	g, err := h.giveGrant(ctx, r.TeamID, me, text)
	if err != nil {
		field := fGrantCond
		switch {
		case baton.ErrorCode(err) == baton.EForbidden, strings.Contains(baton.ErrorMessage(err), "<@"):
			field = fGrantUser
		case strings.Contains(baton.ErrorMessage(err), "request type"):
			field = fGrantType
		case strings.Contains(baton.ErrorMessage(err), "has passed"):
			field = fGrantUntil
		case strings.Contains(baton.ErrorMessage(err), "reason"):
			field = fGrantReason
		}
		return h.submitFailure(ctx, r, err, field)
	}
	h.background(ctx, func(ctx context.Context) { h.dm(ctx, me.ID, msgText(grantedText(g))) })
	return nil
}

// suggestionsCommand is /baton suggestions [on|off|after N].
func (h *Handlers) suggestionsCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	on, after, err := h.suggestions.SuggestionSetting(ctx, r.TeamID)
	if err != nil {
		return err
	}
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		state := md.F("on: a manager hears when %d requests in a row of one of their people were approved as filed", after)
		if !on {
			state = "off"
		}
		h.reply(ctx, r, md.F(":bulb: Suggestions of authority are %s. Admins change it with `/baton suggestions off|on` or `/baton suggestions after 10`.", state))
		return nil
	}
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change suggestions of authority.")
	}
	switch {
	case len(words) == 1 && (words[0] == "on" || words[0] == "off"):
		on = words[0] == "on"
	case len(words) == 2 && words[0] == "after":
		n, err := strconv.Atoi(words[1])
		if err != nil || n < 2 || n > 100 {
			return baton.Errorf(baton.EInvalid, "%q is not a number I can use: pick a whole number of requests from 2 to 100.", clip(words[1], 20))
		}
		after = n
	default:
		return baton.Errorf(baton.EInvalid, "Write it like `/baton suggestions off`, `/baton suggestions on` or `/baton suggestions after 10`.")
	}
	if err := h.suggestions.SetSuggestionSetting(ctx, r.TeamID, on, after, me.ID); err != nil {
		return err
	}
	if !on {
		h.reply(ctx, r, ":no_bell: Managers will not be suggested authority. Nothing granted so far changes.")
		return nil
	}
	h.reply(ctx, r, md.F(":bulb: Managers are suggested authority once %d requests in a row of one of their people were approved as filed, at most once a month per person and type.", after))
	return nil
}
