package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

const requestColumns = `id, team_id, number, type, "values", summary, requester_id, channel_id, channel_ts,
	policy_version, branch, branch_name, explanation, status, current_step, created_at, decided_at,
	status_channel, status_ts, status_link`

type requestRow struct {
	ID            int64        `db:"id"`
	TeamID        string       `db:"team_id"`
	Number        int64        `db:"number"`
	Type          string       `db:"type"`
	Values        []byte       `db:"values"`
	Summary       string       `db:"summary"`
	RequesterID   string       `db:"requester_id"`
	ChannelID     string       `db:"channel_id"`
	ChannelTS     string       `db:"channel_ts"`
	PolicyVersion string       `db:"policy_version"`
	Branch        int          `db:"branch"`
	BranchName    string       `db:"branch_name"`
	Explanation   string       `db:"explanation"`
	Status        string       `db:"status"`
	CurrentStep   int          `db:"current_step"`
	CreatedAt     time.Time    `db:"created_at"`
	DecidedAt     sql.NullTime `db:"decided_at"`
	StatusChannel string       `db:"status_channel"`
	StatusTS      string       `db:"status_ts"`
	StatusLink    string       `db:"status_link"`
}

func (row requestRow) request() (baton.ApprovalRequest, error) {
	r := baton.ApprovalRequest{
		ID: row.ID, TeamID: row.TeamID, Number: row.Number, Type: row.Type, Summary: row.Summary,
		RequesterID: row.RequesterID, ChannelID: row.ChannelID, ChannelTS: row.ChannelTS,
		PolicyVersion: row.PolicyVersion, Branch: row.Branch, BranchName: row.BranchName, Explanation: row.Explanation,
		Status: baton.ApprovalStatus(row.Status), CurrentStep: row.CurrentStep, CreatedAt: row.CreatedAt.UTC(),
		StatusChannel: row.StatusChannel, StatusTS: row.StatusTS, StatusLink: row.StatusLink,
	}
	if row.DecidedAt.Valid {
		r.DecidedAt = row.DecidedAt.Time.UTC()
	}
	if err := json.Unmarshal(row.Values, &r.Values); err != nil {
		return baton.ApprovalRequest{}, fmt.Errorf("store: read values of %s: %w", r.Ref(), err)
	}
	return r, nil
}

type stepRow struct {
	RequestID int64          `db:"request_id"`
	Index     int            `db:"idx"`
	Name      string         `db:"name"`
	Mode      string         `db:"mode"`
	Approvers pq.StringArray `db:"approvers"`
	Decided   bool           `db:"decided"`
	RemindS   int64          `db:"remind_after_s"`
	EscalateS int64          `db:"escalate_after_s"`
	To        pq.StringArray `db:"escalate_to"`
	Escalated pq.StringArray `db:"escalated_to"`
	Approved  pq.StringArray `db:"approved"`
}

func requestNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no request %s in this workspace. See yours with /request list.", baton.RequestRef(number))
}

// SavePolicyVersion records a loaded policy file, stored once per version, and puts that version in
// force: the one every bot process follows (see PolicyInForce).
func (db *DB) SavePolicyVersion(ctx context.Context, version, yaml string, at time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO policy_versions (version, yaml, loaded_at) VALUES ($1, $2, $3)
		ON CONFLICT (version) DO UPDATE SET in_force_seq = nextval('policy_in_force_seq')`, version, yaml, at)
	return mapError("save policy version", err)
}

// PolicyInForce is the policy version put in force last by any bot process, and its file; found is
// false before any was.
func (db *DB) PolicyInForce(ctx context.Context) (version, yaml string, found bool, err error) {
	var row struct {
		Version string `db:"version"`
		YAML    string `db:"yaml"`
	}
	err = db.GetContext(ctx, &row, `SELECT version, yaml FROM policy_versions ORDER BY in_force_seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, mapError("read the policy in force", err)
	}
	return row.Version, row.YAML, true, nil
}

