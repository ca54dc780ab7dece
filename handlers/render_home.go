package handlers

import (
	"fmt"
	"slices"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/store"
)

// homeBlocks renders a person's dashboard. Every section is bounded, so the view stays far below
// Slack's 100-block limit however many tasks there are.
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
		blocks = append(blocks, linesSection("attention_list", attentionLines(d.attention, now)))
		if more := d.attentionTotal - min(len(d.attention), homeLimit); more > 0 {
			blocks = append(blocks, slack.NewContextBlock("attention_more",
				mrkdwn(md.F("%d more — see them with `/task list blocked` and `/task list overdue`.", more))))
		}
	}
	blocks = append(blocks, slack.NewDividerBlock())
	blocks = append(blocks, awaitingHomeBlocks(d.awaiting, d.awaitingTotal, now)...)
	blocks = append(blocks, flagsHomeBlocks(d.flags, d.flagsTotal, now)...)

	blocks = append(blocks, homeSection("delegated", md.F(":baton: *Delegated by you* (%d open)", d.delegatedTotal))...)
	if len(d.delegated) == 0 {
		blocks = append(blocks, slack.NewContextBlock("delegated_empty", mrkdwn("Nothing handed over. Try `/task @someone Title` or the New task button.")))
	}
	shown := 0
	for _, s := range baton.Statuses {
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
			lines = append(lines, md.F("*%s* %s — %s · %s in %s", t.Ref(), md.Esc(clip(t.Title, 90)), md.Mention(t.OwnerID),
				since(t.StatusChangedAt, now), s.Label()))
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

	blocks = append(blocks, homeSection("mine", md.F(":briefcase: *Your tasks* (%d open)", d.mineTotal))...)
	if len(d.mine) == 0 {
		blocks = append(blocks, slack.NewContextBlock("mine_empty", mrkdwn("No open tasks. :tada:")))
	} else {
		lines := make([]md.Text, 0, homeLimit)
		for _, t := range d.mine[:min(len(d.mine), homeLimit)] {
			line := taskLine(t, now)
			if goal, ok := d.goals[t.KRID]; ok && t.KRID != 0 {
				line += " " + chainText(goal)
			}
			lines = append(lines, line)
		}
		blocks = append(blocks, linesSection("mine_list", lines))
		if d.mineTotal > len(lines) {
			blocks = append(blocks, showAll("mine_all", string(baton.ListMine), d.mineTotal))
		}
	}
	blocks = append(blocks, krHomeBlocks(d.krs)...)
	blocks = append(blocks, requestsHomeBlocks(d.requests)...)
	blocks = append(blocks, checkinHomeBlocks(d.checkins, d.checkinsTotal, d.checkinDeliveries)...)
	return blocks
}

// awaitingHomeBlocks is the "Waiting for your approval" section, ending in a divider; nothing when
// nothing waits on the person.
func awaitingHomeBlocks(reqs []homeRequest, total int, now time.Time) []slack.Block {
	if len(reqs) == 0 {
		return nil
	}
	blocks := homeSection("awaiting", md.F(":inbox_tray: *Waiting for your approval* (%d)", total))
	lines := make([]md.Text, 0, homeLimit)
	for _, r := range reqs[:min(len(reqs), homeLimit)] {
		lines = append(lines, md.F("*%s* — %s · %s", md.Esc(r.title), md.Mention(r.RequesterID), waitingText(r.since, now)))
	}
	blocks = append(blocks, linesSection("awaiting_list", lines))
	if more := total - len(lines); more > 0 {
		blocks = append(blocks, slack.NewContextBlock("awaiting_more",
			mrkdwn(md.F("%d more — see them with `/request list pending`.", more))))
	}
	return append(blocks, slack.NewDividerBlock())
}

// waitingText is how long a request has waited on its current step: "waiting 2 days".
func waitingText(at, now time.Time) string {
	if now.Sub(at) < time.Minute {
		return "waiting since just now"
	}
	return "waiting " + since(at, now)
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
		lines = append(lines, md.F("%s *%s* — %s", statusEmoji(r.Status), md.Esc(r.title), requestStanding(r.Request)))
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
func requestStanding(r store.Request) md.Text {
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

func attentionLines(tasks []baton.Task, now time.Time) []md.Text {
	lines := make([]md.Text, 0, homeLimit)
	for _, t := range tasks[:min(len(tasks), homeLimit)] {
		why := md.Text("")
		switch {
		case t.Status == baton.StatusBlocked:
			why = ":red_circle: blocked"
			if t.BlockedReason != "" {
				why += ": " + md.Esc(clip(t.BlockedReason, 120))
			}
		case t.Overdue(now):
			why = ":alarm_clock: overdue since " + dueText(t.Due)
		}
		lines = append(lines, md.F("*%s* %s — %s · %s", t.Ref(), md.Esc(clip(t.Title, 90)), md.Mention(t.OwnerID), why))
	}
	return lines
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
