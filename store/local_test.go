package store_test

import (
	"context"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestTheLocalWorkspaceIsKeptAndItsTeamResetAlone(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()

	lw, err := db.LocalWorkspace(ctx, "TLOCAL")
	if err != nil || lw.Seeded || lw.State != nil {
		t.Fatalf("a workspace never saved: %+v, %v; want nothing", lw, err)
	}
	if err := db.MarkLocalSeeded(ctx, "TLOCAL", now); err != nil {
		t.Fatal(err)
	}
	state := []byte("{\"version\":1,\"text\":\"a NUL \\u0000 kept\"}")
	if err := db.SaveLocalWorkspace(ctx, "TLOCAL", state); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveLocalClock(ctx, "TLOCAL", 50*time.Hour); err != nil {
		t.Fatal(err)
	}
	lw, err = db.LocalWorkspace(ctx, "TLOCAL")
	if err != nil || !lw.Seeded || string(lw.State) != string(state) || lw.ClockAhead != 50*time.Hour {
		t.Fatalf("after seeding and saving: %+v (%s), %v", lw, lw.State, err)
	}

	if other, err := db.OtherTeams(ctx, "TLOCAL"); err != nil || other {
		t.Fatalf("OtherTeams with the local team alone = %v, %v; want false", other, err)
	}
	// One process at a time runs the local workspace.
	release, ok, err := db.LockLocal(ctx, "TLOCAL")
	if err != nil || !ok {
		t.Fatalf("LockLocal = %v, %v; want the lock", ok, err)
	}
	if _, again, err := db.LockLocal(ctx, "TLOCAL"); err != nil || again {
		t.Errorf("a second LockLocal while the first holds = %v, %v; want refused", again, err)
	}
	release()
	release, ok, err = db.LockLocal(ctx, "TLOCAL")
	if err != nil || !ok {
		t.Fatalf("LockLocal after the release = %v, %v; want the lock", ok, err)
	}
	release()

	// The local team's records go, whatever refers to what (tasks, their events, a blocked task's
	// reason, holidays, decisions and their append-only versions); another team's stay.
	local := createTask(t, db, "TLOCAL", "UANA", "UBEA", "Draft the launch plan", baton.Due{})
	setStatus(t, db, "TLOCAL", local.Number, baton.StatusBlocked)
	other := createTask(t, db, "TOTHER", "UANA", "UBEA", "Keep me", baton.Due{})
	for _, team := range []string{"TLOCAL", "TOTHER"} {
		if err := db.AddHoliday(ctx, team, baton.Holiday{Date: "2026-12-25", Name: "Christmas"}, "UBEA"); err != nil {
			t.Fatal(err)
		}
	}
	for _, team := range []string{"TLOCAL", "TOTHER"} {
		createDecision(t, db, team, "UANA", baton.DecisionFields{Title: "Launch day", Decision: "Tuesday", Status: baton.DecisionAccepted, Flagged: []string{"UBEA"}})
	}
	if other, err := db.OtherTeams(ctx, "TLOCAL"); err != nil || !other {
		t.Errorf("OtherTeams with TOTHER's records = %v, %v; want true", other, err)
	}
	n, err := db.ResetTeam(ctx, "TLOCAL")
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("ResetTeam removed %d rows; want the task, its events, the holiday and the saved workspace", n)
	}
	if _, err := db.Task(ctx, "TLOCAL", local.Number); err == nil {
		t.Error("the local team's task is still there after the reset")
	}
	if _, err := db.Task(ctx, "TOTHER", other.Number); err != nil {
		t.Errorf("the other team's task went with the reset: %v", err)
	}
	if hs, err := db.Holidays(ctx, "TOTHER", "2026-01-01"); err != nil || len(hs) != 1 {
		t.Errorf("the other team's holidays after the reset: %v, %v; want Christmas", hs, err)
	}
	if _, err := db.Decision(ctx, "TOTHER", 1); err != nil {
		t.Errorf("the other team's decision went with the reset: %v", err)
	}
	if _, err := db.Decision(ctx, "TLOCAL", 1); err == nil {
		t.Error("the local team's decision is still there after the reset")
	}
	if hs, err := db.Holidays(ctx, "TLOCAL", "2026-01-01"); err != nil || len(hs) != 0 {
		t.Errorf("the local team's holidays after the reset: %v, %v; want none", hs, err)
	}
	lw, err = db.LocalWorkspace(ctx, "TLOCAL")
	if err != nil || lw.Seeded || lw.State != nil {
		t.Errorf("the saved local workspace after the reset: %+v, %v; want nothing", lw, err)
	}
	// Numbers start again at T-1 for the next demo.
	again := createTask(t, db, "TLOCAL", "UANA", "UBEA", "Start over", baton.Due{})
	if again.Number != 1 {
		t.Errorf("the first task after the reset is T-%d; want T-1", again.Number)
	}
}
