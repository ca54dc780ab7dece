package baton_test

import (
	"strings"
	"testing"

	"github.com/batonhq/baton"
)

func TestParseTaskCommand(t *testing.T) {
	type cmd = baton.TaskCommand
	tests := []struct {
		text string
		want cmd
	}{
		// The modal and help.
		{"", cmd{Kind: baton.TaskOpenModal}},
		{"   \t ", cmd{Kind: baton.TaskOpenModal}},
		{"help", cmd{Kind: baton.TaskHelp}},
		{"HELP", cmd{Kind: baton.TaskHelp}},
		{"?", cmd{Kind: baton.TaskHelp}},

		// Lists.
		{"list", cmd{Kind: baton.TaskList, Scope: baton.ListMine}},
		{"ls", cmd{Kind: baton.TaskList, Scope: baton.ListMine}},
		{"List mine", cmd{Kind: baton.TaskList, Scope: baton.ListMine}},
		{"list delegated", cmd{Kind: baton.TaskList, Scope: baton.ListDelegated}},
		{"list blocked", cmd{Kind: baton.TaskList, Scope: baton.ListBlocked}},
		{"list overdue", cmd{Kind: baton.TaskList, Scope: baton.ListOverdue}},
		{"list OVERDUE", cmd{Kind: baton.TaskList, Scope: baton.ListOverdue}},
		{"list <@U123|ana>", cmd{Kind: baton.TaskList, Scope: baton.ListUser, User: baton.UserRef{ID: "U123", Name: "ana"}}},
		{"list <@U123>", cmd{Kind: baton.TaskList, Scope: baton.ListUser, User: baton.UserRef{ID: "U123"}}},
		{"list @ana", cmd{Kind: baton.TaskList, Scope: baton.ListUser, User: baton.UserRef{Name: "ana"}}},
		{"list foo", cmd{Kind: baton.TaskUnknown, Problem: "list foo"}},
		{"list blocked overdue", cmd{Kind: baton.TaskUnknown, Problem: "list blocked overdue"}},

		// One task.
		{"T-12", cmd{Kind: baton.TaskShow, Number: 12}},
		{"t-12", cmd{Kind: baton.TaskShow, Number: 12}},
		{"#T-3", cmd{Kind: baton.TaskShow, Number: 3}},
		{"  T-7  ", cmd{Kind: baton.TaskShow, Number: 7}},
		{"t-12 history", cmd{Kind: baton.TaskHistory, Number: 12}},
		{"T-12 kr:KR-7*2", cmd{Kind: baton.TaskLinkGoal, Number: 12, KRWord: "KR-7*2", HasKR: true}},
		{"T-12 KR:none", cmd{Kind: baton.TaskLinkGoal, Number: 12, KRWord: "none", HasKR: true}},
		{"T-12 kr:", cmd{Kind: baton.TaskLinkGoal, Number: 12, HasKR: true}},
		{"T-12 History", cmd{Kind: baton.TaskHistory, Number: 12}},
		{"#t-3 HISTORY", cmd{Kind: baton.TaskHistory, Number: 3}},
		{"T-12 frobnicate", cmd{Kind: baton.TaskUnknown, Problem: "T-12 frobnicate"}},
		{"T-12 history please", cmd{Kind: baton.TaskUnknown, Problem: "T-12 history please"}},
		{"T-0", cmd{Kind: baton.TaskUnknown, Problem: "T-0"}},
		{"T-", cmd{Kind: baton.TaskUnknown, Problem: "T-"}},
		{"T12", cmd{Kind: baton.TaskUnknown, Problem: "T12"}},
		{"O-3", cmd{Kind: baton.TaskUnknown, Problem: "O-3"}},

		// The quick form.
		{"<@U123> Ship the thing due:tomorrow", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"},
			Title: "Ship the thing", DueWord: "tomorrow", HasDue: true}},
		{"<@U123> Ship DUE:Fri the thing", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"},
			Title: "Ship the thing", DueWord: "Fri", HasDue: true}},
		{"<@U123> Ship it due:", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"},
			Title: "Ship it", DueWord: "", HasDue: true}},
		{"<@U123|ana> Fix &lt;b&gt; tags &amp; more", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123", Name: "ana"},
			Title: "Fix <b> tags & more"}},
		{"@ana Write docs", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{Name: "ana"}, Title: "Write docs"}},
		{"@ana.b-c_d Write   the\tdocs", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{Name: "ana.b-c_d"}, Title: "Write the docs"}},
		{"<@W999> enterprise id", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "W999"}, Title: "enterprise id"}},
		{"<@U123>", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"}}},
		{"<@U123> Ship v2 due:friday kr:KR-7", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"},
			Title: "Ship v2", DueWord: "friday", HasDue: true, KRWord: "KR-7", HasKR: true}},
		{"<@U123> KR:kr-7 Ship v2", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"},
			Title: "Ship v2", KRWord: "kr-7", HasKR: true}},
		{"<@U123> Ship v2 kr:", cmd{Kind: baton.TaskQuick, Owner: baton.UserRef{ID: "U123"}, Title: "Ship v2", HasKR: true}},

		// Not understood.
		{"due:fri <@U1> x", cmd{Kind: baton.TaskUnknown, Problem: "due:fri <@U1> x"}},
		{"hello world", cmd{Kind: baton.TaskUnknown, Problem: "hello world"}},
		{"<@C123> a channel", cmd{Kind: baton.TaskUnknown, Problem: "<@C123> a channel"}},
		{"<#C123|general> x", cmd{Kind: baton.TaskUnknown, Problem: "<#C123|general> x"}},
		{"@ x", cmd{Kind: baton.TaskUnknown, Problem: "@ x"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := baton.ParseTaskCommand(tt.text)
			if got != tt.want {
				t.Errorf("ParseTaskCommand(%q) =\n  %+v\nwant\n  %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseTaskRef(t *testing.T) {
	tests := []struct {
		word string
		n    int64
		ok   bool
	}{
		{"T-12", 12, true},
		{"t-12", 12, true},
		{"#T-3", 3, true},
		{" T-1 ", 1, true},
		{"T-007", 7, true},
		{"T-999999999999999999", 999999999999999999, true},
		{"T-0", 0, false},
		{"T-00", 0, false},
		{"T--1", 0, false},
		{"T-1234567890123456789", 0, false}, // more than 18 digits
		{"##T-1", 0, false},
		{"T-1a", 0, false},
		{"T-١٢", 0, false}, // Arabic-Indic digits are not task numbers
		{"T 12", 0, false},
		{"12", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		n, ok := baton.ParseTaskRef(tt.word)
		if n != tt.n || ok != tt.ok {
			t.Errorf("ParseTaskRef(%q) = %d, %v; want %d, %v", tt.word, n, ok, tt.n, tt.ok)
		}
	}
}

func FuzzParseTaskCommand(f *testing.F) {
	for _, s := range []string{
		"", "help", "?", "list", "ls mine", "list delegated", "list blocked", "list overdue", "list <@U123|ana>",
		"list @ana", "list foo", "T-12", "t-12 history", "#T-3", "T-12 frobnicate", "T-0", "T-999999999999999999",
		"T-9999999999999999999", "<@U123> Ship the thing due:tomorrow", "<@U123|ana> Fix &lt;b&gt; tags &amp; more",
		"@ana Write docs", "<@W999> enterprise id", "due:fri <@U1> x", "hello world", "<@U1> due: due:x DUE:y Due:",
		"<@U1> &amp;due:x due&amp;:y", "<@U1>\u00a0due:fri\u2003title", "<@U1> dué:x", "@ \x00 \xff", "<@U1|\xff>",
		"<@U1> Ship kr:KR-7 due:fri", "<@U1> kr: KR:x kr:KR-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := baton.ParseTaskCommand(text)
		switch c.Kind {
		case baton.TaskOpenModal:
			if len(strings.Fields(text)) != 0 {
				t.Fatalf("%q opened the modal", text)
			}
		case baton.TaskQuick:
			for _, w := range strings.Fields(c.Title) {
				if len(w) >= 4 && strings.EqualFold(w[:4], "due:") {
					t.Fatalf("%q: title %q still holds the due token %q", text, c.Title, w)
				}
				if len(w) >= 3 && strings.EqualFold(w[:3], "kr:") {
					t.Fatalf("%q: title %q still holds the kr token %q", text, c.Title, w)
				}
			}
			if c.Title != strings.TrimSpace(c.Title) {
				t.Fatalf("%q: title %q is not trimmed", text, c.Title)
			}
			if !c.HasDue && c.DueWord != "" {
				t.Fatalf("%q: due word %q without a due token", text, c.DueWord)
			}
			if !c.HasKR && c.KRWord != "" {
				t.Fatalf("%q: kr word %q without a kr token", text, c.KRWord)
			}
			if c.Owner.ID == "" && c.Owner.Name == "" {
				t.Fatalf("%q: quick task without an owner", text)
			}
		case baton.TaskShow, baton.TaskHistory:
			if c.Number <= 0 {
				t.Fatalf("%q: task number %d", text, c.Number)
			}
		case baton.TaskList:
			switch c.Scope {
			case baton.ListMine, baton.ListDelegated, baton.ListBlocked, baton.ListOverdue:
			case baton.ListUser:
				if c.User.ID == "" && c.User.Name == "" {
					t.Fatalf("%q: list of nobody", text)
				}
			default:
				t.Fatalf("%q: unknown list scope %q", text, c.Scope)
			}
		case baton.TaskHelp:
		case baton.TaskUnknown:
			if c.Problem == "" {
				t.Fatalf("%q: not understood, but no problem to show", text)
			}
		default:
			t.Fatalf("%q: unknown kind %d", text, c.Kind)
		}
		if c.Kind != baton.TaskShow && c.Kind != baton.TaskHistory && c.Number != 0 {
			t.Fatalf("%q: kind %d carries number %d", text, c.Kind, c.Number)
		}
	})
}
