package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// Fields of the check-in forms (each input's block ID is its action ID).
const (
	fCkRecipients = "ck_recipients"
	fCkMessage    = "ck_message"
	fCkRepeat     = "ck_repeat"
	fCkDate       = "ck_date"
	fCkDays       = "ck_days"
	fCkWeeks      = "ck_weeks"
	fCkTime       = "ck_time"
	fCkTask       = "ck_task"
	fCkOptions    = "ck_options"
	fCkRemind     = "ck_remind"
	fCkAnswer     = "ck_answer"

	optSkipDaysOff = "skip_days_off"
	optAskReply    = "ask_reply"
)

// How many recipients one check-in's summary names before it counts the rest.
const (
	checkinLinesShown = 20
	homeCheckinLimit  = 5
	homeRecipients    = 5
)

var weekdayValues = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
}

// replyMeta travels in the Reply form's private_metadata: which delivery is answered.
type replyMeta struct {
	Delivery int64 `json:"d"`
}

// remindChoices are the reminder delays the check-in form offers; "0" is no reminder.
var remindChoices = []time.Duration{0, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour}

// editMeta travels in the Edit check-in form: which check-in, as of which revision.
type editMeta struct {
	Number   int64 `json:"n"`
	Revision int64 `json:"r"`
}

// checkinModal is the New check-in form.
func checkinModal() slack.ModalViewRequest {
	return checkinForm(cbCheckinNew, "New check-in", "Set up", "", nil, time.UTC)
}

// checkinEditModal is the check-in form filled in with what c asks now; loc is the editor's zone,
// which a dated once-check-in is shown in.
func checkinEditModal(c baton.Checkin, loc *time.Location) slack.ModalViewRequest {
	meta, _ := json.Marshal(editMeta{Number: c.Number, Revision: c.Revision})
	return checkinForm(cbCheckinEdit, clip("Edit check-in "+c.Ref(), 24), "Save", string(meta), &c, loc)
}

