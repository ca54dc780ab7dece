package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

const objectiveColumns = `id, team_id, number, title, owner_id, period, COALESCE(parent_id, 0) AS parent_id, status,
	created_by, created_at, updated_at`

// krColumns reads a key result with the weights of its linked tasks, done and all, for its roll-up.
const krColumns = `k.id, k.team_id, k.number, k.objective_id, k.title, k.owner_id, k.kind, k.weight,
	k.start_value, k.target_value, k.current_value, k.unit, k.created_by, k.created_at, k.updated_at, k.checked_at,
	COALESCE((SELECT sum(t.kr_weight) FROM tasks t WHERE t.kr_id = k.id AND t.status = 'done'), 0) AS roll_done,
	COALESCE((SELECT sum(t.kr_weight) FROM tasks t WHERE t.kr_id = k.id), 0) AS roll_total,
	(SELECT count(*) FROM kr_checkins c WHERE c.kr_id = k.id) AS checkins`

const krCheckinColumns = `id, kr_id, team_id, value, comment, actor_id, at`

// maxObjectiveDepth bounds how far up an alignment chain is read: far beyond any real company.
const maxObjectiveDepth = 20

func objectiveNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no objective %s in this workspace. See the objectives with `/okr`.", baton.ObjectiveRef(number))
}

func krNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no key result %s in this workspace. See the key results with `/okr`.", baton.KRRef(number))
}

func utcObjective(o *baton.Objective) {
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
}

func utcKR(k *baton.KeyResult) {
	k.CreatedAt, k.UpdatedAt, k.CheckedAt = k.CreatedAt.UTC(), k.UpdatedAt.UTC(), k.CheckedAt.UTC()
}

// CreateObjective stores a new objective with the workspace's next number. Its parent, when it has one,
// must be an objective of the same workspace.
func (db *DB) CreateObjective(ctx context.Context, o baton.Objective) (baton.Objective, error) {
	var created baton.Objective
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, o.TeamID, "objective")
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &created, `INSERT INTO objectives (team_id, number, title, owner_id, period, parent_id, status,
			created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7, $8, $9, $10)
			RETURNING `+objectiveColumns,
			o.TeamID, number, o.Title, o.OwnerID, o.Period, o.ParentID, o.Status, o.CreatedBy, o.CreatedAt, o.UpdatedAt)
		return mapError("create objective", err)
	})
	if err != nil {
		return baton.Objective{}, err
	}
	utcObjective(&created)
	return created, nil
}

// Objective returns objective O-number of a workspace.
func (db *DB) Objective(ctx context.Context, teamID string, number int64) (baton.Objective, error) {
	var o baton.Objective
	err := db.GetContext(ctx, &o, `SELECT `+objectiveColumns+` FROM objectives WHERE team_id = $1 AND number = $2`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return o, objectiveNotFound(number)
	}
	if err != nil {
		return o, mapError("read objective", err)
	}
	utcObjective(&o)
	return o, nil
}

// SetObjectiveParent makes O-parent the parent of O-number (parent 0: none). The workspace's objectives
// are locked while the chain is checked, so two changes at once cannot close a loop between them.
func (db *DB) SetObjectiveParent(ctx context.Context, teamID string, number, parent int64, at time.Time) (baton.Objective, error) {
	var updated baton.Objective
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			ID       int64 `db:"id"`
			Number   int64 `db:"number"`
			ParentID int64 `db:"parent_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT id, number, COALESCE(parent_id, 0) AS parent_id FROM objectives
			WHERE team_id = $1 ORDER BY id FOR UPDATE`, teamID); err != nil {
			return mapError("lock objectives", err)
		}
		parentOf := make(map[int64]int64, len(rows))
		idOf := make(map[int64]int64, len(rows))
		for _, r := range rows {
			parentOf[r.ID] = r.ParentID
			idOf[r.Number] = r.ID
		}
		childID, ok := idOf[number]
		if !ok {
			return objectiveNotFound(number)
		}
		parentID := int64(0)
		if parent != 0 {
			if parentID, ok = idOf[parent]; !ok {
				return objectiveNotFound(parent)
			}
		}
		if err := baton.CheckParent(childID, parentID, parentOf, baton.ObjectiveRef(number), baton.ObjectiveRef(parent)); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &updated, `UPDATE objectives SET parent_id = NULLIF($2, 0), updated_at = $3 WHERE id = $1
			RETURNING `+objectiveColumns, childID, parentID, at)
		return mapError("set parent objective", err)
	})
	if err != nil {
		return baton.Objective{}, err
	}
	utcObjective(&updated)
	return updated, nil
}

