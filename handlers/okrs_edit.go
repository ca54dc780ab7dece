package handlers

import (
	"context"
	"fmt"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// mayEditKR lets a key result's owner, its objective's owner and admins change what it is.
func (h *Handlers) mayEditKR(ctx context.Context, me Person, k baton.KeyResult) (baton.Objective, error) {
	chain, err := h.objectives.ObjectiveChain(ctx, k.ObjectiveID)
	if err != nil {
		return baton.Objective{}, err
	}
	if len(chain) == 0 {
		return baton.Objective{}, fmt.Errorf("key result %s: its objective %d is missing", k.Ref(), k.ObjectiveID)
	}
	o := chain[0]
	if me.ID != k.OwnerID && me.ID != o.OwnerID && !me.IsAdmin {
		return o, baton.Errorf(baton.EForbidden, "Only %s (owner of %s), %s (owner of %s) or a workspace admin can change it.",
			md.Mention(k.OwnerID), k.Ref(), md.Mention(o.OwnerID), o.Ref())
	}
	return o, nil
}

// openEditKR opens the key result's form filled in with what it is now, for those who may change it.
func (h *Handlers) openEditKR(ctx context.Context, r *bot.Request, number int64) error {
	me, err := h.actor(ctx, r)
	if err != nil {
		return err
	}
	k, err := h.keyResults.KeyResult(ctx, r.TeamID, number)
	if err != nil {
		return err
	}
	o, err := h.mayEditKR(ctx, me, k)
	if err != nil {
		return err
	}
	h.openModal(ctx, r, krEditModal(k, o))
	return nil
}

// onEditKRSubmit checks the edited key result field by field before Slack closes the form, saves it
// under a row lock, and shows the change wherever the key result appears.
func (h *Handlers) onEditKRSubmit(ctx context.Context, r *bot.Request) any {
	meta, err := decodeMeta(r.Interaction.View.PrivateMetadata)
	if err != nil {
		return fieldErrors(map[string]string{fTitle: baton.ErrorMessage(err)})
	}
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	k, err := h.keyResults.KeyResult(ctx, r.TeamID, meta.Number)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	o, err := h.mayEditKR(ctx, me, k)
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	v := formValues(r.Interaction.View.State)
	spec := baton.KRSpec{Title: v.text(fTitle), OwnerID: v.user(fOwner), Start: v.text(fStart), Target: v.text(fTarget),
		Unit: v.text(fUnit), Weight: v.text(fWeight)}
	errs := map[string]string{}
	if spec.OwnerID != "" && spec.OwnerID != k.OwnerID {
		if resp := h.checkOwnerField(ctx, r, spec.OwnerID, errs); resp != nil {
			return resp
		}
	}
	check := k
	for field, err := range check.Edit(o, spec, h.now()) {
		if _, taken := errs[krFields[field]]; !taken {
			errs[krFields[field]] = baton.ErrorMessage(err)
		}
	}
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	updated, err := h.keyResults.EditKeyResult(ctx, r.TeamID, k.Number, func(cur *baton.KeyResult) error {
		if errs := cur.Edit(o, spec, h.now()); errs != nil {
			return baton.Errorf(baton.EConflict, "%s changed while you were editing it. Open it again with `/okr %s edit`.", k.Ref(), k.Ref())
		}
		return nil
	})
	if err != nil {
		return h.submitFailure(ctx, r, err, fTitle)
	}
	h.background(ctx, func(ctx context.Context) {
		h.dm(ctx, me.ID, msgText(krSavedText(updated)))
		if updated.OwnerID != k.OwnerID {
			if updated.OwnerID != me.ID {
				h.dm(ctx, updated.OwnerID, msgText(krOwnerText(me.ID, updated, o)))
			}
			h.watchKR(ctx, updated)
			h.homes.Refresh(updated.TeamID, k.OwnerID)
		}
		h.krMoved(ctx, updated, 0)
	})
	return nil
}
