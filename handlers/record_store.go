package handlers

import (
	"context"
	"time"

	baton "github.com/batonhq/baton"
)

// RecordStore reads the history track records, backtests and a manager's team lines are built from,
// and keeps the audit trail of who looked at them.
type RecordStore interface {
	RecordHistory(ctx context.Context, teamID, userID string, from, to time.Time) (baton.RecordHistory, error)
	RequestsFiled(ctx context.Context, teamID, userID, requestType string, from, to time.Time) ([]baton.RecordRequest, error)
	PolicyVersions(ctx context.Context, versions []string) (map[string]string, error)
	RecordAudit(ctx context.Context, e baton.AuditEvent) error
	AuditEvents(ctx context.Context, teamID, subjectID string, limit int) ([]baton.AuditEvent, error)
	TeamLines(ctx context.Context, teamID string, users []string, since, now time.Time) ([]baton.TeamLine, error)
	RememberedManagers(ctx context.Context, teamID string) (map[string]string, error)
}

// audit records that actor looked at subject's record or simulated something, before the answer is
// shown: an answer whose audit event could not be kept is not shown.
func (h *Handlers) audit(ctx context.Context, teamID, actor, kind, subject, detail string) error {
	return h.records.RecordAudit(ctx, baton.AuditEvent{
		TeamID: teamID, ActorID: actor, Kind: kind, SubjectID: subject, Detail: clip(baton.UnescapeSlack(detail), 500), At: h.now(),
	})
}