// checkinForm is the check-in form, empty or filled in from c.
func checkinForm(callbackID, title, submit, meta string, c *baton.Checkin, loc *time.Location) slack.ModalViewRequest {
	f := checkinFormValues(c, loc)
	who := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Choose people"), fCkRecipients)
	who.InitialUsers = f.users
	repeatOpts := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject(string(baton.RepeatOnce), plain("Once"), nil),
		slack.NewOptionBlockObject(string(baton.RepeatDaily), plain("Every day"), nil),
		slack.NewOptionBlockObject(string(baton.RepeatWeekdays), plain("Every weekday"), nil),
		slack.NewOptionBlockObject(string(baton.RepeatWeekly), plain("Every week on the chosen days"), nil),
		slack.NewOptionBlockObject(string(baton.RepeatEveryNWeeks), plain("Every few weeks on the chosen days"), nil),
	}
	repeat := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("How often"), fCkRepeat, repeatOpts...)
	repeat.InitialOption = repeatOpts[2]
	for _, o := range repeatOpts {
		if o.Value == string(f.repeat) {
			repeat.InitialOption = o
		}
	}
	date := slack.NewDatePickerBlockElement(fCkDate)
	date.InitialDate = f.date
	dateIn := slack.NewInputBlock(fCkDate, plain("Day"), plain("For Once: the day to ask. For every few weeks: the first week (default this week)."), date)
	dateIn.Optional = true
	var dayOpts []*slack.OptionBlockObject
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		dayOpts = append(dayOpts, slack.NewOptionBlockObject(d, plain(weekdayValues[d].String()), nil))
	}
	days := slack.NewCheckboxGroupsBlockElement(fCkDays, dayOpts...)
	for _, o := range dayOpts {
		if f.days[weekdayValues[o.Value]] {
			days.InitialOptions = append(days.InitialOptions, o)
		}
	}
	daysIn := slack.NewInputBlock(fCkDays, plain("Days"), plain("For weekly and every few weeks."), days)
	daysIn.Optional = true
	var weekOpts []*slack.OptionBlockObject
	for n := 2; n <= 8; n++ {
		weekOpts = append(weekOpts, slack.NewOptionBlockObject(strconv.Itoa(n), plain(fmt.Sprintf("Every %d weeks", n)), nil))
	}
	weeks := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Every 2 weeks"), fCkWeeks, weekOpts...)
	if n := f.everyWeeks; n >= 2 && n <= len(weekOpts)+1 {
		weeks.InitialOption = weekOpts[n-2]
	}
	weeksIn := slack.NewInputBlock(fCkWeeks, plain("Weeks apart"), plain("For every few weeks."), weeks)
	weeksIn.Optional = true
	clock := slack.NewTimePickerBlockElement(fCkTime)
	clock.InitialTime = f.clock
	skip := slack.NewOptionBlockObject(optSkipDaysOff, plain("Skip days off (weekends, holidays, out of office)"), nil)
	ask := slack.NewOptionBlockObject(optAskReply, plain("Ask for a reply"), nil)
	options := slack.NewCheckboxGroupsBlockElement(fCkOptions, skip, ask)
	if f.skip {
		options.InitialOptions = append(options.InitialOptions, skip)
	}
	if f.ask {
		options.InitialOptions = append(options.InitialOptions, ask)
	}
	optionsIn := slack.NewInputBlock(fCkOptions, plain("Options"), nil, options)
	optionsIn.Optional = true
	var remindOpts []*slack.OptionBlockObject
	for _, d := range remindChoices {
		label := "Don't remind"
		if d > 0 {
			label = "After " + baton.DescribeDuration(d)
		}
		remindOpts = append(remindOpts, slack.NewOptionBlockObject(strconv.FormatInt(int64(d/time.Minute), 10), plain(label), nil))
	}
	choices := remindChoices
	if !slices.Contains(choices, f.remind) {
		// A delay typed in the quick form (remind after 3h) stays what it is unless the sender changes it.
		remindOpts = append(remindOpts, slack.NewOptionBlockObject(strconv.FormatInt(int64(f.remind/time.Minute), 10),
			plain("After "+baton.DescribeDuration(f.remind)), nil))
		choices = append(slices.Clone(choices), f.remind)
	}
	remind := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Don't remind"), fCkRemind, remindOpts...)
	remind.InitialOption = remindOpts[0]
	for i, d := range choices {
		if d == f.remind {
			remind.InitialOption = remindOpts[i]
		}
	}
	remindIn := slack.NewInputBlock(fCkRemind, plain("Remind if not seen"), plain("One reminder to whoever has not seen it by then, in their working hours."), remind)
	remindIn.Optional = true
	task := textInput(fCkTask, "Linked task", "T-12", f.task, 24, false, true)
	task.Hint = plain("Answers go to the task's thread; without a task, to you by DM.")
	v := modal(callbackID, title, submit, modalMeta{},
		slack.NewInputBlock(fCkRecipients, plain("Who to ask"), nil, who),
		textInput(fCkMessage, "Question", "How is the launch going?", f.message, baton.MaxCheckinMessageLen, true, false),
		slack.NewInputBlock(fCkRepeat, plain("How often"), nil, repeat),
		dateIn, daysIn, weeksIn,
		slack.NewInputBlock(fCkTime, plain("Time of day"), plain("Read in each person's own time zone: 09:30 is 09:30 for everyone."), clock),
		task, optionsIn, remindIn,
	)
	v.PrivateMetadata = meta
	return v
}

// checkinFormFields are the initial values of the check-in form.
type checkinFormFields struct {
	users         []string
	message, task string
	repeat        baton.Repeat
	date, clock   string
	days          [7]bool
	everyWeeks    int
	skip, ask     bool
	remind        time.Duration
}

// checkinFormValues is what the form shows for c; for nil, a new check-in's defaults.
func checkinFormValues(c *baton.Checkin, loc *time.Location) checkinFormFields {
	if c == nil {
		return checkinFormFields{repeat: baton.RepeatWeekdays, clock: "09:30", skip: true, ask: true}
	}
	s := c.Schedule
	f := checkinFormFields{message: c.Message, repeat: s.Repeat, days: s.Days, everyWeeks: s.EveryWeeks,
		skip: s.SkipNonWorking, ask: c.AskReply, remind: c.RemindAfter, clock: s.At.String(), date: s.Anchor}
	for _, r := range c.Recipients {
		f.users = append(f.users, r.UserID)
	}
	if c.TaskNumber > 0 {
		f.task = baton.TaskRef(c.TaskNumber)
	}
	if s.Repeat == baton.RepeatOnce {
		once := s.Once
		if s.InDuration > 0 {
			once = s.Once.In(loc) // "in 2h": the instant, shown on the editor's clock
		}
		f.date, f.clock = once.Format(time.DateOnly), once.Format("15:04")
	}
	return f
}

