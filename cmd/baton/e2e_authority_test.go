package main

import (
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
)

// grant reads grant G-number as stored, with its audit trail.
func (h *harness) grant(number int64) (baton.Grant, []baton.GrantEvent) {
	h.t.Helper()
	g, err := h.db.Grant(h.ctx, h.slack.Options().TeamID, number)
	if err != nil {
		h.t.Fatalf("grant G-%d: %v", number, err)
	}
	events, err := h.db.GrantEvents(h.ctx, g.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return g, events
}

// noCards checks that no approver card went to user.
func (h *harness) noCards(user string) {
	h.t.Helper()
	h.idle()
	for _, m := range h.slack.Messages(h.slack.DMChannel(user)) {
		if m.Has("needs your approval") {
			h.t.Errorf("%s got an approver card: %s", user, m.AllText())
		}
	}
}

func eventKinds(events []baton.GrantEvent) string {
	kinds := make([]string, len(events))
	for i, e := range events {
		kinds[i] = e.Kind
	}
	return strings.Join(kinds, ",")
}

func TestAuthorityGrantAutoApprovesRequestsInsideIt(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(adm, "authority grant <@UANA> purchase amount<=5000 until 2026-12-31 Team budget")
	h.ephemeral(adm, "<@UANA> may now approve their own purchase requests when amount ≤ 5000, until Thu 31 Dec 2026 (G-1)")
	h.dm(ana, "<@UADM> gave you authority (G-1)", "Team budget")

	h.request(ana, launc, "purchase amount=3000 risk=low Monitors")
	h.ephemeral(ana, "R-1 · Purchase is approved automatically", "Grant G-1", "amount 3,000 USD")
	h.noCards(mgr)
	r := h.stored(1)
	if r.Status != baton.ApprovalApproved || len(r.Steps) != 0 {
		t.Fatalf("R-1 = %+v, want approved with no steps", r)
	}
	trail, err := h.db.RequestActions(h.ctx, r.ID)
	if err != nil || len(trail) != 2 || trail[1].Action != baton.ActAutoApprove || !strings.Contains(trail[1].Comment, "Grant G-1") {
		t.Errorf("trail = %+v, %v; want an auto-approval citing G-1", trail, err)
	}
	if _, events := h.grant(1); eventKinds(events) != "granted,used" || events[1].RequestNumber != 1 || events[1].Actor != ana {
		t.Errorf("G-1 events = %+v, want granted then used by R-1", events)
	}

	// Outside the grant: routed as usual, to Ana's manager.
	h.request(ana, launc, "purchase amount=8000 risk=low Desks")
	h.ephemeral(ana, "Filed R-2 · Purchase", "<@UMGR>", "outside <@UANA>'s authority")
	h.approverCard(mgr, "R-2 · Purchase")
	if _, events := h.grant(1); eventKinds(events) != "granted,used" {
		t.Errorf("G-1 events after R-2 = %s", eventKinds(events))
	}

	// Someone else's requests are not covered.
	h.request(bea, launc, "purchase amount=3000 risk=low")
	h.ephemeral(bea, "Filed R-3 · Purchase", "<@UMGR>")

	h.baton(ana, "authority list")
	h.ephemeral(ana, "Grants of authority you hold or gave* (1)", "*G-1* <@UANA>", "active", "Team budget")
}

func TestAuthorityRevokedOrExpiredRoutesNormally(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(adm, "authority grant <@UANA> purchase amount<=5000")
	h.ephemeral(adm, "(G-1)")
	h.baton(mgr, "authority grant <@UANA> purchase amount<=5000 client_tier in (none, standard) until 2026-11-27")
	h.ephemeral(mgr, "<@UANA> may now approve their own purchase requests when amount ≤ 5000 and client_tier in [\"none\", \"standard\"], until Fri 27 Nov 2026 (G-2)")

	// The manager can't revoke the admin's grant; the admin can, once.
	h.baton(mgr, "authority revoke G-1")
	h.ephemeral(mgr, "Only workspace admins and <@UADM>, who granted G-1, can revoke it")
	h.baton(adm, "authority revoke G-1")
	h.ephemeral(adm, "G-1 is revoked")
	h.baton(adm, "authority revoke G-1")
	h.ephemeral(adm, "G-1 was already revoked by <@UADM>")
	h.dm(ana, "<@UADM> revoked your authority G-1")
	if g, events := h.grant(1); !g.Revoked() || eventKinds(events) != "granted,revoked" {
		t.Errorf("G-1 = %+v, events %s", g, eventKinds(events))
	}

	// G-2 still holds today.
	h.request(ana, launc, "purchase amount=3000 client_tier=standard risk=low")
	h.ephemeral(ana, "R-1 · Purchase is approved automatically", "Grant G-2")

	// The day after its until day, G-2 has run out.
	h.advanceTo(time.Date(2026, 11, 28, 0, 0, 1, 0, time.UTC))
	h.request(ana, launc, "purchase amount=3000 client_tier=standard risk=low")
	h.ephemeral(ana, "Filed R-2 · Purchase", "<@UMGR>")
	h.approverCard(mgr, "R-2 · Purchase")

	h.baton(adm, "authority list <@UANA>")
	h.ephemeral(adm, "Grants of authority* (2)", "*G-1* <@UANA>", "revoked by <@UADM>", "*G-2* <@UANA>", "expired", "granted by <@UMGR>")
	if _, events := h.grant(2); eventKinds(events) != "granted,used,expired" {
		t.Errorf("G-2 events = %s, want granted,used,expired", eventKinds(events))
	}
}

func TestAuthorityGrantIsRefused(t *testing.T) {
	h := newRequestHarness(t)
	for _, c := range []struct{ user, text, want string }{
		{bea, "authority grant <@UANA> purchase amount<=5000", "Only workspace admins and a person's manager"},
		{cal, "authority grant <@UCAL> purchase amount<=5000", "Only workspace admins and a person's manager"},
		{mgr, "authority grant <@UCAL> purchase amount<=5000", "Only workspace admins and <@UCAL>'s manager"},
		{adm, "authority grant <@UANA> lunch amount<=5000", `There is no request type "lunch". Pick one of: purchase, access`},
		{adm, "authority grant <@UANA> purchase colour=red", `Purchase has no field "colour"`},
		{adm, "authority grant <@UANA> purchase `amount <= \"lots\"`", "That condition doesn't fit purchase requests"},
		{adm, "authority grant <@UANA> purchase amount<=5000 until 2026-11-01", "2026-11-01 has passed"},
		{adm, "authority grant <@UROBO> purchase amount<=5000", "<@UROBO> is a bot"},
		{adm, "authority grant <@UGONE> purchase amount<=5000", "<@UGONE> has been deactivated"},
		{adm, "authority grant <@UNOBODY> purchase amount<=5000", "I can't find <@UNOBODY>"},
		{adm, "authority revoke G-7", "There is no grant G-7"},
	} {
		h.baton(c.user, c.text)
		h.ephemeral(c.user, c.want)
	}
	if g, err := h.db.Grants(h.ctx, h.slack.Options().TeamID); err != nil || len(g) != 0 {
		t.Errorf("grants stored after refusals: %+v, %v", g, err)
	}
	h.baton(cal, "authority list")
	h.ephemeral(cal, "No grants of authority to show")
}
