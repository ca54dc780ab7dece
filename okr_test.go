package baton_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

func TestMetricProgress(t *testing.T) {
	tests := []struct {
		name                   string
		start, target, current float64
		want                   float64
	}{
		{"up, halfway", 0, 100, 50, 0.5},
		{"up, from a base", 20, 60, 50, 0.75},
		{"up, not started", 20, 60, 20, 0},
		{"up, below the start", 20, 60, 10, 0},
		{"up, beyond the target", 0, 100, 130, 1},
		{"down, halfway", 100, 60, 80, 0.5},
		{"down, reached", 100, 60, 60, 1},
		{"down, went up instead", 100, 60, 120, 0},
		{"down, below the target", 100, 60, 40, 1},
		{"negative numbers", -10, -2, -6, 0.5},
		{"target equals start", 5, 5, 9, 0},
	}
	for _, tt := range tests {
		if got := baton.MetricProgress(tt.start, tt.target, tt.current); got != tt.want {
			t.Errorf("%s: MetricProgress(%v, %v, %v) = %v, want %v", tt.name, tt.start, tt.target, tt.current, got, tt.want)
		}
	}
}

func TestRollupProgress(t *testing.T) {
	tests := []struct {
		name        string
		done, total float64
		want        float64
	}{
		{"no linked tasks", 0, 0, 0},
		{"none done", 0, 4, 0},
		{"half of four", 2, 4, 0.5},
		{"all done", 3, 3, 1},
		{"weighted: the heavy one done", 3, 4, 0.75}, // weights 3 and 1
		{"weighted: the light one done", 1, 4, 0.25},
	}
	for _, tt := range tests {
		if got := baton.RollupProgress(tt.done, tt.total); got != tt.want {
			t.Errorf("%s: RollupProgress(%v, %v) = %v, want %v", tt.name, tt.done, tt.total, got, tt.want)
		}
	}
}

