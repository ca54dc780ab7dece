package baton_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

func TestParseGrant(t *testing.T) {
	p := examplePolicy(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	endOf := func(day string, loc *time.Location) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, day, loc)
		return d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	tests := []struct {
		text      string
		loc       *time.Location
		user      string
		typ       string
		condition string
		until     time.Time
		reason    string
	}{
		{text: "<@U01ENG0001|dana> purchase amount<=5000", user: eng1, typ: "purchase", condition: "amount <= 5000"},
		{text: "<@U01ENG0001> purchase amount <= $5,000 until 2026-12-31 Team budget for Q3", user: eng1, typ: "purchase",
			condition: "amount <= 5000", until: endOf("2026-12-31", time.UTC), reason: "Team budget for Q3"},
		{text: "<@U01ENG0001> purchase amount<=5000 client_tier in (standard, Premium) and risk != high", user: eng1, typ: "purchase",
			condition: `amount <= 5000 && client_tier in ["standard", "premium"] && risk != "high"`},
		{text: "<@U01ENG0001> purchase `amount <= 5000 || category == “software”` until 2026-07-01", user: eng1, typ: "purchase",
			condition: `amount <= 5000 || category == "software"`, until: endOf("2026-07-01", time.UTC)},
		{text: "<@U01ENG0001> purchase `amount < 100 || amount > 1000` category=Travel", user: eng1, typ: "purchase",
			condition: `(amount < 100 || amount > 1000) && category == "travel"`},
		{text: "<@U01ENG0001> purchase category not in (travel, services) && amount=<2000.50", user: eng1, typ: "purchase",
			condition: `!(category in ["travel", "services"]) && amount <= 2000.5`},
		{text: `<@U01ENG0001> purchase vendor="Acme Inc" Standing order`, user: eng1, typ: "purchase",
			condition: `vendor == "Acme Inc"`, reason: "Standing order"},
		{text: "<@U01ENG0001> Time-Off start>=2026-07-01 days<5 until 2026-12-31", loc: berlin, user: eng1, typ: "time_off",
			condition: `start >= timestamp("2026-07-01T00:00:00Z") && days < 5`, until: endOf("2026-12-31", berlin)},
		{text: "<@U01ENG0001> contract `true` NDAs are fine", user: eng1, typ: "contract", condition: "true", reason: "NDAs are fine"},
		{text: "&lt;@U01ENG0001&gt; contract owner = <@U01CTO0001>", user: eng1, typ: "contract", condition: `owner == "U01CTO0001"`},
	}
	for _, tc := range tests {
		loc := tc.loc
		if loc == nil {
			loc = time.UTC
		}
		g, err := baton.ParseGrant(tc.text, p, loc, routeNow)
		if err != nil {
			t.Errorf("ParseGrant(%q): %v", tc.text, err)
			continue
		}
		if g.UserID != tc.user || g.RequestType != tc.typ || g.Condition != tc.condition || !g.Until.Equal(tc.until) || g.Reason != tc.reason {
			t.Errorf("ParseGrant(%q) =\n  %q %q %q %v %q\nwant %q %q %q %v %q", tc.text,
				g.UserID, g.RequestType, g.Condition, g.Until, g.Reason, tc.user, tc.typ, tc.condition, tc.until, tc.reason)
		}
	}
}

