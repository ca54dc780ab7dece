package handlers

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Callback IDs of the decision modals.
const (
	cbDecisionNew      = "decision.new"
	cbDecisionEdit     = "decision.edit"
	cbDecisionConflict = "decision.conflict"
)

// Action IDs on decision surfaces. The decision's number travels in the element's value.
const (
	actDecisionEdit    = "decision.edit"
	actDecisionHistory = "decision.history"
	actDecisionAck     = "decision.ack"
	actDecisionOpen    = "decision.open"
)

// Input block IDs of the decision form (a field's errors are keyed by its block ID).
const (
	fdTitle        = "d_title"
	fdStatus       = "d_status"
	fdDecision     = "d_decision"
	fdContext      = "d_context"
	fdAlternatives = "d_alternatives"
	fdTask         = "d_task"
	fdKR           = "d_kr"
	fdRequest      = "d_request"
	fdSupersedes   = "d_supersedes"
	fdFlagged      = "d_flagged"
	fdNote         = "d_note"
	fdChannel      = "d_channel"
)

// decisionFieldBlock maps a domain field to the form's input block.
var decisionFieldBlock = map[string]string{
	baton.FieldTitle: fdTitle, baton.FieldStatus: fdStatus, baton.FieldDecision: fdDecision, baton.FieldContext: fdContext,
	baton.FieldAlternatives: fdAlternatives, baton.FieldTask: fdTask, baton.FieldKR: fdKR, baton.FieldRequest: fdRequest,
	baton.FieldSupersedes: fdSupersedes, baton.FieldFlagged: fdFlagged,
}

// How much of a decision's long texts its card shows; the full record is one command away.
const (
	cardDecisionLen = 2000
	cardSideLen     = 700
	sectionTextLen  = 2900
)

// decisionMeta travels in a decision modal's private_metadata: which decision, the version the form
// was filled from, and the channel the command came from.
type decisionMeta struct {
	Number    int64  `json:"n,omitempty"`
	Version   int    `json:"v,omitempty"`
	ChannelID string `json:"c,omitempty"`
}

func (m decisionMeta) encode() string {
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeDecisionMeta(s string) (decisionMeta, error) {
	var m decisionMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, baton.Errorf(baton.EInvalid, "This form is out of date. Close it and start again with /decision.")
	}
	return m, nil
}

