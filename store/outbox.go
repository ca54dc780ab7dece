package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// recordAndAnnounce appends ev to after's history and writes the messages the change owes into the
// outbox, in one statement, and returns ev as stored.
func recordAndAnnounce(ctx context.Context, tx *sqlx.Tx, before, after baton.Task, ev baton.TaskEvent) (baton.TaskEvent, error) {
	list := after.Announcements(before, ev)
	kinds, to := make([]string, len(list)), make([]string, len(list))
	decisions, refs := make([]int64, len(list)), make([]int64, len(list))
	for i, an := range list {
		kinds[i], to[i], decisions[i], refs[i] = string(an.Kind), an.To, an.About, an.Ref
	}
	var stored baton.TaskEvent
	err := tx.GetContext(ctx, &stored, `WITH ev AS (
			INSERT INTO task_events (task_id, team_id, kind, actor_id, from_value, to_value, note, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+taskEventColumns+`),
		lane AS (INSERT INTO outbox_lanes (team_id, lane) VALUES ($2, $9) ON CONFLICT DO NOTHING),
		queued AS (INSERT INTO outbox (team_id, lane, kind, task_id, event_id, recipient, decision_id, ref)
			SELECT $2, $9, k, $1, (SELECT id FROM ev), r, NULLIF(d, 0), f
			FROM unnest($10::text[], $11::text[], $12::bigint[], $13::bigint[]) WITH ORDINALITY AS m(k, r, d, f, n) ORDER BY n)
		SELECT `+taskEventColumns+` FROM ev`,
		after.ID, after.TeamID, ev.Kind, ev.Actor, ev.From, ev.To, ev.Note, ev.At, after.AnnounceLane(),
		pq.Array(kinds), pq.Array(to), pq.Array(decisions), pq.Array(refs))
	if err != nil {
		return baton.TaskEvent{}, mapError("record the change and queue its messages", err)
	}
	stored.At = stored.At.UTC()
	return stored, nil
}

// announceDecision writes the messages a decision's saved version owes into the outbox, in the
// transaction that saves it.
func announceDecision(ctx context.Context, tx *sqlx.Tx, out *baton.DecisionSave, created bool) error {
	d := out.Decision
	c := baton.DecisionChange{Created: created, Version: out.Version.Version, Flags: out.Flags}
	if out.Superseded != nil {
		c.Superseded = out.Superseded.ID
	}
	var own, superseded []baton.Announcement
	for _, a := range d.Announcements(c) {
		if a.About != 0 {
			superseded = append(superseded, a)
		} else {
			own = append(own, a)
		}
	}
	if err := queueAbout(ctx, tx, d.TeamID, d.AnnounceLane(), own, about{decision: d.ID}); err != nil || out.Superseded == nil {
		return err
	}
	// What the superseded decision's card owes waits in its own lane, behind anything it still owes.
	return queueAbout(ctx, tx, d.TeamID, out.Superseded.AnnounceLane(), superseded, about{})
}

// about is what a batch of announcements is about: a decision (or, for an announcement naming one as
// About, that decision), or a request. A task's announcements are written by recordAndAnnounce.
type about struct{ decision, request int64 }

// queueAbout writes announcements in one lane, in order.
func queueAbout(ctx context.Context, tx *sqlx.Tx, teamID, lane string, list []baton.Announcement, a about) error {
	kinds, to := make([]string, len(list)), make([]string, len(list))
	decisions, refs := make([]int64, len(list)), make([]int64, len(list))
	for i, an := range list {
		kinds[i], to[i], decisions[i], refs[i] = string(an.Kind), an.To, a.decision, an.Ref
		if an.About != 0 {
			decisions[i] = an.About
		}
	}
	_, err := tx.ExecContext(ctx, `WITH lane AS (
			INSERT INTO outbox_lanes (team_id, lane) VALUES ($1, $2) ON CONFLICT DO NOTHING)
		INSERT INTO outbox (team_id, lane, kind, recipient, decision_id, ref, request_id)
		SELECT $1, $2, k, r, NULLIF(d, 0), f, NULLIF($7::bigint, 0)
		FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS m(k, r, d, f, n) ORDER BY n`,
		teamID, lane, pq.Array(kinds), pq.Array(to), pq.Array(decisions), pq.Array(refs), a.request)
	return mapError("queue the change's messages", err)
}

// ClaimLane takes one lane for claim, for lease, unless another process holds it.
func (db *DB) ClaimLane(ctx context.Context, l baton.Lane, claim string, lease time.Duration) (baton.ClaimedLane, bool, error) {
	var out []baton.ClaimedLane
	// The lane is locked first and tested as locked: a lane its holder is releasing at this moment
	// is free once the release commits.
	err := db.SelectContext(ctx, &out, `WITH prev AS (
			SELECT team_id, lane, claim, lease_until FROM outbox_lanes WHERE team_id = $1 AND lane = $2 FOR UPDATE)
		UPDATE outbox_lanes l SET claim = $3, lease_until = now() + make_interval(secs => $4),
			taken_over = l.taken_over OR prev.claim NOT IN ('', $3)
		FROM prev
		WHERE l.team_id = prev.team_id AND l.lane = prev.lane AND (prev.claim = $3 OR prev.lease_until < now())
		RETURNING l.team_id, l.lane, l.taken_over`, l.TeamID, l.Lane, claim, lease.Seconds())
	if err != nil || len(out) == 0 {
		return baton.ClaimedLane{}, false, mapError("claim an outbox lane", err)
	}
	return out[0], true, nil
}

// ClaimLanes takes, for claim, up to limit lanes that have messages waiting and that nobody holds
// (or whose holder's lease is over), oldest message first.
func (db *DB) ClaimLanes(ctx context.Context, claim string, lease time.Duration, limit int) ([]baton.ClaimedLane, error) {
	var out []baton.ClaimedLane
	err := db.SelectContext(ctx, &out, `UPDATE outbox_lanes l SET claim = $1, lease_until = now() + make_interval(secs => $2),
			taken_over = l.taken_over OR free.claim NOT IN ('', $1)
		FROM (SELECT l.team_id, l.lane, l.claim FROM outbox_lanes l
			JOIN (SELECT team_id, lane, min(id) AS first FROM outbox GROUP BY team_id, lane) w USING (team_id, lane)
			WHERE l.lease_until < now()
			ORDER BY w.first LIMIT $3 FOR UPDATE OF l SKIP LOCKED) free
		WHERE l.team_id = free.team_id AND l.lane = free.lane
		RETURNING l.team_id, l.lane, l.taken_over`, claim, lease.Seconds(), limit)
	return out, mapError("claim outbox lanes", err)
}

// OutgoingIn returns up to limit messages waiting in a lane, oldest first, each with its task event
// and its task, decision or request as it stands now. A message whose subject is gone is not
// returned (it went with it).
func (db *DB) OutgoingIn(ctx context.Context, l baton.Lane, limit int) ([]baton.Outgoing, error) {
	var out []baton.Outgoing
	err := db.SelectContext(ctx, &out, `SELECT o.id, o.team_id, o.lane, o.kind, o.recipient, o.attempts, o.created_at,
			COALESCE(o.task_id, 0) AS task_id, COALESCE(o.decision_id, 0) AS decision_id,
			COALESCE(o.request_id, 0) AS request_id, o.ref,
			COALESCE(e.id, 0) AS "event.id", COALESCE(e.task_id, 0) AS "event.task_id", o.team_id AS "event.team_id",
			COALESCE(e.kind, '') AS "event.kind", COALESCE(e.actor_id, '') AS "event.actor_id",
			COALESCE(e.from_value, '') AS "event.from_value", COALESCE(e.to_value, '') AS "event.to_value",
			COALESCE(e.note, '') AS "event.note", COALESCE(e.at, o.created_at) AS "event.at"
		FROM outbox o LEFT JOIN task_events e ON e.id = o.event_id
		WHERE o.team_id = $1 AND o.lane = $2 ORDER BY o.id LIMIT $3`, l.TeamID, l.Lane, limit)
	if err != nil || len(out) == 0 {
		return nil, mapError("read the outbox", err)
	}
	var taskIDs, decisionIDs, requestIDs []int64
	for _, o := range out {
		switch {
		case o.TaskID != 0:
			taskIDs = append(taskIDs, o.TaskID)
		case o.DecisionID != 0:
			decisionIDs = append(decisionIDs, o.DecisionID)
		default:
			requestIDs = append(requestIDs, o.RequestID)
		}
	}
	tasks, err := db.tasksByID(ctx, taskIDs)
	if err != nil {
		return nil, err
	}
	decisions, err := db.decisionsByID(ctx, decisionIDs)
	if err != nil {
		return nil, err
	}
	requests, err := db.requestsByID(ctx, requestIDs)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, o := range out {
		t, isTask := tasks[o.TaskID]
		d, isDecision := decisions[o.DecisionID]
		r, isRequest := requests[o.RequestID]
		if !isTask && !isDecision && !isRequest {
			continue
		}
		o.Task, o.Decision, o.Request, o.Event.At, o.Created = t, d, r, o.Event.At.UTC(), o.Created.UTC()
		kept = append(kept, o)
	}
	return kept, nil
}

func (db *DB) requestsByID(ctx context.Context, ids []int64) (map[int64]baton.ApprovalRequest, error) {
	out, err := byID(ctx, db, "requests", requestColumns, ids, func(row requestRow) (int64, baton.ApprovalRequest, error) {
		r, err := row.request()
		return r.ID, r, err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	steps, err := loadSteps(ctx, db.DB, ids)
	if err != nil {
		return nil, err
	}
	for id, r := range out {
		r.Steps = steps[id]
		out[id] = r
	}
	return out, nil
}

func (db *DB) tasksByID(ctx context.Context, ids []int64) (map[int64]baton.Task, error) {
	return byID(ctx, db, "tasks", taskColumns, ids, func(row taskRow) (int64, baton.Task, error) {
		return row.ID, row.task(), nil
	})
}

func (db *DB) decisionsByID(ctx context.Context, ids []int64) (map[int64]baton.Decision, error) {
	return byID(ctx, db, "decisions", decisionColumns, ids, func(row decisionRow) (int64, baton.Decision, error) {
		return row.ID, row.decision(), nil
	})
}

// byID reads the rows of table whose id is among ids, scanned as R and turned into V by conv,
// keyed by ID: the records the outbox's messages are about.
func byID[R, V any](ctx context.Context, db *DB, table, columns string, ids []int64, conv func(R) (int64, V, error)) (map[int64]V, error) {
	out := make(map[int64]V, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []R
	if err := db.SelectContext(ctx, &rows, `SELECT `+columns+` FROM `+table+` WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, mapError("read the outbox's "+table, err)
	}
	for _, row := range rows {
		id, v, err := conv(row)
		if err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, nil
}

