package main

import (
	"github.com/batonhq/baton/handlers"
	"github.com/batonhq/baton/store"
)

// storesOf puts the database behind every feature's store. Each feature of the handlers declares
// the small store it needs; that *store.DB satisfies every one is checked here, when Baton compiles.
func storesOf(db *store.DB) handlers.Stores {
	return handlers.Stores{
		Tasks:         db,
		Calendar:      db,
		Digests:       db,
		Checkins:      db,
		Deliveries:    db,
		Policies:      db,
		Approvals:     db,
		ApprovalLists: db,
		Grants:        db,
		People:        db,
		Objectives:    db,
		KeyResults:    db,
		Decisions:     db,
		Outbox:        db,
		Records:       db,
		Suggestions:   db,
		Simulations:   db,
	}
}
