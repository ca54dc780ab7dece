package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

const decisionColumns = `id, team_id, number, title, context, decision, alternatives, status, task_number, kr_number,
	request_number, supersedes_number, superseded_by_number, flagged, author_id, version, updated_by, channel_id, card_ts,
	card_link, created_at, updated_at`

type decisionRow struct {
	baton.Decision
	Flagged pq.StringArray `db:"flagged"`
}

func (r decisionRow) decision() baton.Decision {
	d := r.Decision
	d.Flagged = []string(r.Flagged)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d
}

const versionColumns = `id, decision_id, team_id, version, editor_id, at, title, context, decision, alternatives, status,
	task_number, kr_number, request_number, supersedes_number, flagged, changed`

type versionRow struct {
	baton.DecisionVersion
	Flagged pq.StringArray `db:"flagged"`
	Changed pq.StringArray `db:"changed"`
}

const flagColumns = `id, decision_id, user_id, flagged_by, version, reason, flagged_at, acknowledged_at, reminded_at`

type flagRow struct {
	baton.DecisionFlag
	AcknowledgedAt sql.NullTime `db:"acknowledged_at"`
	RemindedAt     sql.NullTime `db:"reminded_at"`
}

func (r flagRow) flag() baton.DecisionFlag {
	f := r.DecisionFlag
	f.FlaggedAt = f.FlaggedAt.UTC()
	if r.AcknowledgedAt.Valid {
		f.AcknowledgedAt = r.AcknowledgedAt.Time.UTC()
	}
	if r.RemindedAt.Valid {
		f.RemindedAt = r.RemindedAt.Time.UTC()
	}
	return f
}

func decisionNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no decision %s in this workspace. Find it with /decision list.", baton.DecisionRef(number))
}

// CreateDecision stores a new decision with its first version, gives it the workspace's next number,
// links the decision it supersedes both ways, and flags it for the people its version names, with
// reason as why. The messages the decision owes go into the outbox in the same transaction. Nothing
// is stored when any of it fails.
func (db *DB) CreateDecision(ctx context.Context, d baton.Decision, v baton.DecisionVersion, reason string) (baton.DecisionSave, error) {
	var out baton.DecisionSave
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, d.TeamID, "decision")
		if err != nil {
			return err
		}
		d.Number = number
		var row decisionRow
		err = tx.GetContext(ctx, &row, `INSERT INTO decisions (team_id, number, title, context, decision, alternatives, status,
			task_number, kr_number, request_number, supersedes_number, flagged, author_id, version, updated_by, channel_id,
			created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
			RETURNING `+decisionColumns,
			d.TeamID, d.Number, d.Title, d.Context, d.Decision, d.Alternatives, d.Status, d.TaskNumber, d.KRNumber,
			d.RequestNumber, d.SupersedesNumber, pq.Array(nonNil(d.Flagged)), d.AuthorID, d.Version, d.UpdatedBy, d.ChannelID,
			d.CreatedAt.UTC())
		if err != nil {
			return mapError("create decision", err)
		}
		out.Decision = row.decision()
		v.DecisionID, v.TeamID = out.Decision.ID, out.Decision.TeamID
		if err := db.saveVersion(ctx, tx, &out, v, baton.Decision{}, reason); err != nil {
			return err
		}
		return announceDecision(ctx, tx, &out, true)
	})
	if err != nil {
		return baton.DecisionSave{}, err
	}
	return out, nil
}

// EditDecision stores a new version of decision D-number. The decision is locked while change, a
// domain method, checks who edits and which version the edit was based on, and returns the version
// to append; its error aborts the edit and is returned as is. Two editors of the same version are
// applied one after the other, so the second finds the version moved on and is refused. The messages
// the version owes go into the outbox in the same transaction.
func (db *DB) EditDecision(ctx context.Context, teamID string, number int64, reason string,
	change func(d *baton.Decision) (baton.DecisionVersion, error)) (baton.DecisionSave, error) {
	var out baton.DecisionSave
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockDecision(ctx, tx, teamID, number)
		if err != nil {
			return err
		}
		d := before
		d.Flagged = append([]string(nil), before.Flagged...)
		v, err := change(&d)
		if err != nil {
			return err
		}
		if err := updateDecision(ctx, tx, d, before.Version); err != nil {
			return err
		}
		out.Before, out.Decision = before, d
		if err := db.saveVersion(ctx, tx, &out, v, before, reason); err != nil {
			return err
		}
		return announceDecision(ctx, tx, &out, false)
	})
	if err != nil {
		return baton.DecisionSave{}, err
	}
	return out, nil
}

