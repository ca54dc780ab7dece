package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// okr types /okr and fails the test on a transport error.
func (h *harness) okr(user, text string) {
	h.t.Helper()
	if _, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: launc, Command: "/okr", Text: text}); err != nil {
		h.t.Fatalf("/okr %s: %v", text, err)
	}
}

// okrReply types /okr once the bot is idle and waits for its private reply: the first one after the
// command, which must say every one of want.
func (h *harness) okrReply(user, text string, want ...string) slackdouble.Ephemeral {
	h.t.Helper()
	got := h.nextEphemeral(user, "/okr "+text, func() { h.okr(user, text) })
	if !hasAll(got.AllText(), want) {
		h.t.Fatalf("/okr %s: the reply does not say %q:\n%s", text, want, got.AllText())
	}
	return got
}

// okrObjective creates an objective through the New objective form: the period stays the form's
// default unless one is given.
func (h *harness) okrObjective(user, title, owner, period, parent string) {
	h.t.Helper()
	h.okr(user, "new")
	v := h.view(user, "okr.new")
	values := form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str(title)}),
		input("owner", slackdouble.InputValue{SelectedUser: owner}),
		input("parent", slackdouble.InputValue{Value: slackdouble.Str(parent)}),
	)
	if period != "" {
		values = form(values, input("period", slackdouble.InputValue{Value: slackdouble.Str(period)}))
	}
	if ack := h.submit(user, v, values); len(ack.Payload) != 0 {
		h.t.Fatalf("New objective %q refused: %s", title, ack.Payload)
	}
	h.dm(user, "Created *O-", title)
}

// okrKR adds a key result through its form; start and target empty make a roll-up of linked tasks.
func (h *harness) okrKR(user, objective, title, owner, start, target, unit string) {
	h.t.Helper()
	h.okr(user, "kr "+objective)
	v := h.view(user, "okr.kr")
	if ack := h.submit(user, v, krForm(title, owner, start, target, unit)); len(ack.Payload) != 0 {
		h.t.Fatalf("key result %q refused: %s", title, ack.Payload)
	}
	h.dm(user, "Added *KR-", title)
}

func krForm(title, owner, start, target, unit string) map[string]map[string]slackdouble.InputValue {
	kind := "metric"
	if start == "" && target == "" {
		kind = "rollup"
	}
	return form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str(title)}),
		input("owner", slackdouble.InputValue{SelectedUser: owner}),
		input("kind", slackdouble.InputValue{SelectedOption: kind}),
		input("start", slackdouble.InputValue{Value: slackdouble.Str(start)}),
		input("target", slackdouble.InputValue{Value: slackdouble.Str(target)}),
		input("unit", slackdouble.InputValue{Value: slackdouble.Str(unit)}),
	)
}

// viewErrors are the errors the bot put under a form's fields in its answer to a submission.
func viewErrors(t *testing.T, ack slackdouble.Ack) map[string]string {
	t.Helper()
	var a struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if len(ack.Payload) == 0 {
		t.Fatalf("the form was accepted and closed")
	}
	if err := json.Unmarshal(ack.Payload, &a); err != nil || a.ResponseAction != "errors" {
		t.Fatalf("ack %s, want response_action errors (%v)", ack.Payload, err)
	}
	return a.Errors
}

func (h *harness) krCheckins(number int64) int {
	h.t.Helper()
	k, err := h.db.KeyResult(h.ctx, h.slack.Options().TeamID, number)
	if err != nil {
		h.t.Fatal(err)
	}
	_, n, err := h.db.KRCheckins(h.ctx, k.ID, 1)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) okrSelectStatus(user string, card slackdouble.Message, number int64, status baton.Status) {
	h.t.Helper()
	if _, err := h.slack.SelectOption(h.waitCtx(), user, card.Channel, card.TS, "task.status", strconv.FormatInt(number, 10)+":"+string(status)); err != nil {
		h.t.Fatalf("select %s: %v", status, err)
	}
}

