package baton

import (
	"slices"
	"testing"
	"time"
)

func pendingRequest(steps ...ApprovalStep) ApprovalRequest {
	for i := range steps {
		steps[i].Index = i
	}
	return ApprovalRequest{ID: 7, Number: 2, Type: "purchase", RequesterID: "UREQ", Status: ApprovalPending, Steps: steps}
}

func TestDecide(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	any1 := ApprovalStep{Name: "Manager", Mode: ModeAny, Approvers: []string{"UMGR", "UDEP"}}
	all2 := ApprovalStep{Name: "Finance", Mode: ModeAll, Approvers: []string{"UF1", "UF2"}}
	selfOK := func(string) bool { return true }
	cases := []struct {
		name       string
		r          ApprovalRequest
		step       int
		actor      string
		action     string
		self       SelfApproval
		wantErr    string
		wantStatus ApprovalStatus
		wantStep   int
		stepDone   bool
		finished   bool
	}{
		{name: "an any step is decided by its first approval", r: pendingRequest(any1, all2), actor: "UDEP", action: ActApprove,
			wantStatus: ApprovalPending, wantStep: 1, stepDone: true},
		{name: "an all step waits on every approver", r: pendingRequest(all2), actor: "UF1", action: ActApprove,
			wantStatus: ApprovalPending},
		{name: "the last approval of the last step approves", r: func() ApprovalRequest {
			r := pendingRequest(all2)
			r.Steps[0].Approved = []string{"UF1"}
			return r
		}(), actor: "UF2", action: ActApprove, wantStatus: ApprovalApproved, stepDone: true, finished: true},
		{name: "one escalation approver decides an all step alone", r: func() ApprovalRequest {
			r := pendingRequest(all2)
			r.Steps[0].Approvers = append(r.Steps[0].Approvers, "UCFO")
			r.Steps[0].EscalatedTo = []string{"UCFO"}
			return r
		}(), actor: "UCFO", action: ActApprove, wantStatus: ApprovalApproved, stepDone: true, finished: true},
		{name: "a rejection ends the request", r: pendingRequest(any1, all2), actor: "UMGR", action: ActReject,
			wantStatus: ApprovalRejected, stepDone: true, finished: true},
		{name: "asking for changes ends the request", r: pendingRequest(any1), actor: "UMGR", action: ActChanges,
			wantStatus: ApprovalChangesRequested, stepDone: true, finished: true},
		{name: "the requester can't decide their own request", r: pendingRequest(ApprovalStep{Approvers: []string{"UREQ"}}), actor: "UREQ",
			action: ActApprove, wantErr: "You can't decide on R-2: it's your own request. Nothing changed."},
		{name: "unless the type allows it", r: pendingRequest(ApprovalStep{Approvers: []string{"UREQ"}}), actor: "UREQ", action: ActApprove,
			self: selfOK, wantStatus: ApprovalApproved, stepDone: true, finished: true},
		{name: "only an approver of the step", r: pendingRequest(any1), actor: "UCAL", action: ActApprove,
			wantErr: "You're not an approver of step 1 Manager of R-2, so nothing changed. It waits on <@UMGR>, <@UDEP>."},
		{name: "a card of a step already decided", r: func() ApprovalRequest {
			r := pendingRequest(any1, all2)
			r.CurrentStep = 1
			return r
		}(), step: 0, actor: "UMGR", action: ActApprove, wantErr: "step 1 Manager of R-2 was already decided, so nothing changed."},
		{name: "a request already decided", r: func() ApprovalRequest {
			r := pendingRequest(any1)
			r.Status = ApprovalRejected
			return r
		}(), actor: "UMGR", action: ActApprove, wantErr: "R-2 is already rejected, so nothing changed."},
		{name: "approving twice", r: func() ApprovalRequest {
			r := pendingRequest(all2)
			r.Steps[0].Approved = []string{"UF1"}
			return r
		}(), actor: "UF1", action: ActApprove, wantErr: "You already approved step 1 Finance of R-2; it waits on the others."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			r.Steps = slices.Clone(r.Steps)
			a, d, err := Decide(c.step, c.actor, c.action, "why", c.self, at)(&r)
			if c.wantErr != "" {
				if ErrorMessage(err) != c.wantErr {
					t.Fatalf("err = %q, want %q", ErrorMessage(err), c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != c.wantStatus || r.CurrentStep != c.wantStep || d.StepDone != c.stepDone || d.Finished != c.finished {
				t.Errorf("status %s step %d done %v finished %v, want %s %d %v %v", r.Status, r.CurrentStep, d.StepDone, d.Finished,
					c.wantStatus, c.wantStep, c.stepDone, c.finished)
			}
			if want := (ApprovalAction{RequestID: 7, Step: c.step, Actor: c.actor, Action: c.action, Comment: "why", At: at}); a != want {
				t.Errorf("trail entry %+v, want %+v", a, want)
			}
			if c.finished != !r.DecidedAt.IsZero() {
				t.Errorf("decided at %v with finished %v", r.DecidedAt, c.finished)
			}
			if c.action == ActApprove && !slices.Contains(r.Steps[c.step].Approved, c.actor) {
				t.Errorf("the approval is not on the step: %v", r.Steps[c.step].Approved)
			}
		})
	}
}

func TestDecideLeavesTheRequestAsItWasWhenRefused(t *testing.T) {
	r := pendingRequest(ApprovalStep{Mode: ModeAll, Approvers: []string{"UF1", "UF2"}, Approved: []string{"UF1"}})
	before := slices.Clone(r.Steps[0].Approved)
	if _, _, err := Decide(0, "UF1", ActApprove, "", nil, time.Now())(&r); err == nil {
		t.Fatal("a second approval by the same person was taken")
	}
	if !slices.Equal(r.Steps[0].Approved, before) || r.Status != ApprovalPending {
		t.Errorf("a refused decision changed the request: %+v", r)
	}
}

func TestCancel(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	r := pendingRequest(ApprovalStep{Approvers: []string{"UMGR"}})
	if _, _, err := Cancel("UMGR", at)(&r); ErrorMessage(err) != "Only <@UREQ>, who made R-2, can cancel it." {
		t.Errorf("an approver cancelled: %v", err)
	}
	a, d, err := Cancel("UREQ", at)(&r)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ApprovalCancelled || !r.DecidedAt.Equal(at) || a.Action != ActCancel || !d.Finished || d.Step.Index != 0 {
		t.Errorf("cancel: %+v %+v %+v", r, a, d)
	}
	if _, _, err := Cancel("UREQ", at)(&r); ErrorMessage(err) != "R-2 is already cancelled, so it can't be cancelled." {
		t.Errorf("cancelled twice: %v", err)
	}
}

func TestEscalate(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	r := pendingRequest(ApprovalStep{Mode: ModeAll, Approvers: []string{"UF1", "UF2"}, EscalateTo: []string{"UF2", "UCFO", "UCFO"}})
	a, added := r.Escalate(0, at)
	if !slices.Equal(added, []string{"UCFO"}) || a.Action != ActEscalate || a.Actor != ActorBaton || a.Comment != "UCFO" {
		t.Fatalf("escalate added %v with %+v", added, a)
	}
	if s := r.Steps[0]; !slices.Equal(s.Approvers, []string{"UF1", "UF2", "UCFO"}) || !slices.Equal(s.EscalatedTo, []string{"UCFO"}) {
		t.Errorf("step after escalation: %+v", s)
	}
	if _, again := r.Escalate(0, at); again != nil {
		t.Errorf("escalated twice: %v", again)
	}
	if _, other := r.Escalate(1, at); other != nil {
		t.Errorf("escalated a step the request does not wait on: %v", other)
	}
}
