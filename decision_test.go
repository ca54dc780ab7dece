package baton_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton"
)

var decided = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func fields() baton.DecisionFields {
	return baton.DecisionFields{Title: "Use Postgres for jobs", Decision: "Postgres keeps the truth.", Status: baton.DecisionProposed}
}

func TestDecisionFieldsValidate(t *testing.T) {
	long := strings.Repeat("x", baton.MaxDecisionTextLen+1)
	people := make([]string, baton.MaxFlagged+1)
	for i := range people {
		people[i] = "U" + strings.Repeat("A", i+1)
	}
	tests := []struct {
		name   string
		change func(f *baton.DecisionFields)
		want   []string
	}{
		{"fine", func(*baton.DecisionFields) {}, nil},
		{"no title", func(f *baton.DecisionFields) { f.Title = "  " }, []string{baton.FieldTitle}},
		{"title at the limit", func(f *baton.DecisionFields) { f.Title = strings.Repeat("é", baton.MaxDecisionTitleLen) }, nil},
		{"title too long", func(f *baton.DecisionFields) { f.Title = strings.Repeat("é", baton.MaxDecisionTitleLen+1) }, []string{baton.FieldTitle}},
		{"no decision", func(f *baton.DecisionFields) { f.Decision = "" }, []string{baton.FieldDecision}},
		{"context too long", func(f *baton.DecisionFields) { f.Context = long }, []string{baton.FieldContext}},
		{"alternatives too long", func(f *baton.DecisionFields) { f.Alternatives = long }, []string{baton.FieldAlternatives}},
		{"decision too long", func(f *baton.DecisionFields) { f.Decision = long }, []string{baton.FieldDecision}},
		{"text at the limit", func(f *baton.DecisionFields) { f.Context = long[1:] }, nil},
		{"bad status", func(f *baton.DecisionFields) { f.Status = "maybe" }, []string{baton.FieldStatus}},
		{"too many people", func(f *baton.DecisionFields) { f.Flagged = people }, []string{baton.FieldFlagged}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fields()
			tt.change(&f)
			errs := f.Validate()
			var got []string
			for k := range errs {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors on %v (%v), want on %v", got, errs, tt.want)
			}
		})
	}
}

func TestNewDecisionAndEditMakeVersions(t *testing.T) {
	d, v1, err := baton.NewDecision("T1", "UBEA", baton.DecisionFields{Title: "  Queue ", Decision: "Redis", Status: baton.DecisionProposed,
		Flagged: []string{"UANA", "UANA", ""}}, decided)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || v1.Version != 1 || d.Title != "Queue" || !slices.Equal(d.Flagged, []string{"UANA"}) {
		t.Fatalf("new decision = %+v, version %+v", d, v1)
	}
	if !slices.Equal(v1.Changed, []string{baton.FieldTitle, baton.FieldStatus, baton.FieldDecision, baton.FieldFlagged}) {
		t.Errorf("first version changed %v", v1.Changed)
	}
	next := d.DecisionFields
	next.Decision = "Postgres"
	next.Status = baton.DecisionAccepted

	if _, err := d.Edit("UCAL", false, 1, next, decided); baton.ErrorCode(err) != baton.EForbidden {
		t.Errorf("a bystander's edit gave %v, want forbidden", err)
	}
	v2, err := d.Edit("UANA", false, 1, next, decided.Add(time.Hour))
	if err != nil {
		t.Fatalf("a flagged person's edit: %v", err)
	}
	if v2.Version != 2 || d.Version != 2 || d.UpdatedBy != "UANA" || !slices.Equal(v2.Changed, []string{baton.FieldStatus, baton.FieldDecision}) {
		t.Errorf("after edit: decision %+v, version %+v", d, v2)
	}
	stale, err := d.Edit("UBEA", false, 1, next, decided)
	if baton.ErrorCode(err) != baton.EConflict || stale.Version != 0 || d.Version != 2 {
		t.Errorf("an edit of version 1 after version 2 gave %v", err)
	}
	if !strings.Contains(baton.ErrorMessage(err), "reload") {
		t.Errorf("the conflict does not say to reload: %s", baton.ErrorMessage(err))
	}
	if _, err := d.Edit("UADM", true, 2, next, decided); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("an edit changing nothing gave %v", err)
	}
	bad := next
	bad.Title = ""
	if _, err := d.Edit("UBEA", false, 2, bad, decided); baton.ErrorCode(err) != baton.EInvalid || d.Version != 2 {
		t.Errorf("an edit without a title gave %v", err)
	}
}

