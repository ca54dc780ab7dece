package baton

import (
	"testing"
	"time"
)

func TestGrantRevokedByAdminOrGranterOnce(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	g := Grant{Number: 3, UserID: "UANA", RequestType: "purchase", GrantedBy: "UMGR"}
	if err := g.Revoke("UCAL", false, at); ErrorMessage(err) != "Only workspace admins and <@UMGR>, who granted G-3, can revoke it." || g.Revoked() {
		t.Errorf("someone who is neither admin nor granter revoked: %v", err)
	}
	if err := g.Revoke("UADM", true, at); err != nil || g.RevokedBy != "UADM" || !g.RevokedAt.Equal(at) || g.Active(at) {
		t.Fatalf("revoke: %v, %+v", err, g)
	}
	if err := g.Revoke("UMGR", false, at.Add(time.Hour)); ErrorMessage(err) != "G-3 was already revoked by <@UADM>, so nothing changed." || g.RevokedBy != "UADM" {
		t.Errorf("revoked twice: %v, %+v", err, g)
	}
}
