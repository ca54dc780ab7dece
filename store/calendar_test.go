package store_test

import (
	"context"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

func TestHolidaysPerWorkspace(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for _, h := range []baton.Holiday{{Date: "2026-12-25", Name: "Christmas"}, {Date: "2026-12-24", Name: ""}, {Date: "2026-01-01", Name: "New Year"}} {
		if err := db.AddHoliday(ctx, "T1", h, "UADM"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddHoliday(ctx, "T2", baton.Holiday{Date: "2026-12-31"}, "UX"); err != nil {
		t.Fatal(err)
	}
	err := db.AddHoliday(ctx, "T1", baton.Holiday{Date: "2026-12-25", Name: "Xmas"}, "UADM")
	if baton.ErrorCode(err) != baton.EConflict {
		t.Errorf("adding a day twice: %v, want a conflict", err)
	}
	got, err := db.Holidays(ctx, "T1", "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	want := []baton.Holiday{{Date: "2026-12-24"}, {Date: "2026-12-25", Name: "Christmas"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("holidays from 2026-11-27 = %+v, want %+v (past days and other workspaces left out)", got, want)
	}
	if ok, err := db.RemoveHoliday(ctx, "T1", "2026-12-24"); !ok || err != nil {
		t.Errorf("remove = %v, %v", ok, err)
	}
	if ok, _ := db.RemoveHoliday(ctx, "T1", "2026-12-24"); ok {
		t.Error("removing a day that is no longer a holiday reported success")
	}
}

func TestOutOfOffice(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if until, err := db.OutOfOffice(ctx, "T1", "U1"); until != "" || err != nil {
		t.Fatalf("nobody is away yet: %q, %v", until, err)
	}
	for _, until := range []string{"2026-12-02", "2026-12-09"} {
		if err := db.SetOutOfOffice(ctx, "T1", "U1", until); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.OutOfOffice(ctx, "T1", "U1"); got != until {
			t.Errorf("away until %q, want %q", got, until)
		}
	}
	if got, _ := db.OutOfOffice(ctx, "T2", "U1"); got != "" {
		t.Error("out-of-office leaked into another workspace")
	}
	if err := db.SetOutOfOffice(ctx, "T1", "U1", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.OutOfOffice(ctx, "T1", "U1"); got != "" {
		t.Errorf("still away until %q after turning it off", got)
	}
}
