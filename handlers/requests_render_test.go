package handlers

import (
	"testing"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
)

func sampleRequest() baton.ApprovalRequest {
	return baton.ApprovalRequest{
		ID: 1, Number: 9, Type: "purchase", Values: map[string]string{"amount": "12000"}, RequesterID: "UBEA",
		Explanation: "Branch 1 matched <!channel>", Status: baton.ApprovalPending, CreatedAt: fixedNow,
		Steps: []baton.ApprovalStep{
			{Index: 0, Name: "Security", Mode: baton.ModeAll, Approvers: []string{"U1", "U2", "U3"}, Approved: []string{"U1"}},
			{Index: 1, Name: "CFO", Mode: baton.ModeAny, Approvers: []string{"UCFO"}},
		},
	}
}

func TestRequestCardActionsHaveRoutes(t *testing.T) {
	r := bot.NewRouter()
	New(Config{}).Register(r)
	ids := actionIDs(t, approverCardBlocks(sampleRequest(), nil, 0, "U2", nil))
	if len(ids) != 3 {
		t.Fatalf("card has action_ids %v, want approve, reject and changes", ids)
	}
	for _, id := range ids {
		if !r.HasAction(id) {
			t.Errorf("action_id %q is rendered but has no route", id)
		}
	}
	if got := actionIDs(t, approverCardBlocks(sampleRequest(), nil, 0, "U1", nil)); len(got) != 0 {
		t.Errorf("an approver who already approved still has buttons: %v", got)
	}
}

func TestRequestValuesParseBack(t *testing.T) {
	n, step, err := parseDecisionValue(decisionValue(9, 1))
	if err != nil || n != 9 || step != 1 {
		t.Fatalf("decision value round trip: %d %d %v", n, step, err)
	}
	for _, bad := range []string{"", "9", "x:1", "9:-1", "0:0"} {
		if _, _, err := parseDecisionValue(bad); err == nil {
			t.Errorf("parseDecisionValue(%q) accepted", bad)
		}
	}
	for in, want := range map[string]int64{"R-9": 9, "r9": 9, "9": 9} {
		if n, ok := parseRequestRef(in); !ok || n != want {
			t.Errorf("parseRequestRef(%q) = %d, %v", in, n, ok)
		}
	}
	if _, ok := parseRequestRef("R-x"); ok {
		t.Error("parseRequestRef accepted R-x")
	}
}

func TestRequestWhyKeepsTheRoutesMentionsOnly(t *testing.T) {
	r := sampleRequest()
	r.Explanation = "Branch 1 matched <!channel> → step 1 Security (all of <@U1>, <@U2>)."
	for _, b := range approverCardBlocks(r, nil, 0, "U2", nil) {
		c, ok := b.(*slack.ContextBlock)
		if !ok || c.BlockID != "req_why" {
			continue
		}
		got := c.ContextElements.Elements[0].(*slack.TextBlockObject).Text
		if want := "Why you: Branch 1 matched &lt;!channel&gt; → step 1 Security (all of <@U1>, <@U2>)."; got != want {
			t.Errorf("why = %q, want %q", got, want)
		}
		return
	}
	t.Error("the approver card has no req_why context")
}
