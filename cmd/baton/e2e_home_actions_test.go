package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// haPermalink is the link Slack gives to message ts in channel.
func (h *harness) haPermalink(channel, ts string) string {
	return fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", h.slack.Options().TeamDomain, channel, strings.ReplaceAll(ts, ".", ""))
}

// haClick presses a button on user's dashboard.
func (h *harness) haClick(user, actionID string) {
	h.t.Helper()
	if _, err := h.slack.ClickHomeButton(h.waitCtx(), user, actionID); err != nil {
		h.t.Fatalf("%s presses %s on the dashboard: %v", user, actionID, err)
	}
}

// haAnswer waits for the window Baton opens over user's dashboard to answer them, says every one of
// want, and closes it.
func (h *harness) haAnswer(user string, want ...string) {
	h.t.Helper()
	v, err := h.slack.WaitView(h.waitCtx(), user, func(v slackdouble.View) bool {
		if v.CallbackID != "home.answer" {
			return false
		}
		for _, w := range want {
			if !v.Has(w) {
				return false
			}
		}
		return true
	})
	if err != nil {
		var open []string
		for _, v := range h.slack.OpenViews(user) {
			open = append(open, v.CallbackID+": "+v.AllText())
		}
		h.t.Fatalf("no answer saying %q over %s's dashboard; open windows:\n%s", want, user, strings.Join(open, "\n"))
	}
	if _, err := h.slack.CloseView(h.waitCtx(), user, v.ID); err != nil {
		h.t.Fatal(err)
	}
}

// haButtonURL is where the link button with actionID on the dashboard leads, "" when there is none.
func haButtonURL(v slackdouble.View, actionID string) string {
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			URL      string `json:"url"`
		} `json:"elements"`
	}
	if json.Unmarshal(v.Blocks, &blocks) != nil {
		return ""
	}
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.ActionID == actionID {
				return e.URL
			}
		}
	}
	return ""
}

// haPickStatus picks a status in the menu of task T-number under Your tasks on user's dashboard.
func (h *harness) haPickStatus(user string, number int64, s baton.Status) {
	h.t.Helper()
	v, _ := h.slack.HomeView(user)
	menu, _ := hmMenuOf(v, number)
	for _, o := range menu.Options {
		if strings.HasPrefix(o.Value, fmt.Sprintf("%d:%s:", number, s)) {
			if _, err := h.slack.SelectHomeOption(h.waitCtx(), user, menu.ActionID, o.Value); err != nil {
				h.t.Fatalf("%s picks %s for T-%d on the dashboard: %v", user, s, number, err)
			}
			return
		}
	}
	h.t.Fatalf("%s's dashboard has no %s in a menu of T-%d:\n%s", user, s, number, v.AllText())
}

// haChangeElsewhere changes a task as another process would, without this one redrawing anyone's
// dashboard: the dashboards that show the task are stale until they are drawn again.
func (h *harness) haChangeElsewhere(number int64, fn func(t *baton.Task)) {
	h.t.Helper()
	h.idle()
	team := h.slack.Options().TeamID
	h.quietly(team, launc, func() {
		if _, _, err := h.db.UpdateTask(h.ctx, team, number, func(t *baton.Task) (baton.TaskEvent, error) {
			fn(t)
			return baton.TaskEvent{TeamID: team, Kind: baton.EventUpdate, Actor: "USOMEONE", Note: "elsewhere", At: h.clock.Now()}, nil
		}); err != nil {
			h.t.Fatal(err)
		}
	})
}

func TestEveryHomeLineLeadsToItsCard(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	decision := h.dcRecord(bea, "Freeze deploys on Fridays", "No deploys after 12:00 on Fridays.",
		input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana}}))
	h.okrObjective(bea, "Grow revenue 40%", bea, "", "")
	h.okrKR(bea, "O-1", "Ship the v2 launch", ana, "", "", "")
	h.ckCommand(bea, launc, "<@UANA> every weekday at 09:30 How is the launch going?")
	h.idle()

	cardLink := h.haPermalink(card.Channel, card.TS)
	v := h.home(bea, "*T-1* Ship the pricing page")
	if got := v.LinkOf("T-1"); got != cardLink {
		t.Errorf("Bea's line of T-1 leads to %q, want its card %q", got, cardLink)
	}
	v = h.home(ana, "*T-1* Ship the pricing page", "*D-1* Freeze deploys on Fridays", "*KR-1* Ship the v2 launch")
	if got := v.LinkOf("T-1"); got != cardLink {
		t.Errorf("Ana's line of T-1 leads to %q, want its card %q", got, cardLink)
	}
	decisionLink := h.haPermalink(decision.Channel, decision.TS)
	if got, open := v.LinkOf("D-1"), haButtonURL(v, "home.open.decision:1"); got != decisionLink || open != decisionLink {
		t.Errorf("Ana's line of D-1 leads to %q and its Open button to %q, want the decision's card %q", got, open, decisionLink)
	}

	// What has no message of its own opens over the dashboard.
	h.haClick(ana, "home.kr:1")
	h.haAnswer(ana, "*KR-1", "Ship the v2 launch", "Linked tasks")
	h.home(bea, "Your check-ins", "C-1")
	h.haClick(bea, "home.checkin:1")
	h.haAnswer(bea, "Check-in C-1", "How is the launch going?")

	// A card posted before Baton kept links gets one the first time a dashboard shows it, kept.
	team := h.slack.Options().TeamID
	if _, err := h.db.Exec(`UPDATE tasks SET card_link = '' WHERE team_id = $1`, team); err != nil {
		t.Fatal(err)
	}
	h.hmOpen(bea)
	h.until("the old card's link found and kept", func() bool { return h.task(1).CardLink == cardLink })
	h.hmHomeWhere(bea, "T-1 linked", func(v slackdouble.View) bool { return v.LinkOf("T-1") == cardLink })
}