func TestOKRTreeCheckInsAndViews(t *testing.T) {
	h := newHarness(t)
	h.okrReply(bea, "", "OKRs · 2026-Q4", "No objectives for 2026-Q4 yet")
	h.okrObjective(bea, "Grow revenue 40%", bea, "2026", "")
	h.okrObjective(bea, "Win the mid-market", bea, "", "O-1")
	h.okrObjective(bea, "Last quarter's push", ana, "2026-Q3", "")
	h.dm(ana, "<@UBEA> made you the owner of objective *O-3 · Last quarter's push*")
	h.okrKR(bea, "O-2", "Reach 1,000 paying teams", ana, "200", "1,000", "teams")
	h.dm(ana, "made you the owner of key result *KR-1 · Reach 1,000 paying teams*")
	h.okrKR(bea, "O-2", "Cut churn", ana, "8", "4", "%")

	h.command(bea, launc, "<@UANA> Call the top accounts kr:KR-1")
	card := h.card(launc, 1)
	if !card.Has("*KR-1* Reach 1,000 paying teams (0%)") {
		t.Errorf("the card does not show the goal: %s", card.AllText())
	}
	h.okrReply(ana, "update KR-1 600 two big wins", "*KR-1 · Reach 1,000 paying teams* is now at 600 teams", "▰▰▰▰▰▱▱▱▱▱ 50%", "(was 0%)")
	h.okrReply(ana, "update kr-2 6", "at 6 %", "▰▰▰▰▰▱▱▱▱▱ 50%") // a decreasing target
	if n := h.krCheckins(1); n != 1 {
		t.Errorf("KR-1 has %d check-ins, want 1", n)
	}
	h.cardNow(card, "*KR-1* Reach 1,000 paying teams (50%)")

	tree := h.okrReply(cal, "", "OKRs · 2026-Q4", "*O-1 · Grow revenue 40%* — <@UBEA> · _no key results yet_",
		"↳ *O-2 · Win the mid-market* — <@UBEA> · ▰▰▰▰▰▱▱▱▱▱ 50%",
		"▰▰▰▰▰▱▱▱▱▱ 50%  *KR-1* Reach 1,000 paying teams — at 600 teams · target 1000 · start 200 · <@UANA>")
	if tree.Has("Last quarter") {
		t.Errorf("the current quarter's tree shows 2026-Q3: %s", tree.AllText())
	}
	h.okrReply(cal, "2026-Q3", "OKRs · 2026-Q3", "O-3 · Last quarter's push")

	h.okrReply(cal, "O-2", "*O-2 · Win the mid-market*", "Serves → *O-1* Grow revenue 40%", "*Key results* (2)", "KR-2")
	h.okrReply(cal, "KR-1", "*KR-1 · Reach 1,000 paying teams*", "Serves → *O-2* Win the mid-market → *O-1* Grow revenue 40%",
		"*History* (1 check-ins)", "<@UANA> → *600* — two big wins", "*Linked tasks* (1)", "*T-1* Call the top accounts")
	h.okrReply(bea, "list @ana", "OKRs owned by <@UANA>", "*O-3* Last quarter's push", "*KR-1* Reach 1,000", "*KR-2* Cut churn")
	h.okrReply(bea, "list", "OKRs owned by <@UBEA>", "*Objectives* (2)", "*O-2* Win the mid-market", "*Key results* (0)")
	h.okrReply(bea, "O-2 parent none", "*O-2 · Win the mid-market* is now a top objective")
	h.okrReply(bea, "O-2 parent O-1", "*O-2 · Win the mid-market* now serves O-1")
	h.okrReply(bea, "O-2 status achieved", "*O-2 · Win the mid-market* is now achieved")
	h.okrReply(cal, "O-2", "*Status*\nachieved")
	h.okrReply(bea, "O-2 status active", "is now active")
	h.okrReply(cal, "help", "Objectives and key results with /okr")
	h.okrReply(cal, "frobnicate", "I didn't understand `/okr frobnicate`", "Objectives and key results with /okr")

	h.hmOpenHomeWhere(ana, "Your key results", "*KR-1* Reach 1,000 paying teams", "last check-in")
}

