// Package scheduler runs delayed jobs: check-ins, deadline watches, escalations.
//
// Postgres keeps the truth, in the scheduler's own table (see JobTable); Redis keeps only an index
// of due times, a sorted set whose members are "key|version" (see keys.go). Every enqueue,
// reschedule and retry gives a job a new version, and a worker runs a claimed member only if
// Postgres still holds that version, so a leftover index entry of an older version never fires.
// Redis may lose everything at any time: Run rebuilds the index from Postgres at start,
// periodically, and as soon as a claim finds that Redis was emptied.
//
// A job fires when the clock of the process that claims it (Config.Now) reaches its due time,
// never before; processes sharing a queue should keep their clocks synchronised. Workers sleep
// until the earliest due time and are woken (in-process directly, across processes by Redis
// pub/sub) when an earlier job is enqueued.
//
// Delivery is at-least-once: a worker that dies mid-job loses its lease and the job runs again.
// Handlers re-read the state they act on and do nothing if the world has moved on.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Job is one delayed job. Key is deterministic (for example "checkin:T0123:C-5"): enqueueing a
// job under a key that exists reschedules it, and Cancel takes the key. Key is unique across
// workspaces, so it should name the workspace.
type Job struct {
	Kind    string
	Key     string
	TeamID  string
	Payload []byte
	// DueAt is when the job may fire, never before. The zero time means now. It is kept to the
	// microsecond, rounded up.
	DueAt time.Time
	// Attempt counts runs of this version that ended, starting at 1 for the first run: failures
	// so far plus one. A run cut short by a crash (an expired lease) is not counted. Ignored by
	// Enqueue.
	Attempt int
}

// HandlerFunc runs a due job. Its context ends when the job's lease does; returning an error
// retries the job with backoff. A job may run more than once, so a handler re-reads state.
type HandlerFunc func(ctx context.Context, j Job) error

// ParkedJob is a job that failed Config.MaxAttempts times in a row and waits for Retry or Drop.
// Its Attempt is the number of failed runs.
type ParkedJob struct {
	Job
	LastError string
	ParkedAt  time.Time
}

// CancelResult is what Cancel did.
type CancelResult int

// The answers of Cancel.
const (
	// NotFound: no such job is waiting (it never existed, already ran, or was cancelled).
	NotFound CancelResult = iota
	// Cancelled: the job will not run.
	Cancelled
	// AlreadyRunning: a worker holds the job, so this run goes on (and may be retried if it fails).
	AlreadyRunning
)

func (r CancelResult) String() string {
	switch r {
	case Cancelled:
		return "cancelled"
	case AlreadyRunning:
		return "already_running"
	default:
		return "not_found"
	}
}

// JobStore is what the scheduler needs from Postgres; *JobTable implements it.
type JobStore interface {
	UpsertJobs(ctx context.Context, jobs []JobRow) ([]JobVersion, error)
	PendingJobs(ctx context.Context, keys []string) ([]JobRow, error)
	JobsByKey(ctx context.Context, keys []string) ([]JobStateRef, error)
	DeleteJobs(ctx context.Context, refs []JobRef) ([]string, error)
	FinishJobs(ctx context.Context, refs []JobRef) (int64, error)
	FailJob(ctx context.Context, ref JobRef, lastError string, retryAt time.Time, park bool) (JobVersion, bool, error)
	PendingJobsAfter(ctx context.Context, afterKey string, limit int) ([]JobVersion, error)
	ParkedJobs(ctx context.Context, teamID string) ([]JobRow, error)
	RetryParkedJob(ctx context.Context, teamID, key string, dueAt time.Time) (JobVersion, error)
	DropParkedJob(ctx context.Context, teamID, key string) error
}

var _ JobStore = (*JobTable)(nil)