// SetObjectiveStatus records where objective O-number stands.
func (db *DB) SetObjectiveStatus(ctx context.Context, teamID string, number int64, status baton.ObjectiveStatus, at time.Time) (baton.Objective, error) {
	var o baton.Objective
	err := db.GetContext(ctx, &o, `UPDATE objectives SET status = $3, updated_at = $4 WHERE team_id = $1 AND number = $2
		RETURNING `+objectiveColumns, teamID, number, status, at)
	if errors.Is(err, sql.ErrNoRows) {
		return o, objectiveNotFound(number)
	}
	if err != nil {
		return o, mapError("set objective status", err)
	}
	utcObjective(&o)
	return o, nil
}

// ObjectivesInPeriods returns a workspace's objectives of any of the periods, in number order, at most limit.
func (db *DB) ObjectivesInPeriods(ctx context.Context, teamID string, periods []string, limit int) ([]baton.Objective, error) {
	var out []baton.Objective
	err := db.SelectContext(ctx, &out, `SELECT `+objectiveColumns+` FROM objectives
		WHERE team_id = $1 AND period = ANY($2) ORDER BY number LIMIT $3`, teamID, pq.Array(periods), limit)
	if err != nil {
		return nil, mapError("list objectives of a period", err)
	}
	for i := range out {
		utcObjective(&out[i])
	}
	return out, nil
}

// ObjectivesByOwner returns the objectives a person owns, newest first, at most limit.
func (db *DB) ObjectivesByOwner(ctx context.Context, teamID, ownerID string, limit int) ([]baton.Objective, error) {
	var out []baton.Objective
	err := db.SelectContext(ctx, &out, `SELECT `+objectiveColumns+` FROM objectives
		WHERE team_id = $1 AND owner_id = $2 ORDER BY number DESC LIMIT $3`, teamID, ownerID, limit)
	if err != nil {
		return nil, mapError("list objectives of an owner", err)
	}
	for i := range out {
		utcObjective(&out[i])
	}
	return out, nil
}

// ObjectiveChain returns the objective with this ID and every objective above it, nearest first.
func (db *DB) ObjectiveChain(ctx context.Context, id int64) ([]baton.Objective, error) {
	var out []baton.Objective
	err := db.SelectContext(ctx, &out, `WITH RECURSIVE up AS (
			SELECT o.*, 1 AS depth FROM objectives o WHERE o.id = $1
			UNION ALL
			SELECT p.*, up.depth + 1 FROM objectives p JOIN up ON p.id = up.parent_id AND p.team_id = up.team_id
			WHERE up.depth < $2
		)
		SELECT `+objectiveColumns+` FROM up ORDER BY depth`, id, maxObjectiveDepth)
	if err != nil {
		return nil, mapError("read objective chain", err)
	}
	for i := range out {
		utcObjective(&out[i])
	}
	return out, nil
}

