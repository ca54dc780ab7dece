package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

func (h *Handlers) registerAdmin(r *bot.Router) {
	r.Command("/baton", h.onBatonCommand)
}

// batonHelp is /baton's help. The help of the authority and people commands is plain text, escaped in it.
var batonHelp = md.F("*Baton settings*\n"+
	"• `/baton settings` — how and when Baton reaches you, and the workspace's working week\n"+
	"• `/baton digest 08:30` — stage changes and stale tasks in one daily message at your local time · `/baton digest off` — at once (blocked and overdue always arrive at once)\n"+
	"• `/baton ooo until 2026-12-02` — you're away through that day: nudges wait until you're back · `/baton ooo off`\n"+
	"• `/baton holidays` — the workspace's days off · `/baton holidays add 2026-12-25 Christmas` · `/baton holidays remove 2026-12-25` (admins)\n"+
	"• `/baton workdays mon-fri` · `/baton hours 09:00-18:00` — the workspace's working week (admins)\n"+
	"• `/baton reminders 24h,2h` — how long before a deadline owners are reminded (admins)\n"+
	"• `/baton checkins limit 200` — how many people one check-in may ask (admins)\n"+
	"• `/baton okr-reminder-days 7` — after how many days without a check-in key result owners are reminded (admins)\n"+
	"• `/baton jobs` — timers that failed too often · `/baton jobs retry KEY` · `/baton jobs drop KEY` (admins)\n"+
	"• `/baton policies` — the approval policy in force and its request types · `/baton policies simulate` — the last 90 days' requests routed by the edited file next to how they were routed, nothing put in force (admins) · `/baton policies reload` — read the policy file again after changing it (admins)\n"+
	"• %s\n"+
	"• %s\n"+
	"• %s\n"+
	"• %s\n"+
	"• %s", recordHelp, auditHelp, authorityHelp, suggestionsHelp, peopleHelp)

func (h *Handlers) onBatonCommand(ctx context.Context, r *bot.Request) {
	verb, rest, _ := strings.Cut(strings.TrimSpace(r.Command.Text), " ")
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	switch strings.ToLower(verb) {
	case "ooo", "away":
		err = h.outOfOffice(ctx, r, me, rest)
	case "holidays", "holiday":
		err = h.holidays(ctx, r, me, rest)
	case "jobs":
		err = h.jobs(ctx, r, me, rest)
	case "digest":
		err = h.digestCommand(ctx, r, me, rest)
	case "reminders":
		err = h.remindersCommand(ctx, r, me, rest)
	case "checkins", "checkin":
		err = h.checkinLimitCommand(ctx, r, me, rest)
	case "okr-reminder-days", "okr-reminders":
		err = h.okrReminderCommand(ctx, r, me, rest)
	case "workdays", "hours":
		err = h.workWeekCommand(ctx, r, me, strings.ToLower(verb), rest)
	case "settings":
		err = h.showSettings(ctx, r, me)
	case "authority":
		err = h.authorityCommand(ctx, r, me, rest)
	case "record":
		err = h.recordCommand(ctx, r, me, rest)
	case "audit":
		err = h.auditCommand(ctx, r, me, rest)
	case "suggestions", "suggestion", "suggest":
		err = h.suggestionsCommand(ctx, r, me, rest)
	case "policies", "policy":
		err = h.policiesCommand(ctx, r, me, rest)
	case "group", "groups", "manager", "managers":
		err = h.peopleCommand(ctx, r, me, strings.ToLower(verb), rest)
	case "", "help":
		h.reply(ctx, r, batonHelp, slack.NewSectionBlock(mrkdwn(batonHelp), nil, nil, slack.SectionBlockOptionBlockID("help")))
	default:
		text := batonProblemText(baton.UnescapeSlack(r.Command.Text))
		h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("help")))
	}
	if err != nil {
		h.fail(ctx, r, err)
	}
}

func (h *Handlers) outOfOffice(ctx context.Context, r *bot.Request, me Person, text string) error {
	cmd, err := baton.ParseOOO(text, me.Loc, h.now())
	if err != nil {
		return err
	}
	if err := h.calendars.SetOutOfOffice(ctx, r.TeamID, me.ID, cmd.Until); err != nil {
		return err
	}
	if cmd.Until == "" {
		h.reply(ctx, r, ":wave: Welcome back. Reminders and nudges reach you in your working hours again.")
		return nil
	}
	day, _ := time.Parse(time.DateOnly, cmd.Until)
	h.reply(ctx, r, md.F(":palm_tree: You're away through %s. Non-urgent nudges wait until you're back; blocked and overdue alerts still reach you.", day.Format("Mon 2 Jan 2006")))
	return nil
}

