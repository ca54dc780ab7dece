package store

import (
	"context"
	"slices"
	"time"

	baton "github.com/batonhq/baton"
)

// WorkspaceRequests returns the requests anyone filed in a workspace since since, oldest first, each
// with its steps and whether it was approved at once. When there are more than limit, the latest
// limit of them.
func (db *DB) WorkspaceRequests(ctx context.Context, teamID string, since time.Time, limit int) ([]baton.FiledRequest, error) {
	var rows []struct {
		requestRow
		Auto bool `db:"auto"`
	}
	err := db.SelectContext(ctx, &rows, `SELECT `+prefixed("r.", requestColumns)+`,
		EXISTS (SELECT 1 FROM approval_actions a WHERE a.request_id = r.id AND a.action = 'auto_approve') AS auto
		FROM requests r WHERE r.team_id = $1 AND r.created_at >= $2
		ORDER BY r.created_at DESC, r.id DESC LIMIT $3`, teamID, since, limit)
	if err != nil {
		return nil, mapError("read the workspace's requests", err)
	}
	slices.Reverse(rows)
	out := make([]baton.FiledRequest, len(rows))
	ids := make([]int64, len(rows))
	for i, row := range rows {
		r, err := row.request()
		if err != nil {
			return nil, err
		}
		out[i], ids[i] = baton.FiledRequest{ApprovalRequest: r, AutoApproved: row.Auto}, r.ID
	}
	steps, err := loadSteps(ctx, db.DB, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Steps = steps[out[i].ID]
	}
	return out, nil
}
