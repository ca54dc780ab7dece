package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	baton "github.com/batonhq/baton"
)

const grantColumns = `id, team_id, number, user_id, request_type, condition, until, until_at, reason,
	granted_by, granted_at, revoked_by, revoked_at`

type grantRow struct {
	ID          int64          `db:"id"`
	TeamID      string         `db:"team_id"`
	Number      int64          `db:"number"`
	UserID      string         `db:"user_id"`
	RequestType string         `db:"request_type"`
	Condition   string         `db:"condition"`
	UntilDate   sql.NullString `db:"until"`
	UntilAt     sql.NullTime   `db:"until_at"`
	Reason      string         `db:"reason"`
	GrantedBy   string         `db:"granted_by"`
	GrantedAt   time.Time      `db:"granted_at"`
	RevokedBy   string         `db:"revoked_by"`
	RevokedAt   sql.NullTime   `db:"revoked_at"`
}

func (row grantRow) grant() baton.Grant {
	g := baton.Grant{
		ID: row.ID, TeamID: row.TeamID, Number: row.Number, UserID: row.UserID, RequestType: row.RequestType,
		Condition: row.Condition, Reason: row.Reason, GrantedBy: row.GrantedBy, GrantedAt: row.GrantedAt.UTC(),
		RevokedBy: row.RevokedBy,
	}
	if row.UntilDate.Valid && len(row.UntilDate.String) >= len(time.DateOnly) {
		g.UntilDate = row.UntilDate.String[:len(time.DateOnly)]
	}
	if row.UntilAt.Valid {
		g.Until = row.UntilAt.Time.UTC()
	}
	if row.RevokedAt.Valid {
		g.RevokedAt = row.RevokedAt.Time.UTC()
	}
	return g
}

func grantNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no grant %s in this workspace. See the grants with `/baton authority list`.", baton.GrantRef(number))
}

// CreateGrant stores a grant with its granted event, and gives it the workspace's next G- number.
// UntilDate and Until are both set or both empty; Until is kept to the microsecond, rounded down, as
// Postgres keeps it.
func (db *DB) CreateGrant(ctx context.Context, g baton.Grant) (baton.Grant, error) {
	if (g.UntilDate == "") != g.Until.IsZero() {
		return baton.Grant{}, errors.New("store: create grant: until day and moment must be given together")
	}
	var until, untilAt any
	if g.UntilDate != "" {
		until, untilAt = g.UntilDate, g.Until.Truncate(time.Microsecond)
	}
	var created baton.Grant
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, g.TeamID, "grant")
		if err != nil {
			return err
		}
		var row grantRow
		err = tx.GetContext(ctx, &row, `INSERT INTO authority_grants (team_id, number, user_id, request_type, condition,
			until, until_at, reason, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING `+grantColumns,
			g.TeamID, number, g.UserID, g.RequestType, g.Condition, until, untilAt, g.Reason, g.GrantedBy, g.GrantedAt)
		if err != nil {
			return mapError("create grant", err)
		}
		created = row.grant()
		return insertGrantEvent(ctx, tx, baton.GrantEvent{GrantID: created.ID, Kind: baton.GrantGranted, Actor: g.GrantedBy, At: g.GrantedAt})
	})
	if err != nil {
		return baton.Grant{}, err
	}
	return created, nil
}