// checkinReplyModal asks the recipient for their answer.
func checkinReplyModal(c baton.Checkin, d baton.CheckinDelivery) slack.ModalViewRequest {
	meta, _ := json.Marshal(replyMeta{Delivery: d.ID})
	v := modal(cbCheckinReply, clip("Reply to "+c.Ref(), 24), "Send", modalMeta{},
		slack.NewSectionBlock(mrkdwn(md.Clip(md.F("%s asks:\n>%s", md.Mention(c.SenderID), quoteLines(c.Message)), 3000)), nil, nil,
			slack.SectionBlockOptionBlockID("checkin_question")),
		textInput(fCkAnswer, "Your answer", "Where things stand", "", 2000, true, false),
	)
	v.PrivateMetadata = string(meta)
	return v
}

// quoteLines escapes text and continues a > quote over its lines.
func quoteLines(s string) md.Text {
	lines := strings.Split(s, "\n")
	parts := make([]md.Text, len(lines))
	for i, l := range lines {
		parts[i] = md.Esc(l)
	}
	return md.Join(parts, "\n>")
}

// deliveryText is the fallback text of a delivery DM.
func deliveryText(c baton.Checkin) md.Text {
	return md.Clip(md.F("Check-in %s from %s: %s", c.Ref(), md.Mention(c.SenderID), c.Message), 3000)
}

// deliveryBlocks renders a delivery DM: the question, where it stands, and what the recipient can do.
func deliveryBlocks(c baton.Checkin, d baton.CheckinDelivery, reminder bool) []slack.Block {
	head := md.F("*Check-in %s* from %s", c.Ref(), md.Mention(c.SenderID))
	if c.TaskNumber > 0 {
		head += md.F(" about *%s*", baton.TaskRef(c.TaskNumber))
	}
	if reminder {
		head = ":alarm_clock: Reminder — " + head
	} else {
		head = ":wave: " + head
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(head), nil, nil, slack.SectionBlockOptionBlockID("checkin_head")),
		slack.NewSectionBlock(mrkdwn(md.Clip(md.Esc(c.Message), 3000)), nil, nil, slack.SectionBlockOptionBlockID("checkin_message")),
	}
	if rcp, _ := c.Recipient(d.RecipientID); rcp.Muted() {
		return append(blocks, slack.NewContextBlock("checkin_state", mrkdwn(":no_bell: Muted — you will get no more of this check-in.")))
	}
	var state md.Text
	switch d.State {
	case baton.DeliveryAnswered:
		return append(blocks, slack.NewContextBlock("checkin_state", mrkdwn(md.F(":white_check_mark: Answered %s:\n>%s",
			md.Date(d.AnsweredAt, "{date_short_pretty} at {time}"), md.Clip(quoteLines(d.Answer), 2500)))))
	case baton.DeliverySeen:
		state = ":eyes: Seen " + md.Date(d.SeenAt, "{date_short_pretty} at {time}") + "."
	case baton.DeliverySnoozed:
		if !reminder {
			state = ":zzz: Snoozed until " + md.Date(d.SnoozedUntil, "{date_short_pretty} at {time}") + "; I'll bring it back then."
		}
	}
	if state == "" {
		state = "No reply needed — tap *Got it* so " + md.Mention(c.SenderID) + " knows you saw it."
		if c.AskReply {
			state = md.Mention(c.SenderID) + " would like a reply. Tap *Got it* if you have nothing to add."
		}
	}
	id := strconv.FormatInt(d.ID, 10)
	reply := slack.NewButtonBlockElement(actCheckinReply, id, plain("Reply"))
	reply.Style = slack.StylePrimary
	elements := []slack.BlockElement{}
	if d.State != baton.DeliverySeen {
		elements = append(elements, slack.NewButtonBlockElement(actCheckinGotIt, id, plain("Got it")))
	}
	elements = append(elements, reply, slack.NewOverflowBlockElement(actCheckinMore,
		slack.NewOptionBlockObject(id+":"+moreSnoozeHour, plain("Snooze 1 hour"), nil),
		slack.NewOptionBlockObject(id+":"+moreSnoozeTomorrow, plain("Snooze until tomorrow"), nil),
		slack.NewOptionBlockObject(id+":"+moreMute, plain("Mute this check-in"), nil),
	))
	return append(blocks,
		slack.NewContextBlock("checkin_state", mrkdwn(state)),
		slack.NewActionBlock("checkin_actions", elements...),
	)
}

