package store_test

import (
	"context"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/store"
	"github.com/batonhq/baton/store/storetest"
)

func createGrant(t *testing.T, db *store.DB, team, user, untilDate string, until time.Time) baton.Grant {
	t.Helper()
	g, err := db.CreateGrant(context.Background(), baton.Grant{
		TeamID: team, UserID: user, RequestType: "purchase", Condition: "amount <= 5000",
		UntilDate: untilDate, Until: until, Reason: "Team budget", GrantedBy: "UADM", GrantedAt: now,
	})
	if err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	return g
}

func kinds(events []baton.GrantEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Kind
	}
	return out
}

func TestGrantsAreNumberedReadBackAndListedActive(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	endOfMarch := time.Date(2026, 3, 31, 23, 59, 59, 999999999, time.UTC)

	g1 := createGrant(t, db, "TA", "UANA", "2026-03-31", endOfMarch)
	g2 := createGrant(t, db, "TA", "UANA", "", time.Time{})
	other := createGrant(t, db, "TB", "UANA", "", time.Time{})
	if g1.Ref() != "G-1" || g2.Ref() != "G-2" || other.Ref() != "G-1" {
		t.Fatalf("refs = %s, %s, %s; want G-1, G-2 and G-1 in the other workspace", g1.Ref(), g2.Ref(), other.Ref())
	}
	got, err := db.Grant(ctx, "TA", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.UntilDate != "2026-03-31" || !got.Until.Equal(endOfMarch.Truncate(time.Microsecond)) || got.Condition != "amount <= 5000" ||
		got.Reason != "Team budget" || got.GrantedBy != "UADM" || !got.GrantedAt.Equal(now) || got.Revoked() {
		t.Errorf("stored grant = %+v", got)
	}
	if _, err := db.Grant(ctx, "TA", 9); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("G-9 read gave %v, want not found", err)
	}
	if _, err := db.CreateGrant(ctx, baton.Grant{TeamID: "TA", UserID: "UANA", RequestType: "purchase", Condition: "true",
		UntilDate: "2026-03-31", GrantedBy: "UADM", GrantedAt: now}); err == nil {
		t.Error("a grant with an until day but no moment was stored")
	}

	active, err := db.ActiveGrants(ctx, "TA", "UANA", now)
	if err != nil || len(active) != 2 {
		t.Fatalf("active grants = %+v, %v; want G-1 and G-2", active, err)
	}
	// The last moment of the until day still counts; the next does not.
	if active, _ = db.ActiveGrants(ctx, "TA", "UANA", endOfMarch.Truncate(time.Microsecond)); len(active) != 2 {
		t.Errorf("at the last moment: %d active grants, want 2", len(active))
	}
	active, err = db.ActiveGrants(ctx, "TA", "UANA", endOfMarch.Add(time.Microsecond))
	if err != nil || len(active) != 1 || active[0].Number != 2 {
		t.Errorf("after G-1 ran out: %+v, %v; want only G-2", active, err)
	}
	if active, _ = db.ActiveGrants(ctx, "TA", "UBEA", now); len(active) != 0 {
		t.Errorf("Bea holds %+v, want nothing", active)
	}
	all, err := db.Grants(ctx, "TA")
	if err != nil || len(all) != 2 || all[0].Number != 1 || all[1].Number != 2 {
		t.Errorf("team grants = %+v, %v", all, err)
	}
	events, err := db.GrantEvents(ctx, g1.ID)
	if err != nil || len(events) != 1 || events[0].Kind != baton.GrantGranted || events[0].Actor != "UADM" {
		t.Errorf("events = %+v, %v; want one granted", events, err)
	}
}

func TestRevokeGrantOnceAndRecordUse(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	g := createGrant(t, db, "TA", "UANA", "", time.Time{})
	if err := db.RecordGrantUse(ctx, g.ID, "UANA", 7, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	revoked, err := db.RevokeGrant(ctx, "TA", g.Number, revokeBy("UADM", now.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if !revoked.Revoked() || revoked.RevokedBy != "UADM" || !revoked.RevokedAt.Equal(now.Add(time.Hour)) {
		t.Errorf("revoked = %+v", revoked)
	}
	_, err = db.RevokeGrant(ctx, "TA", g.Number, revokeBy("UMGR", now.Add(2*time.Hour)))
	if e := wantCode(t, err, baton.EConflict); e.Message == "" {
		t.Error("second revoke has no message")
	}
	if _, err := db.RevokeGrant(ctx, "TA", 9, revokeBy("UADM", now)); baton.ErrorCode(err) != baton.ENotFound {
		t.Errorf("revoking G-9 gave %v, want not found", err)
	}
	if active, _ := db.ActiveGrants(ctx, "TA", "UANA", now); len(active) != 0 {
		t.Errorf("a revoked grant is active: %+v", active)
	}
	events, err := db.GrantEvents(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(events); len(got) != 3 || got[0] != baton.GrantGranted || got[1] != baton.GrantUsed || got[2] != baton.GrantRevoked {
		t.Fatalf("events = %v, want granted, used, revoked", got)
	}
	if events[1].RequestNumber != 7 || events[1].Actor != "UANA" || events[0].RequestNumber != 0 {
		t.Errorf("use event = %+v", events[1])
	}
}

func TestGrantExpiriesAreRecordedOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	until := now.Add(24 * time.Hour)
	expiring := createGrant(t, db, "TA", "UANA", "2026-03-03", until)
	revokedFirst := createGrant(t, db, "TA", "UBEA", "2026-03-03", until)
	createGrant(t, db, "TA", "UCAL", "", time.Time{})
	if _, err := db.RevokeGrant(ctx, "TA", revokedFirst.Number, revokeBy("UADM", now)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.RecordGrantExpiries(ctx, "TA", now); err != nil || n != 0 {
		t.Fatalf("before the end: %d recorded, %v", n, err)
	}
	for range 2 {
		if _, err := db.RecordGrantExpiries(ctx, "TA", until.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	events, err := db.GrantEvents(ctx, expiring.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(events); len(got) != 2 || got[1] != baton.GrantExpired || !events[1].At.Equal(until) {
		t.Errorf("events = %+v, want granted then expired at %v", events, until)
	}
	if events, _ := db.GrantEvents(ctx, revokedFirst.ID); len(events) != 2 || events[1].Kind != baton.GrantRevoked {
		t.Errorf("a grant revoked before it ran out: %v, want granted, revoked", kinds(events))
	}
}

// revokeBy revokes a grant as an admin's /baton authority revoke does.
func revokeBy(actor string, at time.Time) func(g *baton.Grant) error {
	return func(g *baton.Grant) error { return g.Revoke(actor, true, at) }
}