func decisionModalView(callbackID, title, submit string, meta decisionMeta, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackID, Title: plain(title), Submit: plain(submit), Close: plain("Cancel"),
		PrivateMetadata: meta.encode(), Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func refText(n int64, format func(int64) string) string {
	if n == 0 {
		return ""
	}
	return format(n)
}

// decisionModal is the decision form: empty for a new decision (d nil), prefilled to edit one.
func decisionModal(d *baton.Decision, channelID string) slack.ModalViewRequest {
	var f baton.DecisionFields
	if d != nil {
		f = d.DecisionFields
	}
	if f.Status == "" {
		f.Status = baton.DecisionProposed
	}
	opts := make([]*slack.OptionBlockObject, 0, len(baton.DecisionStatuses))
	var current *slack.OptionBlockObject
	for _, s := range baton.DecisionStatuses {
		o := slack.NewOptionBlockObject(string(s), plain(s.Label()), nil)
		if s == f.Status {
			current = o
		}
		opts = append(opts, o)
	}
	status := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Status"), fdStatus, opts...)
	status.InitialOption = current
	flagged := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Choose people"), fdFlagged)
	flagged.InitialUsers = f.Flagged
	maxFlagged := baton.MaxFlagged
	flagged.MaxSelectedItems = &maxFlagged
	flaggedIn := slack.NewInputBlock(fdFlagged, plain("Flag for"), plain("They get a direct message to acknowledge, and may edit the decision."), flagged)
	flaggedIn.Optional = true
	blocks := []slack.Block{
		textInput(fdTitle, "Title", "Use Postgres for the job queue", f.Title, baton.MaxDecisionTitleLen, false, false),
		slack.NewInputBlock(fdStatus, plain("Status"), nil, status),
		textInput(fdDecision, "Decision", "What was decided", f.Decision, baton.MaxDecisionTextLen, true, false),
		textInput(fdContext, "Context", "Why this came up, what constrains it", f.Context, baton.MaxDecisionTextLen, true, true),
		textInput(fdAlternatives, "Alternatives considered", "What else was on the table, and why not", f.Alternatives, baton.MaxDecisionTextLen, true, true),
		textInput(fdTask, "Task", "T-12", refText(f.TaskNumber, baton.TaskRef), 24, false, true),
		textInput(fdKR, "Key result", "KR-7", refText(f.KRNumber, baton.KRRef), 24, false, true),
		textInput(fdRequest, "Approval request", "R-9", refText(f.RequestNumber, baton.RequestRef), 24, false, true),
		textInput(fdSupersedes, "Supersedes", "D-3", refText(f.SupersedesNumber, baton.DecisionRef), 24, false, true),
		flaggedIn,
		textInput(fdNote, "Why flag them", "What they should look at, or what changed", "", baton.MaxFlagNoteLen, true, true),
	}
	if d == nil {
		ch := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Choose a channel"), fdChannel)
		ch.InitialConversation = channelID
		ch.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}}
		blocks = append(blocks, slack.NewInputBlock(fdChannel, plain("Post the decision in"), nil, ch))
		return decisionModalView(cbDecisionNew, "New decision", "Record", decisionMeta{ChannelID: channelID}, blocks...)
	}
	return decisionModalView(cbDecisionEdit, clip("Edit "+d.Ref(), 24), "Save", decisionMeta{Number: d.Number, Version: d.Version}, blocks...)
}

// decisionConflictModal replaces an edit form whose base version moved on: nothing was saved, and
// Reload opens the form again on the latest version. notice says why, as userMessage words it.
func decisionConflictModal(number int64, notice md.Text) slack.ModalViewRequest {
	return decisionModalView(cbDecisionConflict, clip(baton.DecisionRef(number)+" changed", 24), "Reload", decisionMeta{Number: number},
		slack.NewSectionBlock(mrkdwn(notice), nil, nil, slack.SectionBlockOptionBlockID("decision_conflict")),
		slack.NewContextBlock("decision_conflict_hint", mrkdwn("Copy anything you typed before reloading: the form opens with the latest version.")),
	)
}

// recordText is the text of a decision, safe inside mrkdwn with the <@U…> mentions kept, cut to at most
// n characters; cut reports whether anything was left out.
func recordText(s string, n int) (text md.Text, cut bool) {
	full := md.WithMentions(s)
	text = md.Clip(full, n)
	return text, text != full
}

// chunkText splits the text of a decision into mrkdwn pieces of at most n characters each, mentions
// kept. A piece is never cut inside a mention or an escape: one mention longer than n is a piece of
// its own.
func chunkText(s string, n int) []md.Text {
	rest := md.WithMentions(strings.ToValidUTF8(s, "\uFFFD"))
	var out []md.Text
	for rest.Len() > n {
		piece := rest
		for size := n; size < rest.Len(); size++ {
			// Shorter than rest, Clip cuts between characters, never inside markup, and ends with "…".
			if c := md.Clip(rest, size); len(c) > len("…") {
				piece = c[:len(c)-len("…")]
				break
			}
		}
		out = append(out, piece)
		rest = rest[len(piece):]
	}
	if rest != "" {
		out = append(out, rest)
	}
	return out
}

// decisionHeadline is a decision's title line with its short ID.
func decisionHeadline(d baton.Decision) md.Text {
	return md.F("*%s · %s*", d.Ref(), d.Title)
}