func TestSupersede(t *testing.T) {
	d, _, _ := baton.NewDecision("T1", "UBEA", fields(), decided)
	d.Number = 4
	if _, err := d.Supersede(4, "UBEA", decided); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("superseding itself gave %v", err)
	}
	v, err := d.Supersede(9, "UANA", decided)
	if err != nil || d.Status != baton.DecisionSuperseded || d.SupersededByNumber != 9 || v.Version != 2 || v.EditorID != "UANA" {
		t.Fatalf("supersede: %v, decision %+v, version %+v", err, d, v)
	}
	if _, err := d.Supersede(10, "UANA", decided); baton.ErrorCode(err) != baton.EConflict {
		t.Errorf("superseding again by another gave %v", err)
	}
	e, _, _ := baton.NewDecision("T1", "UBEA", fields(), decided)
	e.Number, e.SupersedesNumber = 9, 4
	if _, err := e.Supersede(4, "UBEA", decided); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("a cycle gave %v", err)
	}
	next := e.DecisionFields
	next.SupersedesNumber = 5
	if _, err := e.Edit("UBEA", false, 1, next, decided); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("moving a supersede link gave %v", err)
	}
}

func TestMentionsAndWhoToTell(t *testing.T) {
	got := baton.Mentions("Ask <@UANA> and <@W99|cal>, then <@UANA> again; not <#C1|x> or <@C1> or @bea")
	if !slices.Equal(got, []string{"UANA", "W99"}) {
		t.Errorf("Mentions = %v", got)
	}
	v := baton.DecisionVersion{EditorID: "UBEA", DecisionFields: baton.DecisionFields{
		Title: "x", Context: "cc <@UBEA>", Decision: "<@UCAL> owns it", Alternatives: "<@UDEE>", Flagged: []string{"UANA", "UCAL"}}}
	if got := v.ToTell(); !slices.Equal(got, []string{"UANA", "UCAL", "UDEE"}) {
		t.Errorf("ToTell = %v", got)
	}
}

func TestDecisionStatusAndRefs(t *testing.T) {
	for _, s := range baton.DecisionStatuses {
		got, err := baton.ParseDecisionStatus(strings.ToUpper(string(s)))
		if err != nil || got != s || s.Label() == string(s) || s.Emoji() == "" {
			t.Errorf("status %s: %v %v %q", s, got, err, s.Label())
		}
	}
	if _, err := baton.ParseDecisionStatus("maybe"); baton.ErrorCode(err) != baton.EInvalid {
		t.Errorf("unknown status gave %v", err)
	}
	for word, want := range map[string]int64{"D-4": 4, "d-4": 4, "#D-12": 12, "D-0": 0, "D4": 0, "T-4": 0} {
		if n, _ := baton.ParseDecisionRef(word); n != want {
			t.Errorf("ParseDecisionRef(%q) = %d, want %d", word, n, want)
		}
	}
	for word, want := range map[string]int64{"KR-7": 7, "kr-7": 7, "K-7": 0, "KR-": 0} {
		if n, _ := baton.ParseKRRef(word); n != want {
			t.Errorf("ParseKRRef(%q) = %d, want %d", word, n, want)
		}
	}
	for word, want := range map[string]int64{"R-9": 9, "r-9": 9, "R9": 0, "R-99999999999999999999": 0} {
		if n, _ := baton.ParseRequestRef(word); n != want {
			t.Errorf("ParseRequestRef(%q) = %d, want %d", word, n, want)
		}
	}
	if baton.DecisionRef(4) != "D-4" || baton.KRRef(7) != "KR-7" || baton.RequestRef(9) != "R-9" {
		t.Error("refs are not formatted as people type them")
	}
}

