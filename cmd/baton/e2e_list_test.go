package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// listHelperReply types /task text as user once the bot is idle, and returns the one private reply it
// gets: the first private message to user after the command, whatever it says.
func (h *harness) listHelperReply(user, channel, text string) slackdouble.Ephemeral {
	h.t.Helper()
	return h.nextEphemeral(user, "/task "+text, func() { h.command(user, channel, text) })
}

// nextEphemeral waits until the bot is idle, does what sends a command, and returns the first private
// message to user after it, whatever it says.
func (h *harness) nextEphemeral(user, what string, send func()) slackdouble.Ephemeral {
	h.t.Helper()
	h.idle()
	n := len(h.slack.Ephemerals(user))
	send()
	var got slackdouble.Ephemeral
	err := h.slack.Wait(h.waitCtx(), func() bool {
		all := h.slack.Ephemerals(user)
		if len(all) > n {
			got = all[n]
			return true
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("%s: no private reply to %s; earlier ones:\n%s", what, user, h.ephemeralTexts(user))
	}
	return got
}

// listHelperSeed stores a task directly, as if created earlier, with no card. dueDate is YYYY-MM-DD in
// Berlin or "" for none; a status other than To do is applied as a change by the delegator.
func (h *harness) listHelperSeed(team, delegator, owner, title, dueDate string, status baton.Status) int64 {
	h.t.Helper()
	var due baton.Due
	if dueDate != "" {
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			h.t.Fatal(err)
		}
		if due, err = baton.NewDue(dueDate, "", berlin, h.clock.Now()); err != nil {
			h.t.Fatal(err)
		}
	}
	t, ev, err := baton.NewTask(team, delegator, owner, title, "", due, h.clock.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	var number int64
	h.quietly(team, t.AnnounceLane(), func() { number = h.listHelperStore(t, ev, status, title) })
	return number
}

func (h *harness) listHelperStore(t baton.Task, ev baton.TaskEvent, status baton.Status, title string) int64 {
	h.t.Helper()
	team, delegator := t.TeamID, t.DelegatorID
	stored, err := h.db.CreateTask(h.ctx, t, ev)
	if err != nil {
		h.t.Fatal(err)
	}
	if status != "" && status != baton.StatusTodo {
		_, _, err := h.db.UpdateTask(h.ctx, team, stored.Number, func(t *baton.Task) (baton.TaskEvent, error) {
			note := ""
			if status == baton.StatusBlocked {
				note = "Waiting on " + title
			}
			return t.ChangeStatus(delegator, status, note, h.clock.Now())
		})
		if err != nil {
			h.t.Fatal(err)
		}
	}
	return stored.Number
}

// listHelperShows checks that a list reply names every task in want (by ID and title) and none in not.
func listHelperShows(t *testing.T, e slackdouble.Ephemeral, want, not map[int64]string) {
	t.Helper()
	text := e.AllText()
	for n, title := range want {
		ref := "*" + baton.TaskRef(n) + "*"
		if c := strings.Count(text, ref); c != 1 {
			t.Errorf("the list shows %s %d times, want once:\n%s", ref, c, text)
		}
		if !strings.Contains(text, title) {
			t.Errorf("the list lacks %q:\n%s", title, text)
		}
	}
	for n, title := range not {
		if strings.Contains(text, "*"+baton.TaskRef(n)+"*") || strings.Contains(text, title) {
			t.Errorf("the list shows %s %q, which does not belong in it:\n%s", baton.TaskRef(n), title, text)
		}
	}
}

func listHelperTitle(t *testing.T, e slackdouble.Ephemeral, title string, count int) {
	t.Helper()
	want := fmt.Sprintf("*%s* (%d)", title, count)
	if !e.Has(want) {
		t.Errorf("the list title is not %q:\n%s", want, e.AllText())
	}
}

func TestListMineDelegatedAndByPerson(t *testing.T) {
	h := newHarness(t)
	team := h.slack.Options().TeamID
	alpha := h.listHelperSeed(team, bea, ana, "Alpha launch plan", "", baton.StatusTodo)
	bravo := h.listHelperSeed(team, bea, ana, "Bravo pricing copy", "", baton.StatusDone)
	charlie := h.listHelperSeed(team, ana, bea, "Charlie budget review", "", baton.StatusTodo)
	delta := h.listHelperSeed(team, cal, ana, "Delta vendor call", "2026-12-04", baton.StatusInProgress)
	echo := h.listHelperSeed(team, bea, cal, "Echo press kit", "", baton.StatusInReview)
	h.listHelperSeed("T0002", bea, ana, "Foxtrot other workspace", "", baton.StatusTodo)
	titles := map[int64]string{alpha: "Alpha launch plan", bravo: "Bravo pricing copy", charlie: "Charlie budget review",
		delta: "Delta vendor call", echo: "Echo press kit", 99: "Foxtrot other workspace"}
	pick := func(ns ...int64) map[int64]string {
		out := map[int64]string{}
		for _, n := range ns {
			out[n] = titles[n]
		}
		return out
	}

	mine := h.listHelperReply(ana, launc, "list")
	listHelperTitle(t, mine, "Your open tasks", 2)
	listHelperShows(t, mine, pick(alpha, delta), pick(bravo, charlie, echo, 99))
	if !mine.Has("due Fri 4 Dec 2026") || mine.Has(":alarm_clock:") {
		t.Errorf("the list should show Delta's due date, not yet overdue:\n%s", mine.AllText())
	}

	del := h.listHelperReply(bea, launc, "list delegated")
	listHelperTitle(t, del, "Open tasks you delegated", 2)
	listHelperShows(t, del, pick(alpha, echo), pick(bravo, charlie, delta, 99))

	for _, who := range []string{"<@UANA|ana>", "@ana"} {
		byAna := h.listHelperReply(cal, launc, "list "+who)
		listHelperTitle(t, byAna, "Open tasks owned by <@UANA>", 2)
		listHelperShows(t, byAna, pick(alpha, delta), pick(bravo, charlie, echo, 99))
	}

	for text, want := range map[string]string{
		"list @nobody":  "I can't find anyone called @nobody",
		"list @sam":     "More than one person is called @sam",
		"list <@UNOPE>": "I can't find <@UNOPE> in this workspace",
	} {
		e := h.listHelperReply(cal, launc, text)
		if !e.Has(want) || e.Has("Open tasks owned by") {
			t.Errorf("/task %s: want %q, got:\n%s", text, want, e.AllText())
		}
	}

	if msgs := h.slack.Messages(launc); len(msgs) != 0 {
		t.Errorf("a list was posted in the channel for everyone: %+v", msgs)
	}
}

func TestEmptyListSaysSo(t *testing.T) {
	h := newHarness(t)
	h.listHelperSeed(h.slack.Options().TeamID, bea, ana, "Alpha launch plan", "", baton.StatusTodo)
	e := h.listHelperReply(cal, launc, "list")
	listHelperTitle(t, e, "Your open tasks", 0)
	if !e.Has("Nothing here") || e.Has("Alpha launch plan") {
		t.Errorf("Cal owns nothing, the list should say so:\n%s", e.AllText())
	}
}

func TestListBlockedShowsBlockedTasksIOwnOrDelegatedOnce(t *testing.T) {
	h := newHarness(t)
	team := h.slack.Options().TeamID
	alpha := h.listHelperSeed(team, bea, ana, "Alpha launch plan", "", baton.StatusBlocked)
	bravo := h.listHelperSeed(team, bea, bea, "Bravo note to self", "", baton.StatusBlocked)
	charlie := h.listHelperSeed(team, cal, bea, "Charlie budget review", "", baton.StatusBlocked)
	delta := h.listHelperSeed(team, cal, ana, "Delta vendor call", "", baton.StatusBlocked)
	echo := h.listHelperSeed(team, bea, ana, "Echo press kit", "", baton.StatusInProgress)

	e := h.listHelperReply(bea, launc, "list blocked")
	listHelperTitle(t, e, "Blocked tasks you own or delegated", 3)
	listHelperShows(t, e,
		map[int64]string{alpha: "Alpha launch plan", bravo: "Bravo note to self", charlie: "Charlie budget review"},
		map[int64]string{delta: "Delta vendor call", echo: "Echo press kit"})
	if strings.Count(e.AllText(), ":red_circle:") != 3 {
		t.Errorf("want three blocked markers:\n%s", e.AllText())
	}
}

func TestListOverdueFollowsTheClockAndSkipsDoneTasks(t *testing.T) {
	h := newHarness(t)
	h.command(bea, launc, "<@UANA> Alpha launch plan due:tomorrow")
	h.ephemeral(bea, "Created T-1")
	h.command(bea, launc, "<@UANA> Bravo pricing copy due:tomorrow")
	h.ephemeral(bea, "Created T-2")
	second := h.card(launc, 2)
	if _, err := h.slack.SelectOption(h.waitCtx(), ana, second.Channel, second.TS, "task.status", "2:"+string(baton.StatusDone)); err != nil {
		t.Fatal(err)
	}
	h.cardNow(second, ":white_check_mark: Done")
	h.command(bea, launc, "<@UANA> Charlie budget review due:2026-12-20")
	h.ephemeral(bea, "Created T-3")
	h.command(ana, launc, "<@UBEA> Delta vendor call due:tomorrow")
	h.ephemeral(ana, "Created T-4")
	h.command(cal, launc, "<@UBEA> Echo press kit due:tomorrow")
	h.ephemeral(cal, "Created T-5")
	h.command(bea, launc, "<@UANA> Foxtrot no date")
	h.ephemeral(bea, "Created T-6")

	before := h.listHelperReply(ana, launc, "list overdue")
	listHelperTitle(t, before, "Overdue tasks you own or delegated", 0)
	if !before.Has("Nothing here") {
		t.Errorf("nothing is overdue yet:\n%s", before.AllText())
	}

	h.clock.Advance(3 * 24 * time.Hour) // Mon 30 Nov 2026 09:00 UTC: every "tomorrow" has passed
	e := h.listHelperReply(ana, launc, "list overdue")
	listHelperTitle(t, e, "Overdue tasks you own or delegated", 2)
	listHelperShows(t, e,
		map[int64]string{1: "Alpha launch plan", 4: "Delta vendor call"},
		map[int64]string{2: "Bravo pricing copy", 3: "Charlie budget review", 5: "Echo press kit", 6: "Foxtrot no date"})
	if strings.Count(e.AllText(), ":alarm_clock:") != 2 {
		t.Errorf("each overdue task should carry the alarm clock:\n%s", e.AllText())
	}
}

func TestShowTaskPrivatelyAndActOnThePrivateCopy(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)

	e := h.listHelperReply(ana, launc, "T-1")
	for _, want := range []string{"T-1 · Ship the pricing page", "*Owner*\n<@UANA>", "*Delegated by*\n<@UBEA>", "Fri 4 Dec 2026", "To do"} {
		if !e.Has(want) {
			t.Errorf("the private card lacks %q:\n%s", want, e.AllText())
		}
	}
	ids := strings.Join(e.ActionIDs(), " ")
	for _, id := range []string{"task.status", "task.log", "task.reassign", "task.due"} {
		if !strings.Contains(ids, id) {
			t.Errorf("the private card has no %s control: %v", id, e.ActionIDs())
		}
	}
	if n := countCards(h.slack.Messages(launc)); n != 1 {
		t.Errorf("%d cards in the channel after /task T-1, want the one card", n)
	}

	if _, err := h.slack.SelectOption(h.waitCtx(), ana, e.Channel, e.TS, "task.status", "1:"+string(baton.StatusInProgress)); err != nil {
		t.Fatal(err)
	}
	h.cardNow(card, "*Status*\n:large_blue_circle: In progress")
	h.threadReply(card, "<@UANA> moved this from *To do* to *In progress*")
	h.dm(bea, "<@UANA> moved", "*In progress*")
	if got := h.task(1).Status; got != baton.StatusInProgress {
		t.Errorf("stored status %s", got)
	}
	if n := countCards(h.slack.Messages(launc)); n != 1 {
		t.Errorf("%d cards in the channel, want the one card updated in place", n)
	}
}

func TestHistoryListsEveryChangeWithWhoDidItInOrder(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)

	h.selectStatus(ana, card, baton.StatusInProgress)
	h.threadReply(card, "moved this from *To do* to *In progress*")

	h.click(bea, card, "task.reassign")
	h.submit(bea, h.view(bea, "task.reassign"), form(input("owner", slackdouble.InputValue{SelectedUser: cal})))
	h.threadReply(card, "reassigned this from <@UANA> to <@UCAL>")

	h.click(cal, card, "task.due")
	h.submit(cal, h.view(cal, "task.due"), form(input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-11"})))
	h.threadReply(card, "changed the due date")

	h.click(cal, card, "task.log")
	h.submit(cal, h.view(cal, "task.log"), form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Copy is done, waiting on design.")})))
	h.threadReply(card, "logged an update")

	e := h.listHelperReply(cal, launc, "T-1 history")
	text := e.AllText()
	if !e.Has("T-1 · Ship the pricing page") || !e.Has("history") {
		t.Errorf("the history does not say which task it is:\n%s", text)
	}
	steps := []string{
		"<@UBEA> delegated this to <@UANA>",
		"<@UANA> moved this from *To do* to *In progress*",
		"<@UBEA> reassigned this from <@UANA> to <@UCAL>",
		"<@UCAL> changed the due date from Fri 4 Dec 2026 to Fri 11 Dec 2026",
		"<@UCAL> logged an update",
		"Copy is done, waiting on design.",
	}
	at := -1
	for _, s := range steps {
		i := strings.Index(text, s)
		if i < 0 {
			t.Errorf("the history lacks %q:\n%s", s, text)
			continue
		}
		if i < at {
			t.Errorf("%q is out of order:\n%s", s, text)
		}
		at = i
	}
	if n := len(h.events(1)); n != 5 {
		t.Errorf("%d events stored, want 5", n)
	}
}

func TestHelpAndUnknownWordsShowTheHelp(t *testing.T) {
	h := newHarness(t)
	delegated(h)

	help := h.listHelperReply(cal, launc, "help")
	if !help.Has("Hand work over with /task") || !help.Has("/task list") || help.Has("didn't understand") {
		t.Errorf("/task help:\n%s", help.AllText())
	}

	// Slack sends "&", "<" and ">" escaped, and the reply quotes the words as they were typed: an
	// escaped "&amp;" shows as "&".
	for _, text := range []string{"frobnicate now", "list everything", "T-1 explode", "list blocked please", "frobnicate &amp; &lt;co&gt;"} {
		e := h.listHelperReply(bea, launc, text)
		if !e.Has("I didn't understand `/task " + text + "`") {
			t.Errorf("/task %s does not say what was not understood:\n%s", text, e.AllText())
		}
		if !e.Has("Hand work over with /task") {
			t.Errorf("/task %s does not show the help:\n%s", text, e.AllText())
		}
	}

	h.idle()
	if n := h.taskCount(); n != 1 {
		t.Errorf("%d tasks after help and unknown words, want the one", n)
	}
	if got := h.task(1); got.Status != baton.StatusTodo || got.Title != "Ship the pricing page" {
		t.Errorf("T-1 changed: %+v", got)
	}
	if n := len(h.events(1)); n != 1 {
		t.Errorf("%d events on T-1, want only its creation", n)
	}
	if n := len(h.slack.Messages(launc)); n != 1 {
		t.Errorf("%d messages in the channel, want only the card", n)
	}
}

var listHelperShowing = regexp.MustCompile(`Showing (\d+) of (\d+)`)

func TestLongListStaysWithinOneMessage(t *testing.T) {
	h := newHarness(t)
	team := h.slack.Options().TeamID
	const total = 120
	for i := 1; i <= total; i++ {
		title := fmt.Sprintf("Item %03d %s", i, strings.Repeat("long words ", 10))
		h.listHelperSeed(team, bea, ana, title, "", baton.StatusTodo)
	}

	e := h.listHelperReply(ana, launc, "list")
	var blocks []json.RawMessage
	if err := json.Unmarshal(e.Blocks, &blocks); err != nil {
		t.Fatalf("list blocks: %v", err)
	}
	if len(blocks) == 0 || len(blocks) > 50 {
		t.Fatalf("the list has %d blocks; one message holds 1 to 50", len(blocks))
	}
	listHelperTitle(t, e, "Your open tasks", total)
	m := listHelperShowing.FindStringSubmatch(e.AllText())
	if m == nil {
		t.Fatalf("a list of %d does not say how many are shown:\n%s", total, e.AllText())
	}
	shown, _ := strconv.Atoi(m[1])
	if m[2] != strconv.Itoa(total) || shown <= 0 || shown >= total {
		t.Errorf("%q, want fewer than %d of %d", m[0], total, total)
	}
	if lines := strings.Count(e.AllText(), " — <@UANA>"); lines != shown {
		t.Errorf("the list says it shows %d but has %d task lines", shown, lines)
	}
}
