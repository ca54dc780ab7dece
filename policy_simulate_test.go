package baton_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

// simPolicy is the policy requests were filed under in the simulation tests.
const simPolicy = `
groups:
  finance: [UFIN1, UFIN2]
  security: [USEC1, USEC2]
managers:
  UBEA: UMGR
types:
  - name: purchase
    title: Purchase
    fallback: UCFO
    fields:
      - name: amount
        type: number
        required: true
      - name: tier
        type: select
        options: [standard, enterprise]
      - name: note
        type: text
    branches:
      - name: Small
        when: amount <= 500
        auto_approve: true
      - name: Large
        when: amount > 10000
        steps:
          - name: Finance
            approvers: [group:finance]
      - name: Default
        steps:
          - name: Manager
            approvers: [manager]
  - name: travel
    title: Travel
    fallback: UCFO
    fields:
      - name: region
        type: text
    branches:
      - steps:
          - approvers: [manager]
`

var simFiledAt = time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)

// loadSim loads simPolicy with each replacement applied.
func loadSim(t *testing.T, replace ...string) *baton.Policy {
	t.Helper()
	text := simPolicy
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(text, replace[i]) {
			t.Fatalf("the policy has no %q", replace[i])
		}
		text = strings.ReplaceAll(text, replace[i], replace[i+1])
	}
	p, err := baton.LoadPolicy([]byte(text))
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	return p
}

// fileUnder files a request as /request does, routed by p, and returns it as stored.
func fileUnder(t *testing.T, p *baton.Policy, number int64, typeName string, raw map[string]string) baton.FiledRequest {
	t.Helper()
	typ, ok := p.Type(typeName)
	if !ok {
		t.Fatalf("no type %s", typeName)
	}
	values, errs := baton.ValidateValues(typ, raw)
	if errs != nil {
		t.Fatalf("values %v: %v", raw, errs)
	}
	route, err := p.Route(typeName, values, "UBEA", p.Directory(), nil, simFiledAt)
	if err != nil {
		t.Fatalf("route: %v", err)
	}
	r := baton.ApprovalRequest{Number: number, Type: typeName, Values: raw, RequesterID: "UBEA", PolicyVersion: p.Version,
		Branch: route.Branch, BranchName: route.BranchName, Status: baton.ApprovalPending, CreatedAt: simFiledAt}
	for i, s := range route.Steps {
		r.Steps = append(r.Steps, baton.ApprovalStep{Index: i, Name: s.Name, Mode: s.Mode, Approvers: s.Approvers})
	}
	return baton.FiledRequest{ApprovalRequest: r, AutoApproved: route.AutoApproved}
}

func everyone(string) bool { return true }

