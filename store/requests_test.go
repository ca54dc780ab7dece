package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

const policyV1 = "v1hash"

func createRequest(t *testing.T, db *store.DB, team, requester string, steps ...baton.ApprovalStep) baton.ApprovalRequest {
	t.Helper()
	ctx := context.Background()
	if err := db.SavePolicyVersion(ctx, policyV1, "types: []", now); err != nil {
		t.Fatal(err)
	}
	r := baton.ApprovalRequest{
		TeamID: team, Type: "purchase", Values: map[string]string{"amount": "12000", "risk": "high"}, Summary: "New laptops",
		RequesterID: requester, PolicyVersion: policyV1, Branch: 3, BranchName: "Large", Explanation: "Branch 3 matched",
		Status: baton.ApprovalPending, CreatedAt: now, Steps: steps,
	}
	created, err := db.CreateRequest(ctx, r, []baton.ApprovalAction{
		{Actor: requester, Action: baton.ActSubmit, At: now},
		{Actor: requester, Action: baton.ActRoute, Comment: "Branch 3 matched", At: now},
	})
	if err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	return created
}

func anyStep(name string, approvers ...string) baton.ApprovalStep {
	return baton.ApprovalStep{Name: name, Mode: baton.ModeAny, Approvers: approvers}
}

func allStep(name string, approvers ...string) baton.ApprovalStep {
	return baton.ApprovalStep{Name: name, Mode: baton.ModeAll, Approvers: approvers}
}

func TestRequestsAreNumberedPerWorkspaceAndReadBack(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	createTask(t, db, "TA", "U1", "U2", "A task takes T-1", dueNone)
	for want := int64(1); want <= 2; want++ {
		for _, team := range []string{"TA", "TB"} {
			r := createRequest(t, db, team, "UREQ", anyStep("Finance", "UF1", "UF2"))
			if r.Number != want || r.Ref() != baton.RequestRef(want) {
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
	if got.Values["amount"] != "12000" || got.Summary != "New laptops" || got.Status != baton.ApprovalPending ||
		len(got.Steps) != 1 || got.Steps[0].Approvers[1] != "UF2" || got.Steps[0].Mode != baton.ModeAny || !got.DecidedAt.IsZero() {
		t.Errorf("stored request = %+v", got)
	}
	if _, err := db.Request(ctx, "TA", 9); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("R-9 read gave %v, want not found", err)
	}
	trail, err := db.RequestActions(ctx, got.ID)
	if err != nil || len(trail) != 2 || trail[0].Action != baton.ActSubmit || trail[1].Action != baton.ActRoute {
		t.Errorf("trail = %+v, %v", trail, err)
	}
}

func TestChangeRequestMovesThroughStepsAndOnlyCurrentApproversAct(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Manager", "UMGR"), anyStep("Finance", "UF1", "UF2"))

	_, _, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "UF1", baton.ActApprove, "", nil, now))
	wantCode(t, err, baton.EForbidden)

	got, d, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "UMGR", baton.ActApprove, "", nil, now))
	if err != nil || !d.StepDone || d.Finished || got.CurrentStep != 1 || got.Status != baton.ApprovalPending {
		t.Fatalf("manager approval: %+v %+v %v", got, d, err)
	}
	// A late click on step 1's card changes nothing.
	_, _, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "UMGR", baton.ActApprove, "", nil, now))
	wantCode(t, err, baton.EConflict)

	awaiting, err := db.RequestsAwaiting(ctx, "TA", "UF2", 10)
	if err != nil || len(awaiting) != 1 || awaiting[0].Number != r.Number {
		t.Fatalf("awaiting UF2 = %+v, %v", awaiting, err)
	}
	got, d, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(1, "UF2", baton.ActApprove, "", nil, now))
	if err != nil || !d.Finished || got.Status != baton.ApprovalApproved || got.DecidedAt.IsZero() {
		t.Fatalf("finance approval: %+v %+v %v", got, d, err)
	}
	_, _, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(1, "UF1", baton.ActReject, "too late", nil, now))
	wantCode(t, err, baton.EConflict)
	if awaiting, _ := db.RequestsAwaiting(ctx, "TA", "UF1", 10); len(awaiting) != 0 {
		t.Errorf("a decided request still awaits UF1: %+v", awaiting)
	}
	mine, err := db.RequestsByRequester(ctx, "TA", "UREQ", 10)
	if err != nil || len(mine) != 1 || mine[0].Status != baton.ApprovalApproved || len(mine[0].Steps) != 2 {
		t.Errorf("mine = %+v, %v", mine, err)
	}
}