// answerText is how an answer reaches the sender.
func answerText(c baton.Checkin, d baton.CheckinDelivery) md.Text {
	return md.F(":speech_balloon: %s answered check-in *%s* (_%s_):\n>%s",
		md.Mention(d.RecipientID), c.Ref(), md.Clip(md.Esc(c.Message), 200), quoteLines(d.Answer))
}

// scheduleWords describes a check-in's schedule for its sender.
func scheduleWords(s baton.Schedule) string {
	if s.Repeat == baton.RepeatOnce && s.InDuration > 0 {
		return s.Describe()
	}
	words := s.Describe() + ", in each person's own time zone"
	if s.SkipNonWorking {
		words += ", skipping their days off"
	}
	return words
}

// recipientList names a check-in's recipients, up to a number, then counts the rest.
func recipientList(c baton.Checkin, upTo int) md.Text {
	names := make([]md.Text, 0, upTo)
	for _, r := range c.Recipients[:min(len(c.Recipients), upTo)] {
		names = append(names, md.Mention(r.UserID))
	}
	s := md.Join(names, ", ")
	if more := len(c.Recipients) - upTo; more > 0 {
		s += md.F(" and %d more", more)
	}
	return s
}

func checkinConfirmText(c baton.Checkin) md.Text {
	return md.F("Check-in %s: %s", c.Ref(), clip(c.Message, 200))
}

// checkinSummary is the first lines about a check-in: what, when, to whom, and when it reminds.
func checkinSummary(c baton.Checkin, verb string) md.Text {
	var remind md.Text
	if c.RemindAfter > 0 {
		remind = md.F(", reminding anyone who hasn't seen it after %s", baton.DescribeDuration(c.RemindAfter))
	}
	s := md.F(":white_check_mark: Check-in *%s* %s: %s, to %s%s.", c.Ref(), verb, scheduleWords(c.Schedule), recipientList(c, 10), remind)
	if c.TaskNumber > 0 {
		s += md.F(" Answers go to the thread of *%s*.", baton.TaskRef(c.TaskNumber))
	}
	return s + "\n>" + md.Clip(quoteLines(c.Message), 500)
}

// checkinConfirmBlocks confirms a new check-in with each recipient's first delivery.
func checkinConfirmBlocks(c baton.Checkin, plans []recipientPlan) []slack.Block {
	return confirmBlocks(c, plans, "is set up")
}

// checkinResumedBlocks confirms a resumed check-in with each recipient's next delivery.
func checkinResumedBlocks(c baton.Checkin, plans []recipientPlan) []slack.Block {
	return confirmBlocks(c, plans, "is running again")
}

// checkinEditedBlocks confirms an edit: with each recipient's next delivery, or, for a paused
// check-in, that it stays paused.
func checkinEditedBlocks(c baton.Checkin, plans []recipientPlan) []slack.Block {
	if c.State == baton.CheckinActive {
		return confirmBlocks(c, plans, "is updated")
	}
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(md.Clip(checkinSummary(c, "is updated"), 3000)), nil, nil, slack.SectionBlockOptionBlockID("checkin_created")),
		slack.NewContextBlock("checkin_manage", mrkdwn(md.F(":double_vertical_bar: It stays paused: nobody gets it until you `/checkin resume %s`.", c.Ref()))),
	}
}

