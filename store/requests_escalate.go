package store

import (
	"context"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// RecordRequestAction appends one action to a request's trail, such as Baton reminding an approver.
func (db *DB) RecordRequestAction(ctx context.Context, a baton.ApprovalAction) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error { return insertAction(ctx, tx, a) })
}

// EscalateRequest adds the escalation approvers of step stepIndex of R-number to its approvers, under
// the request's row lock, and records the escalation in the trail. It changes nothing, and returns no
// one, when the request no longer waits on that step or everyone to escalate to already approves it.
// The messages the escalation owes go into the outbox in the same transaction.
func (db *DB) EscalateRequest(ctx context.Context, teamID string, number int64, stepIndex int, at time.Time) (baton.ApprovalRequest, []string, error) {
	var out baton.ApprovalRequest
	var added []string
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := readRequest(ctx, tx, teamID, number, " FOR UPDATE")
		if err != nil {
			return err
		}
		out = r
		var a baton.ApprovalAction
		if a, added = r.Escalate(stepIndex, at); len(added) == 0 {
			return nil
		}
		step := r.Steps[stepIndex]
		if _, err := tx.ExecContext(ctx, `UPDATE request_steps SET approvers = $3, escalated_to = $4 WHERE request_id = $1 AND idx = $2`,
			r.ID, step.Index, pq.Array(step.Approvers), pq.Array(step.EscalatedTo)); err != nil {
			return mapError("escalate request step", err)
		}
		if err := insertAction(ctx, tx, a); err != nil {
			return err
		}
		out = r
		return queueAbout(ctx, tx, r.TeamID, r.AnnounceLane(), baton.EscalationAnnouncements(step.Index, added), about{request: r.ID})
	})
	if err != nil {
		return baton.ApprovalRequest{}, nil, err
	}
	return out, added, nil
}

// nonNil stores an empty list as {} rather than NULL.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
