package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

// dcCommand types /decision and fails the test on a transport error.
func (h *harness) dcCommand(user, channel, text string) {
	h.t.Helper()
	if _, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: channel, Command: "/decision", Text: text}); err != nil {
		h.t.Fatalf("/decision %s: %v", text, err)
	}
}

// dcText is a form value typed into a text field.
func dcText(id, v string) map[string]map[string]slackdouble.InputValue {
	return input(id, slackdouble.InputValue{Value: slackdouble.Str(v)})
}

// dcRecord fills in and submits the New decision form, then waits for its card in #launch.
func (h *harness) dcRecord(user, title, decision string, more ...map[string]map[string]slackdouble.InputValue) slackdouble.Message {
	h.t.Helper()
	h.dcCommand(user, launc, "")
	v := h.view(user, "decision.new")
	values := form(append([]map[string]map[string]slackdouble.InputValue{
		dcText("d_title", title), dcText("d_decision", decision),
	}, more...)...)
	ack := h.submit(user, v, values)
	if len(ack.Payload) != 0 {
		h.t.Fatalf("the decision form was refused: %s", ack.Payload)
	}
	card := h.message(launc, "· "+strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(title)+"*")
	h.idle()
	return card
}

// dcErrors submits a form expecting it to be refused, and returns the errors under its fields.
func (h *harness) dcErrors(user string, v slackdouble.View, values map[string]map[string]slackdouble.InputValue) map[string]string {
	h.t.Helper()
	h.submit(user, v, values)
	for _, open := range h.slack.OpenViews(user) {
		if open.ID == v.ID {
			return open.Errors
		}
	}
	h.t.Fatalf("the %s form closed; want it open with errors", v.CallbackID)
	return nil
}

// dcStored reads decision D-number as stored.
func (h *harness) dcStored(number int64) baton.Decision {
	h.t.Helper()
	d, err := h.db.Decision(h.ctx, h.slack.Options().TeamID, number)
	if err != nil {
		h.t.Fatalf("decision D-%d: %v", number, err)
	}
	return d
}

func (h *harness) dcCount() int {
	h.t.Helper()
	list, err := h.db.ListDecisions(h.ctx, baton.DecisionQuery{TeamID: h.slack.Options().TeamID, Limit: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(list)
}

// dcMessages counts the messages in a person's DM with Baton that contain s.
func (h *harness) dcMessages(user, s string) int { return dmsIn(h.slack, user, s) }

func TestDecisionIsRecordedAcknowledgedEditedAndItsHistoryShowsTheDiff(t *testing.T) {
	h := newHarness(t)
	taskCard := delegated(h)
	h.okrObjective(bea, "Run reliably", bea, "", "")
	h.okrKR(bea, "O-1", "Lose no scheduled job", bea, "0", "100", "%")
	card := h.dcRecord(bea, "Use Postgres for jobs", "Postgres keeps the truth.\nRedis indexes due times.",
		input("d_status", slackdouble.InputValue{SelectedOption: "accepted"}),
		dcText("d_context", "Redis may be flushed at any time."),
		dcText("d_task", "T-1"), dcText("d_kr", "KR-1"),
		input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana}}),
		dcText("d_note", "Please read before Monday"))
	for _, want := range []string{"D-1 · Use Postgres for jobs", "*Accepted*", "recorded by <@UBEA>", "version 1", "*Task*\nT-1",
		"*Key result*\nKR-1 Lose no scheduled job (0%)",
		"Redis may be flushed", "Not yet acknowledged: <@UANA>"} {
		if !card.Has(want) {
			t.Errorf("the card lacks %q:\n%s", want, card.AllText())
		}
	}
	h.threadReply(taskCard, "<@UBEA> recorded decision", "D-1", "Use Postgres for jobs")

	flag := h.dm(ana, "<@UBEA> flagged you on decision", "D-1 · Use Postgres for jobs", "Please read before Monday")
	h.click(ana, flag, "decision.ack")
	h.cardNow(card, "Acknowledged: :white_check_mark: <@UANA>")
	h.ckNow(flag, "You acknowledged this.")

	// Ana, flagged, edits it: version 2, the card in place and a summary in its thread.
	h.click(ana, card, "decision.edit")
	v := h.view(ana, "decision.edit")
	if !v.Has("Postgres keeps the truth.") {
		t.Fatalf("the edit form is not prefilled: %s", v.AllText())
	}
	h.submit(ana, v, dcText("d_decision", "Postgres keeps the truth.\nRedis indexes due times, nothing more."))
	h.cardNow(card, "version 2", "nothing more", "by <@UANA>")
	h.threadReply(card, "<@UANA> saved version 2 of D-1: changed decision")
	if got := h.dcStored(1); got.Version != 2 || got.UpdatedBy != ana {
		t.Errorf("stored after the edit: %+v", got)
	}

	h.click(bea, card, "decision.history")
	hist := h.ephemeral(bea, "history, 2 versions", "*Version 2*", "- Redis indexes due times.", "+ Redis indexes due times, nothing more.")
	if hist.Has("+ Postgres keeps the truth.") {
		t.Errorf("the diff shows an unchanged line as added:\n%s", hist.AllText())
	}
	h.dcCommand(cal, launc, "D-1 history")
	h.ephemeral(cal, "*Version 1*", "Recorded the decision.", "*Version 2* · <@UANA>")
	h.dcCommand(cal, launc, "D-1")
	h.ephemeral(cal, "D-1 · Use Postgres for jobs", "Redis may be flushed at any time.")
}

