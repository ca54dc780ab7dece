package handlers

import (
	"context"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// KeyResultStore keeps key results, their check-ins and the tasks that serve them.
type KeyResultStore interface {
	CreateKeyResult(ctx context.Context, k baton.KeyResult) (baton.KeyResult, error)
	KeyResult(ctx context.Context, teamID string, number int64) (baton.KeyResult, error)
	KeyResultByID(ctx context.Context, teamID string, id int64) (baton.KeyResult, error)
	EditKeyResult(ctx context.Context, teamID string, number int64, change func(k *baton.KeyResult) error) (baton.KeyResult, error)
	KeyResultsOf(ctx context.Context, objectiveIDs []int64) ([]baton.KeyResult, error)
	KeyResultsByOwner(ctx context.Context, teamID, ownerID string, limit int) ([]baton.KeyResult, error)
	CheckInKeyResult(ctx context.Context, teamID string, number int64, change func(k *baton.KeyResult) (baton.KRCheckin, error)) (baton.KeyResult, baton.KRCheckin, error)
	KRCheckins(ctx context.Context, krID int64, limit int) ([]baton.KRCheckin, int, error)
	KRTasks(ctx context.Context, krID int64, limit int) ([]baton.Task, int, error)
	Alignment(ctx context.Context, teamID string, krID int64) (baton.Alignment, error)
	OKRReminderDays(ctx context.Context, teamID string) (int, error)
	SetOKRReminderDays(ctx context.Context, teamID string, days int, by string) error
}

// ObjectiveStore keeps objectives and how they nest.
type ObjectiveStore interface {
	CreateObjective(ctx context.Context, o baton.Objective) (baton.Objective, error)
	Objective(ctx context.Context, teamID string, number int64) (baton.Objective, error)
	SetObjectiveParent(ctx context.Context, teamID string, number, parent int64, at time.Time) (baton.Objective, error)
	SetObjectiveStatus(ctx context.Context, teamID string, number int64, status baton.ObjectiveStatus, at time.Time) (baton.Objective, error)
	ObjectivesInPeriods(ctx context.Context, teamID string, periods []string, limit int) ([]baton.Objective, error)
	ObjectivesByOwner(ctx context.Context, teamID, ownerID string, limit int) ([]baton.Objective, error)
	ObjectiveChain(ctx context.Context, id int64) ([]baton.Objective, error)
}

func (h *Handlers) registerOKRs(r *bot.Router) {
	r.Command("/okr", h.onOKRCommand)
	r.ViewSubmission(cbNewObjective, h.onNewObjectiveSubmit)
	r.ViewSubmission(cbNewKR, h.onNewKRSubmit)
	r.ViewSubmission(cbKRCheckin, h.onKRCheckinSubmit)
	r.ViewSubmission(cbEditKR, h.onEditKRSubmit)
	r.Action(actKRUpdate, h.onKRUpdateButton)
}

func (h *Handlers) onOKRCommand(ctx context.Context, r *bot.Request) {
	cmd, err := baton.ParseOKRCommand(r.Command.Text)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	switch cmd.Kind {
	case baton.OKRTree:
		err = h.okrTree(ctx, r, cmd.Period)
	case baton.OKRNewObjective:
		err = h.openNewObjective(ctx, r)
	case baton.OKRNewKR:
		err = h.openNewKR(ctx, r, cmd.Number)
	case baton.OKRUpdate:
		err = h.okrUpdate(ctx, r, cmd)
	case baton.OKRShowObjective:
		err = h.showObjective(ctx, r, cmd.Number)
	case baton.OKRShowKR:
		err = h.showKR(ctx, r, cmd.Number)
	case baton.OKREditKR:
		err = h.openEditKR(ctx, r, cmd.Number)
	case baton.OKRSetParent:
		err = h.setParent(ctx, r, cmd.Number, cmd.Parent)
	case baton.OKRSetStatus:
		err = h.setObjectiveStatus(ctx, r, cmd.Number, cmd.Status)
	case baton.OKRList:
		err = h.listOKRs(ctx, r, cmd.User)
	case baton.OKRHelp:
		h.reply(ctx, r, okrHelpText, okrHelpBlocks("")...)
	default:
		h.reply(ctx, r, okrHelpText, okrHelpBlocks(okrProblemText(cmd.Problem))...)
	}
	if err != nil {
		h.fail(ctx, r, err)
	}
}

// treeFetch bounds how many objectives /okr reads for one period: one more than it shows.
const treeFetch = treeObjectiveLimit + 1

// okrTree shows the objectives of a period (the asker's current quarter, with its half and year) and
// their key results.
func (h *Handlers) okrTree(ctx context.Context, r *bot.Request, period string) error {
	me, err := h.actor(ctx, r)
	if err != nil {
		return err
	}
	p := baton.CurrentQuarter(h.now(), me.Loc)
	if period != "" {
		if p, err = baton.ParsePeriod(period); err != nil {
			return err
		}
	}
	objectives, err := h.objectives.ObjectivesInPeriods(ctx, r.TeamID, p.Covering(), treeFetch)
	if err != nil {
		return err
	}
	tr := okrTree{period: p.String(), objectives: objectives}
	if len(objectives) > treeObjectiveLimit {
		tr.objectives, tr.more = objectives[:treeObjectiveLimit], true
	}
	if tr.krs, err = h.krsOf(ctx, tr.objectives); err != nil {
		return err
	}
	h.reply(ctx, r, md.F("OKRs · %s", tr.period), okrTreeBlocks(tr)...)
	return nil
}

// krsOf reads the key results of these objectives, grouped by objective.
func (h *Handlers) krsOf(ctx context.Context, objectives []baton.Objective) (map[int64][]baton.KeyResult, error) {
	out := map[int64][]baton.KeyResult{}
	if len(objectives) == 0 {
		return out, nil
	}
	ids := make([]int64, len(objectives))
	for i, o := range objectives {
		ids[i] = o.ID
	}
	krs, err := h.keyResults.KeyResultsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, k := range krs {
		out[k.ObjectiveID] = append(out[k.ObjectiveID], k)
	}
	return out, nil
}

func (h *Handlers) showObjective(ctx context.Context, r *bot.Request, number int64) error {
	o, err := h.objectives.Objective(ctx, r.TeamID, number)
	if err != nil {
		return err
	}
	chain, err := h.objectives.ObjectiveChain(ctx, o.ID)
	if err != nil {
		return err
	}
	krs, err := h.krsOf(ctx, []baton.Objective{o})
	if err != nil {
		return err
	}
	h.reply(ctx, r, objectiveText(o), objectiveBlocks(objectiveView{objective: o, parents: chain[min(1, len(chain)):], krs: krs[o.ID]})...)
	return nil
}

func (h *Handlers) showKR(ctx context.Context, r *bot.Request, number int64) error {
	k, err := h.keyResults.KeyResult(ctx, r.TeamID, number)
	if err != nil {
		return err
	}
	v := krView{kr: k}
	if v.objectives, err = h.objectives.ObjectiveChain(ctx, k.ObjectiveID); err != nil {
		return err
	}
	if v.checkins, v.checkinTotal, err = h.keyResults.KRCheckins(ctx, k.ID, krListLimit); err != nil {
		return err
	}
	if v.tasks, v.taskTotal, err = h.keyResults.KRTasks(ctx, k.ID, krListLimit); err != nil {
		return err
	}
	h.reply(ctx, r, krText(k), krBlocks(v, h.now())...)
	return nil
}

// ownerListLimit bounds the objectives and the key results /okr list shows.
const ownerListLimit = 20

func (h *Handlers) listOKRs(ctx context.Context, r *bot.Request, who baton.UserRef) error {
	ownerID := r.UserID
	if who != (baton.UserRef{}) {
		p, err := h.people.Resolve(ctx, who)
		if err != nil {
			return err
		}
		ownerID = p.ID
	}
	objectives, err := h.objectives.ObjectivesByOwner(ctx, r.TeamID, ownerID, ownerListLimit)
	if err != nil {
		return err
	}
	objectiveKRs, err := h.krsOf(ctx, objectives)
	if err != nil {
		return err
	}
	krs, err := h.keyResults.KeyResultsByOwner(ctx, r.TeamID, ownerID, ownerListLimit)
	if err != nil {
		return err
	}
	h.reply(ctx, r, "OKRs owned by "+md.Mention(ownerID), ownerOKRBlocks(ownerID, objectives, objectiveKRs, krs)...)
	return nil
}

// actorAndObjective reads the person who acted and objective O-number.
func (h *Handlers) actorAndObjective(ctx context.Context, r *bot.Request, number int64) (Person, baton.Objective, error) {
	me, err := h.actor(ctx, r)
	if err != nil {
		return me, baton.Objective{}, err
	}
	o, err := h.objectives.Objective(ctx, r.TeamID, number)
	return me, o, err
}

// mayChangeObjective lets an objective's owner and admins change it; what names the change refused.
func (h *Handlers) mayChangeObjective(ctx context.Context, r *bot.Request, number int64, what string) error {
	me, o, err := h.actorAndObjective(ctx, r, number)
	if err != nil {
		return err
	}
	if o.OwnerID != me.ID && !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only %s (owner of %s) or a workspace admin can change %s.", md.Mention(o.OwnerID), o.Ref(), what)
	}
	return nil
}