// Config configures a Scheduler. Redis and Store are required; the rest have defaults.
type Config struct {
	Redis redis.UniversalClient
	Store JobStore
	// Prefix starts every Redis name; it should be a hash tag such as "{baton}" (one without
	// braces is wrapped in them). Processes sharing a queue use the same prefix.
	Prefix string
	// Lease is how long a worker holds a claimed job before the job is presumed lost and runs
	// again; it is also the handler's deadline. Default 30 s.
	Lease time.Duration
	// Workers is how many handlers run at once in this process. Default 256.
	Workers int
	// BatchSize is the most jobs claimed, loaded or recorded in one call. Default 512.
	BatchSize int
	// MaxAttempts is how many failed runs in a row park a job. Default 8.
	MaxAttempts int
	// Backoff is the wait before the next run after failed run number attempt (1, 2, …).
	// Default 1 s doubling up to 10 min.
	Backoff func(attempt int) time.Duration
	// ReconcileEvery is how often the Redis index is rebuilt from Postgres. Default 1 min.
	ReconcileEvery time.Duration
	// Idle bounds how long a worker, and the lease recoverer, sleep between looks at Redis when
	// nothing wakes them. Default 2 s for workers, 5 s (or the lease, if shorter) for the recoverer.
	Idle time.Duration
	Log  *slog.Logger
	// Observer hears of every run, parked job and index rebuild; nil: nobody.
	Observer Observer
	// Now is the clock jobs are due by. Default time.Now.
	Now func() time.Time
}

// Defaults of Config.
const (
	DefaultLease          = 30 * time.Second
	DefaultWorkers        = 256
	DefaultBatchSize      = 512
	DefaultMaxAttempts    = 8
	DefaultReconcileEvery = time.Minute
)

// DefaultBackoff waits 1 s after the first failure and doubles each time, up to 10 minutes.
func DefaultBackoff(attempt int) time.Duration {
	const ceiling = 10 * time.Minute
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 10 {
		return ceiling
	}
	return min(time.Second<<(attempt-1), ceiling)
}

// maxIdle bounds a worker's sleep when nothing is due soon. Wake-ups make it unnecessary for
// precision; it only bounds the cost of a lost pub/sub message or of a Redis that lost its data.
const maxIdle = 2 * time.Second

// Scheduler enqueues, cancels and runs delayed jobs. Enqueue, Cancel and the parked-job methods
// may be used without Run (a process that only schedules); Run makes the process a worker.
type Scheduler struct {
	rdb         redis.UniversalClient
	store       JobStore
	keys        keys
	lease       time.Duration
	workers     int
	batch       int
	maxAttempts int
	backoff     func(int) time.Duration
	every       time.Duration
	log         *slog.Logger
	now         func() time.Time
	observer    Observer

	mu       sync.RWMutex
	handlers map[string]HandlerFunc

	running atomic.Bool
	// sleepUntil is the score the dispatcher sleeps until (math.MaxInt64 while it is awake): an
	// earlier due time wakes it through wakeCh.
	sleepUntil atomic.Int64
	wakeCh     chan struct{}
	// reconcileCh asks the reconcile loop for a rebuild now.
	reconcileCh chan struct{}
	// commits batches concurrent enqueues; cancels batches concurrent cancels.
	commits committer
	cancels canceller

	// idle and recoverIdle are the longest sleeps of a worker and of the lease recoverer (Config.Idle);
	// onIdle is for tests: a hook called with the score the dispatcher is about to sleep until.
	idle, recoverIdle time.Duration
	onIdle            func(until int64)
}

