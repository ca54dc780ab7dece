package handlers

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
)

func TestExportCSVHasARowPerTrailEvent(t *testing.T) {
	r := sampleRequest()
	r.Summary = "=HYPERLINK(\"http://evil\")"
	r.Values = map[string]string{"amount": "12000", "note": "-5 for shipping", "discount": "-5"}
	r.PolicyVersion, r.Branch, r.BranchName = "abc123", 2, "High risk"
	done := r
	done.ID, done.Number, done.Status, done.DecidedAt = 2, 10, baton.ApprovalRejected, fixedNow.Add(time.Hour)
	at := func(m int) time.Time { return fixedNow.Add(time.Duration(m) * time.Minute) }
	trails := map[int64][]baton.ApprovalAction{
		r.ID: {
			{Actor: "UBEA", Action: baton.ActSubmit, At: fixedNow},
			{Actor: "UBEA", Action: baton.ActRoute, Comment: "Branch 2 matched", At: fixedNow},
			{Actor: "U1", Action: baton.ActApprove, At: at(5)},
			{Actor: baton.ActorBaton, Action: baton.ActRemind, Step: 0, Comment: "U2,U3", At: at(120)},
		},
		done.ID: {
			{Actor: "UBEA", Action: baton.ActSubmit, At: fixedNow},
			{Actor: "U1", Action: baton.ActReject, Step: 0, Comment: "@everyone too dear", At: at(60)},
		},
	}
	data := exportCSV([]baton.ApprovalRequest{r, done}, trails, map[string]string{"UBEA": "Bea Berg", "U1": "Una"})
	body, ok := bytes.CutPrefix(data, []byte("\ufeff"))
	if !ok {
		t.Fatal("the file does not start with a byte order mark, so spreadsheets may misread its UTF-8")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+4+2 {
		t.Fatalf("%d rows, want a header and one per event (6)", len(rows))
	}
	golden(t, "export", rows)
}