func TestParseDecisionCommand(t *testing.T) {
	type cmd = baton.DecisionCommand
	tests := []struct {
		text string
		want cmd
	}{
		{"", cmd{Kind: baton.DecisionOpenModal}},
		{"  ", cmd{Kind: baton.DecisionOpenModal}},
		{"help", cmd{Kind: baton.DecisionHelp}},
		{"?", cmd{Kind: baton.DecisionHelp}},
		{"help me", cmd{Kind: baton.DecisionUnknown, Problem: "help me"}},
		{"D-4", cmd{Kind: baton.DecisionShow, Number: 4}},
		{"d-4", cmd{Kind: baton.DecisionShow, Number: 4}},
		{"D-4 history", cmd{Kind: baton.DecisionHistory, Number: 4}},
		{"D-4 HISTORY", cmd{Kind: baton.DecisionHistory, Number: 4}},
		{"D-4 frob", cmd{Kind: baton.DecisionUnknown, Problem: "D-4 frob"}},
		{"D-0", cmd{Kind: baton.DecisionUnknown, Problem: "D-0"}},
		{"list", cmd{Kind: baton.DecisionList}},
		{"list task T-12", cmd{Kind: baton.DecisionList, Task: 12}},
		{"list T-12", cmd{Kind: baton.DecisionList, Task: 12}},
		{"list task 12", cmd{Kind: baton.DecisionUnknown, Problem: "list task 12"}},
		{"list KR-7", cmd{Kind: baton.DecisionList, KR: 7}},
		{"list kr KR-7", cmd{Kind: baton.DecisionList, KR: 7}},
		{"list <@UANA|ana>", cmd{Kind: baton.DecisionList, User: baton.UserRef{ID: "UANA", Name: "ana"}}},
		{"list @ana", cmd{Kind: baton.DecisionList, User: baton.UserRef{Name: "ana"}}},
		{"list postgres   queue", cmd{Kind: baton.DecisionList, Words: "postgres queue"}},
		{"search a &amp; b", cmd{Kind: baton.DecisionList, Words: "a & b"}},
		{"list task", cmd{Kind: baton.DecisionList, Words: "task"}},
		{"frobnicate", cmd{Kind: baton.DecisionUnknown, Problem: "frobnicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := baton.ParseDecisionCommand(tt.text); got != tt.want {
				t.Errorf("ParseDecisionCommand(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzParseDecisionCommand(f *testing.F) {
	for _, s := range []string{"", "help", "D-4", "d-4 history", "list", "list task T-12", "list KR-7", "list kr KR-7",
		"list @ana", "list <@U1|a>", "list a b c", "D-99999999999999999999", "list task", "\xff D-1", "D-1 history x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := baton.ParseDecisionCommand(text)
		switch c.Kind {
		case baton.DecisionOpenModal:
			if len(strings.Fields(text)) != 0 {
				t.Fatalf("%q opened the form", text)
			}
		case baton.DecisionShow, baton.DecisionHistory:
			if c.Number <= 0 {
				t.Fatalf("%q: number %d", text, c.Number)
			}
		case baton.DecisionList:
			set := 0
			for _, on := range []bool{c.Task != 0, c.KR != 0, c.User != (baton.UserRef{}), c.Words != ""} {
				if on {
					set++
				}
			}
			if set > 1 || c.Task < 0 || c.KR < 0 {
				t.Fatalf("%q: list with several filters %+v", text, c)
			}
		case baton.DecisionHelp:
		case baton.DecisionUnknown:
			if c.Problem == "" {
				t.Fatalf("%q: not understood without a problem", text)
			}
		default:
			t.Fatalf("%q: kind %d", text, c.Kind)
		}
	})
}
