package main

import (
	"strings"
	"testing"

	"github.com/batonhq/baton/bot/slackdouble"
)

// typedAttack is what a person might type to make Baton ping a channel or disguise a link.
const typedAttack = "Plan <!here> <!channel> <http://evil.example|Your bank> <!subteam^S0FIN> & <b> < 5 >"

// shownAsTyped is typedAttack as Slack must receive it to show it as typed.
const shownAsTyped = "Plan &lt;!here&gt; &lt;!channel&gt; &lt;http://evil.example|Your bank&gt; &lt;!subteam^S0FIN&gt; &amp; &lt;b&gt; &lt; 5 &gt;"

// TestTypedMarkupReachesNobodyAsMarkup types the attack into every kind of thing a person names —
// a task from the quick form and from the form, its status change and thread, a decision, a
// check-in, an objective and a key result — and checks that it comes back as typed wherever Baton
// shows it. The harness's markup audit then reads every message, version, ephemeral and view.
func TestTypedMarkupReachesNobodyAsMarkup(t *testing.T) {
	h := newHarness(t)

	h.command(bea, launc, "<@UANA> "+typedAttack)
	quick := h.card(launc, 1)
	h.selectStatus(ana, quick, "in_progress")
	h.threadReply(quick, "moved this from")

	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	if ack := h.submit(bea, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str(typedAttack)}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
		input("description", slackdouble.InputValue{Value: slackdouble.Str(typedAttack)}),
	)); len(ack.Payload) != 0 {
		t.Fatalf("the New task form was refused: %s", ack.Payload)
	}
	modal := h.card(launc, 2)

	decision := h.dcRecord(bea, typedAttack, typedAttack)
	h.ckCommand(bea, launc, "<@UANA> tomorrow at 10:00 "+typedAttack)
	h.ephemeral(bea, "Check-in *C-1* is set up", shownAsTyped)
	h.okr(bea, "new")
	if ack := h.submit(bea, h.view(bea, "okr.new"), form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str(typedAttack)}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
	)); len(ack.Payload) != 0 {
		t.Fatalf("the New objective form was refused: %s", ack.Payload)
	}
	h.dm(bea, "Created *O-1", shownAsTyped)
	h.okr(bea, "kr O-1")
	if ack := h.submit(bea, h.view(bea, "okr.kr"), krForm(typedAttack, ana, "0", "10", "deals")); len(ack.Payload) != 0 {
		t.Fatalf("the key result form was refused: %s", ack.Payload)
	}
	h.dm(bea, "Added *KR-1", shownAsTyped)
	h.idle()

	for name, m := range map[string]slackdouble.Message{"quick card": h.cardNow(quick), "form card": modal, "decision card": decision} {
		if !strings.Contains(m.Text, shownAsTyped) {
			t.Errorf("%s: its text (what notifications show) is not the title as typed:\n%s", name, m.Text)
		}
	}
	for _, who := range []string{bea, ana} {
		for _, m := range h.slack.Messages(h.slack.DMChannel(who)) {
			if strings.Contains(m.AllText(), "Plan") && !strings.Contains(m.AllText(), shownAsTyped) && !strings.Contains(m.AllText(), "Plan &lt;!here&gt;") {
				t.Errorf("a direct message to %s shows the typed text otherwise than as typed:\n%s", who, m.AllText())
			}
		}
	}
}

// TestTypedControlCharactersAreDroppedNotFatal: a NUL or an escape sequence in a title used to end
// in "Something went wrong"; now it is dropped and the task is made.
func TestTypedControlCharactersAreDroppedNotFatal(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "<@UANA> Ship\x00 the \x1b[1mpricing\x1b[0m page")
	h.card(launc, 1)
	if got := h.task(1).Title; got != "Ship the [1mpricing[0m page" {
		t.Errorf("title stored as %q", got)
	}
	if strings.Contains(h.ephemeralTexts(bea), "Something went wrong") {
		t.Errorf("the person was told something went wrong:\n%s", h.ephemeralTexts(bea))
	}
}

// TestANumberBeyondWhatIsKeptExactlyIsRefused: Baton used to store 99999999999999999999 rounded.
func TestANumberBeyondWhatIsKeptExactlyIsRefused(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=99999999999999999999 New laptops")
	h.ephemeral(bea, "has more digits than Baton keeps exactly for Amount", "at most 15 digits")
	h.idle()
	var n int
	if err := h.db.GetContext(h.ctx, &n, `SELECT count(*) FROM requests`); err != nil || n != 0 {
		t.Fatalf("%d requests stored (%v), want none", n, err)
	}
}
