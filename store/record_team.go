package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// TeamLines returns a line of figures for each direct report of managerID: the people fileReports
// names (those the policy file gives managerID as manager) unless a manager set in Slack says
// otherwise, and those a manager set in Slack puts under managerID. Done and on time count what
// was done since since; overdue is read at now. One statement, in user ID order.
func (db *DB) TeamLines(ctx context.Context, teamID, managerID string, fileReports []string, since, now time.Time) ([]baton.TeamLine, error) {
	var out []baton.TeamLine
	err := db.SelectContext(ctx, &out, `WITH reports AS (
			SELECT u AS user_id FROM unnest($3::text[]) u
			WHERE NOT EXISTS (SELECT 1 FROM people_managers m WHERE m.team_id = $1 AND m.user_id = u AND m.manager_id <> $2)
			UNION SELECT user_id FROM people_managers WHERE team_id = $1 AND manager_id = $2)
		SELECT r.user_id, t.open, t.overdue, t.blocked, t.done_with_due, t.on_time, q.waiting
		FROM reports r
		CROSS JOIN LATERAL (SELECT
			count(*) FILTER (WHERE status <> 'done') AS open,
			count(*) FILTER (WHERE status <> 'done' AND due_at < $5) AS overdue,
			count(*) FILTER (WHERE status = 'blocked') AS blocked,
			count(*) FILTER (WHERE status = 'done' AND status_changed_at >= $4 AND due_at IS NOT NULL) AS done_with_due,
			count(*) FILTER (WHERE status = 'done' AND status_changed_at >= $4 AND status_changed_at <= due_at) AS on_time
			FROM tasks WHERE team_id = $1 AND owner_id = r.user_id AND delegator_id <> r.user_id
				AND (status <> 'done' OR status_changed_at >= $4)) t
		CROSS JOIN LATERAL (SELECT count(*) AS waiting FROM requests
			WHERE team_id = $1 AND requester_id = r.user_id AND status = 'pending') q
		ORDER BY r.user_id`, teamID, managerID, pq.Array(fileReports), since, now)
	if err != nil {
		return nil, mapError("read team lines", err)
	}
	return out, nil
}