func (h *Handlers) holidays(ctx context.Context, r *bot.Request, me Person, text string) error {
	cmd, err := baton.ParseHolidayCommand(text, me.Loc, h.now())
	if err != nil {
		return err
	}
	if cmd.Action != baton.HolidayList && !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change the holiday list. Ask one of them to add or remove the day.")
	}
	day, _ := time.Parse(time.DateOnly, cmd.Holiday.Date)
	switch cmd.Action {
	case baton.HolidayAdd:
		if err := h.calendars.AddHoliday(ctx, r.TeamID, cmd.Holiday, me.ID); err != nil {
			return err
		}
		h.reply(ctx, r, holidayAddedText(cmd.Holiday))
	case baton.HolidayRemove:
		removed, err := h.calendars.RemoveHoliday(ctx, r.TeamID, cmd.Holiday.Date)
		if err != nil {
			return err
		}
		if !removed {
			return baton.Errorf(baton.ENotFound, "%s is not on the holiday list. See the list with `/baton holidays`.", day.Format("Mon 2 Jan 2006"))
		}
		h.reply(ctx, r, md.F(":calendar: %s is a working day again.", day.Format("Mon 2 Jan 2006")))
	default:
		days, err := h.calendars.Holidays(ctx, r.TeamID, h.now().In(me.Loc).Format(time.DateOnly))
		if err != nil {
			return err
		}
		if len(days) == 0 {
			h.reply(ctx, r, "No holidays ahead. Admins add one with `/baton holidays add 2026-12-25 Christmas`.")
			return nil
		}
		text := holidaysText(days)
		h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("holidays")))
	}
	return nil
}

// batonProblemText says what part of /baton was not understood, followed by the help.
func batonProblemText(command string) md.Text {
	return md.F(":thinking_face: I didn't understand `/baton %s`.\n%s", clip(command, 200), batonHelp)
}

// holidayAddedText confirms a holiday added to the workspace's list.
func holidayAddedText(d baton.Holiday) md.Text {
	day, _ := time.Parse(time.DateOnly, d.Date)
	return md.F(":calendar: %s is now a holiday%s. Nudges due that day wait for the next working day.", day.Format("Mon 2 Jan 2006"), holidayName(d))
}

// holidaysText lists the holidays ahead.
func holidaysText(days []baton.Holiday) md.Text {
	lines := []md.Text{md.F("*Holidays ahead* (%d)", len(days))}
	for _, d := range days {
		t, _ := time.Parse(time.DateOnly, d.Date)
		lines = append(lines, md.F("• %s%s", t.Format("Mon 2 Jan 2006"), holidayName(d)))
	}
	return md.Clip(md.Join(lines, "\n"), 3000)
}

// jobsText lists the timers that failed too often.
func jobsText(parked []scheduler.ParkedJob) md.Text {
	lines := []md.Text{md.F("*Timers that failed too often* (%d) — `/baton jobs retry KEY` or `/baton jobs drop KEY`", len(parked))}
	for _, j := range parked {
		lines = append(lines, md.F("• `%s` — %d tries, last: %s", j.Key, j.Attempt, clip(j.LastError, 200)))
	}
	return md.Clip(md.Join(lines, "\n"), 3000)
}

func holidayName(d baton.Holiday) md.Text {
	if d.Name == "" {
		return ""
	}
	return " (" + md.Esc(d.Name) + ")"
}

// jobs lets admins see timers that failed too often, and retry or drop one.
func (h *Handlers) jobs(ctx context.Context, r *bot.Request, me Person, text string) error {
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can see and fix stuck timers.")
	}
	verb, key, _ := strings.Cut(strings.TrimSpace(text), " ")
	key = strings.TrimSpace(key)
	switch strings.ToLower(verb) {
	case "retry", "drop":
		if key == "" {
			return baton.Errorf(baton.EInvalid, "Say which timer: `/baton jobs %s KEY`, with the key from `/baton jobs`.", strings.ToLower(verb))
		}
		if strings.EqualFold(verb, "retry") {
			if err := h.sched.Retry(ctx, r.TeamID, key); err != nil {
				return err
			}
			h.reply(ctx, r, md.F(":repeat: `%s` will run again now.", key))
			return nil
		}
		if err := h.sched.Drop(ctx, r.TeamID, key); err != nil {
			return err
		}
		h.reply(ctx, r, md.F(":wastebasket: `%s` is dropped.", key))
		return nil
	case "", "list":
		parked, err := h.sched.Parked(ctx, r.TeamID)
		if err != nil {
			return err
		}
		if len(parked) == 0 {
			h.reply(ctx, r, ":white_check_mark: No stuck timers: every reminder and check-in is running.")
			return nil
		}
		text := jobsText(parked)
		h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("jobs")))
		return nil
	}
	return baton.Errorf(baton.EInvalid, "I don't know `/baton jobs %s`. Try `/baton jobs`, `/baton jobs retry KEY` or `/baton jobs drop KEY`.", verb)
}

