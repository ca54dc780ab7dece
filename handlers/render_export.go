package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	baton "github.com/batonhq/baton"
)

// exportHeader names the columns of a request export. The file has one row per event of each
// request's trail, the request's own columns repeated on each: a spreadsheet can then filter and sort
// by any of them (everything one approver did, every rejection in a month) and count events with a
// pivot table, which a trail packed into one cell would not allow. A request always has at least its
// "submitted" event, so each one is in the file.
var exportHeader = []string{
	"Request", "Type", "Requester", "Requester ID", "Status", "Created (UTC)", "Decided (UTC)",
	"Policy version", "Branch", "Summary", "Fields", "Event #", "Event time (UTC)", "Event", "Step", "By", "By ID", "Detail",
}

// exportTime is how times read in the file: UTC, in a form spreadsheets take as a date and time.
const exportTime = "2006-01-02 15:04:05"

// exportCSV writes requests and their trails as CSV, with a byte order mark so spreadsheet programs
// read it as UTF-8. names gives people's names by user ID; one without a name shows as its ID.
func exportCSV(reqs []baton.ApprovalRequest, trails map[int64][]baton.ApprovalAction, names map[string]string) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	_ = w.Write(exportHeader)
	name := func(id string) string { return nameIn(names, id) }
	for _, r := range reqs {
		fields, _ := json.Marshal(r.Values)
		if r.Values == nil {
			fields = []byte("{}")
		}
		decided := ""
		if !r.DecidedAt.IsZero() {
			decided = r.DecidedAt.UTC().Format(exportTime)
		}
		branch := strconv.Itoa(r.Branch)
		if r.BranchName != "" {
			branch += " " + r.BranchName
		}
		head := []string{r.Ref(), r.Type, name(r.RequesterID), r.RequesterID, r.Status.Words(), r.CreatedAt.UTC().Format(exportTime), decided,
			r.PolicyVersion, branch, r.Summary, string(fields)}
		for i, a := range trails[r.ID] {
			step := ""
			if a.Action != baton.ActSubmit && a.Action != baton.ActRoute && a.Action != baton.ActAutoApprove && a.Step < len(r.Steps) {
				step = strings.TrimPrefix(r.Steps[a.Step].Label(), "step ")
			}
			detail := a.Comment
			if a.Action == baton.ActRemind || a.Action == baton.ActEscalate {
				var people []string
				for _, id := range strings.Split(a.Comment, ",") {
					people = append(people, name(id))
				}
				detail = strings.Join(people, ", ")
			}
			actor := a.Actor
			if actor == baton.ActorBaton {
				actor = ""
			}
			row := append(append([]string{}, head...), strconv.Itoa(i+1), a.At.UTC().Format(exportTime), actionWords(a.Action), step, name(a.Actor), actor, detail)
			for j := range row {
				row[j] = spreadsheetSafe(row[j])
			}
			_ = w.Write(row)
		}
	}
	w.Flush()
	return buf.Bytes()
}

// nameIn is a person's name from names, by user ID, for a file: one without a name shows as its ID,
// and Baton's own actions as Baton.
func nameIn(names map[string]string, id string) string {
	if id == baton.ActorBaton || id == "" {
		return "Baton"
	}
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	return id
}

// spreadsheetSafe keeps a spreadsheet from reading text someone typed as a formula: a cell starting
// with =, +, -, @, a tab or a carriage return gets a leading apostrophe, unless it is a plain number.
func spreadsheetSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// exportName is the file name of an export of the days from to to.
func exportName(from, to string) string {
	return fmt.Sprintf("requests-%s-to-%s.csv", from, to)
}
