package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

// answer types a slash command in #launch once the bot is idle and returns the first private reply
// that follows it, whatever it says.
func (h *harness) answer(user, command, text string) string {
	h.t.Helper()
	h.idle()
	n := len(h.slack.Ephemerals(user))
	if _, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: launc, Command: command, Text: text}); err != nil {
		h.t.Fatalf("%s %s: %v", command, text, err)
	}
	var got string
	if err := h.slack.Wait(h.waitCtx(), func() bool {
		if all := h.slack.Ephemerals(user); len(all) > n {
			got = all[n].AllText()
			return true
		}
		return false
	}); err != nil {
		h.t.Fatalf("%s %s: no private reply to %s", command, text, user)
	}
	return got
}

// policyFile copies the test policy to a file of the test's own, with each replacement applied, and
// returns its path; rewriting the same path changes the file a running bot reads.
func policyFile(t *testing.T, path string, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/policies.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(text, replace[i]) {
			t.Fatalf("the test policy has no %q", replace[i])
		}
		text = strings.ReplaceAll(text, replace[i], replace[i+1])
	}
	if path == "" {
		path = filepath.Join(t.TempDir(), "policies.yaml")
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// policyVersions counts the policy versions stored.
func (h *harness) policyVersions() int {
	h.t.Helper()
	var n int
	if err := h.db.GetContext(h.ctx, &n, `SELECT count(*) FROM policy_versions`); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func mustHave(t *testing.T, what, got string, want ...string) {
	t.Helper()
	if !hasAll(got, want) {
		t.Fatalf("%s lacks %q:\n%s", what, want, got)
	}
}

func TestPolicyReloadByAdminChangesRoutingAndKeepsRequestsInFlight(t *testing.T) {
	path := policyFile(t, "")
	h := newRequestHarness(t, func(o *harnessOptions) { o.policies = path })
	const why = "why purchase amount=800 risk=low"
	mustHave(t, "the dry run before the reload", h.answer(bea, "/request", why), "4. Everything else", "<@UMGR>")
	h.request(bea, launc, "purchase amount=800 risk=low Monitor")
	h.ephemeral(bea, "Filed R-1 · Purchase", "<@UMGR>")
	card := h.approverCard(mgr, "R-1 · Purchase")
	before := h.stored(1).PolicyVersion
	show := h.answer(bea, "/baton", "policies")
	mustHave(t, "/baton policies", show, "Approval policy in force", "version `"+before[:12]+"`", "`purchase` — Purchase (4 branches)", "`travel` — Travel")

	policyFile(t, path, "name: Small purchase\n        when: amount <= 500", "name: Petty cash\n        when: amount <= 1000")
	mustHave(t, "a reload by someone who isn't an admin", h.answer(bea, "/baton", "policies reload"), "Only workspace admins can reload the approval policy")
	mustHave(t, "the dry run after a refused reload", h.answer(bea, "/request", why), "4. Everything else", "<@UMGR>")

	reply := h.answer(adm, "/baton", "policies reload")
	mustHave(t, "the admin's reload", reply, "is in force now", "(was `"+before[:12]+"`)", "`purchase`, `access`, `travel`")
	mustHave(t, "the dry run after the reload", h.answer(bea, "/request", why), "1. Petty cash", "→ auto-approved")
	if n := h.policyVersions(); n != 2 {
		t.Errorf("%d policy versions stored, want 2", n)
	}
	mustHave(t, "a reload of the same file", h.answer(adm, "/baton", "policies reload"), "The policy file hasn't changed")
	if n := h.policyVersions(); n != 2 {
		t.Errorf("%d policy versions stored after an unchanged reload, want 2", n)
	}
	h.request(bea, launc, "purchase amount=800 risk=low Keyboard")
	h.ephemeral(bea, "R-2 · Purchase", "is approved automatically")
	if r2 := h.stored(2); r2.PolicyVersion == before || r2.BranchName != "Petty cash" {
		t.Errorf("R-2 was filed by version %s, branch %q; want the reloaded policy's Petty cash", r2.PolicyVersion, r2.BranchName)
	}

	// R-1 keeps the version and route it was filed with, and its approver still decides it.
	if r1 := h.stored(1); r1.PolicyVersion != before || r1.BranchName != "Everything else" {
		t.Errorf("R-1 now has version %s, branch %q", r1.PolicyVersion, r1.BranchName)
	}
	h.rqClick(mgr, card, "request.approve")
	h.dm(bea, "R-1 · Purchase is approved", "<@UMGR>")
}

func TestBadPolicyReloadIsRefusedAndTheOldPolicyStillRoutes(t *testing.T) {
	path := policyFile(t, "")
	h := newRequestHarness(t, func(o *harnessOptions) { o.policies = path })
	const why = "why purchase amount=12000 client_tier=enterprise risk=low"
	good := h.answer(bea, "/request", why)
	mustHave(t, "the dry run", good, "2. Large enterprise purchase", "<@UFIN1>")
	version := h.answer(bea, "/baton", "policies")

	policyFile(t, path, "when: amount > 10000 && client_tier", "when: amout > 10000 && client_tier")
	reply := h.answer(adm, "/baton", "policies reload")
	mustHave(t, "the refusal", reply, "The policy file was not loaded, so version", "stays in force",
		"purchase, branch 2: undeclared reference to 'amout' (did you mean 'amount'?)")
	if got := h.answer(bea, "/request", why); got != good {
		t.Errorf("the dry run changed after a refused reload:\n%s\nwant:\n%s", got, good)
	}
	if got := h.answer(bea, "/baton", "policies"); got != version {
		t.Errorf("/baton policies changed after a refused reload:\n%s", got)
	}
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low Servers")
	h.approverCard(fin1, "R-1 · Purchase")
	if n := h.policyVersions(); n != 1 {
		t.Errorf("%d policy versions stored, want only the good one", n)
	}

	// SIGHUP reads the file too: still bad, then fixed.
	h.sighup()
	mustHave(t, "the dry run after SIGHUP on a bad file", h.answer(bea, "/request", why), "2. Large enterprise purchase")
	policyFile(t, path, "name: Large enterprise purchase", "name: Big enterprise deal")
	h.sighup()
	mustHave(t, "the dry run after SIGHUP on a fixed file", h.answer(bea, "/request", why), "2. Big enterprise deal", "<@UFIN1>")
	if n := h.policyVersions(); n != 2 {
		t.Errorf("%d policy versions stored, want 2", n)
	}
}

// An edited policy file (or a ConfigMap updated under a running pod) is put in force without a
// restart or a signal; a broken edit leaves the policy in force, and fixing it is picked up too.
func TestAChangedPolicyFileIsPutInForceWithoutARestart(t *testing.T) {
	path := policyFile(t, "")
	h := newRequestHarness(t, func(o *harnessOptions) { o.policies, o.watchPolicy = path, 50*time.Millisecond })
	const why = "why purchase amount=800 risk=low"
	mustHave(t, "the dry run before the edit", h.answer(bea, "/request", why), "4. Everything else")

	policyFile(t, path, "when: amount > 10000 && client_tier", "when: amout > 10000 && client_tier")
	h.waitReloaded()
	mustHave(t, "the dry run after a broken edit", h.answer(bea, "/request", why), "4. Everything else")

	policyFile(t, path, "name: Small purchase\n        when: amount <= 500", "name: Petty cash\n        when: amount <= 1000")
	h.waitReloaded()
	mustHave(t, "the dry run after the fix", h.answer(bea, "/request", why), "1. Petty cash", "→ auto-approved")
	if n := h.policyVersions(); n != 2 {
		t.Errorf("%d policy versions stored, want 2", n)
	}
}

func TestAManualReloadLeavesAnEditedFileForTheAdminToSimulateFirst(t *testing.T) {
	path := policyFile(t, "")
	h := newRequestHarness(t, func(o *harnessOptions) {
		o.policies, o.watchPolicy, o.policiesManual = path, 50*time.Millisecond, true
	})
	const why = "why purchase amount=800 risk=low"
	h.request(bea, launc, "purchase amount=800 risk=low Monitor")
	h.ephemeral(bea, "Filed R-1 · Purchase")
	policyFile(t, path, "name: Small purchase\n        when: amount <= 500", "name: Petty cash\n        when: amount <= 1000")
	// Ten times the watch interval: with reloads manual, nothing reads the file.
	select {
	case <-h.reloaded:
		t.Fatal("the edited file was read although reloads are manual")
	case <-time.After(500 * time.Millisecond):
	}
	mustHave(t, "the dry run after the edit", h.answer(bea, "/request", why), "4. Everything else")
	mustHave(t, "the simulation", h.answer(adm, "/baton", "policies simulate"), "• Become auto-approved: 1")
	mustHave(t, "the reload", h.answer(adm, "/baton", "policies reload"), "is in force now")
	mustHave(t, "the dry run after the reload", h.answer(bea, "/request", why), "1. Petty cash", "→ auto-approved")
}
