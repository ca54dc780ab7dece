package baton_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

const (
	ana = "U01ANA0001"
	mgr = "U01MGR0001"
	bob = "U01BOB0001"
)

func TestParseRecordPeriod(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		in       string
		from, to time.Time
		label    string
	}{
		{in: "", from: now.AddDate(0, 0, -90), to: now, label: "the last 90 days"},
		{in: "30d", from: now.AddDate(0, 0, -30), to: now, label: "the last 30 days"},
		{in: "7 days", from: now.AddDate(0, 0, -7), to: now, label: "the last 7 days"},
		// New York leaves summer time on 1 Nov: the range starts at midnight EDT and ends at midnight EST.
		{in: "2026-09-01..2026-11-30", from: time.Date(2026, 9, 1, 4, 0, 0, 0, time.UTC), to: time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC),
			label: "Tue 1 Sep 2026 – Mon 30 Nov 2026"},
		{in: "2026-11-01 to 2026-11-01", from: time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), to: time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC),
			label: "Sun 1 Nov 2026 – Sun 1 Nov 2026"},
		// A range reaching past now ends now.
		{in: "2026-12-01..2026-12-31", from: time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC), to: now, label: "Tue 1 Dec 2026 – Thu 31 Dec 2026"},
	}
	for _, tc := range tests {
		p, err := baton.ParseRecordPeriod(tc.in, ny, now)
		if err != nil {
			t.Errorf("ParseRecordPeriod(%q): %v", tc.in, err)
			continue
		}
		if !p.From.Equal(tc.from) || !p.To.Equal(tc.to) || p.Label != tc.label {
			t.Errorf("ParseRecordPeriod(%q) = %v..%v %q, want %v..%v %q", tc.in, p.From, p.To, p.Label, tc.from, tc.to, tc.label)
		}
	}
	for in, want := range map[string]string{
		"0d":                     "pick from 1 to 366 days",
		"400d":                   "pick from 1 to 366 days",
		"last month":             "isn't a period",
		"2026-11-30..2026-09-01": "ends before it starts",
		"2025-01-01..2026-11-30": "covers 699 days",
		"2027-01-01..2027-01-31": "starts in the future",
		"2026-02-30..2026-03-01": "doesn't exist",
	} {
		_, err := baton.ParseRecordPeriod(in, ny, now)
		if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), want) {
			t.Errorf("ParseRecordPeriod(%q) = %v, want an invalid-input error saying %q", in, err, want)
		}
	}
}

// nov is a moment of the record tests' period, which runs through November 2026 in UTC.
func nov(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }

var november = baton.RecordPeriod{From: nov(1, 0), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Label: "November"}

func madeFor(owner string, when time.Time) baton.TaskEvent {
	return baton.TaskEvent{Kind: baton.EventCreated, Actor: mgr, To: owner, At: when}
}

func moved(from, to baton.Status, when time.Time) baton.TaskEvent {
	return baton.TaskEvent{Kind: baton.EventStatus, From: string(from), To: string(to), At: when}
}

func refs(f baton.Figure) []string {
	out := make([]string, len(f.Items))
	for i, it := range f.Items {
		out[i] = it.Ref
	}
	return out
}

