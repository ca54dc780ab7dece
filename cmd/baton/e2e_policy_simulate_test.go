package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/batonhq/baton/bot/slackdouble"
)

// simulations counts the policy simulations in the audit trail.
func (h *harness) simulations() int {
	h.t.Helper()
	var n int
	if err := h.db.GetContext(h.ctx, &n, `SELECT count(*) FROM audit_events WHERE kind = 'policies.simulate' AND actor_id = $1 AND detail = 'simulate'`, adm); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func TestPolicySimulateShowsWhatTheEditedFileChangesWithoutPuttingItInForce(t *testing.T) {
	path := policyFile(t, "")
	h := newRequestHarness(t, func(o *harnessOptions) { o.policies = path })
	// A name a spreadsheet would read as a formula.
	h.slack.AddUser(slackdouble.User{ID: ana, Name: "ana", RealName: `=HYPERLINK("http://evil.example","Ana")`, TZ: "America/New_York"})

	mustHave(t, "a simulation before any request", h.answer(adm, "/baton", "policies simulate"), "No requests were filed in the last 90 days, so there is nothing to simulate")
	if n := h.slack.CallCount("files.getUploadURLExternal"); n != 0 {
		t.Errorf("%d uploads started with no requests", n)
	}

	for _, rq := range []struct{ user, text, want string }{
		{bea, "purchase amount=800 risk=low Monitor", "Filed R-1 · Purchase"},
		{bea, "purchase amount=100 risk=low Cables", "R-2 · Purchase is approved automatically"},
		{bea, "purchase amount=12000 client_tier=enterprise risk=low Servers", "Filed R-3 · Purchase"},
		{bea, "travel region=apac Tokyo", "Filed R-4 · Travel"},
		{bea, "purchase amount=900 risk=high Scanner", "Filed R-5 · Purchase"},
		{ana, "purchase amount=300 risk=medium Lamp", "R-6 · Purchase is approved automatically"},
	} {
		h.request(rq.user, launc, rq.text)
		h.ephemeral(rq.user, rq.want)
	}
	before := h.stored(1).PolicyVersion

	policyFile(t, path,
		`when: amount <= 500 && risk != "high"`, `when: amount <= 1000 && risk == "low"`, // R-1 auto-approved, R-6 no longer
		"approvers: [group:security]", "approvers: [group:finance]", // R-5 to finance
		"options: [none, standard, enterprise]", "options: [none, standard, strategic]", `client_tier == "enterprise"`, `client_tier == "strategic"`, // R-3's tier gone
		"- name: travel\n    title: Travel", "- name: trip\n    title: Trip") // R-4's type gone

	mustHave(t, "a simulation by someone who isn't an admin", h.answer(bea, "/baton", "policies simulate"), "Only workspace admins can simulate the approval policy file")
	reply := h.answer(adm, "/baton", "policies simulate")
	mustHave(t, "the summary", reply, "(in force: `"+before[:12]+"`), on the 6 requests filed in the last 90 days. Nothing was put in force.",
		"• Change branch: 2\n", "• Change approvers: 1\n", "• Become auto-approved: 1\n", "• Stop being auto-approved: 1\n",
		"• Can't be routed by the file: 2\n",
		"◦ 1: the field client_tier of purchase no longer takes the value they were filed with\n",
		"◦ 1: the type travel is no longer in the file\n",
		"• Unchanged: 1\n", "Put the file in force with `/baton policies reload`.")
	if n := h.simulations(); n != 2 {
		t.Errorf("%d simulations in the audit trail, want both", n)
	}

	f, rows := h.exported(adm, 0)
	if !strings.HasPrefix(f.Name, "policy-simulation-2026-11-27-") || !hasAll(f.Comment, []string{"of the policy file simulated on 6 requests filed from 2026-08-29 to 2026-11-27"}) {
		t.Errorf("file %q shared with %q", f.Name, f.Comment)
	}
	const at = "2026-11-27 09:00:00"
	want := [][]string{
		{"R-1", "purchase", "Bea Berg", bea, at, before, "4 Everything else", "1 Small purchase", "step 1 Manager: Max Manager", "", "no", "yes", "branch, becomes auto-approved"},
		{"R-2", "purchase", "Bea Berg", bea, at, before, "1 Small purchase", "1 Small purchase", "", "", "yes", "yes", "none"},
		{"R-3", "purchase", "Bea Berg", bea, at, before, "2 Large enterprise purchase", "", "step 1 Finance: any of Fay Finance, Fred Finance; step 2 CFO: Cora CFO", "", "no", "",
			`can't be routed: "enterprise" isn't an option for Client tier: pick one of none, standard, strategic.`},
		{"R-4", "travel", "Bea Berg", bea, at, before, "1 Asia-Pacific", "", "step 1 Regional lead: Cal Cho", "", "no", "",
			`can't be routed: There is no request type "travel". Pick one of: purchase, access, trip.`},
		{"R-5", "purchase", "Bea Berg", bea, at, before, "3 High risk", "3 High risk", "step 1 Security: all of Sia Security, Sol Security, Sue Security",
			"step 1 Security: all of Fay Finance, Fred Finance", "no", "no", "approvers"},
		{"R-6", "purchase", `'=HYPERLINK("http://evil.example","Ana")`, ana, at, before, "1 Small purchase", "4 Everything else", "", "step 1 Manager: Max Manager", "yes", "no",
			"branch, no longer auto-approved"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want one per request:\n%q", len(rows), rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d = %q\nwant     %q", i+1, rows[i], want[i])
		}
	}

	// Nothing was put in force: the file's version is not stored, and requests still route by the old one.
	if n := h.policyVersions(); n != 1 {
		t.Errorf("%d policy versions stored, want only the one in force", n)
	}
	h.request(bea, launc, "purchase amount=800 risk=low Desk")
	h.ephemeral(bea, "Filed R-7 · Purchase", "<@UMGR>")
	if r7 := h.stored(7); r7.PolicyVersion != before || r7.BranchName != "Everything else" {
		t.Errorf("R-7 was filed by version %s, branch %q; want the policy in force", r7.PolicyVersion, r7.BranchName)
	}

	// A broken file is refused with what is wrong, and nothing is sent or recorded.
	policyFile(t, path, "when: amount > 10000 && client_tier", "when: amout > 10000 && client_tier")
	mustHave(t, "a simulation of a broken file", h.answer(adm, "/baton", "policies simulate"),
		"The policy file can't be loaded, so nothing was simulated and the policy in force stays. Fix the file and simulate again.",
		"purchase, branch 2: undeclared reference to 'amout' (did you mean 'amount'?)")
	if n := h.slack.CallCount("files.getUploadURLExternal"); n != 1 {
		t.Errorf("%d uploads started, want only the good simulation's", n)
	}
	if n := h.simulations(); n != 2 {
		t.Errorf("%d simulations in the audit trail after a broken file, want 2", n)
	}
	if n := h.policyVersions(); n != 1 {
		t.Errorf("%d policy versions stored after a broken file, want 1", n)
	}
}

func TestPolicySimulateWithoutAPolicyFileSaysHowToSetOne(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.policies = "" })
	mustHave(t, "a simulation without a file", h.answer(adm, "/baton", "policies simulate"),
		"No approval policy file is configured, so there is nothing to simulate. Set BATON_POLICIES to the file and restart Baton.")
}
