package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// JobTable is the scheduler's table in Postgres, jobs: the truth behind the Redis index of due
// times. Its schema is a migration of store/migrations, the one sequence Baton's tables share;
// the scheduler reads and writes the table through JobTable (the local workspace's reset aside,
// which deletes a team's rows from every table). It implements JobStore.
type JobTable struct {
	db *sqlx.DB
	// byKeys and deleteVersions are the statements of cancels, prepared on first use (see
	// prepared) and kept as long as the table.
	prepareMu      sync.Mutex
	byKeys         *sqlx.Stmt
	deleteVersions *sqlx.Stmt
}

// NewJobTable returns the job table on db, which may be shared with the rest of the process
// (Baton gives it the store's pool).
func NewJobTable(db *sqlx.DB) *JobTable {
	return &JobTable{db: db}
}

// States of a JobRow. A job that ran successfully is deleted, so these are the only two.
const (
	// StatePending is a job waiting for its due time or being run by a worker.
	StatePending = "pending"
	// StateParked is a job that failed too often and waits for someone to retry or drop it.
	StateParked = "parked"
)

// JobRow is a job as stored: the Job a handler sees, with its version, state and failed runs.
type JobRow struct {
	Key       string    `db:"key"`
	TeamID    string    `db:"team_id"`
	Kind      string    `db:"kind"`
	Payload   []byte    `db:"payload"`
	DueAt     time.Time `db:"due_at"`
	Version   int64     `db:"version"`
	State     string    `db:"state"`
	Attempts  int       `db:"attempts"`
	LastError string    `db:"last_error"`
	UpdatedAt time.Time `db:"updated_at"`
}

// JobVersion identifies one version of a job and its due time. Prev is the version it replaced,
// or 0 when the job is new.
type JobVersion struct {
	Key     string    `db:"key"`
	Version int64     `db:"version"`
	Prev    int64     `db:"prev_version"`
	DueAt   time.Time `db:"due_at"`
}

// JobRef names one version of a job.
type JobRef struct {
	Key     string
	Version int64
}

const jobColumns = `key, team_id, kind, payload, due_at, version, state, attempts, last_error, updated_at`

// dueText formats instants for a timestamptz[] parameter, keeping every microsecond.
const dueText = "2006-01-02T15:04:05.999999Z07:00"

func (j JobRow) utc() JobRow {
	j.DueAt = j.DueAt.UTC()
	j.UpdatedAt = j.UpdatedAt.UTC()
	if j.Payload == nil {
		j.Payload = []byte{}
	}
	return j
}

func (v JobVersion) utc() JobVersion {
	v.DueAt = v.DueAt.UTC()
	return v
}

