package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestWorkspaceRequestsAreEveryonesSinceADayWithTheirRoutes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	from := now.AddDate(0, 0, -90)
	createRequestAt(t, db, "TA", "UANA", from.Add(-time.Second), anyStep("Manager", "UMGR"))
	first := createRequestAt(t, db, "TA", "UANA", from, anyStep("Manager", "UMGR"))
	escalated := createRequestAt(t, db, "TA", "UBO", from.Add(time.Hour), baton.ApprovalStep{Name: "Manager", Mode: baton.ModeAny,
		Approvers: []string{"UMGR"}, EscalateAfter: time.Hour, EscalateTo: []string{"UCFO"}})
	if _, added, err := db.EscalateRequest(ctx, "TA", escalated.Number, 0, from.Add(2*time.Hour)); err != nil || len(added) != 1 {
		t.Fatalf("escalate: %v, added %v", err, added)
	}
	auto, err := db.CreateRequest(ctx, baton.ApprovalRequest{TeamID: "TA", Type: "purchase", RequesterID: "UBO", PolicyVersion: policyV1,
		Branch: 1, BranchName: "Small", Status: baton.ApprovalApproved, CreatedAt: now, DecidedAt: now},
		[]baton.ApprovalAction{{Actor: "UBO", Action: baton.ActSubmit, At: now}, {Actor: "UBO", Action: baton.ActAutoApprove, At: now}})
	if err != nil {
		t.Fatal(err)
	}
	createRequestAt(t, db, "TB", "UANA", from.Add(time.Hour), anyStep("Manager", "UMGR"))

	numbers := func(reqs []baton.FiledRequest) []int64 {
		var out []int64
		for _, r := range reqs {
			out = append(out, r.Number)
		}
		return out
	}
	got, err := db.WorkspaceRequests(ctx, "TA", from, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{first.Number, escalated.Number, auto.Number}; !slices.Equal(numbers(got), want) {
		t.Fatalf("requests = %v, want %v: everyone's since the day, oldest first", numbers(got), want)
	}
	if got[0].AutoApproved || got[0].RequesterID != "UANA" || len(got[0].Steps) != 1 || got[0].Steps[0].Approvers[0] != "UMGR" {
		t.Errorf("first = %+v", got[0])
	}
	if s := got[1].Steps; len(s) != 1 || !slices.Equal(s[0].Approvers, []string{"UMGR", "UCFO"}) || !slices.Equal(s[0].EscalatedTo, []string{"UCFO"}) {
		t.Errorf("the escalated request's steps = %+v", s)
	}
	if !got[2].AutoApproved || got[2].BranchName != "Small" || len(got[2].Steps) != 0 {
		t.Errorf("the auto-approved request = %+v", got[2])
	}
	latest, err := db.WorkspaceRequests(ctx, "TA", from, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{escalated.Number, auto.Number}; !slices.Equal(numbers(latest), want) {
		t.Errorf("limit 2 gave %v, want the latest two, oldest first: %v", numbers(latest), want)
	}
}