// setObjectiveStatus marks an objective active, achieved or dropped; only active ones remind.
func (h *Handlers) setObjectiveStatus(ctx context.Context, r *bot.Request, number int64, status baton.ObjectiveStatus) error {
	if err := h.mayChangeObjective(ctx, r, number, "where it stands"); err != nil {
		return err
	}
	o, err := h.objectives.SetObjectiveStatus(ctx, r.TeamID, number, status, h.now())
	if err != nil {
		return err
	}
	h.reply(ctx, r, md.F(":white_check_mark: %s is now %s.", objectiveHeadline(o), o.Status))
	if o.Status == baton.ObjectiveActive {
		// The reminders of its key results stopped while it was achieved or dropped; they start again.
		krs, err := h.keyResults.KeyResultsOf(ctx, []int64{o.ID})
		if err != nil {
			return err
		}
		for _, k := range krs {
			h.watchKR(ctx, k)
		}
	}
	return nil
}

// setParent puts an objective under a broader one. Its owner or an admin may; loops are refused.
func (h *Handlers) setParent(ctx context.Context, r *bot.Request, number, parent int64) error {
	if err := h.mayChangeObjective(ctx, r, number, "what it serves"); err != nil {
		return err
	}
	updated, err := h.objectives.SetObjectiveParent(ctx, r.TeamID, number, parent, h.now())
	if err != nil {
		return err
	}
	if parent == 0 {
		h.reply(ctx, r, md.F(":white_check_mark: %s is now a top objective.", objectiveHeadline(updated)))
		return nil
	}
	h.reply(ctx, r, md.F(":white_check_mark: %s now serves %s.", objectiveHeadline(updated), baton.ObjectiveRef(parent)))
	return nil
}