func TestAllStepNeedsEveryApproverAndRejectionEnds(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", allStep("Security", "US1", "US2", "US3"))
	got, d, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "US1", baton.ActApprove, "", nil, now))
	if err != nil || d.StepDone || got.Steps[0].Approved[0] != "US1" {
		t.Fatalf("first approval: %+v %+v %v", got, d, err)
	}
	_, _, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "US1", baton.ActApprove, "", nil, now))
	wantCode(t, err, baton.EConflict)
	if awaiting, _ := db.RequestsAwaiting(ctx, "TA", "US1", 10); len(awaiting) != 0 {
		t.Errorf("a request US1 approved still awaits them")
	}
	got, d, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "US2", baton.ActReject, "no", nil, now))
	if err != nil || !d.Finished || got.Status != baton.ApprovalRejected {
		t.Fatalf("rejection: %+v %+v %v", got, d, err)
	}
	trail, _ := db.RequestActions(ctx, r.ID)
	if last := trail[len(trail)-1]; last.Action != baton.ActReject || last.Comment != "no" || last.Actor != "US2" {
		t.Errorf("last action = %+v", last)
	}

	r2 := createRequest(t, db, "TA", "UREQ", allStep("Security", "US1", "US2"))
	if _, _, err := db.ChangeRequest(ctx, "TA", r2.Number, baton.Decide(0, "US1", baton.ActApprove, "", nil, now)); err != nil {
		t.Fatal(err)
	}
	got, d, err = db.ChangeRequest(ctx, "TA", r2.Number, baton.Decide(0, "US2", baton.ActApprove, "", nil, now))
	if err != nil || !d.Finished || got.Status != baton.ApprovalApproved || len(got.Steps[0].Approved) != 2 {
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
			_, _, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, who, baton.ActApprove, "", nil, now))
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

func TestChangeRequestCancelsForTheRequesterWhilePending(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Manager", "UMGR"))
	_, _, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Cancel("UMGR", now))
	wantCode(t, err, baton.EForbidden)
	got, _, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Cancel("UREQ", now))
	if err != nil || got.Status != baton.ApprovalCancelled {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	_, _, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Cancel("UREQ", now))
	wantCode(t, err, baton.EConflict)
	_, _, err = db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "UMGR", baton.ActApprove, "", nil, now))
	wantCode(t, err, baton.EConflict)
}

