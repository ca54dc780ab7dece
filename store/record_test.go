package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

// A person's requests as a record reads them: which were approved at once, which inside a grant, and
// the last ones approvers decided.
func TestRequestsFiledTellAutomaticAndGrantedApprovals(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	if err := db.SavePolicyVersion(ctx, "v1", "types: []", now); err != nil {
		t.Fatal(err)
	}
	file := func(status baton.ApprovalStatus, at time.Time, actions ...string) int64 {
		t.Helper()
		r := baton.ApprovalRequest{TeamID: "T1", Type: "purchase", Values: map[string]string{"amount": "100"}, RequesterID: "UANA",
			PolicyVersion: "v1", Status: status, CreatedAt: at}
		var trail []baton.ApprovalAction
		for _, a := range actions {
			trail = append(trail, baton.ApprovalAction{Actor: "UANA", Action: a, At: at})
		}
		if status != baton.ApprovalPending {
			r.DecidedAt = at
		}
		created, err := db.CreateRequest(ctx, r, trail)
		if err != nil {
			t.Fatal(err)
		}
		return created.Number
	}
	approved := file(baton.ApprovalApproved, now.Add(-5*time.Hour), baton.ActSubmit)
	auto := file(baton.ApprovalApproved, now.Add(-4*time.Hour), baton.ActSubmit, baton.ActAutoApprove)
	granted := file(baton.ApprovalApproved, now.Add(-3*time.Hour), baton.ActSubmit, baton.ActAutoApprove)
	sentBack := file(baton.ApprovalChangesRequested, now.Add(-2*time.Hour), baton.ActSubmit)
	file(baton.ApprovalPending, now.Add(-time.Hour), baton.ActSubmit)
	g, err := db.CreateGrant(ctx, baton.Grant{TeamID: "T1", UserID: "UANA", RequestType: "purchase", Condition: "true", GrantedBy: "UMGR", GrantedAt: now.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordGrantUse(ctx, g.ID, "UANA", granted, now.Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}

	all, err := db.RequestsFiled(ctx, "T1", "UANA", "", now.Add(-24*time.Hour), now)
	if err != nil || len(all) != 5 {
		t.Fatalf("RequestsFiled = %d requests, %v; want 5", len(all), err)
	}
	for _, r := range all {
		wantAuto, wantGrant := r.Number == auto || r.Number == granted, r.Number == granted
		if r.AutoApproved != wantAuto || r.ByGrant != wantGrant || r.Values["amount"] != "100" || r.RequesterID != "UANA" {
			t.Errorf("R-%d = %+v, want auto %v, by grant %v", r.Number, r, wantAuto, wantGrant)
		}
	}
	if other, err := db.RequestsFiled(ctx, "T1", "UANA", "travel", now.Add(-24*time.Hour), now); err != nil || len(other) != 0 {
		t.Errorf("travel requests = %+v, %v; want none", other, err)
	}

	decided, err := db.DecidedByApprovers(ctx, "T1", "UANA", "purchase", 5)
	var got []int64
	for _, r := range decided {
		got = append(got, r.Number)
	}
	if err != nil || !slices.Equal(got, []int64{approved, sentBack}) {
		t.Errorf("DecidedByApprovers = %v, %v; want R-%d and R-%d, oldest first", got, err, approved, sentBack)
	}
	if last, err := db.DecidedByApprovers(ctx, "T1", "UANA", "purchase", 1); err != nil || len(last) != 1 || last[0].Number != sentBack {
		t.Errorf("the last one decided by approvers = %+v, %v; want R-%d", last, err, sentBack)
	}
}
