package store_test

import (
	"context"
	"testing"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store/storetest"
)

// A setting changed through a store is read back at once by the same store, even after it was read
// (and remembered) before the change.
func TestSettingsChangedThroughTheStoreAreReadBackAtOnce(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()

	if s, err := db.Digest(ctx, "T1", "U1"); err != nil || s.Daily {
		t.Fatalf("digest before any choice = %+v, %v; want at once", s, err)
	}
	daily := baton.DigestSetting{Daily: true, At: baton.DefaultDigestTime}
	if err := db.SetDigest(ctx, "T1", "U1", daily); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Digest(ctx, "T1", "U1"); err != nil || !s.Daily {
		t.Fatalf("digest after choosing daily = %+v, %v", s, err)
	}

	if away, err := db.OutOfOffice(ctx, "T1", "U1"); err != nil || away != "" {
		t.Fatalf("away = %q, %v; want not away", away, err)
	}
	if err := db.SetOutOfOffice(ctx, "T1", "U1", "2026-12-24"); err != nil {
		t.Fatal(err)
	}
	if away, err := db.OutOfOffice(ctx, "T1", "U1"); err != nil || away != "2026-12-24" {
		t.Fatalf("away = %q, %v; want through 2026-12-24", away, err)
	}

	if days, err := db.Holidays(ctx, "T1", "2026-01-01"); err != nil || len(days) != 0 {
		t.Fatalf("holidays = %v, %v; want none", days, err)
	}
	for _, d := range []string{"2026-12-25", "2026-01-01", "2027-01-01"} {
		if err := db.AddHoliday(ctx, "T1", baton.Holiday{Date: d, Name: "Off " + d}, "U1"); err != nil {
			t.Fatal(err)
		}
	}
	days, err := db.Holidays(ctx, "T1", "2026-06-01")
	if err != nil || len(days) != 2 || days[0].Date != "2026-12-25" || days[1].Date != "2027-01-01" {
		t.Fatalf("holidays from 2026-06-01 = %v, %v; want 2026-12-25 and 2027-01-01", days, err)
	}
	if removed, err := db.RemoveHoliday(ctx, "T1", "2026-12-25"); err != nil || !removed {
		t.Fatalf("remove = %v, %v", removed, err)
	}
	if days, err := db.Holidays(ctx, "T1", "2026-06-01"); err != nil || len(days) != 1 || days[0].Date != "2027-01-01" {
		t.Fatalf("holidays after removing Christmas = %v, %v", days, err)
	}
	if days, err := db.Holidays(ctx, "T2", ""); err != nil || len(days) != 0 {
		t.Fatalf("another workspace's holidays = %v, %v; want none", days, err)
	}
}
