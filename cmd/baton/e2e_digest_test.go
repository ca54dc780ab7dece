package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/slackdouble"
)

func TestDailyDigestCollectsStageChangesButBlockedArrivesAtOnce(t *testing.T) {
	h := newHarness(t)
	h.baton(bea, "digest 08:30")
	h.ephemeral(bea, "one digest at 08:30 your time")
	// Bea is in Berlin: her next working day's 08:30 is Monday 30 Nov, 07:30 UTC.
	j, ok, err := h.jobs.JobByKey(h.ctx, "digest:T0001:UBEA")
	if want := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC); err != nil || !ok || !j.DueAt.Equal(want) {
		t.Fatalf("digest job due %v (%v, %v), want %v", j.DueAt, ok, err, want)
	}

	card := delegated(h)
	h.selectStatus(ana, card, baton.StatusInProgress)
	h.cardNow(card, statusLine(baton.StatusInProgress))
	h.selectStatus(ana, card, baton.StatusInReview)
	h.cardNow(card, statusLine(baton.StatusInReview))
	h.idle()
	for _, m := range h.slack.Messages(h.slack.DMChannel(bea)) {
		if m.Has("moved") {
			t.Fatalf("a stage change reached Bea at once although she chose a digest: %s", m.AllText())
		}
	}

	h.selectStatus(ana, card, baton.StatusBlocked)
	v := h.view(ana, "task.blocked")
	h.submit(ana, v, form(input("note", slackdouble.InputValue{Value: slackdouble.Str("Waiting on legal")})))
	h.dm(bea, "is *blocked*", "Waiting on legal")

	h.advanceTo(time.Date(2026, 11, 30, 7, 30, 1, 0, time.UTC))
	digest := h.dm(bea, "Your Baton digest", "2 updates")
	text := digest.AllText()
	if !strings.Contains(text, "*In progress*") || !strings.Contains(text, "*In review*") || strings.Index(text, "*In progress*") > strings.Index(text, "*In review*") {
		t.Errorf("the digest does not list both changes in order:\n%s", text)
	}
	h.idle()
	if j, ok, _ := h.jobs.JobByKey(h.ctx, "digest:T0001:UBEA"); !ok || !j.DueAt.Equal(time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC)) {
		t.Errorf("next digest due %v (%v), want Tuesday 08:30 Berlin", j.DueAt, ok)
	}

	h.baton(bea, "digest off")
	h.ephemeral(bea, "as they happen")
	h.idle()
	if _, ok, _ := h.jobs.JobByKey(h.ctx, "digest:T0001:UBEA"); ok {
		t.Error("the digest timer is still waiting after the digest was turned off")
	}
}

func TestWorkingWeekIsSetByAdminsAndMovesNudges(t *testing.T) {
	h := newHarness(t)
	h.baton(ana, "workdays sun-thu")
	h.ephemeral(ana, "Only workspace admins can change the working week")
	h.baton(adm, "workdays sun-thu")
	h.ephemeral(adm, "The working week is now Sun–Thu 09:00–18:00")
	h.baton(adm, "hours 18:00-09:00")
	h.ephemeral(adm, "must end after it starts")
	h.baton(adm, "workdays someday")
	h.ephemeral(adm, "not a day of the week")

	h.command(bea, launc, "<@UANA> Renew the certificates")
	h.card(launc, 1)
	h.idle()
	// Friday 04:00 in New York is off in a Sun–Thu week: the three working days are Sun, Mon and Tue.
	if at, ok := h.jobDue(1, "stale"); !ok || !at.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("stale nudge due %v (%v), want Tue 1 Dec at the same time of day", at, ok)
	}
	h.baton(ana, "settings")
	h.ephemeral(ana, "Your Baton settings", "at once", "America/New_York", "Sun–Thu 09:00–18:00")
}

func TestTheDashboardChoosesHowUpdatesArrive(t *testing.T) {
	h := newHarness(t)
	if _, _, err := h.slack.AppHomeOpened(h.waitCtx(), bea); err != nil {
		t.Fatal(err)
	}
	h.home(bea, "Updates: as they happen")
	if _, err := h.slack.SelectHomeOption(h.waitCtx(), bea, "home.digest", "08:30"); err != nil {
		t.Fatal(err)
	}
	h.until("the digest to be scheduled", func() bool {
		_, ok, _ := h.jobs.JobByKey(h.ctx, "digest:T0001:UBEA")
		return ok
	})
	if s, _ := h.db.Digest(h.ctx, "T0001", bea); !s.Daily || s.At.String() != "08:30" {
		t.Errorf("digest setting %+v after choosing 08:30 on the dashboard", s)
	}
	// Every choice is listed in the menu; what counts is the one it shows selected.
	selected := func(v slackdouble.View) string {
		var blocks []struct {
			Elements []struct {
				ActionID      string `json:"action_id"`
				InitialOption struct {
					Value string `json:"value"`
				} `json:"initial_option"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(v.Blocks, &blocks); err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			for _, e := range b.Elements {
				if e.ActionID == "home.digest" {
					return e.InitialOption.Value
				}
			}
		}
		return ""
	}
	if _, err := h.slack.WaitHome(h.waitCtx(), bea, func(v slackdouble.View) bool { return selected(v) == "08:30" }); err != nil {
		v, _ := h.slack.HomeView(bea)
		t.Errorf("the dashboard's menu shows %q selected, want 08:30", selected(v))
	}
}
