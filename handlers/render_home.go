package handlers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Action IDs on the dashboard. Each line's controls carry the line's number in their action_id
// (routed by prefix), so every control of the view is told apart; most route to the handler the same
// control has on its card, under the same rules.
const (
	actHomeKR      = "home.kr"      // open a key result the person owns
	actHomeCheckin = "home.checkin" // open a check-in the person sent
	actHomeOpen    = "home.open"    // a link button: Slack opens its url and tells Baton, which has nothing to do
)

// homeActLimit is how many lines of a section that carries controls on each line the dashboard shows:
// each costs two blocks of the view's hundred.
const homeActLimit = 5

// homeBlocks renders a person's dashboard. Every section is bounded, so the view stays far below
// Slack's 100-block limit however many tasks there are. Each line leads to where its item lives,
// and the decisions a dashboard is for are made on it.
func homeBlocks(d homeData, now time.Time) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Your Baton dashboard")),
		slack.NewActionBlock("home_actions", slack.NewButtonBlockElement(actHomeNewTask, "new", plain("New task")), digestSelect(d.digest)),
		slack.NewContextBlock("home_updated", mrkdwn("Updated "+md.Date(now, "{date_short_pretty} at {time}"))),
		slack.NewDividerBlock(),
	}

	blocks = append(blocks, homeSection("attention", md.F(":rotating_light: *Needs your attention* (%d)", d.attentionTotal))...)
	if len(d.attention) == 0 {
		blocks = append(blocks, slack.NewContextBlock("attention_empty", mrkdwn("Nothing blocked or overdue. :sunny:")))
	} else {
		for _, t := range d.attention[:min(len(d.attention), homeActLimit)] {
			blocks = append(blocks, attentionBlocks(t, d.userID, d.cal, now)...)
		}
		if more := d.attentionTotal - min(len(d.attention), homeActLimit); more > 0 {
			blocks = append(blocks, slack.NewContextBlock("attention_more",
				mrkdwn(md.F("%d more — see them with `/task list blocked` and `/task list overdue`.", more))))
		}
	}
	blocks = append(blocks, slack.NewDividerBlock())
	blocks = append(blocks, awaitingHomeBlocks(d.awaiting, d.awaitingTotal, d.cal, now)...)
	blocks = append(blocks, flagsHomeBlocks(d.flags, d.flagsTotal, d.cal, now)...)

	blocks = append(blocks, homeSection("delegated", md.F(":baton: *Delegated by you* (%d open)", d.delegatedTotal))...)
	if len(d.delegated) == 0 {
		blocks = append(blocks, slack.NewContextBlock("delegated_empty", mrkdwn("Nothing handed over. Try `/task @someone Title` or the New task button.")))
	}
	shown := 0
	for _, s := range homeStatusOrder {
		var group []baton.Task
		for _, t := range d.delegated {
			if t.Status == s {
				group = append(group, t)
			}
		}
		count := max(d.delegatedByStatus[s], len(group))
		if count == 0 {
			continue
		}
		lines := make([]md.Text, 0, homeLimit+1)
		for _, t := range group[:min(len(group), homeLimit)] {
			line := md.F("*%s* %s — %s · %s %s", taskRefLink(t), md.Esc(clip(t.Title, 90)), md.Mention(t.OwnerID),
				strings.ToLower(s.Label()), workAge(d.cal, t.StatusChangedAt, now))
			if t.Overdue(now) {
				line += " · :alarm_clock: overdue"
			}
			lines = append(lines, line)
		}
		shown += len(lines)
		if count > len(lines) {
			lines = append(lines, md.F("_…and %d more_", count-len(lines)))
		}
		blocks = append(blocks, linesSection("delegated_"+string(s),
			append([]md.Text{md.F("%s *%s* (%d)", s.Emoji(), s.Label(), count)}, lines...)))
	}
	if d.delegatedTotal > shown {
		blocks = append(blocks, showAll("delegated_all", string(baton.ListDelegated), d.delegatedTotal))
	}
	blocks = append(blocks, slack.NewDividerBlock())

	blocks = append(blocks, teamHomeBlocks(d.team)...)
	blocks = append(blocks, homeSection("mine", md.F(":briefcase: *Your tasks* (%d open)", d.mineTotal))...)
	if len(d.mine) == 0 {
		blocks = append(blocks, slack.NewContextBlock("mine_empty", mrkdwn("No open tasks. :tada:")))
	} else {
		for _, t := range d.mine[:min(len(d.mine), homeLimit)] {
			line := md.F("*%s* %s — from %s", taskRefLink(t), md.Esc(clip(t.Title, 120)), md.Mention(t.DelegatorID))
			if t.Due.Set() {
				line += " · due " + dueText(t.Due)
				if t.Overdue(now) {
					line += " :alarm_clock:"
				}
			}
			if goal, ok := d.goals[t.KRID]; ok && t.KRID != 0 {
				line += "\n" + chainText(goal)
			}
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(line, 3000)), nil,
				slack.NewAccessory(statusSelect(t, homeActionID(actStatus, t.Number), taskStamp(t))),
				slack.SectionBlockOptionBlockID(homeBlockID("mine", t.Number))))
		}
		if d.mineTotal > min(len(d.mine), homeLimit) {
			blocks = append(blocks, showAll("mine_all", string(baton.ListMine), d.mineTotal))
		}
	}
	blocks = append(blocks, krHomeBlocks(d.krs)...)
	blocks = append(blocks, requestsHomeBlocks(d.requests)...)
	blocks = append(blocks, checkinHomeBlocks(d.checkins, d.checkinsTotal, d.checkinDeliveries)...)
	return blocks
}