func TestConcurrentDecisionEditIsRefusedWithAReloadAndOnlyEditorsMayEdit(t *testing.T) {
	h := newHarness(t)
	card := h.dcRecord(bea, "Pricing tiers", "Three tiers.", input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana}}))

	h.click(bea, card, "decision.edit")
	beas := h.view(bea, "decision.edit")
	h.click(ana, card, "decision.edit")
	anas := h.view(ana, "decision.edit")
	h.submit(ana, anas, dcText("d_decision", "Three tiers, billed yearly."))
	h.cardNow(card, "version 2", "billed yearly")

	h.submit(bea, beas, dcText("d_decision", "Two tiers."))
	conflict := h.view(bea, "decision.conflict")
	if !conflict.Has("changed while you were editing") || !conflict.Has("<@UANA> saved version 2") {
		t.Fatalf("the stale save was not refused clearly: %s", conflict.AllText())
	}
	if got := h.dcStored(1); got.Version != 2 || got.Decision != "Three tiers, billed yearly." {
		t.Fatalf("the stale save overwrote the decision: %+v", got)
	}
	h.submit(bea, conflict, nil)
	reloaded := h.view(bea, "decision.edit")
	if !reloaded.Has("billed yearly") {
		t.Fatalf("reload did not bring the latest version: %s", reloaded.AllText())
	}
	h.submit(bea, reloaded, dcText("d_decision", "Three tiers, billed yearly or monthly."))
	h.cardNow(card, "version 3", "or monthly")

	// Cal is neither author nor flagged: refused privately, no form. An admin may edit.
	h.click(cal, card, "decision.edit")
	h.ephemeral(cal, "Only <@UBEA> (author)", "can edit D-1")
	h.idle()
	if open := h.slack.OpenViews(cal); len(open) != 0 {
		t.Errorf("Cal got the edit form: %+v", open)
	}
	h.click(adm, card, "decision.edit")
	h.view(adm, "decision.edit")
}