// okrUpdate records a key result's new value from `/okr update KR-7 42 comment`.
func (h *Handlers) okrUpdate(ctx context.Context, r *bot.Request, cmd baton.OKRCommand) error {
	me, err := h.actor(ctx, r)
	if err != nil {
		return err
	}
	before, after, err := h.checkInKR(ctx, r.TeamID, me, cmd.Number, cmd.Value, cmd.Comment)
	if err != nil {
		return err
	}
	h.reply(ctx, r, checkedInText(before, after))
	return nil
}

// checkInKR records a key result's new value for someone who may, then keeps its reminder and the
// dashboards in step.
func (h *Handlers) checkInKR(ctx context.Context, teamID string, me Person, number int64, value float64, comment string) (baton.KeyResult, baton.KeyResult, error) {
	k, err := h.keyResults.KeyResult(ctx, teamID, number)
	if err != nil {
		return k, k, err
	}
	if err := h.mayCheckIn(ctx, me, k); err != nil {
		return k, k, err
	}
	var before baton.KeyResult
	after, _, err := h.keyResults.CheckInKeyResult(ctx, teamID, number, func(k *baton.KeyResult) (baton.KRCheckin, error) {
		before = *k
		return k.CheckIn(me.ID, value, comment, h.now())
	})
	if err != nil {
		return before, after, err
	}
	h.background(ctx, func(ctx context.Context) {
		h.watchKR(ctx, after)
		h.krMoved(ctx, after, 0)
	})
	return before, after, nil
}

// mayCheckIn refuses anyone but the key result's owner, its objective's owner and admins.
func (h *Handlers) mayCheckIn(ctx context.Context, me Person, k baton.KeyResult) error {
	if k.Kind == baton.KRRollup {
		_, err := k.CheckIn(me.ID, 0, "", h.now())
		return err
	}
	if k.OwnerID == me.ID || me.IsAdmin {
		return nil
	}
	chain, err := h.objectives.ObjectiveChain(ctx, k.ObjectiveID)
	if err != nil {
		return err
	}
	if len(chain) > 0 && k.CanCheckIn(me.ID, chain[0].OwnerID, me.IsAdmin) {
		return nil
	}
	return baton.Errorf(baton.EForbidden, "Only %s (owner of %s), the objective's owner or a workspace admin can record its value.", md.Mention(k.OwnerID), k.Ref())
}

// checkedInText confirms a check-in with the progress it made.
func checkedInText(before, after baton.KeyResult) md.Text {
	return md.F(":white_check_mark: %s is now %s — %s (was %d%%).",
		krHeadline(after), krMeasure(after), progressBar(after.Progress()), baton.Percent(before.Progress()))
}
