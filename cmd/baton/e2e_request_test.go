package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// Approvers of testdata/policies.yaml.
const (
	mgr  = "UMGR"
	fin1 = "UFIN1"
	fin2 = "UFIN2"
	cfo  = "UCFO"
	sec1 = "USEC1"
	sec2 = "USEC2"
	sec3 = "USEC3"
)

// newRequestHarness is the usual harness with the test policy's approvers in the workspace.
func newRequestHarness(t *testing.T, opts ...func(*harnessOptions)) *harness {
	t.Helper()
	h := newHarness(t, opts...)
	addApprovers(h.slack)
	return h
}

// request types /request and fails the test on a transport error.
func (h *harness) request(user, channel, text string) {
	h.t.Helper()
	if _, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: channel, Command: "/request", Text: text}); err != nil {
		h.t.Fatalf("/request %s: %v", text, err)
	}
}

// stored reads request R-number as stored.
func (h *harness) stored(number int64) baton.ApprovalRequest {
	h.t.Helper()
	r, err := h.db.Request(h.ctx, h.slack.Options().TeamID, number)
	if err != nil {
		h.t.Fatalf("request R-%d: %v", number, err)
	}
	return r
}

func (h *harness) requestCount() int {
	h.t.Helper()
	n, err := h.db.CountRequests(h.ctx, h.slack.Options().TeamID)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// approverCard waits for an approver's card of a request in their DM, and for Baton to have recorded
// where it is.
func (h *harness) approverCard(user, title string) slackdouble.Message {
	h.t.Helper()
	m := h.dm(user, title, "needs your approval")
	h.idle()
	return m
}

func (h *harness) rqClick(user string, m slackdouble.Message, actionID string) {
	h.t.Helper()
	if _, err := h.slack.ClickButton(h.waitCtx(), user, m.Channel, m.TS, actionID); err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
}

func TestRequestQuickFormGoesThroughEveryStepToApproval(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low New laptops")

	h.ephemeral(bea, "Filed R-1 · Purchase", "Large enterprise purchase", "amount 12,000 USD", "<@UFIN1>")
	card1 := h.approverCard(fin1, "R-1 · Purchase")
	card2 := h.approverCard(fin2, "R-1 · Purchase")
	if !card1.Has("12,000 USD") || !card1.Has("New laptops") || !card1.Has("Why you:") {
		t.Errorf("approver card lacks the request: %s", card1.AllText())
	}
	status := h.dm(bea, "R-1 · Purchase", "waiting for approval")
	h.message(launc, "R-1 · Purchase submitted by <@UBEA>")

	h.rqClick(fin1, card1, "request.approve")
	h.ckNow(card2, "Approved by <@UFIN1>", "moved on to step 2 CFO")
	h.ckNow(card1, "Approved by <@UFIN1>")
	cfoCard := h.approverCard(cfo, "R-1 · Purchase")
	h.ckNow(status, "Step 1 Finance — approved by <@UFIN1>", "Step 2 CFO — waiting on <@UCFO>")
	if got := h.stored(1); got.CurrentStep != 1 || got.Status != baton.ApprovalPending {
		t.Fatalf("after step 1: %+v", got)
	}

	h.rqClick(cfo, cfoCard, "request.approve")
	h.dm(bea, "R-1 · Purchase is approved", "<@UCFO>")
	h.ckNow(status, "— approved", "Step 2 CFO — approved by <@UCFO>")
	parent := h.message(launc, "R-1 · Purchase submitted")
	h.slack.Wait(h.waitCtx(), func() bool { return len(h.slack.Thread(launc, parent.TS)) > 1 })
	thread := h.slack.Thread(launc, parent.TS)
	if len(thread) < 2 || !thread[len(thread)-1].Has("is approved") {
		t.Fatalf("no outcome in the channel thread: %+v", thread)
	}
	if got := h.stored(1); got.Status != baton.ApprovalApproved || got.DecidedAt.IsZero() {
		t.Errorf("stored = %+v", got)
	}
	h.idle()
	if ids := h.slack.Messages(h.slack.DMChannel(cfo)); len(ids) != 1 || len(ids[0].ActionIDs()) != 0 {
		t.Errorf("the CFO's card still has buttons: %+v", ids)
	}
}

func TestRequestRejectWithCommentEndsIt(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=2000 risk=low")
	card := h.approverCard(mgr, "R-1 · Purchase")
	h.rqClick(mgr, card, "request.reject")
	v := h.view(mgr, "request.comment")
	h.submit(mgr, v, input("req_comment", slackdouble.InputValue{Value: slackdouble.Str("Too pricey this quarter")}))
	h.dm(bea, "R-1 · Purchase: rejected by <@UMGR>", "Too pricey this quarter")
	h.ckNow(card, "Rejected by <@UMGR>", "Too pricey")
	if got := h.stored(1); got.Status != baton.ApprovalRejected {
		t.Errorf("status = %s, want rejected", got.Status)
	}
	h.request(bea, launc, "R-1")
	h.ephemeral(bea, "rejected", "History", "Too pricey this quarter")
}

func TestRequestAskForChangesShowsTheComment(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=2000 risk=low")
	card := h.approverCard(mgr, "R-1 · Purchase")
	h.rqClick(mgr, card, "request.changes")
	v := h.view(mgr, "request.comment")
	h.submit(mgr, v, input("req_comment", slackdouble.InputValue{Value: slackdouble.Str("Add a second quote")}))
	h.dm(bea, "changes requested by <@UMGR>", "Add a second quote")
	if got := h.stored(1); got.Status != baton.ApprovalChangesRequested {
		t.Errorf("status = %s", got.Status)
	}
}

func TestRequestNonApproverAndRequesterAreRefused(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=2000 risk=low")
	card := h.approverCard(mgr, "R-1 · Purchase")
	h.rqClick(cal, card, "request.approve")
	h.ephemeral(cal, "not an approver of step 1 Manager of R-1")
	h.rqClick(bea, card, "request.reject")
	h.ephemeral(bea, "your own request")
	h.idle()
	if got := h.stored(1); got.Status != baton.ApprovalPending || got.Steps[0].Decided || len(h.slack.OpenViews(bea)) != 0 {
		t.Errorf("a refused click changed the request: %+v", got)
	}
}

func TestRequestTwoApproversClickingAtOnceDecideOnce(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise")
	card1 := h.approverCard(fin1, "R-1")
	card2 := h.approverCard(fin2, "R-1")
	var wg sync.WaitGroup
	for _, c := range []struct {
		who string
		m   slackdouble.Message
	}{{fin1, card1}, {fin2, card2}, {fin1, card1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = h.slack.ClickButton(h.waitCtx(), c.who, c.m.Channel, c.m.TS, "request.approve")
		}()
	}
	wg.Wait()
	h.approverCard(cfo, "R-1")
	h.idle()
	got := h.stored(1)
	if got.CurrentStep != 1 || len(got.Steps[0].Approved) != 1 {
		t.Fatalf("step 1 decided %d times: %+v", len(got.Steps[0].Approved), got)
	}
	if n := len(h.slack.Messages(h.slack.DMChannel(cfo))); n != 1 {
		t.Errorf("the CFO got %d cards, want 1", n)
	}
}

func TestRequestAllModeShowsProgress(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=800 risk=high")
	c1 := h.approverCard(sec1, "R-1")
	c2 := h.approverCard(sec2, "R-1")
	c3 := h.approverCard(sec3, "R-1")
	status := h.dm(bea, "R-1 · Purchase", "0 of 3 approved")
	h.rqClick(sec1, c1, "request.approve")
	h.ckNow(c3, "1 of 3 approved", "<@USEC1>")
	h.rqClick(sec2, c2, "request.approve")
	h.ckNow(status, "2 of 3 approved")
	h.ckNow(c3, "2 of 3 approved")
	if got := h.stored(1); got.Status != baton.ApprovalPending {
		t.Fatalf("approved before everyone did: %+v", got)
	}
	h.rqClick(sec3, c3, "request.approve")
	h.dm(bea, "R-1 · Purchase is approved")
	if got := h.stored(1); got.Status != baton.ApprovalApproved || len(got.Steps[0].Approved) != 3 {
		t.Errorf("stored = %+v", got)
	}
}

func TestRequestWhyIsADryRun(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "why purchase amount=12000 client_tier=enterprise")
	h.ephemeral(bea, "Nothing was filed", "Large enterprise purchase", "yes", "<@UCFO>")
	h.idle()
	if n := h.requestCount(); n != 0 {
		t.Errorf("a dry run stored %d requests", n)
	}
}

