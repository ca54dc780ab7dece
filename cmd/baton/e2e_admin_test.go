package main

import (
	"testing"
	"time"

	"github.com/batonhq/baton/bot/slackdouble"
)

func (h *harness) baton(user, text string) {
	h.t.Helper()
	if _, err := h.slack.SlashCommand(h.waitCtx(), slackdouble.SlashCommand{UserID: user, ChannelID: launc, Command: "/baton", Text: text}); err != nil {
		h.t.Fatalf("/baton %s: %v", text, err)
	}
}

func TestHolidaysAreKeptByAdminsAndListedForEveryone(t *testing.T) {
	h := newHarness(t)
	h.baton(ana, "holidays add 2026-12-25 Christmas")
	h.ephemeral(ana, "Only workspace admins can change the holiday list")

	h.baton(adm, "holidays add 2026-12-25 Christmas")
	h.ephemeral(adm, "Fri 25 Dec 2026 is now a holiday (Christmas)")
	h.baton(adm, "holidays add 2026-12-25 Xmas")
	h.ephemeral(adm, "already a holiday")
	h.baton(adm, "holidays add 2026-11-01")
	h.ephemeral(adm, "in the past")

	h.baton(ana, "holidays")
	h.ephemeral(ana, "Holidays ahead* (1)", "Fri 25 Dec 2026 (Christmas)")

	h.baton(adm, "holidays remove 2026-12-25")
	h.ephemeral(adm, "Fri 25 Dec 2026 is a working day again")
	h.baton(adm, "holidays remove 2026-12-25")
	h.ephemeral(adm, "is not on the holiday list")
}

// Out-of-office moves a non-urgent nudge to the owner's first working moment after it.
func TestOutOfOfficeHoldsTheStaleNudgeUntilTheOwnerIsBack(t *testing.T) {
	h := newHarness(t)
	h.baton(ana, "ooo until 2026-12-04")
	h.ephemeral(ana, "You're away through Fri 4 Dec 2026")
	h.command(bea, launc, "<@UANA> Renew the certificates")
	h.card(launc, 1)
	h.idle()
	// Away through Friday 4 Dec: the three working days are Mon 7, Tue 8 and Wed 9 Dec, at the time of day
	// the status last moved (09:00 UTC), a week later than without the out-of-office.
	at, ok := h.jobDue(1, "stale")
	if want := time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC); !ok || !at.Equal(want) {
		t.Errorf("stale nudge due %v (%v), want %v", at, ok, want)
	}

	h.baton(ana, "ooo off")
	h.ephemeral(ana, "Welcome back")
	h.baton(ana, "ooo someday")
	h.ephemeral(ana, "someday")
}

func TestParkedJobsAreForAdmins(t *testing.T) {
	h := newHarness(t)
	h.baton(ana, "jobs")
	h.ephemeral(ana, "Only workspace admins")
	h.baton(adm, "jobs")
	h.ephemeral(adm, "No stuck timers")
	h.baton(adm, "jobs retry task:T0001:9:overdue")
	h.ephemeral(adm, ":warning:")
	h.baton(adm, "frobnicate")
	h.ephemeral(adm, "I didn't understand `/baton frobnicate`", "/baton ooo until")
}

func TestWorkspaceChoosesWhenDeadlineRemindersGoOut(t *testing.T) {
	h := newHarness(t)
	h.baton(ana, "reminders 48h")
	h.ephemeral(ana, "Only workspace admins")
	h.baton(adm, "reminders soon")
	h.ephemeral(adm, "is not a time before the deadline")
	h.baton(adm, "reminders 2d,90m")
	h.ephemeral(adm, "remind their owner 48h, 1h30m before")

	dueTuesday(h)
	due := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	if at, ok := h.jobDue(1, "due-48h0m0s"); !ok || !at.Equal(due.Add(-48*time.Hour)) {
		t.Errorf("48 h reminder due %v (%v)", at, ok)
	}
	if at, ok := h.jobDue(1, "due-1h30m0s"); !ok || !at.Equal(due.Add(-90*time.Minute)) {
		t.Errorf("90 min reminder due %v (%v)", at, ok)
	}
	if _, ok := h.jobDue(1, "due-24h0m0s"); ok {
		t.Error("the default 24 h reminder is still planned")
	}
}
