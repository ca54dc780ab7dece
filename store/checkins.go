package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

const checkinColumns = `id, team_id, number, sender_id, message, schedule, task_number, ask_reply, remind_after_s, state, revision, created_at, updated_at`

type checkinRow struct {
	ID         int64              `db:"id"`
	TeamID     string             `db:"team_id"`
	Number     int64              `db:"number"`
	SenderID   string             `db:"sender_id"`
	Message    string             `db:"message"`
	Schedule   []byte             `db:"schedule"`
	TaskNumber int64              `db:"task_number"`
	AskReply   bool               `db:"ask_reply"`
	RemindS    int64              `db:"remind_after_s"`
	State      baton.CheckinState `db:"state"`
	Revision   int64              `db:"revision"`
	CreatedAt  time.Time          `db:"created_at"`
	UpdatedAt  time.Time          `db:"updated_at"`
}

func (r checkinRow) checkin() (baton.Checkin, error) {
	c := baton.Checkin{ID: r.ID, TeamID: r.TeamID, Number: r.Number, SenderID: r.SenderID, Message: r.Message,
		TaskNumber: r.TaskNumber, AskReply: r.AskReply, RemindAfter: time.Duration(r.RemindS) * time.Second, State: r.State, Revision: r.Revision, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal(r.Schedule, &c.Schedule); err != nil {
		return baton.Checkin{}, fmt.Errorf("store: read check-in %s schedule: %w", c.Ref(), err)
	}
	return c, nil
}

type recipientRow struct {
	CheckinID int64        `db:"checkin_id"`
	UserID    string       `db:"user_id"`
	TZ        string       `db:"tz"`
	MutedAt   sql.NullTime `db:"muted_at"`
}

const deliveryColumns = `id, checkin_id, team_id, recipient_id, due_at, state, channel_id, ts,
	delivered_at, seen_at, answered_at, snoozed_until, reminded_at, answer`

type deliveryRow struct {
	ID           int64               `db:"id"`
	CheckinID    int64               `db:"checkin_id"`
	TeamID       string              `db:"team_id"`
	RecipientID  string              `db:"recipient_id"`
	DueAt        time.Time           `db:"due_at"`
	State        baton.DeliveryState `db:"state"`
	ChannelID    string              `db:"channel_id"`
	TS           string              `db:"ts"`
	DeliveredAt  sql.NullTime        `db:"delivered_at"`
	SeenAt       sql.NullTime        `db:"seen_at"`
	AnsweredAt   sql.NullTime        `db:"answered_at"`
	SnoozedUntil sql.NullTime        `db:"snoozed_until"`
	RemindedAt   sql.NullTime        `db:"reminded_at"`
	Answer       string              `db:"answer"`
}

func utcOrZero(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func (r deliveryRow) delivery() baton.CheckinDelivery {
	return baton.CheckinDelivery{ID: r.ID, CheckinID: r.CheckinID, TeamID: r.TeamID, RecipientID: r.RecipientID, DueAt: r.DueAt.UTC(),
		State: r.State, ChannelID: r.ChannelID, TS: r.TS, DeliveredAt: utcOrZero(r.DeliveredAt), SeenAt: utcOrZero(r.SeenAt),
		AnsweredAt: utcOrZero(r.AnsweredAt), SnoozedUntil: utcOrZero(r.SnoozedUntil), RemindedAt: utcOrZero(r.RemindedAt), Answer: r.Answer}
}

func checkinNotFound(number int64) error {
	return baton.Errorf(baton.ENotFound, "There is no check-in %s in this workspace. See yours with `/checkin list`.", baton.CheckinRef(number))
}

// CreateCheckin stores a new check-in with its recipients and gives it the workspace's next C- number.
func (db *DB) CreateCheckin(ctx context.Context, c baton.Checkin) (baton.Checkin, error) {
	schedule, err := json.Marshal(c.Schedule)
	if err != nil {
		return baton.Checkin{}, fmt.Errorf("store: create check-in: encode schedule: %w", err)
	}
	if c.State == "" {
		c.State = baton.CheckinActive
	}
	var created baton.Checkin
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		number, err := nextNumber(ctx, tx, c.TeamID, "checkin")
		if err != nil {
			return err
		}
		var row checkinRow
		err = tx.GetContext(ctx, &row, `INSERT INTO checkins (team_id, number, sender_id, message, schedule, task_number,
			ask_reply, remind_after_s, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
			RETURNING `+checkinColumns,
			c.TeamID, number, c.SenderID, c.Message, string(schedule), c.TaskNumber, c.AskReply, int64(c.RemindAfter/time.Second), c.State, c.CreatedAt.UTC())
		if err != nil {
			return mapError("create check-in", err)
		}
		if created, err = row.checkin(); err != nil {
			return err
		}
		return addRecipients(ctx, tx, created.ID, c.Recipients)
	})
	if err != nil {
		return baton.Checkin{}, err
	}
	return db.checkinByID(ctx, created.ID)
}

