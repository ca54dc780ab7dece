package handlers

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
)

// sampleSimulation is a simulation of four requests: one unchanged, one approved at once inside a
// grant, one whose step (once escalated) goes to other people, and one the file can't route.
func sampleSimulation() baton.PolicySimulation {
	filed := func(number int64, requester string, branch int, name string, auto bool, steps ...baton.ApprovalStep) baton.FiledRequest {
		return baton.FiledRequest{ApprovalRequest: baton.ApprovalRequest{Number: number, Type: "purchase", RequesterID: requester,
			PolicyVersion: "v1", Branch: branch, BranchName: name, CreatedAt: fixedNow.Add(time.Duration(number) * time.Hour), Steps: steps}, AutoApproved: auto}
	}
	manager := baton.ApprovalStep{Name: "Manager", Mode: baton.ModeAny, Approvers: []string{"UMGR"}}
	escalated := baton.ApprovalStep{Name: "-Finance", Mode: baton.ModeAll, Approvers: []string{"UFIN1", "UFIN2", "UCFO"}, EscalatedTo: []string{"UCFO"}}
	return baton.PolicySimulation{
		Requests: []baton.SimulatedRequest{
			{Filed: filed(1, "UBEA", 1, "Small", true), Route: baton.Route{Branch: 1, BranchName: "Small", AutoApproved: true}},
			{Filed: filed(2, "UEVE", 4, "Everything else", false, manager),
				Route:       baton.Route{Branch: 4, BranchName: "Everything else", AutoApproved: true, Grant: &baton.Grant{Number: 3}},
				BecomesAuto: true},
			{Filed: filed(3, "UBEA", 2, "", false, escalated),
				Route:            baton.Route{Branch: 3, BranchName: "High risk", Steps: []baton.Step{{Name: "Security", Mode: baton.ModeAll, Approvers: []string{"USEC1", "USEC2"}}, {Approvers: []string{"UCFO"}}}},
				BranchChanged:    true,
				ApproversChanged: true},
			{Filed: filed(4, "UBEA", 4, "Everything else", false, manager),
				Problem: &baton.SimulationProblem{Reason: "the field tier of purchase no longer takes the value they were filed with", Detail: `"=cmd|' /C calc'!A0" isn't an option for Tier: pick one of standard.`}},
		},
		BranchChanged: 1, ApproversChanged: 1, BecomeAuto: 1, Unroutable: 1, Unchanged: 1,
		Why: []baton.ReasonCount{{Reason: "the field tier of purchase no longer takes the value they were filed with", Requests: 1}},
	}
}

func TestSimulationCSVHasARowPerRequestAndSafeCells(t *testing.T) {
	names := map[string]string{"UBEA": "Bea Berg", "UEVE": `=HYPERLINK("http://evil.example","Eve")`, "UMGR": "Max Manager", "UFIN1": "Fay", "UFIN2": "Fred", "USEC1": "Sia"}
	data := simulationCSV(sampleSimulation(), names)
	body, ok := bytes.CutPrefix(data, []byte("\ufeff"))
	if !ok {
		t.Fatal("the file does not start with a byte order mark, so spreadsheets may misread its UTF-8")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		simulationHeader,
		{"R-1", "purchase", "Bea Berg", "UBEA", "2026-11-27 11:00:00", "v1", "1 Small", "1 Small", "", "", "yes", "yes", "none"},
		{"R-2", "purchase", `'=HYPERLINK("http://evil.example","Eve")`, "UEVE", "2026-11-27 12:00:00", "v1", "4 Everything else", "4 Everything else",
			"step 1 Manager: Max Manager", "", "no", "yes, inside G-3", "becomes auto-approved"},
		{"R-3", "purchase", "Bea Berg", "UBEA", "2026-11-27 13:00:00", "v1", "2", "3 High risk",
			"step 1 -Finance: all of Fay, Fred", "step 1 Security: all of Sia, USEC2; step 2: UCFO", "no", "no", "branch, approvers"},
		{"R-4", "purchase", "Bea Berg", "UBEA", "2026-11-27 14:00:00", "v1", "4 Everything else", "", "step 1 Manager: Max Manager", "", "no", "",
			`can't be routed: "=cmd|' /C calc'!A0" isn't an option for Tier: pick one of standard.`},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want a header and one per request (%d):\n%s", len(rows), len(want), body)
	}
	for i := range want {
		if strings.Join(rows[i], "\x1f") != strings.Join(want[i], "\x1f") {
			t.Errorf("row %d = %q\nwant     %q", i, rows[i], want[i])
		}
	}
}

func TestSimulationTextSaysWhatTheFileChanges(t *testing.T) {
	run := simulationRun{File: "0123456789abcdef", InForce: "fedcba9876543210", Since: fixedNow.AddDate(0, 0, -90), At: fixedNow}
	want := ":test_tube: *Policy file simulated*: version `0123456789ab` (in force: `fedcba987654`), on the 4 requests filed in the last 90 days. Nothing was put in force.\n" +
		"• Change branch: 1\n" +
		"• Change approvers: 1\n" +
		"• Become auto-approved: 1\n" +
		"• Stop being auto-approved: 0\n" +
		"• Can't be routed by the file: 1\n" +
		"    ◦ 1: the field tier of purchase no longer takes the value they were filed with\n" +
		"• Unchanged: 1\n" +
		"Every request is in the file sent to your direct messages with Baton. Put the file in force with `/baton policies reload`."
	if got := simulationText(sampleSimulation(), run); string(got) != want {
		t.Errorf("summary =\n%s\nwant\n%s", got, want)
	}

	run.InForce, run.Cut = run.File, true
	got := string(simulationText(sampleSimulation(), run))
	if strings.Contains(got, "/baton policies reload") {
		t.Errorf("summary of the version in force says to reload it:\n%s", got)
	}
	for _, part := range []string{
		"version `0123456789ab`, the version already in force, on the 4 requests",
		", only the latest 20000 of them, filed since <!date^1795777200^{date_short_pretty}|",
	} {
		if !strings.Contains(got, part) {
			t.Errorf("summary lacks %q:\n%s", part, got)
		}
	}
	if got := string(simulationComment(sampleSimulation(), run)); got != ":test_tube: Version `0123456789ab` of the policy file simulated on 4 requests filed from 2026-08-29 to 2026-11-27: one row per request, how it is routed now next to how the file routes it; times are in UTC. Only the latest 20000 requests are in it." {
		t.Errorf("comment = %s", got)
	}
	if got := simulationName(run.File, fixedNow); got != "policy-simulation-2026-11-27-0123456789ab.csv" {
		t.Errorf("file name = %s", got)
	}
}

func TestSimulationTextListsAFewReasons(t *testing.T) {
	sim := sampleSimulation()
	sim.Why = nil
	for _, r := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		sim.Why = append(sim.Why, baton.ReasonCount{Reason: "reason " + r, Requests: 1})
	}
	got := string(simulationText(sim, simulationRun{File: "v2", Since: fixedNow, At: fixedNow}))
	if !strings.Contains(got, "◦ 1: reason e\n    ◦ and 2 more: see the Change column of the file\n") || strings.Contains(got, "reason f") {
		t.Errorf("summary lists the reasons as:\n%s", got)
	}
	if !strings.Contains(got, "version `v2` (no policy is in force)") {
		t.Errorf("summary without a policy in force:\n%s", got)
	}
}