func TestParseGrantErrors(t *testing.T) {
	p := examplePolicy(t)
	const usage = "For example: `/baton authority grant @dana purchase amount<=5000 client_tier in (standard, premium) until 2026-12-31 Team budget`."
	tests := []struct{ text, want string }{
		{"", "Say who gets the authority and for what. " + usage},
		{"dana purchase amount<=5", `"dana" isn't a person: start with a mention. ` + usage},
		{"@dana purchase amount<=5", "I can't tell who @dana is: pick them from the @ menu so Slack links their name."},
		{"<@U1>", "Say which kind of request the authority covers: purchase, discount, contract, time_off. " + usage},
		{"<@U1> lunch amount<5", `There is no request type "lunch". Pick one of: purchase, discount, contract, time_off.`},
		{"<@U1> purchase", "Say which purchase requests the authority covers, such as `amount<=5000`; to cover them all, write `true`. " + usage},
		{"<@U1> purchase until 2026-12-31 Budget", "Say which purchase requests the authority covers, such as `amount<=5000`; to cover them all, write `true`. " + usage},
		{"<@U1> purchase amout<=5000", `Purchase has no field "amout". Its fields are amount, vendor, category, client_tier, risk, needed_by, justification.`},
		{"<@U1> purchase amount<=lots", `"lots" isn't a number for Amount: write it like 12000, 12,000 or 12000.50 (in USD).`},
		{"<@U1> purchase client_tier in (gold)", `"gold" isn't an option for Client tier: pick one of none, standard, premium, enterprise.`},
		{"<@U1> purchase client_tier in ()", "List the values in the brackets, for example `client_tier in (none)`."},
		{"<@U1> purchase client_tier<enterprise", "client_tier can only be compared with = or !=, or listed as `client_tier in (a, b)`."},
		{"<@U1> purchase `amout < 5`", "That condition doesn't fit purchase requests: undeclared reference to 'amout' (did you mean 'amount'?). " + usage},
		{"<@U1> purchase `amount + 1`", "That condition doesn't fit purchase requests: the condition must be true or false, but `amount + 1` gives a number. " + usage},
		{"<@U1> purchase `amount < 5", "Put raw CEL between two backticks, for example `amount <= 5000 && risk != \"high\"`."},
		{"<@U1> purchase amount<5 until 2026-05-31", "2026-05-31 has passed; pick a day from today on."},
		{"<@U1> purchase amount<5 until 31/12", `"31/12" isn't a day: write until as YYYY-MM-DD, for example ` + "`until 2026-12-31`."},
		{"<@U1> purchase amount<5 " + strings.Repeat("x", 301), "The reason is 301 characters long; keep it to 300."},
	}
	for _, tc := range tests {
		_, err := baton.ParseGrant(tc.text, p, time.UTC, routeNow)
		if baton.ErrorCode(err) != baton.EInvalid || baton.ErrorMessage(err) != tc.want {
			t.Errorf("ParseGrant(%q) = %v\nwant %s", tc.text, err, tc.want)
		}
	}
}

func TestGrantActive(t *testing.T) {
	g := baton.Grant{Until: time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC)}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), true},
		{g.Until, true},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := g.Active(tc.now); got != tc.want {
			t.Errorf("Active(%v) = %v", tc.now, got)
		}
	}
	if !(baton.Grant{}).Active(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a grant without an end should hold forever")
	}
}

