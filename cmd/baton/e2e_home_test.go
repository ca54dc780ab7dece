package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// The dashboard's three sections, as a person reads their headings.
const (
	hmAttention = "Needs your attention"
	hmDelegated = "Delegated by you"
	hmMine      = "Your tasks"
)

// hmSection is the text of one dashboard section: from its heading up to the next section's heading.
func hmSection(v slackdouble.View, heading string) string {
	text := slackdouble.ReadText(v.AllText())
	i := strings.Index(text, heading)
	if i < 0 {
		return ""
	}
	rest := text[i+len(heading):]
	end := len(rest)
	for _, next := range []string{hmAttention, hmDelegated, hmMine} {
		if j := strings.Index(rest, next); j >= 0 && j < end {
			end = j
		}
	}
	return rest[:end]
}

// hmOpen opens user's Home tab, as clicking Baton's Home tab in Slack does, and returns the ack.
func (h *harness) hmOpen(user string) slackdouble.Ack {
	h.t.Helper()
	_, ack, err := h.slack.AppHomeOpened(h.waitCtx(), user)
	if err != nil {
		h.t.Fatalf("app_home_opened for %s: %v", user, err)
	}
	return ack
}

// hmHomeWhere waits for user's App Home to satisfy pred, describing what was expected on failure.
func (h *harness) hmHomeWhere(user, what string, pred func(slackdouble.View) bool) slackdouble.View {
	h.t.Helper()
	v, err := h.slack.WaitHome(h.waitCtx(), user, pred)
	if err != nil {
		got, _ := h.slack.HomeView(user)
		h.t.Fatalf("%s's home never showed %s; last published:\n%s", user, what, got.AllText())
	}
	return v
}

// hmBlockCount is how many top-level blocks a published view has.
func hmBlockCount(t *testing.T, v slackdouble.View) int {
	t.Helper()
	var blocks []json.RawMessage
	if err := json.Unmarshal(v.Blocks, &blocks); err != nil {
		t.Fatalf("home blocks are not a JSON array: %v", err)
	}
	return len(blocks)
}

// hmCreateTasks stores n tasks delegated by delegator to owner, cycling through the open statuses.
func (h *harness) hmCreateTasks(n int, delegator, owner string) {
	h.t.Helper()
	open := []baton.Status{baton.StatusTodo, baton.StatusInProgress, baton.StatusInReview, baton.StatusBlocked}
	h.quietly(h.slack.Options().TeamID, delegator, func() { h.hmStoreTasks(n, delegator, owner, open) })
}

func (h *harness) hmStoreTasks(n int, delegator, owner string, open []baton.Status) {
	for i := range n {
		t, ev, err := baton.NewTask(h.slack.Options().TeamID, delegator, owner, fmt.Sprintf("Bulk item %03d", i+1), "", baton.Due{}, h.clock.Now())
		if err != nil {
			h.t.Fatal(err)
		}
		t.Status = open[i%len(open)]
		if t.Status == baton.StatusBlocked {
			t.BlockedReason = "Waiting on the vendor"
		}
		if _, err := h.db.CreateTask(h.ctx, t, ev); err != nil {
			h.t.Fatalf("store task %d: %v", i+1, err)
		}
	}
}

// hmSetStatus picks a status in the status menu of task number's card.
func (h *harness) hmSetStatus(user string, card slackdouble.Message, number int64, status baton.Status) {
	h.t.Helper()
	if _, err := h.slack.SelectOption(h.waitCtx(), user, card.Channel, card.TS, "task.status", fmt.Sprintf("%d:%s", number, status)); err != nil {
		h.t.Fatalf("select %s on T-%d: %v", status, number, err)
	}
}

var hmTaskRef = regexp.MustCompile(`\bT-(\d+)\b`)

// hmRefsInDMs collects the distinct task IDs mentioned in every DM Baton sent the user.
func (h *harness) hmRefsInDMs(user string) map[string]bool {
	refs := map[string]bool{}
	for _, m := range h.slack.Messages(h.slack.DMChannel(user)) {
		for _, sub := range hmTaskRef.FindAllStringSubmatch(m.AllText(), -1) {
			refs[sub[1]] = true
		}
	}
	return refs
}