// addRecipients adds people to a check-in; those already on it keep their row (and their mute).
func addRecipients(ctx context.Context, tx *sqlx.Tx, checkinID int64, rs []baton.CheckinRecipient) error {
	users := make([]string, len(rs))
	zones := make([]string, len(rs))
	for i, r := range rs {
		users[i], zones[i] = r.UserID, r.TZ
		if zones[i] == "" {
			zones[i] = "UTC"
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkin_recipients (checkin_id, user_id, tz)
		SELECT $1, u, z FROM unnest($2::text[], $3::text[]) AS r(u, z) ON CONFLICT DO NOTHING`,
		checkinID, pq.Array(users), pq.Array(zones)); err != nil {
		return mapError("add check-in recipients", err)
	}
	return nil
}

// UpdateCheckin saves an edit of a check-in: message, schedule, linked task, reply and reminder
// options, and recipients (people left out are removed; their past deliveries stay). c.Revision is
// the revision the editor saw: when the check-in changed since (edited, paused, resumed), nothing
// is saved and a conflict says so. A cancelled or finished check-in cannot be edited.
func (db *DB) UpdateCheckin(ctx context.Context, c baton.Checkin, at time.Time) (baton.Checkin, error) {
	schedule, err := json.Marshal(c.Schedule)
	if err != nil {
		return baton.Checkin{}, fmt.Errorf("store: edit check-in: encode schedule: %w", err)
	}
	var id int64
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var cur checkinRow
		err := tx.GetContext(ctx, &cur, `SELECT `+checkinColumns+` FROM checkins WHERE team_id = $1 AND number = $2 FOR UPDATE`,
			c.TeamID, c.Number)
		if errors.Is(err, sql.ErrNoRows) {
			return checkinNotFound(c.Number)
		}
		if err != nil {
			return mapError("edit check-in", err)
		}
		switch {
		case cur.State == baton.CheckinCancelled || cur.State == baton.CheckinFinished:
			return baton.Errorf(baton.EConflict, "%s is %s, so it can't be edited any more. Set up a new one with `/checkin`.", baton.CheckinRef(c.Number), cur.State)
		case cur.Revision != c.Revision:
			return baton.Errorf(baton.EConflict, "%s changed while you were editing it, so your edit was not saved. Open it again with `/checkin edit %s` to start from what it is now.",
				baton.CheckinRef(c.Number), baton.CheckinRef(c.Number))
		}
		id = cur.ID
		if _, err := tx.ExecContext(ctx, `UPDATE checkins SET message = $2, schedule = $3, task_number = $4, ask_reply = $5,
			remind_after_s = $6, updated_at = $7, revision = revision + 1 WHERE id = $1`,
			id, c.Message, string(schedule), c.TaskNumber, c.AskReply, int64(c.RemindAfter/time.Second), at.UTC()); err != nil {
			return mapError("edit check-in", err)
		}
		users := make([]string, len(c.Recipients))
		for i, r := range c.Recipients {
			users[i] = r.UserID
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM checkin_recipients WHERE checkin_id = $1 AND NOT (user_id = ANY($2))`,
			id, pq.Array(users)); err != nil {
			return mapError("edit check-in recipients", err)
		}
		return addRecipients(ctx, tx, id, c.Recipients)
	})
	if err != nil {
		return baton.Checkin{}, err
	}
	return db.checkinByID(ctx, id)
}