func TestOKRBadInputIsRefusedWithNothingStored(t *testing.T) {
	h := newHarness(t)
	team := h.slack.Options().TeamID
	h.okrObjective(bea, "Grow revenue", bea, "2026", "")
	h.okrObjective(bea, "Win the mid-market", bea, "", "O-1")
	h.okrKR(bea, "O-2", "Reach 1,000 teams", ana, "200", "1000", "teams")
	h.okrKR(bea, "O-2", "Ship the launch", bea, "", "", "")

	// A key result of another workspace, KR-1 there, is unknown here whatever its number.
	other, err := h.db.CreateObjective(h.ctx, baton.Objective{TeamID: "TOTHER", Title: "Theirs", OwnerID: "UX", Period: "2026",
		Status: baton.ObjectiveActive, CreatedBy: "UX", CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := h.db.CreateKeyResult(h.ctx, baton.KeyResult{TeamID: "TOTHER", ObjectiveID: other.ID, Title: "Theirs", OwnerID: "UX",
			Kind: baton.KRRollup, Weight: 1, CreatedBy: "UX", CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now(), CheckedAt: h.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range []struct{ text, want string }{
		{"O-9", "There is no objective O-9 in this workspace"},
		{"KR-9", "There is no key result KR-9 in this workspace"},
		{"KR-3", "There is no key result KR-3 in this workspace"},
		{"kr O-9", "There is no objective O-9"},
		{"update KR-9 5", "There is no key result KR-9"},
		{"update KR-1 lots", "`lots` is not a number, so KR-1 was not updated"},
		{"update KR-1", "Give the key result and its new value"},
		{"update KR-2 3", "KR-2 follows its linked tasks"},
		{"O-1 parent O-2", "O-2 already sits under O-1, so O-2 cannot be its parent: that would make a loop"},
		{"O-2 parent O-2", "O-2 cannot be its own parent objective"},
		{"O-1 parent O-9", "There is no objective O-9"},
		{"list nobody", "`nobody` is not a person"},
	} {
		h.okrReply(bea, c.text, c.want)
	}
	h.okrReply(cal, "update KR-1 5", "Only <@UANA> (owner of KR-1), the objective's owner or a workspace admin can record its value")
	h.okrReply(cal, "kr O-2", "Only <@UBEA> (owner of O-2) or a workspace admin can add key results to it")
	h.okrReply(cal, "O-2 parent none", "Only <@UBEA> (owner of O-2) or a workspace admin can change what it serves")
	h.okrReply(cal, "O-2 status dropped", "Only <@UBEA> (owner of O-2) or a workspace admin can change where it stands")
	h.okrReply(bea, "O-2 status done", "`/okr O-2 status active`, `achieved` or `dropped`")
	if n := h.krCheckins(1); n != 0 {
		t.Errorf("refused check-ins stored %d", n)
	}
	if o, _ := h.db.Objective(h.ctx, team, 1); o.ParentID != 0 {
		t.Errorf("a loop was stored: O-1 has parent %d", o.ParentID)
	}

	h.okr(bea, "kr O-2")
	v := h.view(bea, "okr.kr")
	errs := viewErrors(t, h.submit(bea, v, krForm("Flat", ana, "10", "10", "")))
	if !strings.Contains(errs["target"], "The target equals the start") {
		t.Errorf("target equal to start: errors %v", errs)
	}
	errs = viewErrors(t, h.submit(bea, v, krForm("Wordy", ana, "ten", "20", "")))
	if !strings.Contains(errs["start"], "`ten` is not a number") {
		t.Errorf("start not a number: errors %v", errs)
	}
	h.okr(bea, "new")
	nv := h.view(bea, "okr.new")
	errs = viewErrors(t, h.submit(bea, nv, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Bad")}),
		input("owner", slackdouble.InputValue{SelectedUser: bea}),
		input("period", slackdouble.InputValue{Value: slackdouble.Str("next quarter")}),
		input("parent", slackdouble.InputValue{Value: slackdouble.Str("O-9")}),
	)))
	if !strings.Contains(errs["period"], "is not a period") || !strings.Contains(errs["parent"], "There is no objective O-9") {
		t.Errorf("objective form errors %v", errs)
	}
	o2, err := h.db.Objective(h.ctx, team, 2)
	if err != nil {
		t.Fatal(err)
	}
	if krs, _ := h.db.KeyResultsOf(h.ctx, []int64{o2.ID}); len(krs) != 2 {
		t.Errorf("O-2 has %d key results, want the 2 accepted", len(krs))
	}
	if o, err := h.db.Objective(h.ctx, team, 3); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("a refused objective was stored: %+v", o)
	}

	// Linking a task to an unknown key result, or one of another workspace, stores nothing.
	for text, says := range map[string]string{
		"<@UANA> Ship v2 kr:KR-3":   "There is no key result KR-3 in this workspace",
		"<@UANA> Ship v2 kr:KR-9":   "There is no key result KR-9",
		"<@UANA> Ship v2 kr:O-1":    "`O-1` is not a key result",
		"<@UANA> Ship v2 kr:KR-1*0": "a number above 0",
		"<@UANA> Ship v2 kr:":       "Say which key result the task serves",
	} {
		if e := h.listHelperReply(bea, launc, text); e.Has("Created") || !e.Has(says) {
			t.Errorf("/task %s: %s, want %q", text, e.AllText(), says)
		}
	}
	h.command(bea, launc, "")
	tv := h.view(bea, "task.new")
	terrs := viewErrors(t, h.submit(bea, tv, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Ship v2")}),
		input("owner", slackdouble.InputValue{SelectedUser: ana}),
		input("key_result", slackdouble.InputValue{Value: slackdouble.Str("KR-3")}),
	)))
	if !strings.Contains(terrs["key_result"], "There is no key result KR-3") {
		t.Errorf("task form errors %v", terrs)
	}
	h.idle()
	if n := h.taskCount(); n != 0 {
		t.Errorf("%d tasks stored", n)
	}
}

func TestATaskShowsItsGoalAndMovesItsRollup(t *testing.T) {
	h := newHarness(t)
	h.okrObjective(bea, "Grow revenue 40%", bea, "2026", "")
	h.okrObjective(bea, "Win the mid-market", bea, "", "O-1")
	h.okrKR(bea, "O-2", "Ship the v2 launch", bea, "", "", "")

	h.command(bea, launc, "<@UANA> Ship the pricing page due:mon kr:KR-1")
	h.ephemeral(bea, "Created T-1")
	chain := "→ *KR-1* Ship the v2 launch (0%) → *O-2* Win the mid-market → *O-1* Grow revenue 40%"
	card1 := h.card(launc, 1)
	if !card1.Has(":dart: Serves " + chain) {
		t.Errorf("the card does not show the goal:\n%s", card1.AllText())
	}
	h.dm(ana, "handed you", "T-1 · Ship the pricing page", ":dart: *Why it matters:* "+chain)

	h.command(bea, launc, "")
	v := h.view(bea, "task.new")
	h.submit(bea, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Write the launch post")}),
		input("owner", slackdouble.InputValue{SelectedUser: cal}),
		input("key_result", slackdouble.InputValue{Value: slackdouble.Str("kr-1*3")}),
	))
	card2 := h.card(launc, 2)
	h.dm(cal, "T-2 · Write the launch post", "*Why it matters:* → *KR-1*")
	if t2 := h.task(2); t2.KRID == 0 || t2.KRWeight != 3 {
		t.Fatalf("T-2 serves key result %d with weight %v, want KR-1 with 3", t2.KRID, t2.KRWeight)
	}
	h.hmOpenHomeWhere(ana, "Your tasks", "*T-1* Ship the pricing page", chain)

	// Done: the roll-up moves at once, on this card, on the other card of KR-1 and on its owner's Home.
	// T-1 counts once and T-2 three times: one of four.
	h.okrSelectStatus(ana, card1, 1, baton.StatusDone)
	h.cardNow(card1, "*KR-1* Ship the v2 launch (25%)")
	h.cardNow(card2, "*KR-1* Ship the v2 launch (25%)")
	h.hmOpenHomeWhere(bea, "Your key results", "▰▰▱▱▱▱▱▱▱▱ 25%  *KR-1* Ship the v2 launch — 1 of 4 linked tasks done")
	h.okrReply(cal, "KR-1", "*Linked tasks* (2)", "*T-2* Write the launch post", "*T-1* Ship the pricing page", "1 of 4 linked tasks done")

	// Reopened: back down.
	h.okrSelectStatus(ana, card1, 1, baton.StatusInProgress)
	h.cardNow(card2, "*KR-1* Ship the v2 launch (0%)")
	h.cardNow(card1, "*KR-1* Ship the v2 launch (0%)")
	h.okrReply(cal, "", "↳ *O-2 · Win the mid-market* — <@UBEA> · ▱▱▱▱▱▱▱▱▱▱ 0%")
}

