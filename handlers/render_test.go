package handlers

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func sampleTask() baton.Task {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	due, _ := baton.NewDue("2026-12-04", "15:00", berlin, fixedNow)
	return baton.Task{
		ID: 7, TeamID: "T1", Number: 12, Title: "Ship <pricing> & plans", Description: "Numbers from *finance*.",
		OwnerID: "UANA", DelegatorID: "UBEA", Status: baton.StatusBlocked, BlockedReason: "Legal has not signed off",
		Due: due, ChannelID: "CLAUNCH", CardTS: "1700000000.000100", CardLink: "https://acme.slack.com/archives/CLAUNCH/p1700000000000100",
		SourceLink: "https://acme.slack.com/archives/C1/p1",
		CreatedAt:  fixedNow.Add(-72 * time.Hour), StatusChangedAt: fixedNow.Add(-26 * time.Hour),
	}
}

func sampleHome() homeData {
	t := sampleTask()
	var delegated, mine []baton.Task
	for i, s := range []baton.Status{baton.StatusTodo, baton.StatusInProgress, baton.StatusInProgress, baton.StatusBlocked} {
		d := t
		d.Number, d.Status = int64(20+i), s
		delegated = append(delegated, d)
	}
	m := t
	m.Number, m.Status, m.OwnerID, m.DelegatorID = 31, baton.StatusInReview, "UBEA", "UCAL"
	mine = append(mine, m)
	return homeData{attention: []baton.Task{t}, attentionTotal: 1, delegated: delegated, delegatedTotal: 40, mine: mine, mineTotal: 1}
}

// homeSampleRequest is a pending purchase request of UBEA's filed a day before fixedNow; at step 2 of 3,
// an `all` step UFIN1 already approved.
func homeSampleRequest(number int64) homeRequest {
	r := baton.ApprovalRequest{
		TeamID: "T1", Number: number, Type: "purchase", RequesterID: "UBEA", Status: baton.ApprovalPending, CurrentStep: 1,
		CreatedAt: fixedNow.Add(-24 * time.Hour),
		Steps: []baton.ApprovalStep{
			{Index: 0, Name: "Manager", Mode: baton.ModeAny, Approvers: []string{"UMGR"}, Decided: true, Approved: []string{"UMGR"}},
			{Index: 1, Name: "Finance", Mode: baton.ModeAll, Approvers: []string{"UFIN1", "UFIN2"}, Approved: []string{"UFIN1"}},
			{Index: 2, Name: "CFO", Mode: baton.ModeAny, Approvers: []string{"UCFO"}},
		},
	}
	link := fmt.Sprintf("https://acme.slack.com/archives/DUMGR/p17000000000%05d", number)
	return homeRequest{ApprovalRequest: r, title: requestTitle(r, &baton.RequestType{Name: "purchase", Title: "Purchase <hw>"}), since: fixedNow.Add(-50 * time.Hour), link: link}
}

// sampleHomeWithRequests is sampleHome for someone approving two requests and with one of each status.
func sampleHomeWithRequests() homeData {
	d := sampleHome()
	first, second := homeSampleRequest(3), homeSampleRequest(5)
	second.RequesterID, second.since = "UCAL", fixedNow.Add(-30*time.Second)
	d.awaiting, d.awaitingTotal = []homeRequest{first, second}, 2
	for i, s := range []baton.ApprovalStatus{baton.ApprovalPending, baton.ApprovalApproved, baton.ApprovalRejected, baton.ApprovalChangesRequested, baton.ApprovalCancelled} {
		r := homeSampleRequest(int64(10 - i))
		if s != baton.ApprovalPending {
			r.Status, r.DecidedAt = s, fixedNow.Add(-time.Duration(i)*time.Hour)
		}
		d.requests = append(d.requests, r)
	}
	return d
}

// golden compares rendered blocks with testdata/<name>.json; -update rewrites it.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./handlers -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		t.Errorf("%s differs from the golden file; run go test ./handlers -update and review the diff\n%s", name, got)
	}
}