func TestApprovingFromTheHome(t *testing.T) {
	h := newRequestHarness(t)
	h.request(bea, launc, "purchase amount=12000 client_tier=enterprise risk=low New laptops")
	card1 := h.approverCard(fin1, "R-1 · Purchase")
	h.approverCard(fin2, "R-1 · Purchase")

	v := h.hmOpenHomeWhere(fin1, hmAwaiting+"* (1)", "*R-1 · Purchase* — <@UBEA> · waiting since today", "New laptops")
	if got, want := v.LinkOf("R-1 · Purchase"), h.haPermalink(card1.Channel, card1.TS); got != want {
		t.Errorf("Fay's line of R-1 leads to %q, want her card %q", got, want)
	}
	status := h.dm(bea, "R-1 · Purchase — waiting")
	v = h.hmOpenHomeWhere(bea, hmRequests, "*R-1 · Purchase* — step 1 of 2")
	if got, want := v.LinkOf("R-1 · Purchase"), h.haPermalink(status.Channel, status.TS); got != want {
		t.Errorf("Bea's line of her own R-1 leads to %q, want her status card %q", got, want)
	}

	h.haClick(fin1, "request.approve:1")
	cfoCard := h.approverCard(cfo, "R-1 · Purchase")
	h.cardNow(card1, "<@UFIN1>")
	h.hmOpenHomeWithout(fin1, hmAwaiting)

	// R-2's first step is decided elsewhere while Fred's dashboard still offers it: refused kindly,
	// and drawn again.
	h.request(bea, launc, "purchase amount=13000 client_tier=enterprise risk=low Monitors")
	h.approverCard(fin2, "R-2 · Purchase")
	h.hmOpenHomeWhere(fin2, "*R-2 · Purchase*")
	team := h.slack.Options().TeamID
	h.quietly(team, launc, func() {
		if _, _, err := h.db.ChangeRequest(h.ctx, team, 2, baton.Decide(0, fin1, baton.ActApprove, "", nil, h.clock.Now())); err != nil {
			t.Fatal(err)
		}
	})
	h.haClick(fin2, "request.approve:2")
	h.haAnswer(fin2, "of R-2 was already decided, so nothing changed.")
	h.hmHomeWhere(fin2, "R-2 gone from the approvals", func(v slackdouble.View) bool { return !v.Has(hmAwaiting) })
	if r := h.stored(2); r.CurrentStep != 1 || r.Status != "pending" || h.trailHas(2, "approve", fin2) {
		t.Errorf("after the stale approval R-2 is %s at step %d", r.Status, r.CurrentStep)
	}

	// The CFO rejects from the dashboard, with a comment.
	v = h.hmOpenHomeWhere(cfo, hmAwaiting+"* (2)", "*R-1 · Purchase*")
	if got, want := v.LinkOf("R-1 · Purchase"), h.haPermalink(cfoCard.Channel, cfoCard.TS); got != want {
		t.Errorf("the CFO's line of R-1 leads to %q, want her card %q", got, want)
	}
	h.haClick(cfo, "request.reject:1")
	h.submit(cfo, h.view(cfo, "request.comment"), form(input("req_comment", slackdouble.InputValue{Value: slackdouble.Str("Not this quarter")})))
	h.dm(bea, "R-1", "rejected", "Not this quarter")
	if r := h.stored(1); r.Status != "rejected" {
		t.Errorf("R-1 is %s after the CFO rejected it from the dashboard", r.Status)
	}
	h.hmOpen(cfo)
	h.hmHomeWhere(cfo, "only R-2 waiting", func(v slackdouble.View) bool { return v.Has(hmAwaiting+"* (1)") && !v.Has("R-1 ·") })
}