func TestAnUnacknowledgedFlagIsRemindedOnceInWorkingHours(t *testing.T) {
	h := newHarness(t)
	h.dcRecord(bea, "Freeze deploys", "No deploys in the last week of December.",
		input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana, cal}}))
	calsFlag := h.dm(cal, "flagged you on decision", "D-1 · Freeze deploys")
	h.click(cal, calsFlag, "decision.ack")
	h.ckNow(calsFlag, "You acknowledged this.")
	h.idle()

	// Friday 09:00 UTC + 24 h is Saturday: Ana's reminder waits for her Monday morning in New York.
	h.advanceTo(time.Date(2026, 11, 28, 9, 0, 1, 0, time.UTC))
	flags, err := h.db.DecisionFlags(h.ctx, h.dcStored(1).ID)
	if err != nil {
		t.Fatal(err)
	}
	var anaFlag, calFlag baton.DecisionFlag
	for _, f := range flags {
		switch f.UserID {
		case ana:
			anaFlag = f
		case cal:
			calFlag = f
		}
	}
	key := "decision:" + h.slack.Options().TeamID + ":1:flag:"
	if _, waiting, err := h.jobs.JobByKey(h.ctx, key+strconv.FormatInt(calFlag.ID, 10)); err != nil || waiting {
		t.Errorf("Cal acknowledged, yet his reminder still waits (%v)", err)
	}
	monday := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC) // 09:00 in New York
	h.until("Ana's reminder to wait for Monday", func() bool {
		j, ok, err := h.jobs.JobByKey(h.ctx, key+strconv.FormatInt(anaFlag.ID, 10))
		return err == nil && ok && j.DueAt.Equal(monday)
	})
	h.idle()
	if n := h.dcMessages(ana, ":bell: Reminder"); n != 0 {
		t.Fatalf("Ana was reminded on a Saturday")
	}

	h.advanceTo(monday.Add(time.Second))
	h.dm(ana, ":bell: Reminder", "<@UBEA> flagged decision", "D-1 · Freeze deploys", "not acknowledged yet")
	h.advanceTo(monday.Add(72 * time.Hour))
	h.idle()
	if n := h.dcMessages(ana, ":bell: Reminder"); n != 1 {
		t.Errorf("Ana got %d reminders, want one", n)
	}
	if n := h.dcMessages(cal, ":bell: Reminder"); n != 0 {
		t.Errorf("Cal, who acknowledged, got %d reminders", n)
	}
}

func TestSupersedeLinksBothCardsAndListFindsDecisions(t *testing.T) {
	h := newHarness(t)
	delegated(h)
	// Ana, flagged on D-1, may edit it, and so may supersede it.
	old := h.dcRecord(bea, "Queue on Redis", "Redis holds the jobs.", dcText("d_task", "T-1"),
		input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana}}))
	h.dcRecord(ana, "Queue on Postgres", "Postgres holds the jobs; Redis indexes them.",
		dcText("d_supersedes", "D-1"), input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{cal}}),
		dcText("d_context", "Redis may be flushed, ask <@UADM>."))
	newer := h.message(launc, "D-2 · Queue on Postgres", "*Supersedes*\nD-1")
	h.cardNow(old, "*Superseded*", "*Superseded by*\nD-2", "version 2")
	h.threadReply(old, "Superseded by D-2")
	if got := h.dcStored(1); got.Status != baton.DecisionSuperseded || got.SupersededByNumber != 2 {
		t.Errorf("D-1 after being superseded: %+v", got)
	}
	// Mentioned in the text, the admin is told too, as someone mentioned rather than flagged.
	h.dm(adm, "<@UANA> mentioned you in decision", "D-2 · Queue on Postgres")
	if !newer.Has("Not yet acknowledged: <@UCAL>, <@UADM>") {
		t.Errorf("the new card does not list who must acknowledge: %s", newer.AllText())
	}

	for text, want := range map[string][]string{
		"list task T-1":   {"Decisions linked to T-1", "D-1"},
		"list <@UCAL>":    {"flagged for <@UCAL>", "D-2"},
		"list @ana":       {"by or flagged for <@UANA>", "D-2"},
		"list postgres":   {"matching “postgres”", "D-2"},
		"list flushed":    {"D-2"},
		"list":            {"Latest decisions", "D-2", "D-1"},
		"list kubernetes": {"No decisions found"},
	} {
		h.dcCommand(bea, launc, text)
		e := h.ephemeral(bea, want...)
		if text == "list task T-1" && e.Has("D-2") || text == "list <@UCAL>" && e.Has("*D-1*") {
			t.Errorf("/decision %s found too much: %s", text, e.AllText())
		}
	}
}