func TestBuildRecordTasks(t *testing.T) {
	tasks := []baton.RecordTask{
		// Created in October, worked on and done in November before its due moment.
		{Number: 1, OwnerID: ana, DelegatorID: mgr, Status: baton.StatusDone, DueAt: nov(20, 17), CreatedAt: time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC),
			Events: []baton.TaskEvent{madeFor(ana, time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)),
				moved(baton.StatusTodo, baton.StatusInProgress, nov(2, 9)), moved(baton.StatusInProgress, baton.StatusInReview, nov(4, 9)),
				moved(baton.StatusInReview, baton.StatusDone, nov(4, 15))}},
		// Blocked twice; unblocked once after 6 hours; past its due moment and blocked now.
		{Number: 2, OwnerID: ana, DelegatorID: mgr, Status: baton.StatusBlocked, DueAt: nov(25, 12), CreatedAt: nov(3, 9),
			Events: []baton.TaskEvent{madeFor(ana, nov(3, 9)), moved(baton.StatusTodo, baton.StatusBlocked, nov(3, 12)),
				moved(baton.StatusBlocked, baton.StatusInProgress, nov(3, 18)), moved(baton.StatusInProgress, baton.StatusBlocked, nov(10, 9))}},
		// Handed on to Bob in November.
		{Number: 3, OwnerID: bob, DelegatorID: mgr, Status: baton.StatusDone, CreatedAt: nov(5, 9),
			Events: []baton.TaskEvent{madeFor(ana, nov(5, 9)), {Kind: baton.EventReassigned, From: ana, To: bob, At: nov(6, 9)},
				moved(baton.StatusTodo, baton.StatusDone, nov(7, 9))}},
		// Done in October: not part of November's record.
		{Number: 4, OwnerID: ana, DelegatorID: mgr, Status: baton.StatusDone, CreatedAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),
			Events: []baton.TaskEvent{madeFor(ana, time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)), moved(baton.StatusTodo, baton.StatusDone, time.Date(2026, 10, 31, 23, 59, 0, 0, time.UTC))}},
		// Her own task: not delegated to her.
		{Number: 5, OwnerID: ana, DelegatorID: ana, Status: baton.StatusTodo, CreatedAt: nov(2, 9), Events: []baton.TaskEvent{madeFor(ana, nov(2, 9))}},
		// Done exactly as the period starts (counted), and done late.
		{Number: 6, OwnerID: ana, DelegatorID: mgr, Status: baton.StatusDone, DueAt: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), CreatedAt: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC),
			Events: []baton.TaskEvent{madeFor(ana, time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)), moved(baton.StatusTodo, baton.StatusDone, nov(1, 0))}},
		// Moved to Done as the period ends: outside it.
		{Number: 7, OwnerID: ana, DelegatorID: mgr, Status: baton.StatusDone, CreatedAt: nov(30, 9),
			Events: []baton.TaskEvent{madeFor(ana, nov(30, 9)), moved(baton.StatusTodo, baton.StatusDone, november.To)}},
		// Bob's until he handed it to her in December: after the period.
		{Number: 8, OwnerID: ana, DelegatorID: mgr, Status: baton.StatusInProgress, CreatedAt: nov(10, 9),
			Events: []baton.TaskEvent{madeFor(bob, nov(10, 9)), moved(baton.StatusTodo, baton.StatusInProgress, nov(11, 9)),
				{Kind: baton.EventReassigned, From: bob, To: ana, At: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}}},
	}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	rec := baton.BuildRecord(baton.RecordHistory{Tasks: tasks}, ana, november, now, func(string) []string { return nil }).Tasks
	check := func(name string, f baton.Figure, n int, want ...string) {
		t.Helper()
		if f.N != n || !slices.Equal(refs(f), want) {
			t.Errorf("%s = %d %v, want %d %v", name, f.N, refs(f), n, want)
		}
	}
	check("delegated", rec.Delegated, 5, "T-1", "T-2", "T-3", "T-6", "T-7")
	check("done", rec.Done, 2, "T-1", "T-6")
	check("done with a due date", rec.DoneWithDue, 2, "T-1", "T-6")
	check("on time", rec.OnTime, 1, "T-1")
	check("overdue now", rec.OverdueNow, 1, "T-2")
	check("blocked", rec.Blocked, 2, "T-2")
	check("unblocked", rec.Unblocked, 1, "T-2")
	check("reassigned away", rec.ReassignedAway, 1, "T-3")
	if rate, ok := rec.OnTimeRate(); !ok || rate != 0.5 {
		t.Errorf("on-time rate = %v %v, want 0.5", rate, ok)
	}
	if rec.ToUnblock != 6*time.Hour {
		t.Errorf("time to unblock = %v, want 6h", rec.ToUnblock)
	}
	want := map[baton.Status]time.Duration{
		// To do: T-1 13 days 0 h, T-2 3 h, T-6 29 days 15 h: the median is T-1's.
		baton.StatusTodo:       13 * 24 * time.Hour,
		baton.StatusInProgress: (48*time.Hour + (6*24+15)*time.Hour) / 2, // T-1 2 days, T-2 6 days 15 h
		baton.StatusInReview:   6 * time.Hour,
		baton.StatusBlocked:    6 * time.Hour,
	}
	for s, d := range want {
		if rec.InStatus[s] != d {
			t.Errorf("median time in %s = %v, want %v", s, rec.InStatus[s], d)
		}
	}
	if len(rec.InStatus) != len(want) {
		t.Errorf("time in status = %v, want only %v", rec.InStatus, want)
	}
}