func TestRequestCancelUpdatesTheCards(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=2000 risk=low")
	card := h.approverCard(mgr, "R-1")
	h.request(cal, launc, "cancel R-1")
	h.ephemeral(cal, "Only <@UBEA>, who made R-1, can cancel it.")
	h.request(bea, launc, "cancel R-1")
	h.ephemeral(bea, "Cancelled R-1")
	if now := h.ckNow(card, "Cancelled by <@UBEA>"); len(now.ActionIDs()) != 0 {
		t.Errorf("the cancelled request's card still has buttons: %v", now.ActionIDs())
	}
	if got := h.stored(1); got.Status != baton.ApprovalCancelled {
		t.Errorf("status = %s", got.Status)
	}
	h.request(bea, launc, "cancel R-1")
	h.ephemeral(bea, "R-1 is already cancelled")
}

func TestRequestBadInputIsRefusedWithNothingStored(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "vacation days=3")
	h.ephemeral(bea, `There is no request type "vacation"`, "purchase, access")
	h.request(bea, launc, "purchase amount=12000 colour=red")
	h.ephemeral(bea, "Nothing was filed", `no field "colour"`)
	h.request(bea, launc, "purchase amount=lots")
	h.ephemeral(bea, "Nothing was filed", "lots")
	h.request(bea, launc, "purchase risk=low")
	h.ephemeral(bea, "Nothing was filed", "Amount is required")
	h.request(bea, launc, "frobnicate")
	h.ephemeral(bea, "Here is what /request understands")
	h.request(bea, launc, "list")
	h.ephemeral(bea, "haven't made any requests")
	h.idle()
	if n := h.requestCount(); n != 0 {
		t.Fatalf("bad input stored %d requests", n)
	}

	// Approvers who are bots or have left are skipped, and the step falls back.
	h.request(bea, launc, "access system=prod")
	h.ephemeral(bea, "Filed R-1", "can't approve", "fallback <@UCFO>")
	h.approverCard(cfo, "R-1 · System access")
	h.idle()
	for _, u := range []string{robo, gone} {
		if n := len(h.slack.Messages(h.slack.DMChannel(u))); n != 0 {
			t.Errorf("%s got %d cards", u, n)
		}
	}
}

