package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// TeamLines returns a line of figures for each of users (a manager's direct reports): done and on
// time count what was done since since; overdue is read at now. One statement, in user ID order.
func (db *DB) TeamLines(ctx context.Context, teamID string, users []string, since, now time.Time) ([]baton.TeamLine, error) {
	var out []baton.TeamLine
	err := db.SelectContext(ctx, &out, `SELECT r.user_id, t.open, t.overdue, t.blocked, t.done_with_due, t.on_time, q.waiting
		FROM unnest($2::text[]) AS r(user_id)
		CROSS JOIN LATERAL (SELECT
			count(*) FILTER (WHERE status <> 'done') AS open,
			count(*) FILTER (WHERE status <> 'done' AND due_at < $4) AS overdue,
			count(*) FILTER (WHERE status = 'blocked') AS blocked,
			count(*) FILTER (WHERE status = 'done' AND status_changed_at >= $3 AND due_at IS NOT NULL) AS done_with_due,
			count(*) FILTER (WHERE status = 'done' AND status_changed_at >= $3 AND status_changed_at <= due_at) AS on_time
			FROM tasks WHERE team_id = $1 AND owner_id = r.user_id AND delegator_id <> r.user_id
				AND (status <> 'done' OR status_changed_at >= $3)) t
		CROSS JOIN LATERAL (SELECT count(*) AS waiting FROM requests
			WHERE team_id = $1 AND requester_id = r.user_id AND status = 'pending') q
		ORDER BY r.user_id`, teamID, pq.Array(users), since, now)
	if err != nil {
		return nil, mapError("read team lines", err)
	}
	return out, nil
}

// RememberedManagers is Managers, remembered for settingsTTL: every change redraws dashboards, and
// each asks whether its viewer manages anyone. A change made through this process is seen at once.
func (db *DB) RememberedManagers(ctx context.Context, teamID string) (map[string]string, error) {
	return remembered(&db.settings, settingKey{kind: "managers", team: teamID}, func() (map[string]string, error) {
		return db.Managers(ctx, teamID)
	})
}
