package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// SuggestionSetting is whether a workspace's managers are suggested authority (on unless turned off)
// and after how many requests in a row approved as filed.
func (db *DB) SuggestionSetting(ctx context.Context, teamID string) (on bool, after int, err error) {
	var row struct {
		Off   bool `db:"suggestions_off"`
		After int  `db:"suggest_after"`
	}
	err = db.GetContext(ctx, &row, `SELECT suggestions_off, suggest_after FROM team_settings WHERE team_id = $1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return true, baton.DefaultSuggestAfter, nil
	}
	if err != nil {
		return false, 0, mapError("read suggestion setting", err)
	}
	return !row.Off, row.After, nil
}

// SetSuggestionSetting records whether a workspace's managers are suggested authority and after how
// many requests.
func (db *DB) SetSuggestionSetting(ctx context.Context, teamID string, on bool, after int, by string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO team_settings (team_id, suggestions_off, suggest_after, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (team_id) DO UPDATE SET suggestions_off = EXCLUDED.suggestions_off, suggest_after = EXCLUDED.suggest_after,
		updated_by = EXCLUDED.updated_by, updated_at = now()`, teamID, !on, after, by)
	return mapError("set suggestion setting", err)
}

// CreateSuggestion keeps a suggestion unless one for the same person and request type was made in
// the SuggestEvery before it; it reports whether it kept it, with its ID set.
func (db *DB) CreateSuggestion(ctx context.Context, s baton.Suggestion) (baton.Suggestion, bool, error) {
	refs := make([]string, len(s.Evidence))
	for i, it := range s.Evidence {
		refs[i] = it.Ref
	}
	created := false
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		// Two processes deciding the same person's requests at once make one suggestion between them.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, s.TeamID+"/"+s.UserID+"/"+s.RequestType); err != nil {
			return mapError("create suggestion", err)
		}
		err := tx.GetContext(ctx, &s.ID, `INSERT INTO authority_suggestions (team_id, user_id, manager_id, request_type, field, max_value, evidence, created_at)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8
			WHERE NOT EXISTS (SELECT 1 FROM authority_suggestions WHERE team_id = $1 AND user_id = $2 AND request_type = $4 AND created_at > $9)
			RETURNING id`, s.TeamID, s.UserID, s.ManagerID, s.RequestType, s.Field, s.Max, pq.Array(refs), s.CreatedAt, s.CreatedAt.Add(-baton.SuggestEvery))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		created = err == nil
		return mapError("create suggestion", err)
	})
	return s, created, err
}

type suggestionRow struct {
	ID          int64          `db:"id"`
	TeamID      string         `db:"team_id"`
	UserID      string         `db:"user_id"`
	ManagerID   string         `db:"manager_id"`
	RequestType string         `db:"request_type"`
	Field       string         `db:"field"`
	Max         string         `db:"max_value"`
	Evidence    pq.StringArray `db:"evidence"`
	CreatedAt   time.Time      `db:"created_at"`
}

func (row suggestionRow) suggestion() baton.Suggestion {
	s := baton.Suggestion{ID: row.ID, TeamID: row.TeamID, UserID: row.UserID, ManagerID: row.ManagerID, RequestType: row.RequestType,
		Field: row.Field, CreatedAt: row.CreatedAt.UTC()}
	s.Max, _ = strconv.ParseFloat(row.Max, 64)
	for _, ref := range row.Evidence {
		s.Evidence = append(s.Evidence, baton.RecordItem{Ref: ref})
	}
	return s
}

const suggestionColumns = `id, team_id, user_id, manager_id, request_type, field, max_value, evidence, created_at`

// Suggestion returns suggestion id of a workspace.
func (db *DB) Suggestion(ctx context.Context, teamID string, id int64) (baton.Suggestion, error) {
	var row suggestionRow
	err := db.GetContext(ctx, &row, `SELECT `+suggestionColumns+` FROM authority_suggestions WHERE team_id = $1 AND id = $2`, teamID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Suggestion{}, baton.Errorf(baton.ENotFound, "That suggestion is no longer kept. Try `/baton authority simulate @name type field<=value` instead.")
	}
	if err != nil {
		return baton.Suggestion{}, mapError("read suggestion", err)
	}
	return row.suggestion(), nil
}

// UnsentSuggestions returns the suggestions waiting for a manager's digest, oldest first.
func (db *DB) UnsentSuggestions(ctx context.Context, teamID, managerID string) ([]baton.Suggestion, error) {
	var rows []suggestionRow
	if err := db.SelectContext(ctx, &rows, `SELECT `+suggestionColumns+` FROM authority_suggestions
		WHERE team_id = $1 AND manager_id = $2 AND sent_at IS NULL ORDER BY id`, teamID, managerID); err != nil {
		return nil, mapError("read suggestions", err)
	}
	out := make([]baton.Suggestion, len(rows))
	for i, r := range rows {
		out[i] = r.suggestion()
	}
	return out, nil
}

// MarkSuggestionsSent records that these suggestions were told.
func (db *DB) MarkSuggestionsSent(ctx context.Context, ids []int64, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE authority_suggestions SET sent_at = $2 WHERE id = ANY($1) AND sent_at IS NULL`, pq.Array(ids), at)
	return mapError("mark suggestions sent", err)
}