func TestRequestModalPathShowsFieldErrorsUnderTheField(t *testing.T) {
	h := newRequestHarness(t)
	h.request(ana, launc, "")
	pick := h.view(ana, "request.pick")
	h.submit(ana, pick, input("req_type", slackdouble.InputValue{SelectedOption: "purchase"}))
	v := h.view(ana, "request.new")
	h.submit(ana, v, form(
		input("rf_amount", slackdouble.InputValue{Value: slackdouble.Str("-5")}),
		input("rf_risk", slackdouble.InputValue{SelectedOption: "low"}),
	))
	var cur slackdouble.View
	h.slack.Wait(h.waitCtx(), func() bool {
		vs := h.slack.OpenViews(ana)
		if len(vs) == 1 {
			cur = vs[0]
		}
		return cur.Errors["rf_amount"] != ""
	})
	if h.requestCount() != 0 {
		t.Fatal("an invalid form stored a request")
	}
	h.submit(ana, cur, form(
		input("rf_amount", slackdouble.InputValue{Value: slackdouble.Str("900")}),
		input("rf_risk", slackdouble.InputValue{SelectedOption: "low"}),
		input("rf_needed_by", slackdouble.InputValue{SelectedDate: "2026-12-15"}),
		input("req_summary", slackdouble.InputValue{Value: slackdouble.Str("Monitor")}),
	))
	h.dm(ana, "Filed R-1 · Purchase", "<@UMGR>")
	card := h.approverCard(mgr, "R-1 · Purchase")
	if !card.Has("2026-12-15") || !card.Has("Monitor") {
		t.Errorf("card = %s", card.AllText())
	}
	h.request(mgr, launc, "list pending")
	h.ephemeral(mgr, "Waiting for your approval", "R-1 · Purchase")
	h.request(ana, launc, "list")
	h.ephemeral(ana, "Your requests", "R-1 · Purchase")
}

func TestRequestAutoApprovedTellsTheRequester(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=200 risk=low Cables")
	h.ephemeral(bea, "R-1 · Purchase is approved automatically", "Small purchase")
	parent := h.message(launc, "R-1 · Purchase submitted")
	h.slack.Wait(h.waitCtx(), func() bool { return len(h.slack.Thread(launc, parent.TS)) > 1 })
	if got := h.stored(1); got.Status != baton.ApprovalApproved {
		t.Errorf("status = %s", got.Status)
	}
}

func TestBadPolicyFileStopsTheStartNamingTheSetting(t *testing.T) {
	if p, _, err := loadPolicy(""); p != nil || err != nil {
		t.Fatalf("unset BATON_POLICIES = %v, %v; want no policy and no error", p, err)
	}
	if p, _, err := loadPolicy("testdata/policies.yaml"); err != nil || len(p.Types) != 3 {
		t.Fatalf("test policy: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("types:\n  - name: purchase\n    colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(t.TempDir(), "missing.yaml")} {
		_, _, err := loadPolicy(path)
		if err == nil || !strings.HasPrefix(err.Error(), "BATON_POLICIES: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("loadPolicy(%s) = %v; want one line naming BATON_POLICIES", path, err)
		}
	}
}
