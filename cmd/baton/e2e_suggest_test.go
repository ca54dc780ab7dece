package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// approvedInARow has requester file one purchase request per amount, each approved by their
// manager; it returns the number of the last.
func (h *harness) approvedInARow(requester string, first int64, amounts ...int) int64 {
	h.t.Helper()
	n := first
	for _, a := range amounts {
		h.request(requester, launc, fmt.Sprintf("purchase amount=%d risk=low", a))
		title := fmt.Sprintf("R-%d · Purchase", n)
		h.rqClick(mgr, h.approverCard(mgr, title), "request.approve")
		h.dm(requester, title, "is approved")
		n++
	}
	h.idle()
	return n - 1
}

// dmRead waits for a direct message to user that, read as a person sees it (each linked ID as its
// label), contains every one of want.
func (h *harness) dmRead(user string, want ...string) slackdouble.Message {
	h.t.Helper()
	m, err := h.slack.WaitMessage(h.waitCtx(), h.slack.DMChannel(user), func(m slackdouble.Message) bool {
		return hasAll(cardLinkRe.ReplaceAllString(m.AllText(), "$1"), want)
	})
	if err != nil {
		h.t.Fatalf("no direct message to %s with %q", user, want)
	}
	return m
}

func (h *harness) suggestions(user string) []slackdouble.Message {
	var out []slackdouble.Message
	for _, m := range h.slack.Messages(h.slack.DMChannel(mgr)) {
		if m.Has(":bulb: <@" + user + ">'s last") {
			out = append(out, m)
		}
	}
	return out
}

func TestSuggestionOfAuthorityThenSimulateAndGrantFromIt(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(adm, "suggestions after 3")
	h.ephemeral(adm, "once 3 requests in a row")
	h.baton(mgr, "suggestions after 5")
	h.ephemeral(mgr, "Only workspace admins can change suggestions")

	// A rejection, then two approvals: not yet a streak of three.
	h.request(ana, launc, "purchase amount=9000 risk=low")
	h.rqClick(mgr, h.approverCard(mgr, "R-1 · Purchase"), "request.reject")
	h.submit(mgr, h.view(mgr, "request.comment"), input("req_comment", slackdouble.InputValue{Value: slackdouble.Str("Too much")}))
	h.dm(ana, "R-1 · Purchase: rejected")
	h.approvedInARow(ana, 2, 3000, 4500)
	if n := len(h.suggestions(ana)); n != 0 {
		t.Fatalf("%d suggestions after two approvals in a row, want none", n)
	}
	// An automatic approval neither counts nor breaks the streak.
	h.request(ana, launc, "purchase amount=300 risk=low")
	h.ephemeral(ana, "R-4 · Purchase is approved automatically")
	h.approvedInARow(ana, 5, 4000)
	s := h.dmRead(mgr, ":bulb: <@UANA>'s last 3 purchase requests with amount up to 4,500 USD were all approved as filed (R-2, R-3, R-5)",
		"nothing changes unless you grant it")
	if g, err := h.db.Grants(h.ctx, h.slack.Options().TeamID); err != nil || len(g) != 0 {
		t.Fatalf("grants after a suggestion: %+v, %v; want none", g, err)
	}

	h.clock.Advance(time.Minute) // the test's clock stands still; a backtest replays what was filed before now
	h.rqClick(mgr, s, "authority.suggest.simulate")
	h.ephemeral(mgr, "*If <@UANA> could approve their own purchase requests when amount ≤ 4500*", "Replayed 5 purchase requests")

	h.rqClick(mgr, s, "authority.suggest.grant")
	v := h.view(mgr, "authority.grant")
	if !v.Has("amount<=4500") || !v.Has("Their last 3 purchase requests were approved as filed") {
		t.Fatalf("the grant form is not filled in: %s", v.AllText())
	}
	fill := func(cond string) map[string]map[string]slackdouble.InputValue {
		return form(input("g_user", slackdouble.InputValue{SelectedUser: ana}), dcText("g_type", "purchase"), dcText("g_cond", cond),
			dcText("g_reason", "Their last 3 purchase requests were approved as filed"))
	}
	if errs := h.dcErrors(mgr, v, fill("colour=red")); errs["g_cond"] == "" {
		t.Fatalf("a condition on no field was not shown under it: %+v", errs)
	}
	h.submit(mgr, v, fill("amount<=4500"))
	h.dm(mgr, "<@UANA> may now approve their own purchase requests when amount ≤ 4500 (G-1)")
	h.dm(ana, "<@UMGR> gave you authority (G-1)", "approved as filed")

	// Holding authority for purchases now, Ana is not suggested again.
	h.approvedInARow(ana, 6, 6000, 7000, 8000)
	if n := len(h.suggestions(ana)); n != 1 {
		t.Errorf("%d suggestions about Ana, want the one", n)
	}
}

func TestSuggestionWaitsForTheManagersDigestAndCanBeTurnedOff(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(adm, "suggestions after 2")
	h.ephemeral(adm, "once 2 requests in a row")
	h.baton(mgr, "digest 08:30")
	h.ephemeral(mgr, "one digest at 08:30")
	h.approvedInARow(bea, 1, 1000, 2000)
	if n := len(h.suggestions(bea)); n != 0 {
		t.Fatalf("the suggestion reached Max at once although he takes a digest")
	}
	j, ok, err := h.jobs.JobByKey(h.ctx, "digest:T0001:UMGR")
	if err != nil || !ok {
		t.Fatalf("no digest job for Max: %v", err)
	}
	h.advanceTo(j.DueAt.Add(time.Second))
	h.dm(mgr, "From your digest", ":bulb: <@UBEA>'s last 2 purchase requests with amount up to 2,000 USD")
	h.idle()
	if n := len(h.suggestions(bea)); n != 1 {
		t.Errorf("%d suggestions about Bea, want one", n)
	}

	// Turned off, no more suggestions: Ana's streak says nothing.
	h.baton(adm, "suggestions off")
	h.ephemeral(adm, "Managers will not be suggested authority")
	h.baton(mgr, "digest off")
	h.ephemeral(mgr, "as they happen")
	h.approvedInARow(ana, 3, 1000, 2000, 3000)
	if n := len(h.suggestions(ana)); n != 0 {
		t.Errorf("%d suggestions about Ana after suggestions were turned off", n)
	}
	h.baton(bea, "suggestions")
	h.ephemeral(bea, "Suggestions of authority are off")
	var kept int
	if err := h.db.GetContext(h.ctx, &kept, `SELECT count(*) FROM authority_suggestions`); err != nil || kept != 1 {
		t.Errorf("%d suggestions kept (%v), want Bea's one", kept, err)
	}
}
