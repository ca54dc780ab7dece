package baton_test

import (
	"maps"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/batonhq/baton"
)

func TestParseRequestQuick(t *testing.T) {
	tests := []struct {
		text string
		typ  string
		raw  map[string]string
		rest string
	}{
		{"purchase amount=12000 client_tier=enterprise risk=high New laptops", "purchase",
			map[string]string{"amount": "12000", "client_tier": "enterprise", "risk": "high"}, "New laptops"},
		{`purchase vendor="Acme Inc" amount=12,000 Two  desks`, "purchase",
			map[string]string{"vendor": "Acme Inc", "amount": "12,000"}, "Two desks"},
		{"Time-Off kind=vacation Family trip start=2026-07-01", "time_off",
			map[string]string{"kind": "vacation", "start": "2026-07-01"}, "Family trip"},
		{"purchase vendor=“Smart Quotes Ltd” Client-Tier='premium'", "purchase",
			map[string]string{"vendor": "Smart Quotes Ltd", "client_tier": "premium"}, ""},
		{`purchase vendor="never closed`, "purchase", map[string]string{"vendor": "never closed"}, ""},
		{"contract owner=<@U01CTO0001|ada> see https://example.com/?a=b", "contract",
			map[string]string{"owner": "<@U01CTO0001|ada>"}, "see https://example.com/?a=b"},
		{"contract owner=&lt;@U01CTO0001&gt; amount=1 amount=2 note=", "contract",
			map[string]string{"owner": "<@U01CTO0001>", "amount": "2", "note": ""}, ""},
		{"", "", map[string]string{}, ""},
		{"   purchase   ", "purchase", map[string]string{}, ""},
	}
	for _, tc := range tests {
		typ, raw, rest := baton.ParseRequestQuick(tc.text)
		if typ != tc.typ || !maps.Equal(raw, tc.raw) || rest != tc.rest {
			t.Errorf("ParseRequestQuick(%q) = %q %q %q, want %q %q %q", tc.text, typ, raw, rest, tc.typ, tc.raw, tc.rest)
		}
	}
}