func TestHomeOpenedPublishesAnEmptyDashboardAndTheMessagesTabDoesNot(t *testing.T) {
	h := newHarness(t)

	ack := h.hmOpen(cal)
	if ack.Latency > h.slack.Options().AckTimeout {
		t.Fatalf("app_home_opened acked after %v", ack.Latency)
	}
	v := h.home(cal, hmAttention, hmDelegated, hmMine)
	for heading, want := range map[string]string{
		hmAttention: "Nothing blocked or overdue",
		hmDelegated: "Nothing handed over",
		hmMine:      "No open tasks",
	} {
		if got := hmSection(v, heading); !strings.Contains(got, want) {
			t.Errorf("empty %q section does not say %q:\n%s", heading, want, got)
		}
	}
	if !strings.Contains(strings.Join(v.ActionIDs(), " "), "home.new_task") {
		t.Errorf("an empty dashboard offers no New task button: %v", v.ActionIDs())
	}

	publishes := h.slack.CallCount("views.publish")
	if _, _, err := h.slack.SendEvent(h.waitCtx(), "app_home_opened", map[string]any{
		"user": ana, "channel": h.slack.DMChannel(ana), "tab": "messages",
	}); err != nil {
		t.Fatal(err)
	}
	h.idle()
	if _, ok := h.slack.HomeView(ana); ok {
		t.Error("opening the Messages tab published a Home tab")
	}
	if n := h.slack.CallCount("views.publish"); n != publishes {
		t.Errorf("opening the Messages tab made %d views.publish calls", n-publishes)
	}
}

func TestHomeIsRefreshedForEveryoneAChangeTouches(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.home(ana, hmMine, "*T-1* Ship the pricing page")
	h.home(bea, hmDelegated, "*T-1* Ship the pricing page — <@UANA>")

	// Ana starts: both dashboards follow without either of them opening Baton.
	h.selectStatus(ana, card, baton.StatusInProgress)
	h.hmHomeWhere(bea, "T-1 under In progress", func(v slackdouble.View) bool {
		s := hmSection(v, hmDelegated)
		return strings.Contains(s, "*In progress* (1)") && strings.Contains(s, "*T-1*") && !strings.Contains(s, "*To do*")
	})
	h.hmHomeWhere(ana, "T-1 as In progress in Your tasks", func(v slackdouble.View) bool {
		return strings.Contains(hmSection(v, hmMine), "*T-1*") && hmStatusOf(v, 1) == "In progress"
	})

	// Bea hands it to Cal: Cal gains it, Ana loses it, Bea sees the new owner.
	h.click(bea, card, "task.reassign")
	h.submit(bea, h.view(bea, "task.reassign"), form(input("owner", slackdouble.InputValue{SelectedUser: cal})))
	h.hmHomeWhere(cal, "T-1 in Your tasks", func(v slackdouble.View) bool {
		return strings.Contains(hmSection(v, hmMine), "*T-1* Ship the pricing page")
	})
	h.hmHomeWhere(ana, "T-1 gone from Your tasks", func(v slackdouble.View) bool {
		s := hmSection(v, hmMine)
		return strings.Contains(s, "No open tasks") && !strings.Contains(s, "T-1")
	})
	h.hmHomeWhere(bea, "Cal as T-1's owner", func(v slackdouble.View) bool {
		s := hmSection(v, hmDelegated)
		return strings.Contains(s, "*T-1*") && strings.Contains(s, "<@UCAL>") && !strings.Contains(s, "<@UANA>")
	})
	if n := h.slack.CallCount("views.publish"); n == 0 {
		t.Fatal("no dashboard was published")
	}
}

