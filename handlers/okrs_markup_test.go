package handlers

import (
	"time"

	baton "github.com/batonhq/baton"
)

// okrSurfaces renders every OKR surface with typed in every field a person types: titles, units,
// periods, check-in comments, and the command text /okr did not understand.
func okrSurfaces(typed string) []surface {
	created := fxNow.Add(-240 * time.Hour)
	top := baton.Objective{ID: 101, TeamID: "T1", Number: 1, Title: typed, OwnerID: fxAlice, Period: typed,
		Status: baton.ObjectiveActive, CreatedBy: fxAlice, CreatedAt: created}
	child := top
	child.ID, child.Number, child.ParentID, child.OwnerID = 103, 3, top.ID, fxBob
	done := child
	done.ID, done.Number, done.Status = 104, 4, baton.ObjectiveAchieved

	metric := baton.KeyResult{ID: 7, TeamID: "T1", Number: 7, ObjectiveID: child.ID, Title: typed, OwnerID: fxBob,
		Kind: baton.KRMetric, Weight: 2, Start: 200, Target: 1000, Current: 680, Unit: typed, CreatedBy: fxAlice,
		CreatedAt: created, CheckedAt: fxNow.Add(-72 * time.Hour), Checkins: 3}
	fresh := metric
	fresh.Number, fresh.Checkins, fresh.Current = 8, 0, 200
	rollup := baton.KeyResult{ID: 9, TeamID: "T1", Number: 9, ObjectiveID: child.ID, Title: typed, OwnerID: fxCal,
		Kind: baton.KRRollup, Weight: 1, RollDone: 3, RollTotal: 4, CreatedAt: created, CheckedAt: created}
	moved := metric
	moved.Current = 900

	task := baton.Task{ID: 12, TeamID: "T1", Number: 12, Title: typed, Description: typed, OwnerID: fxBob, DelegatorID: fxAlice,
		Status: baton.StatusBlocked, BlockedReason: typed, ChannelID: fxChannel, SourceLink: fxLink, KRID: metric.ID, KRWeight: 1,
		CreatedAt: created, UpdatedAt: created, StatusChangedAt: created}
	checkins := []baton.KRCheckin{
		{ID: 2, KRID: 7, Value: 680, Comment: typed, Actor: fxCal, At: fxNow.Add(-72 * time.Hour)},
		{ID: 1, KRID: 7, Value: 500, Actor: fxBob, At: fxNow.Add(-200 * time.Hour)},
	}
	goal := baton.Alignment{KR: metric, Objectives: []baton.Objective{child, top}}
	longGoal := goal
	for i := range 6 {
		o := top
		o.Number = int64(50 + i)
		longGoal.Objectives = append(longGoal.Objectives, o)
	}
	krsOf := map[int64][]baton.KeyResult{child.ID: {metric, fresh, rollup}, top.ID: {rollup}}
	var manyKRs []baton.KeyResult
	for i := range treeKRLimit + 2 {
		k := metric
		k.Number = int64(20 + i)
		manyKRs = append(manyKRs, k)
	}
	tree := okrTree{period: typed, objectives: []baton.Objective{top, child, done}, more: true,
		krs: map[int64][]baton.KeyResult{top.ID: manyKRs, child.ID: {metric, rollup}}}

	return []surface{
		{"okr tree", okrTreeBlocks(tree)},
		{"okr tree empty", okrTreeBlocks(okrTree{period: typed})},
		{"okr objective", objectiveBlocks(objectiveView{objective: child, parents: []baton.Objective{top}, krs: krsOf[child.ID]})},
		{"okr objective bare", objectiveBlocks(objectiveView{objective: done})},
		{"okr kr", krBlocks(krView{kr: metric, objectives: []baton.Objective{child, top}, checkins: checkins, checkinTotal: 30,
			tasks: []baton.Task{task}, taskTotal: 5}, fxNow)},
		{"okr kr never updated", krBlocks(krView{kr: fresh}, fxNow)},
		{"okr kr rollup", krBlocks(krView{kr: rollup, objectives: []baton.Objective{child}}, fxNow)},
		{"okr owner list", ownerOKRBlocks(fxBob, []baton.Objective{child, done}, krsOf, []baton.KeyResult{metric, fresh, rollup})},
		{"okr help with problem", okrHelpBlocks(okrProblemText(typed))},
		{"okr problem text", okrProblemText(typed)},
		{"okr new objective modal", newObjectiveModal(fxAlice, typed)},
		{"okr new kr modal", newKRModal(child, fxBob)},
		{"okr edit kr modal", krEditModal(metric, child)},
		{"okr edit rollup modal", krEditModal(rollup, child)},
		{"okr check-in modal", krCheckinModal(metric)},
		{"okr reminder", krReminderBlocks(metric, 9)},
		{"okr reminder text", krReminderText(metric, 9)},
		{"okr checked in text", checkedInText(metric, moved)},
		{"okr chain", chainText(goal)},
		{"okr long chain", chainText(longGoal)},
		{"okr home key results", krHomeBlocks(manyKRs)},
		{"okr objective text", objectiveText(child)},
		{"okr kr text", krText(metric)},
		{"okr objective created DM", objectiveCreatedText(child)},
		{"okr objective owner DM", objectiveOwnerText(fxAlice, child)},
		{"okr kr added DM", krAddedText(metric, child)},
		{"okr kr saved DM", krSavedText(metric)},
		{"okr kr owner DM", krOwnerText(fxAlice, rollup, child)},
		{"okr objective line", objectiveLine(done, krsOf[child.ID])},
		{"okr kr line", krLine(metric)},
		{"okr objective headline", objectiveHeadline(child)},
		{"okr kr headline", krHeadline(metric)},
		{"okr kr measure", krMeasure(metric)},
		{"okr last check-in", lastCheckin(metric)},
	}
}