func TestObjectiveProgress(t *testing.T) {
	metric := func(w, start, target, current float64) baton.KeyResult {
		return baton.KeyResult{Kind: baton.KRMetric, Weight: w, Start: start, Target: target, Current: current}
	}
	rollup := func(w, done, total float64) baton.KeyResult {
		return baton.KeyResult{Kind: baton.KRRollup, Weight: w, RollDone: done, RollTotal: total}
	}
	tests := []struct {
		name   string
		krs    []baton.KeyResult
		want   float64
		wantOK bool
	}{
		{"no key results", nil, 0, false},
		{"one metric", []baton.KeyResult{metric(1, 0, 10, 4)}, 0.4, true},
		{"equal weights", []baton.KeyResult{metric(1, 0, 10, 10), rollup(1, 0, 2)}, 0.5, true},
		{"weighted", []baton.KeyResult{metric(3, 0, 10, 10), rollup(1, 0, 2)}, 0.75, true},
		{"a decreasing metric and a roll-up", []baton.KeyResult{metric(1, 100, 50, 75), rollup(1, 1, 2)}, 0.5, true},
		{"a roll-up without tasks counts as 0", []baton.KeyResult{rollup(1, 0, 0), metric(1, 0, 1, 1)}, 0.5, true},
		{"zero weight is read as 1", []baton.KeyResult{metric(0, 0, 10, 10), metric(1, 0, 10, 0)}, 0.5, true},
	}
	for _, tt := range tests {
		got, ok := baton.ObjectiveProgress(tt.krs)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: ObjectiveProgress = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestPercent(t *testing.T) {
	for p, want := range map[float64]int{0: 0, 0.5: 50, 0.999: 99, 1: 100, 0.6: 60, 0.29: 29, 0.57: 57, -1: 0, 2: 100} {
		if got := baton.Percent(p); got != want {
			t.Errorf("Percent(%v) = %d, want %d", p, got, want)
		}
	}
}

func TestNewKeyResult(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	o := baton.Objective{ID: 4, TeamID: "T1", Number: 3}
	k, errs := baton.NewKeyResult(o, "UA", baton.KRSpec{Title: " Reach 1,000 users ", OwnerID: "UB", Kind: baton.KRMetric,
		Start: "200", Target: "1,000", Unit: "users", Weight: "2"}, now)
	if errs != nil {
		t.Fatalf("errors %v", errs)
	}
	if k.Title != "Reach 1,000 users" || k.Start != 200 || k.Target != 1000 || k.Current != 200 || k.Weight != 2 || k.ObjectiveID != 4 || k.Unit != "users" {
		t.Errorf("key result %+v", k)
	}
	if k, errs := baton.NewKeyResult(o, "UA", baton.KRSpec{Title: "Tasks", OwnerID: "UB", Kind: baton.KRRollup}, now); errs != nil || k.Weight != 1 {
		t.Errorf("roll-up: %+v %v", k, errs)
	}

	bad := []struct {
		name  string
		spec  baton.KRSpec
		field baton.KRField
		says  string
	}{
		{"target equals start", baton.KRSpec{Title: "x", OwnerID: "U", Kind: baton.KRMetric, Start: "10", Target: "10.0"}, baton.KRFieldTarget, "target equals the start"},
		{"start not a number", baton.KRSpec{Title: "x", OwnerID: "U", Kind: baton.KRMetric, Start: "ten", Target: "10"}, baton.KRFieldStart, "`ten` is not a number"},
		{"no target", baton.KRSpec{Title: "x", OwnerID: "U", Kind: baton.KRMetric, Start: "1"}, baton.KRFieldTarget, "Give a number"},
		{"no title", baton.KRSpec{OwnerID: "U", Kind: baton.KRRollup}, baton.KRFieldTitle, "needs a title"},
		{"no owner", baton.KRSpec{Title: "x", Kind: baton.KRRollup}, baton.KRFieldOwner, "Choose who owns"},
		{"no kind", baton.KRSpec{Title: "x", OwnerID: "U"}, baton.KRFieldTarget, "how the key result is measured"},
		{"weight zero", baton.KRSpec{Title: "x", OwnerID: "U", Kind: baton.KRRollup, Weight: "0"}, baton.KRFieldWeight, "above 0"},
		{"weight too big", baton.KRSpec{Title: "x", OwnerID: "U", Kind: baton.KRRollup, Weight: "101"}, baton.KRFieldWeight, "at most 100"},
		{"long unit", baton.KRSpec{Title: "x", OwnerID: "U", Kind: baton.KRMetric, Start: "0", Target: "1", Unit: strings.Repeat("u", 21)}, baton.KRFieldUnit, "unit"},
	}
	for _, tt := range bad {
		_, errs := baton.NewKeyResult(o, "UA", tt.spec, now)
		if errs[tt.field] == nil || !strings.Contains(errs[tt.field].Error(), tt.says) {
			t.Errorf("%s: errors %v, want %q under %s", tt.name, errs, tt.says, tt.field)
		}
	}
}

func TestCheckIn(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	k := baton.KeyResult{ID: 9, TeamID: "T1", Number: 7, Kind: baton.KRMetric, Start: 0, Target: 50}
	c, err := k.CheckIn("UA", 42, "  good week ", now)
	if err != nil || c.Value != 42 || c.Comment != "good week" || c.Actor != "UA" || c.KRID != 9 || k.Current != 42 || !k.CheckedAt.Equal(now) {
		t.Fatalf("check-in %+v %v, kr %+v", c, err, k)
	}
	roll := baton.KeyResult{Number: 8, Kind: baton.KRRollup}
	if _, err := roll.CheckIn("UA", 1, "", now); baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(err.Error(), "KR-8 follows its linked tasks") {
		t.Errorf("roll-up check-in: %v", err)
	}
	if _, err := k.CheckIn("UA", 1, strings.Repeat("x", baton.MaxNoteLen+1), now); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("long comment: %v", err)
	}
}

func TestCheckParent(t *testing.T) {
	// 1 ← 2 ← 3 (3's parent is 2, 2's parent is 1); 4 stands alone; 5 and 6 already loop.
	parents := map[int64]int64{1: 0, 2: 1, 3: 2, 4: 0, 5: 6, 6: 5}
	tests := []struct {
		name          string
		child, parent int64
		says          string
	}{
		{"no parent", 1, 0, ""},
		{"under a root", 4, 1, ""},
		{"under a grandchild of another", 4, 3, ""},
		{"new objective", 0, 3, ""},
		{"itself", 2, 2, "its own parent"},
		{"direct cycle O-1 → O-2 → O-1", 1, 2, "would make a loop"},
		{"deep cycle", 1, 3, "would make a loop"},
		{"a stored loop above", 4, 5, "already form a loop"},
	}
	for _, tt := range tests {
		err := baton.CheckParent(tt.child, tt.parent, parents, baton.ObjectiveRef(tt.child), baton.ObjectiveRef(tt.parent))
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says) || baton.ErrorCode(err) != baton.EInvalid):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.says)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"2026-Q4", "2026-Q4", true},
		{"2026q1", "2026-Q1", true},
		{" 2026-h2 ", "2026-H2", true},
		{"2026", "2026", true},
		{"2026-Q5", "", false},
		{"2026-H3", "", false},
		{"Q4", "", false},
		{"1999", "", false},
		{"", "", false},
		{"next quarter", "", false},
	}
	for _, tt := range tests {
		p, err := baton.ParsePeriod(tt.in)
		if (err == nil) != tt.ok || (tt.ok && p.String() != tt.want) {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %q", tt.in, p, err, tt.want)
		}
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	newYear := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // already 2027 in Berlin
	if got := baton.CurrentQuarter(newYear, time.UTC).String(); got != "2026-Q4" {
		t.Errorf("UTC quarter %s", got)
	}
	if got := baton.CurrentQuarter(newYear, berlin).String(); got != "2027-Q1" {
		t.Errorf("Berlin quarter %s", got)
	}
	if got := strings.Join(baton.CurrentQuarter(newYear, time.UTC).Covering(), " "); got != "2026-Q4 2026-H2 2026" {
		t.Errorf("covering %s", got)
	}
	if got := strings.Join(baton.Period{Year: 2026, Half: 1}.Covering(), " "); got != "2026-H1 2026" {
		t.Errorf("covering a half %s", got)
	}
}