// Someone at the centre of a busy task sees their dashboard follow it about once a second, not once
// per change, and the last change is never left out.
func TestABurstOfChangesRepublishesADashboardAboutOnceASecond(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.postRate = 50 })
	card := delegated(h)
	h.idle()
	before := h.slack.CallCount("views.publish")
	start := time.Now()
	// A change every 100 ms for 3 seconds: the dashboards would follow each one if they could.
	var burst []baton.Status
	for range 10 {
		burst = append(burst, baton.StatusInProgress, baton.StatusInReview, baton.StatusDone)
	}
	burst = append(burst, baton.StatusInProgress)
	replies := len(h.slack.Thread(card.Channel, card.TS))
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i, s := range burst {
		<-tick.C
		h.selectStatus(ana, card, s)
		if err := h.slack.Wait(h.waitCtx(), func() bool { return len(h.slack.Thread(card.Channel, card.TS)) > replies+i }); err != nil {
			t.Fatalf("change %d (%s) got no thread reply", i+1, s.Label())
		}
	}
	h.idle()
	elapsed := time.Since(start)
	// Two dashboards (Ana's and Bea's), each published at most once a second while the changes came,
	// and once more after them.
	published := h.slack.CallCount("views.publish") - before
	if most := 2 * (int(elapsed/time.Second) + 2); published > most || published < 2 {
		t.Errorf("%d changes in %s published %d dashboards, want 2 to %d", len(burst), elapsed.Round(time.Millisecond), published, most)
	}
	t.Logf("%d changes in %s published %d dashboards", len(burst), elapsed.Round(time.Millisecond), published)

	h.hmHomeWhere(bea, "T-1 under In progress", func(v slackdouble.View) bool {
		s := hmSection(v, hmDelegated)
		return strings.Contains(s, "*In progress* (1)") && !strings.Contains(s, "*In review*")
	})
}