// saveVersion appends a decision's new version, supersedes what it newly points at and raises its flags.
func (db *DB) saveVersion(ctx context.Context, tx *sqlx.Tx, out *baton.DecisionSave, v baton.DecisionVersion, before baton.Decision, reason string) error {
	stored, err := insertVersion(ctx, tx, v)
	if err != nil {
		return err
	}
	out.Version = stored
	d := out.Decision
	if d.SupersedesNumber != 0 && d.SupersedesNumber != before.SupersedesNumber {
		target, err := lockDecision(ctx, tx, d.TeamID, d.SupersedesNumber)
		if err != nil {
			return err
		}
		prev := target.Version
		tv, err := target.Supersede(d.Number, v.EditorID, v.At)
		if err != nil {
			return err
		}
		if err := updateDecision(ctx, tx, target, prev); err != nil {
			return err
		}
		if tv.Version != 0 {
			if _, err := insertVersion(ctx, tx, tv); err != nil {
				return err
			}
		}
		out.Superseded = &target
	}
	// The editor has read what they saved; people the new version no longer names are not asked any more.
	if _, err := tx.ExecContext(ctx, `UPDATE decision_flags SET acknowledged_at = $3
		WHERE decision_id = $1 AND user_id = $2 AND acknowledged_at IS NULL AND withdrawn_at IS NULL`, d.ID, v.EditorID, v.At.UTC()); err != nil {
		return mapError("acknowledge the editor's flags", err)
	}
	tell := append([]string{}, stored.ToTell()...) // never nil: ANY(NULL) would match nobody
	if _, err := tx.ExecContext(ctx, `UPDATE decision_flags SET withdrawn_at = $3
		WHERE decision_id = $1 AND NOT (user_id = ANY($2)) AND acknowledged_at IS NULL AND withdrawn_at IS NULL`,
		d.ID, pq.Array(tell), v.At.UTC()); err != nil {
		return mapError("withdraw flags", err)
	}
	for _, user := range tell {
		var row flagRow
		err := tx.GetContext(ctx, &row, `INSERT INTO decision_flags (decision_id, team_id, user_id, flagged_by, version, reason, flagged_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+flagColumns,
			d.ID, d.TeamID, user, v.EditorID, stored.Version, reason, v.At.UTC())
		if err != nil {
			return mapError("flag decision", err)
		}
		out.Flags = append(out.Flags, row.flag())
	}
	return nil
}

func lockDecision(ctx context.Context, tx *sqlx.Tx, teamID string, number int64) (baton.Decision, error) {
	var row decisionRow
	err := tx.GetContext(ctx, &row, `SELECT `+decisionColumns+` FROM decisions WHERE team_id = $1 AND number = $2 FOR UPDATE`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Decision{}, decisionNotFound(number)
	}
	if err != nil {
		return baton.Decision{}, mapError("lock decision", err)
	}
	return row.decision(), nil
}

// updateDecision writes a decision's current version over the one it was based on; a row that moved
// on meanwhile is a conflict.
func updateDecision(ctx context.Context, tx *sqlx.Tx, d baton.Decision, base int) error {
	res, err := tx.ExecContext(ctx, `UPDATE decisions SET title = $3, context = $4, decision = $5, alternatives = $6,
		status = $7, task_number = $8, kr_number = $9, request_number = $10, supersedes_number = $11,
		superseded_by_number = $12, flagged = $13, version = $14, updated_by = $15, updated_at = $16
		WHERE id = $1 AND version = $2`,
		d.ID, base, d.Title, d.Context, d.Decision, d.Alternatives, d.Status, d.TaskNumber, d.KRNumber, d.RequestNumber,
		d.SupersedesNumber, d.SupersededByNumber, pq.Array(nonNil(d.Flagged)), d.Version, d.UpdatedBy, d.UpdatedAt.UTC())
	if err != nil {
		return mapError("update decision", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return baton.Errorf(baton.EConflict, conflictMessage)
	}
	return nil
}

func insertVersion(ctx context.Context, tx *sqlx.Tx, v baton.DecisionVersion) (baton.DecisionVersion, error) {
	var row versionRow
	err := tx.GetContext(ctx, &row, `INSERT INTO decision_versions (decision_id, team_id, version, editor_id, at, title,
		context, decision, alternatives, status, task_number, kr_number, request_number, supersedes_number, flagged, changed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING `+versionColumns,
		v.DecisionID, v.TeamID, v.Version, v.EditorID, v.At.UTC(), v.Title, v.Context, v.Decision, v.Alternatives, v.Status,
		v.TaskNumber, v.KRNumber, v.RequestNumber, v.SupersedesNumber, pq.Array(nonNil(v.Flagged)), pq.Array(nonNil(v.Changed)))
	if err != nil {
		return baton.DecisionVersion{}, mapError("record decision version", err)
	}
	return row.version(), nil
}

func (r versionRow) version() baton.DecisionVersion {
	v := r.DecisionVersion
	v.Flagged, v.Changed = []string(r.Flagged), []string(r.Changed)
	v.At = v.At.UTC()
	return v
}

// Decision returns decision D-number of a workspace.
func (db *DB) Decision(ctx context.Context, teamID string, number int64) (baton.Decision, error) {
	var row decisionRow
	err := db.GetContext(ctx, &row, `SELECT `+decisionColumns+` FROM decisions WHERE team_id = $1 AND number = $2`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Decision{}, decisionNotFound(number)
	}
	if err != nil {
		return baton.Decision{}, mapError("read decision", err)
	}
	return row.decision(), nil
}

// DecisionVersions returns every version of a decision, oldest first.
func (db *DB) DecisionVersions(ctx context.Context, decisionID int64) ([]baton.DecisionVersion, error) {
	var rows []versionRow
	if err := db.SelectContext(ctx, &rows, `SELECT `+versionColumns+` FROM decision_versions WHERE decision_id = $1 ORDER BY version`,
		decisionID); err != nil {
		return nil, mapError("read decision versions", err)
	}
	out := make([]baton.DecisionVersion, len(rows))
	for i, r := range rows {
		out[i] = r.version()
	}
	return out, nil
}

// SetDecisionCard records where a decision's card was posted, and its permalink.
func (db *DB) SetDecisionCard(ctx context.Context, decisionID int64, channelID, ts, link string) error {
	if _, err := db.ExecContext(ctx, `UPDATE decisions SET channel_id = $2, card_ts = $3, card_link = $4 WHERE id = $1`,
		decisionID, channelID, ts, link); err != nil {
		return mapError("record decision card", err)
	}
	return nil
}

// DecisionFlags returns the latest flag of each person a decision was flagged for, in the order they
// were first flagged.
func (db *DB) DecisionFlags(ctx context.Context, decisionID int64) ([]baton.DecisionFlag, error) {
	var rows []flagRow
	if err := db.SelectContext(ctx, &rows, `SELECT `+flagColumns+` FROM (
			SELECT DISTINCT ON (user_id) *, min(id) OVER (PARTITION BY user_id) AS first_id
			FROM decision_flags WHERE decision_id = $1 AND withdrawn_at IS NULL ORDER BY user_id, version DESC) latest
		ORDER BY first_id`, decisionID); err != nil {
		return nil, mapError("read decision flags", err)
	}
	out := make([]baton.DecisionFlag, len(rows))
	for i, r := range rows {
		out[i] = r.flag()
	}
	return out, nil
}

// DecisionFlag returns one flag by its ID.
func (db *DB) DecisionFlag(ctx context.Context, id int64) (baton.DecisionFlag, error) {
	var row flagRow
	err := db.GetContext(ctx, &row, `SELECT `+flagColumns+` FROM decision_flags WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.DecisionFlag{}, baton.Errorf(baton.ENotFound, "That flag no longer exists.")
	}
	if err != nil {
		return baton.DecisionFlag{}, mapError("read decision flag", err)
	}
	return row.flag(), nil
}

// AcknowledgeDecision records that a person has read decision D-number up to version: every flag of
// theirs on it up to that version is acknowledged. It returns the IDs of the flags that were still
// open, and refuses someone the decision was never flagged for.
func (db *DB) AcknowledgeDecision(ctx context.Context, teamID string, number int64, userID string, version int, at time.Time) (baton.Decision, []int64, error) {
	d, err := db.Decision(ctx, teamID, number)
	if err != nil {
		return d, nil, err
	}
	var opened []int64
	var flags int
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &flags, `SELECT count(*) FROM decision_flags WHERE decision_id = $1 AND user_id = $2`, d.ID, userID); err != nil {
			return mapError("read flags", err)
		}
		return mapError("acknowledge decision", tx.SelectContext(ctx, &opened, `UPDATE decision_flags SET acknowledged_at = $4
			WHERE decision_id = $1 AND user_id = $2 AND version <= $3 AND acknowledged_at IS NULL AND withdrawn_at IS NULL RETURNING id`,
			d.ID, userID, version, at.UTC()))
	})
	if err != nil {
		return d, nil, err
	}
	if flags == 0 {
		return d, nil, baton.Errorf(baton.EForbidden, "%s was not flagged for you, so there is nothing to acknowledge.", d.Ref())
	}
	return d, opened, nil
}

