package handlers

import (
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/scheduler"
)

// homeSurfaces renders the App Home with every section filled with typed text, and the /baton replies
// that echo what a person typed: a holiday's name, a command Baton did not understand.
func homeSurfaces(typed string) []surface {
	created := fxNow.Add(-240 * time.Hour)
	task := func(number int64, status baton.Status, owner, delegator string) baton.Task {
		return baton.Task{ID: 100 + number, TeamID: "T1", Number: number, Title: typed, Description: typed, OwnerID: owner,
			DelegatorID: delegator, Status: status, ChannelID: fxChannel, SourceLink: fxLink,
			CreatedAt: created, UpdatedAt: created, StatusChangedAt: fxNow.Add(-5 * time.Hour)}
	}
	blocked := task(1, baton.StatusBlocked, fxBob, fxAlice)
	blocked.BlockedReason = typed
	overdue := task(2, baton.StatusInProgress, fxAlice, fxCal)
	overdue.Due = baton.Due{Date: "2026-11-20", At: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	overdueAt := task(3, baton.StatusTodo, fxAlice, fxBob)
	overdueAt.Due = baton.Due{Date: "2026-11-28", Time: "14:00", At: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC), HasTime: true}

	var delegated []baton.Task
	for i, s := range baton.Statuses {
		t := task(int64(20+i), s, fxBob, fxAlice)
		t.BlockedReason = typed
		delegated = append(delegated, t, t)
	}
	var mine []baton.Task
	for i := range homeLimit + 1 {
		t := task(int64(40+i), baton.StatusInReview, fxAlice, fxCal)
		t.KRID = 7
		mine = append(mine, t)
	}

	top := baton.Objective{ID: 101, TeamID: "T1", Number: 1, Title: typed, OwnerID: fxCal, Period: typed, Status: baton.ObjectiveActive}
	kr := baton.KeyResult{ID: 7, TeamID: "T1", Number: 7, ObjectiveID: top.ID, Title: typed, OwnerID: fxAlice, Kind: baton.KRMetric,
		Weight: 1, Start: 0, Target: 10, Current: 4, Unit: typed, CheckedAt: fxNow.Add(-72 * time.Hour), Checkins: 2}
	rollup := kr
	rollup.Number, rollup.Kind, rollup.RollDone, rollup.RollTotal = 8, baton.KRRollup, 1, 3
	krs := []baton.KeyResult{rollup}
	for range homeKRLimit {
		krs = append(krs, kr)
	}

	request := func(number int64, status baton.ApprovalStatus) homeRequest {
		r := baton.ApprovalRequest{TeamID: "T1", Number: number, Type: "purchase", Values: map[string]string{"item": typed}, Summary: typed,
			RequesterID: fxBob, ChannelID: fxChannel, Explanation: typed, Status: status, CurrentStep: 1, CreatedAt: created,
			Steps: []baton.ApprovalStep{
				{Index: 0, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxCal}, Decided: true, Approved: []string{fxCal}},
				{Index: 1, Name: typed, Mode: baton.ModeAll, Approvers: []string{fxAlice, fxBob, fxCal, fxAlice, fxCal}, Approved: []string{fxBob}},
			}}
		if status != baton.ApprovalPending {
			r.DecidedAt = fxNow.Add(-time.Hour)
		}
		return homeRequest{ApprovalRequest: r, title: requestTitle(r, &baton.RequestType{Name: "purchase", Title: typed, Description: typed}),
			since: fxNow.Add(-50 * time.Hour)}
	}
	var awaiting, requests []homeRequest
	for i := range homeLimit + 1 {
		awaiting = append(awaiting, request(int64(60+i), baton.ApprovalPending))
	}
	for i, s := range []baton.ApprovalStatus{baton.ApprovalPending, baton.ApprovalApproved, baton.ApprovalRejected,
		baton.ApprovalChangesRequested, baton.ApprovalCancelled, baton.ApprovalPending, baton.ApprovalPending, baton.ApprovalPending, baton.ApprovalPending} {
		requests = append(requests, request(int64(80+i), s))
	}

	flags := []baton.PendingFlag{{Number: 4, Title: typed, Flag: baton.DecisionFlag{ID: 1, DecisionID: 4, UserID: fxAlice, FlaggedBy: fxBob,
		Version: 2, Reason: typed + "\n" + typed, FlaggedAt: fxNow.Add(-3 * time.Hour)}}}

	checkin := baton.Checkin{ID: 5, TeamID: "T1", Number: 5, SenderID: fxAlice, Message: typed, TaskNumber: 2, AskReply: true,
		Schedule: baton.Schedule{Repeat: baton.RepeatWeekdays, At: baton.Clock{Hour: 9, Minute: 30}}, State: baton.CheckinActive,
		CreatedAt: created, Recipients: []baton.CheckinRecipient{{UserID: fxBob, TZ: "Europe/Paris"}, {UserID: fxCal, TZ: "UTC"}}}
	deliveries := map[int64][]baton.CheckinDelivery{checkin.ID: {
		{ID: 1, CheckinID: checkin.ID, TeamID: "T1", RecipientID: fxBob, DueAt: fxNow.Add(-time.Hour), State: baton.DeliveryAnswered,
			ChannelID: fxChannel, DeliveredAt: fxNow.Add(-time.Hour), SeenAt: fxNow.Add(-40 * time.Minute),
			AnsweredAt: fxNow.Add(-30 * time.Minute), Answer: typed},
		{ID: 2, CheckinID: checkin.ID, TeamID: "T1", RecipientID: fxCal, DueAt: fxNow.Add(-time.Hour), State: baton.DeliveryDelivered,
			ChannelID: fxChannel, DeliveredAt: fxNow.Add(-time.Hour)},
	}}

	full := homeData{
		attention: []baton.Task{blocked, overdue, overdueAt}, attentionTotal: 30,
		delegated: delegated, delegatedTotal: 90, delegatedByStatus: map[baton.Status]int{baton.StatusTodo: 40, baton.StatusBlocked: 30},
		mine: mine, mineTotal: 50,
		goals: map[int64]baton.Alignment{7: {KR: kr, Objectives: []baton.Objective{top}}},
		krs:   krs,
		flags: flags, flagsTotal: 12,
		digest:   baton.DigestSetting{Daily: true, At: baton.Clock{Hour: 8, Minute: 45}},
		checkins: []baton.Checkin{checkin}, checkinsTotal: 3, checkinDeliveries: deliveries,
		awaiting: awaiting, awaitingTotal: 20,
		requests: requests,
	}

	holiday := baton.Holiday{Date: "2026-12-25", Name: typed}
	return []surface{
		{"home blocks", homeBlocks(full, fxNow)},
		{"home empty", homeBlocks(homeData{}, fxNow)},
		{"home attention line, blocked", attentionBlocks(blocked, fxCal, baton.Calendar{}, fxNow)},
		{"home attention line, overdue", attentionBlocks(overdue, fxCal, baton.Calendar{}, fxNow)},
		{"home awaiting", awaitingHomeBlocks(awaiting, 20, baton.Calendar{}, fxNow)},
		{"home requests", requestsHomeBlocks(requests)},
		{"home request standing", requestStanding(requests[0].ApprovalRequest)},
		{"home request standing decided", requestStanding(requests[1].ApprovalRequest)},
		{"home key results", krHomeBlocks(krs)},
		{"baton help", batonHelp},
		{"baton not understood", batonProblemText(typed)},
		{"baton holiday added", holidayAddedText(holiday)},
		{"baton holidays", holidaysText([]baton.Holiday{holiday, {Date: "2027-01-01"}})},
		{"baton jobs", jobsText([]scheduler.ParkedJob{{Job: scheduler.Job{Key: typed, Attempt: 5}, LastError: typed}})},
		{"baton group sources", groupSources([]string{fxAlice, fxBob}, baton.GroupEdits{})},
	}
}
