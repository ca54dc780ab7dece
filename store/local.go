package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LocalWorkspace is the saved conversations of the local workspace of a team (see
// bot/slackdouble's Snapshot), and whether its demo company was set up.
type LocalWorkspace struct {
	State  []byte
	Seeded bool
	// ClockAhead is how far the workspace's clock was moved ahead of the real one.
	ClockAhead time.Duration
}

// LocalWorkspace reads what the local workspace of teamID saved; nothing yet is the zero value.
func (db *DB) LocalWorkspace(ctx context.Context, teamID string) (LocalWorkspace, error) {
	var row struct {
		State    []byte       `db:"state"`
		SeededAt sql.NullTime `db:"seeded_at"`
		AheadUS  int64        `db:"clock_ahead_us"`
	}
	err := db.GetContext(ctx, &row, `SELECT state, seeded_at, clock_ahead_us FROM local_workspaces WHERE team_id = $1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return LocalWorkspace{}, nil
	}
	if err != nil {
		return LocalWorkspace{}, mapError("read the local workspace", err)
	}
	return LocalWorkspace{State: row.State, Seeded: row.SeededAt.Valid, ClockAhead: time.Duration(row.AheadUS) * time.Microsecond}, nil
}

// SaveLocalWorkspace keeps the local workspace's conversations.
func (db *DB) SaveLocalWorkspace(ctx context.Context, teamID string, state []byte) error {
	_, err := db.ExecContext(ctx, `INSERT INTO local_workspaces (team_id, state) VALUES ($1, $2)
		ON CONFLICT (team_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`, teamID, state)
	return mapError("save the local workspace", err)
}

// MarkLocalSeeded records that the local workspace's demo company was set up, at now.
func (db *DB) MarkLocalSeeded(ctx context.Context, teamID string, now time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO local_workspaces (team_id, seeded_at) VALUES ($1, $2)
		ON CONFLICT (team_id) DO UPDATE SET seeded_at = EXCLUDED.seeded_at, updated_at = now()`, teamID, now.UTC())
	return mapError("mark the local workspace seeded", err)
}

// SaveLocalClock keeps how far the local workspace's clock is ahead of the real one.
func (db *DB) SaveLocalClock(ctx context.Context, teamID string, ahead time.Duration) error {
	_, err := db.ExecContext(ctx, `INSERT INTO local_workspaces (team_id, clock_ahead_us) VALUES ($1, $2)
		ON CONFLICT (team_id) DO UPDATE SET clock_ahead_us = EXCLUDED.clock_ahead_us, updated_at = now()`, teamID, ahead.Microseconds())
	return mapError("save the local workspace's clock", err)
}

// localLockKey is the advisory lock a running local workspace holds (pg_advisory_lock's two keys:
// this one, and the hash of the schema and team: an advisory lock spans the database, and each
// schema is a workspace of its own).
const localLockKey = 0x6c6f63 // "loc"

// LockLocal takes the lock of teamID's local workspace for as long as the returned release is not
// called: one process at a time runs it, and it is not reset under that process's feet. ok is false
// when another process holds it.
func (db *DB) LockLocal(ctx context.Context, teamID string) (release func(), ok bool, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, false, mapError("lock the local workspace", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, hashtext(current_schema() || '/' || $2))`, localLockKey, teamID).Scan(&ok); err != nil || !ok {
		_ = conn.Close()
		return nil, false, mapError("lock the local workspace", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, hashtext(current_schema() || '/' || $2))`, localLockKey, teamID)
		_ = conn.Close()
	}, true, nil
}

// OtherTeams reports whether any table holds records of a team other than teamID: a database
// another workspace uses.
func (db *DB) OtherTeams(ctx context.Context, teamID string) (bool, error) {
	tables, err := teamTables(ctx, db.DB)
	if err != nil {
		return false, mapError("look for other workspaces", err)
	}
	for _, t := range tables {
		var found bool
		if err := db.GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM `+pq.QuoteIdentifier(t)+` WHERE team_id <> $1)`, teamID); err != nil {
			return false, mapError("look for other workspaces", err)
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// teamTables names the tables that have a team_id.
func teamTables(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	var tables []string
	err := sqlx.SelectContext(ctx, q, &tables, `SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND c.column_name = 'team_id' AND t.table_type = 'BASE TABLE'
		ORDER BY 1`)
	return tables, err
}

// resetPasses bounds the rounds of ResetTeam: each round deletes the tables nothing left refers to.
const resetPasses = 8

// ResetTeam deletes everything recorded for teamID, in every table that has a team_id, in one
// transaction: all of it goes, or nothing does. It returns how many rows went.
func (db *DB) ResetTeam(ctx context.Context, teamID string) (int64, error) {
	var total int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		// History tables refuse deletes, except of this team's rows in this transaction.
		if _, err := tx.ExecContext(ctx, `SELECT set_config('baton.reset_team', $1, true)`, teamID); err != nil {
			return err
		}
		tables, err := teamTables(ctx, tx)
		if err != nil {
			return err
		}
		// Rows refer to each other across tables; a table whose rows are still referred to waits
		// for a later round, after the tables that refer to it are emptied.
		for pass := 0; len(tables) > 0; pass++ {
			if pass == resetPasses {
				return fmt.Errorf("rows of %v are still referred to", tables)
			}
			var left []string
			for _, t := range tables {
				if _, err := tx.ExecContext(ctx, `SAVEPOINT reset_table`); err != nil {
					return err
				}
				res, err := tx.ExecContext(ctx, `DELETE FROM `+pq.QuoteIdentifier(t)+` WHERE team_id = $1`, teamID)
				var pqErr *pq.Error
				if errors.As(err, &pqErr) && pqErr.Code == "23503" { // foreign_key_violation
					if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT reset_table`); err != nil {
						return err
					}
					left = append(left, t)
					continue
				}
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				total += n
			}
			tables = left
		}
		return nil
	})
	if err != nil {
		return 0, mapError("reset the team", err)
	}
	db.settings.forgetTeam(teamID)
	return total, nil
}