func TestDecisionBadInputIsRefusedUnderTheFieldAndLongTextStillPosts(t *testing.T) {
	h := newHarness(t)
	// Another workspace has a KR-1; this one has none.
	o, err := h.db.CreateObjective(h.ctx, baton.Objective{TeamID: "TOTHER", Title: "Theirs", OwnerID: "UX", Period: "2026-Q4",
		Status: baton.ObjectiveActive, CreatedBy: "UX", CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.CreateKeyResult(h.ctx, baton.KeyResult{TeamID: "TOTHER", ObjectiveID: o.ID, Title: "Theirs", OwnerID: "UX",
		Kind: baton.KRMetric, Weight: 1, Target: 10, CreatedBy: "UX", CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	h.dcCommand(bea, launc, "")
	v := h.view(bea, "decision.new")
	errs := h.dcErrors(bea, v, form(dcText("d_title", "Ship it"), dcText("d_decision", "Yes."), dcText("d_kr", "KR-1")))
	if !strings.Contains(errs["d_kr"], "There is no key result KR-1 in this workspace") {
		t.Errorf("another workspace's KR-1 was accepted: %q", errs["d_kr"])
	}
	errs = h.dcErrors(bea, v, form(dcText("d_title", "Ship it"), dcText("d_decision", "Yes."),
		dcText("d_task", "T-9"), dcText("d_request", "R-9"), dcText("d_supersedes", "D-9"), dcText("d_kr", "KR-x"),
		input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{robo}})))
	for field, want := range map[string]string{
		"d_task":       "There is no task T-9",
		"d_request":    "There is no request R-9",
		"d_supersedes": "There is no decision D-9",
		"d_kr":         "Write it as KR-7",
		"d_flagged":    "<@UROBO> is a bot",
	} {
		if !strings.Contains(errs[field], want) {
			t.Errorf("under %s: %q, want %q", field, errs[field], want)
		}
	}
	h.idle()
	if n := h.dcCount(); n != 0 {
		t.Fatalf("%d decisions stored from a refused form", n)
	}
	if msgs := h.slack.Messages(launc); len(msgs) != 0 {
		t.Fatalf("something was posted: %s", msgs[0].AllText())
	}
	if _, err := h.slack.CloseView(h.waitCtx(), bea, v.ID); err != nil {
		t.Fatal(err)
	}

	// Text at Slack's limits, full of characters that grow when escaped, still makes a valid card.
	long := strings.Repeat("<&> ", 749) + "end"
	card := h.dcRecord(bea, strings.Repeat("&", 150), long, dcText("d_context", long), dcText("d_alternatives", long))
	if !card.Has("see the full record with `/decision D-1`") {
		t.Errorf("the shortened card does not point to the full record: %.300s", card.AllText())
	}
	h.dcCommand(bea, launc, "D-1")
	h.ephemeral(bea, "&lt;&amp;&gt; end")

	h.dcCommand(bea, launc, "D-9")
	h.ephemeral(bea, "There is no decision D-9")
	h.dcCommand(bea, launc, "D-9 history")
	h.ephemeral(bea, "There is no decision D-9")
	h.dcCommand(bea, launc, "frobnicate")
	h.ephemeral(bea, "I didn't understand `/decision frobnicate`", "/decision list")
}

func TestADecisionForAPrivateChannelBatonIsNotInGoesToTheAuthorAndSaysHowToInvite(t *testing.T) {
	h := newHarness(t)
	h.dcCommand(bea, launc, "")
	v := h.view(bea, "decision.new")
	h.submit(bea, v, form(dcText("d_title", "Hire a second SRE"), dcText("d_decision", "Yes, in Q1."),
		input("d_channel", slackdouble.InputValue{SelectedConversation: priv})))
	card := h.dm(bea, "D-1 · Hire a second SRE")
	h.dm(bea, "D-1 is recorded, but I can't post in <#CPRIV>", "/invite @Baton")
	if got := h.dcStored(1); got.ChannelID != card.Channel || got.CardTS != card.TS {
		t.Errorf("the card's place is not recorded: %+v", got)
	}
}

func TestTheDashboardListsDecisionsToAcknowledge(t *testing.T) {
	h := newHarness(t)
	card := h.dcRecord(bea, "Freeze deploys on Fridays", "No deploys after 12:00 on Fridays.",
		input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana, cal}}),
		dcText("d_note", "Affects the release train"))
	h.dcRecord(bea, "Weekly release notes", "Cal writes them.", input("d_flagged", slackdouble.InputValue{SelectedUsers: []string{ana}}))
	if _, _, err := h.slack.AppHomeOpened(h.waitCtx(), ana); err != nil {
		t.Fatal(err)
	}
	h.home(ana, "Decisions flagged for you* (2)", "*D-1* Freeze deploys on Fridays — flagged by <@UBEA> since today", "Affects the release train",
		"*D-2* Weekly release notes")

	if _, err := h.slack.ClickHomeButton(h.waitCtx(), ana, "decision.ack:1"); err != nil {
		t.Fatalf("Acknowledge on the dashboard: %v", err)
	}
	h.cardNow(card, "Acknowledged: :white_check_mark: <@UANA>", "Not yet acknowledged: <@UCAL>")
	v := h.home(ana, "Decisions flagged for you* (1)")
	if v.Has("Freeze deploys") {
		t.Errorf("the acknowledged decision is still listed:\n%s", v.AllText())
	}
	// The DM of the flag still works and says it is done.
	flag := h.dm(ana, "flagged you on decision", "D-1 · Freeze deploys on Fridays")
	h.click(ana, flag, "decision.ack")
	h.ckNow(flag, "You acknowledged this.")
}

