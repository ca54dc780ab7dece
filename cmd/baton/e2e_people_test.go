package main

import (
	"reflect"
	"testing"

	baton "github.com/batonhq/baton"
)

// people reads the workspace's group edits and managers as stored.
func (h *harness) people() (map[string]baton.GroupEdits, map[string]string) {
	h.t.Helper()
	e, err := h.db.PeopleEdits(h.ctx, h.slack.Options().TeamID)
	if err != nil {
		h.t.Fatal(err)
	}
	return e.Groups, e.Managers
}

func TestManagerSetInSlackRoutesRequests(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(ana, "manager <@UANA> <@UCAL>")
	h.ephemeral(ana, "Only workspace admins can change who manages whom")

	h.baton(adm, "manager <@UANA|ana> @cal")
	h.ephemeral(adm, "<@UCAL> is now <@UANA>'s manager", "This replaces <@UMGR> from the policy file")
	h.request(ana, launc, "purchase amount=2000 risk=low Chairs")
	h.ephemeral(ana, "Filed R-1 · Purchase", "<@UCAL>")
	h.approverCard(cal, "R-1 · Purchase")
	h.noCards(mgr)

	h.baton(bea, "manager list")
	h.ephemeral(bea, "*Managers* (2)", "<@UANA> → <@UCAL> (set in Slack, replacing <@UMGR> from the policy file)", "<@UBEA> → <@UMGR> (from the policy file)")

	// Back to the policy file's manager once the one set in Slack is cleared.
	h.baton(adm, "manager <@UANA> off")
	h.ephemeral(adm, "<@UANA> no longer has a manager set in Slack", "The policy file's <@UMGR> is their manager again")
	h.request(ana, launc, "purchase amount=2000 risk=low Desks")
	h.ephemeral(ana, "Filed R-2 · Purchase", "<@UMGR>")
	h.approverCard(mgr, "R-2 · Purchase")
}

func TestGroupEditsInSlackAddToThePolicyFilesGroup(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(ana, "group add finance <@UCAL>")
	h.ephemeral(ana, "Only workspace admins can change who is in a group")

	h.baton(adm, "group add Finance <@UCAL> <@UFIN1>")
	h.ephemeral(adm, "*finance* now has <@UFIN1>, <@UFIN2>, <@UCAL>.", "(Already in it: <@UFIN1>.)")
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low Laptops")
	h.ephemeral(bea, "Filed R-1 · Purchase", "Large enterprise purchase", "<@UFIN1>, <@UFIN2>, <@UCAL>")
	for _, u := range []string{fin1, fin2, cal} {
		h.approverCard(u, "R-1 · Purchase")
	}

	h.baton(adm, "group remove finance <@UFIN1>")
	h.ephemeral(adm, "<@UFIN1> left *finance*, which now has <@UFIN2>, <@UCAL>.", "The policy file lists <@UFIN1>, so they stay out of *finance*")
	h.baton(bea, "group list")
	h.ephemeral(bea, "*Groups* (3)", "• *finance*: <@UFIN2> from the policy file; <@UCAL> added in Slack (taken out in Slack: <@UFIN1>)",
		"• *security*: <@USEC1>, <@USEC2>, <@USEC3> from the policy file")
	h.request(bea, launc, "purchase amount=15000 client_tier=enterprise risk=low Screens")
	h.ephemeral(bea, "Filed R-2 · Purchase", "<@UFIN2>, <@UCAL>")
	h.approverCard(fin2, "R-2 · Purchase")
	h.idle()
	for _, m := range h.slack.Messages(h.slack.DMChannel(fin1)) {
		if m.Has("R-2 · Purchase") {
			t.Errorf("<@UFIN1> was taken out of finance but got R-2: %s", m.AllText())
		}
	}

	// Emptied in Slack, the group routes to the fallback rather than back to the file's list.
	h.baton(adm, "group remove finance <@UFIN2> <@UCAL>")
	h.ephemeral(adm, "left *finance*, which now has no one in it")
	h.request(bea, launc, "purchase amount=20000 client_tier=enterprise risk=low Desks")
	h.ephemeral(bea, "Filed R-3 · Purchase", "<@UCFO>")

	// Letting them back in leaves nothing of the edits.
	h.baton(adm, "group add finance <@UFIN1> <@UFIN2>")
	h.ephemeral(adm, "*finance* now has <@UFIN1>, <@UFIN2>.")
	groups, _ := h.people()
	if want := map[string]baton.GroupEdits{}; !reflect.DeepEqual(groups, want) {
		t.Errorf("stored group edits = %v, want none", groups)
	}
	h.baton(bea, "group list finance")
	h.ephemeral(bea, "*Groups* (1)", "• *finance*: <@UFIN1>, <@UFIN2> from the policy file")
}

func TestPeopleChangesAreRefusedWithNothingStored(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(adm, "manager <@UANA> <@UCAL>")
	h.ephemeral(adm, "<@UCAL> is now <@UANA>'s manager")

	for _, c := range []struct{ text, want string }{
		{"manager <@UCAL> <@UANA>", "<@UCAL> can't report to <@UANA>: <@UANA> reports to <@UCAL>, so approvals would go round in a circle"},
		{"manager <@UBEA> <@UBEA>", "<@UBEA> can't be their own manager"},
		{"manager <@UBEA> <@UROBO>", "<@UROBO> is a bot, and bots can't have or be a manager"},
		{"manager <@UGONE> <@UCAL>", "<@UGONE> has been deactivated"},
		{"manager @nobody <@UCAL>", "I can't find anyone called @nobody"},
		{"manager <@UBEA> <@UCAL> <@UANA>", "Name one person and their manager"},
		{"group add Fin@nce! <@UCAL>", "can't be a group name"},
		{"group add finance <@UCAL> <@UROBO>", "<@UROBO> is a bot"},
		{"group add finance <@UGONE>", "<@UGONE> has been deactivated, so they can't be in a group"},
		{"group add finance", "Say which group and who"},
		{"group remove finance <@UCAL>", "<@UCAL> isn't in the group *finance*, so nothing changed"},
	} {
		h.baton(adm, c.text)
		h.ephemeral(adm, c.want)
	}
	groups, managers := h.people()
	if len(groups) != 0 || !reflect.DeepEqual(managers, map[string]string{ana: cal}) {
		t.Errorf("stored groups %v, managers %v; want no groups and only Ana → Cal", groups, managers)
	}
}