func confirmBlocks(c baton.Checkin, plans []recipientPlan, verb string) []slack.Block {
	lines := []md.Text{"*Next delivery*, in your time and theirs:"}
	for _, p := range plans[:min(len(plans), checkinLinesShown)] {
		if !p.ok {
			lines = append(lines, md.F("%s: never — that time has already passed where they are.", md.Mention(p.person.ID)))
			continue
		}
		local := p.next.In(p.person.Loc)
		lines = append(lines, md.F("%s: %s (%s in %s)", md.Mention(p.person.ID), md.Date(p.next, "{date_short_pretty} at {time}"),
			local.Format("Mon 2 Jan 15:04"), p.person.Loc.String()))
	}
	if more := len(plans) - checkinLinesShown; more > 0 {
		lines = append(lines, md.F("…and %d more.", more))
	}
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(md.Clip(checkinSummary(c, verb), 3000)), nil, nil, slack.SectionBlockOptionBlockID("checkin_created")),
		linesSection("checkin_next", lines),
		slack.NewContextBlock("checkin_manage", mrkdwn(md.F("See how it goes with `/checkin %s` · `/checkin edit %s` · `/checkin pause %s` · `/checkin cancel %s`",
			c.Ref(), c.Ref(), c.Ref(), c.Ref()))),
	}
}

// deliveryLine says where one recipient's latest delivery stands: "delivered 09:30, seen 09:41".
func deliveryLine(rcp baton.CheckinRecipient, d baton.CheckinDelivery, found bool) md.Text {
	s := md.Mention(rcp.UserID) + " — "
	switch {
	case !found:
		s += "not delivered yet"
	default:
		s += "delivered " + md.Date(d.DeliveredAt, "{date_short_pretty} {time}")
		if !d.RemindedAt.IsZero() {
			s += ", reminded " + md.Date(d.RemindedAt, "{time}")
		}
		switch d.State {
		case baton.DeliverySnoozed:
			s += ", snoozed until " + md.Date(d.SnoozedUntil, "{date_short_pretty} {time}")
		case baton.DeliverySeen:
			s += ", seen " + md.Date(d.SeenAt, "{time}")
		case baton.DeliveryAnswered:
			s += ", seen " + md.Date(d.SeenAt, "{time}") + ", answered " + md.Date(d.AnsweredAt, "{time}")
		}
	}
	if rcp.Muted() {
		s += " · muted"
	}
	return s
}

// recipientLines is one line per recipient (up to upTo) with their latest delivery.
func recipientLines(c baton.Checkin, latest []baton.CheckinDelivery, upTo int) []md.Text {
	by := map[string]baton.CheckinDelivery{}
	for _, d := range latest {
		by[d.RecipientID] = d
	}
	lines := make([]md.Text, 0, upTo+1)
	for _, r := range c.Recipients[:min(len(c.Recipients), upTo)] {
		d, ok := by[r.UserID]
		lines = append(lines, deliveryLine(r, d, ok))
	}
	if more := len(c.Recipients) - upTo; more > 0 {
		lines = append(lines, md.F("_…and %d more_", more))
	}
	return lines
}

// checkinHeadline is a check-in's one-line description: ID, schedule, state.
func checkinHeadline(c baton.Checkin) md.Text {
	s := md.F("*%s* · %s", c.Ref(), c.Schedule.Describe())
	if c.State != baton.CheckinActive {
		s += md.F(" · _%s_", stateWords(c.State))
	}
	if c.TaskNumber > 0 {
		s += md.F(" · %s", baton.TaskRef(c.TaskNumber))
	}
	return s + "\n>" + md.Clip(md.Esc(strings.ReplaceAll(c.Message, "\n", " ")), 120)
}

// checkinListBlocks lists a sender's check-ins with each recipient's latest delivery.
func checkinListBlocks(title string, list []baton.Checkin, total int, latest map[int64][]baton.CheckinDelivery) []slack.Block {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(md.F("*%s* (%d)", title, total)), nil, nil, slack.SectionBlockOptionBlockID("checkins_title"))}
	if len(list) == 0 {
		return append(blocks, slack.NewContextBlock("checkins_empty", mrkdwn("You have no check-ins running. Start one with `/checkin` or `/checkin @someone every weekday at 09:30 How is it going?`")))
	}
	for _, c := range list {
		lines := append([]md.Text{checkinHeadline(c)}, recipientLines(c, latest[c.ID], homeRecipients)...)
		blocks = append(blocks, linesSection("checkin_"+strconv.FormatInt(c.Number, 10), lines))
	}
	if total > len(list) {
		blocks = append(blocks, slack.NewContextBlock("checkins_more", mrkdwn(md.F("These are your latest %d; see any other with `/checkin C-n`.", len(list)))))
	}
	return blocks
}

