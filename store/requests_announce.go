package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	baton "github.com/batonhq/baton"
)

// announceRequest writes the messages a request owes into the outbox, in the transaction that
// files it (d nil) or in which actor acts on it.
func announceRequest(ctx context.Context, tx *sqlx.Tx, r baton.ApprovalRequest, d *baton.ApprovalOutcome, actor string) error {
	return queueAbout(ctx, tx, r.TeamID, r.AnnounceLane(), baton.RequestAnnouncements(r, d, actor), about{request: r.ID})
}