func TestKeyResultReminderInTheOwnersWorkingHoursWithAnUpdateButton(t *testing.T) {
	h := newHarness(t)
	h.baton(ana, "okr-reminder-days 3")
	h.ephemeral(ana, "Only workspace admins can change when key result owners are reminded")
	h.baton(adm, "okr-reminder-days 0")
	h.ephemeral(adm, "Give a number of days from 1 to 90")
	h.baton(adm, "okr-reminder-days 3")
	h.ephemeral(adm, "not updated for 3 days get a reminder")

	h.okrObjective(bea, "Win the mid-market", bea, "", "")
	h.okrKR(bea, "O-1", "Reach 1,000 teams", ana, "200", "1000", "teams")
	h.okrKR(bea, "O-1", "Ship the launch", ana, "", "", "")
	h.idle()
	key := "kr:" + h.slack.Options().TeamID + ":1:checkin"
	created := h.clock.Now()
	if j, ok, err := h.jobs.JobByKey(h.ctx, key); err != nil || !ok || !j.DueAt.Equal(created.Add(72*time.Hour)) {
		t.Fatalf("reminder job %+v %v %v, want due %v", j, ok, err, created.Add(72*time.Hour))
	}
	if _, ok, _ := h.jobs.JobByKey(h.ctx, "kr:"+h.slack.Options().TeamID+":2:checkin"); ok {
		t.Error("a roll-up key result is reminded")
	}

	// Due Mon 30 Nov 09:00 UTC, 04:00 in New York where Ana lives: it waits for her 09:00 (14:00 UTC).
	h.advanceTo(time.Date(2026, 11, 30, 9, 0, 1, 0, time.UTC))
	morning := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	h.until("the reminder to move to Ana's morning", func() bool {
		j, ok, _ := h.jobs.JobByKey(h.ctx, key)
		return ok && j.DueAt.Equal(morning)
	})
	h.idle()
	if n := h.dmsWith(ana, "has not been updated"); n != 0 {
		t.Fatalf("Ana was reminded at 04:00 her time")
	}
	h.advanceTo(morning.Add(time.Second))
	dm := h.dm(ana, ":dart: *KR-1 · Reach 1,000 teams* has not been updated for 3 days", "Update")

	// Someone else cannot use the button.
	if _, err := h.slack.ClickButton(h.waitCtx(), cal, dm.Channel, dm.TS, "okr.update"); err == nil {
		h.idle()
		if len(h.slack.OpenViews(cal)) != 0 {
			t.Error("Cal opened Ana's check-in form")
		}
	}
	h.click(ana, dm, "okr.update")
	v := h.view(ana, "okr.checkin")
	errs := viewErrors(t, h.submit(ana, v, form(input("value", slackdouble.InputValue{Value: slackdouble.Str("lots")}))))
	if !strings.Contains(errs["value"], "`lots` is not a number") {
		t.Errorf("check-in form errors %v", errs)
	}
	if ack := h.submit(ana, v, form(
		input("value", slackdouble.InputValue{Value: slackdouble.Str("600")}),
		input("comment", slackdouble.InputValue{Value: slackdouble.Str("Two big wins")}),
	)); len(ack.Payload) != 0 {
		t.Fatalf("check-in refused: %s", ack.Payload)
	}
	h.dm(ana, "*KR-1 · Reach 1,000 teams* is now at 600 teams", "50%")
	if n := h.krCheckins(1); n != 1 {
		t.Errorf("%d check-ins, want 1", n)
	}
	h.hmOpenHomeWhere(ana, "Your key results", "*KR-1* Reach 1,000 teams — at 600 teams", "last check-in")
	// The next reminder counts from the check-in.
	next := h.clock.Now().Add(72 * time.Hour)
	h.until("the reminder to follow the check-in", func() bool {
		j, ok, _ := h.jobs.JobByKey(context.Background(), key)
		return ok && j.DueAt.Equal(next)
	})

	// A dropped objective's key results remind nobody: the job finds it so and ends.
	h.okrReply(bea, "O-1 status dropped", "is now dropped")
	h.advanceTo(next.Add(time.Second))
	h.until("the reminder of a dropped objective to end", func() bool {
		_, ok, _ := h.jobs.JobByKey(context.Background(), key)
		return !ok
	})
	h.idle()
	if reminders := h.dmsWith(ana, "has not been updated"); reminders != 1 {
		t.Errorf("Ana got %d reminders, want the one before the objective was dropped", reminders)
	}

	// Active again: its key results remind again, the stale one at once (in Ana's working hours).
	h.okrReply(bea, "O-1 status active", "is now active")
	h.until("the reminder to start again", func() bool {
		_, ok, _ := h.jobs.JobByKey(context.Background(), key)
		return ok
	})
	h.advanceTo(h.clock.Now().Add(24 * time.Hour))
	h.until("a second reminder", func() bool { return h.dmsWith(ana, "has not been updated") == 2 })
}

