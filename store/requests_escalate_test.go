package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestEscalationAddsItsApproversOnceAndOneOfThemDecidesAnAllStep(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	step := allStep("Security", "US1", "US2")
	step.RemindAfter, step.EscalateAfter, step.EscalateTo = 2*time.Hour, 24*time.Hour, []string{"UCFO", "US1"}
	r := createRequest(t, db, "TA", "UREQ", step, anyStep("Finance", "UF1"))
	if got := r.Steps[0]; got.RemindAfter != 2*time.Hour || got.EscalateAfter != 24*time.Hour {
		t.Fatalf("created step = %+v", got)
	}
	read, err := db.Request(ctx, "TA", r.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got := read.Steps[1]; got.EscalateTo == nil || len(got.EscalateTo) != 0 || got.RemindAfter != 0 {
		t.Fatalf("a step without timers reads back as %+v", got)
	}

	// A step the request no longer waits on is not escalated.
	if _, added, err := db.EscalateRequest(ctx, "TA", r.Number, 1, now); err != nil || len(added) != 0 {
		t.Fatalf("escalating a later step: %v, %v", added, err)
	}
	if _, _, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "US1", baton.ActApprove, "", nil, now)); err != nil {
		t.Fatal(err)
	}
	got, added, err := db.EscalateRequest(ctx, "TA", r.Number, 0, now.Add(24*time.Hour))
	if err != nil || !slices.Equal(added, []string{"UCFO"}) {
		t.Fatalf("escalate: %v, %v", added, err)
	}
	if s := got.Steps[0]; !slices.Equal(s.Approvers, []string{"US1", "US2", "UCFO"}) || !slices.Equal(s.EscalatedTo, []string{"UCFO"}) {
		t.Fatalf("escalated step = %+v", s)
	}
	if _, added, err := db.EscalateRequest(ctx, "TA", r.Number, 0, now.Add(25*time.Hour)); err != nil || len(added) != 0 {
		t.Fatalf("a second escalation added %v (%v)", added, err)
	}
	if err := db.RecordRequestAction(ctx, baton.ApprovalAction{RequestID: r.ID, Actor: baton.ActorBaton, Action: baton.ActRemind, Comment: "US2", At: now}); err != nil {
		t.Fatal(err)
	}

	// US2 has not approved, but the CFO an escalation added decides the `all` step alone.
	after, d, err := db.ChangeRequest(ctx, "TA", r.Number, baton.Decide(0, "UCFO", baton.ActApprove, "", nil, now.Add(26*time.Hour)))
	if err != nil || !d.StepDone || after.CurrentStep != 1 {
		t.Fatalf("the escalation approver's approval: %+v, %+v, %v", after, d, err)
	}
	trail, err := db.RequestActions(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range trail {
		kinds = append(kinds, a.Action)
	}
	if want := []string{"submit", "route", "approve", "escalate", "remind", "approve"}; !slices.Equal(kinds, want) {
		t.Errorf("trail = %v, want %v", kinds, want)
	}
}

func TestAnAllStepWithoutEscalationStillNeedsEveryone(t *testing.T) {
	t.Parallel()
	s := baton.ApprovalStep{Mode: "all", Approvers: []string{"U1", "U2", "UX"}, EscalatedTo: []string{"UX"}, Approved: []string{"U1"}}
	if s.StepApproved() {
		t.Error("one of two routed approvers decided an `all` step")
	}
	s.Approved = append(s.Approved, "U2")
	if !s.StepApproved() {
		t.Error("every routed approver approved, yet the step waits on the escalation approver")
	}
}