// decisionSummary is the one-line fallback text of a decision message.
func decisionSummary(d baton.Decision) md.Text {
	return md.F("%s %s — %s, by %s", d.Ref(), d.Title, d.Status.Label(), md.Mention(d.AuthorID))
}

func decisionMetaLine(d baton.Decision) md.Text {
	line := md.F("%s *%s* · recorded by %s · version %d", d.Status.Emoji(), d.Status.Label(), md.Mention(d.AuthorID), d.Version)
	if d.Version > 1 {
		line += md.F(" · updated %s by %s", md.Date(d.UpdatedAt, "{date_short_pretty} at {time}"), md.Mention(d.UpdatedBy))
	}
	return line
}

// decisionLinks are the decision's links as card fields. The key result, when known, shows its title
// and progress.
func decisionLinks(d baton.Decision, kr *baton.KeyResult) []*slack.TextBlockObject {
	var fields []*slack.TextBlockObject
	add := func(label string, n int64, format func(int64) string) {
		if n != 0 {
			fields = append(fields, mrkdwn(md.F("*%s*\n%s", label, format(n))))
		}
	}
	add("Task", d.TaskNumber, baton.TaskRef)
	if kr != nil && kr.Number == d.KRNumber {
		fields = append(fields, mrkdwn(md.F("*Key result*\n%s %s (%d%%)", kr.Ref(), clip(kr.Title, 80), baton.Percent(kr.Progress()))))
	} else {
		add("Key result", d.KRNumber, baton.KRRef)
	}
	add("Approval request", d.RequestNumber, baton.RequestRef)
	add("Supersedes", d.SupersedesNumber, baton.DecisionRef)
	add("Superseded by", d.SupersededByNumber, baton.DecisionRef)
	return fields
}

// flagsLine says who has acknowledged the decision and who has not yet.
func flagsLine(flags []baton.DecisionFlag) md.Text {
	var acked, waiting []md.Text
	for _, f := range flags {
		if f.Acknowledged() {
			acked = append(acked, ":white_check_mark: "+md.Mention(f.UserID))
		} else {
			waiting = append(waiting, md.Mention(f.UserID))
		}
	}
	var parts []md.Text
	if len(acked) > 0 {
		parts = append(parts, "Acknowledged: "+namesUpTo(acked, flagNamesShown))
	}
	if len(waiting) > 0 {
		parts = append(parts, ":hourglass_flowing_sand: Not yet acknowledged: "+namesUpTo(waiting, flagNamesShown))
	}
	return md.Clip(md.Join(parts, "\n"), 3000)
}

// flagNamesShown is how many people each list of a card names before it counts the rest.
const flagNamesShown = 25

// namesUpTo joins up to n names, then counts the rest.
func namesUpTo(names []md.Text, n int) md.Text {
	s := md.Join(names[:min(len(names), n)], ", ")
	if more := len(names) - n; more > 0 {
		s += md.F(" and %d more", more)
	}
	return s
}

