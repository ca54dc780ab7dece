package md

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const attack = "Plan <!here> <!channel> <http://evil.example|Your bank> & <b> < 5 > <@U999> <!subteam^S1>"

func TestEscShowsTextAsTyped(t *testing.T) {
	got := Esc(attack)
	if strings.ContainsAny(string(got), "<>") {
		t.Fatalf("Esc left markup: %q", got)
	}
	if want := "&lt;!here&gt;"; !strings.Contains(string(got), want) {
		t.Fatalf("Esc(%q) = %q, want it to contain %q", attack, got, want)
	}
}

func TestFEscapesEveryArgumentButTexts(t *testing.T) {
	got := F("%s made *%s* for %s (%d, %.1f%%, %v)", Mention("U1"), attack, Esc("a<b"), 42, 12.5, []string{"<!here>"})
	want := "<@U1> made *" + string(Esc(attack)) + "* for a&lt;b (42, 12.5%, [&lt;!here&gt;])"
	if string(got) != want {
		t.Fatalf("F = %q\nwant %q", got, want)
	}
	if tokens := Markup(got); len(tokens) != 1 || tokens[0] != "<@U1>" {
		t.Fatalf("markup in F's result: %q, want only the mention", tokens)
	}
}

func TestFNeverCutsAText(t *testing.T) {
	link := Link("https://x.slack.com/archives/C1/p1", "card")
	if got := F("%.5s|%-40s|%q", link, link, link); got != link+"|"+link+"|"+link {
		t.Fatalf("F cut or quoted a Text: %q", got)
	}
}

