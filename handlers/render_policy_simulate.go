package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// simulationHeader names the columns of a policy simulation's file: one row per request, how it is
// routed now (as it was filed) next to how the policy file routes it.
var simulationHeader = []string{
	"Request", "Type", "Requester", "Requester ID", "Filed (UTC)", "Policy version",
	"Branch now", "Branch in file", "Approvers now", "Approvers in file", "Auto now", "Auto in file", "Change",
}

// simulationReasons is how many reasons for requests the file can't route the summary lists.
const simulationReasons = 5

// simulationCSV writes a policy simulation as CSV, with a byte order mark so spreadsheet programs read
// it as UTF-8, and every cell safe from being read as a formula. names gives people's names by user ID.
func simulationCSV(sim baton.PolicySimulation, names map[string]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write(simulationHeader)
	for _, s := range sim.Requests {
		f := s.Filed
		row := []string{f.Ref(), f.Type, nameIn(names, f.RequesterID), f.RequesterID, f.CreatedAt.UTC().Format(exportTime), f.PolicyVersion,
			branchWords(f.Branch, f.BranchName), "", stepsWords(f.RoutedSteps(), names), "", yesNo(f.AutoApproved), "", changeWords(s)}
		if s.Problem == nil {
			auto := yesNo(s.Route.AutoApproved)
			if s.Route.Grant != nil {
				auto += ", inside " + s.Route.Grant.Ref()
			}
			row[7], row[9], row[11] = branchWords(s.Route.Branch, s.Route.BranchName), stepsWords(s.Route.Steps, names), auto
		}
		for j := range row {
			row[j] = spreadsheetSafe(row[j])
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

func branchWords(n int, name string) string {
	if name == "" {
		return strconv.Itoa(n)
	}
	return strconv.Itoa(n) + " " + name
}

// stepsWords lists steps and their approvers: "step 1 Finance: any of Fay, Fred; step 2 CFO: Cora".
func stepsWords(steps []baton.Step, names map[string]string) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		people := make([]string, len(s.Approvers))
		for j, id := range s.Approvers {
			people[j] = nameIn(names, id)
		}
		label := fmt.Sprintf("step %d", i+1)
		if s.Name != "" {
			label += " " + s.Name
		}
		mode := ""
		if len(people) > 1 {
			mode = string(s.Mode) + " of "
		}
		parts[i] = label + ": " + mode + strings.Join(people, ", ")
	}
	return strings.Join(parts, "; ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// changeWords says what the file changes for a request.
func changeWords(s baton.SimulatedRequest) string {
	if s.Problem != nil {
		return "can't be routed: " + s.Problem.Detail
	}
	var out []string
	if s.BranchChanged {
		out = append(out, "branch")
	}
	if s.ApproversChanged {
		out = append(out, "approvers")
	}
	if s.BecomesAuto {
		out = append(out, "becomes auto-approved")
	}
	if s.StopsAuto {
		out = append(out, "no longer auto-approved")
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// simulationRun is what a policy simulation's summary and file say besides the comparison.
type simulationRun struct {
	File    string    // the policy file's version
	InForce string    // the version in force; "" when none is
	Since   time.Time // the start of the days looked at
	At      time.Time // when the simulation ran
	Cut     bool      // more requests were filed than one simulation routes: only the latest are in it
}

// simulationText is the summary of a policy simulation, shown to the admin who ran it.
func simulationText(sim baton.PolicySimulation, run simulationRun) md.Text {
	lines := []md.Text{md.F(":test_tube: *Policy file simulated*: version `%s`%s, on the %s filed in the last %d days%s. Nothing was put in force.",
		shortVersion(run.File), inForceNote(run), plural(len(sim.Requests), "request"), baton.SimulationDays, cutNote(sim, run)),
		md.F("• Change branch: %d", sim.BranchChanged),
		md.F("• Change approvers: %d", sim.ApproversChanged),
		md.F("• Become auto-approved: %d", sim.BecomeAuto),
		md.F("• Stop being auto-approved: %d", sim.StopAuto),
		md.F("• Can't be routed by the file: %d", sim.Unroutable),
	}
	for i, why := range sim.Why {
		if i == simulationReasons {
			lines = append(lines, md.F("    ◦ and %d more: see the Change column of the file", len(sim.Why)-i))
			break
		}
		lines = append(lines, md.F("    ◦ %d: %s", why.Requests, clip(why.Reason, 300)))
	}
	lines = append(lines, md.F("• Unchanged: %d", sim.Unchanged), "Every request is in the file sent to your direct messages with Baton.")
	if run.InForce != run.File {
		lines[len(lines)-1] += " Put the file in force with `/baton policies reload`."
	}
	return md.Join(lines, "\n")
}

func inForceNote(run simulationRun) md.Text {
	switch run.InForce {
	case "":
		return " (no policy is in force)"
	case run.File:
		return ", the version already in force"
	}
	return md.F(" (in force: `%s`)", shortVersion(run.InForce))
}

func cutNote(sim baton.PolicySimulation, run simulationRun) md.Text {
	if !run.Cut {
		return ""
	}
	return md.F(", only the latest %d of them, filed since %s", simulationLimit, md.Date(sim.Requests[0].Filed.CreatedAt, "{date_short_pretty}"))
}

// simulationComment is the message a policy simulation's file is shared with.
func simulationComment(sim baton.PolicySimulation, run simulationRun) md.Text {
	var note md.Text
	if run.Cut {
		note = md.F(" Only the latest %d requests are in it.", simulationLimit)
	}
	return md.F(":test_tube: Version `%s` of the policy file simulated on %s filed from %s to %s: one row per request, how it is routed now next to how the file routes it; times are in UTC.%s",
		shortVersion(run.File), plural(len(sim.Requests), "request"), run.Since.UTC().Format(time.DateOnly), run.At.UTC().Format(time.DateOnly), note)
}

// simulationName is the file name of a policy simulation run at at.
func simulationName(version string, at time.Time) string {
	return fmt.Sprintf("policy-simulation-%s-%s.csv", at.UTC().Format(time.DateOnly), shortVersion(version))
}