// CreateKeyResult stores a new key result of an objective with the workspace's next number.
func (db *DB) CreateKeyResult(ctx context.Context, k baton.KeyResult) (baton.KeyResult, error) {
	var created baton.KeyResult
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, k.TeamID, "kr")
		if err != nil {
			return err
		}
		var id int64
		err = tx.GetContext(ctx, &id, `INSERT INTO key_results (team_id, number, objective_id, title, owner_id, kind, weight,
			start_value, target_value, current_value, unit, created_by, created_at, updated_at, checked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			k.TeamID, number, k.ObjectiveID, k.Title, k.OwnerID, k.Kind, k.Weight,
			k.Start, k.Target, k.Current, k.Unit, k.CreatedBy, k.CreatedAt, k.UpdatedAt, k.CheckedAt)
		if err != nil {
			return mapError("create key result", err)
		}
		return mapError("read new key result", tx.GetContext(ctx, &created, `SELECT `+krColumns+` FROM key_results k WHERE k.id = $1`, id))
	})
	if err != nil {
		return baton.KeyResult{}, err
	}
	utcKR(&created)
	return created, nil
}

// KeyResult returns key result KR-number of a workspace, with its roll-up.
func (db *DB) KeyResult(ctx context.Context, teamID string, number int64) (baton.KeyResult, error) {
	var k baton.KeyResult
	err := db.GetContext(ctx, &k, `SELECT `+krColumns+` FROM key_results k WHERE k.team_id = $1 AND k.number = $2`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return k, krNotFound(number)
	}
	if err != nil {
		return k, mapError("read key result", err)
	}
	utcKR(&k)
	return k, nil
}

// lockKR reads key result KR-number of a workspace and locks its row until the transaction ends.
func lockKR(ctx context.Context, tx *sqlx.Tx, teamID string, number int64) (baton.KeyResult, error) {
	var k baton.KeyResult
	err := tx.GetContext(ctx, &k, `SELECT `+krColumns+` FROM key_results k WHERE k.team_id = $1 AND k.number = $2 FOR UPDATE`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return k, krNotFound(number)
	}
	return k, mapError("lock key result", err)
}

// EditKeyResult changes a key result under a row lock: change edits it (or refuses), and what it
// describes (title, owner, weight, start, target, unit) is saved.
func (db *DB) EditKeyResult(ctx context.Context, teamID string, number int64, change func(k *baton.KeyResult) error) (baton.KeyResult, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		k, err := lockKR(ctx, tx, teamID, number)
		if err != nil {
			return err
		}
		if err := change(&k); err != nil {
			return err
		}
		id = k.ID
		_, err = tx.ExecContext(ctx, `UPDATE key_results SET title = $2, owner_id = $3, weight = $4, start_value = $5,
			target_value = $6, unit = $7, updated_at = $8 WHERE id = $1`,
			k.ID, k.Title, k.OwnerID, k.Weight, k.Start, k.Target, k.Unit, k.UpdatedAt)
		return mapError("edit key result", err)
	})
	if err != nil {
		return baton.KeyResult{}, err
	}
	return db.KeyResultByID(ctx, teamID, id)
}

// KeyResultByID returns a key result of a workspace by its row ID, with its roll-up.
func (db *DB) KeyResultByID(ctx context.Context, teamID string, id int64) (baton.KeyResult, error) {
	var k baton.KeyResult
	err := db.GetContext(ctx, &k, `SELECT `+krColumns+` FROM key_results k WHERE k.team_id = $1 AND k.id = $2`, teamID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return k, baton.Errorf(baton.ENotFound, "That key result no longer exists.")
	}
	if err != nil {
		return k, mapError("read key result", err)
	}
	utcKR(&k)
	return k, nil
}

// KeyResultsOf returns the key results of these objectives, in number order.
func (db *DB) KeyResultsOf(ctx context.Context, objectiveIDs []int64) ([]baton.KeyResult, error) {
	var out []baton.KeyResult
	err := db.SelectContext(ctx, &out, `SELECT `+krColumns+` FROM key_results k
		WHERE k.objective_id = ANY($1) ORDER BY k.number`, pq.Array(objectiveIDs))
	if err != nil {
		return nil, mapError("list key results of objectives", err)
	}
	for i := range out {
		utcKR(&out[i])
	}
	return out, nil
}

// KeyResultsByOwner returns the key results a person owns, newest first, at most limit.
func (db *DB) KeyResultsByOwner(ctx context.Context, teamID, ownerID string, limit int) ([]baton.KeyResult, error) {
	var out []baton.KeyResult
	err := db.SelectContext(ctx, &out, `SELECT `+krColumns+` FROM key_results k
		WHERE k.team_id = $1 AND k.owner_id = $2 ORDER BY k.number DESC LIMIT $3`, teamID, ownerID, limit)
	if err != nil {
		return nil, mapError("list key results of an owner", err)
	}
	for i := range out {
		utcKR(&out[i])
	}
	return out, nil
}

// CheckInKeyResult records a key result's new value under a row lock. change is a domain method: it
// sees the key result as stored, moves it and returns the check-in to append; its error aborts the
// update and is returned as is.
func (db *DB) CheckInKeyResult(ctx context.Context, teamID string, number int64,
	change func(k *baton.KeyResult) (baton.KRCheckin, error)) (baton.KeyResult, baton.KRCheckin, error) {
	var (
		updated baton.KeyResult
		stored  baton.KRCheckin
	)
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		k, err := lockKR(ctx, tx, teamID, number)
		if err != nil {
			return err
		}
		c, err := change(&k)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE key_results SET current_value = $2, updated_at = $3, checked_at = $4 WHERE id = $1`,
			k.ID, k.Current, k.UpdatedAt, k.CheckedAt); err != nil {
			return mapError("update key result", err)
		}
		c.KRID, c.TeamID = k.ID, k.TeamID
		if err := tx.GetContext(ctx, &stored, `INSERT INTO kr_checkins (kr_id, team_id, value, comment, actor_id, at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+krCheckinColumns,
			c.KRID, c.TeamID, c.Value, c.Comment, c.Actor, c.At); err != nil {
			return mapError("record key result check-in", err)
		}
		updated = k
		updated.Checkins++
		return nil
	})
	if err != nil {
		return baton.KeyResult{}, baton.KRCheckin{}, err
	}
	utcKR(&updated)
	stored.At = stored.At.UTC()
	return updated, stored, nil
}

// KRCheckins returns a key result's latest check-ins, newest first, at most limit, and how many it has.
func (db *DB) KRCheckins(ctx context.Context, krID int64, limit int) ([]baton.KRCheckin, int, error) {
	var out []baton.KRCheckin
	if err := db.SelectContext(ctx, &out, `SELECT `+krCheckinColumns+` FROM kr_checkins WHERE kr_id = $1 ORDER BY id DESC LIMIT $2`,
		krID, limit); err != nil {
		return nil, 0, mapError("read key result check-ins", err)
	}
	var total int
	if err := db.GetContext(ctx, &total, `SELECT count(*) FROM kr_checkins WHERE kr_id = $1`, krID); err != nil {
		return nil, 0, mapError("count key result check-ins", err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, total, nil
}

// KRTasks returns the tasks linked to a key result, open ones first, at most limit, and how many there are.
func (db *DB) KRTasks(ctx context.Context, krID int64, limit int) ([]baton.Task, int, error) {
	var rows []taskRow
	if err := db.SelectContext(ctx, &rows, `SELECT `+taskColumns+` FROM tasks WHERE kr_id = $1
		ORDER BY status = 'done', number LIMIT $2`, krID, limit); err != nil {
		return nil, 0, mapError("list tasks of a key result", err)
	}
	var total int
	if err := db.GetContext(ctx, &total, `SELECT count(*) FROM tasks WHERE kr_id = $1`, krID); err != nil {
		return nil, 0, mapError("count tasks of a key result", err)
	}
	tasks := make([]baton.Task, len(rows))
	for i, r := range rows {
		tasks[i] = r.task()
	}
	return tasks, total, nil
}

// Alignment is the goal a task of the workspace serves: key result krID and the objectives above it.
func (db *DB) Alignment(ctx context.Context, teamID string, krID int64) (baton.Alignment, error) {
	k, err := db.KeyResultByID(ctx, teamID, krID)
	if err != nil {
		return baton.Alignment{}, err
	}
	chain, err := db.ObjectiveChain(ctx, k.ObjectiveID)
	if err != nil {
		return baton.Alignment{}, err
	}
	return baton.Alignment{KR: k, Objectives: chain}, nil
}

// OKRReminderDays is how many days a key result may go without a check-in before its owner is reminded.
func (db *DB) OKRReminderDays(ctx context.Context, teamID string) (int, error) {
	var days int
	err := db.GetContext(ctx, &days, `SELECT okr_reminder_days FROM team_settings WHERE team_id = $1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.DefaultOKRReminderDays, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read key result reminder days: %w", err)
	}
	return days, nil
}

// SetOKRReminderDays records how many days a key result may go without a check-in.
func (db *DB) SetOKRReminderDays(ctx context.Context, teamID string, days int, by string) error {
	if err := baton.ValidateOKRReminderDays(days); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO team_settings (team_id, okr_reminder_days, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (team_id) DO UPDATE SET okr_reminder_days = EXCLUDED.okr_reminder_days, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		teamID, days, by); err != nil {
		return fmt.Errorf("store: set key result reminder days: %w", err)
	}
	return nil
}
