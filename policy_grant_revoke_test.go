package baton

import (
	"testing"
	"time"
)

func TestGrantRevokedOnce(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	g := Grant{Number: 3, UserID: "UANA", RequestType: "purchase"}
	if err := g.Revoke("UADM", at); err != nil || g.RevokedBy != "UADM" || !g.RevokedAt.Equal(at) || g.Active(at) {
		t.Fatalf("revoke: %v, %+v", err, g)
	}
	if err := g.Revoke("UMGR", at.Add(time.Hour)); ErrorMessage(err) != "G-3 was already revoked by <@UADM>, so nothing changed." || g.RevokedBy != "UADM" {
		t.Errorf("revoked twice: %v, %+v", err, g)
	}
}