// Checkin returns check-in C-number of a workspace with its recipients.
func (db *DB) Checkin(ctx context.Context, teamID string, number int64) (baton.Checkin, error) {
	var row checkinRow
	err := db.GetContext(ctx, &row, `SELECT `+checkinColumns+` FROM checkins WHERE team_id = $1 AND number = $2`, teamID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Checkin{}, checkinNotFound(number)
	}
	if err != nil {
		return baton.Checkin{}, mapError("read check-in", err)
	}
	cs, err := db.withRecipients(ctx, []checkinRow{row})
	if err != nil {
		return baton.Checkin{}, err
	}
	return cs[0], nil
}

func (db *DB) checkinByID(ctx context.Context, id int64) (baton.Checkin, error) {
	var row checkinRow
	if err := db.GetContext(ctx, &row, `SELECT `+checkinColumns+` FROM checkins WHERE id = $1`, id); err != nil {
		return baton.Checkin{}, mapError("read check-in", err)
	}
	cs, err := db.withRecipients(ctx, []checkinRow{row})
	if err != nil {
		return baton.Checkin{}, err
	}
	return cs[0], nil
}

// withRecipients turns rows into check-ins and reads their recipients in one query.
func (db *DB) withRecipients(ctx context.Context, rows []checkinRow) ([]baton.Checkin, error) {
	out := make([]baton.Checkin, len(rows))
	ids := make([]int64, len(rows))
	at := map[int64]int{}
	for i, r := range rows {
		c, err := r.checkin()
		if err != nil {
			return nil, err
		}
		out[i], ids[i], at[r.ID] = c, r.ID, i
	}
	if len(rows) == 0 {
		return out, nil
	}
	var rs []recipientRow
	if err := db.SelectContext(ctx, &rs, `SELECT checkin_id, user_id, tz, muted_at FROM checkin_recipients
		WHERE checkin_id = ANY($1) ORDER BY checkin_id, user_id`, pq.Array(ids)); err != nil {
		return nil, mapError("read check-in recipients", err)
	}
	for _, r := range rs {
		i := at[r.CheckinID]
		out[i].Recipients = append(out[i].Recipients, baton.CheckinRecipient{UserID: r.UserID, TZ: r.TZ, MutedAt: utcOrZero(r.MutedAt)})
	}
	return out, nil
}

// CheckinsBySender lists the check-ins a person set up that are active or paused, plus those that
// finished since the given instant, newest first, at most limit.
func (db *DB) CheckinsBySender(ctx context.Context, teamID, senderID string, finishedSince time.Time, limit int) ([]baton.Checkin, error) {
	var rows []checkinRow
	if err := db.SelectContext(ctx, &rows, `SELECT `+checkinColumns+` FROM checkins
		WHERE team_id = $1 AND sender_id = $2 AND (state IN ('active', 'paused') OR (state = 'finished' AND updated_at >= $3))
		ORDER BY number DESC LIMIT $4`, teamID, senderID, finishedSince.UTC(), limit); err != nil {
		return nil, mapError("list check-ins", err)
	}
	return db.withRecipients(ctx, rows)
}