func TestBuildRecordDecisionsAndCheckins(t *testing.T) {
	h := baton.RecordHistory{
		Decisions: []baton.RecordDecision{
			{Number: 1, Status: baton.DecisionAccepted, Versions: 3, Flags: 2, Acknowledged: 1, CreatedAt: nov(2, 9)},
			{Number: 2, Status: baton.DecisionSuperseded, Versions: 1, CreatedAt: nov(3, 9)},
			{Number: 3, Status: baton.DecisionAccepted, Versions: 1, Flags: 1, CreatedAt: time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC)},
		},
		Checkins: []baton.RecordCheckin{
			{Number: 4, DeliveredAt: nov(2, 9), SeenAt: nov(2, 10)},
			{Number: 4, DeliveredAt: nov(9, 9), SeenAt: nov(9, 13), AnsweredAt: nov(9, 12)},
			{Number: 4, DeliveredAt: nov(16, 9)},
			{Number: 5, DeliveredAt: nov(3, 9), AnsweredAt: nov(3, 9).Add(30 * time.Minute)},
			{Number: 5, DeliveredAt: time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC), SeenAt: time.Date(2026, 10, 3, 9, 1, 0, 0, time.UTC)},
		},
	}
	rec := baton.BuildRecord(h, ana, november, nov(30, 9), func(string) []string { return nil })
	d := rec.Decisions
	if d.Recorded.N != 2 || d.Versions != 4 || d.Flagged.N != 1 || d.Flags != 2 || d.Acknowledged != 1 || !slices.Equal(refs(d.Superseded), []string{"D-2"}) {
		t.Errorf("decisions = %+v", d)
	}
	c := rec.Checkins
	if c.Sent.N != 4 || !slices.Equal(refs(c.Sent), []string{"C-4", "C-5"}) || c.Seen.N != 3 || c.Answered.N != 2 {
		t.Errorf("check-ins = %+v", c)
	}
	// Seen after 1 h, 3 h (answered before it was marked seen) and 30 min: the median is 1 h.
	if c.ToSeen != time.Hour {
		t.Errorf("median time to seen = %v, want 1h", c.ToSeen)
	}
}

func request(n int64, typ, amount string, status baton.ApprovalStatus, filed time.Time) baton.RecordRequest {
	r := baton.RecordRequest{Number: n, Type: typ, RequesterID: eng1, Status: status, PolicyVersion: "v1", CreatedAt: filed,
		Values: map[string]string{"amount": amount, "vendor": "Acme", "category": "software"}}
	if status != baton.ApprovalPending {
		r.DecidedAt = filed.Add(2 * time.Hour)
	}
	return r
}

func TestOutcomesTellRefilings(t *testing.T) {
	rs := []baton.RecordRequest{
		request(1, "purchase", "100", baton.ApprovalChangesRequested, nov(2, 9)),
		request(2, "discount", "5", baton.ApprovalApproved, nov(3, 9)),                                        // another type: not a re-filing
		request(3, "purchase", "90", baton.ApprovalApproved, nov(2, 9).Add(2*time.Hour+baton.RefilingWindow)), // at the window's edge
		request(4, "purchase", "100", baton.ApprovalChangesRequested, nov(20, 9)),
		request(5, "purchase", "100", baton.ApprovalApproved, nov(20, 11).Add(baton.RefilingWindow+time.Minute)), // too late
		request(6, "purchase", "100", baton.ApprovalApproved, time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)),
	}
	want := []baton.RequestOutcome{baton.OutcomeChangesAsked, baton.OutcomeApprovedUnchanged, baton.OutcomeApprovedAfterChanges,
		baton.OutcomeChangesAsked, baton.OutcomeApprovedUnchanged, baton.OutcomeApprovedUnchanged}
	if got := baton.Outcomes(rs); !slices.Equal(got, want) {
		t.Errorf("Outcomes = %v, want %v", got, want)
	}
}