func TestParseOKRNumber(t *testing.T) {
	good := map[string]float64{"42": 42, "-3.5": -3.5, "+7": 7, "12.5%": 12.5, "1,200": 1200, "1,200,000.5": 1200000.5, ".5": 0.5, "0": 0}
	for in, want := range good {
		if got, err := baton.ParseOKRNumber(in); err != nil || got != want {
			t.Errorf("ParseOKRNumber(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "NaN", "Inf", "1e3", "0x10", "4 2", "12,5", "1,20", "--1", "１２"} {
		if _, err := baton.ParseOKRNumber(in); baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("ParseOKRNumber(%q) accepted: %v", in, err)
		}
	}
}

func TestParseOKRCommand(t *testing.T) {
	type cmd = baton.OKRCommand
	tests := []struct {
		text string
		want cmd
		err  string
	}{
		{"", cmd{Kind: baton.OKRTree}, ""},
		{"2026-Q3", cmd{Kind: baton.OKRTree, Period: "2026-Q3"}, ""},
		{"help", cmd{Kind: baton.OKRHelp}, ""},
		{"new", cmd{Kind: baton.OKRNewObjective}, ""},
		{"NEW", cmd{Kind: baton.OKRNewObjective}, ""},
		{"kr O-3", cmd{Kind: baton.OKRNewKR, Number: 3}, ""},
		{"kr o-3", cmd{Kind: baton.OKRNewKR, Number: 3}, ""},
		{"update KR-7 42", cmd{Kind: baton.OKRUpdate, Number: 7, Value: 42}, ""},
		{"update kr-7 -3.5 churn fell &amp; stayed", cmd{Kind: baton.OKRUpdate, Number: 7, Value: -3.5, Comment: "churn fell & stayed"}, ""},
		{"O-3", cmd{Kind: baton.OKRShowObjective, Number: 3}, ""},
		{"#o-12", cmd{Kind: baton.OKRShowObjective, Number: 12}, ""},
		{"KR-7", cmd{Kind: baton.OKRShowKR, Number: 7}, ""},
		{"kr-7 Edit", cmd{Kind: baton.OKREditKR, Number: 7}, ""},
		{"O-3 parent O-1", cmd{Kind: baton.OKRSetParent, Number: 3, Parent: 1}, ""},
		{"o-3 PARENT none", cmd{Kind: baton.OKRSetParent, Number: 3}, ""},
		{"O-3 parent", cmd{}, "`/okr O-3 parent O-1`"},
		{"O-3 status Achieved", cmd{Kind: baton.OKRSetStatus, Number: 3, Status: baton.ObjectiveAchieved}, ""},
		{"O-3 status done", cmd{}, "`/okr O-3 status active`"},
		{"O-3 parent KR-1", cmd{}, "`/okr O-3 parent O-1`"},
		{"list", cmd{Kind: baton.OKRList}, ""},
		{"list <@U123|ana>", cmd{Kind: baton.OKRList, User: baton.UserRef{ID: "U123", Name: "ana"}}, ""},
		{"list @ana", cmd{Kind: baton.OKRList, User: baton.UserRef{Name: "ana"}}, ""},

		{"update KR-7 forty", cmd{}, "`forty` is not a number"},
		{"update KR-7", cmd{}, "its new value"},
		{"update O-3 4", cmd{}, "`O-3` is not a key result"},
		{"kr", cmd{}, "Say which objective"},
		{"kr KR-3", cmd{}, "`KR-3` is not an objective"},
		{"list ana", cmd{}, "`ana` is not a person"},
		{"list @ana @bea", cmd{}, "Say whose"},

		{"frobnicate", cmd{Kind: baton.OKRUnknown, Problem: "frobnicate"}, ""},
		{"O-3 history", cmd{Kind: baton.OKRUnknown, Problem: "O-3 history"}, ""},
		{"new objective", cmd{Kind: baton.OKRUnknown, Problem: "new objective"}, ""},
		{"O-0", cmd{Kind: baton.OKRUnknown, Problem: "O-0"}, ""},
		{"T-3", cmd{Kind: baton.OKRUnknown, Problem: "T-3"}, ""},
	}
	for _, tt := range tests {
		got, err := baton.ParseOKRCommand(tt.text)
		if tt.err != "" {
			if err == nil || baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseOKRCommand(%q) error %v, want %q", tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseOKRCommand(%q) =\n  %+v, %v\nwant\n  %+v", tt.text, got, err, tt.want)
		}
	}
}