// CountCheckinsBySender counts what CheckinsBySender lists, without its limit.
func (db *DB) CountCheckinsBySender(ctx context.Context, teamID, senderID string, finishedSince time.Time) (int, error) {
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM checkins
		WHERE team_id = $1 AND sender_id = $2 AND (state IN ('active', 'paused') OR (state = 'finished' AND updated_at >= $3))`,
		teamID, senderID, finishedSince.UTC()); err != nil {
		return 0, mapError("count check-ins", err)
	}
	return n, nil
}

// MoveCheckin applies move to check-in C-number under its row lock: move puts it in another state,
// or says it can't (see baton's check-in state machine) and nothing is written. It returns the
// check-in as it is afterwards and whether it moved.
func (db *DB) MoveCheckin(ctx context.Context, teamID string, number int64, move func(c *baton.Checkin) bool) (baton.Checkin, bool, error) {
	moved := false
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var row checkinRow
		err := tx.GetContext(ctx, &row, `SELECT `+checkinColumns+` FROM checkins WHERE team_id = $1 AND number = $2 FOR UPDATE`, teamID, number)
		if errors.Is(err, sql.ErrNoRows) {
			return checkinNotFound(number)
		}
		if err != nil {
			return mapError("read check-in", err)
		}
		c, err := row.checkin()
		if err != nil {
			return err
		}
		if moved = move(&c); !moved {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE checkins SET state = $2, updated_at = $3, revision = $4 WHERE id = $1`,
			c.ID, c.State, c.UpdatedAt, c.Revision)
		return mapError("change check-in", err)
	})
	if err != nil {
		return baton.Checkin{}, false, err
	}
	c, err := db.Checkin(ctx, teamID, number)
	return c, moved, err
}

// deliveryFrom lists the states a delivery may be put in state to from, for a query's state = ANY(…).
func deliveryFrom(to baton.DeliveryState) any {
	states := baton.DeliveryFrom(to)
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return pq.Array(out)
}

// FinishCheckinIfDone marks an active check-in finished once every recipient who is not muted has
// been delivered to; true when it did.
func (db *DB) FinishCheckinIfDone(ctx context.Context, checkinID int64, at time.Time) (bool, error) {
	res, err := db.ExecContext(ctx, `UPDATE checkins SET state = 'finished', updated_at = $2, revision = revision + 1
		WHERE id = $1 AND state = 'active' AND NOT EXISTS (
			SELECT 1 FROM checkin_recipients r WHERE r.checkin_id = $1 AND r.muted_at IS NULL AND NOT EXISTS (
				SELECT 1 FROM checkin_deliveries d WHERE d.checkin_id = $1 AND d.recipient_id = r.user_id AND d.state <> 'scheduled'))`,
		checkinID, at.UTC())
	if err != nil {
		return false, mapError("finish check-in", err)
	}
	n, err := res.RowsAffected()
	return n == 1, mapError("finish check-in", err)
}

// MuteCheckinRecipient stops a check-in for one recipient; false when they were muted already (or
// are not a recipient).
func (db *DB) MuteCheckinRecipient(ctx context.Context, checkinID int64, userID string, at time.Time) (bool, error) {
	res, err := db.ExecContext(ctx, `UPDATE checkin_recipients SET muted_at = $3
		WHERE checkin_id = $1 AND user_id = $2 AND muted_at IS NULL`, checkinID, userID, at.UTC())
	if err != nil {
		return false, mapError("mute check-in", err)
	}
	n, err := res.RowsAffected()
	return n == 1, mapError("mute check-in", err)
}