func TestAnExistingTaskIsLinkedToAKeyResultAndUnlinked(t *testing.T) {
	h := newHarness(t)
	h.okrObjective(bea, "Win the mid-market", bea, "", "")
	h.okrKR(bea, "O-1", "Ship the v2 launch", bea, "", "", "")
	h.okrKR(bea, "O-1", "Close the big deals", bea, "", "", "")
	h.command(bea, launc, "<@UANA> Ship the pricing page")
	card := h.card(launc, 1)
	h.command(bea, launc, "<@UANA> Write the launch post")
	h.card(launc, 2)
	h.okrSelectStatus(ana, h.card(launc, 2), 2, baton.StatusDone)
	h.idle()

	h.command(cal, launc, "T-1 kr:KR-1")
	h.ephemeral(cal, "Only <@UANA> (owner) or <@UBEA> (delegator) can change T-1")
	h.command(bea, launc, "T-1 kr:KR-9")
	h.ephemeral(bea, "KR-9")
	h.command(bea, launc, "T-1 kr:")
	h.ephemeral(bea, "Say which key result after `kr:`")
	if h.task(1).KRID != 0 {
		t.Fatal("a refused link was stored")
	}

	h.command(ana, launc, "T-1 kr:KR-1")
	h.ephemeral(ana, "linked this to *KR-1*")
	h.cardNow(card, ":dart: Serves → *KR-1* Ship the v2 launch (0%) → *O-1* Win the mid-market")
	h.threadReply(card, "<@UANA> linked this to *KR-1*")
	h.command(bea, launc, "T-2 kr:KR-1")
	h.ephemeral(bea, "linked this to *KR-1*")
	// T-2 is done: KR-1 moves to one of two, on T-1's card too.
	h.cardNow(card, "*KR-1* Ship the v2 launch (50%)")

	h.command(bea, launc, "T-1 kr:KR-1")
	h.ephemeral(bea, "T-1 already serves KR-1")
	h.command(bea, launc, "T-1 kr:KR-2")
	h.ephemeral(bea, "moved this from *KR-1* to *KR-2*")
	h.cardNow(card, "*KR-2* Close the big deals (0%)")
	h.okrReply(bea, "KR-1", "1 of 1 linked tasks done")

	h.command(bea, launc, "T-1 kr:none")
	h.ephemeral(bea, "unlinked this from *KR-2*")
	h.threadReply(card, "<@UBEA> unlinked this from *KR-2*")
	h.until("the unlinked card shows no goal", func() bool {
		got, _ := h.slack.Message(card.Channel, card.TS)
		return !got.Has(":dart: Serves")
	})
	h.command(bea, launc, "T-1 kr:none")
	h.ephemeral(bea, "T-1 serves no key result already")
}

