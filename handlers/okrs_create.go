package handlers

import (
	"context"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

func (h *Handlers) openNewObjective(ctx context.Context, r *bot.Request) error {
	me, err := h.actor(ctx, r)
	if err != nil {
		return err
	}
	h.openModal(ctx, r, newObjectiveModal(me.ID, baton.CurrentQuarter(h.now(), me.Loc).String()))
	return nil
}

// onNewObjectiveSubmit validates the New objective form before Slack closes it: mistakes show under the field.
func (h *Handlers) onNewObjectiveSubmit(ctx context.Context, r *bot.Request) any {
	v := formValues(r.Interaction.View.State)
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	errs := map[string]string{}
	if err := baton.ValidateOKRTitle("objective", v.text(fTitle)); err != nil {
		errs[fTitle] = baton.ErrorMessage(err)
	}
	owner := v.user(fOwner)
	if owner == "" {
		errs[fOwner] = "Choose who owns the objective."
	} else if resp := h.checkOwnerField(ctx, r, owner, errs); resp != nil {
		return resp
	}
	if _, err := baton.ParsePeriod(v.text(fPeriod)); err != nil {
		errs[fPeriod] = baton.ErrorMessage(err)
	}
	var parent baton.Objective
	if ref := v.text(fParent); ref != "" {
		n, ok := baton.ParseObjectiveRef(ref)
		if !ok {
			errs[fParent] = "Write the broader objective's short ID, like O-1, or leave this empty."
		} else if parent, err = h.objectives.Objective(ctx, r.TeamID, n); err != nil {
			if baton.ErrorMessage(err) == "" {
				return h.submitFailure(ctx, r, err, fParent)
			}
			errs[fParent] = baton.ErrorMessage(err)
		}
	}
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	o, err := baton.NewObjective(r.TeamID, me.ID, owner, v.text(fTitle), v.text(fPeriod), h.now())
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	o.ParentID = parent.ID
	created, err := h.objectives.CreateObjective(ctx, o)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	h.background(ctx, func(ctx context.Context) {
		h.dm(ctx, me.ID, msgText(objectiveCreatedText(created)))
		if created.OwnerID != me.ID {
			h.dm(ctx, created.OwnerID, msgText(objectiveOwnerText(me.ID, created)))
		}
	})
	return nil
}

// mayAddKR lets the objective's owner, its creator and admins add key results to it.
func mayAddKR(me Person, o baton.Objective) error {
	if me.IsAdmin || me.ID == o.OwnerID || me.ID == o.CreatedBy {
		return nil
	}
	return baton.Errorf(baton.EForbidden, "Only %s (owner of %s) or a workspace admin can add key results to it.", md.Mention(o.OwnerID), o.Ref())
}

func (h *Handlers) openNewKR(ctx context.Context, r *bot.Request, number int64) error {
	me, o, err := h.actorAndObjective(ctx, r, number)
	if err != nil {
		return err
	}
	if err := mayAddKR(me, o); err != nil {
		return err
	}
	h.openModal(ctx, r, newKRModal(o, me.ID))
	return nil
}

// krFields maps the domain's key result fields to the form's blocks.
var krFields = map[baton.KRField]string{
	baton.KRFieldTitle: fTitle, baton.KRFieldOwner: fOwner, baton.KRFieldStart: fStart,
	baton.KRFieldTarget: fTarget, baton.KRFieldUnit: fUnit, baton.KRFieldWeight: fWeight,
}

func (h *Handlers) onNewKRSubmit(ctx context.Context, r *bot.Request) any {
	meta, err := decodeMeta(r.Interaction.View.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fTitle: baton.ErrorMessage(err)})
	}
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	o, err := h.objectives.Objective(ctx, r.TeamID, meta.Number)
	if err == nil {
		err = mayAddKR(me, o)
	}
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	v := formValues(r.Interaction.View.State)
	spec := baton.KRSpec{
		Title: v.text(fTitle), OwnerID: v.user(fOwner), Kind: baton.KRKind(v.get(fKind).SelectedOption.Value),
		Start: v.text(fStart), Target: v.text(fTarget), Unit: v.text(fUnit), Weight: v.text(fWeight),
	}
	errs := map[string]string{}
	if spec.OwnerID != "" {
		if resp := h.checkOwnerField(ctx, r, spec.OwnerID, errs); resp != nil {
			return resp
		}
	}
	k, kerrs := baton.NewKeyResult(o, me.ID, spec, h.now())
	for field, err := range kerrs {
		if _, taken := errs[krFields[field]]; !taken {
			errs[krFields[field]] = baton.ErrorMessage(err)
		}
	}
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	created, err := h.keyResults.CreateKeyResult(ctx, k)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	h.background(ctx, func(ctx context.Context) {
		h.dm(ctx, me.ID, msgText(krAddedText(created, o)))
		if created.OwnerID != me.ID {
			h.dm(ctx, created.OwnerID, msgText(krOwnerText(me.ID, created, o)))
		}
		h.watchKR(ctx, created)
		h.homes.Refresh(created.TeamID, created.OwnerID)
	})
	return nil
}
