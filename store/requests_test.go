package store_test

import (
	"context"
	"sync"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

const policyV1 = "v1hash"

func createRequest(t *testing.T, db *store.DB, team, requester string, steps ...store.RequestStep) store.Request {
	t.Helper()
	ctx := context.Background()
	if err := db.SavePolicyVersion(ctx, policyV1, "types: []", now); err != nil {
		t.Fatal(err)
	}
	r := store.Request{
		TeamID: team, Type: "purchase", Values: map[string]string{"amount": "12000", "risk": "high"}, Summary: "New laptops",
		RequesterID: requester, PolicyVersion: policyV1, Branch: 3, BranchName: "Large", Explanation: "Branch 3 matched",
		Status: store.RequestPending, CreatedAt: now, Steps: steps,
	}
	created, err := db.CreateRequest(ctx, r, []store.ApprovalAction{
		{Actor: requester, Action: store.ActSubmit, At: now},
		{Actor: requester, Action: store.ActRoute, Comment: "Branch 3 matched", At: now},
	})
	if err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	return created
}

func anyStep(name string, approvers ...string) store.RequestStep {
	return store.RequestStep{Name: name, Mode: baton.ModeAny, Approvers: approvers}
}

func allStep(name string, approvers ...string) store.RequestStep {
	return store.RequestStep{Name: name, Mode: baton.ModeAll, Approvers: approvers}
}

func TestRequestsAreNumberedPerWorkspaceAndReadBack(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createTask(t, db, "TA", "U1", "U2", "A task takes T-1", dueNone)
	for want := int64(1); want <= 2; want++ {
		for _, team := range []string{"TA", "TB"} {
			r := createRequest(t, db, team, "UREQ", anyStep("Finance", "UF1", "UF2"))
			if r.Number != want || r.Ref() != store.RequestRef(want) {
				t.Fatalf("%s request = %s, want R-%d", team, r.Ref(), want)
			}
		}
	}
	// The same policy version saved twice is stored once.
	if err := db.SavePolicyVersion(ctx, policyV1, "types: []", now); err != nil {
		t.Fatal(err)
	}
	got, err := db.Request(ctx, "TA", 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Values["amount"] != "12000" || got.Summary != "New laptops" || got.Status != store.RequestPending ||
		len(got.Steps) != 1 || got.Steps[0].Approvers[1] != "UF2" || got.Steps[0].Mode != baton.ModeAny || !got.DecidedAt.IsZero() {
		t.Errorf("stored request = %+v", got)
	}
	if _, err := db.Request(ctx, "TA", 9); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("R-9 read gave %v, want not found", err)
	}
	trail, err := db.RequestActions(ctx, got.ID)
	if err != nil || len(trail) != 2 || trail[0].Action != store.ActSubmit || trail[1].Action != store.ActRoute {
		t.Errorf("trail = %+v, %v", trail, err)
	}
}

func TestDecideRequestMovesThroughStepsAndOnlyCurrentApproversAct(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Manager", "UMGR"), anyStep("Finance", "UF1", "UF2"))

	_, _, err := db.DecideRequest(ctx, "TA", r.Number, 0, "UF1", store.ActApprove, "", now)
	wantCode(t, err, baton.EForbidden)

	got, d, err := db.DecideRequest(ctx, "TA", r.Number, 0, "UMGR", store.ActApprove, "", now)
	if err != nil || !d.StepDone || d.Finished || got.CurrentStep != 1 || got.Status != store.RequestPending {
		t.Fatalf("manager approval: %+v %+v %v", got, d, err)
	}
	// A late click on step 1's card changes nothing.
	_, _, err = db.DecideRequest(ctx, "TA", r.Number, 0, "UMGR", store.ActApprove, "", now)
	wantCode(t, err, baton.EConflict)

	awaiting, err := db.RequestsAwaiting(ctx, "TA", "UF2", 10)
	if err != nil || len(awaiting) != 1 || awaiting[0].Number != r.Number {
		t.Fatalf("awaiting UF2 = %+v, %v", awaiting, err)
	}
	got, d, err = db.DecideRequest(ctx, "TA", r.Number, 1, "UF2", store.ActApprove, "", now)
	if err != nil || !d.Finished || got.Status != store.RequestApproved || got.DecidedAt.IsZero() {
		t.Fatalf("finance approval: %+v %+v %v", got, d, err)
	}
	_, _, err = db.DecideRequest(ctx, "TA", r.Number, 1, "UF1", store.ActReject, "too late", now)
	wantCode(t, err, baton.EConflict)
	if awaiting, _ := db.RequestsAwaiting(ctx, "TA", "UF1", 10); len(awaiting) != 0 {
		t.Errorf("a decided request still awaits UF1: %+v", awaiting)
	}
	mine, err := db.RequestsByRequester(ctx, "TA", "UREQ", 10)
	if err != nil || len(mine) != 1 || mine[0].Status != store.RequestApproved || len(mine[0].Steps) != 2 {
		t.Errorf("mine = %+v, %v", mine, err)
	}
}

func TestAllStepNeedsEveryApproverAndRejectionEnds(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", allStep("Security", "US1", "US2", "US3"))
	got, d, err := db.DecideRequest(ctx, "TA", r.Number, 0, "US1", store.ActApprove, "", now)
	if err != nil || d.StepDone || got.Steps[0].Approved[0] != "US1" {
		t.Fatalf("first approval: %+v %+v %v", got, d, err)
	}
	_, _, err = db.DecideRequest(ctx, "TA", r.Number, 0, "US1", store.ActApprove, "", now)
	wantCode(t, err, baton.EConflict)
	if awaiting, _ := db.RequestsAwaiting(ctx, "TA", "US1", 10); len(awaiting) != 0 {
		t.Errorf("a request US1 approved still awaits them")
	}
	got, d, err = db.DecideRequest(ctx, "TA", r.Number, 0, "US2", store.ActReject, "no", now)
	if err != nil || !d.Finished || got.Status != store.RequestRejected {
		t.Fatalf("rejection: %+v %+v %v", got, d, err)
	}
	trail, _ := db.RequestActions(ctx, r.ID)
	if last := trail[len(trail)-1]; last.Action != store.ActReject || last.Comment != "no" || last.Actor != "US2" {
		t.Errorf("last action = %+v", last)
	}

	r2 := createRequest(t, db, "TA", "UREQ", allStep("Security", "US1", "US2"))
	if _, _, err := db.DecideRequest(ctx, "TA", r2.Number, 0, "US1", store.ActApprove, "", now); err != nil {
		t.Fatal(err)
	}
	got, d, err = db.DecideRequest(ctx, "TA", r2.Number, 0, "US2", store.ActApprove, "", now)
	if err != nil || !d.Finished || got.Status != store.RequestApproved || len(got.Steps[0].Approved) != 2 {
		t.Fatalf("second of two approvals: %+v %+v %v", got, d, err)
	}
}

func TestConcurrentApprovalsDecideOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Finance", "UF1", "UF2"), anyStep("CFO", "UCFO"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for _, who := range []string{"UF1", "UF2", "UF1", "UF2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := db.DecideRequest(ctx, "TA", r.Number, 0, who, store.ActApprove, "", now)
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if baton.ErrorCode(err) != baton.EConflict {
				t.Errorf("losing click: %v, want conflict", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d clicks decided step 1, want exactly 1", wins)
	}
	got, _ := db.Request(ctx, "TA", r.Number)
	if got.CurrentStep != 1 || len(got.Steps[0].Approved) != 1 {
		t.Errorf("after the race: %+v", got)
	}
}

func TestCancelRequestByRequesterWhilePending(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Manager", "UMGR"))
	_, err := db.CancelRequest(ctx, "TA", r.Number, "UMGR", now)
	wantCode(t, err, baton.EForbidden)
	got, err := db.CancelRequest(ctx, "TA", r.Number, "UREQ", now)
	if err != nil || got.Status != store.RequestCancelled {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	_, err = db.CancelRequest(ctx, "TA", r.Number, "UREQ", now)
	wantCode(t, err, baton.EConflict)
	_, _, err = db.DecideRequest(ctx, "TA", r.Number, 0, "UMGR", store.ActApprove, "", now)
	wantCode(t, err, baton.EConflict)
}

func TestRequestCardsAndStatusCard(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Finance", "UF1", "UF2"))
	for _, c := range []store.RequestCard{
		{RequestID: r.ID, Step: 0, ApproverID: "UF2", ChannelID: "DUF2", TS: "2.0"},
		{RequestID: r.ID, Step: 0, ApproverID: "UF1", ChannelID: "DUF1", TS: "1.0"},
	} {
		if err := db.AddRequestCard(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	cards, err := db.RequestCards(ctx, r.ID)
	if err != nil || len(cards) != 2 || cards[0].ApproverID != "UF1" || cards[1].TS != "2.0" {
		t.Fatalf("cards = %+v, %v", cards, err)
	}
	if err := db.SetRequestStatusCard(ctx, r.ID, "DUREQ", "3.0"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRequestThread(ctx, r.ID, "4.0"); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Request(ctx, "TA", r.Number)
	if got.StatusChannel != "DUREQ" || got.StatusTS != "3.0" || got.ChannelTS != "4.0" {
		t.Errorf("request = %+v", got)
	}
	if n, err := db.CountRequests(ctx, "TA"); err != nil || n != 1 {
		t.Errorf("count = %d, %v", n, err)
	}
}