// homeStatusOrder is the order of the "Delegated by you" groups: the most urgent first.
var homeStatusOrder = []baton.Status{baton.StatusBlocked, baton.StatusInReview, baton.StatusInProgress, baton.StatusTodo}

// homeActionID is the action_id of a control on one line of the dashboard: the action's route and
// the line's number.
func homeActionID(route string, number int64) string {
	return route + ":" + strconv.FormatInt(number, 10)
}

// homeBlockID names the block of one line of a dashboard section.
func homeBlockID(section string, number int64) string {
	return section + "_" + strconv.FormatInt(number, 10)
}

// taskRefLink is a task's short ID, linked to its card when the card's permalink is known.
func taskRefLink(t baton.Task) md.Text {
	return md.Link(t.CardLink, md.Esc(t.Ref()))
}

// attentionBlocks is one line of "Needs your attention" and its controls: for a blocked task, its
// card and a request to its owner for an update; for an overdue one, a new due date and another owner.
func attentionBlocks(t baton.Task, viewer string, cal baton.Calendar, now time.Time) []slack.Block {
	var why []md.Text
	if t.Overdue(now) {
		why = append(why, md.F(":alarm_clock: overdue %s (due %s)", workAge(cal, t.Due.At, now), dueText(t.Due)))
	}
	if t.Status == baton.StatusBlocked {
		b := md.F(":red_circle: blocked %s", workAge(cal, t.StatusChangedAt, now))
		if t.BlockedReason != "" {
			b += ": " + md.Esc(clip(t.BlockedReason, 120))
		}
		why = append(why, b)
	}
	text := md.F("*%s* %s — %s · %s", taskRefLink(t), md.Esc(clip(t.Title, 90)), md.Mention(t.OwnerID), md.Join(why, " · "))
	if !t.UpdateAskedAt.IsZero() && now.Sub(t.UpdateAskedAt) < baton.AskEvery {
		text += md.F("\n_Update asked %s._", sinceAgo(t.UpdateAskedAt, now))
	}
	stamp := taskStamp(t)
	value := taskValue(t.Number, stamp)
	var controls []slack.BlockElement
	if t.Status == baton.StatusBlocked && t.OwnerID != viewer {
		controls = append(controls, slack.NewButtonBlockElement(homeActionID(actAsk, t.Number), value, plain("Ask for an update")))
	}
	if t.Overdue(now) {
		controls = append(controls,
			slack.NewButtonBlockElement(homeActionID(actDue, t.Number), value, plain("Change due date")),
			slack.NewButtonBlockElement(homeActionID(actReassign, t.Number), value, plain("Reassign")))
	}
	if open := openButton("task", t.Number, "Open card", t.CardLink); open != nil {
		controls = append(controls, open)
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(md.Clip(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID(homeBlockID("attention", t.Number)))}
	if len(controls) > 0 {
		blocks = append(blocks, slack.NewActionBlock(homeBlockID("attention_act", t.Number), controls...))
	}
	return blocks
}

// openButton leads to an item's message at link; nil when the link is not known.
func openButton(kind string, number int64, label, link string) *slack.ButtonBlockElement {
	if link == "" {
		return nil
	}
	b := slack.NewButtonBlockElement(homeActionID(actHomeOpen+"."+kind, number), "open", plain(label))
	b.URL = link
	return b
}

// workAge says how long ago at was, in the viewer's working days: "for 3 working days", "since today".
func workAge(cal baton.Calendar, at, now time.Time) string {
	n := cal.WorkingDaysBetween(at, now)
	from, to := at.In(cal.Location()), now.In(cal.Location())
	switch {
	case n == 1:
		return "for 1 working day"
	case n > 1:
		return fmt.Sprintf("for %d working days", n)
	case from.Format(time.DateOnly) == to.Format(time.DateOnly):
		return "since today"
	}
	return "since " + from.Weekday().String()
}

// awaitingHomeBlocks is the "Waiting for your approval" section, ending in a divider; nothing when
// nothing waits on the person. Each request leads to the person's card of it and is decided right
// there, under the card's rules: Approve, or Reject and Ask for changes with a comment.
func awaitingHomeBlocks(reqs []homeRequest, total int, cal baton.Calendar, now time.Time) []slack.Block {
	if len(reqs) == 0 {
		return nil
	}
	blocks := homeSection("awaiting", md.F(":inbox_tray: *Waiting for your approval* (%d)", total))
	for _, r := range reqs[:min(len(reqs), homeActLimit)] {
		text := md.F("*%s* — %s · waiting %s", md.Link(r.link, md.Esc(r.title)), md.Mention(r.RequesterID), workAge(cal, r.since, now))
		if r.Summary != "" {
			text += "\n" + md.Esc(clip(r.Summary, 200))
		}
		v := fmt.Sprintf("%d:%d", r.Number, r.CurrentStep)
		approve := slack.NewButtonBlockElement(homeActionID(actReqApprove, r.Number), v, plain("Approve"))
		approve.Style = slack.StylePrimary
		controls := []slack.BlockElement{approve,
			slack.NewButtonBlockElement(homeActionID(actReqReject, r.Number), v, plain("Reject…")),
			slack.NewButtonBlockElement(homeActionID(actReqChanges, r.Number), v, plain("Ask for changes…"))}
		if open := openButton("request", r.Number, "Open", r.link); open != nil {
			controls = append(controls, open)
		}
		blocks = append(blocks,
			slack.NewSectionBlock(mrkdwn(md.Clip(text, 3000)), nil, nil, slack.SectionBlockOptionBlockID(homeBlockID("awaiting", r.Number))),
			slack.NewActionBlock(homeBlockID("awaiting_act", r.Number), controls...))
	}
	if more := total - min(len(reqs), homeActLimit); more > 0 {
		blocks = append(blocks, slack.NewContextBlock("awaiting_more",
			mrkdwn(md.F("%d more — see them with `/request list pending`.", more))))
	}
	return append(blocks, slack.NewDividerBlock())
}

// requestsHomeBlocks is the "Your requests" section: the latest homeLimit of reqs with where each stands;
// nothing when the person has made none. A further request in reqs means there are older ones.
func requestsHomeBlocks(reqs []homeRequest) []slack.Block {
	if len(reqs) == 0 {
		return nil
	}
	blocks := []slack.Block{slack.NewDividerBlock()}
	blocks = append(blocks, homeSection("requests", ":memo: *Your requests*")...)
	lines := make([]md.Text, 0, homeLimit)
	for _, r := range reqs[:min(len(reqs), homeLimit)] {
		lines = append(lines, md.F("%s *%s* — %s", statusEmoji(r.Status), md.Link(r.link, md.Esc(r.title)), requestStanding(r.ApprovalRequest)))
	}
	blocks = append(blocks, linesSection("requests_list", lines))
	if len(reqs) > homeLimit {
		blocks = append(blocks, slack.NewContextBlock("requests_more", mrkdwn("Older ones: `/request list`.")))
	}
	return blocks
}

// homeWaitingOn is how many of a step's approvers a request line names before it counts the rest.
const homeWaitingOn = 3

// requestStanding is where a request stands: "step 2 of 3, waiting on <@X>" or its final status.
func requestStanding(r baton.ApprovalRequest) md.Text {
	step, ok := r.Step()
	if !ok {
		out := md.Esc(r.Status.Words())
		if !r.DecidedAt.IsZero() {
			out += " " + md.Date(r.DecidedAt, "{date_short_pretty}")
		}
		return out
	}
	var waiting []string
	for _, a := range step.Approvers {
		if !slices.Contains(step.Approved, a) {
			waiting = append(waiting, a)
		}
	}
	out := md.F("step %d of %d", step.Index+1, len(r.Steps))
	if len(waiting) == 0 {
		return out
	}
	out += ", waiting on " + mentionList(waiting[:min(len(waiting), homeWaitingOn)])
	if len(waiting) > homeWaitingOn {
		out += md.F(" and %d more", len(waiting)-homeWaitingOn)
	}
	return out
}

func homeSection(id string, title md.Text) []slack.Block {
	return []slack.Block{slack.NewSectionBlock(mrkdwn(title), nil, nil, slack.SectionBlockOptionBlockID(id))}
}

// linesSection puts lines in one section, cut to fit Slack's 3,000-character text limit.
func linesSection(id string, lines []md.Text) slack.Block {
	return slack.NewSectionBlock(mrkdwn(md.Clip(md.Join(lines, "\n"), 3000)), nil, nil, slack.SectionBlockOptionBlockID(id))
}

func showAll(id, scope string, total int) slack.Block {
	return slack.NewActionBlock(id, slack.NewButtonBlockElement(actHomeShowAll, scope, plain(fmt.Sprintf("Show all %d", total))))
}

// digestTimes are the digest times offered on the dashboard; /baton digest takes any other.
var digestTimes = []string{"07:00", "08:00", "08:30", "09:00", "10:00", "12:00", "17:00"}

// digestSelect lets a person choose, from their dashboard, how stage changes and stale tasks reach them.
func digestSelect(s baton.DigestSetting) *slack.SelectBlockElement {
	now := slack.NewOptionBlockObject("off", plain("Updates: as they happen"), nil)
	opts := []*slack.OptionBlockObject{now}
	current := now
	times := digestTimes
	if s.Daily && !slices.Contains(times, s.At.String()) {
		times = append(slices.Clone(times), s.At.String())
		slices.Sort(times)
	}
	for _, t := range times {
		o := slack.NewOptionBlockObject(t, plain("Updates: daily digest at "+t), nil)
		if s.Daily && s.At.String() == t {
			current = o
		}
		opts = append(opts, o)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("How updates reach you"), actHomeDigest, opts...)
	sel.InitialOption = current
	return sel
}