// PolicyVersionInForce is the version PolicyInForce would return, without its file: what every
// process asks before it routes by its policy.
func (db *DB) PolicyVersionInForce(ctx context.Context) (version string, found bool, err error) {
	err = db.GetContext(ctx, &version, `SELECT version FROM policy_versions ORDER BY in_force_seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, mapError("read the policy version in force", err)
	}
	return version, true, nil
}

// CreateRequest stores a new request with its steps and its first actions (submit, then route or
// auto_approve), and gives it the workspace's next R- number. The messages it owes go into the outbox
// in the same transaction.
func (db *DB) CreateRequest(ctx context.Context, r baton.ApprovalRequest, actions []baton.ApprovalAction) (baton.ApprovalRequest, error) {
	values, err := json.Marshal(r.Values)
	if err != nil {
		return baton.ApprovalRequest{}, fmt.Errorf("store: write values: %w", err)
	}
	if r.Values == nil {
		values = []byte("{}")
	}
	var created baton.ApprovalRequest
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, r.TeamID, "request")
		if err != nil {
			return err
		}
		var decided any
		if !r.DecidedAt.IsZero() {
			decided = r.DecidedAt
		}
		var row requestRow
		err = tx.GetContext(ctx, &row, `INSERT INTO requests (team_id, number, type, "values", summary, requester_id,
			channel_id, policy_version, branch, branch_name, explanation, status, created_at, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING `+requestColumns,
			r.TeamID, number, r.Type, string(values), r.Summary, r.RequesterID, r.ChannelID, r.PolicyVersion,
			r.Branch, r.BranchName, r.Explanation, r.Status, r.CreatedAt, decided)
		if err != nil {
			return mapError("create request", err)
		}
		if created, err = row.request(); err != nil {
			return err
		}
		for i, s := range r.Steps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO request_steps (request_id, idx, name, mode, approvers,
				remind_after_s, escalate_after_s, escalate_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				created.ID, i, s.Name, string(s.Mode), pq.Array(s.Approvers), int64(s.RemindAfter/time.Second),
				int64(s.EscalateAfter/time.Second), pq.Array(nonNil(s.EscalateTo))); err != nil {
				return mapError("store request step", err)
			}
			s.Index = i
			created.Steps = append(created.Steps, s)
		}
		for _, a := range actions {
			a.RequestID = created.ID
			if err := insertAction(ctx, tx, a); err != nil {
				return err
			}
		}
		return announceRequest(ctx, tx, created, nil, r.RequesterID)
	})
	if err != nil {
		return baton.ApprovalRequest{}, err
	}
	return created, nil
}

func insertAction(ctx context.Context, tx *sqlx.Tx, a baton.ApprovalAction) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO approval_actions (request_id, step, actor, action, comment, at)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.RequestID, a.Step, a.Actor, a.Action, a.Comment, a.At)
	return mapError("record request action", err)
}

// Request returns request R-number of a workspace with its steps.
func (db *DB) Request(ctx context.Context, teamID string, number int64) (baton.ApprovalRequest, error) {
	return readRequest(ctx, db.DB, teamID, number, "")
}

type getter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func readRequest(ctx context.Context, q getter, teamID string, number int64, lock string) (baton.ApprovalRequest, error) {
	var row requestRow
	err := q.GetContext(ctx, &row, `SELECT `+requestColumns+` FROM requests WHERE team_id = $1 AND number = $2`+lock, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.ApprovalRequest{}, requestNotFound(number)
	}
	if err != nil {
		return baton.ApprovalRequest{}, mapError("read request", err)
	}
	r, err := row.request()
	if err != nil {
		return baton.ApprovalRequest{}, err
	}
	all, err := loadSteps(ctx, q, []int64{r.ID})
	if err != nil {
		return baton.ApprovalRequest{}, err
	}
	r.Steps = all[r.ID]
	return r, nil
}

// loadSteps reads the steps of requests, with who approved each.
func loadSteps(ctx context.Context, q getter, ids []int64) (map[int64][]baton.ApprovalStep, error) {
	out := map[int64][]baton.ApprovalStep{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []stepRow
	// Each step comes with who approved it, first approval first.
	if err := q.SelectContext(ctx, &rows, `SELECT s.request_id, s.idx, s.name, s.mode, s.approvers, s.decided,
		s.remind_after_s, s.escalate_after_s, s.escalate_to, s.escalated_to,
		ARRAY(SELECT a.actor FROM approval_actions a
			WHERE a.request_id = s.request_id AND a.step = s.idx AND a.action = 'approve'
			GROUP BY a.actor ORDER BY min(a.id)) AS approved
		FROM request_steps s WHERE s.request_id = ANY($1) ORDER BY s.request_id, s.idx`, pq.Array(ids)); err != nil {
		return nil, mapError("read request steps", err)
	}
	for _, s := range rows {
		step := baton.ApprovalStep{Index: s.Index, Name: s.Name, Mode: baton.Mode(s.Mode), Approvers: []string(s.Approvers), Decided: s.Decided,
			RemindAfter: time.Duration(s.RemindS) * time.Second, EscalateAfter: time.Duration(s.EscalateS) * time.Second,
			EscalateTo: []string(s.To), EscalatedTo: []string(s.Escalated)}
		if len(s.Approved) > 0 {
			step.Approved = []string(s.Approved)
		}
		out[s.RequestID] = append(out[s.RequestID], step)
	}
	return out, nil
}

// RequestActions returns a request's trail, oldest first.
func (db *DB) RequestActions(ctx context.Context, requestID int64) ([]baton.ApprovalAction, error) {
	var out []baton.ApprovalAction
	err := db.SelectContext(ctx, &out, `SELECT id, request_id, step, actor, action, comment, at FROM approval_actions
		WHERE request_id = $1 ORDER BY id`, requestID)
	if err != nil {
		return nil, mapError("read request trail", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

// ChangeRequest applies change to R-number under the request's row lock, so that two approvers
// acting at once, or one double click, decide exactly once: change sees the request as it stands and
// refuses, or changes it and says what it did. The trail entry, the step and the request are written,
// and the messages the change owes go into the outbox, in the same transaction.
func (db *DB) ChangeRequest(ctx context.Context, teamID string, number int64, change baton.ApprovalChange) (baton.ApprovalRequest, baton.ApprovalOutcome, error) {
	var out baton.ApprovalRequest
	var d baton.ApprovalOutcome
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := readRequest(ctx, tx, teamID, number, " FOR UPDATE")
		if err != nil {
			return err
		}
		a, outcome, err := change(&r)
		if err != nil {
			return err
		}
		d = outcome
		if err := insertAction(ctx, tx, a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE request_steps SET decided = $3 WHERE request_id = $1 AND idx = $2`,
			r.ID, d.Step.Index, d.Step.Decided); err != nil {
			return mapError("update request step", err)
		}
		var decided any
		if !r.DecidedAt.IsZero() {
			decided = r.DecidedAt
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET status = $2, current_step = $3, decided_at = $4 WHERE id = $1`,
			r.ID, r.Status, r.CurrentStep, decided); err != nil {
			return mapError("update request", err)
		}
		out = r
		return announceRequest(ctx, tx, r, &d, a.Actor)
	})
	if err != nil {
		return baton.ApprovalRequest{}, baton.ApprovalOutcome{}, err
	}
	return out, d, nil
}

// SetRequestStatusCard records where the requester's status card is, and its permalink.
func (db *DB) SetRequestStatusCard(ctx context.Context, requestID int64, channelID, ts, link string) error {
	_, err := db.ExecContext(ctx, `UPDATE requests SET status_channel = $2, status_ts = $3, status_link = $4 WHERE id = $1`,
		requestID, channelID, ts, link)
	return mapError("record status card", err)
}

// SetRequestThread records Baton's message in the channel the request was made in.
func (db *DB) SetRequestThread(ctx context.Context, requestID int64, ts string) error {
	_, err := db.ExecContext(ctx, `UPDATE requests SET channel_ts = $2 WHERE id = $1`, requestID, ts)
	return mapError("record request thread", err)
}

// AddRequestCard records where an approver's card of a step was posted, and its permalink.
func (db *DB) AddRequestCard(ctx context.Context, c baton.ApprovalCard) error {
	_, err := db.ExecContext(ctx, `INSERT INTO request_cards (request_id, step, approver_id, channel_id, ts, link)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id, step, approver_id) DO UPDATE SET channel_id = $4, ts = $5, link = $6`,
		c.RequestID, c.Step, c.ApproverID, c.ChannelID, c.TS, c.Link)
	return mapError("record approver card", err)
}

// RequestCards returns the approver cards of a request, by step and approver.
func (db *DB) RequestCards(ctx context.Context, requestID int64) ([]baton.ApprovalCard, error) {
	var out []baton.ApprovalCard
	err := db.SelectContext(ctx, &out, `SELECT request_id, step, approver_id, channel_id, ts, link FROM request_cards
		WHERE request_id = $1 ORDER BY step, approver_id`, requestID)
	return out, mapError("read approver cards", err)
}

// RequestsByRequester returns a person's requests, newest first.
func (db *DB) RequestsByRequester(ctx context.Context, teamID, userID string, limit int) ([]baton.ApprovalRequest, error) {
	return db.listRequests(ctx, `SELECT `+requestColumns+` FROM requests WHERE team_id = $1 AND requester_id = $2
		ORDER BY created_at DESC, id DESC LIMIT $3`, teamID, userID, limit)
}

// RequestsAwaiting returns the pending requests whose current step waits on a person, oldest first.
func (db *DB) RequestsAwaiting(ctx context.Context, teamID, userID string, limit int) ([]baton.ApprovalRequest, error) {
	return db.listRequests(ctx, `SELECT `+prefixed("r.", requestColumns)+` FROM requests r
		JOIN request_steps s ON s.request_id = r.id AND s.idx = r.current_step
		WHERE r.team_id = $1 AND r.status = 'pending' AND $2 = ANY (s.approvers)
		AND NOT EXISTS (SELECT 1 FROM approval_actions a WHERE a.request_id = r.id AND a.step = s.idx
			AND a.actor = $2 AND a.action = 'approve')
		ORDER BY r.created_at, r.id LIMIT $3`, teamID, userID, limit)
}

// AwaitingApproval returns the pending requests whose current step lists a person who has not
// approved it yet, the longest waiting first, and how many there are in all.
func (db *DB) AwaitingApproval(ctx context.Context, teamID, userID string, limit int) ([]baton.PendingApproval, int, error) {
	var rows []struct {
		requestRow
		StepSince time.Time `db:"step_since"`
		Total     int       `db:"total"`
		CardTS    string    `db:"card_ts"`
		CardCh    string    `db:"card_channel"`
		CardLink  string    `db:"card_link"`
	}
	err := db.SelectContext(ctx, &rows, `SELECT `+prefixed("r.", requestColumns)+`, w.step_since, count(*) OVER () AS total,
			COALESCE(c.ts, '') AS card_ts, COALESCE(c.channel_id, '') AS card_channel, COALESCE(c.link, '') AS card_link
		FROM requests r
		JOIN request_steps s ON s.request_id = r.id AND s.idx = r.current_step
		LEFT JOIN request_cards c ON c.request_id = r.id AND c.step = r.current_step AND c.approver_id = $2
		CROSS JOIN LATERAL (SELECT COALESCE(max(a.at), r.created_at) AS step_since FROM approval_actions a
			WHERE a.request_id = r.id AND a.step = r.current_step - 1 AND a.action = 'approve') w
		WHERE r.team_id = $1 AND r.status = 'pending' AND $2 = ANY (s.approvers)
		AND NOT EXISTS (SELECT 1 FROM approval_actions a WHERE a.request_id = r.id AND a.step = s.idx
			AND a.actor = $2 AND a.action = 'approve')
		ORDER BY w.step_since, r.created_at, r.id LIMIT $3`, teamID, userID, limit)
	if err != nil {
		return nil, 0, mapError("list requests awaiting approval", err)
	}
	out := make([]baton.PendingApproval, 0, len(rows))
	ids := make([]int64, 0, len(rows))
	total := 0
	for _, row := range rows {
		r, err := row.request()
		if err != nil {
			return nil, 0, err
		}
		card := baton.ApprovalCard{RequestID: r.ID, Step: r.CurrentStep, ApproverID: userID, ChannelID: row.CardCh, TS: row.CardTS, Link: row.CardLink}
		out = append(out, baton.PendingApproval{ApprovalRequest: r, StepSince: row.StepSince.UTC(), Card: card})
		ids = append(ids, r.ID)
		total = row.Total
	}
	steps, err := loadSteps(ctx, db.DB, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Steps = steps[out[i].ID]
	}
	return out, total, nil
}

func (db *DB) listRequests(ctx context.Context, query string, args ...any) ([]baton.ApprovalRequest, error) {
	var rows []requestRow
	if err := db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, mapError("list requests", err)
	}
	out := make([]baton.ApprovalRequest, 0, len(rows))
	ids := make([]int64, 0, len(rows))
	for _, row := range rows {
		r, err := row.request()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	steps, err := loadSteps(ctx, db.DB, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Steps = steps[out[i].ID]
	}
	return out, nil
}

// ExportRequests returns a workspace's requests created in [from, to), oldest first, at most limit of
// them, with each one's trail by request ID. With userID set it returns only the requests that person
// filed or did something to (approved, rejected, asked for changes, cancelled).
func (db *DB) ExportRequests(ctx context.Context, teamID, userID string, from, to time.Time, limit int) ([]baton.ApprovalRequest, map[int64][]baton.ApprovalAction, error) {
	reqs, err := db.listRequests(ctx, `SELECT `+requestColumns+` FROM requests r
		WHERE team_id = $1 AND created_at >= $2 AND created_at < $3
		AND ($4 = '' OR requester_id = $4 OR EXISTS (SELECT 1 FROM approval_actions a WHERE a.request_id = r.id AND a.actor = $4))
		ORDER BY created_at, id LIMIT $5`, teamID, from, to, userID, limit)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	var actions []baton.ApprovalAction
	if err := db.SelectContext(ctx, &actions, `SELECT id, request_id, step, actor, action, comment, at FROM approval_actions
		WHERE request_id = ANY($1) ORDER BY request_id, id`, pq.Array(ids)); err != nil {
		return nil, nil, mapError("read request trails", err)
	}
	trails := make(map[int64][]baton.ApprovalAction, len(reqs))
	for _, a := range actions {
		a.At = a.At.UTC()
		trails[a.RequestID] = append(trails[a.RequestID], a)
	}
	return reqs, trails, nil
}

// CountRequests counts a workspace's requests.
func (db *DB) CountRequests(ctx context.Context, teamID string) (int, error) {
	var n int
	err := db.GetContext(ctx, &n, `SELECT count(*) FROM requests WHERE team_id = $1`, teamID)
	return n, mapError("count requests", err)
}

func prefixed(p, columns string) string {
	out := []byte{}
	start := true
	for i := 0; i < len(columns); i++ {
		c := columns[i]
		if start && c != ' ' && c != '\t' && c != '\n' {
			out = append(out, p...)
			start = false
		}
		if c == ',' {
			start = true
		}
		out = append(out, c)
	}
	return string(out)
}