func (h *Handlers) digestCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	s, err := baton.ParseDigest(text)
	if err != nil {
		return err
	}
	if err := h.setDigest(ctx, r.TeamID, me, s); err != nil {
		return err
	}
	if !s.Daily {
		h.reply(ctx, r, ":zap: You'll hear about stage changes and stale tasks as they happen.")
		return nil
	}
	h.reply(ctx, r, md.F(":newspaper: Stage changes and stale tasks now come in one digest at %s your time, on working days. Blocked and overdue still reach you at once.", s.At))
	return nil
}

func (h *Handlers) workWeekCommand(ctx context.Context, r *bot.Request, me Person, verb, text string) error {
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change the working week.")
	}
	w, err := h.calendars.WorkWeek(ctx, r.TeamID)
	if err != nil {
		return err
	}
	if verb == "workdays" {
		if w.Days, err = baton.ParseWorkDays(text); err != nil {
			return err
		}
	} else if w.Start, w.End, err = baton.ParseWorkHours(text); err != nil {
		return err
	}
	if err := h.calendars.SetWorkWeek(ctx, r.TeamID, w, me.ID); err != nil {
		return err
	}
	h.reply(ctx, r, md.F(":calendar: The working week is now %s, in each person's own time zone. Nudges wait for it.", w))
	return nil
}

func (h *Handlers) showSettings(ctx context.Context, r *bot.Request, me Person) error {
	s, err := h.digests.Digest(ctx, r.TeamID, me.ID)
	if err != nil {
		return err
	}
	w, err := h.calendars.WorkWeek(ctx, r.TeamID)
	if err != nil {
		return err
	}
	away, err := h.calendars.OutOfOffice(ctx, r.TeamID, me.ID)
	if err != nil {
		return err
	}
	signals := "at once"
	if s.Daily {
		signals = "in a daily digest at " + s.At.String() + " your time"
	}
	ooo := "not set"
	if away != "" {
		ooo = "away through " + away
	}
	text := md.F("*Your Baton settings*\n• Stage changes and stale tasks: %s (`/baton digest 08:30` or `/baton digest off`)\n"+
		"• Out-of-office: %s\n• Your time zone (from Slack): %s\n• Workspace working week: %s", signals, ooo, me.Loc, w)
	h.reply(ctx, r, text, slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("settings")))
	return nil
}

// checkinLimitCommand shows or sets how many people one check-in may ask in the workspace.
func (h *Handlers) checkinLimitCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	words := strings.Fields(strings.ToLower(text))
	if len(words) == 0 {
		n, err := h.checkins.CheckinMaxRecipients(ctx, r.TeamID)
		if err != nil {
			return err
		}
		h.reply(ctx, r, md.F(":speech_balloon: One check-in may ask up to %d people in this workspace. Admins change it with `/baton checkins limit 200`.", n))
		return nil
	}
	if words[0] != "limit" || len(words) != 2 {
		return baton.Errorf(baton.EInvalid, "Write it like `/baton checkins limit 200`, or `/baton checkins` to see the limit.")
	}
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change how many people a check-in may ask.")
	}
	n, err := strconv.Atoi(words[1])
	if err != nil || n < 1 || n > maxCheckinLimit {
		return baton.Errorf(baton.EInvalid, "%q is not a limit I can use: pick a whole number from 1 to %d.", words[1], maxCheckinLimit)
	}
	if err := h.checkins.SetCheckinMaxRecipients(ctx, r.TeamID, n, me.ID); err != nil {
		return err
	}
	h.reply(ctx, r, md.F(":white_check_mark: From now on one check-in may ask up to %d people. Check-ins already set up keep the people they ask.", n))
	return nil
}

// maxCheckinLimit is the highest recipient limit an admin may set: the largest fan-out the
// delivery pacing is measured with (1,000 DMs due at one moment).
const maxCheckinLimit = 1000

func (h *Handlers) remindersCommand(ctx context.Context, r *bot.Request, me Person, text string) error {
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can change when deadline reminders go out.")
	}
	offsets, err := baton.ParseReminderOffsets(text)
	if err != nil {
		return err
	}
	if err := h.calendars.SetReminderOffsets(ctx, r.TeamID, offsets, me.ID); err != nil {
		return err
	}
	h.reply(ctx, r, md.F(":bell: Deadlines set or changed from now on remind their owner %s before. Reminders already planned at other times are skipped.", baton.FormatOffsets(offsets)))
	return nil
}
