package handlers

import (
	"regexp"
	"slices"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// typedMentionRe is a mention a person may type in a decision's text.
var typedMentionRe = regexp.MustCompile(`<@([UW][A-Z0-9]{1,20})(?:\|[^<>]{0,80})?>`)

// recordTyped is typed as it may reach the text of a decision: mentioning someone there flags the
// decision to them, and the form only accepts people of the workspace, so mentions of anyone but the
// fixture people are typed as a mention of one of them. Nothing else of what was typed may become markup.
func recordTyped(typed string) string {
	return typedMentionRe.ReplaceAllStringFunc(typed, func(m string) string {
		if id := typedMentionRe.FindStringSubmatch(m)[1]; slices.Contains([]string{fxAlice, fxBob, fxCal}, id) {
			return m
		}
		return md.Mention(fxCal).String()
	})
}

// decisionSurfaces renders every decision surface with typed in every field a person can type.
func decisionSurfaces(typed string) []surface {
	record := recordTyped(typed)
	fields := baton.DecisionFields{
		Title: typed, Context: record, Decision: record, Alternatives: record, Status: baton.DecisionAccepted,
		TaskNumber: 12, KRNumber: 7, RequestNumber: 9, SupersedesNumber: 2, Flagged: []string{fxBob, fxCal},
	}
	d := baton.Decision{
		ID: 3, TeamID: "T1", Number: 4, AuthorID: fxAlice, Version: 12, UpdatedBy: fxBob, SupersededByNumber: 5,
		DecisionFields: fields, ChannelID: fxChannel, CardTS: "1700000000.000100",
		CreatedAt: fxNow.Add(-48 * time.Hour), UpdatedAt: fxNow,
	}
	flags := []baton.DecisionFlag{
		{ID: 1, UserID: fxBob, FlaggedBy: fxAlice, Version: 12, Reason: typed, FlaggedAt: fxNow.Add(-time.Hour), AcknowledgedAt: fxNow},
		{ID: 2, UserID: fxCal, FlaggedBy: fxAlice, Version: 12, Reason: typed, FlaggedAt: fxNow.Add(-26 * time.Hour)},
	}
	kr := &baton.KeyResult{Number: 7, Title: typed, Kind: baton.KRMetric, Start: 0, Target: 100, Current: 40, Unit: typed}

	// Twelve versions: the first recorded it, each later one changed every field, the oldest are summarised.
	var versions []baton.DecisionVersion
	for i := 1; i <= 12; i++ {
		v := baton.DecisionVersion{ID: int64(i), DecisionID: d.ID, Version: i, EditorID: fxAlice, At: fxNow.Add(time.Duration(i-12) * time.Hour),
			DecisionFields: fields}
		if i%2 == 1 {
			v.Title, v.Context, v.Decision, v.Alternatives = "Earlier "+typed, "was "+record, record+"\n"+record, ""
			v.Status, v.TaskNumber, v.KRNumber, v.RequestNumber, v.SupersedesNumber, v.Flagged = baton.DecisionProposed, 0, 8, 0, 0, []string{fxAlice}
		}
		if i > 1 {
			v.Changed = baton.ChangedFields(versions[i-2].DecisionFields, v.DecisionFields)
		}
		versions = append(versions, v)
	}
	latest := versions[len(versions)-1]
	first := versions[0]

	notice := flagNotice(d, latest, flags[1], true)
	mentioned := flagNotice(d, first, flags[1], false)
	reminder := flagReminder(d, flags[1], fxNow)
	// The flag message as Slack hands it back when the Acknowledge button is pressed.
	sent := slack.Message{Msg: slack.Msg{Text: string(notice), Blocks: slack.Blocks{BlockSet: flagMessageBlocks(d, 12, notice, fxLink)}}}
	fallbackOnly := slack.Message{Msg: slack.Msg{Text: string(reminder)}}

	pending := []baton.PendingFlag{{Flag: flags[1], Number: d.Number, Title: typed}, {Flag: flags[0], Number: 5, Title: typed}}

	return []surface{
		{"decision card", decisionCardBlocks(d, flags, kr, false)},
		{"decision card without key result", decisionCardBlocks(d, flags, nil, false)},
		{"decision full record", decisionCardBlocks(d, flags, kr, true)},
		{"decision summary", decisionSummary(d)},
		{"decision headline", decisionHeadline(d)},
		{"decision edit line", decisionEditLine(d, latest)},
		{"decision edit reply", decisionEditReply(d, latest)},
		{"decision history", decisionHistoryBlocks(d, versions)},
		{"decision history title", md.F("History of %s", d.Ref())},
		{"decision version diff", versionText(&versions[len(versions)-2], latest)},
		{"decision list", decisionListBlocks(md.F("Decisions matching “%s”", clip(typed, 100)), []baton.Decision{d, d})},
		{"decision list empty", decisionListBlocks("Latest decisions", nil)},
		{"decision line", decisionLine(d)},
		{"decision flag notice", notice},
		{"decision mention notice", mentioned},
		{"decision flag dm", flagMessageBlocks(d, 12, notice, fxLink)},
		{"decision flag reminder", reminder},
		{"decision flag reminder dm", flagMessageBlocks(d, 12, reminder, fxLink)},
		{"decision acked message", ackedMessageBlocks(decisionAckedText(sent))},
		{"decision acked fallback", sentText(sent.Text)},
		{"decision acked without blocks", ackedMessageBlocks(decisionAckedText(fallbackOnly))},
		{"decision modal new", decisionModal(nil, fxChannel)},
		{"decision modal edit", decisionModal(&d, "")},
		{"decision conflict modal", decisionConflictModal(d.Number, ":warning: "+md.WithMentions(d.ConflictError(3).Message))},
		{"decision task thread line", taskDecisionLine(d, fxLink)},
		{"decision task thread line unlinked", taskDecisionLine(d, "")},
		{"decision superseded thread line", supersededLine(d)},
		{"decision flags on home", flagsHomeBlocks(pending, 9, baton.Calendar{}, fxNow)},
		{"decision help with problem", decisionHelpBlocks(md.F("I didn't understand `/decision %s`.", md.Clip(md.Esc(baton.UnescapeSlack(typed)), 200)))},
	}
}