func TestRenderGolden(t *testing.T) {
	task := sampleTask()
	ev := baton.TaskEvent{Kind: baton.EventStatus, Actor: "UANA", From: "in_progress", To: "blocked", Note: "Legal has not signed off", At: fixedNow}
	cases := map[string]any{
		"card":          cardBlocks(task, nil, fixedNow),
		"thread_reply":  threadReply(ev),
		"history":       historyBlocks(task, []baton.TaskEvent{ev}),
		"list":          listBlocks("Your open tasks", []baton.Task{task}, 1, fixedNow),
		"home":          homeBlocks(sampleHome(), fixedNow),
		"home_requests": homeBlocks(sampleHomeWithRequests(), fixedNow),
		"modal_new":     newTaskModal("Draft the memo", "Draft the memo\nby Friday", "CLAUNCH", modalMeta{ChannelID: "CLAUNCH"}),
		"modal_blocked": blockedModal(task),
		"modal_due":     dueModal(task),
		"help":          helpBlocks("I didn't understand `/task frobnicate`."),
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, v) })
	}
}

// TestEveryActionHasARoute renders every surface and checks that each interactive element's action_id
// reaches a handler: a button nobody handles is a button that silently does nothing.
func TestEveryActionHasARoute(t *testing.T) {
	r := bot.NewRouter()
	New(Config{}).Register(r)
	task := sampleTask()
	surfaces := [][]slack.Block{
		cardBlocks(task, nil, fixedNow),
		homeBlocks(sampleHome(), fixedNow),
	}
	var ids []string
	for _, blocks := range surfaces {
		ids = append(ids, actionIDs(t, blocks)...)
	}
	if len(ids) < 6 {
		t.Fatalf("found only %d action_ids: %v", len(ids), ids)
	}
	for _, id := range ids {
		if !r.HasAction(id) {
			t.Errorf("action_id %q is rendered but has no route", id)
		}
	}
}

func actionIDs(t *testing.T, blocks []slack.Block) []string {
	t.Helper()
	return blockStrings(t, blocks, "action_id")
}

// blockStrings lists every string held under key anywhere in rendered blocks.
func blockStrings(t *testing.T, blocks any, key string) []string {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x[key].(string); ok {
				out = append(out, id)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	walk(v)
	return out
}

func TestHomeStaysUnderTheBlockLimit(t *testing.T) {
	d := sampleHome()
	for i := 0; i < 500; i++ {
		x := sampleTask()
		x.Number = int64(100 + i)
		x.Status = baton.Statuses[i%4]
		x.Title = strings.Repeat("long title ", 18)
		d.delegated = append(d.delegated, x)
		d.mine = append(d.mine, x)
		d.attention = append(d.attention, x)
	}
	d.delegatedTotal, d.mineTotal, d.attentionTotal = 5000, 5000, 5000
	for i := 0; i < homeLimit+1; i++ {
		r := homeSampleRequest(int64(100 + i))
		r.title = strings.Repeat("long title ", 18)
		d.awaiting = append(d.awaiting, r)
		d.requests = append(d.requests, r)
	}
	d.awaitingTotal = 5000
	for i := 0; i < homeCheckinLimit+1; i++ {
		d.checkins = append(d.checkins, baton.Checkin{Number: int64(i + 1), Message: strings.Repeat("long question ", 30)})
	}
	d.checkinsTotal = 5000
	for i := 0; i < homeKRLimit+1; i++ {
		k := sampleKRs(1)[0]
		k.Title = strings.Repeat("long title ", 18)
		d.krs = append(d.krs, k)
	}
	for i := 0; i < homeFlagLimit+1; i++ {
		d.flags = append(d.flags, baton.PendingFlag{Number: int64(i + 1), Title: strings.Repeat("long title ", 18),
			Flag: baton.DecisionFlag{FlaggedBy: "UBEA", Version: 1, Reason: strings.Repeat("read this ", 100), FlaggedAt: fixedNow}})
	}
	d.flagsTotal = 5000
	for i := range homeTeamLimit + 1 {
		d.team = append(d.team, baton.TeamLine{UserID: fmt.Sprintf("UREPORT%d", i), Open: 40, Overdue: i, Blocked: 3, DoneWithDue: 10, OnTime: 9, Waiting: 2})
	}
	blocks := homeBlocks(d, fixedNow)
	if len(blocks) > maxViewBlocks {
		t.Fatalf("every section full, the home has %d blocks, Slack allows %d", len(blocks), maxViewBlocks)
	}
	t.Logf("every section full, the home has %d blocks", len(blocks))
	raw, _ := json.Marshal(blocks)
	for _, want := range []string{"Show all 5000", "…and 117 more", "Waiting for your approval* (5000)", "4995 more — see them with `/request list pending`", "Older ones: `/request list`",
		"Decisions flagged for you* (5000)", "4995 more — read them with `/decision D-n`",
		"Your team* (9)", " — 40 open · 8 overdue · 3 blocked · 90% on time (9 of 10) · 2 requests waiting", "1 more — `/baton record @name`"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("home does not say %q", want)
		}
	}
}

