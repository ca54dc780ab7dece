package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
	"github.com/batonhq/baton/scheduler"
)

// checkinDraft is a check-in about to be created: who asks whom, when, and what.
type checkinDraft struct {
	teamID     string
	sender     Person
	recipients []Person
	schedule   baton.Schedule
	taskNumber int64
	message    string
	askReply   bool
	remind     time.Duration
}

// recipientPlan is one recipient's first delivery: when, in their calendar; ok is false when the
// schedule never reaches them.
type recipientPlan struct {
	person Person
	next   time.Time
	ok     bool
}

// checkinJob is the payload of a delivery job: which check-in, to whom, for which due time.
type checkinJob struct {
	ID   int64     `json:"id"`
	User string    `json:"u"`
	Due  time.Time `json:"d"`
}

// quickCheckin creates a check-in from one line: /checkin @ana every weekday at 09:30 How is it going?
func (h *Handlers) quickCheckin(ctx context.Context, r *bot.Request, text string) {
	me, err := h.actor(ctx, r)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	cmd, err := baton.ParseCheckinCommand(text, h.now().In(me.Loc))
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	d := checkinDraft{teamID: r.TeamID, sender: me, schedule: cmd.Schedule, taskNumber: cmd.TaskNumber, message: cmd.Message,
		askReply: true, remind: cmd.RemindAfter}
	limit, err := h.checkins.CheckinMaxRecipients(ctx, r.TeamID)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	if len(cmd.Recipients) > limit {
		h.fail(ctx, r, tooManyRecipients(len(cmd.Recipients), limit))
		return
	}
	for _, ref := range cmd.Recipients {
		p, err := h.people.Resolve(ctx, ref)
		if err == nil {
			err = checkinRecipientError(p)
		}
		if err != nil {
			h.fail(ctx, r, err)
			return
		}
		d.recipients = append(d.recipients, p)
	}
	if err := checkCheckinMessage(d.message); err != nil {
		h.fail(ctx, r, err)
		return
	}
	if err := h.checkCheckinTask(ctx, r.TeamID, d.taskNumber); err != nil {
		h.fail(ctx, r, err)
		return
	}
	c, plans, err := h.createCheckin(ctx, d)
	if err != nil {
		h.fail(ctx, r, err)
		return
	}
	h.reply(ctx, r, checkinConfirmText(c), checkinConfirmBlocks(c, plans)...)
}

// checkinRecipientError refuses people who cannot answer a check-in.
func checkinRecipientError(p Person) error {
	switch {
	case p.Deleted:
		return baton.Errorf(baton.EInvalid, "%s has been deactivated, so they can't get check-ins. Leave them out and try again.", md.Mention(p.ID))
	case p.IsBot:
		return baton.Errorf(baton.EInvalid, "%s is a bot, and bots can't answer check-ins. Choose people.", md.Mention(p.ID))
	}
	return nil
}

// checkCheckinMessage checks that the message fits in one Slack text once &, < and > are escaped.
func checkCheckinMessage(msg string) error {
	if msg == "" {
		return baton.Errorf(baton.EInvalid, "Write the question to ask.")
	}
	if n := md.Esc(msg).Len(); n > baton.MaxCheckinMessageLen {
		return baton.Errorf(baton.EInvalid, "The message is %d characters long as Slack counts them (&, < and > count as several); keep it to %d at most.",
			n, baton.MaxCheckinMessageLen)
	}
	return nil
}

// checkCheckinTask checks that a linked task exists.
func (h *Handlers) checkCheckinTask(ctx context.Context, teamID string, number int64) error {
	if number == 0 {
		return nil
	}
	_, err := h.tasks.Task(ctx, teamID, number)
	return err
}

// planCheckin finds each recipient's first delivery. It fails when the schedule reaches nobody.
func (h *Handlers) planCheckin(ctx context.Context, teamID string, s baton.Schedule, people []Person) ([]recipientPlan, error) {
	now := h.now()
	plans := make([]recipientPlan, len(people))
	reached := false
	for i, p := range people {
		cal, err := h.calendar(ctx, teamID, p)
		if err != nil {
			return nil, err
		}
		next, ok := s.Next(now, cal)
		plans[i] = recipientPlan{person: p, next: next, ok: ok}
		reached = reached || ok
	}
	if !reached {
		if s.Repeat == baton.RepeatOnce {
			return nil, baton.Errorf(baton.EInvalid, "That moment has already passed in the time zone of everyone you asked, so nothing was set up. Pick a later time.")
		}
		return nil, baton.Errorf(baton.EInvalid, "That schedule never falls on a working day of anyone you asked, so nothing was set up. Pick other days, or let it run on days off.")
	}
	return plans, nil
}