// ClaimDelivery records the delivery of a check-in to a recipient for a due time, or finds the one
// recorded before, and claims its post for lease (the claiming run's own lease): see PostClaim for
// what it may get. A claim older than lease was left by a run that ended without a word, and is
// taken over. A run whose post failed gives the claim back with ReleaseDelivery.
func (db *DB) ClaimDelivery(ctx context.Context, d baton.CheckinDelivery, now time.Time, lease time.Duration) (baton.CheckinDelivery, baton.PostClaim, error) {
	var row claimRow
	err := db.GetContext(ctx, &row, `WITH before AS (
			SELECT claimed_at FROM checkin_deliveries WHERE checkin_id = $1 AND recipient_id = $3 AND due_at = $4
		), claimed AS (
			INSERT INTO checkin_deliveries (checkin_id, team_id, recipient_id, due_at, claimed_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (checkin_id, recipient_id, due_at) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
			WHERE checkin_deliveries.state = 'scheduled'
			  AND (checkin_deliveries.claimed_at IS NULL OR checkin_deliveries.claimed_at <= $6)
			RETURNING `+deliveryColumns+`)
		SELECT claimed.*, (SELECT claimed_at FROM before) AS was_claimed FROM claimed`,
		d.CheckinID, d.TeamID, d.RecipientID, d.DueAt.UTC(), now.UTC(), now.Add(-lease).UTC())
	if errors.Is(err, sql.ErrNoRows) {
		var held bool
		err = db.GetContext(ctx, &held, `SELECT state = 'scheduled' AND coalesce(claimed_at > $4, false) FROM checkin_deliveries
			WHERE checkin_id = $1 AND recipient_id = $2 AND due_at = $3`, d.CheckinID, d.RecipientID, d.DueAt.UTC(), now.Add(-lease).UTC())
		return baton.CheckinDelivery{}, heldOrNotOwed(held), mapError("record check-in delivery", err)
	}
	if err != nil {
		return baton.CheckinDelivery{}, baton.PostNotOwed, mapError("record check-in delivery", err)
	}
	return row.delivery(), row.claim(), nil
}

// claimRow is a delivery as a claim returns it, with the claim it had before.
type claimRow struct {
	deliveryRow
	WasClaimed sql.NullTime `db:"was_claimed"`
}

// claim is what the run that got the row got: a claim held before by a run that ended is taken over.
func (r claimRow) claim() baton.PostClaim {
	if r.WasClaimed.Valid {
		return baton.PostTakenOver
	}
	return baton.PostClaimed
}

func heldOrNotOwed(held bool) baton.PostClaim {
	if held {
		return baton.PostHeld
	}
	return baton.PostNotOwed
}

// claimPost runs an UPDATE of one delivery (by ID, $1) that claims one of its posts; stale is the
// claim time from which another run's claim is taken over. The update is written over "d", and
// "old" is the row as it was.
func (db *DB) claimPost(ctx context.Context, op string, id int64, stale time.Time, set, where string, args ...any) (baton.CheckinDelivery, baton.PostClaim, error) {
	var row claimRow
	err := db.GetContext(ctx, &row, `UPDATE checkin_deliveries d SET `+set+`
		FROM (SELECT id, claimed_at FROM checkin_deliveries WHERE id = $1 FOR UPDATE) old
		WHERE d.id = old.id AND `+where+`
		RETURNING `+qualifiedDeliveryColumns+`, old.claimed_at AS was_claimed`, append([]any{id}, args...)...)
	if errors.Is(err, sql.ErrNoRows) {
		var held bool
		err = db.GetContext(ctx, &held, `SELECT coalesce(claimed_at > $2, false) FROM checkin_deliveries WHERE id = $1`, id, stale.UTC())
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return baton.CheckinDelivery{}, heldOrNotOwed(held), mapError(op, err)
	}
	if err != nil {
		return baton.CheckinDelivery{}, baton.PostNotOwed, mapError(op, err)
	}
	return row.delivery(), row.claim(), nil
}