// FinishOutgoing removes sent messages from a lane claim holds and, when no message is left in it,
// gives the lane up, reporting whether it did: a lane that received a message meanwhile stays held,
// for its holder to go on. settled clears the lane's TakenOver: the posts a dead holder may have
// made have been dealt with.
func (db *DB) FinishOutgoing(ctx context.Context, l baton.Lane, claim string, ids []int64, settled bool) (released bool, err error) {
	var out []struct {
		Released bool `db:"released"`
	}
	err = db.SelectContext(ctx, &out, `WITH sent AS (
			DELETE FROM outbox WHERE id = ANY($4::bigint[])
			AND EXISTS (SELECT 1 FROM outbox_lanes WHERE team_id = $1 AND lane = $2 AND claim = $3)),
		empty AS (SELECT NOT EXISTS (SELECT 1 FROM outbox WHERE team_id = $1 AND lane = $2 AND id <> ALL($4::bigint[])) AS yes)
		UPDATE outbox_lanes SET taken_over = taken_over AND NOT $5,
			claim = CASE WHEN (SELECT yes FROM empty) THEN '' ELSE claim END,
			lease_until = CASE WHEN (SELECT yes FROM empty) THEN '-infinity' ELSE lease_until END
		WHERE team_id = $1 AND lane = $2 AND claim = $3
		RETURNING claim = '' AS released`, l.TeamID, l.Lane, claim, pq.Array(append([]int64{}, ids...)), settled)
	if err != nil {
		return false, mapError("mark outbox messages sent", err)
	}
	if len(out) == 0 {
		return false, baton.ErrLaneLost
	}
	return out[0].Released, nil
}

