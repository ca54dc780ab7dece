package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// ckCommand types /checkin and fails the test on a transport error.
func (h *harness) ckCommand(user, channel, text string) {
	h.t.Helper()
	if _, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: channel, Command: "/checkin", Text: text}); err != nil {
		h.t.Fatalf("/checkin %s: %v", text, err)
	}
}

// ckJobDue is when the delivery job of check-in C-number to user is due, or false when none waits.
func (h *harness) ckJobDue(number int64, user string) (time.Time, bool) {
	h.t.Helper()
	j, ok, err := h.jobs.JobByKey(h.ctx, fmt.Sprintf("checkin:%s:%d:%s", h.slack.Options().TeamID, number, user))
	if err != nil {
		h.t.Fatal(err)
	}
	return j.DueAt, ok
}

// ckDeliveries counts the check-in DMs (first posts and reminders) in a person's DM with Baton.
func (h *harness) ckDeliveries(user, ref string) int {
	n := 0
	for _, m := range h.slack.Messages(h.slack.DMChannel(user)) {
		if m.Has("Check-in " + ref + "* from") {
			n++
		}
	}
	return n
}

// ckNow waits until a message, updated in place, contains every one of want.
func (h *harness) ckNow(m slackdouble.Message, want ...string) slackdouble.Message {
	h.t.Helper()
	var cur slackdouble.Message
	if err := h.slack.Wait(h.waitCtx(), func() bool {
		cur, _ = h.slack.Message(m.Channel, m.TS)
		return hasAll(cur.AllText(), want)
	}); err != nil {
		h.t.Fatalf("message never showed %q; it shows:\n%s", want, cur.AllText())
	}
	return cur
}

func (h *harness) ckClick(user string, m slackdouble.Message, actionID string) {
	h.t.Helper()
	if _, err := h.slack.ClickButton(h.waitCtx(), user, m.Channel, m.TS, actionID); err != nil {
		h.t.Fatalf("click %s: %v", actionID, err)
	}
}

func (h *harness) ckMore(user string, m slackdouble.Message, choice string) {
	h.t.Helper()
	d, ok, err := h.db.DeliveryByMessage(h.ctx, m.Channel, m.TS)
	if err != nil || !ok {
		h.t.Fatalf("no delivery for the message: %v", err)
	}
	if _, err := h.slack.SelectOption(h.waitCtx(), user, m.Channel, m.TS, "checkin.more", fmt.Sprintf("%d:%s", d.ID, choice)); err != nil {
		h.t.Fatalf("choose %s: %v", choice, err)
	}
}

// Friday 27 Nov 2026: 09:30 in New York is 14:30 UTC (EST).
var (
	ckFri = time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)
	ckMon = time.Date(2026, 11, 30, 14, 30, 0, 0, time.UTC)
)