func TestConstructorsRefuseWhatIsNotTheirs(t *testing.T) {
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		got  Text
		want Text
	}{
		{"mention", Mention("U12AB"), "<@U12AB>"},
		{"mention of a workspace user", Mention("W12"), "<@W12>"},
		{"mention of a broadcast", Mention("!here"), "@!here"},
		{"mention with markup", Mention("U1><!channel"), "@U1&gt;&lt;!channel"},
		{"channel", Channel("C0LAUNCH"), "<#C0LAUNCH>"},
		{"channel with markup", Channel("C1>|<!here"), "#C1&gt;|&lt;!here"},
		{"date", Date(at, "{date_short_pretty} at {time}"), "<!date^1796549400^{date_short_pretty} at {time}|Sun 6 Dec 2026 09:30 UTC>"},
		{"date with a link smuggled into its format", Date(at, "{date}^https://evil.example"), "Sun 6 Dec 2026 09:30 UTC"},
		{"link", Link("https://x.slack.com/archives/C1/p1?a=1&b=2", "this message"), "<https://x.slack.com/archives/C1/p1?a=1&amp;b=2|this message>"},
		{"link to something else", Link("javascript:alert(1)", "label"), "label"},
		{"link with markup in its address", Link("https://a.example/|<!here>", "label"), "label"},
		{"code", Code("a`b<c"), "`a'b&lt;c`"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestWithMentionsKeepsPeopleOnly(t *testing.T) {
	got := WithMentions("Ask <@U1> and <@W2|bo>, not <!here> or <@U1><!channel> or <http://evil.example|bank>")
	tokens := Markup(got)
	want := []string{"<@U1>", "<@W2>", "<@U1>"}
	if strings.Join(tokens, " ") != strings.Join(want, " ") {
		t.Fatalf("WithMentions kept %q, want %q (text %q)", tokens, want, got)
	}
}

func TestClipNeverCutsMarkupOrEscapes(t *testing.T) {
	at := time.Unix(1797067800, 0)
	text := F("%s %s %s", Mention("U123"), "a&b<c>", Date(at, "{time}"))
	for n := 0; n <= text.Len()+1; n++ {
		got := Clip(text, n)
		if got.Len() > n {
			t.Fatalf("Clip(%d) = %q: %d characters", n, got, got.Len())
		}
		for _, p := range pieces(got) {
			if p.atomic && !(strings.HasPrefix(p.s, "<") && strings.HasSuffix(p.s, ">") || strings.HasPrefix(p.s, "&") && strings.HasSuffix(p.s, ";")) {
				t.Fatalf("Clip(%d) = %q cut %q", n, got, p.s)
			}
		}
	}
	if got := Clip(text, text.Len()); got != text {
		t.Fatalf("Clip to its own length changed %q to %q", text, got)
	}
}

func TestReplaceLeavesMarkupAlone(t *testing.T) {
	text := F("%s wrote:\n%s", Mention("U1"), "line <one>\nline & two")
	got := Quote(text)
	want := Text("> <@U1> wrote:\n> line &lt;one&gt;\n> line &amp; two")
	if got != want {
		t.Fatalf("Quote = %q, want %q", got, want)
	}
	if got := Replace(Esc("a&b"), "amp", "<!here>"); got != Esc("a&b") {
		t.Fatalf("Replace reached into an escape: %q", got)
	}
}

func TestMrkdwnTextsFindsWhatSlackReadsAsMarkup(t *testing.T) {
	var view any
	if err := json.Unmarshal([]byte(`{"title":{"type":"plain_text","text":"<!here> shown as typed"},"blocks":[
		{"type":"section","text":{"type":"mrkdwn","text":"one"},"fields":[{"type":"mrkdwn","text":"two"}]},
		{"type":"context","elements":[{"type":"plain_text","text":"plain"},{"type":"mrkdwn","text":"three"}]}]}`), &view); err != nil {
		t.Fatal(err)
	}
	got := MrkdwnTexts(view)
	sort.Strings(got)
	if strings.Join(got, ",") != "one,three,two" {
		t.Fatalf("MrkdwnTexts = %q, want one, two and three", got)
	}
}

// FuzzNothingTypedBecomesMarkup: whatever a person types, through every constructor that takes a
// string, yields no markup but what the constructor itself means to make.
func FuzzNothingTypedBecomesMarkup(f *testing.F) {
	for _, s := range []string{attack, "", "&", "<b>", "< 5 >", "<@U1|x>", "<@U1>", "&lt;!here&gt;", "\x00\x1f", "a|b>c", "`<!here>`"} {
		f.Add(s, 10)
	}
	mention := regexp.MustCompile(`^<@[UW][A-Z0-9]{1,20}>$`)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) {
			return
		}
		for name, text := range map[string]Text{
			"Esc": Esc(s), "F": F("*%s* %q %v", s, s, s), "Code": Code(s), "Mention": Mention(s),
			"Channel": Channel(s), "Date": Date(time.Unix(0, 0), s), "Link": Link(s, Esc(s)),
			"Clip": Clip(F("%s %s", Mention("U1"), s), n%200), "Quote": Quote(Esc(s)), "Replace": Replace(Esc(s), s, s),
			"Join": Join([]Text{Esc(s), Esc(s)}, Esc(s)),
		} {
			for _, tok := range Markup(text) {
				if name == "Date" && strings.HasPrefix(tok, "<!date^0^") || name == "Link" && strings.HasPrefix(tok, "<http") {
					continue
				}
				if name == "WithMentions" && mention.MatchString(tok) {
					continue
				}
				if name == "Mention" && tok == "<@"+s+">" || name == "Channel" && tok == "<#"+s+">" || name == "Clip" && tok == "<@U1>" {
					continue
				}
				t.Fatalf("%s(%q) made markup %q: %q", name, s, tok, text)
			}
		}
		for _, tok := range Markup(WithMentions(s)) {
			if !mention.MatchString(tok) {
				t.Fatalf("WithMentions(%q) made markup %q", s, tok)
			}
		}
		if l := Link(s, Esc(s)); strings.HasPrefix(string(l), "<") && strings.Count(string(l), "<") != 1 {
			t.Fatalf("Link(%q) opened more than one piece of markup: %q", s, l)
		}
	})
}