func TestValidateValues(t *testing.T) {
	p := examplePolicy(t)
	purchase, _ := p.Type("purchase")
	tests := []struct {
		name   string
		raw    map[string]string
		values baton.Values
		errs   map[string]string
	}{
		{name: "everything typed well",
			raw:    map[string]string{"amount": "12,000", "vendor": " Dell ", "category": "Hardware", "client_tier": "ENTERPRISE", "needed_by": "2026-07-01", "justification": ""},
			values: baton.Values{"amount": 12000.0, "vendor": "Dell", "category": "hardware", "client_tier": "enterprise", "needed_by": date("2026-07-01")}},
		{name: "decimals", raw: map[string]string{"amount": "12000.50", "vendor": "x", "category": "travel"},
			values: baton.Values{"amount": 12000.5, "vendor": "x", "category": "travel"}},
		{name: "currency symbol and code", raw: map[string]string{"amount": "$1,234,567.8 usd", "vendor": "x", "category": "travel"},
			values: baton.Values{"amount": 1234567.8, "vendor": "x", "category": "travel"}},
		{name: "bad number", raw: map[string]string{"amount": "12k", "vendor": "x", "category": "travel"},
			values: baton.Values{"vendor": "x", "category": "travel"},
			errs:   map[string]string{"amount": `"12k" isn't a number for Amount: write it like 12000, 12,000 or 12000.50 (in USD).`}},
		{name: "misplaced separators", raw: map[string]string{"amount": "1,2,3", "vendor": "x", "category": "travel"},
			values: baton.Values{"vendor": "x", "category": "travel"},
			errs:   map[string]string{"amount": `"1,2,3" isn't a number for Amount: write it like 12000, 12,000 or 12000.50 (in USD).`}},
		{name: "more digits than kept exactly", raw: map[string]string{"amount": "99999999999999999999", "vendor": "x", "category": "travel"},
			values: baton.Values{"vendor": "x", "category": "travel"},
			errs:   map[string]string{"amount": `"99999999999999999999" has more digits than Baton keeps exactly for Amount: use at most 15 digits, for example 999,999,999,999,999 or 1234567890.12345.`}},
		{name: "fifteen digits kept exactly", raw: map[string]string{"amount": "999,999,999,999,999", "vendor": "x", "category": "travel"},
			values: baton.Values{"amount": 999999999999999.0, "vendor": "x", "category": "travel"}},
		{name: "zeros carry no digits", raw: map[string]string{"amount": "000012345678901234.50000", "vendor": "x", "category": "travel"},
			values: baton.Values{"amount": 12345678901234.5, "vendor": "x", "category": "travel"}},
		{name: "below min", raw: map[string]string{"amount": "-5", "vendor": "x", "category": "travel"},
			values: baton.Values{"vendor": "x", "category": "travel"},
			errs:   map[string]string{"amount": "Amount must be at least 0 USD."}},
		{name: "select not in options", raw: map[string]string{"amount": "1", "vendor": "x", "category": "food"},
			values: baton.Values{"amount": 1.0, "vendor": "x"},
			errs:   map[string]string{"category": `"food" isn't an option for Category: pick one of hardware, software, services, travel.`}},
		{name: "bad date", raw: map[string]string{"amount": "1", "vendor": "x", "category": "travel", "needed_by": "next week"},
			values: baton.Values{"amount": 1.0, "vendor": "x", "category": "travel"},
			errs:   map[string]string{"needed_by": `"next week" isn't a date for Needed by: write it as YYYY-MM-DD, for example 2026-12-31.`}},
		{name: "unknown field", raw: map[string]string{"amount": "1", "vendor": "x", "category": "travel", "colour": "red"},
			values: baton.Values{"amount": 1.0, "vendor": "x", "category": "travel"},
			errs:   map[string]string{"colour": `Purchase has no field "colour". Its fields are amount, vendor, category, client_tier, risk, needed_by, justification.`}},
		{name: "missing required", raw: map[string]string{"vendor": "x"},
			values: baton.Values{"vendor": "x"},
			errs: map[string]string{
				"amount":   "Amount is required, for example amount=1200.",
				"category": "Category is required, for example category=hardware.",
			}},
		{name: "text too long", raw: map[string]string{"amount": "1", "category": "travel", "vendor": strings.Repeat("v", 251)},
			values: baton.Values{"amount": 1.0, "category": "travel"},
			errs:   map[string]string{"vendor": "Vendor is 251 characters long; keep it to 250."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			values, errs := baton.ValidateValues(purchase, tc.raw)
			if !reflect.DeepEqual(values, tc.values) {
				t.Errorf("values = %v, want %v", values, tc.values)
			}
			if !maps.Equal(errs, tc.errs) {
				t.Errorf("errors:\n got %q\nwant %q", errs, tc.errs)
			}
		})
	}
}

