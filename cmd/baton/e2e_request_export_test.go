package main

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/batonhq/baton/bot/slackdouble"
)

// exported waits for the next CSV export in user's DM with Baton, after the first `after` files there,
// and returns its rows without the header.
func (h *harness) exported(user string, after int) (slackdouble.File, [][]string) {
	h.t.Helper()
	var f slackdouble.File
	err := h.slack.Wait(h.waitCtx(), func() bool {
		files := h.slack.Files(h.slack.DMChannel(user))
		if len(files) > after {
			f = files[after]
			return true
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("no export reached %s's DM", user)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(f.Content, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) == 0 || rows[0][0] != "Request" {
		h.t.Fatalf("the export is not a CSV with a header: %v\n%s", err, f.Content)
	}
	return f, rows[1:]
}

// requestIDs lists the requests of export rows, each once, in order.
func requestIDs(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		if !slices.Contains(out, r[0]) {
			out = append(out, r[0])
		}
	}
	return out
}

func TestRequestExportSendsACSVOfWhatEachPersonMaySee(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=800 risk=low Monitor")
	card := h.approverCard(mgr, "R-1 · Purchase")
	h.request(ana, launc, "purchase amount=900 risk=low Chair")
	h.approverCard(mgr, "R-2 · Purchase")
	h.request(bea, launc, "purchase amount=100 risk=low Cables")
	h.ephemeral(bea, "R-3 · Purchase", "approved automatically")
	h.rqClick(mgr, card, "request.approve")
	h.dm(bea, "R-1 · Purchase is approved")

	mustHave(t, "the admin's export", h.answer(adm, "/request", "export"), "Sent: 3 requests with 7 events, in your direct messages with Baton")
	f, rows := h.exported(adm, 0)
	if got := requestIDs(rows); !slices.Equal(got, []string{"R-1", "R-2", "R-3"}) {
		t.Errorf("the admin's export has %v, want every request", got)
	}
	if f.Name != "requests-2026-10-29-to-2026-11-27.csv" || !hasAll(f.Comment, []string{"Requests of the workspace created from 2026-10-29 to 2026-11-27", "3 requests, 7 events"}) {
		t.Errorf("file %q shared with %q", f.Name, f.Comment)
	}
	dm := h.dm(adm, "Requests of the workspace created")
	if len(dm.Files) != 1 || dm.Files[0].ID != f.ID {
		t.Errorf("the DM message carries %+v, want the export", dm.Files)
	}
	approval := rows[slices.IndexFunc(rows, func(r []string) bool { return r[0] == "R-1" && r[13] == "approved" })]
	if want := []string{"R-1", "purchase", "Bea Berg", bea, "approved"}; !slices.Equal(approval[:5], want) ||
		approval[8] != "4 Everything else" || approval[14] != "1 Manager" || approval[15] != "Max Manager" || approval[16] != mgr {
		t.Errorf("R-1's approval row = %q", approval)
	}

	mustHave(t, "Bea's export", h.answer(bea, "/request", "export"), "Sent: 2 requests")
	if _, rows := h.exported(bea, 0); !slices.Equal(requestIDs(rows), []string{"R-1", "R-3"}) {
		t.Errorf("Bea's export has %v, want only hers", requestIDs(rows))
	}
	mustHave(t, "the approver's export", h.answer(mgr, "/request", "export 2026-11-27"), "Sent: 1 request")
	if _, rows := h.exported(mgr, 0); !slices.Equal(requestIDs(rows), []string{"R-1"}) {
		t.Errorf("the approver's export has %v, want only the one they decided", requestIDs(rows))
	}
	mustHave(t, "an export of days with no requests", h.answer(cal, "/request", "export 2026-11-01 2026-11-26"), "No requests you filed or acted on were created from 2026-11-01 to 2026-11-26")
}

func TestRequestExportRefusesBadDatesWithNothingSent(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=100 risk=low Cables")
	h.ephemeral(bea, "R-1 · Purchase")
	for text, want := range map[string]string{
		"export 2026-13-01":               `"2026-13-01" isn't a date I can read. Write dates as YYYY-MM-DD`,
		"export 27/11/2026":               `"27/11/2026" isn't a date I can read`,
		"export 2026-11-30 2026-11-01":    "The export would start on 2026-11-30, after its last day 2026-11-01. Put the earlier date first",
		"export 2025-01-01 2026-11-27":    "2025-01-01 to 2026-11-27 is more than a year",
		"export 2026-11-01 to 2026-11-30": "Give at most two dates",
	} {
		mustHave(t, "/request "+text, h.answer(adm, "/request", text), want)
	}
	if n := h.slack.CallCount("files.getUploadURLExternal"); n != 0 {
		t.Errorf("%d uploads started for bad dates", n)
	}
}