func TestBuildRecordRequests(t *testing.T) {
	rs := []baton.RecordRequest{
		request(1, "purchase", "100", baton.ApprovalChangesRequested, time.Date(2026, 10, 28, 9, 0, 0, 0, time.UTC)), // before the period
		request(2, "purchase", "120", baton.ApprovalApproved, nov(2, 9)),                                             // its re-filing
		request(3, "purchase", "4000", baton.ApprovalApproved, nov(3, 9)),
		request(4, "purchase", "9000", baton.ApprovalRejected, nov(4, 9)),
		request(5, "purchase", "700", baton.ApprovalCancelled, nov(5, 9)),
		request(6, "purchase", "not a number", baton.ApprovalPending, nov(6, 9)),
		request(7, "discount", "15", baton.ApprovalChangesRequested, nov(7, 9)),
	}
	rs[2].ByGrant = true
	fields := func(typ string) []string {
		if typ == "purchase" {
			return []string{"amount", "quantity"}
		}
		return nil
	}
	rec := baton.BuildRecord(baton.RecordHistory{Requests: rs}, eng1, november, nov(30, 9), fields)
	if len(rec.Requests) != 2 || rec.Requests[0].Type != "discount" || rec.Requests[1].Type != "purchase" {
		t.Fatalf("request types = %+v", rec.Requests)
	}
	p := rec.Requests[1]
	for name, c := range map[string]struct {
		f    baton.Figure
		want []string
	}{
		"filed":                  {p.Filed, []string{"R-2", "R-3", "R-4", "R-5", "R-6"}},
		"approved unchanged":     {p.ApprovedUnchanged, []string{"R-3"}},
		"approved after changes": {p.ApprovedAfterChanges, []string{"R-2"}},
		"rejected":               {p.Rejected, []string{"R-4"}},
		"cancelled":              {p.Cancelled, []string{"R-5"}},
		"pending":                {p.Pending, []string{"R-6"}},
		"by grant":               {p.ByGrant, []string{"R-3"}},
		"changes asked":          {p.ChangesAsked, nil},
	} {
		if !slices.Equal(refs(c.f), c.want) {
			t.Errorf("%s = %v, want %v", name, refs(c.f), c.want)
		}
	}
	// Amounts 120, 4000, 9000 and 700: the median is 2350, the largest R-4's; no quantity was given.
	if len(p.Numbers) != 1 || p.Numbers[0].Field != "amount" || p.Numbers[0].N != 4 || p.Numbers[0].Median != 2350 || p.Numbers[0].Largest != 9000 || p.Numbers[0].At.Ref != "R-4" {
		t.Errorf("numbers = %+v", p.Numbers)
	}
}

