package handlers

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/bot/md"
)

// People, channels and links the surfaces below are rendered with: the only markup allowed in them.
const (
	fxAlice   = "U0ALICE"
	fxBob     = "U0BOB"
	fxCal     = "U0CAL"
	fxChannel = "C0LAUNCH"
	fxLink    = "https://baton.slack.com/archives/C0LAUNCH/p1700000000000100"
)

var fxNow = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// surface is one thing Baton renders for Slack with typed in every field a person can type.
type surface struct {
	name   string
	output any // blocks, a view, an md.Text, or anything else that marshals to the JSON sent to Slack
}

// allSurfaces renders every surface of every feature. A new renderer adds itself to its feature's list.
func allSurfaces(typed string) []surface {
	return slices.Concat(taskSurfaces(typed), decisionSurfaces(typed), checkinSurfaces(typed),
		requestSurfaces(typed), okrSurfaces(typed), homeSurfaces(typed), recordSurfaces(typed))
}

var (
	allowedMarkup = []*regexp.Regexp{
		regexp.MustCompile(`^<@(` + fxAlice + `|` + fxBob + `|` + fxCal + `)>$`),
		regexp.MustCompile(`^<#` + fxChannel + `>$`),
		regexp.MustCompile(`^<!date\^\d+\^[a-z_{} ]+\|[^<>|]+>$`),
		regexp.MustCompile(`^<` + regexp.QuoteMeta(fxLink) + `\|[^<>]*>$`),
	}
	attacks = []string{
		"Plan <!here> <!channel> <http://evil.example|Your bank>",
		"&", "<b>", "< 5 >", "<@U0EVE>", "<@U0EVE|eve>", "<!subteam^S0TEAM|@finance>", "<!everyone>",
		"&lt;!here&gt;", "<#C0OTHER>", "<!date^1^{date}^http://evil.example|x>", "*bold* _it_ `code` ~x~",
		"line one\nline <two>\n> quoted", strings.Repeat("<!here>", 500),
	}
)

// foreignMarkup returns the markup in a rendered surface that Baton did not make for its fixtures.
func foreignMarkup(t *testing.T, output any) []string {
	t.Helper()
	var texts []string
	if text, ok := output.(md.Text); ok {
		texts = append(texts, string(text))
	} else {
		raw, err := json.Marshal(output)
		if err != nil {
			t.Fatalf("marshal %T: %v", output, err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("unmarshal %s: %v", raw, err)
		}
		texts = md.MrkdwnTexts(v)
	}
	var out []string
	for _, text := range texts {
		for _, tok := range md.Markup(text) {
			if !slices.ContainsFunc(allowedMarkup, func(re *regexp.Regexp) bool { return re.MatchString(tok) }) {
				out = append(out, tok)
			}
		}
	}
	return out
}

func checkSurfaces(t *testing.T, typed string) {
	t.Helper()
	for _, s := range allSurfaces(typed) {
		if foreign := foreignMarkup(t, s.output); len(foreign) > 0 {
			t.Errorf("%s with %q typed: markup Baton did not make: %q", s.name, typed, foreign)
		}
	}
}

func TestTypedTextNeverBecomesMarkup(t *testing.T) {
	if n := len(allSurfaces("x")); n < 40 {
		t.Fatalf("only %d surfaces are checked", n)
	}
	for _, typed := range attacks {
		checkSurfaces(t, typed)
	}
}

func TestTheCheckSeesForeignMarkup(t *testing.T) {
	for _, output := range []any{
		md.Text("<!here>"),
		[]any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "a <@U0EVE> b"}}},
		map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": "a <http://evil.example|bank>"}}},
	} {
		if foreign := foreignMarkup(t, output); len(foreign) != 1 {
			t.Errorf("in %v found %q, want one piece of foreign markup", output, foreign)
		}
	}
	if foreign := foreignMarkup(t, md.F("%s on %s in %s", md.Mention(fxAlice), md.Date(fxNow, "{date}"), md.Channel(fxChannel))); len(foreign) > 0 {
		t.Errorf("Baton's own markup counted as foreign: %q", foreign)
	}
}

func FuzzTypedTextNeverBecomesMarkup(f *testing.F) {
	for _, a := range attacks {
		f.Add(a)
	}
	f.Fuzz(checkSurfaces)
}