func TestWhoADecisionReachesAndWhoMaySupersedeIt(t *testing.T) {
	h := newHarness(t)
	h.dcRecord(bea, "Use Postgres for jobs", "Postgres keeps the truth.")

	// Cal is neither the author of D-1 nor flagged on it: he may record D-2, not supersede D-1 with it.
	h.dcCommand(cal, launc, "")
	v := h.view(cal, "decision.new")
	errs := h.dcErrors(cal, v, form(dcText("d_title", "Use a queue service"), dcText("d_decision", "Move to a hosted queue."),
		dcText("d_supersedes", "D-1")))
	if !strings.Contains(errs["d_supersedes"], "only <@UBEA> (its author), the people it is flagged for or an admin") {
		t.Errorf("Cal superseded Bea's decision: %q", errs["d_supersedes"])
	}

	// Mentions put the decision in front of people too: a bot can't acknowledge it, and there is a ceiling.
	var many []string
	for i := range 21 {
		many = append(many, fmt.Sprintf("<@UM%02d>", i))
	}
	errs = h.dcErrors(cal, v, form(dcText("d_title", "Use a queue service"), dcText("d_decision", "Move to a hosted queue."),
		dcText("d_context", "Read by "+strings.Join(many, " "))))
	if !strings.Contains(errs["d_flagged"], "in front of 21 people") {
		t.Errorf("21 mentioned people were accepted: %q", errs["d_flagged"])
	}
	errs = h.dcErrors(cal, v, form(dcText("d_title", "Use a queue service"), dcText("d_decision", "Ask <@UROBO> to move it.")))
	if !strings.Contains(errs["d_decision"], "<@UROBO> is a bot") {
		t.Errorf("a mentioned bot was accepted: %q", errs["d_decision"])
	}
	h.idle()
	if n := h.dcCount(); n != 1 {
		t.Fatalf("%d decisions stored, want only D-1", n)
	}
	if d := h.dcStored(1); d.Status == baton.DecisionSuperseded {
		t.Error("D-1 was marked superseded by a refused form")
	}

	h.dcCommand(cal, launc, "list task T-9")
	h.ephemeral(cal, "There is no task T-9")
	h.dcCommand(cal, launc, "list kr KR-9")
	h.ephemeral(cal, "There is no key result KR-9")
}