// decisionCardBlocks renders a decision: the card in its channel (long texts shortened, pointing to
// the full record), or the full record itself with every word, split over as many sections as needed.
// kr is the key result it links, when it could be read.
func decisionCardBlocks(d baton.Decision, flags []baton.DecisionFlag, kr *baton.KeyResult, full bool) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(decisionHeadline(d)), nil, nil, slack.SectionBlockOptionBlockID("decision_title")),
		slack.NewContextBlock("decision_meta", mrkdwn(decisionMetaLine(d))),
	}
	shortened := false
	texts := []struct {
		id, label, text string
		limit           int
	}{
		{"decision_text", "Decision", d.Decision, cardDecisionLen},
		{"decision_context", "Context", d.Context, cardSideLen},
		{"decision_alternatives", "Alternatives considered", d.Alternatives, cardSideLen},
	}
	for _, t := range texts {
		if t.text == "" {
			continue
		}
		if !full {
			text, cut := recordText(t.text, t.limit)
			shortened = shortened || cut
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.F("*%s*\n%s", t.label, text)), nil, nil, slack.SectionBlockOptionBlockID(t.id)))
			continue
		}
		for i, piece := range chunkText(t.text, sectionTextLen) {
			var head md.Text
			if i == 0 {
				head = md.F("*%s*\n", t.label)
			}
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(head+piece), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("%s_%d", t.id, i))))
		}
	}
	if shortened {
		blocks = append(blocks, slack.NewContextBlock("decision_full", mrkdwn(md.F("Shortened to fit — see the full record with `/decision %s`.", d.Ref()))))
	}
	if links := decisionLinks(d, kr); len(links) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(nil, links, nil, slack.SectionBlockOptionBlockID("decision_links")))
	}
	if line := flagsLine(flags); line != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Flagged for*\n"+line), nil, nil, slack.SectionBlockOptionBlockID("decision_flags")))
	}
	num := strconv.FormatInt(d.Number, 10)
	return append(blocks, slack.NewActionBlock("decision_actions",
		slack.NewButtonBlockElement(actDecisionEdit, num, plain("Edit")),
		slack.NewButtonBlockElement(actDecisionHistory, num, plain("History")),
	))
}

// changedWords names changed fields as people read them: "status, decision".
func changedWords(fields []string) string {
	words := make([]string, len(fields))
	for i, f := range fields {
		words[i] = strings.ToLower(baton.DecisionFieldLabel(f))
	}
	return strings.Join(words, ", ")
}

// decisionEditLine says who saved which version and what changed.
func decisionEditLine(d baton.Decision, v baton.DecisionVersion) md.Text {
	return md.F(":pencil2: %s saved version %d of %s: changed %s.", md.Mention(v.EditorID), v.Version, d.Ref(), changedWords(v.Changed))
}

// taskDecisionLine tells a task's thread that a decision about it was recorded; the decision's ID links
// to its card when there is one.
func taskDecisionLine(d baton.Decision, cardLink string) md.Text {
	ref := md.Esc(d.Ref())
	if cardLink != "" {
		ref = md.Link(cardLink, ref)
	}
	return md.F(":scroll: %s recorded decision %s *%s* (%s) for this task.", md.Mention(d.AuthorID), ref, d.Title, d.Status.Label())
}

// supersededLine tells the thread of a superseded decision's card which decision replaced it.
func supersededLine(d baton.Decision) md.Text {
	return md.F(":leftwards_arrow_with_hook: Superseded by %s *%s*, recorded by %s.", d.Ref(), d.Title, md.Mention(d.UpdatedBy))
}

// decisionEditReply is the card thread's reply for a new version.
func decisionEditReply(d baton.Decision, v baton.DecisionVersion) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(decisionEditLine(d, v)), nil, nil, slack.SectionBlockOptionBlockID("decision_event")),
		slack.NewContextBlock("decision_event_time", mrkdwn(md.F("%s · `/decision %s history` shows the changes", md.Date(v.At, "{date_short_pretty} at {time}"), d.Ref()))),
	}
}

// fieldDiffText renders how one field changed: long texts as a line diff, short values as old → new.
func fieldDiffText(fd baton.FieldDiff, limit int) md.Text {
	switch fd.Field {
	case baton.FieldTitle, baton.FieldContext, baton.FieldDecision, baton.FieldAlternatives:
		body := md.Clip(md.Esc(strings.ReplaceAll(baton.FormatDiff(fd.Lines, 1), "```", "`\u200b``")), limit)
		return md.F("*%s*\n```%s```", fd.Label, body)
	}
	var old, new string
	for _, l := range fd.Lines {
		switch l.Op {
		case baton.DiffRemove:
			old = l.Text
		case baton.DiffAdd:
			new = l.Text
		}
	}
	if old == "" {
		old = "none"
	}
	if new == "" {
		new = "none"
	}
	// Short values are Baton's own words: a status, references, the mentions of who it is flagged for.
	return md.Clip(md.F("*%s*: %s → %s", fd.Label, md.WithMentions(old), md.WithMentions(new)), limit)
}