func TestRouteWithGrants(t *testing.T) {
	p := examplePolicy(t)
	grant, err := baton.ParseGrant("<@U01ENG0001> purchase amount<=5000 client_tier in (none, standard) until 2026-12-31 Team budget", p, time.UTC, routeNow)
	if err != nil {
		t.Fatal(err)
	}
	stored := baton.Grant{UserID: eng1, RequestType: "purchase", Condition: "amount <= 5000"}
	stale := baton.Grant{UserID: eng1, RequestType: "purchase", Condition: "budget < 5"}
	others := []baton.Grant{
		{UserID: cto, RequestType: "purchase", Condition: "true"},
		{UserID: eng1, RequestType: "discount", Condition: "true"},
	}
	tests := []struct {
		name      string
		values    baton.Values
		grants    []baton.Grant
		now       time.Time
		auto      bool
		condition string // of the grant that approved, when one did
		notes     []string
	}{
		{name: "inside the grant", values: baton.Values{"amount": 3000.0, "client_tier": "standard"}, grants: []baton.Grant{grant}, auto: true, condition: grant.Condition},
		{name: "over the amount", values: baton.Values{"amount": 6000.0, "client_tier": "standard"}, grants: []baton.Grant{grant},
			notes: []string{`The request is outside <@U01ENG0001>'s authority for purchase where amount <= 5000 && client_tier in ["none", "standard"], until 2026-12-31.`}},
		{name: "another tier", values: baton.Values{"amount": 3000.0, "client_tier": "enterprise"}, grants: []baton.Grant{grant},
			notes: []string{`The request is outside <@U01ENG0001>'s authority for purchase where amount <= 5000 && client_tier in ["none", "standard"], until 2026-12-31.`}},
		{name: "expired", values: baton.Values{"amount": 3000.0, "client_tier": "standard"}, grants: []baton.Grant{grant}, now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
			notes: []string{`<@U01ENG0001>'s authority for purchase where amount <= 5000 && client_tier in ["none", "standard"] ended on 2026-12-31.`}},
		{name: "someone else's grant, another type's grant", values: baton.Values{"amount": 3000.0}, grants: others},
		{name: "a grant read back from storage", values: baton.Values{"amount": 3000.0}, grants: []baton.Grant{stored}, auto: true, condition: "amount <= 5000"},
		{name: "a grant the policy outgrew", values: baton.Values{"amount": 3000.0}, grants: []baton.Grant{stale},
			notes: []string{"<@U01ENG0001>'s authority for purchase where budget < 5 no longer fits the form (undeclared reference to 'budget'; conditions can use amount, vendor, category, client_tier, risk, needed_by, justification, requester.id, requester.groups, requester.manager, now), so it was not used."}},
		{name: "the second grant applies", values: baton.Values{"amount": 3000.0}, grants: []baton.Grant{stale, stored}, auto: true, condition: "amount <= 5000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = routeNow
			}
			r, err := p.Route("purchase", tc.values, eng1, baton.Directory{}, tc.grants, now)
			if err != nil {
				t.Fatal(err)
			}
			if r.AutoApproved != tc.auto || (r.Grant != nil) != tc.auto {
				t.Fatalf("auto %v grant %+v: %s", r.AutoApproved, r.Grant, r.Explanation)
			}
			if tc.auto && (r.Grant.Condition != tc.condition || r.Grant.UserID != eng1 || len(r.Steps) != 0) {
				t.Errorf("grant %+v steps %v", r.Grant, r.Steps)
			}
			if !tc.auto && len(r.Steps) == 0 {
				t.Errorf("routed nowhere: %s", r.Explanation)
			}
			if strings.Join(r.Notes, "|") != strings.Join(tc.notes, "|") {
				t.Errorf("notes:\n got %q\nwant %q", r.Notes, tc.notes)
			}
		})
	}

	r, err := p.Route("purchase", baton.Values{"amount": 3000.0, "client_tier": "none"}, eng1, baton.Directory{}, []baton.Grant{grant}, routeNow)
	if err != nil {
		t.Fatal(err)
	}
	want := `Inside <@U01ENG0001>'s authority for purchase where amount <= 5000 && client_tier in ["none", "standard"], until 2026-12-31, with amount 3,000 USD and client tier none → auto-approved.`
	if r.Explanation != want || r.Branch != 6 {
		t.Errorf("explanation:\n got %s\nwant %s", r.Explanation, want)
	}

	r, err = p.Route("purchase", baton.Values{"amount": 100.0}, eng1, baton.Directory{}, []baton.Grant{grant}, routeNow)
	if err != nil || !r.AutoApproved || r.Grant != nil || r.Branch != 1 {
		t.Errorf("an auto-approving branch decides before grants: %+v %v", r, err)
	}
}

func TestCompileGrant(t *testing.T) {
	p := examplePolicy(t)
	if _, err := p.CompileGrant(baton.Grant{UserID: eng1, RequestType: "lunch", Condition: "true"}); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("unknown type: %v", err)
	}
	g, err := p.CompileGrant(baton.Grant{UserID: eng1, RequestType: "Time-Off", Condition: "days <= 2"})
	if err != nil || g.RequestType != "time_off" {
		t.Errorf("g = %+v, %v", g, err)
	}
}

func FuzzParseGrant(f *testing.F) {
	data := []string{
		"<@U01ENG0001|dana> purchase amount<=5000",
		"<@U01ENG0001> purchase amount <= $5,000 client_tier in (standard, premium) until 2026-12-31 Team budget",
		"<@U1> purchase `amount < 100 || amount > 1000` category=Travel",
		"<@U1> time_off start>=2026-07-01 days<5",
		"<@U1> contract owner = <@U2> and value > 1e3",
		"<@U1> purchase `",
		"<@U1> purchase category not in (",
		"@dana purchase amount<5",
	}
	for _, s := range data {
		f.Add(s)
	}
	p := examplePolicy(f)
	f.Fuzz(func(t *testing.T, text string) {
		g, err := baton.ParseGrant(text, p, time.UTC, routeNow)
		if err != nil {
			if baton.ErrorMessage(err) == "" {
				t.Fatalf("ParseGrant(%q): an error without a message for people: %v", text, err)
			}
			return
		}
		if g.UserID == "" || g.Condition == "" {
			t.Fatalf("ParseGrant(%q) = %+v", text, g)
		}
		if _, err := p.Route(g.RequestType, nil, g.UserID, baton.Directory{}, []baton.Grant{g}, routeNow); err != nil && baton.ErrorMessage(err) == "" {
			t.Fatalf("routing with %+v: %v", g, err)
		}
	})
}