// createCheckin stores the check-in and schedules each recipient's first delivery.
func (h *Handlers) createCheckin(ctx context.Context, d checkinDraft) (baton.Checkin, []recipientPlan, error) {
	plans, err := h.planCheckin(ctx, d.teamID, d.schedule, d.recipients)
	if err != nil {
		return baton.Checkin{}, nil, err
	}
	c := baton.Checkin{TeamID: d.teamID, SenderID: d.sender.ID, State: baton.CheckinActive, CreatedAt: h.now()}
	d.apply(&c)
	stored, err := h.checkins.CreateCheckin(ctx, c)
	if err != nil {
		return baton.Checkin{}, nil, err
	}
	var jobs []scheduler.Job
	for _, p := range plans {
		if p.ok {
			jobs = append(jobs, deliveryJob(stored, p.person.ID, p.next))
		}
	}
	h.enqueueCheckin(ctx, stored, jobs)
	h.homes.Refresh(stored.TeamID, stored.SenderID)
	return stored, plans, nil
}

// apply writes what the draft asks into a check-in.
func (d checkinDraft) apply(c *baton.Checkin) {
	c.Message, c.Schedule, c.TaskNumber, c.AskReply, c.RemindAfter = d.message, d.schedule, d.taskNumber, d.askReply, d.remind
	c.Recipients = nil
	for _, p := range d.recipients {
		c.Recipients = append(c.Recipients, baton.CheckinRecipient{UserID: p.ID, TZ: p.Loc.String()})
	}
}

// tooManyRecipients says a check-in asks more people than the workspace allows.
func tooManyRecipients(n, limit int) error {
	return baton.Errorf(baton.EInvalid, "That is %d people; a check-in can ask %d at most in this workspace. Split it, or ask in a channel.", n, limit)
}

func deliveryJob(c baton.Checkin, userID string, due time.Time) scheduler.Job {
	payload, _ := json.Marshal(checkinJob{ID: c.ID, User: userID, Due: due.UTC()})
	return scheduler.Job{Kind: jobCheckinDeliver, Key: checkinJobKey(c.TeamID, c.Number, userID), TeamID: c.TeamID, Payload: payload, DueAt: due}
}

func (h *Handlers) enqueueCheckin(ctx context.Context, c baton.Checkin, jobs []scheduler.Job) {
	if h.sched == nil || len(jobs) == 0 {
		return
	}
	if err := h.sched.EnqueueMany(ctx, jobs); err != nil {
		h.logger(ctx).ErrorContext(ctx, "check-in deliveries not scheduled", "checkin", c.Ref(), "err", err)
	}
}