// versionText is one version of a history: who saved it when, and how each changed field differs
// from the version before.
func versionText(prev *baton.DecisionVersion, v baton.DecisionVersion) md.Text {
	head := md.F("*Version %d* · %s · %s", v.Version, md.Mention(v.EditorID), md.Date(v.At, "{date_short_pretty} at {time}"))
	if prev == nil {
		return head + "\nRecorded the decision."
	}
	diffs := baton.DiffVersions(prev, v)
	if len(diffs) == 0 {
		return head
	}
	per := (sectionTextLen - len(head)) / len(diffs)
	parts := []md.Text{head}
	for _, fd := range diffs {
		parts = append(parts, fieldDiffText(fd, per-40))
	}
	return md.Join(parts, "\n")
}

// maxHistoryVersions is how many versions a history shows in full; older ones are summarised.
const maxHistoryVersions = 10

// decisionHistoryBlocks lists a decision's versions, newest first, each with its line diff. Past the
// latest few, older versions are summarised in one line each.
func decisionHistoryBlocks(d baton.Decision, versions []baton.DecisionVersion) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(md.F("%s — history, %s", decisionHeadline(d), plural(len(versions), "version"))), nil, nil,
			slack.SectionBlockOptionBlockID("decision_history_title")),
	}
	var older []md.Text
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		var prev *baton.DecisionVersion
		if i > 0 {
			prev = &versions[i-1]
		}
		if len(versions)-i > maxHistoryVersions {
			what := "recorded it"
			if prev != nil {
				what = "changed " + changedWords(v.Changed)
			}
			older = append(older, md.F("v%d %s %s", v.Version, md.Mention(v.EditorID), what))
			continue
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(versionText(prev, v)), nil, nil,
			slack.SectionBlockOptionBlockID(fmt.Sprintf("decision_version_%d", v.Version))))
	}
	if len(older) > 0 {
		blocks = append(blocks, slack.NewContextBlock("decision_history_older",
			mrkdwn(md.Clip("Earlier: "+md.Join(older, " · "), sectionTextLen))))
	}
	return blocks
}

// decisionLine is one decision in a list.
func decisionLine(d baton.Decision) md.Text {
	line := md.F("%s *%s* %s — %s, by %s", d.Status.Emoji(), d.Ref(), clip(d.Title, 120), d.Status.Label(), md.Mention(d.AuthorID))
	for _, l := range []struct {
		n      int64
		format func(int64) string
	}{{d.TaskNumber, baton.TaskRef}, {d.KRNumber, baton.KRRef}, {d.RequestNumber, baton.RequestRef}} {
		if l.n != 0 {
			line += md.F(" · %s", l.format(l.n))
		}
	}
	return line
}

// decisionListBlocks renders found decisions within one message's limits.
func decisionListBlocks(title md.Text, found []baton.Decision) []slack.Block {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn("*"+title+"*"), nil, nil, slack.SectionBlockOptionBlockID("decision_list_title"))}
	if len(found) == 0 {
		return append(blocks, slack.NewContextBlock("decision_list_empty", mrkdwn("No decisions found. Record one with `/decision`.")))
	}
	var chunk []md.Text
	size, n := 0, 0
	flush := func() {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Join(chunk, "\n")), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("decision_list_%d", n))))
		chunk, size = nil, 0
		n++
	}
	for _, d := range found {
		line := decisionLine(d)
		if size+len(line)+1 > sectionTextLen {
			flush()
		}
		chunk = append(chunk, line)
		size += len(line) + 1
	}
	flush()
	return append(blocks, slack.NewContextBlock("decision_list_hint", mrkdwn("Open one with `/decision D-4`; its history with `/decision D-4 history`.")))
}

