package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Action IDs on task surfaces. The task's number travels in the element's value.
const (
	actStatus   = "task.status"
	actLog      = "task.log"
	actReassign = "task.reassign"
	actDue      = "task.due"
	actOpen     = "task.open"
	actShow     = "task.show"
	actAsk      = "task.ask"
)

func statusOption(number int64, s baton.Status, stamp string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(statusValue(number, s, stamp), plain(s.Label()), nil)
}

// statusValue packs the task number and the chosen status into a select option's value, with the
// stamp of the task as it was drawn when the menu is on the dashboard ("" on the card).
func statusValue(number int64, s baton.Status, stamp string) string {
	v := strconv.FormatInt(number, 10) + ":" + string(s)
	if stamp != "" {
		v += ":" + stamp
	}
	return v
}

// taskValue is a task button's value: the task's number, and on the dashboard the stamp of the
// task as it was drawn.
func taskValue(number int64, stamp string) string {
	v := strconv.FormatInt(number, 10)
	if stamp != "" {
		v += ":" + stamp
	}
	return v
}

// parseTaskValue reads a task button's value: its number and its stamp, "" when it has none.
func parseTaskValue(v string) (int64, string, error) {
	num, stamp, _ := strings.Cut(v, ":")
	n, err := parseNumber(num)
	return n, stamp, err
}

// taskStamp is what a dashboard line shows of a task, in a form a button can carry: its status,
// owner and due moment. An action whose stamp no longer matches the task was taken on a stale
// dashboard.
func taskStamp(t baton.Task) string {
	due := int64(0)
	if t.Due.Set() {
		due = t.Due.At.Unix()
	}
	return fmt.Sprintf("%s.%s.%d", t.Status, t.OwnerID, due)
}

// checkStamp refuses an action taken on a dashboard that showed the task otherwise than it stands
// now; stamp "" (a card, which is redrawn with every change) passes.
func checkStamp(t baton.Task, stamp string) error {
	if stamp == "" || stamp == taskStamp(t) {
		return nil
	}
	due := "no due date"
	if t.Due.Set() {
		due = "due " + t.Due.Text()
	}
	return baton.Errorf(baton.EConflict, "%s has changed since your dashboard showed it: it is %s now, owned by <@%s>, %s. Nothing was changed; your dashboard is up to date again, so look and try once more if you still want to.",
		t.Ref(), t.Status.Label(), t.OwnerID, due)
}

func parseStatusValue(v string) (int64, baton.Status, string, error) {
	num, rest, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, "", "", baton.Errorf(baton.EInvalid, "That status menu is out of date. Open the task again with /task list.")
	}
	st, stamp, _ := strings.Cut(rest, ":")
	s, err := baton.ParseStatus(st)
	return n, s, stamp, err
}

func parseNumber(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, baton.Errorf(baton.EInvalid, "That button is out of date. Open the task again with /task list.")
	}
	return n, nil
}

// taskSummary is the one-line fallback text of a task message (notifications and screen readers).
func taskSummary(t baton.Task) md.Text {
	return md.F("%s %s — %s, owner %s", t.Ref(), t.Title, t.Status.Label(), md.Mention(t.OwnerID))
}

// taskHeadline is the task's title line with its short ID.
func taskHeadline(t baton.Task) md.Text {
	return md.F("*%s · %s*", t.Ref(), md.Esc(t.Title))
}

func statusText(t baton.Task, now time.Time) md.Text {
	s := md.F("%s %s", t.Status.Emoji(), t.Status.Label())
	if t.Overdue(now) {
		s += " · :alarm_clock: overdue"
	}
	return s
}

// cardBlocks renders the task card: what it is, who owns it, when it is due, the goal it serves (goal
// may be nil), and its actions.
func cardBlocks(t baton.Task, goal *baton.Alignment, now time.Time) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(taskHeadline(t)), nil, nil, slack.SectionBlockOptionBlockID("task_title")),
	}
	if t.Description != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(md.Esc(t.Description), 2900)), nil, nil,
			slack.SectionBlockOptionBlockID("task_description")))
	}
	fields := []*slack.TextBlockObject{
		mrkdwn("*Owner*\n" + md.Mention(t.OwnerID)),
		mrkdwn("*Delegated by*\n" + md.Mention(t.DelegatorID)),
		mrkdwn("*Due*\n" + dueText(t.Due)),
		mrkdwn("*Status*\n" + statusText(t, now)),
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil, slack.SectionBlockOptionBlockID("task_fields")))
	if goal != nil {
		blocks = append(blocks, slack.NewContextBlock("task_goal", mrkdwn(md.Clip(":dart: Serves "+chainText(*goal), 2900))))
	}
	if t.Status == baton.StatusBlocked && t.BlockedReason != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(":construction: *Blocked:* "+md.Clip(md.Esc(t.BlockedReason), 2800)), nil, nil,
			slack.SectionBlockOptionBlockID("task_blocked")))
	}
	if t.SourceLink != "" {
		blocks = append(blocks, slack.NewContextBlock("task_source", mrkdwn("Made from "+md.Link(t.SourceLink, "this message"))))
	}
	blocks = append(blocks, taskActions(t))
	return blocks
}

