package handlers

import (
	"cmp"
	"slices"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// actHomeRecord opens a direct report's record from the dashboard; the action_id ends with their
// user ID, so each line's button is told apart.
const actHomeRecord = "home.record:"

// homeTeamLimit is how many direct reports "Your team" lists, a block each.
const homeTeamLimit = 8

// teamHomeBlocks is "Your team": a line per direct report, those with the most overdue and blocked
// tasks first, each with a button to their full record. Nothing when the person manages no one.
func teamHomeBlocks(lines []baton.TeamLine) []slack.Block {
	if len(lines) == 0 {
		return nil
	}
	lines = slices.Clone(lines)
	slices.SortStableFunc(lines, func(a, b baton.TeamLine) int {
		return cmp.Or(cmp.Compare(b.Overdue+b.Blocked, a.Overdue+a.Blocked), cmp.Compare(a.UserID, b.UserID))
	})
	blocks := homeSection("team", md.F(":busts_in_silhouette: *Your team* (%d)", len(lines)))
	for _, l := range lines[:min(len(lines), homeTeamLimit)] {
		text := md.F("%s — %d open · %d overdue · %d blocked", md.Mention(l.UserID), l.Open, l.Overdue, l.Blocked)
		if rate, ok := l.OnTimeRate(); ok {
			text += md.F(" · %.0f%% on time (%d of %d)", rate*100, l.OnTime, l.DoneWithDue)
		}
		text += md.F(" · %s waiting", plural(l.Waiting, "request"))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(text), nil,
			slack.NewAccessory(slack.NewButtonBlockElement(actHomeRecord+l.UserID, l.UserID, plain("Record"))),
			slack.SectionBlockOptionBlockID("team_"+l.UserID)))
	}
	if more := len(lines) - homeTeamLimit; more > 0 {
		blocks = append(blocks, slack.NewContextBlock("team_more", mrkdwn(md.F("%d more — `/baton record @name` shows anyone's record.", more))))
	}
	return append(blocks, slack.NewContextBlock("team_note", mrkdwn(md.F("On time: tasks done by their due date in the last %d days.", baton.TeamLineDays))), slack.NewDividerBlock())
}