// tableError wraps a failure of Postgres with what was being done. No statement of the table
// can violate a constraint because of what a person did, so none becomes a domain error.
func tableError(op string, err error) error {
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func parkedJobNotFound(key string) error {
	return baton.Errorf(baton.ENotFound, "There is no parked job %q in this workspace. See the parked jobs with /baton jobs.", key)
}

// upsertJobsSQL stores and reschedules jobs given as arrays of keys, teams, kinds, payloads and
// due times (see UpsertJobs).
const upsertJobsSQL = `INSERT INTO jobs AS j (key, team_id, kind, payload, due_at)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::timestamptz[])
	ON CONFLICT (key) DO UPDATE SET team_id = excluded.team_id, kind = excluded.kind,
		payload = excluded.payload, due_at = excluded.due_at, version = nextval('job_versions'),
		prev_version = j.version, state = 'pending', attempts = 0, last_error = '', updated_at = now()
	RETURNING key, version, prev_version`

// UpsertJobs stores new jobs and reschedules existing ones by key in one statement: an existing
// job takes the new team, kind, payload and due time, becomes pending with no failed attempts,
// and gets a new version. Keys must be distinct. Only Key, TeamID, Kind, Payload and DueAt of
// each job are read. The result has one entry per job, in no particular order.
func (t *JobTable) UpsertJobs(ctx context.Context, jobs []JobRow) ([]JobVersion, error) {
	return upsertJobs(jobs, func(args ...any) (*sql.Rows, error) {
		return t.db.QueryContext(ctx, upsertJobsSQL, args...)
	})
}

// JobUpserter is UpsertJobs prepared once, for a caller that stores jobs often: each call then
// takes one round trip to Postgres instead of two, and the statement is not parsed again. It is
// safe for concurrent use.
type JobUpserter struct {
	stmt *sqlx.Stmt
}

// PrepareUpsertJobs prepares UpsertJobs. The statement holds resources on every connection that
// ran it until Close, or until the pool is closed.
func (t *JobTable) PrepareUpsertJobs(ctx context.Context) (*JobUpserter, error) {
	stmt, err := t.db.PreparexContext(ctx, upsertJobsSQL)
	if err != nil {
		return nil, tableError("prepare storing jobs", err)
	}
	return &JobUpserter{stmt: stmt}, nil
}

// UpsertJobs is JobTable.UpsertJobs.
func (u *JobUpserter) UpsertJobs(ctx context.Context, jobs []JobRow) ([]JobVersion, error) {
	return upsertJobs(jobs, func(args ...any) (*sql.Rows, error) {
		return u.stmt.QueryContext(ctx, args...)
	})
}

// Close releases the prepared statement.
func (u *JobUpserter) Close() error {
	if err := u.stmt.Close(); err != nil {
		return tableError("close prepared statement", err)
	}
	return nil
}

// upsertJobs runs upsertJobsSQL through query, which runs it on the pool or as a prepared
// statement. It is the scheduler's hottest statement, so rows are scanned by hand and due times
// are not read back: they are the ones given, to the microsecond Postgres keeps.
func upsertJobs(jobs []JobRow, query func(args ...any) (*sql.Rows, error)) ([]JobVersion, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	// Rows are written in key order, so two batches sharing keys lock them in the same order.
	sorted := slices.Clone(jobs)
	slices.SortFunc(sorted, func(a, b JobRow) int { return strings.Compare(a.Key, b.Key) })
	keys := make([]string, len(sorted))
	teams := make([]string, len(sorted))
	kinds := make([]string, len(sorted))
	payloads := make([][]byte, len(sorted))
	dues := make([]string, len(sorted))
	for i, j := range sorted {
		keys[i], teams[i], kinds[i] = j.Key, j.TeamID, j.Kind
		payloads[i] = j.Payload
		if payloads[i] == nil {
			payloads[i] = []byte{}
		}
		dues[i] = j.DueAt.UTC().Format(dueText)
	}
	rows, err := query(pq.Array(keys), pq.Array(teams), pq.Array(kinds), pq.Array(payloads), pq.Array(dues))
	if err != nil {
		return nil, tableError("store jobs", err)
	}
	defer rows.Close()
	out := make([]JobVersion, 0, len(sorted))
	for rows.Next() {
		var v JobVersion
		if err := rows.Scan(&v.Key, &v.Version, &v.Prev); err != nil {
			return nil, tableError("store jobs", err)
		}
		i, found := slices.BinarySearchFunc(sorted, v.Key, func(j JobRow, key string) int { return strings.Compare(j.Key, key) })
		if !found {
			return nil, tableError("store jobs", fmt.Errorf("postgres returned a key it was not given: %q", v.Key))
		}
		v.DueAt = sorted[i].DueAt.UTC().Truncate(time.Microsecond)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, tableError("store jobs", err)
	}
	return out, nil
}

// PendingJobs returns the pending jobs among keys, in no particular order. Keys that name no
// job or a parked one are left out.
func (t *JobTable) PendingJobs(ctx context.Context, keys []string) ([]JobRow, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var out []JobRow
	err := t.db.SelectContext(ctx, &out, `SELECT `+jobColumns+` FROM jobs WHERE key = ANY($1) AND state = 'pending'`,
		pq.Array(keys))
	if err != nil {
		return nil, tableError("read pending jobs", err)
	}
	for i := range out {
		out[i] = out[i].utc()
	}
	return out, nil
}

// JobByKey returns the job stored under key, and false when there is none.
func (t *JobTable) JobByKey(ctx context.Context, key string) (JobRow, bool, error) {
	var j JobRow
	err := t.db.GetContext(ctx, &j, `SELECT `+jobColumns+` FROM jobs WHERE key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return JobRow{}, false, nil
	}
	if err != nil {
		return JobRow{}, false, tableError("read job", err)
	}
	return j.utc(), true, nil
}

// prepared returns *stmt, preparing query into it first if need be. A prepared statement takes one
// round trip to Postgres a call instead of two, and is not parsed again; it holds resources on
// every connection that ran it until the pool is closed.
func (t *JobTable) prepared(ctx context.Context, stmt **sqlx.Stmt, query string) (*sqlx.Stmt, error) {
	t.prepareMu.Lock()
	defer t.prepareMu.Unlock()
	if *stmt == nil {
		p, err := t.db.PreparexContext(ctx, query)
		if err != nil {
			return nil, err
		}
		*stmt = p
	}
	return *stmt, nil
}

// JobStateRef is one version of a job and its state.
type JobStateRef struct {
	JobRef
	State string
}

// JobsByKey returns the version and state of the jobs stored under keys, pending and parked, in
// no particular order. Keys that name no job are left out. It is prepared on first use, as
// cancels call it often.
func (t *JobTable) JobsByKey(ctx context.Context, keys []string) ([]JobStateRef, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	stmt, err := t.prepared(ctx, &t.byKeys, `SELECT key, version, state FROM jobs WHERE key = ANY($1)`)
	if err != nil {
		return nil, tableError("read jobs", err)
	}
	rows, err := stmt.QueryContext(ctx, pq.Array(keys))
	if err != nil {
		return nil, tableError("read jobs", err)
	}
	defer rows.Close()
	out := make([]JobStateRef, 0, len(keys))
	for rows.Next() {
		var j JobStateRef
		if err := rows.Scan(&j.Key, &j.Version, &j.State); err != nil {
			return nil, tableError("read jobs", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, tableError("read jobs", err)
	}
	return out, nil
}

// DeleteJobs deletes these versions of jobs in one statement and returns the keys of those that
// were still stored. A job rescheduled or retried since (a newer version) is kept. It is prepared
// on first use, as cancels call it often.
func (t *JobTable) DeleteJobs(ctx context.Context, refs []JobRef) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	stmt, err := t.prepared(ctx, &t.deleteVersions, `DELETE FROM jobs j USING unnest($1::text[], $2::bigint[]) AS d (key, version)
		WHERE j.key = d.key AND j.version = d.version RETURNING j.key`)
	if err != nil {
		return nil, tableError("delete jobs", err)
	}
	keys, versions := refArrays(refs)
	var out []string
	if err := stmt.SelectContext(ctx, &out, pq.Array(keys), pq.Array(versions)); err != nil {
		return nil, tableError("delete jobs", err)
	}
	return out, nil
}

// refArrays splits refs, sorted by key so that concurrent statements lock rows in the same order,
// into arrays of keys and versions.
func refArrays(refs []JobRef) ([]string, []int64) {
	sorted := slices.Clone(refs)
	slices.SortFunc(sorted, func(a, b JobRef) int { return strings.Compare(a.Key, b.Key) })
	keys := make([]string, len(sorted))
	versions := make([]int64, len(sorted))
	for i, r := range sorted {
		keys[i], versions[i] = r.Key, r.Version
	}
	return keys, versions
}

// FinishJobs records that these versions of jobs ran, by deleting them in one statement, and
// returns how many were still stored. A job rescheduled since (a newer version) is kept.
func (t *JobTable) FinishJobs(ctx context.Context, refs []JobRef) (int64, error) {
	if len(refs) == 0 {
		return 0, nil
	}
	keys, versions := refArrays(refs)
	res, err := t.db.ExecContext(ctx, `DELETE FROM jobs j USING unnest($1::text[], $2::bigint[]) AS f (key, version)
		WHERE j.key = f.key AND j.version = f.version`, pq.Array(keys), pq.Array(versions))
	if err != nil {
		return 0, tableError("record fired jobs", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, tableError("record fired jobs", err)
	}
	return n, nil
}

// FailJob records a failed run of one version of a job: it counts the attempt, keeps the error,
// and either reschedules the job at retryAt or, when park is set, parks it. Either way the job
// gets a new version, returned with ok set; ok is false when that version is no longer stored
// (rescheduled, cancelled or finished meanwhile) and nothing was changed.
func (t *JobTable) FailJob(ctx context.Context, ref JobRef, lastError string, retryAt time.Time, park bool) (JobVersion, bool, error) {
	var v JobVersion
	err := t.db.GetContext(ctx, &v, `UPDATE jobs SET attempts = attempts + 1, last_error = $3,
			version = nextval('job_versions'), prev_version = version,
			state = CASE WHEN $5 THEN 'parked' ELSE 'pending' END,
			due_at = CASE WHEN $5 THEN due_at ELSE $4::timestamptz END, updated_at = now()
		WHERE key = $1 AND version = $2
		RETURNING key, version, prev_version, due_at`,
		ref.Key, ref.Version, lastError, retryAt.UTC(), park)
	if errors.Is(err, sql.ErrNoRows) {
		return JobVersion{}, false, nil
	}
	if err != nil {
		return JobVersion{}, false, tableError("record failed job", err)
	}
	return v.utc(), true, nil
}

// PendingJobsAfter pages through the pending jobs in key order: up to limit of them whose key
// sorts after afterKey ("" for the first page).
//
// The filter is written state <> 'parked', not state = 'pending' (the same, as a job is one or
// the other): before the table has statistics, as right after a bulk enqueue, the planner
// estimates that few rows are pending and sorts the whole table for every page, where this
// reads the primary key index from afterKey on.
func (t *JobTable) PendingJobsAfter(ctx context.Context, afterKey string, limit int) ([]JobVersion, error) {
	var out []JobVersion
	err := t.db.SelectContext(ctx, &out, `SELECT key, version, prev_version, due_at FROM jobs
		WHERE state <> 'parked' AND key > $1 ORDER BY key LIMIT $2`, afterKey, limit)
	if err != nil {
		return nil, tableError("list pending jobs", err)
	}
	for i := range out {
		out[i] = out[i].utc()
	}
	return out, nil
}

// ParkedJobs lists a workspace's parked jobs, oldest parked first.
func (t *JobTable) ParkedJobs(ctx context.Context, teamID string) ([]JobRow, error) {
	var out []JobRow
	err := t.db.SelectContext(ctx, &out, `SELECT `+jobColumns+` FROM jobs
		WHERE team_id = $1 AND state = 'parked' ORDER BY updated_at, key`, teamID)
	if err != nil {
		return nil, tableError("list parked jobs", err)
	}
	for i := range out {
		out[i] = out[i].utc()
	}
	return out, nil
}

// RetryParkedJob makes a workspace's parked job pending again, due at dueAt with a fresh count
// of attempts, and returns its new version. A job that is not parked there is not found.
func (t *JobTable) RetryParkedJob(ctx context.Context, teamID, key string, dueAt time.Time) (JobVersion, error) {
	var v JobVersion
	err := t.db.GetContext(ctx, &v, `UPDATE jobs SET state = 'pending', due_at = $3, attempts = 0, last_error = '',
			version = nextval('job_versions'), prev_version = version, updated_at = now()
		WHERE team_id = $1 AND key = $2 AND state = 'parked'
		RETURNING key, version, prev_version, due_at`, teamID, key, dueAt.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return JobVersion{}, parkedJobNotFound(key)
	}
	if err != nil {
		return JobVersion{}, tableError("retry parked job", err)
	}
	return v.utc(), nil
}

// DropParkedJob deletes a workspace's parked job. A job that is not parked there is not found.
func (t *JobTable) DropParkedJob(ctx context.Context, teamID, key string) error {
	res, err := t.db.ExecContext(ctx, `DELETE FROM jobs WHERE team_id = $1 AND key = $2 AND state = 'parked'`, teamID, key)
	if err != nil {
		return tableError("drop parked job", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return tableError("drop parked job", err)
	}
	if n == 0 {
		return parkedJobNotFound(key)
	}
	return nil
}

// CountParked counts the parked jobs of every workspace.
func (t *JobTable) CountParked(ctx context.Context) (int64, error) {
	var n int64
	if err := t.db.GetContext(ctx, &n, `SELECT count(*) FROM jobs WHERE state = 'parked'`); err != nil {
		return 0, tableError("count parked jobs", err)
	}
	return n, nil
}
