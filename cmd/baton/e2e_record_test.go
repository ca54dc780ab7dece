package main

import (
	"regexp"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// recordHistory gives Ana a history: T-1 delegated by Bea and done, R-1 approved by her manager,
// R-2 rejected and R-3 approved at once by the policy.
func recordHistory(h *harness) {
	h.t.Helper()
	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusInProgress)
	h.until("T-1 in progress", func() bool { return h.task(1).Status == baton.StatusInProgress })
	h.selectStatus(ana, card, baton.StatusDone)
	h.until("T-1 done", func() bool { return h.task(1).Status == baton.StatusDone })

	h.request(ana, launc, "purchase amount=3000 risk=low Monitors")
	h.rqClick(mgr, h.approverCard(mgr, "R-1 · Purchase"), "request.approve")
	h.dm(ana, "R-1 · Purchase", "approved")
	h.request(ana, launc, "purchase amount=8000 risk=low Desks")
	h.rqClick(mgr, h.approverCard(mgr, "R-2 · Purchase"), "request.reject")
	h.submit(mgr, h.view(mgr, "request.comment"), input("req_comment", slackdouble.InputValue{Value: slackdouble.Str("Not this quarter")}))
	h.dm(ana, "R-2 · Purchase: rejected by <@UMGR>")
	h.request(ana, launc, "purchase amount=400 risk=low Cables")
	h.ephemeral(ana, "R-3 · Purchase is approved automatically")
	h.idle()
	// The test's clock stands still; a record covers the time up to, not including, now.
	h.clock.Advance(time.Minute)
}

var cardLinkRe = regexp.MustCompile(`<https?://[^|>]+\|([^>]+)>`)

// ephemeralRead waits for a private message to user that, read as a person sees it (each linked
// ID as its label), contains every one of want. It fails the test unless the IDs in linked lists
// are links to their cards.
func (h *harness) ephemeralRead(user string, linked string, want ...string) {
	h.t.Helper()
	_, err := h.slack.WaitEphemeral(h.waitCtx(), user, func(e slackdouble.Ephemeral) bool {
		return hasAll(cardLinkRe.ReplaceAllString(e.AllText(), "$1"), want) && hasAll(e.AllText(), []string{"|" + linked + ">"})
	})
	if err != nil {
		h.t.Fatalf("no private message to %s with %q and %s linked; got:\n%s", user, want, linked, h.ephemeralTexts(user))
	}
}