func TestCheckinQuickFormDeliversAtNineThirtyInTheRecipientsZoneAndTracksSeenAndAnswered(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "<@UANA> Ship v2")
	card := h.card(launc, 1)
	h.idle()

	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 for T-1 How is the launch going?")
	h.ephemeral(bea, "Check-in *C-1* is set up", "every weekday at 09:30", "<@UANA>",
		fmt.Sprintf("<!date^%d^", ckFri.Unix()), "Fri 27 Nov 09:30 in America/New_York")
	if at, ok := h.ckJobDue(1, ana); !ok || !at.Equal(ckFri) {
		t.Fatalf("first delivery due %v (%v), want %v", at, ok, ckFri)
	}
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 0 {
		t.Fatalf("%d deliveries before the time", n)
	}

	h.advanceTo(ckFri.Add(time.Second))
	dm := h.dm(ana, "Check-in C-1* from <@UBEA>", "about *T-1*", "How is the launch going?")
	for _, id := range []string{"checkin.got_it", "checkin.reply", "checkin.more"} {
		if !slices.Contains(dm.ActionIDs(), id) {
			t.Errorf("the delivery has no %s: %v", id, dm.ActionIDs())
		}
	}
	h.idle()
	if at, ok := h.ckJobDue(1, ana); !ok || !at.Equal(ckMon) {
		t.Errorf("next delivery due %v (%v), want Monday %v (the weekend skipped)", at, ok, ckMon)
	}

	h.ckClick(ana, dm, "checkin.got_it")
	h.ckNow(dm, "Seen")
	h.idle()
	h.ckCommand(bea, launc, "C-1")
	h.ephemeral(bea, "Check-in C-1", "<@UANA> — delivered <!date^", ", seen <!date^")
	h.home(bea, "Your check-ins", "C-1", "<@UANA> — delivered", ", seen")

	h.ckClick(ana, dm, "checkin.reply")
	v := h.view(ana, "checkin.answer")
	h.submit(ana, v, input("ck_answer", slackdouble.InputValue{Value: slackdouble.Str("On track, shipping Tuesday")}))
	h.threadReply(card, "<@UANA> answered check-in *C-1*", "On track, shipping Tuesday")
	h.ckNow(dm, "Answered")
	h.idle()
	h.ckCommand(bea, launc, "list")
	h.ephemeral(bea, "Your check-ins", "C-1", ", answered <!date^")

	// Monday's delivery comes at 09:30 New York again.
	h.advanceTo(ckMon.Add(time.Second))
	h.slack.WaitMessage(h.waitCtx(), h.slack.DMChannel(ana), func(m slackdouble.Message) bool {
		return m.Has("Check-in C-1* from") && m.TS != dm.TS
	})
}

func TestCheckinReactionMarksSeenAndAReplyWithoutTaskGoesToTheSender(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> <@UCAL> in 2h Did the numbers come in?")
	h.ephemeral(bea, "Check-in *C-1* is set up", "in 2 hours")
	h.idle()
	h.advanceTo(h.clock.Now().Add(2*time.Hour + time.Second))
	dm := h.dm(ana, "Did the numbers come in?")
	h.dm(cal, "Did the numbers come in?")
	// The delivery records which message it is once the post returns; people react after that.
	h.idle()

	if _, _, err := h.slack.SendEvent(h.waitCtx(), "reaction_added", map[string]any{
		"user": ana, "reaction": "eyes", "item_user": h.slack.Options().BotUserID,
		"item": map[string]any{"type": "message", "channel": dm.Channel, "ts": dm.TS},
	}); err != nil {
		t.Fatal(err)
	}
	h.ckNow(dm, "Seen")
	// Someone else's reaction, or another emoji, does nothing.
	calDM := h.dm(cal, "Did the numbers come in?")
	for _, ev := range []map[string]any{
		{"user": ana, "reaction": "eyes", "item": map[string]any{"type": "message", "channel": calDM.Channel, "ts": calDM.TS}},
		{"user": cal, "reaction": "tada", "item": map[string]any{"type": "message", "channel": calDM.Channel, "ts": calDM.TS}},
	} {
		if _, _, err := h.slack.SendEvent(h.waitCtx(), "reaction_added", ev); err != nil {
			t.Fatal(err)
		}
	}
	h.idle()
	if m, _ := h.slack.Message(calDM.Channel, calDM.TS); m.Has("Seen") {
		t.Error("Cal's delivery was marked seen by a reaction that was not his 👀 or ✅")
	}

	h.ckClick(cal, calDM, "checkin.reply")
	v := h.view(cal, "checkin.answer")
	h.submit(cal, v, input("ck_answer", slackdouble.InputValue{Value: slackdouble.Str("Yes, 12% up")}))
	h.dm(bea, "<@UCAL> answered check-in *C-1*", "12% up")
	h.idle()
	if _, ok := h.ckJobDue(1, ana); ok {
		t.Error("a once-check-in still has a delivery waiting")
	}
	c, err := h.db.Checkin(h.ctx, h.slack.Options().TeamID, 1)
	if err != nil || c.State != baton.CheckinFinished {
		t.Errorf("check-in = %v, %v, want finished once both had theirs", c.State, err)
	}
}