// checkinPeople looks up the people picked in the form. Many at once come from one users.list.
func (h *Handlers) checkinPeople(ctx context.Context, ids []string) ([]Person, error) {
	if len(ids) <= baton.MaxCheckinRecipients {
		out := make([]Person, 0, len(ids))
		for _, id := range ids {
			p, err := h.people.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	users, err := h.slack.Users(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*slack.User, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		u, ok := byID[id]
		if !ok {
			return nil, baton.Errorf(baton.ENotFound, "I can't find %s in this workspace.", md.Mention(id))
		}
		out = append(out, personOf(u))
	}
	return out, nil
}

// onCheckinModalSubmit validates the New check-in form before Slack closes it, so mistakes show
// under their field, then creates the check-in and confirms it in the sender's DM.
func (h *Handlers) onCheckinModalSubmit(ctx context.Context, r *bot.Request) any {
	me, err := h.actor(ctx, r)
	if err != nil {
		return h.submitFailure(ctx, r, err, fCkRecipients)
	}
	d, resp := h.checkinDraftFromForm(ctx, r, me)
	if resp != nil {
		return resp
	}
	c, plans, err := h.createCheckin(ctx, d)
	if err != nil {
		return h.submitFailure(ctx, r, err, fCkTime)
	}
	h.background(ctx, func(ctx context.Context) {
		h.dm(ctx, me.ID, msgText(checkinConfirmText(c)), slack.MsgOptionBlocks(checkinConfirmBlocks(c, plans)...))
	})
	return nil
}

// checkinDraftFromForm reads the check-in form; on mistakes it returns the errors to show under
// their fields (or the failure to show).
func (h *Handlers) checkinDraftFromForm(ctx context.Context, r *bot.Request, me Person) (checkinDraft, *slack.ViewSubmissionResponse) {
	v := formValues(r.Interaction.View.State)
	errs := map[string]string{}
	d := checkinDraft{teamID: r.TeamID, sender: me, message: v.text(fCkMessage), askReply: v.checked(fCkOptions, optAskReply)}
	if m, err := strconv.ParseInt(v.get(fCkRemind).SelectedOption.Value, 10, 64); err == nil {
		d.remind = time.Duration(m) * time.Minute
		if d.remind < 0 || d.remind > baton.MaxCheckinReminder {
			errs[fCkRemind] = "Pick one of the reminder choices."
		}
	}
	limit, err := h.checkins.CheckinMaxRecipients(ctx, r.TeamID)
	if err != nil {
		return d, h.submitFailure(ctx, r, err, fCkRecipients)
	}
	ids := v.get(fCkRecipients).SelectedUsers
	switch {
	case len(ids) == 0:
		errs[fCkRecipients] = "Choose who to check in with."
	case len(ids) > limit:
		errs[fCkRecipients] = baton.ErrorMessage(tooManyRecipients(len(ids), limit))
	default:
		people, err := h.checkinPeople(ctx, ids)
		for _, p := range people {
			if err == nil {
				err = checkinRecipientError(p)
			}
		}
		if err != nil {
			if baton.ErrorMessage(err) == "" {
				return d, h.submitFailure(ctx, r, err, fCkRecipients)
			}
			errs[fCkRecipients] = baton.ErrorMessage(err)
		}
		d.recipients = people
	}
	if err := checkCheckinMessage(d.message); err != nil {
		errs[fCkMessage] = baton.ErrorMessage(err)
	}
	s, field, err := scheduleFromForm(v, h.now().In(me.Loc))
	if err != nil {
		errs[field] = baton.ErrorMessage(err)
	}
	d.schedule = s
	if ref := v.text(fCkTask); ref != "" {
		n, ok := baton.ParseTaskRef(ref)
		if !ok {
			errs[fCkTask] = fmt.Sprintf("%q is not a task ID. Write it like T-12, or leave it empty.", ref)
		} else if err := h.checkCheckinTask(ctx, r.TeamID, n); err != nil {
			if baton.ErrorMessage(err) == "" {
				return d, h.submitFailure(ctx, r, err, fCkTask)
			}
			errs[fCkTask] = baton.ErrorMessage(err)
		}
		d.taskNumber = n
	}
	if len(errs) > 0 {
		return d, fieldErrors(errs)
	}
	return d, nil
}

// scheduleFromForm builds the schedule the form describes; on a mistake it names the field to show
// it under. now is in the sender's zone, which decides whether a date and time have passed.
func scheduleFromForm(v formState, now time.Time) (baton.Schedule, string, error) {
	at, err := baton.ParseClock(v.clock(fCkTime))
	if v.clock(fCkTime) == "" {
		err = baton.Errorf(baton.EInvalid, "Pick the time of day.")
	}
	if err != nil {
		return baton.Schedule{}, fCkTime, err
	}
	s := baton.Schedule{Repeat: baton.Repeat(v.get(fCkRepeat).SelectedOption.Value), At: at, SkipNonWorking: v.checked(fCkOptions, optSkipDaysOff)}
	date := v.date(fCkDate)
	switch s.Repeat {
	case baton.RepeatOnce:
		if date == "" {
			return s, fCkDate, baton.Errorf(baton.EInvalid, "Pick the day to ask.")
		}
		day, err := time.ParseInLocation(time.DateOnly, date, now.Location())
		if err != nil {
			return s, fCkDate, baton.Errorf(baton.EInvalid, "Pick the day from the calendar.")
		}
		if !time.Date(day.Year(), day.Month(), day.Day(), at.Hour, at.Minute, 0, 0, now.Location()).After(now) {
			return s, fCkTime, baton.Errorf(baton.EInvalid, "%s at %s has already passed. Pick a later time.", day.Format("Mon 2 Jan 2006"), at)
		}
		s.Once = time.Date(day.Year(), day.Month(), day.Day(), at.Hour, at.Minute, 0, 0, time.UTC)
		s.At = baton.Clock{}
	case baton.RepeatDaily, baton.RepeatWeekdays:
	case baton.RepeatWeekly, baton.RepeatEveryNWeeks:
		for _, o := range v.get(fCkDays).SelectedOptions {
			if wd, ok := weekdayValues[o.Value]; ok {
				s.Days[wd] = true
			}
		}
		if s.Days == [7]bool{} {
			return s, fCkDays, baton.Errorf(baton.EInvalid, "Pick at least one day of the week.")
		}
		if s.Repeat == baton.RepeatEveryNWeeks {
			n := v.get(fCkWeeks).SelectedOption.Value
			if _, err := fmt.Sscan(n, &s.EveryWeeks); err != nil || s.EveryWeeks < 2 || s.EveryWeeks > baton.MaxEveryWeeks {
				return s, fCkWeeks, baton.Errorf(baton.EInvalid, "Pick how many weeks apart, from 2 to %d.", baton.MaxEveryWeeks)
			}
			s.Anchor = now.Format(time.DateOnly)
			if date != "" {
				s.Anchor = date
			}
		}
	default:
		return s, fCkRepeat, baton.Errorf(baton.EInvalid, "Pick how often to ask.")
	}
	return s, "", nil
}

// checked reports whether a checkbox option is ticked.
func (f formState) checked(id, value string) bool {
	for _, o := range f.get(id).SelectedOptions {
		if o.Value == value {
			return true
		}
	}
	return false
}
