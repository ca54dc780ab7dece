package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// riverVersion is the river release this module requires (go.mod).
const riverVersion = "v0.51.2"

// riverDocWorkers is the MaxWorkers of the queue configuration in river's documentation
// (doc.go and its examples). river has no default: a queue's MaxWorkers is required.
const riverDocWorkers = 100

// riverMaxWorkers is the most workers river allows a queue.
const riverMaxWorkers = river.QueueNumWorkersMax

// checkinArgs is the job as river stores it: its args are the JSON of this struct. River's unique
// key is computed from the args, so the job's key is one of them, marked river:"unique" so that
// it alone decides uniqueness; the other two fields are the 35-byte payload of the other systems.
type checkinArgs struct {
	Key  string `json:"key" river:"unique"`
	Task string `json:"task"`
	User string `json:"user"`
}

func (checkinArgs) Kind() string { return jobKind }

// InsertOpts makes the key unique: a second insert of a key in a pending, scheduled, available,
// running, retryable or completed job (river's default states) is skipped.
func (checkinArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func riverArgs(i int) checkinArgs {
	return checkinArgs{Key: jobKey(i), Task: "T-12", User: "U0123ABCD"}
}

// riverOpts schedules a job at due; the zero time inserts it available, due at once.
func riverOpts(due time.Time) *river.InsertOpts {
	return &river.InsertOpts{ScheduledAt: due}
}

// checkinWorker records every fire in f (nil: an insert-only client's worker, never called).
type checkinWorker struct {
	river.WorkerDefaults[checkinArgs]
	f *fires
}

func (w *checkinWorker) Work(_ context.Context, job *river.Job[checkinArgs]) error {
	w.f.record(job.Args.Key)
	return nil
}

// openRiver creates river's schema, opens a pgx pool of the size of Baton's and migrates the
// schema with rivermigrate.
func (e *env) openRiver(ctx context.Context, o options, schema string) error {
	if err := e.admin(ctx, "CREATE SCHEMA "+schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	e.riverSchema = schema
	cfg, err := pgxpool.ParseConfig(o.pgURL)
	if err != nil {
		return fmt.Errorf("river pool: %w", err)
	}
	// At most as many connections as Baton's pool (pgxpool's own default is max(4, NumCPU)).
	cfg.MaxConns = batonPoolSize
	if e.riverDB, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("river pool: %w", err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(e.riverDB), &rivermigrate.Config{Schema: schema, Logger: e.log})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// riverTable is river's job table, qualified by its schema.
func (e *env) riverTable() string { return e.riverSchema + ".river_job" }

// riverClient returns a river client on the bench schema. With workers > 0 it works the default
// queue with that MaxWorkers, recording fires in f; otherwise it only inserts. Every interval
// (fetch cooldown and poll, the leader's scheduler) is river's default.
func (e *env) riverClient(f *fires, workers int) (*river.Client[pgx.Tx], error) {
	ws := river.NewWorkers()
	river.AddWorker(ws, &checkinWorker{f: f})
	cfg := &river.Config{Schema: e.riverSchema, Workers: ws, Logger: e.log}
	if workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}
	}
	return river.NewClient(riverpgxv5.New(e.riverDB), cfg)
}

// riverEnqueueSingle inserts n jobs with one Insert call each from conc goroutines; each call
// returns once its job is committed.
func riverEnqueueSingle(ctx context.Context, c *river.Client[pgx.Tx], n, conc int, due func(int) time.Time) (time.Duration, error) {
	return parallel(ctx, n, conc, func(i int) error {
		_, err := c.Insert(ctx, riverArgs(i), riverOpts(due(i)))
		return err
	})
}

// riverEnqueueBatched inserts n jobs with InsertMany calls of batch jobs from conc goroutines.
func riverEnqueueBatched(ctx context.Context, c *river.Client[pgx.Tx], n, batch, conc int, due func(int) time.Time) (time.Duration, error) {
	batches := (n + batch - 1) / batch
	return parallel(ctx, batches, conc, func(b int) error {
		lo, hi := b*batch, min((b+1)*batch, n)
		params := make([]river.InsertManyParams, 0, hi-lo)
		for i := lo; i < hi; i++ {
			params = append(params, river.InsertManyParams{Args: riverArgs(i), InsertOpts: riverOpts(due(i))})
		}
		_, err := c.InsertMany(ctx, params)
		return err
	})
}

// checkRiver verifies that river holds n jobs waiting to run (scheduled or available).
func (e *env) checkRiver(ctx context.Context, n int) error {
	var waiting int
	err := e.riverDB.QueryRow(ctx, "SELECT count(*) FROM "+e.riverTable()+" WHERE state IN ('scheduled', 'available')").Scan(&waiting)
	if err != nil {
		return err
	}
	if waiting != n {
		return fmt.Errorf("river holds %d waiting jobs, want %d", waiting, n)
	}
	return nil
}

// riverCompleted counts river's completed jobs: a fire counts once its job is marked completed.
func (e *env) riverCompleted(ctx context.Context) (int, error) {
	var n int
	err := e.riverDB.QueryRow(ctx, "SELECT count(*) FROM "+e.riverTable()+" WHERE state = 'completed'").Scan(&n)
	return n, err
}

// startRiver starts a working client; stop stops it and waits until it has.
func startRiver(ctx context.Context, c *river.Client[pgx.Tx]) (stop func() error, err error) {
	if err := c.Start(ctx); err != nil {
		return nil, fmt.Errorf("river Start: %w", err)
	}
	return func() error {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := c.Stop(sctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("river Stop: %w", err)
		}
		return nil
	}, nil
}

// riverJobID finds the id of the job under key that has not run yet or is running (river's
// unique states bar a second such job). river cancels by id, and its unique key
// is a hash it keeps to itself, so the key is found in the args, through river's GIN index on
// them (args @> {"key": …}).
func (e *env) riverJobID(ctx context.Context, key string) (int64, bool, error) {
	var id int64
	err := e.riverDB.QueryRow(ctx, "SELECT id FROM "+e.riverTable()+
		" WHERE args @> jsonb_build_object('key', $1::text) AND kind = $2 AND state IN ('scheduled', 'available', 'retryable', 'pending', 'running')",
		key, jobKind).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// riverCancel cancels the job waiting under key and reports whether river cancelled it.
func (e *env) riverCancel(ctx context.Context, c *river.Client[pgx.Tx], key string) (bool, error) {
	id, ok, err := e.riverJobID(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	job, err := c.JobCancel(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return job.State == rivertype.JobStateCancelled, nil
}