// MarkFlagReminded records the one reminder of a flag. It reports false when the flag was already
// reminded or acknowledged, so a reminder job that runs twice reminds once.
func (db *DB) MarkFlagReminded(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := db.ExecContext(ctx, `UPDATE decision_flags SET reminded_at = $2
		WHERE id = $1 AND reminded_at IS NULL AND acknowledged_at IS NULL AND withdrawn_at IS NULL`, id, at.UTC())
	if err != nil {
		return false, mapError("record flag reminder", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ListDecisions returns the decisions a query selects: by linked task or key result, by a person who
// wrote them or was flagged, or by words (best matches first). Others come newest first.
func (db *DB) ListDecisions(ctx context.Context, q baton.DecisionQuery) ([]baton.Decision, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	var rows []decisionRow
	err := db.SelectContext(ctx, &rows, `SELECT `+decisionColumns+` FROM decisions d
		WHERE team_id = $1
		  AND ($2 = 0 OR task_number = $2)
		  AND ($3 = 0 OR kr_number = $3)
		  AND ($4 = '' OR author_id = $4 OR $4 = ANY(flagged)
		       OR EXISTS (SELECT 1 FROM decision_flags f WHERE f.decision_id = d.id AND f.user_id = $4))
		  AND ($5 = '' OR search @@ websearch_to_tsquery('english', $5))
		ORDER BY CASE WHEN $5 = '' THEN 0 ELSE ts_rank(search, websearch_to_tsquery('english', $5)) END DESC, number DESC
		LIMIT $6`, q.TeamID, q.TaskNumber, q.KRNumber, q.UserID, q.Words, limit)
	if err != nil {
		return nil, mapError("list decisions", err)
	}
	out := make([]baton.Decision, len(rows))
	for i, r := range rows {
		out[i] = r.decision()
	}
	return out, nil
}

// PendingFlags lists the decisions flagged for a person that they have not acknowledged, the longest
// waiting first, at most limit, and how many there are.
func (db *DB) PendingFlags(ctx context.Context, teamID, userID string, limit int) ([]baton.PendingFlag, int, error) {
	var rows []struct {
		flagRow
		Number    int64  `db:"number"`
		Title     string `db:"title"`
		ChannelID string `db:"channel_id"`
		CardTS    string `db:"card_ts"`
		CardLink  string `db:"card_link"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT * FROM (
			SELECT DISTINCT ON (f.decision_id) f.id, f.decision_id, f.user_id, f.flagged_by, f.version, f.reason,
				f.flagged_at, f.acknowledged_at, f.reminded_at, d.number, d.title, d.channel_id, d.card_ts, d.card_link
			FROM decision_flags f JOIN decisions d ON d.id = f.decision_id
			WHERE f.team_id = $1 AND f.user_id = $2 AND f.acknowledged_at IS NULL AND f.withdrawn_at IS NULL
			ORDER BY f.decision_id, f.version DESC) pending
		ORDER BY flagged_at, number LIMIT $3`, teamID, userID, limit); err != nil {
		return nil, 0, mapError("read decisions to acknowledge", err)
	}
	total := len(rows)
	if total == limit {
		if err := db.GetContext(ctx, &total, `SELECT count(DISTINCT decision_id) FROM decision_flags
			WHERE team_id = $1 AND user_id = $2 AND acknowledged_at IS NULL AND withdrawn_at IS NULL`, teamID, userID); err != nil {
			return nil, 0, mapError("count decisions to acknowledge", err)
		}
	}
	out := make([]baton.PendingFlag, len(rows))
	for i, r := range rows {
		out[i] = baton.PendingFlag{Flag: r.flag(), Number: r.Number, Title: r.Title, ChannelID: r.ChannelID, CardTS: r.CardTS, CardLink: r.CardLink}
	}
	return out, total, nil
}