// New returns a scheduler. It panics when Redis or Store is missing.
func New(cfg Config) *Scheduler {
	if cfg.Redis == nil || cfg.Store == nil {
		panic("scheduler: Config.Redis and Config.Store are required")
	}
	s := &Scheduler{
		rdb:         cfg.Redis,
		store:       cfg.Store,
		keys:        newKeys(cfg.Prefix),
		lease:       orDefault(cfg.Lease, DefaultLease),
		workers:     orDefault(cfg.Workers, DefaultWorkers),
		batch:       orDefault(cfg.BatchSize, DefaultBatchSize),
		maxAttempts: orDefault(cfg.MaxAttempts, DefaultMaxAttempts),
		backoff:     cfg.Backoff,
		every:       orDefault(cfg.ReconcileEvery, DefaultReconcileEvery),
		log:         cfg.Log,
		now:         cfg.Now,
		handlers:    make(map[string]HandlerFunc),
		wakeCh:      make(chan struct{}, 1),
		reconcileCh: make(chan struct{}, 1),
		idle:        orDefault(cfg.Idle, maxIdle),
		recoverIdle: min(orDefault(cfg.Idle, maxRecoverSleep), orDefault(cfg.Lease, DefaultLease)),
	}
	if s.backoff == nil {
		s.backoff = DefaultBackoff
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.observer = cfg.Observer
	if s.observer == nil {
		s.observer = noObserver{}
	}
	s.sleepUntil.Store(math.MaxInt64)
	s.commits.s = s
	s.cancels.s = s
	return s
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Handle registers the handler of a job kind, replacing any before it. A job of a kind with no
// handler fails (and is retried, then parked).
func (s *Scheduler) Handle(kind string, h HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[kind] = h
}

func (s *Scheduler) handler(kind string) HandlerFunc {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.handlers[kind]
}

// Enqueue schedules a job, or reschedules the job with the same key: its due time, payload, kind
// and team become j's, its failures are forgotten, and an older version that was about to run
// does not. A run of the older version already in progress goes on.
//
// Concurrent calls are written together, in one Postgres commit. Enqueue returns once j is
// committed; it is added to the Redis index right after (see commit.go), and WaitIndexed waits
// for that. When ctx ends first Enqueue returns ctx's error, and the job may or may not be
// enqueued.
func (s *Scheduler) Enqueue(ctx context.Context, j Job) error {
	_, err := s.enqueue(ctx, []Job{j})
	return err
}

// EnqueueMany is Enqueue for many jobs, in few round trips. When two jobs share a key the later
// one wins.
func (s *Scheduler) EnqueueMany(ctx context.Context, jobs []Job) error {
	_, err := s.enqueue(ctx, jobs)
	return err
}

// WaitIndexed waits until every job enqueued through s and committed has been through the Redis
// index script, or until ctx ends; a job whose script call failed is left to the next rebuild,
// and the failure is logged. Under a steady stream of enqueues it waits for a pause in the
// stream. A process that stops calls it so that the jobs it enqueued last can fire on time.
func (s *Scheduler) WaitIndexed(ctx context.Context) error {
	return s.commits.waitIndexed(ctx)
}

// enqueueChunk is the most jobs written by one statement and one script call, and the most
// that concurrent calls are batched up to.
const enqueueChunk = 1000

// enqueue validates the jobs and writes them to Postgres in a batch with the jobs of concurrent
// calls (see committer). It returns the versions written, one per key.
func (s *Scheduler) enqueue(ctx context.Context, jobs []Job) ([]JobVersion, error) {
	rows, err := s.rows(jobs)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return s.commits.submit(ctx, rows)
}

// rows validates jobs and turns them into table rows: due times rounded up to the microsecond
// (zero meaning now) and one row per key, the last one given.
func (s *Scheduler) rows(jobs []Job) ([]JobRow, error) {
	now := s.now()
	at := make(map[string]int, len(jobs))
	rows := make([]JobRow, 0, len(jobs))
	for _, j := range jobs {
		if j.Key == "" || j.Kind == "" {
			return nil, errors.New("scheduler: enqueue: a job needs a key and a kind")
		}
		due := j.DueAt
		if due.IsZero() {
			due = now
		}
		row := JobRow{Key: j.Key, TeamID: j.TeamID, Kind: j.Kind, Payload: j.Payload, DueAt: ceilMicro(due)}
		if i, ok := at[j.Key]; ok {
			rows[i] = row
			continue
		}
		at[j.Key] = len(rows)
		rows = append(rows, row)
	}
	return rows, nil
}

// index adds new versions to the due set (dropping the versions they replace) and wakes this
// process's dispatcher when one is due earlier than anything indexed before.
func (s *Scheduler) index(ctx context.Context, versions []JobVersion) error {
	if len(versions) == 0 {
		return nil
	}
	args := make([]any, 0, 1+3*len(versions))
	args = append(args, s.keys.wake)
	earliest := int64(math.MaxInt64)
	for _, v := range versions {
		old := ""
		if v.Prev != 0 {
			old = member(v.Key, v.Prev)
		}
		args = append(args, member(v.Key, v.Version), score(v.DueAt), old)
		earliest = min(earliest, v.DueAt.UnixMicro())
	}
	published, err := scheduleScript.Run(ctx, s.rdb, []string{s.keys.due, s.keys.lease, s.keys.versions, s.keys.cancelled}, args...).Int()
	if err != nil {
		return fmt.Errorf("index jobs: %w", err)
	}
	if published == 1 {
		s.nudge(earliest)
	}
	return nil
}

// Cancel stops the job with this key from running. It answers Cancelled when the job will not
// run, AlreadyRunning when a worker holds it (the run goes on) and NotFound when no such job is
// waiting. Cancelling a parked job drops it.
//
// Concurrent calls are carried out together (see cancel.go). When ctx ends first Cancel returns
// ctx's error, and the job may or may not be cancelled.
func (s *Scheduler) Cancel(ctx context.Context, key string) (CancelResult, error) {
	// An enqueue of this key from this process that has returned may not be indexed yet: let its
	// index entry land first, so that it is the entry taken out.
	if err := s.commits.waitKey(ctx, key); err != nil {
		return NotFound, fmt.Errorf("scheduler: cancel %s: %w", key, err)
	}
	return s.cancels.submit(ctx, key)
}

// Parked lists a workspace's parked jobs, oldest first.
func (s *Scheduler) Parked(ctx context.Context, teamID string) ([]ParkedJob, error) {
	rows, err := s.store.ParkedJobs(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("scheduler: list parked jobs: %w", err)
	}
	out := make([]ParkedJob, len(rows))
	for i, r := range rows {
		out[i] = ParkedJob{Job: jobOf(r), LastError: r.LastError, ParkedAt: r.UpdatedAt}
		out[i].Attempt = r.Attempts
	}
	return out, nil
}

// Retry makes a workspace's parked job due now, with a fresh count of attempts. A job that is not
// parked there is a not-found domain error.
func (s *Scheduler) Retry(ctx context.Context, teamID, key string) error {
	v, err := s.store.RetryParkedJob(ctx, teamID, key, ceilMicro(s.now()))
	if err != nil {
		return fmt.Errorf("scheduler: retry %s: %w", key, err)
	}
	// A parked job has no index entry, so there is nothing to replace.
	v.Prev = 0
	if err := s.index(ctx, []JobVersion{v}); err != nil {
		s.log.WarnContext(ctx, "scheduler: retried job stored but not indexed; the next reconcile indexes it",
			slog.String("job_key", key), slog.Any("err", err))
		s.requestReconcile()
	}
	return nil
}

// Drop deletes a workspace's parked job. A job that is not parked there is a not-found domain
// error.
func (s *Scheduler) Drop(ctx context.Context, teamID, key string) error {
	if err := s.store.DropParkedJob(ctx, teamID, key); err != nil {
		return fmt.Errorf("scheduler: drop %s: %w", key, err)
	}
	return nil
}

// jobOf is the Job a handler sees for a stored row.
func jobOf(r JobRow) Job {
	return Job{Kind: r.Kind, Key: r.Key, TeamID: r.TeamID, Payload: r.Payload, DueAt: r.DueAt, Attempt: r.Attempts + 1}
}

// nudge wakes the dispatcher if it sleeps past due (microseconds).
func (s *Scheduler) nudge(due int64) {
	if due < s.sleepUntil.Load() {
		select {
		case s.wakeCh <- struct{}{}:
		default:
		}
	}
}

// requestReconcile asks the reconcile loop (when Run is running) to rebuild the index soon.
func (s *Scheduler) requestReconcile() {
	select {
	case s.reconcileCh <- struct{}{}:
	default:
	}
}

// parseScore reads a score returned by a script ("" when there is none).
func parseScore(v any) (int64, bool) {
	str, ok := v.(string)
	if !ok || str == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return 0, false
	}
	return int64(f), true
}