// DeferOutgoing records a failed attempt at a message and gives its lane up, closed to every process
// for wait, so the message is tried again then, still ahead of the others.
func (db *DB) DeferOutgoing(ctx context.Context, l baton.Lane, claim string, id int64, reason string, wait time.Duration) error {
	var held bool
	err := db.GetContext(ctx, &held, `WITH held AS (
			UPDATE outbox_lanes SET claim = '', lease_until = now() + make_interval(secs => $5)
			WHERE team_id = $1 AND lane = $2 AND claim = $3 RETURNING 1),
		failed AS (UPDATE outbox SET attempts = attempts + 1, last_error = $6 WHERE id = $4 AND EXISTS (SELECT 1 FROM held))
		SELECT EXISTS (SELECT 1 FROM held)`, l.TeamID, l.Lane, claim, id, wait.Seconds(), reason)
	if err != nil {
		return mapError("defer an outbox message", err)
	}
	if !held {
		return baton.ErrLaneLost
	}
	return nil
}

// ExtendLanes renews the lease of the lanes claim holds and is sending. A lane it holds and no longer
// sends (one it failed to let go) is not renewed: its lease runs out, and any process takes it then.
func (db *DB) ExtendLanes(ctx context.Context, claim string, lanes []baton.Lane, lease time.Duration) error {
	if len(lanes) == 0 {
		return nil
	}
	teams, names := make([]string, len(lanes)), make([]string, len(lanes))
	for i, l := range lanes {
		teams[i], names[i] = l.TeamID, l.Lane
	}
	// The lanes are locked in one order, as every other statement that locks several does.
	_, err := db.ExecContext(ctx, `UPDATE outbox_lanes l SET lease_until = now() + make_interval(secs => $2)
		FROM (SELECT o.team_id, o.lane FROM outbox_lanes o
			JOIN unnest($3::text[], $4::text[]) AS h(team_id, lane) ON o.team_id = h.team_id AND o.lane = h.lane
			WHERE o.claim = $1 ORDER BY o.team_id, o.lane FOR UPDATE OF o) k
		WHERE l.team_id = k.team_id AND l.lane = k.lane`, claim, lease.Seconds(), pq.Array(teams), pq.Array(names))
	return mapError("extend outbox lanes", err)
}