func TestActingOnTasksFromTheHome(t *testing.T) {
	h := newHarness(t)
	card := delegated(h)
	h.command(bea, launc, "<@UANA> Book the venue due:2026-12-04")
	h.card(launc, 2)
	h.command(ana, launc, "<@UANA> Draft the agenda")
	h.card(launc, 3)

	// Ana is blocked; Bea asks her for an update from the dashboard, once.
	h.selectStatus(ana, card, baton.StatusBlocked)
	h.submit(ana, h.view(ana, "task.blocked"), form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Legal has not signed off")})))
	v := h.home(bea, hmAttention, "*T-1* Ship the pricing page — <@UANA> · :red_circle: blocked since today: Legal has not signed off")
	if got, want := haButtonURL(v, "home.open.task:1"), h.haPermalink(card.Channel, card.TS); got != want {
		t.Errorf("Open card on the dashboard leads to %q, want %q", got, want)
	}
	h.haClick(bea, "task.ask:1")
	h.haAnswer(bea, "Asked <@UANA> how *T-1 · Ship the pricing page* stands")
	h.dm(ana, ":wave: <@UBEA> asks how *T-1 · Ship the pricing page* stands")
	h.threadReply(card, "<@UBEA> asked <@UANA> for an update.")
	h.home(bea, "Update asked just now")
	h.haClick(bea, "task.ask:1")
	h.haAnswer(bea, "was already asked for an update on T-1", "ask again in 24 hours")
	h.idle()
	if n := h.dmsWith(ana, "asks how"); n != 1 {
		t.Errorf("Ana was asked %d times; once a day at most", n)
	}

	// Ana is asked nothing on a stale dashboard: the task moved on elsewhere.
	h.haChangeElsewhere(1, func(t *baton.Task) { t.Status = baton.StatusInProgress })
	h.clock.Advance(25 * time.Hour)
	h.haClick(bea, "task.ask:1")
	h.haAnswer(bea, "T-1 has changed since your dashboard showed it: it is In progress now", "Nothing was changed")
	h.hmHomeWhere(bea, "T-1 no longer blocked", func(v slackdouble.View) bool {
		return !strings.Contains(hmSection(v, hmAttention), "T-1")
	})
	if n := h.dmsWith(ana, "asks how"); n != 1 {
		t.Errorf("a stale dashboard asked Ana again (%d asks)", n)
	}

	// Overdue: a new due date and a new owner, from the dashboard.
	h.advanceTo(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	h.hmOpen(bea)
	h.home(bea, "*T-1* Ship the pricing page — <@UANA> · :alarm_clock: overdue for 1 working day", "*T-2* Book the venue")
	h.haClick(bea, "task.due:1")
	h.submit(bea, h.view(bea, "task.due"), form(input("due_date", slackdouble.InputValue{SelectedDate: "2026-12-11"})))
	h.cardNow(card, "Fri 11 Dec 2026")
	h.haClick(bea, "task.reassign:2")
	h.submit(bea, h.view(bea, "task.reassign"), form(input("owner", slackdouble.InputValue{SelectedUser: cal})))
	h.dm(cal, "handed you", "T-2 · Book the venue")
	h.hmHomeWhere(bea, "T-1 on time and T-2 overdue with Cal", func(v slackdouble.View) bool {
		s := hmSection(v, hmAttention)
		return !strings.Contains(s, "T-1") && strings.Contains(s, "*T-2* Book the venue — <@UCAL>")
	})

	// Ana picks a status on her own dashboard, as on the card.
	h.home(ana, hmMine, "*T-1* Ship the pricing page", "*T-3* Draft the agenda")
	h.haPickStatus(ana, 3, baton.StatusInReview)
	h.cardNow(h.card(launc, 3), statusLine(baton.StatusInReview))
	h.hmHomeWhere(ana, "T-3 in review", func(v slackdouble.View) bool { return hmStatusOf(v, 3) == "In review" })

	// Blocked asks why; closing that form draws her dashboard again, so its menu shows T-3 as it is.
	h.idle()
	published := h.slack.CallCount("views.publish")
	h.haPickStatus(ana, 3, baton.StatusBlocked)
	if _, err := h.slack.CloseView(h.waitCtx(), ana, h.view(ana, "task.blocked").ID); err != nil {
		t.Fatal(err)
	}
	h.until("Ana's dashboard drawn again", func() bool { return h.slack.CallCount("views.publish") > published })
	if got := h.task(3).Status; got != baton.StatusInReview {
		t.Errorf("T-3 is %s after the Blocked form was closed", got)
	}

	// T-1 goes to Cal elsewhere: Ana may no longer change it, and her stale menu is refused.
	h.haChangeElsewhere(1, func(t *baton.Task) { t.OwnerID = cal })
	h.haPickStatus(ana, 1, baton.StatusDone)
	h.haAnswer(ana, "Only <@UCAL> (owner) or <@UBEA> (delegator) can change T-1")
	h.hmHomeWhere(ana, "T-1 gone from Your tasks", func(v slackdouble.View) bool { return !strings.Contains(hmSection(v, hmMine), "T-1") })
	if got := h.task(1).Status; got != baton.StatusInProgress {
		t.Errorf("T-1 is %s after a refused change", got)
	}
}
