package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// RecordHistory reads the part of a workspace's history that userID's track record over [from, to)
// is built from (see baton.BuildRecord): the tasks that may have been theirs then, with their
// events; the decisions they recorded; the requests they filed, from RefilingWindow before from so
// that a re-filing can be told; and the check-in DMs sent to them.
func (db *DB) RecordHistory(ctx context.Context, teamID, userID string, from, to time.Time) (baton.RecordHistory, error) {
	// The four reads are independent: on their own connections they overlap, and the record takes
	// as long as the longest of them rather than their sum.
	var h baton.RecordHistory
	errs := make([]error, 4)
	var wg sync.WaitGroup
	wg.Go(func() { h.Tasks, errs[0] = db.recordTasks(ctx, teamID, userID, from, to) })
	wg.Go(func() { h.Decisions, errs[1] = db.recordDecisions(ctx, teamID, userID, from, to) })
	wg.Go(func() {
		h.Requests, errs[2] = db.RequestsFiled(ctx, teamID, userID, "", from.Add(-baton.RefilingWindow), to)
	})
	wg.Go(func() { h.Checkins, errs[3] = db.recordCheckins(ctx, teamID, userID, from, to) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return baton.RecordHistory{}, err
	}
	return h, nil
}

type recordTaskRow struct {
	ID          int64        `db:"id"`
	Number      int64        `db:"number"`
	Link        string       `db:"card_link"`
	OwnerID     string       `db:"owner_id"`
	DelegatorID string       `db:"delegator_id"`
	Status      string       `db:"status"`
	DueAt       sql.NullTime `db:"due_at"`
	CreatedAt   time.Time    `db:"created_at"`
}

func (db *DB) recordTasks(ctx context.Context, teamID, userID string, from, to time.Time) ([]baton.RecordTask, error) {
	var rows []recordTaskRow
	err := db.SelectContext(ctx, &rows, `SELECT id, number, card_link, owner_id, delegator_id, status, due_at, created_at
		FROM tasks t WHERE team_id = $1 AND delegator_id <> $2 AND created_at < $4
		AND (status <> 'done' OR status_changed_at >= $3)
		AND (owner_id = $2 OR id IN (SELECT task_id FROM task_events e
			WHERE e.team_id = $1 AND e.kind = 'reassigned' AND e.from_value = $2))
		ORDER BY number`, teamID, userID, from, to)
	if err != nil {
		return nil, mapError("read record tasks", err)
	}
	out := make([]baton.RecordTask, len(rows))
	ids := make([]int64, len(rows))
	index := make(map[int64]int, len(rows))
	for i, r := range rows {
		out[i] = baton.RecordTask{
			Number: r.Number, Link: r.Link, OwnerID: r.OwnerID, DelegatorID: r.DelegatorID,
			Status: baton.Status(r.Status), CreatedAt: r.CreatedAt.UTC(),
		}
		if r.DueAt.Valid {
			out[i].DueAt = r.DueAt.Time.UTC()
		}
		ids[i], index[r.ID] = r.ID, i
	}
	if len(ids) == 0 {
		return out, nil
	}
	events, err := db.QueryxContext(ctx, `SELECT task_id, kind, from_value, to_value, at FROM task_events
		WHERE task_id = ANY($1) AND kind IN ('created', 'status', 'reassigned') ORDER BY task_id, id`, pq.Array(ids))
	if err != nil {
		return nil, mapError("read record task events", err)
	}
	defer events.Close()
	for events.Next() {
		var ev baton.TaskEvent
		if err := events.Scan(&ev.TaskID, &ev.Kind, &ev.From, &ev.To, &ev.At); err != nil {
			return nil, mapError("read record task events", err)
		}
		ev.At = ev.At.UTC()
		t := &out[index[ev.TaskID]]
		t.Events = append(t.Events, ev)
	}
	return out, mapError("read record task events", events.Err())
}

func (db *DB) recordDecisions(ctx context.Context, teamID, userID string, from, to time.Time) ([]baton.RecordDecision, error) {
	var rows []struct {
		Number    int64     `db:"number"`
		Link      string    `db:"card_link"`
		Status    string    `db:"status"`
		Version   int       `db:"version"`
		Flags     int       `db:"flags"`
		Acked     int       `db:"acked"`
		CreatedAt time.Time `db:"created_at"`
	}
	err := db.SelectContext(ctx, &rows, `SELECT d.number, d.card_link, d.status, d.version, d.created_at,
		count(f.id) AS flags, count(f.acknowledged_at) AS acked
		FROM decisions d LEFT JOIN decision_flags f ON f.decision_id = d.id
		WHERE d.team_id = $1 AND d.author_id = $2 AND d.created_at >= $3 AND d.created_at < $4
		GROUP BY d.id ORDER BY d.number`, teamID, userID, from, to)
	if err != nil {
		return nil, mapError("read record decisions", err)
	}
	out := make([]baton.RecordDecision, len(rows))
	for i, r := range rows {
		out[i] = baton.RecordDecision{
			Number: r.Number, Link: r.Link, Status: baton.DecisionStatus(r.Status), Versions: r.Version,
			Flags: r.Flags, Acknowledged: r.Acked, CreatedAt: r.CreatedAt.UTC(),
		}
	}
	return out, nil
}

// RequestsFiled returns the requests userID filed in [from, to), of requestType ("" for every type),
// oldest first, with whether each was approved at once and whether inside a grant of authority.
func (db *DB) RequestsFiled(ctx context.Context, teamID, userID, requestType string, from, to time.Time) ([]baton.RecordRequest, error) {
	return db.requestsFiled(ctx, userID, `SELECT * FROM (`+requestsFiledQuery+`
		AND r.created_at >= $4 AND r.created_at < $5) f ORDER BY created_at, number`, teamID, userID, requestType, from, to)
}

// DecidedByApprovers returns the last limit requests of requestType that userID filed and that
// approvers decided (approved, rejected or sent back for changes; not approved at once), oldest first.
func (db *DB) DecidedByApprovers(ctx context.Context, teamID, userID, requestType string, limit int) ([]baton.RecordRequest, error) {
	return db.requestsFiled(ctx, userID, `SELECT * FROM (`+requestsFiledQuery+`
		AND r.status IN ('approved', 'rejected', 'changes_requested')
		AND NOT EXISTS (SELECT 1 FROM approval_actions a WHERE a.request_id = r.id AND a.action = 'auto_approve')
		ORDER BY r.created_at DESC, r.number DESC LIMIT $4) f ORDER BY created_at, number`, teamID, userID, requestType, limit)
}

// requestsFiledQuery reads a person's requests ($1 team, $2 person, $3 type or "") with whether each
// was approved at once and whether inside a grant; callers add their conditions.
const requestsFiledQuery = `SELECT r.number, r.status_link, r.type, r."values", r.status, r.policy_version,
		r.created_at, r.decided_at, g.request_number IS NOT NULL AS by_grant,
		EXISTS (SELECT 1 FROM approval_actions a WHERE a.request_id = r.id AND a.action = 'auto_approve') AS auto
		FROM requests r LEFT JOIN (
			SELECT DISTINCT e.request_number FROM authority_events e JOIN authority_grants ag ON ag.id = e.grant_id
			WHERE ag.team_id = $1 AND ag.user_id = $2 AND e.kind = 'used') g ON g.request_number = r.number
		WHERE r.team_id = $1 AND r.requester_id = $2 AND ($3 = '' OR r.type = $3)`

func (db *DB) requestsFiled(ctx context.Context, userID, query string, args ...any) ([]baton.RecordRequest, error) {
	rows, err := db.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, mapError("read requests filed", err)
	}
	defer rows.Close()
	var out []baton.RecordRequest
	for rows.Next() {
		r := baton.RecordRequest{RequesterID: userID}
		var values []byte
		var decided sql.NullTime
		if err := rows.Scan(&r.Number, &r.Link, &r.Type, &values, &r.Status, &r.PolicyVersion,
			&r.CreatedAt, &decided, &r.ByGrant, &r.AutoApproved); err != nil {
			return nil, mapError("read requests filed", err)
		}
		if err := json.Unmarshal(values, &r.Values); err != nil {
			return nil, fmt.Errorf("store: read values of %s: %w", baton.RequestRef(r.Number), err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		if decided.Valid {
			r.DecidedAt = decided.Time.UTC()
		}
		out = append(out, r)
	}
	return out, mapError("read requests filed", rows.Err())
}

func (db *DB) recordCheckins(ctx context.Context, teamID, userID string, from, to time.Time) ([]baton.RecordCheckin, error) {
	rows, err := db.QueryxContext(ctx, `SELECT c.number, d.delivered_at, d.seen_at, d.answered_at
		FROM checkin_deliveries d JOIN checkins c ON c.id = d.checkin_id
		WHERE d.team_id = $1 AND d.recipient_id = $2 AND d.delivered_at >= $3 AND d.delivered_at < $4
		ORDER BY c.number, d.delivered_at`, teamID, userID, from, to)
	if err != nil {
		return nil, mapError("read record check-ins", err)
	}
	defer rows.Close()
	var out []baton.RecordCheckin
	for rows.Next() {
		var c baton.RecordCheckin
		var seen, answered sql.NullTime
		if err := rows.Scan(&c.Number, &c.DeliveredAt, &seen, &answered); err != nil {
			return nil, mapError("read record check-ins", err)
		}
		c.DeliveredAt = c.DeliveredAt.UTC()
		if seen.Valid {
			c.SeenAt = seen.Time.UTC()
		}
		if answered.Valid {
			c.AnsweredAt = answered.Time.UTC()
		}
		out = append(out, c)
	}
	return out, mapError("read record check-ins", rows.Err())
}

// PolicyVersions returns the policy files stored under versions, by version. A version not stored
// is left out.
func (db *DB) PolicyVersions(ctx context.Context, versions []string) (map[string]string, error) {
	var rows []struct {
		Version string `db:"version"`
		YAML    string `db:"yaml"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT version, yaml FROM policy_versions WHERE version = ANY($1)`, pq.Array(versions)); err != nil {
		return nil, mapError("read policy versions", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Version] = r.YAML
	}
	return out, nil
}

// RecordAudit appends an audit event: who looked at whose record, or simulated what, and when.
func (db *DB) RecordAudit(ctx context.Context, e baton.AuditEvent) error {
	_, err := db.ExecContext(ctx, `INSERT INTO audit_events (team_id, actor_id, kind, subject_id, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, e.TeamID, e.ActorID, e.Kind, e.SubjectID, e.Detail, e.At)
	return mapError("record audit event", err)
}

// AuditEvents returns a workspace's latest audit events, newest first, at most limit; with subjectID
// set only those about that person.
func (db *DB) AuditEvents(ctx context.Context, teamID, subjectID string, limit int) ([]baton.AuditEvent, error) {
	var out []baton.AuditEvent
	err := db.SelectContext(ctx, &out, `SELECT id, team_id, actor_id, kind, subject_id, detail, at FROM audit_events
		WHERE team_id = $1 AND ($2 = '' OR subject_id = $2) ORDER BY id DESC LIMIT $3`, teamID, subjectID, limit)
	if err != nil {
		return nil, mapError("read audit events", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}
