package handlers

import (
	"context"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// decisionForm reads the decision form and checks what a person can get wrong: the fields' own rules,
// links to tasks, key results, requests and decisions that do not exist, a decision to supersede that
// me may not edit, and people who cannot be flagged or mentioned. Errors are keyed by the form's input
// blocks; number is the decision being edited, 0 for a new one. Key results are looked up in this
// workspace only, so another workspace's KR-7 is unknown here.
func (h *Handlers) decisionForm(ctx context.Context, teamID string, me Person, v formState, number int64) (baton.DecisionFields, map[string]string, error) {
	f := baton.DecisionFields{
		Title: v.text(fdTitle), Decision: v.text(fdDecision), Context: v.text(fdContext), Alternatives: v.text(fdAlternatives),
		Status: baton.DecisionStatus(v.get(fdStatus).SelectedOption.Value), Flagged: v.get(fdFlagged).SelectedUsers,
	}
	errs := map[string]string{}
	for field, msg := range f.Validate() {
		errs[decisionFieldBlock[field]] = msg
	}
	ref := func(block, example string, parse func(string) (int64, bool)) int64 {
		text := v.text(block)
		if text == "" {
			return 0
		}
		n, ok := parse(text)
		if !ok {
			errs[block] = fmt.Sprintf("Write it as %s, or leave it empty.", example)
		}
		return n
	}
	f.TaskNumber = ref(fdTask, "T-12", baton.ParseTaskRef)
	f.KRNumber = ref(fdKR, "KR-7", baton.ParseKRRef)
	f.RequestNumber = ref(fdRequest, "R-9", baton.ParseRequestRef)
	f.SupersedesNumber = ref(fdSupersedes, "D-3", baton.ParseDecisionRef)

	// lookup records a missing record under its field; anything else is a failure to report.
	lookup := func(block string, err error) error {
		if err == nil || baton.ErrorCode(err) == baton.EInternal {
			return err
		}
		errs[block] = baton.ErrorMessage(err)
		return nil
	}
	if f.TaskNumber != 0 {
		if _, err := h.tasks.Task(ctx, teamID, f.TaskNumber); lookup(fdTask, err) != nil {
			return f, nil, err
		}
	}
	if f.KRNumber != 0 {
		if _, err := h.keyResults.KeyResult(ctx, teamID, f.KRNumber); lookup(fdKR, err) != nil {
			return f, nil, err
		}
	}
	if f.RequestNumber != 0 {
		if _, err := h.approvals.Request(ctx, teamID, f.RequestNumber); lookup(fdRequest, err) != nil {
			return f, nil, err
		}
	}
	if f.SupersedesNumber != 0 {
		target, err := h.decisions.Decision(ctx, teamID, f.SupersedesNumber)
		switch {
		case lookup(fdSupersedes, err) != nil:
			return f, nil, err
		case err != nil:
		case target.Number == number:
			errs[fdSupersedes] = "A decision cannot supersede itself."
		case target.SupersededByNumber != 0 && target.SupersededByNumber != number:
			errs[fdSupersedes] = fmt.Sprintf("%s is already superseded by %s. Supersede %s instead.", target.Ref(),
				baton.DecisionRef(target.SupersededByNumber), baton.DecisionRef(target.SupersededByNumber))
		case !target.CanEdit(me.ID, me.IsAdmin):
			errs[fdSupersedes] = fmt.Sprintf("Superseding %s changes it, and only %s (its author), the people it is flagged for or an admin can. Ask one of them.",
				target.Ref(), md.Mention(target.AuthorID))
		}
	}
	if err := h.checkDecisionPeople(ctx, me, f, errs); err != nil {
		return f, nil, err
	}
	if len(errs) == 0 {
		errs = nil
	}
	return f, errs, nil
}

// checkDecisionPeople checks everyone a version would put the decision in front of: those flagged and
// those mentioned in its text. Each must be someone who can acknowledge it (not deactivated, not a
// bot), and there may be at most baton.MaxFlagged of them.
func (h *Handlers) checkDecisionPeople(ctx context.Context, me Person, f baton.DecisionFields, errs map[string]string) error {
	fields := []struct{ block, text string }{
		{fdTitle, f.Title}, {fdContext, f.Context}, {fdDecision, f.Decision}, {fdAlternatives, f.Alternatives},
	}
	check := func(block, id string) error {
		p, err := h.people.Get(ctx, id)
		switch {
		case baton.ErrorCode(err) == baton.EInternal:
			return err
		case err != nil:
			errs[block] = baton.ErrorMessage(err)
		case p.Deleted:
			errs[block] = fmt.Sprintf("%s has been deactivated and would never see the decision. Leave them out.", md.Mention(id))
		case p.IsBot:
			errs[block] = fmt.Sprintf("%s is a bot and can't acknowledge a decision. Leave it out.", md.Mention(id))
		}
		return nil
	}
	for _, id := range f.Flagged {
		if err := check(fdFlagged, id); err != nil {
			return err
		}
	}
	v := baton.DecisionVersion{EditorID: me.ID, DecisionFields: f}
	if n := len(v.ToTell()); n > baton.MaxFlagged {
		errs[fdFlagged] = fmt.Sprintf("This puts the decision in front of %d people (flagged here and mentioned in the text); keep it to %d, or mention a channel for a wider audience.",
			n, baton.MaxFlagged)
		return nil
	}
	for _, fl := range fields {
		for _, id := range baton.Mentions(fl.text) {
			if !slices.Contains(f.Flagged, id) && id != me.ID {
				if err := check(fl.block, id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// onDecisionSubmit validates the decision form before Slack closes it, then records a new decision
// or saves a new version of one.
func (h *Handlers) onDecisionSubmit(ctx context.Context, r *bot.Request) any {
	view := r.Interaction.View
	meta, err := decodeDecisionMeta(view.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fdTitle: baton.ErrorMessage(err)})
	}
	state := formValues(view.State)
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fdTitle)
	}
	f, errs, err := h.decisionForm(ctx, r.TeamID, me, state, meta.Number)
	if err != nil {
		return h.submitFailure(ctx, r, err, fdTitle)
	}
	channel := state.conversation(fdChannel)
	if channel == "" {
		channel = meta.ChannelID
	}
	if meta.Number == 0 && channel == "" {
		if errs == nil {
			errs = map[string]string{}
		}
		errs[fdChannel] = "Choose the channel where the decision should be posted."
	}
	if errs != nil {
		return fieldErrors(errs)
	}
	reason := state.text(fdNote)
	if meta.Number == 0 {
		return h.createDecision(ctx, r, me, f, channel, reason)
	}
	return h.editDecision(ctx, r, me, meta, f, reason)
}

func (h *Handlers) createDecision(ctx context.Context, r *bot.Request, me Person, f baton.DecisionFields, channel, reason string) any {
	d, v, err := baton.NewDecision(r.TeamID, me.ID, f, h.now())
	if err != nil {
		return h.submitFailure(ctx, r, err, fdTitle)
	}
	d.ChannelID = channel
	saved, err := h.decisions.CreateDecision(ctx, d, v, reason)
	if err != nil {
		return h.submitFailure(ctx, r, err, decisionErrorField(f, err))
	}
	h.announcedDecision(saved)
	return nil
}

func (h *Handlers) editDecision(ctx context.Context, r *bot.Request, me Person, meta decisionMeta, f baton.DecisionFields, reason string) any {
	saved, err := h.decisions.EditDecision(ctx, r.TeamID, meta.Number, reason, func(d *baton.Decision) (baton.DecisionVersion, error) {
		return d.Edit(me.ID, me.IsAdmin, meta.Version, f, h.now())
	})
	if baton.ErrorCode(err) == baton.EConflict {
		if latest, lerr := h.decisions.Decision(ctx, r.TeamID, meta.Number); lerr == nil && latest.Version != meta.Version {
			v := decisionConflictModal(latest.Number, h.userMessage(ctx, err))
			return slack.NewUpdateViewSubmissionResponse(&v)
		}
	}
	if err != nil {
		return h.submitFailure(ctx, r, err, decisionErrorField(f, err))
	}
	h.announcedDecision(saved)
	return nil
}

// decisionErrorField is the form field a refusal from the store belongs under: a supersede link that
// turned bad meanwhile under Supersedes, anything else under the title.
func decisionErrorField(f baton.DecisionFields, err error) string {
	if f.SupersedesNumber != 0 && baton.ErrorCode(err) != baton.EForbidden && baton.ErrorCode(err) != baton.EInternal {
		return fdSupersedes
	}
	return fdTitle
}

// onDecisionEdit opens the decision form prefilled with the latest version, for someone who may edit it.
func (h *Handlers) onDecisionEdit(ctx context.Context, r *bot.Request) {
	number, err := parseDecisionNumber(r.Action.Value)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	d, err := h.editableDecision(ctx, r, number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.openModal(ctx, r, decisionModal(&d, ""))
}

// editableDecision loads a decision and checks that the person may edit it.
func (h *Handlers) editableDecision(ctx context.Context, r *bot.Request, number int64) (baton.Decision, error) {
	me, err := h.actor(ctx, r)
	if err != nil {
		return baton.Decision{}, err
	}
	d, err := h.decisions.Decision(ctx, r.TeamID, number)
	if err != nil {
		return d, err
	}
	if !d.CanEdit(me.ID, me.IsAdmin) {
		return d, d.ForbiddenError()
	}
	return d, nil
}

// onDecisionReload replaces the conflict notice with the edit form on the latest version.
func (h *Handlers) onDecisionReload(ctx context.Context, r *bot.Request) any {
	meta, err := decodeDecisionMeta(r.Interaction.View.PrivateMetadata)
	if err != nil || meta.Number == 0 {
		h.dm(ctx, r.UserID, msgText(":warning: That form was out of date, so nothing was reloaded. Press Edit on the decision's card again."))
		return nil
	}
	d, err := h.editableDecision(ctx, r, meta.Number)
	if err != nil {
		v := decisionConflictModal(meta.Number, h.userMessage(ctx, err))
		return slack.NewUpdateViewSubmissionResponse(&v)
	}
	v := decisionModal(&d, "")
	return slack.NewUpdateViewSubmissionResponse(&v)
}
