package baton_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

// conditionPolicy is a one-type policy whose first branch auto-approves when cond holds.
func conditionPolicy(t *testing.T, cond string) *baton.Policy {
	t.Helper()
	yaml := `groups: {finance: [UFIN1]}
managers: {UREQ: UBOSS}
types:
  - name: thing
    fallback: UOPS
    fields:
      - {name: amount, type: number}
      - {name: tier, type: select, options: [standard, enterprise]}
      - {name: vendor, type: text}
      - {name: start, type: date}
      - {name: owner, type: user}
    branches:
      - when: '` + strings.ReplaceAll(cond, "'", "''") + `'
        auto_approve: true
      - steps: [{approvers: [UOPS]}]
`
	p, err := baton.LoadPolicy([]byte(yaml))
	if err != nil {
		t.Fatalf("LoadPolicy(%s): %v", cond, err)
	}
	return p
}

func TestConditions(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		cond   string
		values baton.Values
		want   bool
	}{
		{"amount > 10000", baton.Values{"amount": 12000.0}, true},
		{"amount > 10000", baton.Values{"amount": 10000.0}, false},
		{"amount == 100", baton.Values{"amount": 100.0}, true},
		{"100 == amount", baton.Values{"amount": 100.5}, false},
		{"amount * 2 == 300 && amount - 1 >= 149", baton.Values{"amount": 150.0}, true},
		{"amount in [100, 200]", baton.Values{"amount": 200.0}, true},
		{"-amount < -5", baton.Values{"amount": 6.0}, true},
		{"amount == 0 && tier == \"\" && vendor == \"\"", baton.Values{}, true},
		{"tier == \"enterprise\" && vendor.startsWith(\"Acme\")", baton.Values{"tier": "enterprise", "vendor": "Acme Inc"}, true},
		{"tier in [\"standard\"]", baton.Values{"tier": "enterprise"}, false},
		{"requester.id == \"UREQ\" && requester.manager == \"UBOSS\"", nil, true},
		{"\"finance\" in requester.groups", nil, false},
		{"size(requester.groups) == 0", nil, true},
		{"owner == requester.manager", baton.Values{"owner": "UBOSS"}, true},
		{"start - now < duration(\"336h\")", baton.Values{"start": day("2026-06-10")}, true},
		{"start - now < duration(\"336h\")", baton.Values{"start": day("2026-07-10")}, false},
		{"start > timestamp(\"2026-01-01T00:00:00Z\")", baton.Values{}, false},
		{"amount > 1.5", baton.Values{"amount": 2}, true},
	}
	for _, tc := range tests {
		p := conditionPolicy(t, tc.cond)
		r, err := p.Route("thing", tc.values, "UREQ", baton.Directory{}, nil, now)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		if r.AutoApproved != tc.want {
			t.Errorf("%s with %v: matched = %v, want %v (%s)", tc.cond, tc.values, r.AutoApproved, tc.want, r.Explanation)
		}
	}
}

func TestConditionFailingAtRunTime(t *testing.T) {
	p := conditionPolicy(t, "int(amount) / int(amount) == 1")
	_, err := p.Route("thing", baton.Values{}, "UREQ", baton.Directory{}, nil, time.Now())
	if baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(baton.ErrorMessage(err), "branch 1's condition failed on this request (division by zero)") {
		t.Errorf("err = %v", err)
	}
}

func TestConditionWithValuesOfTheWrongGoType(t *testing.T) {
	p := conditionPolicy(t, "amount > 1")
	if _, err := p.Route("thing", baton.Values{"amount": "12"}, "UREQ", baton.Directory{}, nil, time.Now()); err == nil || baton.ErrorCode(err) != baton.EInternal {
		t.Errorf("err = %v, want an internal error", err)
	}
}

func TestConditionLengthIsBounded(t *testing.T) {
	long := "amount > 1" + strings.Repeat(" && amount > 1", 100)
	yaml := "types:\n  - {name: t, fallback: U1, fields: [{name: amount, type: number}], branches: [{when: '" + long + "', auto_approve: true}, {auto_approve: true}]}\n"
	_, err := baton.LoadPolicy([]byte(yaml))
	if want := "t, branch 1: the condition is 1410 characters long; keep it under 1000"; baton.ErrorMessage(err) != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
