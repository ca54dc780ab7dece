package main

import (
	"reflect"
	"testing"
)

// people reads the workspace's groups and managers as stored.
func (h *harness) people() (map[string][]string, map[string]string) {
	h.t.Helper()
	d, err := h.db.Directory(h.ctx, h.slack.Options().TeamID)
	if err != nil {
		h.t.Fatal(err)
	}
	return d.Groups, d.Managers
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

func TestGroupSetInSlackRoutesRequests(t *testing.T) {
	h := newRequestHarness(t)
	h.baton(ana, "group add finance <@UCAL>")
	h.ephemeral(ana, "Only workspace admins can change who is in a group")

	h.baton(adm, "group add Finance <@UCAL>")
	h.ephemeral(adm, "*finance* now has <@UCAL>", "The policy file also has a *finance* (<@UFIN1>, <@UFIN2>)")
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low Laptops")
	h.ephemeral(bea, "Filed R-1 · Purchase", "Large enterprise purchase", "<@UCAL>")
	h.approverCard(cal, "R-1 · Purchase")
	h.noCards(fin1)
	h.noCards(fin2)

	h.baton(bea, "group list finance")
	h.ephemeral(bea, "*Groups* (1)", "*finance*: <@UCAL> (set in Slack, replacing the policy file's list)")
	h.baton(adm, "group remove finance <@UCAL>")
	h.ephemeral(adm, "<@UCAL> left *finance*, which now has no one in it", "The policy file's *finance* applies again")
	if groups, _ := h.people(); len(groups) != 0 {
		t.Errorf("stored groups = %v, want none", groups)
	}
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
		{"group remove finance <@UCAL>", "isn't in the group *finance* set in Slack"},
	} {
		h.baton(adm, c.text)
		h.ephemeral(adm, c.want)
	}
	groups, managers := h.people()
	if len(groups) != 0 || !reflect.DeepEqual(managers, map[string]string{ana: cal}) {
		t.Errorf("stored groups %v, managers %v; want no groups and only Ana → Cal", groups, managers)
	}
}