func TestCheckinPauseResumeCancel(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 Standup notes?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()

	h.ckCommand(cal, launc, "pause C-1")
	h.ephemeral(cal, "Only <@UBEA>", "or a workspace admin can pause it")
	h.ckCommand(bea, launc, "pause C-1")
	h.ephemeral(bea, "Paused check-in *C-1*")
	h.idle()
	if _, ok := h.ckJobDue(1, ana); ok {
		t.Fatal("a paused check-in still has a delivery waiting")
	}
	h.advanceTo(ckFri.Add(time.Second))
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 0 {
		t.Fatalf("%d deliveries while paused", n)
	}

	h.ckCommand(bea, launc, "resume C-1")
	h.ephemeral(bea, "Check-in *C-1* is running again", fmt.Sprintf("<!date^%d^", ckMon.Unix()))
	h.advanceTo(ckMon.Add(time.Second))
	h.dm(ana, "Standup notes?")

	h.ckCommand(adm, launc, "cancel C-1")
	h.ephemeral(adm, "Cancelled check-in *C-1*")
	h.idle()
	if _, ok := h.ckJobDue(1, ana); ok {
		t.Error("a cancelled check-in still has a delivery waiting")
	}
	h.ckCommand(bea, launc, "resume C-1")
	h.ephemeral(bea, "C-1* is cancelled, so there is nothing to resume")
}

func TestCheckinSnoozeAndMuteTellTheSender(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 Blockers?")
	h.ephemeral(bea, "Check-in *C-1* is set up")
	h.idle()
	h.advanceTo(ckFri.Add(time.Second))
	dm := h.dm(ana, "Blockers?")
	h.idle()

	h.ckMore(ana, dm, "snooze_1h")
	h.ckNow(dm, "Snoozed until")
	h.dm(bea, "<@UANA> snoozed check-in *C-1* until")
	h.idle()
	h.advanceTo(ckFri.Add(time.Hour + 2*time.Second))
	reminder := h.dm(ana, "Reminder", "Blockers?")
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 2 {
		t.Errorf("%d check-in DMs after the snooze, want the first and its reminder", n)
	}

	h.ckMore(ana, reminder, "mute")
	h.ckNow(reminder, "Muted")
	h.dm(bea, "<@UANA> muted check-in *C-1*")
	h.idle()
	if _, ok := h.ckJobDue(1, ana); ok {
		t.Error("a muted recipient still has a delivery waiting")
	}
	h.advanceTo(ckMon.Add(time.Second))
	h.idle()
	if n := h.ckDeliveries(ana, "C-1"); n != 2 {
		t.Errorf("%d check-in DMs after muting, want no more", n)
	}
	h.ckCommand(bea, launc, "C-1")
	h.ephemeral(bea, "<@UANA> — delivered", "muted")
}

func TestCheckinModalCreatesAndShowsErrorsUnderTheFields(t *testing.T) {
	h := newHarness(t)
	h.ckCommand(bea, launc, "")
	v := h.view(bea, "checkin.new")
	ack := h.submit(bea, v, form(
		input("ck_recipients", slackdouble.InputValue{SelectedUsers: []string{ana, robo}}),
		input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Weekly numbers?")}),
		input("ck_repeat", slackdouble.InputValue{SelectedOption: "weekly"}),
		input("ck_task", slackdouble.InputValue{Value: slackdouble.Str("T-99")}),
	))
	errs := string(ack.Payload)
	for _, want := range []string{"ck_recipients", "is a bot", "ck_days", "Pick at least one day", "ck_task", "There is no task T-99"} {
		if !strings.Contains(errs, want) {
			t.Errorf("field errors %s do not say %q", errs, want)
		}
	}
	h.submit(bea, v, form(
		input("ck_recipients", slackdouble.InputValue{SelectedUsers: []string{ana, cal}}),
		input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Weekly numbers?")}),
		input("ck_repeat", slackdouble.InputValue{SelectedOption: "weekly"}),
		input("ck_days", slackdouble.InputValue{SelectedOptions: []string{"mon", "thu"}}),
		input("ck_time", slackdouble.InputValue{SelectedTime: "16:00"}),
	))
	h.dm(bea, "Check-in *C-1* is set up", "every Mon and Thu at 16:00", "<@UANA>", "<@UCAL>")
	h.idle()
	// Monday 30 Nov at 16:00 in New York and in Tokyo.
	if at, ok := h.ckJobDue(1, ana); !ok || !at.Equal(time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("Ana's first delivery at %v (%v)", at, ok)
	}
	if at, ok := h.ckJobDue(1, cal); !ok || !at.Equal(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("Cal's first delivery at %v (%v)", at, ok)
	}
}