// flagNotice is the direct message that puts a decision in front of someone.
func flagNotice(d baton.Decision, v baton.DecisionVersion, f baton.DecisionFlag, flagged bool) md.Text {
	verb := "flagged you on"
	if !flagged {
		verb = "mentioned you in"
	}
	text := md.F(":pushpin: %s %s decision %s (%s).", md.Mention(f.FlaggedBy), verb, decisionHeadline(d), d.Status.Label())
	if v.Version > 1 {
		text = md.F(":pushpin: %s %s version %d of decision %s (%s): changed %s.", md.Mention(f.FlaggedBy), verb, v.Version,
			decisionHeadline(d), d.Status.Label(), changedWords(v.Changed))
	}
	if f.Reason != "" {
		text += "\n" + md.Quote(md.Clip(md.Esc(f.Reason), 1000))
	}
	return text
}

// flagReminder is the direct message that reminds someone, once, of a flag they have not acknowledged.
func flagReminder(d baton.Decision, f baton.DecisionFlag, now time.Time) md.Text {
	return md.F(":bell: Reminder: %s flagged decision %s for you %s ago, and it is not acknowledged yet.",
		md.Mention(f.FlaggedBy), decisionHeadline(d), since(f.FlaggedAt, now))
}

// flagMessageBlocks is a flag's direct message with Acknowledge and, when the card has a link, Open.
func flagMessageBlocks(d baton.Decision, version int, text md.Text, cardLink string) []slack.Block {
	ack := slack.NewButtonBlockElement(actDecisionAck, ackValue(d.Number, version), plain("Acknowledge"))
	ack.Style = slack.StylePrimary
	elements := []slack.BlockElement{ack}
	if cardLink != "" {
		open := slack.NewButtonBlockElement(actDecisionOpen, strconv.FormatInt(d.Number, 10), plain("Open"))
		open.URL = cardLink
		elements = append(elements, open)
	}
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("decision_flag")),
		slack.NewActionBlock("decision_flag_actions", elements...),
	}
}

// ackedMessageBlocks is a flag's direct message once acknowledged: the notice stays, the buttons go.
func ackedMessageBlocks(text md.Text) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("decision_flag")),
		slack.NewContextBlock("decision_flag_acked", mrkdwn(":white_check_mark: You acknowledged this.")),
	}
}

// decisionAckedText is the notice of a flag message as it was sent, to keep once its buttons go.
func decisionAckedText(msg slack.Message) md.Text {
	for _, b := range msg.Blocks.BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok && s.BlockID == "decision_flag" && s.Text != nil {
			return sentText(s.Text.Text)
		}
	}
	return sentText(msg.Text)
}

// sentMentionRe is a mention as Baton sends it, <@U123>, found in mrkdwn that Slack hands back.
var sentMentionRe = regexp.MustCompile(`<@([UW][A-Z0-9]{1,20})>`)

// sentText reads back mrkdwn that Baton sent, as Slack hands it back in an interaction's message (a flag
// notice: mentions, escaped text, formatting and quoted lines). The mentions stay mentions, the quotes
// quotes, and the text reads as it did; anything else that looks like markup is shown as text. What a
// person typed was escaped when it was sent, so it cannot come back as a mention.
func sentText(s string) md.Text {
	lines := strings.Split(s, "\n")
	out := make([]md.Text, len(lines))
	for i, line := range lines {
		var quote md.Text
		if rest, ok := strings.CutPrefix(line, ">"); ok {
			quote, line = ">", rest
		}
		parts := []md.Text{quote}
		last := 0
		for _, m := range sentMentionRe.FindAllStringSubmatchIndex(line, -1) {
			parts = append(parts, md.Esc(baton.UnescapeSlack(line[last:m[0]])), md.Mention(line[m[2]:m[3]]))
			last = m[1]
		}
		out[i] = md.Join(append(parts, md.Esc(baton.UnescapeSlack(line[last:]))), "")
	}
	return md.Join(out, "\n")
}

