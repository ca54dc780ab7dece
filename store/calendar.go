package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	baton "github.com/batonhq/baton"
)

// AddHoliday records a workspace day off; a day that is already a holiday is a conflict.
func (db *DB) AddHoliday(ctx context.Context, teamID string, h baton.Holiday, by string) error {
	defer db.settings.forget(settingKey{kind: "holidays", team: teamID})
	res, err := db.ExecContext(ctx, `INSERT INTO holidays (team_id, day, name, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (team_id, day) DO NOTHING`, teamID, h.Date, h.Name, by)
	if err != nil {
		return fmt.Errorf("store: add holiday: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return baton.Errorf(baton.EConflict, "%s is already a holiday. Remove it first to rename it.", h.Date)
	}
	return nil
}

// RemoveHoliday deletes a day off; false when it was not one.
func (db *DB) RemoveHoliday(ctx context.Context, teamID, date string) (bool, error) {
	defer db.settings.forget(settingKey{kind: "holidays", team: teamID})
	res, err := db.ExecContext(ctx, `DELETE FROM holidays WHERE team_id = $1 AND day = $2`, teamID, date)
	if err != nil {
		return false, fmt.Errorf("store: remove holiday: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Holidays lists a workspace's days off from a day on (YYYY-MM-DD), earliest first.
func (db *DB) Holidays(ctx context.Context, teamID, from string) ([]baton.Holiday, error) {
	all, err := remembered(&db.settings, settingKey{kind: "holidays", team: teamID}, func() ([]baton.Holiday, error) {
		return db.readHolidays(ctx, teamID)
	})
	if err != nil {
		return nil, err
	}
	first, _ := slices.BinarySearchFunc(all, from, func(h baton.Holiday, from string) int { return strings.Compare(h.Date, from) })
	return slices.Clone(all[first:]), nil
}

// readHolidays lists every day off of a workspace, earliest first.
func (db *DB) readHolidays(ctx context.Context, teamID string) ([]baton.Holiday, error) {
	var rows []struct {
		Day  time.Time `db:"day"`
		Name string    `db:"name"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT day, name FROM holidays WHERE team_id = $1 ORDER BY day`, teamID); err != nil {
		return nil, fmt.Errorf("store: list holidays: %w", err)
	}
	out := make([]baton.Holiday, len(rows))
	for i, r := range rows {
		out[i] = baton.Holiday{Date: r.Day.Format(time.DateOnly), Name: r.Name}
	}
	return out, nil
}

// SetOutOfOffice records that a person is away through a day (YYYY-MM-DD); "" clears it.
func (db *DB) SetOutOfOffice(ctx context.Context, teamID, userID, until string) error {
	defer db.settings.forget(settingKey{kind: "away", team: teamID, user: userID})
	var err error
	if until == "" {
		_, err = db.ExecContext(ctx, `DELETE FROM out_of_office WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	} else {
		_, err = db.ExecContext(ctx, `INSERT INTO out_of_office (team_id, user_id, until_day) VALUES ($1, $2, $3)
			ON CONFLICT (team_id, user_id) DO UPDATE SET until_day = EXCLUDED.until_day, updated_at = now()`, teamID, userID, until)
	}
	if err != nil {
		return fmt.Errorf("store: set out-of-office: %w", err)
	}
	return nil
}

// OutOfOffice is the last day a person is away (YYYY-MM-DD), or "" when they are not.
func (db *DB) OutOfOffice(ctx context.Context, teamID, userID string) (string, error) {
	return remembered(&db.settings, settingKey{kind: "away", team: teamID, user: userID}, func() (string, error) {
		return db.readOutOfOffice(ctx, teamID, userID)
	})
}

func (db *DB) readOutOfOffice(ctx context.Context, teamID, userID string) (string, error) {
	var until time.Time
	err := db.GetContext(ctx, &until, `SELECT until_day FROM out_of_office WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read out-of-office: %w", err)
	}
	return until.Format(time.DateOnly), nil
}