func (h *harness) audits(subject string) []baton.AuditEvent {
	h.t.Helper()
	events, err := h.db.AuditEvents(h.ctx, h.slack.Options().TeamID, subject, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return events
}

func TestRecordShownToThePersonTheirManagerAndAdminsOnly(t *testing.T) {
	h := newRequestHarness(t)
	recordHistory(h)

	h.baton(mgr, "record <@UANA>")
	h.ephemeralRead(mgr, "T-1", "*Track record of <@UANA>* — the last 90 days",
		"*Tasks delegated to them* — 1 (T-1)", "• Done: 1 (T-1) · on time: 1 of 1 with a due date (100%)", "• Overdue now: 0",
		"*purchase requests filed* — 3 (R-1, R-2, R-3)", "• Approved as filed: 2 (R-1, R-3)", "• Rejected: 1 (R-2)",
		"• Amount: median 3,000 USD, largest 8,000 USD (R-2)", "*Decisions recorded* — 0", "*Check-ins sent to them* — 0")
	h.baton(ana, "record 30d")
	h.ephemeralRead(ana, "R-1", "*Track record of <@UANA>* — the last 30 days", "*Tasks delegated to them* — 1 (T-1)")
	h.baton(adm, "record @ana 2026-11-01..2026-11-30")
	h.ephemeralRead(adm, "R-3", "*Track record of <@UANA>* — Sun 1 Nov 2026 – Mon 30 Nov 2026", "*purchase requests filed* — 3")

	// Bea delegated the task but does not manage Ana; Cal has no part in it.
	for _, who := range []string{bea, cal} {
		h.baton(who, "record <@UANA>")
		h.ephemeral(who, "Only <@UANA>, their manager <@UMGR> (and managers above) and workspace admins can see <@UANA>'s record.")
	}
	h.baton(ana, "record <@UCAL>")
	h.ephemeral(ana, "Only <@UCAL> and workspace admins can see <@UCAL>'s record.")
	for text, want := range map[string]string{
		"record <@UANA> 400d":                   "pick from 1 to 366 days",
		"record <@UANA> last month":             `"last month" isn't a period`,
		"record <@UANA> 2025-01-01..2026-11-30": "a period may cover up to 366",
		"record <@UNOBODY>":                     "I can't find <@UNOBODY>",
		"record @nobody":                        "I can't find anyone called @nobody",
	} {
		h.baton(adm, text)
		h.ephemeral(adm, want)
	}

	events := h.audits(ana)
	if len(events) != 3 {
		t.Fatalf("audit events about Ana = %+v, want the three views shown", events)
	}
	for i, who := range []string{adm, ana, mgr} {
		if e := events[i]; e.ActorID != who || e.Kind != baton.AuditRecordView || e.SubjectID != ana {
			t.Errorf("audit event %d = %+v, want %s viewing Ana's record", i, e, who)
		}
	}
	// Ana reads who looked at her record; only admins read anyone else's.
	h.baton(ana, "audit")
	h.ephemeral(ana, "*Who looked at your record* (the latest 3)", "<@UADM> looked at <@UANA>'s record · `@ana 2026-11-01..2026-11-30`",
		"<@UMGR> looked at <@UANA>'s record · `&lt;@UANA&gt;`")
	h.baton(ana, "audit <@UBEA>")
	h.ephemeral(ana, "Only workspace admins can read who looked at someone else's record")
	h.baton(adm, "audit")
	h.ephemeral(adm, "*Audit trail* — records looked at and simulations run (the latest 3)")
}

func TestAuthoritySimulateThenGrant(t *testing.T) {
	h := newRequestHarness(t)
	recordHistory(h)

	h.baton(mgr, "authority simulate <@UANA> purchase amount<=10000")
	h.ephemeralRead(mgr, "R-2", "*If <@UANA> could approve their own purchase requests when amount ≤ 10000*",
		"Replayed 3 purchase requests since",
		"• *Approved at once by this grant: 2* (R-1, R-2)", "– in fact approved as filed: 1 (R-1)", "– rejected: 1 (R-2)",
		"• Approved at once anyway, by the policy or a grant held then: 1 (R-3)", "• Outside the grant, still to their approvers: 0",
		"Nothing was stored. To give it: `/baton authority grant @ana purchase amount&lt;=10000`")
	h.baton(mgr, "authority simulate <@UANA> purchase amount<=5000 since 2026-11-01")
	h.ephemeralRead(mgr, "R-1", "when amount ≤ 5000", "• *Approved at once by this grant: 1* (R-1)", "• Outside the grant, still to their approvers: 1 (R-2)")
	if g, err := h.db.Grants(h.ctx, h.slack.Options().TeamID); err != nil || len(g) != 0 {
		t.Fatalf("grants after simulating: %+v, %v; want none", g, err)
	}

	for _, c := range []struct{ user, text, want string }{
		{cal, "authority simulate <@UANA> purchase amount<=10000", "Only <@UANA>, their manager <@UMGR>"},
		{mgr, "authority simulate <@UANA> lunch amount<=10000", `There is no request type "lunch"`},
		{mgr, "authority simulate <@UANA> purchase colour=red", `Purchase has no field "colour"`},
		{mgr, "authority simulate <@UANA> purchase amount<=lots", "amount"},
		{mgr, "authority simulate <@UANA> purchase amount<=10000 please", `I didn't understand "please"`},
		{mgr, "authority simulate <@UANA> purchase amount<=10000 since 2020-01-01", "2020-01-01 is more than 366 days ago"},
		{mgr, "authority simulate <@UANA> purchase amount<=10000 since 2027-01-01", "2027-01-01 is in the future"},
	} {
		h.baton(c.user, c.text)
		h.ephemeral(c.user, c.want)
	}
	if n := len(h.audits(ana)); n != 2 {
		t.Errorf("%d audit events about Ana, want the two simulations shown", n)
	}

	// The command the simulation ends with, pasted as it is, gives the grant.
	h.baton(mgr, "authority grant @ana purchase amount<=10000")
	h.ephemeral(mgr, "<@UANA> may now approve their own purchase requests when amount ≤ 10000 (G-1)")
	h.request(ana, launc, "purchase amount=6000 risk=low Chairs")
	h.ephemeral(ana, "R-4 · Purchase is approved automatically", "Grant G-1")
	h.idle()
	h.clock.Advance(time.Minute)
	h.baton(mgr, "authority simulate <@UANA> purchase amount<=10000")
	h.ephemeralRead(mgr, "R-4", "Replayed 4 purchase requests", "• Approved at once anyway, by the policy or a grant held then: 2 (R-3, R-4)")
}

func TestHomeYourTeamListsDirectReportsAndOpensTheirRecord(t *testing.T) {
	h := newRequestHarness(t)
	recordHistory(h)
	h.command(ana, launc, "<@UBEA> Fix the build due:2026-12-10")
	h.ephemeral(ana, "Created T-2")
	h.request(bea, launc, "purchase amount=2000 risk=low Chairs")
	h.approverCard(mgr, "R-4 · Purchase")
	// The policy file makes Max the manager of Ana and Bea; an admin puts Cal under him in Slack.
	h.baton(adm, "manager <@UCAL> <@UMGR>")
	h.ephemeral(adm, "<@UMGR>")

	h.hmOpen(mgr)
	v := h.home(mgr, "*Your team* (3)",
		"<@UANA> — 0 open · 0 overdue · 0 blocked · 100% on time (1 of 1) · 0 requests waiting",
		"<@UBEA> — 1 open · 0 overdue · 0 blocked · 1 request waiting",
		"<@UCAL> — 0 open · 0 overdue · 0 blocked · 0 requests waiting")
	if !v.Has("Record") {
		t.Fatalf("no Record button on the team's lines: %s", v.AllText())
	}
	h.haClick(mgr, "home.record:UANA")
	h.haAnswer(mgr, "*Track record of <@UANA>* — the last 90 days", "*purchase requests filed* — 3")
	if events := h.audits(ana); len(events) != 1 || events[0].ActorID != mgr || events[0].Detail != "(from the dashboard)" {
		t.Errorf("audit events about Ana = %+v, want Max's view from the dashboard", events)
	}

	// Moved under another manager in Slack, Ana leaves Max's team; nobody's team is shown to Ana.
	h.baton(adm, "manager <@UANA> <@UADM>")
	h.ephemeral(adm, "<@UADM>")
	h.hmOpen(mgr)
	h.home(mgr, "*Your team* (2)", "<@UBEA>", "<@UCAL>")
	h.hmOpen(ana)
	if av := h.home(ana, "Your tasks"); av.Has("Your team") {
		t.Errorf("Ana manages no one, yet her home shows a team: %s", av.AllText())
	}
}