func TestParseValueKinds(t *testing.T) {
	p := examplePolicy(t)
	timeOff, _ := p.Type("time_off")
	discount, _ := p.Type("discount")
	tests := []struct {
		typ   *baton.RequestType
		field string
		in    string
		want  any
		err   string
	}{
		{typ: timeOff, field: "days", in: "3 days", want: 3.0},
		{typ: timeOff, field: "days", in: "1 day", want: 1.0},
		{typ: timeOff, field: "days", in: "0", err: "Working days must be at least 0.5 days."},
		{typ: timeOff, field: "covering", in: "<@U01CTO0001|ada>", want: cto},
		{typ: timeOff, field: "covering", in: "@ada", err: `"@ada" isn't a person for Covering for you: mention them with @ so Slack links their name.`},
		{typ: timeOff, field: "start", in: "2026-02-30", err: `"2026-02-30" isn't a date for First day: write it as YYYY-MM-DD, for example 2026-12-31.`},
		{typ: discount, field: "percent", in: "15%", want: 15.0},
		{typ: discount, field: "percent", in: "150", err: "Discount must be at most 100%."},
		{typ: discount, field: "deal_size", in: "€ 250 000", want: 250000.0},
		{typ: discount, field: "deal_size", in: "1e9", err: `"1e9" isn't a number for Deal size: write it like 12000, 12,000 or 12000.50 (in USD).`},
		{typ: discount, field: "reason", in: strings.Repeat("é", 3000), want: strings.Repeat("é", 3000)},
	}
	for _, tc := range tests {
		f, ok := tc.typ.Field(tc.field)
		if !ok {
			t.Fatalf("no field %s", tc.field)
		}
		got, err := f.ParseValue(tc.in)
		if tc.err != "" {
			if baton.ErrorMessage(err) != tc.err {
				t.Errorf("%s %q: err = %v, want %s", tc.field, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %q = %v, %v; want %v", tc.field, tc.in, got, err, tc.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	p := examplePolicy(t)
	purchase, _ := p.Type("purchase")
	discount, _ := p.Type("discount")
	timeOff, _ := p.Type("time_off")
	field := func(rt *baton.RequestType, name string) *baton.Field { f, _ := rt.Field(name); return f }
	tests := []struct {
		f    *baton.Field
		v    any
		want string
	}{
		{field(purchase, "amount"), 1234567.5, "1,234,567.5 USD"},
		{field(purchase, "amount"), -1200.0, "-1,200 USD"},
		{field(purchase, "amount"), nil, "not given"},
		{field(purchase, "vendor"), "Acme", `"Acme"`},
		{field(purchase, "category"), "travel", "travel"},
		{field(discount, "percent"), 15.0, "15%"},
		{field(timeOff, "days"), 3, "3 days"},
		{field(timeOff, "start"), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), "2026-07-01"},
		{field(timeOff, "covering"), cto, "<@U01CTO0001>"},
	}
	for _, tc := range tests {
		if got := tc.f.FormatValue(tc.v); got != tc.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func FuzzParseRequestQuick(f *testing.F) {
	for _, s := range []string{
		"purchase amount=12000 client_tier=enterprise risk=high New laptops",
		`purchase vendor="Acme Inc" amount=12,000`,
		"purchase vendor=“Acme",
		"time-off start=2026-07-01 owner=&lt;@U1&gt;",
		"x =y a== b=\"\" '",
		"",
	} {
		f.Add(s)
	}
	p := examplePolicy(f)
	f.Fuzz(func(t *testing.T, text string) {
		typ, raw, rest := baton.ParseRequestQuick(text)
		if strings.ContainsFunc(typ, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) {
			t.Fatalf("type %q has spaces", typ)
		}
		if raw == nil || (utf8.ValidString(text) && !utf8.ValidString(rest)) {
			t.Fatalf("raw %v rest %q", raw, rest)
		}
		if rt, ok := p.Type(typ); ok {
			values, errs := baton.ValidateValues(rt, raw)
			for k := range values {
				if _, bad := errs[k]; bad {
					t.Fatalf("%s is both a value and an error", k)
				}
			}
		}
	})
}

// FuzzNumbersAreKeptExactly: a number a field accepts is shown back exactly as its digits were typed.
func FuzzNumbersAreKeptExactly(f *testing.F) {
	for _, s := range []string{"12000", "12,000.50", "0.000000000000001", "999999999999999", "99999999999999999999", "-0.1", "1e5"} {
		f.Add(s)
	}
	amount := baton.Field{Name: "amount", Label: "Amount", Kind: baton.FieldNumber}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := amount.ParseValue(s)
		if err != nil {
			return
		}
		typed := strings.Map(func(r rune) rune {
			if strings.ContainsRune("0123456789.-", r) {
				return r
			}
			return -1
		}, s)
		want, _ := new(big.Rat).SetString(typed)
		got := new(big.Rat).SetFloat64(v.(float64))
		shown, _ := new(big.Rat).SetString(strconv.FormatFloat(v.(float64), 'f', -1, 64))
		if want == nil || shown.Cmp(want) != 0 {
			t.Fatalf("%q was accepted as %v (exactly %s), shown as %s", s, v, got.FloatString(20), shown.FloatString(20))
		}
	})
}