func TestCheckinBadInputIsRefusedAndStoresNothing(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, text string
		want       []string
	}{
		{"no schedule", "<@UANA> whenever How is it going?", []string{"could not read", "These work:"}},
		{"no time", "<@UANA> every weekday Standup?", []string{"Say what time"}},
		{"past", "<@UANA> on 2026-11-01 at 10:00 Late?", []string{"has already passed"}},
		{"bot", "<@UROBO> every weekday at 09:30 Hi?", []string{"<@UROBO> is a bot"}},
		{"deactivated", "<@UGONE> every weekday at 09:30 Hi?", []string{"<@UGONE> has been deactivated"}},
		{"unknown task", "<@UANA> every weekday at 09:30 for T-42 Hi?", []string{"There is no task T-42"}},
		{"too long", "<@UANA> every weekday at 09:30 " + strings.Repeat("x", 3001), []string{"keep it to 3000"}},
		{"too long once escaped", "<@UANA> every weekday at 09:30 " + strings.Repeat("&amp;", 1000), []string{"as Slack counts them"}},
		{"no question", "<@UANA> every weekday at 09:30", []string{"Add the question"}},
		{"unknown check-in", "pause C-7", []string{"There is no check-in C-7"}},
	}
	var many []string
	for i := 0; i < 21; i++ {
		many = append(many, fmt.Sprintf("<@UX%02d>", i))
	}
	cases = append(cases, struct {
		name, text string
		want       []string
	}{"too many", strings.Join(many, " ") + " daily at 09:00 Hi?", []string{"21 people"}})
	for _, c := range cases {
		h.ckCommand(bea, launc, c.text)
		h.ephemeral(bea, c.want...)
	}
	h.idle()
	if _, err := h.db.Checkin(h.ctx, h.slack.Options().TeamID, 1); err == nil {
		t.Error("bad input stored a check-in")
	}
	for _, e := range h.slack.Ephemerals(bea) {
		if strings.Contains(e.AllText(), "pq:") || strings.Contains(e.AllText(), "store:") {
			t.Errorf("internal error text reached the user: %s", e.AllText())
		}
	}
}

func TestCheckinSixtyRecipientsEachGetOneDM(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for i := 0; i < 60; i++ {
		id := fmt.Sprintf("UMANY%02d", i)
		h.slack.AddUser(slackdouble.User{ID: id, Name: fmt.Sprintf("many%02d", i), TZ: "America/New_York"})
		ids = append(ids, id)
	}
	h.ckCommand(bea, launc, "")
	v := h.view(bea, "checkin.new")
	h.submit(bea, v, form(
		input("ck_recipients", slackdouble.InputValue{SelectedUsers: ids}),
		input("ck_message", slackdouble.InputValue{Value: slackdouble.Str("Pulse check?")}),
		input("ck_repeat", slackdouble.InputValue{SelectedOption: "weekdays"}),
	))
	h.dm(bea, "Check-in *C-1* is set up", "and 50 more")
	h.idle()
	h.advanceTo(ckFri.Add(time.Second))
	if err := h.slack.Wait(h.waitCtx(), func() bool {
		for _, id := range ids {
			if h.ckDeliveries(id, "C-1") == 0 {
				return false
			}
		}
		return true
	}); err != nil {
		t.Fatalf("not everyone got the check-in: %v", err)
	}
	h.idle()
	for _, id := range ids {
		if n := h.ckDeliveries(id, "C-1"); n != 1 {
			t.Errorf("%s got %d DMs, want 1", id, n)
		}
	}
}