// LetGoLane gives up a lane claim holds but stopped sending, for any process to claim after wait.
// suspect marks it taken over: a post may have been under way when the holder stopped.
func (db *DB) LetGoLane(ctx context.Context, l baton.Lane, claim string, wait time.Duration, suspect bool) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox_lanes SET claim = '', lease_until = now() + make_interval(secs => $4),
		taken_over = taken_over OR $5
		WHERE team_id = $1 AND lane = $2 AND claim = $3`, l.TeamID, l.Lane, claim, wait.Seconds(), suspect)
	return mapError("let go of an outbox lane", err)
}

// LanePosts counts the posts waiting in a lane: new cards and thread replies, which Slack lets
// through about once a second per channel (a card redrawn is not a post).
func (db *DB) LanePosts(ctx context.Context, l baton.Lane) (int, error) {
	var n int
	err := db.GetContext(ctx, &n, `SELECT count(*) FILTER (WHERE o.kind = $4)
			+ count(DISTINCT o.task_id) FILTER (WHERE o.kind = $3 AND t.card_ts = '')
		FROM outbox o JOIN tasks t ON t.id = o.task_id
		WHERE o.team_id = $1 AND o.lane = $2`,
		l.TeamID, l.Lane, baton.AnnounceCard, baton.AnnounceThread)
	return n, mapError("count an outbox lane", err)
}