func TestSimulatePolicyComparesEachRequestWithItsRoute(t *testing.T) {
	old := loadSim(t)
	type want struct {
		branch, approvers, becomesAuto, stopsAuto bool
		reason, detail                            string
	}
	tests := []struct {
		name    string
		replace []string // the edits of the file simulated
		typ     string
		values  map[string]string
		filed   func(*baton.FiledRequest) // a change made to the request after it was filed
		grants  []baton.Grant
		usable  func(string) bool
		want    want
	}{
		{name: "same file", typ: "purchase", values: map[string]string{"amount": "2000"}},
		{name: "a branch added before the one it matched", typ: "purchase", values: map[string]string{"amount": "2000"},
			replace: []string{"      - name: Default\n", "      - name: Mid\n        when: amount > 1000\n        steps:\n          - approvers: [manager]\n      - name: Default\n"},
			want:    want{branch: true}},
		{name: "other approvers", typ: "purchase", values: map[string]string{"amount": "20000"},
			replace: []string{"approvers: [group:finance]", "approvers: [group:security]"},
			want:    want{approvers: true}},
		{name: "all of several approvers instead of any", typ: "purchase", values: map[string]string{"amount": "20000"},
			replace: []string{"approvers: [group:finance]", "approvers: [group:finance]\n            mode: all"},
			want:    want{approvers: true}},
		{name: "all of one approver is the same", typ: "purchase", values: map[string]string{"amount": "2000"},
			replace: []string{"approvers: [manager]\n  - name: travel", "approvers: [manager]\n            mode: all\n  - name: travel"}},
		{name: "auto-approved by a wider branch", typ: "purchase", values: map[string]string{"amount": "800"},
			replace: []string{"when: amount <= 500", "when: amount <= 1000"},
			want:    want{branch: true, becomesAuto: true}},
		{name: "no longer auto-approved", typ: "purchase", values: map[string]string{"amount": "300"},
			replace: []string{"when: amount <= 500", "when: amount <= 100"},
			want:    want{branch: true, stopsAuto: true}},
		{name: "auto-approved inside the requester's grant", typ: "purchase", values: map[string]string{"amount": "2000"},
			grants: []baton.Grant{{Number: 3, UserID: "UBEA", RequestType: "purchase", Condition: "amount <= 5000"}},
			want:   want{becomesAuto: true}},
		{name: "type gone", typ: "travel", values: map[string]string{"region": "Lisbon"},
			replace: []string{"name: travel\n    title: Travel", "name: trip\n    title: Trip"},
			want:    want{reason: "the type travel is no longer in the file", detail: `There is no request type "travel". Pick one of: purchase, trip.`}},
		{name: "a value the field no longer takes", typ: "purchase", values: map[string]string{"amount": "20000", "tier": "enterprise"},
			replace: []string{"options: [standard, enterprise]", "options: [standard, strategic]"},
			want: want{reason: "the field tier of purchase no longer takes the value they were filed with",
				detail: `"enterprise" isn't an option for Tier: pick one of standard, strategic.`}},
		{name: "a field now required", typ: "purchase", values: map[string]string{"amount": "2000"},
			replace: []string{"name: note\n        type: text", "name: note\n        type: text\n        required: true"},
			want: want{reason: "the field note of purchase is now required and they have no value for it",
				detail: `Note is required, for example note="…".`}},
		{name: "a field gone is left out", typ: "purchase", values: map[string]string{"amount": "2000", "note": "for the lab"},
			replace: []string{"      - name: note\n        type: text\n", ""}},
		{name: "no one left to approve", typ: "purchase", values: map[string]string{"amount": "2000"},
			usable: func(id string) bool { return id != "UMGR" && id != "UCFO" },
			want: want{reason: "No one can approve step 1 Manager of this request: its approvers and the fallback can't approve. Ask an admin to update the approvers in the policy.",
				detail: "No one can approve step 1 Manager of this request: its approvers and the fallback can't approve. Ask an admin to update the approvers in the policy."}},
		{name: "people an escalation added are not a change", typ: "purchase", values: map[string]string{"amount": "20000"},
			filed: func(r *baton.FiledRequest) {
				r.Steps[0].Approvers = append(r.Steps[0].Approvers, "UCFO")
				r.Steps[0].EscalatedTo = []string{"UCFO"}
			}},
		{name: "an approver who can't approve now is replaced by the fallback", typ: "purchase", values: map[string]string{"amount": "2000"},
			usable: func(id string) bool { return id != "UMGR" },
			want:   want{approvers: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := loadSim(t, tc.replace...)
			f := fileUnder(t, old, 1, tc.typ, tc.values)
			if tc.filed != nil {
				tc.filed(&f)
			}
			grants := map[string][]baton.Grant{}
			for _, g := range tc.grants {
				cg, err := p.CompileGrant(g)
				if err != nil {
					t.Fatal(err)
				}
				grants[g.UserID] = append(grants[g.UserID], cg)
			}
			usable := tc.usable
			if usable == nil {
				usable = everyone
			}
			sim := baton.SimulatePolicy(p, []baton.FiledRequest{f}, p.Directory(), grants, usable)
			if len(sim.Requests) != 1 {
				t.Fatalf("%d requests simulated, want 1", len(sim.Requests))
			}
			s := sim.Requests[0]
			got := want{branch: s.BranchChanged, approvers: s.ApproversChanged, becomesAuto: s.BecomesAuto, stopsAuto: s.StopsAuto}
			if s.Problem != nil {
				got.reason, got.detail = s.Problem.Reason, s.Problem.Detail
			}
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if s.Changed() != (tc.want != want{}) {
				t.Errorf("Changed() = %v", s.Changed())
			}
			if s.Problem == nil && s.Route.PolicyVersion != p.Version {
				t.Errorf("routed by version %q, want the simulated file's", s.Route.PolicyVersion)
			}
		})
	}
}

func TestSimulatePolicyCountsChangesAndReasons(t *testing.T) {
	old := loadSim(t)
	filed := []baton.FiledRequest{
		fileUnder(t, old, 1, "purchase", map[string]string{"amount": "800"}),                         // becomes auto, branch
		fileUnder(t, old, 2, "purchase", map[string]string{"amount": "20000"}),                       // approvers
		fileUnder(t, old, 3, "purchase", map[string]string{"amount": "20000", "tier": "enterprise"}), // value
		fileUnder(t, old, 4, "travel", map[string]string{"region": "Lisbon"}),                        // type
		fileUnder(t, old, 5, "travel", map[string]string{"region": "Oslo"}),                          // type
		fileUnder(t, old, 6, "purchase", map[string]string{"amount": "100"}),                         // unchanged
		fileUnder(t, old, 7, "purchase", map[string]string{"amount": "2000"}),                        // unchanged
	}
	p := loadSim(t, "when: amount <= 500", "when: amount <= 1000", "approvers: [group:finance]", "approvers: [group:security]",
		"options: [standard, enterprise]", "options: [standard, strategic]", "name: travel\n    title: Travel", "name: trip\n    title: Trip")
	sim := baton.SimulatePolicy(p, filed, p.Directory(), nil, everyone)
	got := []int{sim.BranchChanged, sim.ApproversChanged, sim.BecomeAuto, sim.StopAuto, sim.Unroutable, sim.Unchanged}
	if want := []int{1, 1, 1, 0, 3, 2}; !slices.Equal(got, want) {
		t.Errorf("branch, approvers, become auto, stop auto, unroutable, unchanged = %v, want %v", got, want)
	}
	wantWhy := []baton.ReasonCount{
		{Reason: "the type travel is no longer in the file", Requests: 2},
		{Reason: "the field tier of purchase no longer takes the value they were filed with", Requests: 1},
	}
	if !slices.Equal(sim.Why, wantWhy) {
		t.Errorf("why = %+v, want %+v", sim.Why, wantWhy)
	}
	var numbers []int64
	for _, s := range sim.Requests {
		numbers = append(numbers, s.Filed.Number)
	}
	if !slices.Equal(numbers, []int64{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("requests in order %v, want as given", numbers)
	}
}