func insertGrantEvent(ctx context.Context, tx *sqlx.Tx, e baton.GrantEvent) error {
	var request any
	if e.RequestNumber > 0 {
		request = e.RequestNumber
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO authority_events (grant_id, kind, actor, request_number, at)
		VALUES ($1, $2, $3, $4, $5)`, e.GrantID, e.Kind, e.Actor, request, e.At)
	return mapError("record grant event", err)
}

// Grant returns grant G-number of a workspace.
func (db *DB) Grant(ctx context.Context, teamID string, number int64) (baton.Grant, error) {
	var row grantRow
	err := db.GetContext(ctx, &row, `SELECT `+grantColumns+` FROM authority_grants WHERE team_id = $1 AND number = $2`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Grant{}, grantNotFound(number)
	}
	if err != nil {
		return baton.Grant{}, mapError("read grant", err)
	}
	return row.grant(), nil
}

// ActiveGrants returns a person's grants that hold at now (not revoked, not run out), oldest first.
func (db *DB) ActiveGrants(ctx context.Context, teamID, userID string, now time.Time) ([]baton.Grant, error) {
	return db.listGrants(ctx, `SELECT `+grantColumns+` FROM authority_grants
		WHERE team_id = $1 AND user_id = $2 AND revoked_at IS NULL AND (until_at IS NULL OR until_at >= $3)
		ORDER BY number`, teamID, userID, now)
}

// Grants returns every grant of a workspace, revoked and run out ones included, oldest first.
func (db *DB) Grants(ctx context.Context, teamID string) ([]baton.Grant, error) {
	return db.listGrants(ctx, `SELECT `+grantColumns+` FROM authority_grants WHERE team_id = $1 ORDER BY number`, teamID)
}

func (db *DB) listGrants(ctx context.Context, query string, args ...any) ([]baton.Grant, error) {
	var rows []grantRow
	if err := db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, mapError("list grants", err)
	}
	out := make([]baton.Grant, len(rows))
	for i, row := range rows {
		out[i] = row.grant()
	}
	return out, nil
}

// RevokeGrant applies revoke (baton.Grant.Revoke) to G-number under its row lock, and records the
// revocation in the grant's trail.
func (db *DB) RevokeGrant(ctx context.Context, teamID string, number int64, revoke func(g *baton.Grant) error) (baton.Grant, error) {
	var out baton.Grant
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var row grantRow
		err := tx.GetContext(ctx, &row, `SELECT `+grantColumns+` FROM authority_grants WHERE team_id = $1 AND number = $2 FOR UPDATE`, teamID, number)
		if errors.Is(err, sql.ErrNoRows) {
			return grantNotFound(number)
		}
		if err != nil {
			return mapError("read grant", err)
		}
		g := row.grant()
		if err := revoke(&g); err != nil {
			return err
		}
		if !g.Revoked() {
			return fmt.Errorf("store: revoke %s: the change did not revoke it", g.Ref())
		}
		if _, err := tx.ExecContext(ctx, `UPDATE authority_grants SET revoked_by = $2, revoked_at = $3 WHERE id = $1`, g.ID, g.RevokedBy, g.RevokedAt); err != nil {
			return mapError("revoke grant", err)
		}
		out = g
		return insertGrantEvent(ctx, tx, baton.GrantEvent{GrantID: g.ID, Kind: baton.GrantRevoked, Actor: g.RevokedBy, At: g.RevokedAt})
	})
	if err != nil {
		return baton.Grant{}, err
	}
	return out, nil
}

// RecordGrantUse records that a grant approved request R-requestNumber for actor.
func (db *DB) RecordGrantUse(ctx context.Context, grantID int64, actor string, requestNumber int64, at time.Time) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		return insertGrantEvent(ctx, tx, baton.GrantEvent{GrantID: grantID, Kind: baton.GrantUsed, Actor: actor, RequestNumber: requestNumber, At: at})
	})
}

// RecordGrantExpiries records, once each, the workspace's grants that ran out by now without being
// revoked first. The event is dated when the grant ran out. It returns how many it recorded.
func (db *DB) RecordGrantExpiries(ctx context.Context, teamID string, now time.Time) (int, error) {
	res, err := db.ExecContext(ctx, `INSERT INTO authority_events (grant_id, kind, at)
		SELECT id, 'expired', until_at FROM authority_grants
		WHERE team_id = $1 AND until_at < $2 AND (revoked_at IS NULL OR revoked_at > until_at)
		ON CONFLICT (grant_id) WHERE kind = 'expired' DO NOTHING`, teamID, now)
	if err != nil {
		return 0, mapError("record grant expiries", err)
	}
	n, err := res.RowsAffected()
	return int(n), mapError("record grant expiries", err)
}

// GrantEvents returns a grant's audit trail, oldest first.
func (db *DB) GrantEvents(ctx context.Context, grantID int64) ([]baton.GrantEvent, error) {
	var out []baton.GrantEvent
	err := db.SelectContext(ctx, &out, `SELECT id, grant_id, kind, actor, coalesce(request_number, 0) AS request_number, at
		FROM authority_events WHERE grant_id = $1 ORDER BY id`, grantID)
	if err != nil {
		return nil, mapError("read grant events", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}
