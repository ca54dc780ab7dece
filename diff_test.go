package baton_test

import (
	"strings"
	"testing"

	"github.com/batonhq/baton"
)

func TestLineDiffAndFormat(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		context  int
		want     string
	}{
		{"both empty", "", "", 1, ""},
		{"equal", "a\nb", "a\nb", 1, ""},
		{"added from nothing", "", "We use Postgres.", 1, "+ We use Postgres."},
		{"removed to nothing", "Old text", "", 1, "- Old text"},
		{"one line changed", "Use MySQL.", "Use Postgres.", 1, "- Use MySQL.\n+ Use Postgres."},
		{"a line inserted in the middle", "a\nb\nc", "a\nb\nx\nc", 1, "  …\n  b\n+ x\n  c"},
		{"a line removed at the start", "a\nb\nc", "b\nc", 1, "- a\n  b\n  …"},
		{"context trimmed on both sides", "1\n2\n3\n4\n5\n6\n7", "1\n2\n3\nfour\n5\n6\n7", 1, "  …\n  3\n- 4\n+ four\n  5\n  …"},
		{"no context", "1\n2\n3", "1\nx\n3", 0, "  …\n- 2\n+ x\n  …"},
		{"two separate changes", "a\nb\nc\nd\ne\nf\ng", "A\nb\nc\nd\ne\nf\nG", 1, "- a\n+ A\n  b\n  …\n  f\n- g\n+ G"},
		{"moved line", "a\nb\nc", "b\nc\na", 1, "- a\n  b\n  c\n+ a"},
		{"windows line ends", "a\r\nb", "a\nc", 1, "  a\n- b\n+ c"},
		{"lcs keeps the longest run", "x\na\nb\nc\ny", "a\nb\nc\nz", 2, "- x\n  a\n  b\n  c\n- y\n+ z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := baton.FormatDiff(baton.LineDiff(tt.old, tt.new), tt.context)
			if got != tt.want {
				t.Errorf("diff(%q, %q) =\n%s\nwant\n%s", tt.old, tt.new, got, tt.want)
			}
		})
	}
}

func TestLineDiffOfHugeTextsStaysBounded(t *testing.T) {
	a := strings.Repeat("a\n", 3000)
	b := strings.Repeat("b\n", 3000)
	lines := baton.LineDiff(a, b)
	removed, added := 0, 0
	for _, l := range lines {
		switch l.Op {
		case baton.DiffRemove:
			removed++
		case baton.DiffAdd:
			added++
		}
	}
	if removed != 3000 || added != 3000 {
		t.Fatalf("removed %d, added %d; want every old line removed and every new one added", removed, added)
	}
}

func TestDiffVersionsShowsEachChangedField(t *testing.T) {
	v1 := baton.DecisionVersion{Version: 1, DecisionFields: baton.DecisionFields{Title: "Queue", Decision: "Use Redis.\nKeep it simple.",
		Status: baton.DecisionProposed, Flagged: []string{"UANA"}}}
	v2 := v1
	v2.Version = 2
	v2.Decision = "Use Postgres.\nKeep it simple."
	v2.Status = baton.DecisionAccepted
	v2.TaskNumber = 12
	v2.Flagged = []string{"UANA", "UCAL"}
	diffs := baton.DiffVersions(&v1, v2)
	var got []string
	for _, d := range diffs {
		got = append(got, d.Label+":\n"+baton.FormatDiff(d.Lines, 1))
	}
	want := []string{
		"Status:\n- Proposed\n+ Accepted",
		"Decision:\n- Use Redis.\n+ Use Postgres.\n  Keep it simple.",
		"Task:\n+ T-12",
		"Flagged for:\n- <@UANA>\n+ <@UANA> <@UCAL>",
	}
	if strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
		t.Errorf("diffs =\n%s\nwant\n%s", strings.Join(got, "\n\n"), strings.Join(want, "\n\n"))
	}
	first := baton.DiffVersions(nil, v1)
	if len(first) != 4 || first[0].Field != baton.FieldTitle || first[0].Lines[0].Op != baton.DiffAdd {
		t.Errorf("first version diff = %+v", first)
	}
}

func FuzzLineDiff(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"a\nb\nc", "a\nx\nc"}, {"a", ""}, {"\n\n", "\n"}, {"x\r\ny", "x\ny"}, {"é\n\xff", "\xff"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, old, new string) {
		lines := baton.LineDiff(old, new)
		var a, b []string
		for _, l := range lines {
			switch l.Op {
			case baton.DiffKeep:
				a, b = append(a, l.Text), append(b, l.Text)
			case baton.DiffRemove:
				a = append(a, l.Text)
			case baton.DiffAdd:
				b = append(b, l.Text)
			default:
				t.Fatalf("unknown op %q", l.Op)
			}
		}
		norm := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
		if strings.Join(a, "\n") != norm(old) || strings.Join(b, "\n") != norm(new) {
			t.Fatalf("diff does not rebuild both texts: %+v", lines)
		}
		if norm(old) == norm(new) && baton.FormatDiff(lines, 2) != "" {
			t.Fatalf("equal texts gave a diff")
		}
	})
}