func TestRunBacktestUnderEachRequestsPolicyVersion(t *testing.T) {
	data, err := os.ReadFile("deploy/policies.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	load := func(yaml string) *baton.Policy {
		t.Helper()
		p, err := baton.LoadPolicy([]byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	v1 := load(string(data))
	// v2 approves purchases up to 1,000 at once; v3 renamed amount to cost.
	v2 := load(strings.Replace(string(data), "when: amount <= 500 && risk", "when: amount <= 1000 && risk", 1))
	v3 := load(strings.ReplaceAll(string(data), "amount", "cost"))
	policies := map[string]*baton.Policy{"v1": v1, "v2": v2, "v3": v3}
	g, err := baton.ParseGrant("<@"+eng1+"> purchase amount<=10000", v1, time.UTC, nov(30, 9))
	if err != nil {
		t.Fatal(err)
	}
	under := func(r baton.RecordRequest, version string) baton.RecordRequest {
		r.PolicyVersion = version
		return r
	}
	rs := []baton.RecordRequest{
		request(1, "purchase", "300", baton.ApprovalApproved, nov(2, 9)),                 // approved at once by v1's small-purchase branch
		request(2, "purchase", "800", baton.ApprovalApproved, nov(3, 9)),                 // under v1: the grant's
		under(request(3, "purchase", "800", baton.ApprovalApproved, nov(4, 9)), "v2"),    // under v2: the branch's
		request(4, "purchase", "4000", baton.ApprovalChangesRequested, nov(5, 9)),        // the grant's, changes asked
		under(request(5, "purchase", "4200", baton.ApprovalApproved, nov(6, 9)), "v2"),   // its re-filing, approved
		request(6, "purchase", "9000", baton.ApprovalRejected, nov(7, 9)),                // the grant's, rejected
		request(7, "purchase", "12000", baton.ApprovalApproved, nov(8, 9)),               // outside the grant
		under(request(8, "purchase", "600", baton.ApprovalApproved, nov(9, 9)), "v3"),    // v3 has no amount
		under(request(9, "purchase", "700", baton.ApprovalApproved, nov(10, 9)), "gone"), // its version is not stored
		request(10, "purchase", "2500", baton.ApprovalApproved, nov(11, 9)),              // approved then by a grant she held
		request(11, "purchase", "5000", baton.ApprovalPending, nov(12, 9)),
	}
	rs[9].AutoApproved, rs[9].ByGrant = true, true
	bt := baton.RunBacktest(g, rs, policies, v1.Directory())
	for name, c := range map[string]struct {
		f    baton.Figure
		want []string
	}{
		"replayed":               {bt.Replayed, []string{"R-1", "R-2", "R-3", "R-4", "R-5", "R-6", "R-7", "R-8", "R-9", "R-10", "R-11"}},
		"at once":                {bt.AtOnce, []string{"R-2", "R-4", "R-5", "R-6", "R-11"}},
		"approved unchanged":     {bt.ApprovedUnchanged, []string{"R-2"}},
		"approved after changes": {bt.ApprovedAfterChanges, []string{"R-5"}},
		"changes asked":          {bt.ChangesAsked, []string{"R-4"}},
		"rejected":               {bt.Rejected, []string{"R-6"}},
		"pending":                {bt.Pending, []string{"R-11"}},
		"already":                {bt.Already, []string{"R-1", "R-3", "R-10"}},
		"routed":                 {bt.Routed, []string{"R-7"}},
		"unreplayable":           {bt.Unreplayable, []string{"R-8", "R-9"}},
	} {
		if !slices.Equal(refs(c.f), c.want) {
			t.Errorf("%s = %v, want %v", name, refs(c.f), c.want)
		}
	}
	if len(bt.Why) != 2 || !strings.Contains(bt.Why[0], "doesn't fit") || !strings.Contains(bt.Why[1], "no longer stored") {
		t.Errorf("why = %q", bt.Why)
	}
}

func TestSuggestGrantAtItsBoundaries(t *testing.T) {
	approved := func(n int64, amount string) baton.RecordRequest {
		return request(n, "purchase", amount, baton.ApprovalApproved, nov(int(n), 9))
	}
	streak := func(k int) []baton.RecordRequest {
		var rs []baton.RecordRequest
		for i := range k {
			rs = append(rs, approved(int64(i+2), fmt.Sprint(1000*(i+1))))
		}
		return rs
	}
	rejectedFirst := append([]baton.RecordRequest{request(1, "purchase", "500", baton.ApprovalRejected, nov(1, 9))}, streak(3)...)
	autoInside := append(streak(3), baton.RecordRequest{})
	autoInside[3] = approved(9, "200")
	autoInside[3].AutoApproved = true
	pendingLast := append(streak(3), request(9, "purchase", "99999", baton.ApprovalPending, nov(20, 9)))
	changedInside := streak(3)
	changedInside[1].Status = baton.ApprovalChangesRequested
	refiled := append(streak(2), request(8, "purchase", "800", baton.ApprovalChangesRequested, nov(8, 9)), approved(9, "900"))
	noAmount := streak(3)
	delete(noAmount[0].Values, "amount")
	tests := []struct {
		name string
		rs   []baton.RecordRequest
		ok   bool
		max  float64
		refs []string
	}{
		{"exactly three approved as filed", streak(3), true, 3000, []string{"R-2", "R-3", "R-4"}},
		{"two are not enough", streak(2), false, 0, nil},
		{"only the last three count", rejectedFirst, true, 3000, []string{"R-2", "R-3", "R-4"}},
		{"approved at once are left out", autoInside, true, 3000, []string{"R-2", "R-3", "R-4"}},
		{"pending are left out", pendingLast, true, 3000, []string{"R-2", "R-3", "R-4"}},
		{"changes asked in the streak", changedInside, false, 0, nil},
		{"a re-filing after changes breaks it", refiled, false, 0, nil},
		{"a value missing", noAmount, false, 0, nil},
	}
	for _, tc := range tests {
		s, ok := baton.SuggestGrant(tc.rs, []string{"amount"}, 3)
		var got []string
		for _, it := range s.Evidence {
			got = append(got, it.Ref)
		}
		if ok != tc.ok || s.Max != tc.max || !slices.Equal(got, tc.refs) {
			t.Errorf("%s: SuggestGrant = %v %v %v, want %v %v %v", tc.name, ok, s.Max, got, tc.ok, tc.max, tc.refs)
		}
		if ok && (s.UserID != eng1 || s.RequestType != "purchase" || s.Condition() != "amount<=3000" || s.GrantText() != "<@"+eng1+"> purchase amount<=3000") {
			t.Errorf("%s: suggestion = %+v, %q", tc.name, s, s.GrantText())
		}
	}
}

// A period read in New York, whose clocks go back on 1 Nov: a decision or a check-in counts when it
// falls within the days as New York lives them, whatever the offset at either edge.
func TestBuildRecordCountsTheDaysAsThePeriodsZoneLivesThem(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	p, err := baton.ParseRecordPeriod("2026-11-01..2026-11-30", ny, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	h := baton.RecordHistory{
		Decisions: []baton.RecordDecision{
			{Number: 1, Versions: 1, CreatedAt: time.Date(2026, 11, 1, 3, 30, 0, 0, time.UTC)}, // 31 Oct 23:30 EDT
			{Number: 2, Versions: 1, CreatedAt: time.Date(2026, 11, 1, 4, 30, 0, 0, time.UTC)}, // 1 Nov 00:30 EDT
			{Number: 3, Versions: 1, CreatedAt: time.Date(2026, 12, 1, 4, 30, 0, 0, time.UTC)}, // 30 Nov 23:30 EST
			{Number: 4, Versions: 1, CreatedAt: time.Date(2026, 12, 1, 5, 30, 0, 0, time.UTC)}, // 1 Dec 00:30 EST
		},
		Checkins: []baton.RecordCheckin{
			{Number: 1, DeliveredAt: time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)}, // 1 Nov 01:30 EDT, the first one
			{Number: 2, DeliveredAt: time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)}, // 1 Nov 01:30 EST, the second
		},
	}
	rec := baton.BuildRecord(h, ana, p, p.To, func(string) []string { return nil })
	if got := refs(rec.Decisions.Recorded); !slices.Equal(got, []string{"D-2", "D-3"}) {
		t.Errorf("decisions in November, New York time = %v, want D-2 and D-3", got)
	}
	if rec.Checkins.Sent.N != 2 {
		t.Errorf("check-ins on the night clocks went back = %d, want both", rec.Checkins.Sent.N)
	}
}

func TestDirectReportsLayTheManagersSetInSlackOverTheFiles(t *testing.T) {
	file := map[string]string{"UANA": "UMAX", "UBEA": "UMAX", "UCAL": "UZOE"}
	stored := map[string]string{"UBEA": "UZOE", "UCAL": "UMAX", "UDAN": "UMAX"}
	if got := baton.DirectReports(file, stored, "UMAX"); !slices.Equal(got, []string{"UANA", "UCAL", "UDAN"}) {
		t.Errorf("Max's reports = %v, want Ana (file), Cal and Dan (Slack), not Bea (moved)", got)
	}
	if got := baton.DirectReports(file, nil, "UANA"); len(got) != 0 {
		t.Errorf("Ana's reports = %v, want none", got)
	}
}