// homeFlagLimit is how many decisions to acknowledge the dashboard lists.
const homeFlagLimit = 5

// flagsHomeBlocks is the "Decisions flagged for you" section, ending in a divider: each decision the
// person has not acknowledged, who flagged it and since when, with Acknowledge; nothing when there is none.
func flagsHomeBlocks(flags []baton.PendingFlag, total int, cal baton.Calendar, now time.Time) []slack.Block {
	if len(flags) == 0 {
		return nil
	}
	blocks := homeSection("flags", md.F(":pushpin: *Decisions flagged for you* (%d)", total))
	for _, f := range flags[:min(len(flags), homeFlagLimit)] {
		text := md.F("*%s* %s — flagged by %s %s", md.Link(f.CardLink, md.Esc(baton.DecisionRef(f.Number))), clip(f.Title, 120),
			md.Mention(f.Flag.FlaggedBy), workAge(cal, f.Flag.FlaggedAt, now))
		if f.Flag.Reason != "" {
			var lines []md.Text
			for _, l := range strings.Split(f.Flag.Reason, "\n") {
				lines = append(lines, md.Esc(l))
			}
			text += "\n>" + md.Clip(md.Join(lines, "\n>"), 400)
		}
		// One Acknowledge per decision: each gets an action_id of its own, routed by the prefix.
		ack := slack.NewButtonBlockElement(fmt.Sprintf("%s:%d", actDecisionAck, f.Number), ackValue(f.Number, f.Flag.Version), plain("Acknowledge"))
		ack.Style = slack.StylePrimary
		controls := []slack.BlockElement{ack}
		if open := openButton("decision", f.Number, "Open", f.CardLink); open != nil {
			controls = append(controls, open)
		}
		blocks = append(blocks,
			slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("flag_%d", f.Number))),
			slack.NewActionBlock(fmt.Sprintf("flag_act_%d", f.Number), controls...))
	}
	if more := total - min(len(flags), homeFlagLimit); more > 0 {
		blocks = append(blocks, slack.NewContextBlock("flags_more", mrkdwn(md.F("%d more — read them with `/decision D-n`.", more))))
	}
	return append(blocks, slack.NewDividerBlock())
}

func ackValue(number int64, version int) string {
	return strconv.FormatInt(number, 10) + ":" + strconv.Itoa(version)
}

func parseAckValue(v string) (int64, int, error) {
	num, ver, ok := strings.Cut(v, ":")
	n, err1 := strconv.ParseInt(num, 10, 64)
	version, err2 := strconv.Atoi(ver)
	if !ok || err1 != nil || err2 != nil || n <= 0 || version <= 0 {
		return 0, 0, baton.Errorf(baton.EInvalid, "This button is out of date. Open the decision with /decision list.")
	}
	return n, version, nil
}

const decisionHelpText = "Baton decisions: /decision, /decision D-4, /decision D-4 history, /decision list …"

func decisionHelpBlocks(problem md.Text) []slack.Block {
	var b []slack.Block
	if problem != "" {
		b = append(b, slack.NewSectionBlock(mrkdwn(":thinking_face: "+problem+" Here is what /decision understands:"), nil, nil, slack.SectionBlockOptionBlockID("help_problem")))
	}
	return append(b, slack.NewSectionBlock(mrkdwn(
		"*Write decisions down with /decision*\n"+
			"• `/decision` — record a decision: context, what was decided, alternatives, links, who must know\n"+
			"• `/decision D-4` — the full record · `/decision D-4 history` — every version with what changed\n"+
			"• `/decision list` — the latest · `/decision list task T-12` · `/decision list KR-7` · `/decision list @person`\n"+
			"• `/decision list postgres queue` — search titles, context and decisions\n"+
			"• On a decision card: *Edit* saves a new version, *History* shows the changes"), nil, nil, slack.SectionBlockOptionBlockID("help")))
}
