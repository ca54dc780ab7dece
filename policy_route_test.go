package baton_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

// People of the example policy.
const (
	eng1  = "U01ENG0001"
	cto   = "U01CTO0001"
	cfo   = "U01CFO0001"
	ceo   = "U01CEO0001"
	cro   = "U01CRO0001"
	fin1  = "U01FIN0001"
	fin2  = "U01FIN0002"
	sec1  = "U01SEC0001"
	sec2  = "U01SEC0002"
	leg1  = "U01LEG0001"
	leg2  = "U01LEG0002"
	hr1   = "U01HR00001"
	sal1  = "U01SAL0001"
	sal2  = "U01SAL0002"
	sal3  = "U01SAL0003"
	nobos = "U09NOBOSS1"
)

var routeNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestRouteExamplePolicy(t *testing.T) {
	p := examplePolicy(t)
	h := time.Hour
	tests := []struct {
		name        string
		typ         string
		values      baton.Values
		requester   string
		dir         baton.Directory
		branch      int
		auto        bool
		steps       []baton.Step
		explanation string // checked when set
	}{
		{name: "purchase: small", typ: "purchase", values: baton.Values{"amount": 300.0}, requester: eng1, branch: 1, auto: true,
			explanation: `Branch 1 "Small purchase" matched: amount <= 500 && risk != "high", with amount 300 USD and risk not given → auto-approved.`},
		{name: "purchase: leadership's own budget", typ: "purchase", values: baton.Values{"amount": 3000.0}, requester: cto, branch: 2, auto: true,
			explanation: `Branch 2 "Leadership budget" matched: "leadership" in requester.groups && amount <= 5000 && risk != "high", with amount 3,000 USD, risk not given and requester's groups leadership → auto-approved.`},
		{name: "purchase: large enterprise", typ: "purchase", values: baton.Values{"amount": 12000.0, "client_tier": "enterprise"}, requester: eng1, branch: 3,
			steps: []baton.Step{
				{Name: "Finance", Approvers: []string{fin1, fin2}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{cfo}},
				{Name: "CFO", Approvers: []string{cfo}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			},
			explanation: `Branch 3 "Large enterprise purchase" matched: amount > 10000 && client_tier == "enterprise", with amount 12,000 USD and client tier enterprise → step 1 Finance (any of <@U01FIN0001>, <@U01FIN0002>), step 2 CFO (<@U01CFO0001>).`},
		{name: "purchase: high risk, security must all approve", typ: "purchase", values: baton.Values{"amount": 100.0, "risk": "high"}, requester: eng1, branch: 4,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
				{Name: "Security", Approvers: []string{sec1, sec2}, Mode: baton.ModeAll, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			},
			explanation: `Branch 4 "High risk" matched: risk == "high", with risk high → step 1 Manager (<@U01CTO0001>), step 2 Security (all of <@U01SEC0001>, <@U01SEC0002>).`},
		{name: "purchase: large, not enterprise", typ: "purchase", values: baton.Values{"amount": 20000.0, "client_tier": "standard"}, requester: eng1, branch: 5,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
				{Name: "Finance", Approvers: []string{fin1, fin2}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			}},
		{name: "purchase: default", typ: "purchase", values: baton.Values{"amount": 2000.0}, requester: eng1, branch: 6,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			},
			explanation: `No earlier branch matched, so the default branch 6 "Everything else" applies → step 1 Manager (<@U01CTO0001>).`},
		{name: "purchase: manager from Slack overrides the file", typ: "purchase", values: baton.Values{"amount": 2000.0}, requester: eng1, branch: 6,
			dir: baton.Directory{Managers: map[string]string{eng1: "U02NEWBOSS"}},
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{"U02NEWBOSS"}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			}},
		{name: "purchase: group from Slack, expanded and deduplicated", typ: "purchase", values: baton.Values{"amount": 12000.0, "client_tier": "enterprise"}, requester: eng1, branch: 3,
			dir: baton.Directory{Groups: map[string][]string{"Finance": {"U02FIN0009", fin2, "U02FIN0009", fin2}}},
			steps: []baton.Step{
				{Name: "Finance", Approvers: []string{"U02FIN0009", fin2}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{cfo}},
				{Name: "CFO", Approvers: []string{cfo}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			}},
		{name: "purchase: requester left out of their own step", typ: "purchase", values: baton.Values{"amount": 12000.0, "client_tier": "enterprise"}, requester: fin1, branch: 3,
			steps: []baton.Step{
				{Name: "Finance", Approvers: []string{fin2}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{cfo}},
				{Name: "CFO", Approvers: []string{cfo}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			},
			explanation: `Branch 3 "Large enterprise purchase" matched: amount > 10000 && client_tier == "enterprise", with amount 12,000 USD and client tier enterprise → step 1 Finance (<@U01FIN0002>), step 2 CFO (<@U01CFO0001>). <@U01FIN0001> can't approve their own request, so they're left out of step 1 Finance.`},
		{name: "purchase: no manager, so the fallback", typ: "purchase", values: baton.Values{"amount": 2000.0}, requester: nobos, branch: 6,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cfo}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			},
			explanation: `No earlier branch matched, so the default branch 6 "Everything else" applies → step 1 Manager (<@U01CFO0001>). <@U09NOBOSS1> has no manager on record. Step 1 Manager had no one left to approve, so it goes to the fallback <@U01CFO0001>.`},
		{name: "purchase: an empty group, so the fallback", typ: "purchase", values: baton.Values{"amount": 100.0, "risk": "high"}, requester: eng1, branch: 4,
			dir: baton.Directory{Groups: map[string][]string{"security": {}}},
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
				{Name: "Security", Approvers: []string{cfo}, Mode: baton.ModeAll, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{cfo}},
			},
			explanation: `Branch 4 "High risk" matched: risk == "high", with risk high → step 1 Manager (<@U01CTO0001>), step 2 Security (<@U01CFO0001>). group:security has no members. Step 2 Security had no one left to approve, so it goes to the fallback <@U01CFO0001>.`},
		{name: "discount: standard", typ: "discount", values: baton.Values{"percent": 5.0, "deal_size": 1000.0}, requester: sal3, branch: 1, auto: true},
		{name: "discount: deal desk, all of two", typ: "discount", values: baton.Values{"percent": 35.0, "deal_size": 10000.0, "client_tier": "standard"}, requester: sal3, branch: 2,
			steps: []baton.Step{
				{Name: "Sales leadership", Approvers: []string{sal1, sal2}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{sal1, sal2}},
				{Name: "Deal desk", Approvers: []string{cro, cfo}, Mode: baton.ModeAll, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{ceo}},
			},
			explanation: `Branch 2 "Deal desk" matched: percent > 30 || (deal_size >= 250000 && client_tier == "enterprise"), with discount 35%, deal size 10,000 USD and client tier standard → step 1 Sales leadership (any of <@U01SAL0001>, <@U01SAL0002>), step 2 Deal desk (all of <@U01CRO0001>, <@U01CFO0001>).`},
		{name: "discount: a sales lead's own deal", typ: "discount", values: baton.Values{"percent": 25.0, "deal_size": 1000.0}, requester: sal1, branch: 3,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cro}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{sal2}},
			}},
		{name: "discount: default, the requester's lead in two steps", typ: "discount", values: baton.Values{"percent": 25.0, "deal_size": 1000.0}, requester: sal3, branch: 4,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{sal1}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{sal1, sal2}},
				{Name: "Sales leadership", Approvers: []string{sal1, sal2}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{sal1, sal2}},
			}},
		{name: "contract: standard NDA", typ: "contract", values: baton.Values{"contract_type": "nda", "custom_terms": "no"}, requester: eng1, branch: 1, auto: true},
		{name: "contract: large commitment", typ: "contract", values: baton.Values{"contract_type": "msa", "custom_terms": "no", "value": 150000.0}, requester: eng1, branch: 2,
			steps: []baton.Step{
				{Name: "Legal", Approvers: []string{leg1, leg2}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{leg1, leg2}},
				{Name: "Finance", Approvers: []string{fin1, fin2}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{leg1, leg2}},
				{Name: "Executives", Approvers: []string{cfo, ceo}, Mode: baton.ModeAll, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{leg1, leg2}},
			}},
		{name: "contract: custom terms", typ: "contract", values: baton.Values{"contract_type": "nda", "custom_terms": "yes"}, requester: eng1, branch: 3,
			steps: []baton.Step{
				{Name: "Legal", Approvers: []string{leg1, leg2}, Mode: baton.ModeAll, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{leg1, leg2}},
			}},
		{name: "contract: default without a when", typ: "contract", values: baton.Values{"contract_type": "msa", "custom_terms": "no"}, requester: leg1, branch: 4,
			steps: []baton.Step{
				{Name: "Legal", Approvers: []string{leg2}, Mode: baton.ModeAny, RemindAfter: 24 * h, EscalateAfter: 72 * h, EscalateTo: []string{leg2}},
			},
			explanation: `No earlier branch matched, so the default branch 4 "Everything else" applies → step 1 Legal (<@U01LEG0002>). <@U01LEG0001> can't approve their own request, so they're left out of step 1 Legal.`},
		{name: "time off: short sick leave", typ: "time_off", values: baton.Values{"kind": "sick", "days": 1.0}, requester: eng1, branch: 1, auto: true},
		{name: "time off: long", typ: "time_off", values: baton.Values{"kind": "vacation", "days": 12.0, "start": date("2026-09-01")}, requester: eng1, branch: 2,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 24 * h},
				{Name: "People ops", Approvers: []string{hr1}, Mode: baton.ModeAny, RemindAfter: 24 * h},
			}},
		{name: "time off: short notice escalates to people ops", typ: "time_off", values: baton.Values{"kind": "vacation", "days": 5.0, "start": date("2026-06-05")}, requester: eng1, branch: 3,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 4 * h, EscalateAfter: 24 * h, EscalateTo: []string{hr1}},
			},
			explanation: `Branch 3 "Short notice" matched: days > 3 && start - now < duration("336h"), with working days 5 days and first day 2026-06-05 → step 1 Manager (<@U01CTO0001>).`},
		{name: "time off: planned ahead", typ: "time_off", values: baton.Values{"kind": "vacation", "days": 5.0, "start": date("2026-09-01")}, requester: eng1, branch: 4,
			steps: []baton.Step{
				{Name: "Manager", Approvers: []string{cto}, Mode: baton.ModeAny, RemindAfter: 24 * h},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := p.Route(tc.typ, tc.values, tc.requester, tc.dir, nil, routeNow)
			if err != nil {
				t.Fatal(err)
			}
			if r.Branch != tc.branch || r.AutoApproved != tc.auto || r.Grant != nil {
				t.Errorf("branch %d auto %v grant %v, want branch %d auto %v: %s", r.Branch, r.AutoApproved, r.Grant, tc.branch, tc.auto, r.Explanation)
			}
			if !reflect.DeepEqual(r.Steps, tc.steps) {
				t.Errorf("steps:\n got %+v\nwant %+v", r.Steps, tc.steps)
			}
			if tc.explanation != "" && r.Explanation != tc.explanation {
				t.Errorf("explanation:\n got %s\nwant %s", r.Explanation, tc.explanation)
			}
			if r.Type != tc.typ || r.PolicyVersion != p.Version {
				t.Errorf("type %q version %q", r.Type, r.PolicyVersion)
			}
		})
	}
}

