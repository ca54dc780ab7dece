package baton_test

import (
	"testing"

	"github.com/batonhq/baton"
)

func TestParseUserRef(t *testing.T) {
	tests := []struct {
		word string
		want baton.UserRef
		ok   bool
	}{
		{"<@U123>", baton.UserRef{ID: "U123"}, true},
		{"<@U123|ana>", baton.UserRef{ID: "U123", Name: "ana"}, true},
		{"<@U123|>", baton.UserRef{ID: "U123"}, true},
		{"<@W0ABC>", baton.UserRef{ID: "W0ABC"}, true},
		{"@ana", baton.UserRef{Name: "ana"}, true},
		{"@zoë", baton.UserRef{Name: "zoë"}, true},
		{"@ana.smith", baton.UserRef{Name: "ana.smith"}, true},
		{"ana", baton.UserRef{}, false},
		{"@", baton.UserRef{}, false},
		{"@ana!", baton.UserRef{}, false},
		{"<@u123>", baton.UserRef{}, false},
		{"<@C123>", baton.UserRef{}, false},
		{"<@U>", baton.UserRef{}, false},
		{"<@U123", baton.UserRef{}, false},
		{"<@U123>x", baton.UserRef{}, false},
		{"&lt;@U123&gt;", baton.UserRef{}, false},
		{"", baton.UserRef{}, false},
	}
	for _, tt := range tests {
		got, ok := baton.ParseUserRef(tt.word)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseUserRef(%q) = %+v, %v; want %+v, %v", tt.word, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUnescapeSlack(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"a &amp; b", "a & b"},
		{"&lt;b&gt;", "<b>"},
		// Unescaping happens once: an escaped entity stays an entity.
		{"&amp;lt;", "&lt;"},
		{"&amp;amp;", "&amp;"},
		{"&quot;", "&quot;"},
	}
	for _, tt := range tests {
		if got := baton.UnescapeSlack(tt.in); got != tt.want {
			t.Errorf("UnescapeSlack(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
