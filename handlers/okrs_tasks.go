package handlers

import (
	"context"
	"strings"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

// linkedCardLimit bounds how many cards of a key result's tasks are redrawn when its progress moves.
const linkedCardLimit = 20

// goalMoved follows a task done or reopened up to its key result, whose roll-up it moves.
func (h *Handlers) goalMoved(ctx context.Context, t baton.Task, ev baton.TaskEvent) {
	done := string(baton.StatusDone)
	if t.KRID == 0 || ev.Kind != baton.EventStatus || (ev.From != done && ev.To != done) {
		return
	}
	k, err := h.keyResults.KeyResultByID(ctx, t.TeamID, t.KRID)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "key result of a task not read", "task", t.Ref(), "err", err)
		return
	}
	h.krMoved(ctx, k, t.ID)
}

// krMoved shows a key result's new progress wherever its chain appears: the cards of its linked tasks
// (but the one with ID skip, whose change redraws it through the outbox), their owners' dashboards
// and its owner's.
func (h *Handlers) krMoved(ctx context.Context, k baton.KeyResult, skip int64) {
	tasks, _, err := h.keyResults.KRTasks(ctx, k.ID, linkedCardLimit)
	if err != nil {
		h.logger(ctx).WarnContext(ctx, "tasks of a key result not read", "kr", k.Ref(), "err", err)
	}
	people := []string{k.OwnerID}
	for _, t := range tasks {
		if t.ID != skip {
			h.updateCard(ctx, t)
		}
		people = append(people, t.OwnerID)
	}
	h.homes.Refresh(k.TeamID, people...)
}

// resolveGoal reads the key result a new task is to serve and how much it counts there, from what was
// typed (KR-7 or KR-7*3); none when empty.
func (h *Handlers) resolveGoal(ctx context.Context, teamID, typed string) (baton.KeyResult, float64, error) {
	if typed == "" {
		return baton.KeyResult{}, 0, nil
	}
	n, weight, err := baton.ParseKRLink(typed)
	if err != nil {
		return baton.KeyResult{}, 0, err
	}
	k, err := h.keyResults.KeyResult(ctx, teamID, n)
	return k, weight, err
}

// goalsOf reads the goals these tasks serve, each key result once.
func (h *Handlers) goalsOf(ctx context.Context, teamID string, tasks []baton.Task) (map[int64]baton.Alignment, error) {
	goals := map[int64]baton.Alignment{}
	for _, t := range tasks {
		if _, seen := goals[t.KRID]; seen || t.KRID == 0 {
			continue
		}
		a, err := h.keyResults.Alignment(ctx, teamID, t.KRID)
		if err != nil {
			return nil, err
		}
		goals[t.KRID] = a
	}
	return goals, nil
}

// linkGoal links an existing task to the key result it serves, or unlinks it (kr:none), for its owner,
// its delegator or an admin. Both key results' roll-ups move, on every card that shows them.
func (h *Handlers) linkGoal(ctx context.Context, r *bot.Request, cmd baton.TaskCommand) {
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	var goal baton.KeyResult
	weight := 1.0
	switch strings.ToLower(cmd.KRWord) {
	case "none", "off", "-":
	case "":
		h.fail(ctx, r, baton.Errorf(baton.EInvalid, "Say which key result after `kr:`, like `/task %s kr:KR-7`, or `kr:none` to unlink it.", baton.TaskRef(cmd.Number)))
		return
	default:
		if goal, weight, err = h.resolveGoal(ctx, r.TeamID, cmd.KRWord); err != nil {
			h.fail(ctx, r, err)
			return
		}
	}
	seen, err := h.tasks.Task(ctx, r.TeamID, cmd.Number)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	from := ""
	if seen.KRID != 0 {
		old, err := h.keyResults.KeyResultByID(ctx, r.TeamID, seen.KRID)
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		from = old.Ref()
	}
	after, ev, before, err := h.change(ctx, r.TeamID, cmd.Number, me, func(t *baton.Task) (baton.TaskEvent, error) {
		if t.KRID != seen.KRID {
			return baton.TaskEvent{}, baton.Errorf(baton.EConflict, "Someone changed the key result %s serves just now. Look at its card and try again.", t.Ref())
		}
		to := ""
		if goal.ID != 0 {
			to = goal.Ref()
		}
		return t.ServeGoal(me.ID, goal.ID, weight, from, to, h.now())
	})
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, ":dart: "+eventLine(ev))
	h.background(ctx, func(ctx context.Context) {
		h.afterChange(ctx, before, after, ev)
		for _, id := range []int64{before.KRID, after.KRID} {
			if id == 0 {
				continue
			}
			if k, err := h.keyResults.KeyResultByID(ctx, after.TeamID, id); err == nil {
				h.krMoved(ctx, k, after.ID)
			} else {
				h.logger(ctx).WarnContext(ctx, "key result of a task not read", "task", after.Ref(), "err", err)
			}
		}
	})
}
