package handlers

import (
	"sync"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// markupPolicy is a real policy, loaded once, for the renderers that read the policy in force.
var markupPolicy = sync.OnceValue(func() *baton.Policy {
	p, err := baton.LoadPolicy([]byte(`types:
  - name: purchase
    title: Purchase
    fallback: ` + fxCal + `
    fields:
      - {name: amount, type: number, currency: USD}
    branches:
      - {name: Small, when: amount <= 100, auto_approve: true}
      - {steps: [{approvers: [` + fxBob + `]}]}
`))
	if err != nil {
		panic(err)
	}
	return p
})

// requestSurfaces renders approval requests, their cards, notices, lists and forms, grants of
// authority and the policy in force, with typed in every field a person can type: in the policy file
// (titles, labels, help, units, options, step names), on the form (values, the summary) and on the
// cards (comments), and in a grant (its condition and reason). A route's explanation is Baton's
// sentence about the policy and the people it routes to, kept with its mentions (md.WithMentions), so
// it is written here as the domain writes it.
func requestSurfaces(typed string) []surface {
	typ := &baton.RequestType{
		Name: "purchase", Title: typed, Description: typed,
		Fields: []baton.Field{
			{Name: "amount", Label: typed, Kind: baton.FieldNumber, Help: typed, Unit: typed, Required: true},
			{Name: "cost", Label: typed, Kind: baton.FieldNumber, Currency: typed},
			{Name: "vendor", Label: typed, Kind: baton.FieldText, Help: typed},
			{Name: "why", Label: typed, Kind: baton.FieldLongText},
			{Name: "tier", Label: typed, Kind: baton.FieldSelect, Options: []string{typed, "enterprise"}},
			{Name: "when", Label: typed, Kind: baton.FieldDate},
			{Name: "owner", Label: typed, Kind: baton.FieldUser}, // a person picked, stored as their ID
		},
		Branches: []baton.Branch{{Name: typed, When: "amount > 100"}, {Name: typed}},
	}
	policy := &baton.Policy{Version: "0123456789abcdef", Types: []*baton.RequestType{typ}}
	explanation := `Branch 1 matched: amount > 100, with amount 12,000 USD and requester <@` + fxAlice + `> → step 1 (all of <@` + fxBob + `>, <@` + fxCal + `>), step 2 (<@` + fxCal + `>).`

	pending := baton.ApprovalRequest{
		ID: 1, TeamID: "T1", Number: 9, Type: "purchase", RequesterID: fxAlice, ChannelID: fxChannel,
		Values: map[string]string{"amount": "12000", "cost": typed, "vendor": typed, "why": typed, "tier": typed,
			"when": "2026-12-01", "owner": fxCal},
		Summary: typed, Explanation: explanation, Status: baton.ApprovalPending, CreatedAt: fxNow,
		Steps: []baton.ApprovalStep{
			{Index: 0, Name: typed, Mode: baton.ModeAll, Approvers: []string{fxBob, fxCal}, Approved: []string{fxBob},
				EscalateAfter: 48 * time.Hour, EscalateTo: []string{fxCal}, EscalatedTo: []string{fxCal}},
			{Index: 1, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxCal}},
		},
	}
	trail := []baton.ApprovalAction{
		{Actor: fxAlice, Action: baton.ActSubmit, At: fxNow},
		{Actor: fxAlice, Action: baton.ActRoute, Comment: explanation, At: fxNow},
		{Actor: fxBob, Action: baton.ActApprove, Step: 0, At: fxNow},
		{Actor: baton.ActorBaton, Action: baton.ActRemind, Step: 0, Comment: fxCal, At: fxNow},
		{Actor: baton.ActorBaton, Action: baton.ActEscalate, Step: 0, Comment: fxCal + "," + fxBob, At: fxNow},
	}

	// The second step moved on from the first, then was rejected with a comment.
	rejected := pending
	rejected.Status, rejected.CurrentStep, rejected.DecidedAt = baton.ApprovalRejected, 1, fxNow
	rejected.Steps = []baton.ApprovalStep{
		{Index: 0, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxBob}, Approved: []string{fxBob}, Decided: true},
		{Index: 1, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxCal}, Decided: true},
	}
	rejectedTrail := append(trail[:3:3], baton.ApprovalAction{Actor: fxCal, Action: baton.ActReject, Step: 1, Comment: typed, At: fxNow})

	approved := rejected
	approved.Status = baton.ApprovalApproved
	approved.Steps = []baton.ApprovalStep{
		{Index: 0, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxBob}, Approved: []string{fxBob}, Decided: true},
		{Index: 1, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxCal}, Approved: []string{fxCal}, Decided: true},
	}
	approvedTrail := append(trail[:3:3], baton.ApprovalAction{Actor: fxCal, Action: baton.ActApprove, Step: 1, Comment: typed, At: fxNow})

	moved := pending
	moved.CurrentStep = 1
	moved.Steps = []baton.ApprovalStep{
		{Index: 0, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxBob}, Approved: []string{fxBob}, Decided: true},
		{Index: 1, Name: typed, Mode: baton.ModeAny, Approvers: []string{fxCal}},
	}

	cancelled := pending
	cancelled.Status = baton.ApprovalCancelled
	cancelledTrail := append(trail[:2:2], baton.ApprovalAction{Actor: fxAlice, Action: baton.ActCancel, Step: 0, Comment: typed, At: fxNow})

	auto := pending
	auto.Status, auto.Steps = baton.ApprovalApproved, nil
	autoTrail := []baton.ApprovalAction{
		{Actor: fxAlice, Action: baton.ActSubmit, At: fxNow},
		{Actor: fxAlice, Action: baton.ActAutoApprove, Comment: "Branch 1 matched", At: fxNow},
	}

	// A request whose type the policy no longer has shows its values by their names.
	orphan := pending
	orphan.Values = map[string]string{typed: typed, "amount": typed}

	route := baton.Route{Type: "purchase", Explanation: explanation}
	autoRoute := baton.Route{Type: "purchase", AutoApproved: true, Explanation: "Inside <@" + fxAlice + ">'s authority for purchase where amount <= 5000 → auto-approved."}
	dry := baton.DryRun{
		Type:     &baton.RequestType{Name: "purchase", Title: "Purchase"},
		Branches: []baton.BranchCheck{{Number: 1, Name: "Large", When: "amount > 100", Matched: true, Looked: "amount 12,000 USD"}},
		Route:    route,
		Missing:  []string{"vendor"},
	}

	h := New(Config{Policy: markupPolicy(), Now: func() time.Time { return fxNow }})
	grant := baton.Grant{TeamID: "T1", Number: 3, UserID: fxAlice, RequestType: "purchase", Condition: typed,
		UntilDate: "2026-12-31", Until: fxNow.AddDate(0, 1, 0), Reason: typed, GrantedBy: fxBob, GrantedAt: fxNow}
	fits := grant
	fits.Number, fits.Condition = 4, "amount <= 5000"
	revoked := grant
	revoked.Number, revoked.RevokedBy, revoked.RevokedAt = 5, fxCal, fxNow
	expired := grant
	expired.Number, expired.Until = 6, fxNow.Add(-time.Hour)
	var grantLines []md.Text
	for _, g := range []baton.Grant{grant, fits, revoked, expired} {
		grantLines = append(grantLines, h.grantLine(g, fxNow))
	}

	typeOf := func(string) *baton.RequestType { return typ }
	sim := baton.PolicySimulation{Requests: []baton.SimulatedRequest{{Filed: baton.FiledRequest{ApprovalRequest: pending}}}, Unroutable: 7,
		Why: []baton.ReasonCount{{Reason: typed, Requests: 1}, {Reason: "2", Requests: 1}, {Reason: "3", Requests: 1}, {Reason: "4", Requests: 1},
			{Reason: "5", Requests: 1}, {Reason: "6", Requests: 1}, {Reason: "<@" + fxBob + "> " + typed, Requests: 1}}}
	simRun := simulationRun{File: "0123456789abcdef", InForce: "fedcba9876543210", Since: fxNow.AddDate(0, 0, -90), At: fxNow, Cut: true}
	return []surface{
		{"request approver card", approverCardBlocks(pending, typ, 0, fxCal, trail)},
		{"request approver card, moved on", approverCardBlocks(moved, typ, 0, fxBob, trail)},
		{"request approver card, rejected", approverCardBlocks(rejected, typ, 1, fxCal, rejectedTrail)},
		{"request approver card, approved", approverCardBlocks(approved, typ, 1, fxCal, approvedTrail)},
		{"request approver card, no type", approverCardBlocks(orphan, nil, 0, fxCal, trail)},
		{"request approver card fallback", approverCardText(pending, typ)},
		{"request status card", statusCardBlocks(pending, typ, trail)},
		{"request status card, rejected", statusCardBlocks(rejected, typ, rejectedTrail)},
		{"request status card, cancelled", statusCardBlocks(cancelled, typ, cancelledTrail)},
		{"request status card, auto-approved", statusCardBlocks(auto, typ, autoTrail)},
		{"request status card fallback", statusCardText(pending, typ)},
		{"request outcome, rejected", outcomeText(rejected, typ, lastDecision(rejectedTrail))},
		{"request outcome, approved", outcomeText(approved, typ, lastDecision(approvedTrail))},
		{"request outcome, cancelled", outcomeText(cancelled, typ, lastDecision(cancelledTrail))},
		{"request cancelled", cancelledText(cancelled, typ)},
		{"request submitted in channel", submittedText(pending, typ)},
		{"request reminder", stepReminderText(pending, typ, pending.Steps[0])},
		{"request route summary", routeSummary(pending, typ, route)},
		{"request route summary, auto-approved", routeSummary(auto, typ, autoRoute)},
		{"request value errors", valueErrorsText(map[string]string{"amount": typed, typed: typed})},
		{"request dry run", dryRunText(dry)},
		{"request list", requestListText("*Your requests*", []baton.ApprovalRequest{pending, rejected, orphan}, typeOf)},
		{"request show", requestShowBlocks(pending, typ, trail)},
		{"request show, rejected", requestShowBlocks(rejected, typ, rejectedTrail)},
		{"request help", requestHelpBlocks(policy, md.Esc(baton.ErrorMessage(policy.UnknownTypeError(typed))))},
		{"request export comment", exportComment("you filed or acted on", baton.ExportRange{From: "2026-11-01", To: "2026-11-30"}, 5001, 9, true)},
		{"request pick modal", pickTypeModal(policy, fxChannel)},
		{"request form modal", requestFormModal(typ, fxChannel)},
		{"request comment modal", commentModal(pending, 0, baton.ActChanges)},
		{"authority granted", grantedText(grant)},
		{"authority granted dm", grantedDMText(grant)},
		{"authority revoked", revokedText(revoked)},
		{"authority revoked dm", revokedDMText(revoked)},
		{"authority list", grantListText(grantLines, false)},
		{"policy in force", policyText(policy, fxNow)},
		{"policy reloaded", reloadText(PolicyReload{Policy: policy, Previous: markupPolicy(), LoadedAt: fxNow, Changed: true})},
		{"policy unchanged", reloadText(PolicyReload{Policy: policy, LoadedAt: fxNow})},
		{"policy simulated", simulationText(sim, simRun)},
		{"policy simulated, file shared", simulationComment(sim, simRun)},
	}
}