func TestRequestCardsAndStatusCard(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r := createRequest(t, db, "TA", "UREQ", anyStep("Finance", "UF1", "UF2"))
	for _, c := range []baton.ApprovalCard{
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
	if err := db.SetRequestStatusCard(ctx, r.ID, "DUREQ", "3.0", "https://example.slack.com/archives/DUREQ/p30"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRequestThread(ctx, r.ID, "4.0"); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Request(ctx, "TA", r.Number)
	if got.StatusChannel != "DUREQ" || got.StatusTS != "3.0" || got.StatusLink != "https://example.slack.com/archives/DUREQ/p30" || got.ChannelTS != "4.0" {
		t.Errorf("request = %+v", got)
	}
	if n, err := db.CountRequests(ctx, "TA"); err != nil || n != 1 {
		t.Errorf("count = %d, %v", n, err)
	}
}

// createRequestAt stores a pending request filed at a given time.
func createRequestAt(t *testing.T, db *store.DB, team, requester string, at time.Time, steps ...baton.ApprovalStep) baton.ApprovalRequest {
	t.Helper()
	ctx := context.Background()
	if err := db.SavePolicyVersion(ctx, policyV1, "types: []", now); err != nil {
		t.Fatal(err)
	}
	r, err := db.CreateRequest(ctx, baton.ApprovalRequest{TeamID: team, Type: "purchase", RequesterID: requester,
		PolicyVersion: policyV1, Status: baton.ApprovalPending, CreatedAt: at, Steps: steps},
		[]baton.ApprovalAction{{Actor: requester, Action: baton.ActSubmit, At: at}})
	if err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	return r
}

func TestAwaitingApprovalListsTheLongestWaitingFirstWithWhenTheStepBegan(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	r1 := createRequestAt(t, db, "TA", "UREQ", now.Add(-5*time.Hour), anyStep("Manager", "UMGR"), allStep("Finance", "UF1", "UF2"))
	r2 := createRequestAt(t, db, "TA", "UREQ", now.Add(-3*time.Hour), anyStep("Finance", "UF1"))
	r3 := createRequestAt(t, db, "TA", "UREQ", now.Add(-time.Hour), allStep("Finance", "UF1", "UF2"))
	createRequestAt(t, db, "TB", "UREQ", now.Add(-9*time.Hour), anyStep("Finance", "UF1"))
	r5 := createRequestAt(t, db, "TA", "UREQ", now.Add(-9*time.Hour), anyStep("Finance", "UF1"))
	if _, _, err := db.ChangeRequest(ctx, "TA", r5.Number, baton.Cancel("UREQ", now)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ChangeRequest(ctx, "TA", r1.Number, baton.Decide(0, "UMGR", baton.ActApprove, "", nil, now.Add(-2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ChangeRequest(ctx, "TA", r3.Number, baton.Decide(0, "UF1", baton.ActApprove, "", nil, now)); err != nil {
		t.Fatal(err)
	}

	type want struct {
		number int64
		since  time.Time
	}
	for _, c := range []struct {
		user  string
		limit int
		want  []want
		total int
	}{
		{"UF1", 10, []want{{r2.Number, now.Add(-3 * time.Hour)}, {r1.Number, now.Add(-2 * time.Hour)}}, 2},
		{"UF1", 1, []want{{r2.Number, now.Add(-3 * time.Hour)}}, 2},
		{"UF2", 10, []want{{r1.Number, now.Add(-2 * time.Hour)}, {r3.Number, now.Add(-time.Hour)}}, 2},
		{"UMGR", 10, nil, 0},
		{"UNOBODY", 10, nil, 0},
	} {
		got, total, err := db.AwaitingApproval(ctx, "TA", c.user, c.limit)
		if err != nil {
			t.Fatalf("%s: %v", c.user, err)
		}
		var gotW []want
		for _, a := range got {
			gotW = append(gotW, want{a.Number, a.StepSince})
			if len(a.Steps) == 0 || a.Status != baton.ApprovalPending {
				t.Errorf("%s: %s read without its steps or not pending: %+v", c.user, a.Ref(), a)
			}
		}
		if total != c.total || len(gotW) != len(c.want) {
			t.Fatalf("%s limit %d: got %+v (total %d), want %+v (total %d)", c.user, c.limit, gotW, total, c.want, c.total)
		}
		for i := range gotW {
			if gotW[i].number != c.want[i].number || !gotW[i].since.Equal(c.want[i].since) {
				t.Errorf("%s limit %d: got %+v, want %+v", c.user, c.limit, gotW, c.want)
				break
			}
		}
	}
}

func TestExportRequestsByRangeAndByWhoFiledOrActed(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	before := createRequestAt(t, db, "TA", "UANA", day.Add(-time.Second), anyStep("Manager", "UMGR"))
	first := createRequestAt(t, db, "TA", "UANA", day, anyStep("Manager", "UMGR"))
	decided := createRequestAt(t, db, "TA", "UBO", day.Add(time.Hour), anyStep("Manager", "UMGR"))
	waiting := createRequestAt(t, db, "TA", "UBO", day.Add(2*time.Hour), anyStep("Manager", "UMGR"))
	createRequestAt(t, db, "TB", "UANA", day.Add(time.Hour), anyStep("Manager", "UMGR"))
	after := createRequestAt(t, db, "TA", "UANA", day.AddDate(0, 0, 1), anyStep("Manager", "UMGR"))
	if _, _, err := db.ChangeRequest(ctx, "TA", decided.Number, baton.Decide(0, "UMGR", baton.ActReject, "Too dear", nil, day.Add(3*time.Hour))); err != nil {
		t.Fatal(err)
	}
	numbers := func(reqs []baton.ApprovalRequest) []int64 {
		var out []int64
		for _, r := range reqs {
			out = append(out, r.Number)
		}
		return out
	}

	all, trails, err := db.ExportRequests(ctx, "TA", "", day, day.AddDate(0, 0, 1), 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := numbers(all), []int64{first.Number, decided.Number, waiting.Number}; !slices.Equal(got, want) {
		t.Fatalf("all = %v, want %v (not %d before the day, nor %d after)", got, want, before.Number, after.Number)
	}
	if tr := trails[all[1].ID]; len(tr) != 2 || tr[1].Action != baton.ActReject || tr[1].Comment != "Too dear" || len(all[1].Steps) != 1 {
		t.Errorf("trail of the decided one = %+v, steps %+v", tr, all[1].Steps)
	}
	mine, _, _ := db.ExportRequests(ctx, "TA", "UANA", day, day.AddDate(0, 0, 1), 100)
	if got := numbers(mine); !slices.Equal(got, []int64{first.Number}) {
		t.Errorf("Ana's = %v, want only the one she filed", got)
	}
	acted, _, _ := db.ExportRequests(ctx, "TA", "UMGR", day, day.AddDate(0, 0, 1), 100)
	if got := numbers(acted); !slices.Equal(got, []int64{decided.Number}) {
		t.Errorf("the manager's = %v, want only the one they decided", got)
	}
	if some, _, _ := db.ExportRequests(ctx, "TA", "", day, day.AddDate(0, 0, 1), 2); len(some) != 2 {
		t.Errorf("limit 2 gave %d", len(some))
	}
}
