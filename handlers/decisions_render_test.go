package handlers

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

func sampleDecision() baton.Decision {
	return baton.Decision{
		ID: 3, TeamID: "T1", Number: 4, AuthorID: "UBEA", Version: 3, UpdatedBy: "UANA",
		DecisionFields: baton.DecisionFields{
			Title: "Use Postgres <for> jobs & timers", Context: "Redis may be flushed; ask <@UCAL>.", Decision: "Postgres keeps the truth.\nRedis indexes due times.",
			Alternatives: "A hand-made runner.", Status: baton.DecisionAccepted, TaskNumber: 12, KRNumber: 7, RequestNumber: 9, SupersedesNumber: 2,
			Flagged: []string{"UANA", "UCAL"},
		},
		ChannelID: "CLAUNCH", CardTS: "1700000000.000200", CreatedAt: fixedNow.Add(-48 * time.Hour), UpdatedAt: fixedNow,
	}
}

func sampleFlags() []baton.DecisionFlag {
	return []baton.DecisionFlag{
		{ID: 1, UserID: "UANA", FlaggedBy: "UBEA", Version: 3, AcknowledgedAt: fixedNow},
		{ID: 2, UserID: "UCAL", FlaggedBy: "UBEA", Version: 3},
	}
}

func sampleKR() *baton.KeyResult {
	return &baton.KeyResult{Number: 7, Title: "Reach <1,000> paying teams", Kind: baton.KRMetric, Start: 200, Target: 1000, Current: 600}
}

func sampleVersions() []baton.DecisionVersion {
	d := sampleDecision()
	v1 := baton.DecisionVersion{Version: 1, EditorID: "UBEA", At: fixedNow.Add(-48 * time.Hour), DecisionFields: d.DecisionFields}
	v1.Status, v1.Decision, v1.Flagged = baton.DecisionProposed, "Redis keeps the truth.\nRedis indexes due times.", []string{"UANA"}
	v2 := v1
	v2.Version, v2.EditorID, v2.At, v2.Decision = 2, "UANA", fixedNow.Add(-24*time.Hour), d.Decision
	v2.Changed = []string{baton.FieldDecision}
	v3 := baton.DecisionVersion{Version: 3, EditorID: "UANA", At: fixedNow, DecisionFields: d.DecisionFields,
		Changed: []string{baton.FieldStatus, baton.FieldFlagged}}
	return []baton.DecisionVersion{v1, v2, v3}
}

func TestDecisionRenderGolden(t *testing.T) {
	d := sampleDecision()
	versions := sampleVersions()
	flag := baton.DecisionFlag{UserID: "UCAL", FlaggedBy: "UBEA", Version: 3, Reason: "Check the <b> budget"}
	notice := flagNotice(d, versions[2], flag, true)
	cases := map[string]any{
		"decision_card":       decisionCardBlocks(d, sampleFlags(), sampleKR(), false),
		"decision_modal_new":  decisionModal(nil, "CLAUNCH"),
		"decision_modal_edit": decisionModal(&d, ""),
		"decision_conflict":   decisionConflictModal(4, ":warning: "+md.WithMentions(d.ConflictError(2).Message)),
		"decision_history":    decisionHistoryBlocks(d, versions),
		"decision_edit_reply": decisionEditReply(d, versions[2]),
		"decision_list":       decisionListBlocks("Decisions linked to T-12", []baton.Decision{d}),
		"decision_flag_dm":    flagMessageBlocks(d, 3, notice, "https://acme.slack.com/archives/CLAUNCH/p1700000000000200"),
		"decision_help":       decisionHelpBlocks("I didn't understand `/decision frob`."),
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, v) })
	}
}

func TestDecisionActionsHaveRoutes(t *testing.T) {
	r := bot.NewRouter()
	New(Config{}).Register(r)
	d := sampleDecision()
	ids := actionIDs(t, decisionCardBlocks(d, nil, nil, false))
	ids = append(ids, actionIDs(t, flagMessageBlocks(d, 1, "x", "https://x"))...)
	ids = append(ids, actionIDs(t, flagsHomeBlocks([]baton.PendingFlag{{Number: 4, Title: "Queue"}, {Number: 5, Title: "Retries"}}, 2, baton.Calendar{}, fixedNow))...)
	if len(ids) != 6 || ids[4] == ids[5] {
		t.Fatalf("action_ids %v, want edit, history, acknowledge, open and one acknowledge per decision on the dashboard", ids)
	}
	for _, id := range ids {
		if !r.HasAction(id) {
			t.Errorf("action_id %q is rendered but has no route", id)
		}
	}
}