// qualifiedDeliveryColumns are deliveryColumns of the row named d.
var qualifiedDeliveryColumns = func() string {
	cols := strings.Split(deliveryColumns, ",")
	for i, c := range cols {
		cols[i] = "d." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}()

// ClaimSnoozed claims the post of a snoozed delivery whose snooze ends at until, for posting it
// again, for lease; see ClaimDelivery.
func (db *DB) ClaimSnoozed(ctx context.Context, id int64, until, now time.Time, lease time.Duration) (baton.CheckinDelivery, baton.PostClaim, error) {
	stale := now.Add(-lease)
	return db.claimPost(ctx, "claim snoozed check-in", id, stale, `claimed_at = $3`,
		`d.state = 'snoozed' AND d.snoozed_until = $2 AND (d.claimed_at IS NULL OR d.claimed_at <= $4)`,
		until.UTC(), now.UTC(), stale.UTC())
}

// ReleaseDelivery gives back the claim of a run whose post failed, so the next run can post.
func (db *DB) ReleaseDelivery(ctx context.Context, id int64) error {
	if _, err := db.ExecContext(ctx, `UPDATE checkin_deliveries SET claimed_at = NULL WHERE id = $1`, id); err != nil {
		return mapError("release check-in delivery", err)
	}
	return nil
}

// MarkDelivered records where a delivery's DM was posted and when.
func (db *DB) MarkDelivered(ctx context.Context, id int64, channelID, ts string, at time.Time) (baton.CheckinDelivery, error) {
	d, ok, err := db.updateDelivery(ctx, "mark check-in delivered", `UPDATE checkin_deliveries
		SET state = 'delivered', channel_id = $2, ts = $3, delivered_at = $4, claimed_at = NULL, snoozed_until = NULL
		WHERE id = $1 AND state = ANY($5)`, id, channelID, ts, at.UTC(), deliveryFrom(baton.DeliveryDelivered))
	if err == nil && !ok {
		err = fmt.Errorf("store: mark check-in delivery %d delivered: it is not scheduled or snoozed", id)
	}
	return d, err
}

// MarkDeliverySeen records that the recipient saw a delivered (or snoozed) DM; false when it was
// seen or answered before.
func (db *DB) MarkDeliverySeen(ctx context.Context, id int64, at time.Time) (baton.CheckinDelivery, bool, error) {
	return db.updateDelivery(ctx, "mark check-in seen", `UPDATE checkin_deliveries
		SET state = 'seen', seen_at = $2, snoozed_until = NULL WHERE id = $1 AND state = ANY($3)`, id, at.UTC(), deliveryFrom(baton.DeliverySeen))
}

// AnswerDelivery records the recipient's reply; false when it was answered before.
func (db *DB) AnswerDelivery(ctx context.Context, id int64, answer string, at time.Time) (baton.CheckinDelivery, bool, error) {
	return db.updateDelivery(ctx, "record check-in answer", `UPDATE checkin_deliveries
		SET state = 'answered', answer = $2, answered_at = $3, seen_at = COALESCE(seen_at, $3), snoozed_until = NULL
		WHERE id = $1 AND state = ANY($4)`, id, answer, at.UTC(), deliveryFrom(baton.DeliveryAnswered))
}

// SnoozeDelivery puts a delivered DM off until a later moment; false when it was answered already.
func (db *DB) SnoozeDelivery(ctx context.Context, id int64, until time.Time) (baton.CheckinDelivery, bool, error) {
	return db.updateDelivery(ctx, "snooze check-in", `UPDATE checkin_deliveries SET state = 'snoozed', snoozed_until = $2
		WHERE id = $1 AND state = ANY($3)`, id, until.UTC(), deliveryFrom(baton.DeliverySnoozed))
}

func (db *DB) updateDelivery(ctx context.Context, op, query string, args ...any) (baton.CheckinDelivery, bool, error) {
	var row deliveryRow
	err := db.GetContext(ctx, &row, query+` RETURNING `+deliveryColumns, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.CheckinDelivery{}, false, nil
	}
	if err != nil {
		return baton.CheckinDelivery{}, false, mapError(op, err)
	}
	return row.delivery(), true, nil
}

// ClaimReminder claims the one reminder of a delivery that is still delivered but unseen, for lease;
// see ClaimDelivery. It is not owed once the delivery was seen, answered or snoozed, or reminded.
func (db *DB) ClaimReminder(ctx context.Context, id int64, at time.Time, lease time.Duration) (baton.CheckinDelivery, baton.PostClaim, error) {
	stale := at.Add(-lease)
	return db.claimPost(ctx, "claim check-in reminder", id, stale, `reminded_at = $2, claimed_at = $2`,
		`d.state = 'delivered' AND (d.reminded_at IS NULL OR d.claimed_at <= $3)`, at.UTC(), stale.UTC())
}

// RecordReminder records the reminder's message as the delivery's message: reactions and redraws
// go to the newest one.
func (db *DB) RecordReminder(ctx context.Context, id int64, channelID, ts string) error {
	if _, err := db.ExecContext(ctx, `UPDATE checkin_deliveries SET channel_id = $2, ts = $3, claimed_at = NULL WHERE id = $1`, id, channelID, ts); err != nil {
		return mapError("record check-in reminder", err)
	}
	return nil
}

// ReleaseReminder gives the reminder back when it could not be posted, so a retry can post it.
func (db *DB) ReleaseReminder(ctx context.Context, id int64) error {
	if _, err := db.ExecContext(ctx, `UPDATE checkin_deliveries SET reminded_at = NULL, claimed_at = NULL WHERE id = $1`, id); err != nil {
		return mapError("release check-in reminder", err)
	}
	return nil
}

// Delivery returns a delivery by its ID, as carried in buttons and jobs.
func (db *DB) Delivery(ctx context.Context, id int64) (baton.CheckinDelivery, error) {
	var row deliveryRow
	err := db.GetContext(ctx, &row, `SELECT `+deliveryColumns+` FROM checkin_deliveries WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.CheckinDelivery{}, baton.Errorf(baton.ENotFound, "That check-in no longer exists.")
	}
	if err != nil {
		return baton.CheckinDelivery{}, mapError("read check-in delivery", err)
	}
	return row.delivery(), nil
}

// CheckinByID returns a check-in by its database ID, as a delivery refers to it.
func (db *DB) CheckinByID(ctx context.Context, id int64) (baton.Checkin, error) {
	c, err := db.checkinByID(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.Checkin{}, baton.Errorf(baton.ENotFound, "That check-in no longer exists.")
	}
	return c, err
}

// DeliveryByMessage finds the delivery posted as a message; false when the message is not one.
func (db *DB) DeliveryByMessage(ctx context.Context, channelID, ts string) (baton.CheckinDelivery, bool, error) {
	var row deliveryRow
	err := db.GetContext(ctx, &row, `SELECT `+deliveryColumns+` FROM checkin_deliveries WHERE channel_id = $1 AND ts = $2`, channelID, ts)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.CheckinDelivery{}, false, nil
	}
	if err != nil {
		return baton.CheckinDelivery{}, false, mapError("find check-in delivery", err)
	}
	return row.delivery(), true, nil
}

// LatestDeliveries returns, for each check-in, the latest delivery to each recipient, by recipient.
func (db *DB) LatestDeliveries(ctx context.Context, checkinIDs []int64) (map[int64][]baton.CheckinDelivery, error) {
	out := map[int64][]baton.CheckinDelivery{}
	if len(checkinIDs) == 0 {
		return out, nil
	}
	var rows []deliveryRow
	if err := db.SelectContext(ctx, &rows, `SELECT DISTINCT ON (checkin_id, recipient_id) `+deliveryColumns+`
		FROM checkin_deliveries WHERE checkin_id = ANY($1) AND state <> 'scheduled'
		ORDER BY checkin_id, recipient_id, due_at DESC`, pq.Array(checkinIDs)); err != nil {
		return nil, mapError("read latest check-in deliveries", err)
	}
	for _, r := range rows {
		out[r.CheckinID] = append(out[r.CheckinID], r.delivery())
	}
	return out, nil
}
