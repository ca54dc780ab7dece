package handlers

import (
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// taskSurfaces renders every task surface with typed in each field a person can type.
func taskSurfaces(typed string) []surface {
	due, _ := baton.NewDue("2026-12-04", "15:00", time.UTC, fxNow)
	t := baton.Task{
		ID: 7, TeamID: "T1", Number: 12, Title: typed, Description: typed,
		OwnerID: fxAlice, DelegatorID: fxBob, Status: baton.StatusBlocked, BlockedReason: typed,
		Due: due, ChannelID: fxChannel, CardTS: "1700000000.000100", SourceLink: fxLink,
		CreatedAt: fxNow.Add(-72 * time.Hour), StatusChangedAt: fxNow.Add(-26 * time.Hour),
	}
	dayOnly := t
	dayOnly.Due, _ = baton.NewDue("2026-12-04", "", time.UTC, fxNow)
	dayOnly.Status = baton.StatusInProgress
	goal := baton.Alignment{
		KR: baton.KeyResult{Number: 7, Title: typed, Unit: typed, Target: 10, Current: 4},
		Objectives: []baton.Objective{
			{Number: 3, Title: typed}, {Number: 2, Title: typed}, {Number: 1, Title: typed},
			{Number: 4, Title: typed}, {Number: 5, Title: typed},
		},
	}

	ev := func(kind baton.EventKind, from, to string) baton.TaskEvent {
		return baton.TaskEvent{Kind: kind, Actor: fxBob, From: from, To: to, Note: typed, At: fxNow}
	}
	events := []baton.TaskEvent{
		ev(baton.EventCreated, "", fxAlice),
		ev(baton.EventStatus, string(baton.StatusInProgress), string(baton.StatusBlocked)),
		ev(baton.EventStatus, typed, typed),
		ev(baton.EventReassigned, fxAlice, fxCal),
		ev(baton.EventDue, "", due.String()),
		ev(baton.EventDue, typed, typed),
		ev(baton.EventUpdate, "", ""),
		ev(baton.EventGoal, "", typed),
		ev(baton.EventGoal, typed, ""),
		ev(baton.EventGoal, typed, typed),
		ev(baton.EventKind(typed), typed, typed),
	}
	notices := []baton.TaskEvent{
		ev(baton.EventStatus, string(baton.StatusInProgress), string(baton.StatusBlocked)),
		ev(baton.EventStatus, string(baton.StatusInReview), string(baton.StatusDone)),
		ev(baton.EventStatus, string(baton.StatusTodo), string(baton.StatusInProgress)),
		ev(baton.EventStatus, typed, typed),
		ev(baton.EventReassigned, fxAlice, fxCal),
		ev(baton.EventDue, "", due.String()),
	}

	out := []surface{
		{"task card", cardBlocks(t, nil, fxNow)},
		{"task card with a goal chain", cardBlocks(dayOnly, &goal, fxNow)},
		{"task summary", taskSummary(t)},
		{"task headline", taskHeadline(t)},
		{"task history", historyBlocks(t, events)},
		{"task list", listBlocks("Open tasks owned by "+md.Mention(fxAlice), []baton.Task{t, dayOnly}, 40, fxNow)},
		{"task list line", taskLine(t, fxNow)},
		{"new task modal", newTaskModal(typed, typed, fxChannel, modalMeta{ChannelID: fxChannel})},
		{"blocked modal", blockedModal(t)},
		{"log modal", logModal(t)},
		{"reassign modal", reassignModal(t)},
		{"due modal", dueModal(t)},
		{"task help", helpBlocks(taskProblem(typed))},
		{"task created reply", createdText(t, lateCardNotice(t, 3*time.Minute))},
		{"task created from form", createdFromFormText(t, lateCardNotice(t, 20*time.Second))},
		{"card moved to DM", movedToDMNotice(t, fxChannel)},
		{"tracked reply", trackedText(t, fxLink)},
		{"tracked reply without link", trackedText(t, "")},
		{"assigned DM", assignedText(t, fxBob, typed, &goal)},
		{"assigned DM by another", assignedText(dayOnly, fxCal, typed, nil)},
		{"assigned DM blocks", noticeBlocks(t, assignedText(t, fxCal, typed, &goal), fxLink)},
		{"deadline overdue", overdueText(t)},
		{"deadline stalled", stalledText(t)},
		{"deadline reminder", reminderText(dayOnly)},
		{"deadline reminder blocks", nudgeBlocks("reminder", reminderText(t), t)},
		{"stale nudge", nudgeBlocks("stale", staleText(t), t)},
		{"stale delegator", staleDelegatorText(t)},
	}
	var kept []md.Text
	for _, e := range events {
		out = append(out,
			surface{"thread reply " + string(e.Kind), threadReply(e)},
			surface{"event line " + string(e.Kind), eventLine(e)})
	}
	for _, e := range notices {
		n := eventNotice(t, e)
		out = append(out, surface{"change notice " + string(e.Kind), noticeBlocks(t, n, fxLink)})
		kept = append(kept, n)
	}
	kept = append(kept, staleDelegatorText(t), assignedText(t, fxBob, typed, &goal))
	title, digest := digestMessage(kept)
	return append(out, surface{"digest title", title}, surface{"digest", digest})
}
