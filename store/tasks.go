package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// taskColumns reads a task row in the shape of taskRow. The due date is read as text in a fixed
// format so that the session's DateStyle does not matter.
const taskColumns = `id, team_id, number, title, description, owner_id, delegator_id, status, blocked_reason,
	COALESCE(to_char(due_date, 'YYYY-MM-DD'), '') AS due_date, due_time, due_at, due_has_time,
	channel_id, card_ts, card_link, source_channel_id, source_ts, source_link, created_at, updated_at, status_changed_at,
	COALESCE(kr_id, 0) AS kr_id, kr_weight, update_asked_at`

// taskRow is a task as stored: the flat columns of baton.Task plus the columns of its due date.
type taskRow struct {
	baton.Task
	DueDate    string       `db:"due_date"`
	DueTime    string       `db:"due_time"`
	DueAt      sql.NullTime `db:"due_at"`
	DueHasTime bool         `db:"due_has_time"`
	AskedAt    sql.NullTime `db:"update_asked_at"`
}

func (r taskRow) task() baton.Task {
	t := r.Task
	t.CreatedAt = t.CreatedAt.UTC()
	t.UpdatedAt = t.UpdatedAt.UTC()
	t.StatusChangedAt = t.StatusChangedAt.UTC()
	t.UpdateAskedAt = time.Time{}
	if r.AskedAt.Valid {
		t.UpdateAskedAt = r.AskedAt.Time.UTC()
	}
	t.Due = baton.Due{}
	if r.DueDate != "" {
		t.Due = baton.Due{Date: r.DueDate, Time: r.DueTime, HasTime: r.DueHasTime}
		if r.DueAt.Valid {
			t.Due.At = r.DueAt.Time.UTC()
		}
	}
	return t
}

// nullTime is t as a column value: NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// dueArgs are the values of due_date, due_time, due_at and due_has_time for d.
func dueArgs(d baton.Due) (date, clock, at, hasTime any) {
	if !d.Set() {
		return nil, "", nil, false
	}
	if d.At.IsZero() {
		return d.Date, d.Time, nil, d.HasTime
	}
	return d.Date, d.Time, d.At.UTC(), d.HasTime
}

func taskNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no task %s in this workspace. Check the number with /task list.", baton.TaskRef(number))
}

// CreateTask stores a new task with its creation event and gives it the workspace's next number.
// The messages the creation owes (the card, the owner's DM) go into the outbox in the same
// transaction. It returns the task as stored, with ID and Number set.
func (db *DB) CreateTask(ctx context.Context, t baton.Task, ev baton.TaskEvent) (baton.Task, error) {
	var created baton.Task
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, t.TeamID, "task")
		if err != nil {
			return err
		}
		date, clock, at, hasTime := dueArgs(t.Due)
		var row taskRow
		err = tx.GetContext(ctx, &row, `INSERT INTO tasks (team_id, number, title, description, owner_id, delegator_id,
			status, blocked_reason, due_date, due_time, due_at, due_has_time, channel_id, card_ts,
			source_channel_id, source_ts, source_link, created_at, updated_at, status_changed_at, kr_id, kr_weight)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, NULLIF($21, 0), $22)
			RETURNING `+taskColumns,
			t.TeamID, number, t.Title, t.Description, t.OwnerID, t.DelegatorID,
			t.Status, t.BlockedReason, date, clock, at, hasTime, t.ChannelID, t.CardTS,
			t.SourceChannelID, t.SourceTS, t.SourceLink, t.CreatedAt, t.UpdatedAt, t.StatusChangedAt, t.KRID, krWeight(t))
		if err != nil {
			return mapError("create task", err)
		}
		created = row.task()
		ev, err = recordAndAnnounce(ctx, tx, baton.Task{}, created, ev)
		return err
	})
	if err != nil {
		return baton.Task{}, err
	}
	return created, nil
}

// krWeight is how much a new task counts in its key result's roll-up: 1 unless it says otherwise.
func krWeight(t baton.Task) float64 {
	if t.KRWeight > 0 {
		return t.KRWeight
	}
	return 1
}

// nextNumber takes the next short-ID number of a kind in a workspace. The counter row stays locked
// until the transaction ends, so numbers are handed out in order and without gaps.
func nextNumber(ctx context.Context, tx *sqlx.Tx, teamID, kind string) (int64, error) {
	var n int64
	err := tx.GetContext(ctx, &n, `INSERT INTO team_counters (team_id, kind, last) VALUES ($1, $2, 1)
		ON CONFLICT (team_id, kind) DO UPDATE SET last = team_counters.last + 1
		RETURNING last`, teamID, kind)
	if err != nil {
		return 0, mapError("take next "+kind+" number", err)
	}
	return n, nil
}

