package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot/md"
)

// WorkWeek is a workspace's working week, or the default one when it never set its own.
func (db *DB) WorkWeek(ctx context.Context, teamID string) (baton.WorkWeek, error) {
	return remembered(&db.settings, settingKey{kind: "workweek", team: teamID}, func() (baton.WorkWeek, error) {
		return db.readWorkWeek(ctx, teamID)
	})
}

func (db *DB) readWorkWeek(ctx context.Context, teamID string) (baton.WorkWeek, error) {
	var row struct {
		Days  int    `db:"work_days"`
		Start string `db:"work_start"`
		End   string `db:"work_end"`
	}
	err := db.GetContext(ctx, &row, `SELECT work_days, work_start, work_end FROM team_settings WHERE team_id = $1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.DefaultWorkWeek(), nil
	}
	if err != nil {
		return baton.WorkWeek{}, fmt.Errorf("store: read working week: %w", err)
	}
	var w baton.WorkWeek
	for d := range w.Days {
		w.Days[d] = row.Days&(1<<d) != 0
	}
	if w.Start, err = baton.ParseClock(row.Start); err != nil {
		return baton.WorkWeek{}, fmt.Errorf("store: stored working week: %w", err)
	}
	if w.End, err = baton.ParseClock(row.End); err != nil {
		return baton.WorkWeek{}, fmt.Errorf("store: stored working week: %w", err)
	}
	return w, nil
}

// SetWorkWeek records a workspace's working week.
func (db *DB) SetWorkWeek(ctx context.Context, teamID string, w baton.WorkWeek, by string) error {
	if err := w.Validate(); err != nil {
		return err
	}
	days := 0
	for d, on := range w.Days {
		if on {
			days |= 1 << d
		}
	}
	_, err := db.ExecContext(ctx, `INSERT INTO team_settings (team_id, work_days, work_start, work_end, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (team_id) DO UPDATE SET work_days = EXCLUDED.work_days, work_start = EXCLUDED.work_start,
			work_end = EXCLUDED.work_end, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		teamID, days, w.Start.String(), w.End.String(), by)
	db.settings.forget(settingKey{kind: "workweek", team: teamID})
	if err != nil {
		return fmt.Errorf("store: set working week: %w", err)
	}
	return nil
}

// ReminderOffsets are how long before a deadline the workspace reminds owners.
func (db *DB) ReminderOffsets(ctx context.Context, teamID string) ([]time.Duration, error) {
	offsets, err := remembered(&db.settings, settingKey{kind: "reminders", team: teamID}, func() ([]time.Duration, error) {
		return db.readReminderOffsets(ctx, teamID)
	})
	return slices.Clone(offsets), err
}

func (db *DB) readReminderOffsets(ctx context.Context, teamID string) ([]time.Duration, error) {
	var text string
	err := db.GetContext(ctx, &text, `SELECT reminders FROM team_settings WHERE team_id = $1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.DefaultReminderOffsets, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read reminders: %w", err)
	}
	offsets, err := baton.ParseReminderOffsets(text)
	if err != nil {
		return nil, fmt.Errorf("store: stored reminders %q: %w", text, err)
	}
	return offsets, nil
}

// SetReminderOffsets records how long before a deadline the workspace reminds owners.
func (db *DB) SetReminderOffsets(ctx context.Context, teamID string, offsets []time.Duration, by string) error {
	text := strings.ReplaceAll(baton.FormatOffsets(offsets), " ", "")
	defer db.settings.forget(settingKey{kind: "reminders", team: teamID})
	if _, err := db.ExecContext(ctx, `INSERT INTO team_settings (team_id, reminders, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (team_id) DO UPDATE SET reminders = EXCLUDED.reminders, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		teamID, text, by); err != nil {
		return fmt.Errorf("store: set reminders: %w", err)
	}
	return nil
}

// CheckinMaxRecipients is how many people one check-in may ask in a workspace.
func (db *DB) CheckinMaxRecipients(ctx context.Context, teamID string) (int, error) {
	var n int
	err := db.GetContext(ctx, &n, `SELECT checkin_max_recipients FROM team_settings WHERE team_id = $1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.DefaultCheckinMaxRecipients, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read check-in recipient limit: %w", err)
	}
	return n, nil
}

// SetCheckinMaxRecipients records how many people one check-in may ask in a workspace.
func (db *DB) SetCheckinMaxRecipients(ctx context.Context, teamID string, n int, by string) error {
	if _, err := db.ExecContext(ctx, `INSERT INTO team_settings (team_id, checkin_max_recipients, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (team_id) DO UPDATE SET checkin_max_recipients = EXCLUDED.checkin_max_recipients,
		updated_by = EXCLUDED.updated_by, updated_at = now()`, teamID, n, by); err != nil {
		return mapError("set check-in recipient limit", err)
	}
	return nil
}

// Digest is how a person wants stage changes and stale tasks: at once unless they chose a daily digest.
func (db *DB) Digest(ctx context.Context, teamID, userID string) (baton.DigestSetting, error) {
	return remembered(&db.settings, settingKey{kind: "digest", team: teamID, user: userID}, func() (baton.DigestSetting, error) {
		return db.readDigest(ctx, teamID, userID)
	})
}

func (db *DB) readDigest(ctx context.Context, teamID, userID string) (baton.DigestSetting, error) {
	var row struct {
		Daily bool   `db:"digest_daily"`
		At    string `db:"digest_at"`
	}
	err := db.GetContext(ctx, &row, `SELECT digest_daily, digest_at FROM person_settings WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return baton.DigestSetting{}, nil
	}
	if err != nil {
		return baton.DigestSetting{}, fmt.Errorf("store: read digest setting: %w", err)
	}
	at, err := baton.ParseClock(row.At)
	if err != nil {
		return baton.DigestSetting{}, fmt.Errorf("store: stored digest time: %w", err)
	}
	return baton.DigestSetting{Daily: row.Daily, At: at}, nil
}

// SetDigest records how a person wants to hear about stage changes and stale tasks.
func (db *DB) SetDigest(ctx context.Context, teamID, userID string, s baton.DigestSetting) error {
	at := s.At
	if !s.Daily {
		at = baton.DefaultDigestTime
	}
	_, err := db.ExecContext(ctx, `INSERT INTO person_settings (team_id, user_id, digest_daily, digest_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (team_id, user_id) DO UPDATE SET digest_daily = EXCLUDED.digest_daily, digest_at = EXCLUDED.digest_at`,
		teamID, userID, s.Daily, at.String())
	db.settings.forget(settingKey{kind: "digest", team: teamID, user: userID})
	if err != nil {
		return fmt.Errorf("store: set digest: %w", err)
	}
	return nil
}

// AddDigestItem keeps a signal for a person's next digest.
func (db *DB) AddDigestItem(ctx context.Context, teamID, userID string, taskID int64, line md.Text) error {
	if _, err := db.ExecContext(ctx, `INSERT INTO digest_items (team_id, user_id, task_id, line) VALUES ($1, $2, $3, $4)`,
		teamID, userID, taskID, string(line)); err != nil {
		return fmt.Errorf("store: add digest item: %w", err)
	}
	return nil
}

// PendingDigest lists a person's signals not yet sent, oldest first: their IDs (for MarkDigestSent)
// and their lines as Baton wrote them.
func (db *DB) PendingDigest(ctx context.Context, teamID, userID string) ([]int64, []md.Text, error) {
	var items []struct {
		ID   int64   `db:"id"`
		Line md.Text `db:"line"`
	}
	if err := db.SelectContext(ctx, &items, `SELECT id, line FROM digest_items
		WHERE team_id = $1 AND user_id = $2 AND sent_at IS NULL ORDER BY id`, teamID, userID); err != nil {
		return nil, nil, fmt.Errorf("store: read digest: %w", err)
	}
	ids, lines := make([]int64, len(items)), make([]md.Text, len(items))
	for i, it := range items {
		ids[i], lines[i] = it.ID, it.Line
	}
	return ids, lines, nil
}

// MarkDigestSent records that these signals went out.
func (db *DB) MarkDigestSent(ctx context.Context, ids []int64) error {
	if _, err := db.ExecContext(ctx, `UPDATE digest_items SET sent_at = now() WHERE id = ANY($1) AND sent_at IS NULL`, pq.Array(ids)); err != nil {
		return fmt.Errorf("store: mark digest sent: %w", err)
	}
	return nil
}