// checkinShowBlocks shows one check-in with where each recipient's latest delivery stands; an Edit
// button when the viewer may edit it.
func checkinShowBlocks(c baton.Checkin, latest []baton.CheckinDelivery, canEdit bool) []slack.Block {
	head := md.F("*Check-in %s* from %s · %s · %s", c.Ref(), md.Mention(c.SenderID), scheduleWords(c.Schedule), stateWords(c.State))
	if c.RemindAfter > 0 {
		head += md.F(" · reminds after %s unseen", baton.DescribeDuration(c.RemindAfter))
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(md.Clip(head+"\n>"+quoteLines(c.Message), 3000)), nil, nil, slack.SectionBlockOptionBlockID("checkin_title")),
		linesSection("checkin_recipients", recipientLines(c, latest, checkinLinesShown)),
	}
	var answers []md.Text
	for _, d := range sortedDeliveries(c, latest) {
		if d.State == baton.DeliveryAnswered {
			answers = append(answers, md.F("%s: %s", md.Mention(d.RecipientID), md.Clip(md.Esc(strings.ReplaceAll(d.Answer, "\n", " ")), 300)))
		}
	}
	if len(answers) > 0 {
		blocks = append(blocks, linesSection("checkin_answers", append([]md.Text{"*Latest answers*"}, answers...)))
	}
	if canEdit && (c.State == baton.CheckinActive || c.State == baton.CheckinPaused) {
		blocks = append(blocks, slack.NewActionBlock("checkin_manage",
			slack.NewButtonBlockElement(actCheckinEdit, strconv.FormatInt(c.Number, 10), plain("Edit"))))
	}
	return blocks
}

// checkinHomeBlocks is the "Your check-ins" section of the App Home; nothing when there are none.
func checkinHomeBlocks(list []baton.Checkin, total int, latest map[int64][]baton.CheckinDelivery) []slack.Block {
	if len(list) == 0 {
		return nil
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn(md.F(":speech_balloon: *Your check-ins* (%d)", total)), nil, nil, slack.SectionBlockOptionBlockID("checkins")),
	}
	for _, c := range list[:min(len(list), homeCheckinLimit)] {
		lines := append([]md.Text{checkinHeadline(c)}, recipientLines(c, latest[c.ID], homeRecipients)...)
		open := slack.NewButtonBlockElement(homeActionID(actHomeCheckin, c.Number), strconv.FormatInt(c.Number, 10), plain("Open"))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(md.Clip(md.Join(lines, "\n"), 3000)), nil, slack.NewAccessory(open),
			slack.SectionBlockOptionBlockID("home_checkin_"+strconv.FormatInt(c.Number, 10))))
	}
	if more := total - min(len(list), homeCheckinLimit); more > 0 {
		blocks = append(blocks, slack.NewContextBlock("checkins_more", mrkdwn(md.F("%d more — see them with `/checkin list`.", more))))
	}
	return blocks
}

const checkinHelpText = "Baton check-ins: /checkin, /checkin @person every weekday at 09:30 Question, /checkin list, /checkin C-5"

func checkinHelpBlocks(problem md.Text) []slack.Block {
	return commandHelp("/checkin", problem,
		"*Ask people how things go with /checkin*\n"+
			"• `/checkin` — open the New check-in form\n"+
			"• `/checkin @ana @bo every weekday at 09:30 for T-12 How is the launch going?`\n"+
			"• Schedules: `daily at 9:00`, `every mon,thu at 16:00`, `every 2 weeks on mon at 10:00`, `tomorrow at 10:00`, `on 2026-12-01 at 15:00`, `in 2h`\n"+
			"• `/checkin list` — yours, with who saw and answered · `/checkin C-5` — one of them\n"+
			"• Add `remind after 2h` before the question for one reminder to whoever has not seen it by then\n"+
			"• `/checkin edit C-5` · `/checkin pause C-5` · `/checkin resume C-5` · `/checkin cancel C-5`")
}