// A manager with more delegated tasks than the dashboard reads still sees every group's true count.
func TestHomeGroupCountsCoverTasksBeyondThoseRead(t *testing.T) {
	d := sampleHome()
	d.delegatedTotal = 700
	d.delegatedByStatus = map[baton.Status]int{baton.StatusTodo: 100, baton.StatusInProgress: 450, baton.StatusBlocked: 150}
	raw, _ := json.Marshal(homeBlocks(d, fixedNow))
	for _, want := range []string{"In progress* (450)", "…and 448 more", "To do* (100)", "…and 99 more", "Show all 700"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("home does not say %q", want)
		}
	}
}

func TestHomeRequestSections(t *testing.T) {
	got := homeText(t, sampleHomeWithRequests())
	for _, want := range []string{
		"*<https://acme.slack.com/archives/DUMGR/p1700000000000003|R-3 · Purchase &lt;hw&gt;>* — <@UBEA> · waiting for 2 working days",
		"*<https://acme.slack.com/archives/DUMGR/p1700000000000005|R-5 · Purchase &lt;hw&gt;>* — <@UCAL> · waiting since today",
		"*<https://acme.slack.com/archives/DUMGR/p1700000000000010|R-10 · Purchase &lt;hw&gt;>* — step 2 of 3, waiting on <@UFIN2>",
		"R-9 · Purchase &lt;hw&gt;>* — approved <!date^",
		"R-8 · Purchase &lt;hw&gt;>* — rejected",
		"R-7 · Purchase &lt;hw&gt;>* — changes requested",
		"R-6 · Purchase &lt;hw&gt;>* — cancelled",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("home does not say %q", want)
		}
	}
	if strings.Index(got, "R-3 ") > strings.Index(got, "R-5 ") || strings.Index(got, "Waiting for your approval") > strings.Index(got, "Delegated by you") ||
		strings.Index(got, "Your requests") < strings.Index(got, "Your tasks") {
		t.Errorf("sections or lines out of order")
	}
	for _, unwanted := range []string{"awaiting_more", "requests_more"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("home offers %s with nothing more to show", unwanted)
		}
	}
	// Nobody waiting on the person and no requests of theirs: neither section.
	empty := homeText(t, sampleHome())
	for _, unwanted := range []string{"Waiting for your approval", "Your requests"} {
		if strings.Contains(empty, unwanted) {
			t.Errorf("an empty home shows %q", unwanted)
		}
	}
}

// homeText is a dashboard as JSON with Slack's markup left unescaped.
func homeText(t *testing.T, d homeData) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(homeBlocks(d, fixedNow)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRequestStandingNamesTheOnesStillToAct(t *testing.T) {
	r := homeSampleRequest(1).ApprovalRequest
	r.Steps[1].Approvers = []string{"UA", "UB", "UC", "UD", "UE"}
	r.Steps[1].Approved = []string{"UB"}
	if got, want := requestStanding(r), md.Text("step 2 of 3, waiting on <@UA>, <@UC>, <@UD> and 1 more"); got != want {
		t.Errorf("standing = %q, want %q", got, want)
	}
}