func TestRouteUnknownType(t *testing.T) {
	_, err := examplePolicy(t).Route("purhase", nil, eng1, baton.Directory{}, nil, routeNow)
	if want := `There is no request type "purhase". Pick one of: purchase, discount, contract, time_off.`; baton.ErrorMessage(err) != want {
		t.Errorf("err = %v", err)
	}
}

func TestRouteSelfApproval(t *testing.T) {
	yaml := `managers: {UREQ: UBOSS}
types:
  - name: expense
    allow_self_approval: %s
    fallback: UOPS
    branches:
      - steps: [{approvers: [UREQ, manager, UREQ]}]
`
	allowed, err := baton.LoadPolicy([]byte(strings.Replace(yaml, "%s", "true", 1)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := allowed.Route("expense", nil, "UREQ", baton.Directory{}, nil, routeNow)
	if err != nil || !slices.Equal(r.Steps[0].Approvers, []string{"UREQ", "UBOSS"}) || len(r.Notes) != 0 {
		t.Errorf("allowed: %v %+v", err, r)
	}
	refused, err := baton.LoadPolicy([]byte(strings.Replace(yaml, "%s", "false", 1)))
	if err != nil {
		t.Fatal(err)
	}
	r, err = refused.Route("expense", nil, "UREQ", baton.Directory{}, nil, routeNow)
	if err != nil || !slices.Equal(r.Steps[0].Approvers, []string{"UBOSS"}) {
		t.Errorf("refused: %v %+v", err, r)
	}
}

func TestRouteWhenNoOneIsLeft(t *testing.T) {
	p, err := baton.LoadPolicy([]byte(`types:
  - name: expense
    fallback: UOPS
    branches:
      - steps: [{name: Manager, approvers: [manager]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Route("expense", nil, "UOPS", baton.Directory{}, nil, routeNow)
	if want := "No one can approve step 1 Manager of this Expense request: it has no approvers left and neither has the fallback. Ask an admin to set another fallback approver in the policy."; baton.ErrorMessage(err) != want {
		t.Errorf("err = %v", err)
	}
}

func enterpriseRoute(t *testing.T) baton.Route {
	t.Helper()
	r, err := examplePolicy(t).Route("purchase", baton.Values{"amount": 12000.0, "client_tier": "enterprise"}, eng1, baton.Directory{}, nil, routeNow)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestKeepUsable(t *testing.T) {
	not := func(ids ...string) func(string) bool {
		return func(id string) bool { return !slices.Contains(ids, id) }
	}
	t.Run("one approver left the workspace", func(t *testing.T) {
		r := enterpriseRoute(t)
		got, err := r.KeepUsable(not(fin1))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Steps[0].Approvers, []string{fin2}) || !slices.Equal(r.Steps[0].Approvers, []string{fin1, fin2}) {
			t.Errorf("got %v, original %v", got.Steps[0].Approvers, r.Steps[0].Approvers)
		}
		want := `Branch 3 "Large enterprise purchase" matched: amount > 10000 && client_tier == "enterprise", with amount 12,000 USD and client tier enterprise → step 1 Finance (<@U01FIN0002>), step 2 CFO (<@U01CFO0001>). <@U01FIN0001> can't approve, so is left out of step 1 Finance.`
		if got.Explanation != want {
			t.Errorf("explanation:\n got %s\nwant %s", got.Explanation, want)
		}
	})
	t.Run("a step empties and falls back", func(t *testing.T) {
		got, err := enterpriseRoute(t).KeepUsable(not(fin1, fin2))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Steps[0].Approvers, []string{cfo}) {
			t.Errorf("step 1 = %v", got.Steps[0].Approvers)
		}
		if want := []string{
			"<@U01FIN0001>, <@U01FIN0002> can't approve, so are left out of step 1 Finance.",
			"Step 1 Finance had no one left to approve, so it goes to the fallback <@U01CFO0001>.",
		}; !slices.Equal(got.Notes, want) {
			t.Errorf("notes = %q", got.Notes)
		}
	})
	t.Run("escalation falls back too", func(t *testing.T) {
		p := examplePolicy(t)
		r, err := p.Route("time_off", baton.Values{"kind": "vacation", "days": 5.0, "start": date("2026-06-05")}, eng1, baton.Directory{
			Groups: map[string][]string{"people_ops": {hr1, "U02HR00002"}},
		}, nil, routeNow)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.KeepUsable(not(hr1))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Steps[0].EscalateTo, []string{"U02HR00002"}) || !slices.Equal(got.Fallback, []string{"U02HR00002"}) {
			t.Errorf("escalate to %v, fallback %v", got.Steps[0].EscalateTo, got.Fallback)
		}
	})
	t.Run("nobody left at all", func(t *testing.T) {
		_, err := enterpriseRoute(t).KeepUsable(not(fin1, fin2, cfo))
		if want := "No one can approve step 1 Finance of this request: its approvers and the fallback can't approve. Ask an admin to update the approvers in the policy."; baton.ErrorMessage(err) != want {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("auto-approved routes are left alone", func(t *testing.T) {
		r, err := examplePolicy(t).Route("purchase", baton.Values{"amount": 10.0}, eng1, baton.Directory{}, nil, routeNow)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.KeepUsable(not())
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("got %+v, %v", got, err)
		}
	})
}

func TestDryRun(t *testing.T) {
	p := examplePolicy(t)
	d, err := p.DryRun("purchase amount=$12,000 client_tier=Enterprise", eng1, baton.Directory{}, nil, routeNow)
	if err != nil {
		t.Fatal(err)
	}
	want := "*Purchase*\n" +
		"1. Small purchase `amount <= 500 && risk != \"high\"`: no (amount 12,000 USD and risk not given)\n" +
		"2. Leadership budget `\"leadership\" in requester.groups && amount <= 5000 && risk != \"high\"`: no (amount 12,000 USD, risk not given and requester's groups none)\n" +
		"3. Large enterprise purchase `amount > 10000 && client_tier == \"enterprise\"`: yes (amount 12,000 USD and client tier enterprise)\n" +
		"Branch 3 \"Large enterprise purchase\" matched: amount > 10000 && client_tier == \"enterprise\", with amount 12,000 USD and client tier enterprise → step 1 Finance (any of <@U01FIN0001>, <@U01FIN0002>), step 2 CFO (<@U01CFO0001>).\n" +
		"Not given, so read as empty: vendor, category."
	if got := d.String(); got != want {
		t.Errorf("dry run:\n got %s\nwant %s", got, want)
	}

	for text, want := range map[string]string{
		"":                             "Say which request to try, for example `/request why purchase amount=12000`. The types are purchase, discount, contract, time_off.",
		"lunch amount=3":               `There is no request type "lunch". Pick one of: purchase, discount, contract, time_off.`,
		"purchase amount=lots tier=x":  `"lots" isn't a number for Amount: write it like 12000, 12,000 or 12000.50 (in USD). Purchase has no field "tier". Its fields are amount, vendor, category, client_tier, risk, needed_by, justification.`,
		"time_off kind=sick days=1 x=": `Time off has no field "x". Its fields are kind, start, end, days, covering, note.`,
	} {
		if _, err := p.DryRun(text, eng1, baton.Directory{}, nil, routeNow); baton.ErrorMessage(err) != want {
			t.Errorf("DryRun(%q) = %v\nwant %s", text, err, want)
		}
	}
}

func BenchmarkRoute(b *testing.B) {
	p := examplePolicy(b)
	values := baton.Values{"amount": 12000.0, "client_tier": "enterprise", "vendor": "Dell", "category": "hardware"}
	dir := baton.Directory{Groups: map[string][]string{"finance": {fin1, fin2, "U02FIN0009"}}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Route("purchase", values, eng1, dir, nil, routeNow)
		if err != nil || r.Branch != 3 {
			b.Fatal(r.Branch, err)
		}
	}
}