// Task returns task T-number of a workspace.
func (db *DB) Task(ctx context.Context, teamID string, number int64) (baton.Task, error) {
	var row taskRow
	err := db.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE team_id = $1 AND number = $2`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Task{}, taskNotFound(number)
	}
	if err != nil {
		return baton.Task{}, mapError("read task", err)
	}
	return row.task(), nil
}

// UpdateTask changes task T-number under a row lock, so that two people acting at once are applied
// one after the other. change is a domain method: it sees the task as stored, edits it and returns
// the event to record. Its error aborts the update and is returned as is. The messages the event
// owes go into the outbox in the same transaction. UpdateTask returns the task as stored and the
// event with its ID.
func (db *DB) UpdateTask(ctx context.Context, teamID string, number int64,
	change func(t *baton.Task) (baton.TaskEvent, error)) (baton.Task, baton.TaskEvent, error) {
	var (
		updated baton.Task
		stored  baton.TaskEvent
	)
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var row taskRow
		err := tx.GetContext(ctx, &row, `SELECT `+taskColumns+` FROM tasks WHERE team_id = $1 AND number = $2 FOR UPDATE`,
			teamID, number)
		if errors.Is(err, sql.ErrNoRows) {
			return taskNotFound(number)
		}
		if err != nil {
			return mapError("lock task", err)
		}
		t := row.task()
		before := t
		id := t.ID
		ev, err := change(&t)
		if err != nil {
			return err
		}
		date, clock, at, hasTime := dueArgs(t.Due)
		var out taskRow
		err = tx.GetContext(ctx, &out, `UPDATE tasks SET title = $2, description = $3, owner_id = $4, delegator_id = $5,
			status = $6, blocked_reason = $7, due_date = $8, due_time = $9, due_at = $10, due_has_time = $11,
			channel_id = $12, card_ts = $13, source_channel_id = $14, source_ts = $15, source_link = $16,
			updated_at = $17, status_changed_at = $18, kr_id = NULLIF($19, 0), kr_weight = $20, update_asked_at = $21
			WHERE id = $1
			RETURNING `+taskColumns,
			id, t.Title, t.Description, t.OwnerID, t.DelegatorID,
			t.Status, t.BlockedReason, date, clock, at, hasTime,
			t.ChannelID, t.CardTS, t.SourceChannelID, t.SourceTS, t.SourceLink,
			t.UpdatedAt, t.StatusChangedAt, t.KRID, krWeight(t), nullTime(t.UpdateAskedAt))
		if err != nil {
			return mapError("update task", err)
		}
		updated = out.task()
		stored, err = recordAndAnnounce(ctx, tx, before, updated, ev)
		return err
	})
	if err != nil {
		return baton.Task{}, baton.TaskEvent{}, err
	}
	return updated, stored, nil
}

// SetCard records where the task's card was posted, its permalink, and the link to the message the
// task was made from.
func (db *DB) SetCard(ctx context.Context, taskID int64, channelID, ts, cardLink, sourceLink string) error {
	res, err := db.ExecContext(ctx, `UPDATE tasks SET channel_id = $2, card_ts = $3, card_link = $4, source_link = $5 WHERE id = $1`,
		taskID, channelID, ts, cardLink, sourceLink)
	if err != nil {
		return mapError("set task card", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapError("set task card", err)
	}
	if n == 0 {
		return baton.Errorf(baton.ENotFound, "That task no longer exists.")
	}
	return nil
}

// taskWhere builds the WHERE clause of q and its arguments; a query without a team ID is refused.
func taskWhere(q baton.TaskQuery) (string, []any, error) {
	return taskWhereAfter(q, nil)
}

// taskWhereAfter is taskWhere for a statement that already has args: its placeholders follow theirs.
func taskWhereAfter(q baton.TaskQuery, args []any) (string, []any, error) {
	if q.TeamID == "" {
		return "", nil, errors.New("a task query needs a team ID")
	}
	args = append(args, q.TeamID)
	conds := []string{"team_id = $" + strconv.Itoa(len(args))}
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.OwnerID != "" {
		add("owner_id = ?", q.OwnerID)
	}
	if q.DelegatorID != "" {
		add("delegator_id = ?", q.DelegatorID)
	}
	if len(q.Statuses) > 0 {
		statuses := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			statuses[i] = string(s)
		}
		add("status = ANY(?)", pq.Array(statuses))
	}
	if q.Open {
		conds = append(conds, "status <> 'done'")
	}
	if !q.DueBefore.IsZero() {
		add("due_at <= ?", q.DueBefore.UTC())
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// ListTasks returns the tasks q selects: those with a due date first, soonest first, then by number.
func (db *DB) ListTasks(ctx context.Context, q baton.TaskQuery) ([]baton.Task, error) {
	where, args, err := taskWhere(q)
	if err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", err)
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, fmt.Errorf("store: list tasks: negative limit %d or offset %d", q.Limit, q.Offset)
	}
	query := `SELECT ` + taskColumns + ` FROM tasks` + where + ` ORDER BY due_at ASC NULLS LAST, number ASC`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += " LIMIT $" + strconv.Itoa(len(args))
	}
	if q.Offset > 0 {
		args = append(args, q.Offset)
		query += " OFFSET $" + strconv.Itoa(len(args))
	}
	var rows []taskRow
	if err := db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, mapError("list tasks", err)
	}
	tasks := make([]baton.Task, len(rows))
	for i, r := range rows {
		tasks[i] = r.task()
	}
	return tasks, nil
}

// ListTaskSections reads several lists at once, in one statement: for each query, the tasks ListTasks
// returns for it (its Offset is ignored) and how many it selects in all.
func (db *DB) ListTaskSections(ctx context.Context, qs ...baton.TaskQuery) ([]baton.TaskSection, error) {
	out := make([]baton.TaskSection, len(qs))
	if len(qs) == 0 {
		return out, nil
	}
	var parts []string
	var args []any
	for i, q := range qs {
		if q.Limit <= 0 {
			return nil, fmt.Errorf("store: list task sections: section %d needs a limit, not %d", i, q.Limit)
		}
		where, a, err := taskWhereAfter(q, args)
		if err != nil {
			return nil, fmt.Errorf("store: list task sections: %w", err)
		}
		order := "due_at ASC NULLS LAST, number ASC"
		if !q.UrgentAt.IsZero() {
			a = append(a, q.UrgentAt.UTC())
			now := "$" + strconv.Itoa(len(a))
			// baton.Task.Urgency, then baton.CompareUrgency's due date: the most urgent are the ones
			// read within the limit. Among equals the reader orders by StatusChangedAt.
			order = `CASE WHEN due_at <= ` + now + ` AND status = 'blocked' THEN 0 WHEN due_at <= ` + now + ` THEN 1
				WHEN status = 'blocked' THEN 2 ELSE 3 END, ` + order
		}
		args = append(a, q.Limit)
		// The count runs over every row the section selects, before its limit; pos keeps the order.
		parts = append(parts, `(SELECT `+strconv.Itoa(i)+` AS section, count(*) OVER () AS total,
			row_number() OVER (ORDER BY `+order+`) AS pos, `+taskColumns+
			` FROM tasks`+where+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(len(args))+`)`)
	}
	var rows []struct {
		Section int `db:"section"`
		Total   int `db:"total"`
		Pos     int `db:"pos"`
		taskRow
	}
	if err := db.SelectContext(ctx, &rows, strings.Join(parts, " UNION ALL ")+" ORDER BY section, pos", args...); err != nil {
		return nil, mapError("list task sections", err)
	}
	for _, r := range rows {
		out[r.Section].Tasks = append(out[r.Section].Tasks, r.task())
		out[r.Section].Total = r.Total
	}
	return out, nil
}

// CountTasks counts the tasks q selects, ignoring its Limit and Offset.
func (db *DB) CountTasks(ctx context.Context, q baton.TaskQuery) (int, error) {
	where, args, err := taskWhere(q)
	if err != nil {
		return 0, fmt.Errorf("store: count tasks: %w", err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM tasks`+where, args...); err != nil {
		return 0, mapError("count tasks", err)
	}
	return n, nil
}

// CountByStatus counts the tasks q selects per status, ignoring its Limit and Offset. A status with
// no task is absent from the map, so it reads as 0.
func (db *DB) CountByStatus(ctx context.Context, q baton.TaskQuery) (map[baton.Status]int, error) {
	where, args, err := taskWhere(q)
	if err != nil {
		return nil, fmt.Errorf("store: count tasks by status: %w", err)
	}
	var rows []struct {
		Status baton.Status `db:"status"`
		N      int          `db:"n"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT status, count(*) AS n FROM tasks`+where+` GROUP BY status`, args...); err != nil {
		return nil, mapError("count tasks by status", err)
	}
	counts := make(map[baton.Status]int, len(rows))
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	return counts, nil
}