func TestAKeyResultIsEditedByThoseWhoMayAndItsChainFollows(t *testing.T) {
	h := newHarness(t)
	h.okrObjective(bea, "Win the mid-market", bea, "", "")
	h.okrKR(bea, "O-1", "Reach teams", ana, "200", "1000", "teams")
	h.okrReply(ana, "update KR-1 600", "is now at 600 teams")
	h.command(bea, launc, "<@UCAL> Ship the pricing page kr:KR-1")
	card := h.card(launc, 1)
	h.cardNow(card, "*KR-1* Reach teams (50%)")

	h.okrReply(cal, "KR-1 edit", "Only <@UANA> (owner of KR-1), <@UBEA> (owner of O-1) or a workspace admin can change it")
	h.okr(ana, "KR-1 edit")
	v := h.view(ana, "okr.kr_edit")
	if !v.Has("Reach teams") || !strings.Contains(string(v.Blocks), `"initial_value":"1000"`) {
		t.Fatalf("the form does not start from KR-1 as it is: %s", v.Blocks)
	}
	errs := viewErrors(t, h.submit(ana, v, form(input("target", slackdouble.InputValue{Value: slackdouble.Str("200")}))))
	if !strings.Contains(errs["target"], "target equals the start") {
		t.Errorf("target = start: errors %v", errs)
	}
	if ack := h.submit(ana, v, form(
		input("title", slackdouble.InputValue{Value: slackdouble.Str("Reach 1,400 teams")}),
		input("target", slackdouble.InputValue{Value: slackdouble.Str("1400")}),
	)); len(ack.Payload) != 0 {
		t.Fatalf("edit refused: %s", ack.Payload)
	}
	h.dm(ana, "Saved *KR-1 · Reach 1,400 teams*")
	// 600 of 200 → 1,400 is a third; the value and its history stay.
	h.cardNow(card, "*KR-1* Reach 1,400 teams (33%)")
	h.okrReply(bea, "KR-1", "Reach 1,400 teams", "600 teams", "target 1400")
	if n := h.krCheckins(1); n != 1 {
		t.Errorf("%d check-ins after the edit, want the one before it", n)
	}
}
