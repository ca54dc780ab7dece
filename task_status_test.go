package baton_test

import (
	"strings"
	"testing"

	"github.com/batonhq/baton"
)

// TestCheckTransitionMatrix spells out every from×to cell of the transition table, so a change to the
// table shows up as a failing cell rather than a silently different workflow.
func TestCheckTransitionMatrix(t *testing.T) {
	const (
		ok       = ""
		invalid  = baton.EInvalid
		conflict = baton.EConflict
	)
	var (
		todo     = baton.StatusTodo
		progress = baton.StatusInProgress
		review   = baton.StatusInReview
		blocked  = baton.StatusBlocked
		done     = baton.StatusDone
	)
	want := map[baton.Status]map[baton.Status]string{
		todo:     {todo: conflict, progress: ok, review: ok, blocked: ok, done: ok},
		progress: {todo: ok, progress: conflict, review: ok, blocked: ok, done: ok},
		review:   {todo: ok, progress: ok, review: conflict, blocked: ok, done: ok},
		blocked:  {todo: ok, progress: ok, review: ok, blocked: conflict, done: ok},
		done:     {todo: ok, progress: ok, review: invalid, blocked: invalid, done: conflict},
	}

	if len(want) != len(baton.Statuses) {
		t.Fatalf("matrix has %d rows, want one per status (%d)", len(want), len(baton.Statuses))
	}
	cells := 0
	for _, from := range baton.Statuses {
		row, found := want[from]
		if !found {
			t.Fatalf("matrix has no row for %q", from)
		}
		if len(row) != len(baton.Statuses) {
			t.Fatalf("row %q has %d cells, want %d", from, len(row), len(baton.Statuses))
		}
		for _, to := range baton.Statuses {
			code, found := row[to]
			if !found {
				t.Fatalf("row %q has no cell for %q", from, to)
			}
			cells++
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				err := baton.CheckTransition(from, to)
				if got := baton.ErrorCode(err); got != code {
					t.Fatalf("CheckTransition(%q, %q) code = %q (err %v), want %q", from, to, got, err, code)
				}
				if code != ok && baton.ErrorMessage(err) == "" {
					t.Errorf("CheckTransition(%q, %q) refused without a user-facing message", from, to)
				}
			})
		}
	}
	if cells != 25 {
		t.Fatalf("checked %d cells, want 25", cells)
	}
}

func TestCheckTransitionRules(t *testing.T) {
	// The rules the matrix encodes, checked independently of the literal table above.
	for _, from := range baton.Statuses {
		for _, to := range baton.Statuses {
			err := baton.CheckTransition(from, to)
			var allowed bool
			switch {
			case from == to:
				allowed = false
			case from.Open():
				allowed = true
			default: // done
				allowed = to == baton.StatusTodo || to == baton.StatusInProgress
			}
			if allowed != (err == nil) {
				t.Errorf("CheckTransition(%q, %q) = %v, allowed should be %v", from, to, err, allowed)
			}
		}
	}
}

func TestCheckTransitionUnknownTarget(t *testing.T) {
	for _, to := range []baton.Status{"", "archived", "Done", "DONE"} {
		err := baton.CheckTransition(baton.StatusTodo, to)
		if got := baton.ErrorCode(err); got != baton.EInvalid {
			t.Errorf("CheckTransition(todo, %q) code = %q, want %q", to, got, baton.EInvalid)
		}
	}
}

func TestCheckTransitionFromDoneSaysHowToReopen(t *testing.T) {
	err := baton.CheckTransition(baton.StatusDone, baton.StatusBlocked)
	msg := baton.ErrorMessage(err)
	if !strings.Contains(msg, "Reopen") {
		t.Errorf("message %q should tell the user to reopen the task", msg)
	}
}

func TestStatusLabelAndEmoji(t *testing.T) {
	labels := map[string]baton.Status{}
	emojis := map[string]baton.Status{}
	for _, s := range baton.Statuses {
		if s.Label() == "" {
			t.Errorf("%q has an empty label", s)
		}
		if s.Label() == string(s) {
			t.Errorf("%q label is the raw value", s)
		}
		if s.Emoji() == "" {
			t.Errorf("%q has an empty emoji", s)
		}
		if !strings.HasPrefix(s.Emoji(), ":") || !strings.HasSuffix(s.Emoji(), ":") {
			t.Errorf("%q emoji %q is not a :shortcode:", s, s.Emoji())
		}
		if other, dup := labels[s.Label()]; dup {
			t.Errorf("%q and %q share the label %q", s, other, s.Label())
		}
		if other, dup := emojis[s.Emoji()]; dup {
			t.Errorf("%q and %q share the emoji %q", s, other, s.Emoji())
		}
		labels[s.Label()] = s
		emojis[s.Emoji()] = s
	}
}

func TestStatusValidOpen(t *testing.T) {
	tests := []struct {
		s     baton.Status
		valid bool
		open  bool
	}{
		{baton.StatusTodo, true, true},
		{baton.StatusInProgress, true, true},
		{baton.StatusInReview, true, true},
		{baton.StatusBlocked, true, true},
		{baton.StatusDone, true, false},
		{"", false, false},
		{"archived", false, false},
	}
	for _, tt := range tests {
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.s, got, tt.valid)
		}
		if got := tt.s.Open(); got != tt.open {
			t.Errorf("%q.Open() = %v, want %v", tt.s, got, tt.open)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range baton.Statuses {
		got, err := baton.ParseStatus(string(s))
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, nil", s, got, err, s)
		}
	}
	for _, v := range []string{"", "archived", "Done", "Todo", " todo", "todo ", "in progress", "In review"} {
		got, err := baton.ParseStatus(v)
		if err == nil {
			t.Errorf("ParseStatus(%q) = %q, want an error", v, got)
			continue
		}
		if code := baton.ErrorCode(err); code != baton.EInvalid {
			t.Errorf("ParseStatus(%q) code = %q, want %q", v, code, baton.EInvalid)
		}
		if got != "" {
			t.Errorf("ParseStatus(%q) returned %q along with an error", v, got)
		}
		if baton.ErrorMessage(err) == "" {
			t.Errorf("ParseStatus(%q) error has no user-facing message", v)
		}
	}
}