func FuzzParseOKRCommand(f *testing.F) {
	for _, s := range []string{
		"", "help", "new", "kr O-3", "update KR-7 42 good week", "update KR-7 4,200.5% x", "update KR-7 x",
		"O-3", "KR-7", "list", "list @ana", "list <@U1|ana>", "2026-Q4", "2026", "frob", "kr", "O-999999999999999999",
		"KR-9999999999999999999", "update KR-1 \xff", "list &lt;@U1&gt;", "\u00a0update\u2003KR-1 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := baton.ParseOKRCommand(text)
		if err != nil {
			if baton.ErrorCode(err) != baton.EInvalid || baton.ErrorMessage(err) == "" {
				t.Fatalf("%q: error without a message for the user: %v", text, err)
			}
			return
		}
		switch c.Kind {
		case baton.OKRTree:
			if c.Period != "" {
				if _, err := baton.ParsePeriod(c.Period); err != nil {
					t.Fatalf("%q: tree of a bad period %q", text, c.Period)
				}
			}
		case baton.OKRNewKR, baton.OKRShowObjective, baton.OKRShowKR, baton.OKREditKR, baton.OKRUpdate, baton.OKRSetParent:
		case baton.OKRSetStatus:
			if _, err := baton.ParseObjectiveStatus(string(c.Status)); err != nil || c.Number <= 0 {
				t.Fatalf("%q: status %q of O-%d", text, c.Status, c.Number)
			}
			if c.Number <= 0 {
				t.Fatalf("%q: number %d", text, c.Number)
			}
		case baton.OKRUnknown:
			if c.Problem == "" {
				t.Fatalf("%q: not understood, but no problem to show", text)
			}
		case baton.OKRNewObjective, baton.OKRList, baton.OKRHelp:
		default:
			t.Fatalf("%q: unknown kind %d", text, c.Kind)
		}
		if c.Kind != baton.OKRUpdate && (c.Value != 0 || c.Comment != "") {
			t.Fatalf("%q: kind %d carries a value", text, c.Kind)
		}
		if c.Kind != baton.OKRSetStatus && c.Status != "" {
			t.Fatalf("%q: kind %d carries a status", text, c.Kind)
		}
		if c.Kind != baton.OKRSetParent && c.Parent != 0 {
			t.Fatalf("%q: kind %d carries a parent", text, c.Kind)
		}
		if c.Comment != strings.TrimSpace(c.Comment) {
			t.Fatalf("%q: comment %q not trimmed", text, c.Comment)
		}
	})
}