// textsWithin walks rendered blocks and fails on any text object over Slack's limit of 3,000.
func textsWithin(t *testing.T, blocks []slack.Block) {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok && utf8.RuneCountInString(s) > 3000 {
				t.Errorf("a text of %d characters: %.80s…", utf8.RuneCountInString(s), s)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	walk(v)
	if len(blocks) > maxMessageBlocks {
		t.Errorf("%d blocks, over the limit of %d", len(blocks), maxMessageBlocks)
	}
}

func TestLongDecisionsStayWithinSlackLimits(t *testing.T) {
	d := sampleDecision()
	huge := strings.Repeat("<&> ", baton.MaxDecisionTextLen/4) // every character escapes to more
	d.Title = strings.Repeat("&", baton.MaxDecisionTitleLen)
	d.Decision, d.Context, d.Alternatives = huge, huge, strings.Repeat("<@UANA> ", baton.MaxDecisionTextLen/8)
	var flags []baton.DecisionFlag
	for i := range baton.MaxFlagged {
		flags = append(flags, baton.DecisionFlag{UserID: "U" + strings.Repeat("X", 10) + string(rune('A'+i)), AcknowledgedAt: fixedNow})
	}
	card := decisionCardBlocks(d, flags, nil, false)
	textsWithin(t, card)
	if !strings.Contains(mustJSON(t, card), "see the full record with `/decision D-4`") {
		t.Error("the shortened card does not point to the full record")
	}
	full := decisionCardBlocks(d, flags, sampleKR(), true)
	textsWithin(t, full)
	var back strings.Builder
	for _, b := range full {
		if s, ok := b.(*slack.SectionBlock); ok && strings.HasPrefix(s.BlockID, "decision_text_") {
			back.WriteString(strings.TrimPrefix(s.Text.Text, "*Decision*\n"))
		}
	}
	if unescapeRecord(back.String()) != huge {
		t.Error("the full record lost or changed words of the decision")
	}
	var versions []baton.DecisionVersion
	for i := 1; i <= 30; i++ {
		v := baton.DecisionVersion{Version: i, EditorID: "UANA", At: fixedNow, DecisionFields: d.DecisionFields}
		if i%2 == 0 {
			v.Decision, v.Context, v.Alternatives, v.Title = huge+"x", huge+"y", "z", "t"
		}
		if i > 1 {
			v.Changed = baton.ChangedFields(versions[i-2].DecisionFields, v.DecisionFields)
		}
		versions = append(versions, v)
	}
	history := decisionHistoryBlocks(d, versions)
	textsWithin(t, history)
	if !strings.Contains(mustJSON(t, history), "Earlier: v20") {
		t.Error("older versions are not summarised")
	}
}

func TestRecordTextKeepsMentionsAndEscapesTheRest(t *testing.T) {
	for in, want := range map[string]string{
		"ask <@UANA> & <b>":  "ask <@UANA> &amp; &lt;b&gt;",
		"<!channel> <#C1|x>": "&lt;!channel&gt; &lt;#C1|x&gt;",
		"<@UANA|ana> ok":     "<@UANA> ok",
		"<@lowercase>":       "&lt;@lowercase&gt;",
	} {
		if got, cut := recordText(in, 100); string(got) != want || cut {
			t.Errorf("recordText(%q) = %q, %v; want %q", in, got, cut, want)
		}
	}
	if got, cut := recordText("abcdef", 4); got != "abc…" || !cut {
		t.Errorf("cut = %q %v", got, cut)
	}
	d := sampleDecision()
	for _, notice := range []md.Text{
		flagNotice(d, sampleVersions()[2], baton.DecisionFlag{FlaggedBy: "UBEA", Reason: "Check <@UCAL> & <b>\n> quoted"}, true),
		flagReminder(d, baton.DecisionFlag{FlaggedBy: "UBEA", FlaggedAt: fixedNow.Add(-26 * time.Hour)}, fixedNow),
	} {
		if back := sentText(string(notice)); back != notice {
			t.Errorf("a flag notice read back as\n%s\nwant\n%s", back, notice)
		}
	}
	if got := sentText("&lt;@UEVE&gt; <!here> <@UANA> <http://evil.example|bank>"); got != "&lt;@UEVE&gt; &lt;!here&gt; <@UANA> &lt;http://evil.example|bank&gt;" {
		t.Errorf("sentText kept markup it should not: %s", got)
	}
	for _, bad := range []string{"", "4", "4:x", "0:1", "4:0"} {
		if _, _, err := parseAckValue(bad); err == nil {
			t.Errorf("parseAckValue(%q) accepted", bad)
		}
	}
	if n, v, err := parseAckValue(ackValue(4, 3)); n != 4 || v != 3 || err != nil {
		t.Errorf("ack value round trip: %d %d %v", n, v, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unescapeRecord undoes the escaping of a decision's text, to compare it with what was typed.
func unescapeRecord(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

func FuzzChunkText(f *testing.F) {
	for _, s := range []string{"", "a", "<@UANA> & <b>", strings.Repeat("<&>", 40), "<@U1|" + strings.Repeat("x", 200) + ">", "\xff<@"} {
		f.Add(s, uint8(10))
	}
	f.Fuzz(func(t *testing.T, s string, size uint8) {
		n := int(size%64) + 25 // the longest mention, <@ and 21 characters and >, fits in a piece
		var back strings.Builder
		for _, piece := range chunkText(s, n) {
			if piece.Len() > n || piece == "" {
				t.Fatalf("piece of %d characters, limit %d: %q", piece.Len(), n, piece)
			}
			p := string(piece)
			cutMarkup := slices.ContainsFunc(md.Markup(piece), func(m string) bool { return !strings.HasSuffix(m, ">") })
			if cutMarkup || strings.Count(p, "&") != strings.Count(p, "&amp;")+strings.Count(p, "&lt;")+strings.Count(p, "&gt;") {
				t.Fatalf("piece cut inside markup or an escape: %q", piece)
			}
			back.WriteString(string(piece))
		}
		if want := md.WithMentions(strings.ToValidUTF8(s, "\uFFFD")); back.String() != string(want) {
			t.Fatalf("chunks of %q rebuild %q, want %q", s, back.String(), want)
		}
	})
}