// statusSelect is a task's status menu, showing its status; stamp is set on the dashboard.
func statusSelect(t baton.Task, actionID, stamp string) *slack.SelectBlockElement {
	opts := make([]*slack.OptionBlockObject, 0, len(baton.Statuses))
	var current *slack.OptionBlockObject
	for _, s := range baton.Statuses {
		o := statusOption(t.Number, s, stamp)
		if s == t.Status {
			current = o
		}
		opts = append(opts, o)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Status"), actionID, opts...)
	sel.InitialOption = current
	return sel
}

// taskActions is the row of controls on a task: status, log update, reassign, change due date.
func taskActions(t baton.Task) *slack.ActionBlock {
	num := strconv.FormatInt(t.Number, 10)
	return slack.NewActionBlock("task_actions",
		statusSelect(t, actStatus, ""),
		slack.NewButtonBlockElement(actLog, num, plain("Log update")),
		slack.NewButtonBlockElement(actReassign, num, plain("Reassign")),
		slack.NewButtonBlockElement(actDue, num, plain("Change due date")),
	)
}

// eventLine says in one sentence what an event did to a task.
func eventLine(ev baton.TaskEvent) md.Text {
	var note md.Text
	if ev.Note != "" {
		note = "\n" + md.Quote(md.Clip(md.Esc(ev.Note), 2000))
	}
	actor := md.Mention(ev.Actor)
	switch ev.Kind {
	case baton.EventCreated:
		return md.F("%s delegated this to %s.%s", actor, md.Mention(ev.To), note)
	case baton.EventStatus:
		return md.F("%s moved this from *%s* to *%s*.%s", actor, baton.Status(ev.From).Label(), baton.Status(ev.To).Label(), note)
	case baton.EventReassigned:
		return md.F("%s reassigned this from %s to %s.%s", actor, md.Mention(ev.From), md.Mention(ev.To), note)
	case baton.EventDue:
		return md.F("%s changed the due date from %s to %s.%s", actor, eventDue(ev.From), eventDue(ev.To), note)
	case baton.EventUpdate:
		return md.F("%s logged an update:%s", actor, note)
	case baton.EventAsked:
		return md.F("%s asked %s for an update.", actor, md.Mention(ev.To))
	case baton.EventGoal:
		switch {
		case ev.To == "":
			return md.F("%s unlinked this from *%s*: it serves no key result now.", actor, ev.From)
		case ev.From == "":
			return md.F("%s linked this to *%s*: it counts towards that key result now.", actor, ev.To)
		}
		return md.F("%s moved this from *%s* to *%s*.", actor, ev.From, ev.To)
	}
	return md.F("%s changed this.%s", actor, note)
}

func eventDue(s string) md.Text {
	if s == "" {
		return "no due date"
	}
	d, err := baton.DueFromString(s, time.UTC)
	if err != nil {
		return md.Esc(s)
	}
	return dueText(d)
}

// threadReply is the message added to the card's thread for each change.
func threadReply(ev baton.TaskEvent) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(eventLine(ev)), nil, nil, slack.SectionBlockOptionBlockID("task_event")),
		slack.NewContextBlock("task_event_time", mrkdwn(md.Date(ev.At, "{date_short_pretty} at {time}"))),
	}
}

// historyBlocks lists a task's events, oldest first. When they do not fit in one message, the latest are shown.
func historyBlocks(t baton.Task, events []baton.TaskEvent) []slack.Block {
	var sections []md.Text
	var chunk []md.Text
	size := 0
	for _, ev := range events {
		line := md.Clip(md.Date(ev.At, "{date_short_pretty} {time}")+" · "+md.Replace(eventLine(ev), "\n> ", " — "), 900)
		if size+len(line)+1 > 2900 {
			sections = append(sections, md.Join(chunk, "\n"))
			chunk, size = nil, 0
		}
		chunk = append(chunk, line)
		size += len(line) + 1
	}
	if len(chunk) > 0 {
		sections = append(sections, md.Join(chunk, "\n"))
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(taskHeadline(t)+" — history"), nil, nil, slack.SectionBlockOptionBlockID("history_title")),
	}
	if room := maxMessageBlocks - 2; len(sections) > room {
		sections = sections[len(sections)-room:]
		blocks = append(blocks, slack.NewContextBlock("history_more", mrkdwn("Earlier changes are kept but not shown; these are the latest.")))
	}
	for i, sec := range sections {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(sec), nil, nil, slack.SectionBlockOptionBlockID(fmt.Sprintf("history_%d", i))))
	}
	return blocks
}

const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
)