func TestNeedsYourAttentionListsBlockedAndOverdueButNeverDone(t *testing.T) {
	h := newHarness(t)
	card := delegated(h) // T-1, Bea → Ana, due Fri 4 Dec
	h.selectStatus(ana, card, baton.StatusBlocked)
	h.submit(ana, h.view(ana, "task.blocked"), form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Legal has not signed off")})))
	h.hmHomeWhere(bea, "the blocked T-1 with its reason", func(v slackdouble.View) bool {
		s := hmSection(v, hmAttention)
		return strings.Contains(s, "*T-1*") && strings.Contains(s, "blocked since today: Legal has not signed off")
	})

	h.command(bea, launc, "<@UANA> Renew the domain due:2026-11-30") // T-2: Bea's, soon overdue
	h.card(launc, 2)
	h.command(cal, launc, "<@UANA> Send the invoices due:2026-11-30") // T-3: Cal's, soon overdue
	h.card(launc, 3)
	h.command(bea, launc, "<@UANA> Book the caterer due:2026-11-30") // T-4: done before it was due
	done := h.card(launc, 4)
	h.hmSetStatus(ana, done, 4, baton.StatusDone)
	h.cardNow(done, ":white_check_mark: Done")
	h.idle()

	h.clock.Advance(5 * 24 * time.Hour) // Wed 2 Dec: T-2, T-3 and T-4 are past their due date
	h.hmOpen(bea)
	h.hmOpen(ana)

	bv := h.hmHomeWhere(bea, "T-2 as overdue", func(v slackdouble.View) bool {
		return strings.Contains(hmSection(v, hmAttention), "overdue for 1 working day (due Mon 30 Nov 2026)")
	})
	battn := hmSection(bv, hmAttention)
	for _, want := range []string{"(2)", "*T-1* Ship the pricing page", "blocked for 3 working days: Legal has not signed off", "*T-2* Renew the domain"} {
		if !strings.Contains(battn, want) {
			t.Errorf("Bea's %q lacks %q:\n%s", hmAttention, want, battn)
		}
	}
	for _, not := range []string{"T-3", "T-4"} {
		if strings.Contains(battn, not) {
			t.Errorf("Bea's %q shows %s, which is Cal's or Done:\n%s", hmAttention, not, battn)
		}
	}
	if !strings.Contains(battn, "*T-2* Renew the domain — <@UANA> · :alarm_clock: overdue for 1 working day") {
		t.Errorf("Bea's overdue T-2 does not say it is overdue and who owns it:\n%s", battn)
	}

	av := h.hmHomeWhere(ana, "her overdue tasks", func(v slackdouble.View) bool {
		return strings.Contains(hmSection(v, hmAttention), "overdue for 2 working days") // counted in Ana's zone
	})
	aattn := hmSection(av, hmAttention)
	for _, want := range []string{"(2)", "*T-2* Renew the domain", "*T-3* Send the invoices"} {
		if !strings.Contains(aattn, want) {
			t.Errorf("Ana's %q lacks %q:\n%s", hmAttention, want, aattn)
		}
	}
	if strings.Contains(aattn, "T-4") {
		t.Errorf("a Done task is in Ana's %q:\n%s", hmAttention, aattn)
	}
	if strings.Contains(aattn, "Ask for an update") {
		t.Errorf("Ana is offered to ask herself for an update:\n%s", aattn)
	}
	for who, v := range map[string]slackdouble.View{"Bea": bv, "Ana": av} {
		if strings.Contains(v.AllText(), "T-4 ") || strings.Contains(v.AllText(), "*T-4*") {
			t.Errorf("%s's dashboard still lists the Done T-4:\n%s", who, v.AllText())
		}
	}
}

func TestDelegatedByYouIsGroupedByStatusWithOwnerAndTimeInStatus(t *testing.T) {
	h := newHarness(t)
	card1 := delegated(h)                             // T-1 → Ana
	h.command(bea, launc, "<@UCAL> Print the badges") // T-2 → Cal, stays To do
	h.card(launc, 2)
	h.command(bea, launc, "<@UANA> Proofread the FAQ") // T-3 → Ana
	card3 := h.card(launc, 3)
	h.selectStatus(ana, card1, baton.StatusInProgress)
	h.cardNow(card1, ":large_blue_circle: In progress")
	h.idle()

	h.clock.Advance(2 * 24 * time.Hour)
	// A change two days later refreshes Bea's dashboard with the new times.
	h.hmSetStatus(ana, card3, 3, baton.StatusInReview)
	v := h.hmHomeWhere(bea, "T-3 under In review", func(v slackdouble.View) bool {
		return strings.Contains(hmSection(v, hmDelegated), "*In review* (1)")
	})
	s := hmSection(v, hmDelegated)
	// The most urgent group first; ages in working days (Friday to Sunday is none).
	wants := []string{
		"(3 open)",
		"*In review* (1)",
		"*T-3* Proofread the FAQ — <@UANA> · in review since today",
		"*In progress* (1)",
		"*T-1* Ship the pricing page — <@UANA> · in progress since Friday",
		"*To do* (1)",
		"*T-2* Print the badges — <@UCAL> · to do since Friday",
	}
	last := -1
	for _, want := range wants {
		i := strings.Index(s, want)
		if i < 0 {
			t.Errorf("%q lacks %q:\n%s", hmDelegated, want, s)
			continue
		}
		if i < last {
			t.Errorf("%q is out of order (groups go In review, In progress, To do):\n%s", want, s)
		}
		last = i
	}
	if strings.Contains(s, "*Blocked*") || strings.Contains(s, "*Done*") {
		t.Errorf("empty status groups are shown:\n%s", s)
	}
}

func TestHomeWithManyTasksStaysUnderTheBlockLimitAndShowsAll(t *testing.T) {
	h := newHarness(t)
	const n = 150
	h.hmCreateTasks(n, bea, ana)

	h.hmOpen(bea)
	bv := h.home(bea, fmt.Sprintf("(%d open)", n), fmt.Sprintf("Show all %d", n))
	if got := hmBlockCount(t, bv); got > 100 {
		t.Errorf("Bea's home has %d blocks; Slack refuses more than 100", got)
	}
	bdel := hmSection(bv, hmDelegated)
	for _, want := range []string{"*To do* (38)", "*In progress* (38)", "*In review* (37)", "*Blocked* (37)"} {
		if !strings.Contains(bdel, want) {
			t.Errorf("%q lacks the count %q:\n%s", hmDelegated, want, bdel)
		}
	}
	if got := len(hmTaskRef.FindAllString(bdel, -1)); got >= n {
		t.Errorf("%q lists all %d tasks instead of summarising", hmDelegated, got)
	}
	if attn := hmSection(bv, hmAttention); !strings.Contains(attn, "(37)") {
		t.Errorf("%q does not count the 37 blocked tasks:\n%s", hmAttention, attn)
	}

	h.hmOpen(ana)
	av := h.home(ana, fmt.Sprintf("%s* (%d open)", hmMine, n), fmt.Sprintf("Show all %d", n))
	if got := hmBlockCount(t, av); got > 100 {
		t.Errorf("Ana's home has %d blocks; Slack refuses more than 100", got)
	}

	for _, c := range []struct {
		user, scope, title string
	}{
		{bea, "delegated", "Open tasks you delegated"},
		{ana, "mine", "Your open tasks"},
	} {
		if _, err := h.slack.ClickHomeButton(h.waitCtx(), c.user, "home.show_all", c.scope); err != nil {
			t.Fatalf("click Show all (%s): %v", c.scope, err)
		}
		h.dm(c.user, c.title, fmt.Sprintf("(%d)", n))
		h.idle()
		refs := h.hmRefsInDMs(c.user)
		var missing []string
		for i := 1; i <= n; i++ {
			if !refs[fmt.Sprint(i)] {
				missing = append(missing, baton.TaskRef(int64(i)))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s clicked \"Show all %d\" (%s) but the DM lists only %d of them; missing %d, e.g. %v",
				c.user, n, c.scope, len(refs), len(missing), missing[:min(5, len(missing))])
		}
	}
}

func TestHomeNewTaskButtonOpensTheNewTaskForm(t *testing.T) {
	h := newHarness(t)
	h.hmOpen(cal)
	h.home(cal, "New task")
	if _, err := h.slack.ClickHomeButton(h.waitCtx(), cal, "home.new_task"); err != nil {
		t.Fatal(err)
	}
	v := h.view(cal, "task.new")
	if !v.Has("New task") {
		t.Errorf("the form is not titled New task: %s", v.Title)
	}
	h.submit(cal, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Order the lanyards")}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
		input("channel", slackdouble.InputValue{SelectedConversation: launc}),
	))
	h.card(launc, 1)
	h.dm(ana, "handed you", "T-1 · Order the lanyards")
	h.hmHomeWhere(cal, "the new task under Delegated by you", func(v slackdouble.View) bool {
		return strings.Contains(hmSection(v, hmDelegated), "*T-1* Order the lanyards — <@UANA>")
	})
}

// hmMenu is a status menu of Your tasks on a dashboard: its options' values and what it shows.
type hmMenu struct {
	ActionID string `json:"action_id"`
	Options  []struct {
		Value string `json:"value"`
	} `json:"options"`
	InitialOption struct {
		Text struct{ Text string } `json:"text"`
	} `json:"initial_option"`
}

// hmMenuOf is the status menu of task T-number under Your tasks, and whether the dashboard has one.
func hmMenuOf(v slackdouble.View, number int64) (hmMenu, bool) {
	var blocks []struct {
		Accessory hmMenu `json:"accessory"`
	}
	if json.Unmarshal(v.Blocks, &blocks) != nil {
		return hmMenu{}, false
	}
	for _, b := range blocks {
		if b.Accessory.ActionID == fmt.Sprintf("task.status:%d", number) {
			return b.Accessory, true
		}
	}
	return hmMenu{}, false
}

// hmStatusOf is the status the dashboard's menu shows for task T-number in Your tasks, "" when the
// task has no menu there.
func hmStatusOf(v slackdouble.View, number int64) string {
	m, _ := hmMenuOf(v, number)
	return m.InitialOption.Text.Text
}