func TestParseKRLink(t *testing.T) {
	good := []struct {
		in     string
		n      int64
		weight float64
	}{{"KR-7", 7, 1}, {" kr-7 ", 7, 1}, {"#KR-7", 7, 1}, {"KR-7*3", 7, 3}, {"KR-7*0.5", 7, 0.5}, {"KR-12*100", 12, 100}}
	for _, tt := range good {
		n, w, err := baton.ParseKRLink(tt.in)
		if err != nil || n != tt.n || w != tt.weight {
			t.Errorf("ParseKRLink(%q) = %d, %v, %v; want %d, %v", tt.in, n, w, err, tt.n, tt.weight)
		}
	}
	for in, says := range map[string]string{
		"O-7": "is not a key result", "KR-0": "is not a key result", "": "is not a key result", "KR-7*": "how much the task counts in KR-7",
		"KR-7*0": "above 0", "KR-7*101": "at most 100", "KR-7*x": "like KR-7*3", "*3": "is not a key result",
	} {
		if _, _, err := baton.ParseKRLink(in); baton.ErrorCode(err) != baton.EInvalid || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseKRLink(%q) = %v, want %q", in, err, says)
		}
	}
}

func TestParseOKRReminderDays(t *testing.T) {
	for in, want := range map[string]int{"7": 7, " 14 ": 14, "3d": 3, "90": 90, "1": 1} {
		if got, err := baton.ParseOKRReminderDays(in); err != nil || got != want {
			t.Errorf("ParseOKRReminderDays(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "91", "-1", "week", "7.5"} {
		if _, err := baton.ParseOKRReminderDays(in); baton.ErrorCode(err) != baton.EInvalid {
			t.Errorf("ParseOKRReminderDays(%q) accepted: %v", in, err)
		}
	}
}

func TestEditKeyResult(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	o := baton.Objective{ID: 4, TeamID: "T1", Number: 3}
	k, _ := baton.NewKeyResult(o, "UA", baton.KRSpec{Title: "Reach users", OwnerID: "UB", Kind: baton.KRMetric, Start: "200", Target: "1000"}, now)
	k.Current = 600
	later := now.Add(time.Hour)
	if errs := k.Edit(o, baton.KRSpec{Title: "Reach 1,200 users", OwnerID: "UC", Kind: baton.KRRollup, Start: "200", Target: "1200", Unit: "users", Weight: "2"}, later); errs != nil {
		t.Fatalf("edit: %v", errs)
	}
	if k.Title != "Reach 1,200 users" || k.OwnerID != "UC" || k.Kind != baton.KRMetric || k.Target != 1200 || k.Current != 600 ||
		k.Unit != "users" || k.Weight != 2 || k.CreatedBy != "UA" || !k.UpdatedAt.Equal(later) || k.Progress() != 0.4 {
		t.Errorf("edited key result %+v (progress %v)", k, k.Progress())
	}
	before := k
	if errs := k.Edit(o, baton.KRSpec{Title: "x", OwnerID: "UC", Start: "5", Target: "5"}, later); errs[baton.KRFieldTarget] == nil {
		t.Errorf("target = start was accepted: %v", errs)
	}
	if k != before {
		t.Errorf("a refused edit changed the key result: %+v", k)
	}
	roll, _ := baton.NewKeyResult(o, "UA", baton.KRSpec{Title: "Tasks", OwnerID: "UB", Kind: baton.KRRollup}, now)
	if errs := roll.Edit(o, baton.KRSpec{Title: "Launch tasks", OwnerID: "UB", Start: "1", Target: "9"}, later); errs != nil || roll.Kind != baton.KRRollup || roll.Target != 0 || roll.Title != "Launch tasks" {
		t.Errorf("roll-up edit: %+v %v", roll, errs)
	}
}
