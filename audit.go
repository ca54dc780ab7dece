package baton

import "time"

// The kinds of audit events.
const (
	AuditRecordView        = "record.view"
	AuditAuthoritySimulate = "authority.simulate"
	AuditPoliciesSimulate  = "policies.simulate"
)

// AuditEvent is one entry of the workspace's audit trail: someone looked at a person's record, or
// simulated a grant of authority or a policy file. Append-only.
type AuditEvent struct {
	ID        int64     `db:"id"`
	TeamID    string    `db:"team_id"`
	ActorID   string    `db:"actor_id"`
	Kind      string    `db:"kind"`
	SubjectID string    `db:"subject_id"` // the person looked at; "" for a policy simulation
	Detail    string    `db:"detail"`     // what was asked, as typed after the command
	At        time.Time `db:"at"`
}
