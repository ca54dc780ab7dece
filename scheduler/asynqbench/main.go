// Command asynqbench benchmarks Baton's scheduler side by side with hibiken/asynq (Redis only) and
// riverqueue/river (Postgres only), in one run on the same Redis (a logical database of its own,
// emptied between phases) and the same Postgres, where Baton and river each get a fresh schema
// that is dropped at the end. It prints one markdown table: metric, baton, asynq, river, goal,
// met?. See README.md.
//
// asynq and river are dependencies of this nested module only, never of Baton's.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/batonhq/baton/internal/pgpool"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/store/migrations"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
)

// options are the command's flags.
type options struct {
	redisURL  string
	redisDB   int
	pgURL     string
	enqueueN  int
	conc      int
	batch     int
	batchConc int
	bestConc  int
	lateN     int
	lowN      int
	window    time.Duration
	lead      time.Duration
	dispatchN int
	asynqConc int
	// riverWorkers is river's MaxWorkers in the lateness and dispatch phases; dispatch is also
	// measured with the MaxWorkers of river's documentation (riverDocWorkers).
	riverWorkers int
	memN         int
	cancelN      int
	phases       string
	quick        bool
	cpuprof      string
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.redisURL, "redis", envOr("BENCH_REDIS_URL", "redis://127.0.0.1:6379"), "Redis URL (env BENCH_REDIS_URL)")
	flag.IntVar(&o.redisDB, "redis-db", 14, "Redis logical database used, and emptied (FLUSHDB) between phases")
	flag.StringVar(&o.pgURL, "pg", envOr("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"Postgres URL (env BENCH_DATABASE_URL); a schema bench_<random> is created in it and dropped at the end")
	flag.IntVar(&o.enqueueN, "enqueue-n", 100000, "jobs enqueued per enqueue measurement")
	flag.IntVar(&o.conc, "conc", 16, "goroutines of the realistic enqueue mode (single Enqueue calls) and of cancels")
	flag.IntVar(&o.batch, "batch", 500, "Baton EnqueueMany batch size of the batched mode")
	flag.IntVar(&o.batchConc, "batch-conc", 4, "goroutines calling EnqueueMany in the batched mode")
	flag.IntVar(&o.bestConc, "asynq-best-conc", 64, "goroutines calling asynq Enqueue in its batched-equivalent mode")
	flag.IntVar(&o.lateN, "late-n", 100000, "jobs of the lateness measurement, due uniformly over -window")
	flag.IntVar(&o.lowN, "low-n", 5000, "jobs of the light-load lateness measurement, due over -window")
	flag.DurationVar(&o.window, "window", 20*time.Second, "window the lateness jobs are due over")
	flag.DurationVar(&o.lead, "lead", 0, "time from the start of the lateness enqueue to the first due time (0: from the measured enqueue rate)")
	flag.IntVar(&o.dispatchN, "dispatch-n", 100000, "jobs already due in the dispatch measurement")
	flag.IntVar(&o.asynqConc, "asynq-dispatch-conc", 256, "asynq Server Concurrency of the second dispatch measurement (Baton's default Workers is 256)")
	flag.IntVar(&o.riverWorkers, "river-workers", riverMaxWorkers,
		"river MaxWorkers of the lateness and dispatch phases (river has no default; its maximum measured fastest)")
	flag.IntVar(&o.memN, "mem-n", 1000000, "pending jobs of the memory measurement (the cancels are taken from them)")
	flag.IntVar(&o.cancelN, "cancel-n", 10000, "jobs cancelled by key")
	flag.StringVar(&o.phases, "phases", "enqueue,lateness,lateness-low,dispatch,memory", "phases to run (cancel runs within memory)")
	flag.BoolVar(&o.quick, "quick", false, "a quick run: 20,000 jobs per phase, 200,000 pending for memory, a 4 s window")
	flag.StringVar(&o.cpuprof, "cpuprofile", "", "write a CPU profile of the run to this file")
	flag.Parse()
	if o.quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quick := map[string]func(){
			"enqueue-n":  func() { o.enqueueN = 20000 },
			"late-n":     func() { o.lateN = 20000 },
			"low-n":      func() { o.lowN = 1000 },
			"window":     func() { o.window = 4 * time.Second },
			"dispatch-n": func() { o.dispatchN = 20000 },
			"mem-n":      func() { o.memN = 200000 },
			"cancel-n":   func() { o.cancelN = 2000 },
		}
		for name, apply := range quick {
			if !set[name] {
				apply()
			}
		}
	}
	return o
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	o := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "asynqbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) (err error) {
	if o.cancelN > o.memN {
		return errors.New("-cancel-n must not exceed -mem-n")
	}
	if o.cpuprof != "" {
		f, err := os.Create(o.cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	e, err := setup(ctx, o)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, e.close()) }()

	r := &results{}
	phases := map[string]bool{}
	for p := range strings.SplitSeq(o.phases, ",") {
		phases[strings.TrimSpace(p)] = true
	}
	steps := []struct {
		name string
		fn   func(context.Context, *env, options, *results) error
	}{
		{"enqueue", phaseEnqueue},
		{"lateness", phaseLateness},
		{"lateness-low", phaseLatenessLow},
		{"dispatch", phaseDispatch},
		{"memory", phaseMemory},
	}
	for _, s := range steps {
		if !phases[s.name] {
			continue
		}
		logf("== %s", s.name)
		if err := s.fn(ctx, e, o, r); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Println()
	fmt.Print(e.header(ctx, o))
	fmt.Println()
	fmt.Print(r.table(o))
	return nil
}

// logf reports progress on stderr; the table goes to stdout.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

// batonPoolSize is the size of Baton's connection pool, and of river's: room for 16 enqueuers,
// the ackers and the loaders of one worker at once.
const batonPoolSize = 24

// env is what the phases share: one Redis client on the bench database, one pool on Baton's
// bench schema, opened as Baton opens its own, and one pgx pool on river's.
type env struct {
	rdb         *redis.Client
	db          *sqlx.DB
	pgURL       string
	schema      string
	riverDB     *pgxpool.Pool
	riverSchema string
	log         *slog.Logger
}

func setup(ctx context.Context, o options) (*env, error) {
	ropts, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	ropts.DB = o.redisDB
	// Enough connections for the most concurrent phase, for both systems alike.
	ropts.PoolSize = 2 * max(o.bestConc, o.conc, o.asynqConc)
	rdb := redis.NewClient(ropts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	e := &env{rdb: rdb, pgURL: o.pgURL, log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}

	suffix := strings.ToLower(rand.Text()[:12])
	if err := e.admin(ctx, "CREATE SCHEMA bench_"+suffix); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	e.schema = "bench_" + suffix
	u, err := withSearchPath(o.pgURL, e.schema)
	if err == nil {
		e.db, err = pgpool.Open(u, batonPoolSize, batonPoolSize, 0)
	}
	if err == nil {
		err = migrations.Up(ctx, e.db.DB)
	}
	if err == nil {
		err = e.openRiver(ctx, o, "bench_river_"+suffix)
	}
	if err != nil {
		return nil, errors.Join(err, e.close())
	}
	logf("redis db %d, postgres schemas %s (baton) and %s (river)", o.redisDB, e.schema, e.riverSchema)
	return e, nil
}

// admin runs one statement on a connection of its own, outside the bench schemas.
func (e *env) admin(ctx context.Context, stmt string) error {
	admin, err := sql.Open("postgres", e.pgURL)
	if err != nil {
		return err
	}
	_, err = admin.ExecContext(ctx, stmt)
	return errors.Join(err, admin.Close())
}

func (e *env) close() error {
	var errs []error
	if e.db != nil {
		errs = append(errs, e.db.Close())
	}
	if e.riverDB != nil {
		e.riverDB.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs = append(errs, e.rdb.FlushDB(ctx).Err(), e.rdb.Close())
	for _, schema := range []string{e.schema, e.riverSchema} {
		if schema == "" {
			continue
		}
		err := e.admin(ctx, "DROP SCHEMA "+schema+" CASCADE")
		errs = append(errs, err)
		if err == nil {
			logf("dropped schema %s", schema)
		}
	}
	return errors.Join(errs...)
}

// withSearchPath adds search_path=schema to a lib/pq URL or key=value connection string.
func withSearchPath(dsn, schema string) (string, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", errors.New("the Postgres URL is not valid")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// reset empties the bench Redis database, Baton's jobs table and river's, so each phase starts
// clean and the systems never see each other's jobs.
func (e *env) reset(ctx context.Context) error {
	if err := e.rdb.FlushDB(ctx).Err(); err != nil {
		return fmt.Errorf("FLUSHDB: %w", err)
	}
	if _, err := e.db.ExecContext(ctx, "TRUNCATE jobs"); err != nil {
		return fmt.Errorf("truncate jobs: %w", err)
	}
	if _, err := e.riverDB.Exec(ctx, "TRUNCATE "+e.riverTable()); err != nil {
		return fmt.Errorf("truncate river_job: %w", err)
	}
	return nil
}

func (e *env) scheduler() *scheduler.Scheduler {
	return scheduler.New(scheduler.Config{Redis: e.rdb, Store: scheduler.NewJobTable(e.db), Prefix: "{bench}", Log: e.log})
}

func (e *env) asynqClient() *asynq.Client { return asynq.NewClientFromRedisClient(e.rdb) }

func (e *env) header(ctx context.Context, o options) string {
	var b strings.Builder
	rv := "?"
	if info, err := e.rdb.Info(ctx, "server").Result(); err == nil {
		rv = infoField(info, "redis_version")
	}
	var pv string
	if err := e.db.GetContext(ctx, &pv, "SHOW server_version"); err != nil {
		pv = "?"
	}
	fmt.Fprintf(&b, "Baton scheduler vs hibiken/asynq v0.26.0 and riverqueue/river %s — %s, %d CPUs (GOMAXPROCS %d), Redis %s (db %d), Postgres %s, %s.\n",
		riverVersion, runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), rv, o.redisDB, pv, runtime.Version())
	fmt.Fprintf(&b, "Sizes: enqueue %d jobs, lateness %d jobs over %v (%.0f jobs/s) and %d over it, dispatch %d jobs, memory %d pending, cancel %d.\n",
		o.enqueueN, o.lateN, o.window, float64(o.lateN)/o.window.Seconds(), o.lowN, o.dispatchN, o.memN, o.cancelN)
	return b.String()
}

// The jobs: shaped like Baton's (scheduler/bench_test.go), a key naming the workspace, kind and
// entity, and a small JSON payload. asynq gets the same type, payload and the key as task ID.
const jobKind = "checkin"

var jobPayload = []byte(`{"task":"T-12","user":"U0123ABCD"}`)

func jobKey(i int) string { return fmt.Sprintf("checkin:T%08d:C-%d", i%1000, i) }

func jobTeam(i int) string { return fmt.Sprintf("T%08d", i%1000) }

// jobIndex is the i of jobKey(i).
func jobIndex(key string) int {
	i, err := strconv.Atoi(key[strings.LastIndexByte(key, '-')+1:])
	if err != nil {
		return -1
	}
	return i
}

func batonJob(i int, due time.Time) scheduler.Job {
	return scheduler.Job{Kind: jobKind, Key: jobKey(i), TeamID: jobTeam(i), Payload: jobPayload, DueAt: due}
}

// parallel calls fn(i) for i in [0, n) from conc goroutines and returns how long it took.
func parallel(ctx context.Context, n, conc int, fn func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first == nil {
		first = ctx.Err()
	}
	return elapsed, first
}

// batonEnqueueSingle enqueues n jobs with one Enqueue call each from conc goroutines. Enqueue
// returns once its job is committed to Postgres and indexes it right after, so the time runs
// until the last job is indexed too.
func batonEnqueueSingle(ctx context.Context, s *scheduler.Scheduler, n, conc int, due func(int) time.Time) (time.Duration, error) {
	return indexed(ctx, s, func() (time.Duration, error) {
		return parallel(ctx, n, conc, func(i int) error { return s.Enqueue(ctx, batonJob(i, due(i))) })
	})
}

// batonEnqueueBatched enqueues n jobs with EnqueueMany calls of batch jobs from conc goroutines,
// timed until the last one is indexed.
func batonEnqueueBatched(ctx context.Context, s *scheduler.Scheduler, n, batch, conc int, due func(int) time.Time) (time.Duration, error) {
	batches := (n + batch - 1) / batch
	return indexed(ctx, s, func() (time.Duration, error) {
		return parallel(ctx, batches, conc, func(b int) error {
			lo, hi := b*batch, min((b+1)*batch, n)
			jobs := make([]scheduler.Job, 0, hi-lo)
			for i := lo; i < hi; i++ {
				jobs = append(jobs, batonJob(i, due(i)))
			}
			return s.EnqueueMany(ctx, jobs)
		})
	})
}

// indexed runs enqueue, then waits until s has indexed every job, and returns the whole time.
func indexed(ctx context.Context, s *scheduler.Scheduler, enqueue func() (time.Duration, error)) (time.Duration, error) {
	start := time.Now()
	if _, err := enqueue(); err != nil {
		return 0, err
	}
	if err := s.WaitIndexed(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// asynqEnqueue enqueues n tasks from conc goroutines; due nil enqueues them as pending (due now),
// otherwise they are scheduled with ProcessAt.
func asynqEnqueue(ctx context.Context, c *asynq.Client, n, conc int, due func(int) time.Time) (time.Duration, error) {
	return parallel(ctx, n, conc, func(i int) error {
		opts := []asynq.Option{asynq.TaskID(jobKey(i))}
		if due != nil {
			opts = append(opts, asynq.ProcessAt(due(i)))
		}
		_, err := c.EnqueueContext(ctx, asynq.NewTask(jobKind, jobPayload), opts...)
		return err
	})
}

// checkBaton verifies that n jobs are stored and indexed.
func (e *env) checkBaton(ctx context.Context, n int) error {
	var rows int
	if err := e.db.GetContext(ctx, &rows, "SELECT count(*) FROM jobs"); err != nil {
		return err
	}
	indexed, err := e.rdb.ZCard(ctx, "{bench}:due").Result()
	if err != nil {
		return err
	}
	if rows != n || indexed != int64(n) {
		return fmt.Errorf("baton holds %d rows and %d index entries, want %d", rows, indexed, n)
	}
	return nil
}

// analyze has Postgres gather statistics on Baton's and river's job tables, as autovacuum does
// on a table in use. The phases fill an emptied table and read it at once, before autovacuum's
// next round (up to a minute away): without statistics, river's scheduler query picked a plan
// that took about 20 s per batch of 10,000 jobs, and the lookups behind river's cancels may scan
// the whole table.
func (e *env) analyze(ctx context.Context) error {
	if _, err := e.db.ExecContext(ctx, "ANALYZE jobs"); err != nil {
		return fmt.Errorf("analyze jobs: %w", err)
	}
	if _, err := e.riverDB.Exec(ctx, "ANALYZE "+e.riverTable()); err != nil {
		return fmt.Errorf("analyze river_job: %w", err)
	}
	return nil
}

// checkAsynq verifies that asynq holds n tasks, pending or scheduled.
func (e *env) checkAsynq(ctx context.Context, n int) error {
	pending, err1 := e.rdb.LLen(ctx, "asynq:{default}:pending").Result()
	scheduled, err2 := e.rdb.ZCard(ctx, "asynq:{default}:scheduled").Result()
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if pending+scheduled != int64(n) {
		return fmt.Errorf("asynq holds %d pending and %d scheduled tasks, want %d", pending, scheduled, n)
	}
	return nil
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// results holds what the phases measured.
type results struct {
	enq       bool
	batonEnq  float64 // realistic mode, jobs/s
	asynqEnq  float64
	riverEnq  float64
	batonEnqB float64 // batched mode
	asynqEnqB float64
	riverEnqB float64

	late, low                       bool
	batonLate, asynqLate, riverLate lateness
	batonLow, asynqLow, riverLow    lateness // at -low-n jobs over the window

	disp          bool
	batonDisp     float64
	asynqDispDef  float64 // default Concurrency (NumCPU)
	asynqDispConc float64 // Concurrency = -asynq-dispatch-conc
	riverDisp     float64 // MaxWorkers = -river-workers
	riverDispDoc  float64 // MaxWorkers = riverDocWorkers
	// From the worker's start rather than its first fire: Baton's Run first rebuilds the index
	// from Postgres.
	batonDispStart, asynqDispStart, riverDispStart float64

	mem           bool
	batonRedis    float64 // bytes per job
	asynqRedis    float64
	batonPG       float64
	riverPG       float64
	batonCancel   float64 // jobs/s
	asynqCancel   float64
	riverCancel   float64
	batonCancelD  time.Duration
	asynqCancelD  time.Duration
	riverCancelD  time.Duration
	batonCancelOK int
	asynqCancelOK int
	riverCancelOK int
}

// phaseEnqueue measures enqueue rates, each from an empty Redis and jobs table, due in an hour.
func phaseEnqueue(ctx context.Context, e *env, o options, r *results) error {
	due := time.Now().Add(time.Hour)
	at := func(int) time.Time { return due }
	c := e.asynqClient()
	type step struct {
		name  string
		fn    func() (time.Duration, error)
		out   *float64
		check func(context.Context, int) error
	}
	s := e.scheduler()
	rc, err := e.riverClient(nil, 0)
	if err != nil {
		return err
	}
	steps := []step{
		{fmt.Sprintf("baton Enqueue × %d goroutines", o.conc),
			func() (time.Duration, error) { return batonEnqueueSingle(ctx, s, o.enqueueN, o.conc, at) }, &r.batonEnq, e.checkBaton},
		{fmt.Sprintf("asynq Enqueue × %d goroutines", o.conc),
			func() (time.Duration, error) { return asynqEnqueue(ctx, c, o.enqueueN, o.conc, at) }, &r.asynqEnq, e.checkAsynq},
		{fmt.Sprintf("river Insert × %d goroutines", o.conc),
			func() (time.Duration, error) { return riverEnqueueSingle(ctx, rc, o.enqueueN, o.conc, at) }, &r.riverEnq, e.checkRiver},
		{fmt.Sprintf("baton EnqueueMany(%d) × %d goroutines", o.batch, o.batchConc),
			func() (time.Duration, error) {
				return batonEnqueueBatched(ctx, s, o.enqueueN, o.batch, o.batchConc, at)
			}, &r.batonEnqB, e.checkBaton},
		{fmt.Sprintf("asynq Enqueue × %d goroutines", o.bestConc),
			func() (time.Duration, error) { return asynqEnqueue(ctx, c, o.enqueueN, o.bestConc, at) }, &r.asynqEnqB, e.checkAsynq},
		{fmt.Sprintf("river InsertMany(%d) × %d goroutines", o.batch, o.batchConc),
			func() (time.Duration, error) {
				return riverEnqueueBatched(ctx, rc, o.enqueueN, o.batch, o.batchConc, at)
			}, &r.riverEnqB, e.checkRiver},
	}
	for _, st := range steps {
		if err := e.reset(ctx); err != nil {
			return err
		}
		d, err := st.fn()
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		if err := st.check(ctx, o.enqueueN); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		*st.out = rate(o.enqueueN, d)
		logf("%s: %d jobs in %v = %.0f jobs/s", st.name, o.enqueueN, d.Round(time.Millisecond), *st.out)
	}
	r.enq = true
	return e.reset(ctx)
}

// fires records when each job first fired.
type fires struct {
	at    []atomic.Int64 // UnixNano of the first fire of job i, 0 until it fires
	count atomic.Int64   // handler calls
	dups  atomic.Int64   // calls of a job that had fired already
	first atomic.Int64   // UnixNano of the first call
}

func newFires(n int) *fires { return &fires{at: make([]atomic.Int64, n)} }

func (f *fires) record(key string) {
	now := time.Now().UnixNano()
	f.first.CompareAndSwap(0, now)
	if i := jobIndex(key); i >= 0 && i < len(f.at) && !f.at[i].CompareAndSwap(0, now) {
		f.dups.Add(1)
	}
	f.count.Add(1)
}

// wait waits until n calls have been recorded or deadline passes.
func (f *fires) wait(ctx context.Context, n int, deadline time.Time) bool {
	for f.count.Load() < int64(n) {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// lateness summarises fire − due over the jobs.
type lateness struct {
	p50, p99, max time.Duration
	early         int
	earliest      time.Duration // the most early fire (positive), 0 when none
	missing, dups int
	ready         time.Duration // how long before the first due time the worker was started
}

func summarise(f *fires, due func(int) time.Time) lateness {
	var l lateness
	late := make([]time.Duration, 0, len(f.at))
	for i := range f.at {
		at := f.at[i].Load()
		if at == 0 {
			l.missing++
			continue
		}
		d := time.Duration(at - due(i).UnixNano())
		if d < 0 {
			l.early++
			l.earliest = max(l.earliest, -d)
		}
		late = append(late, d)
	}
	l.dups = int(f.dups.Load())
	if len(late) == 0 {
		return l
	}
	slices.Sort(late)
	q := func(p float64) time.Duration {
		return late[max(0, int(math.Ceil(p*float64(len(late))))-1)]
	}
	l.p50, l.p99, l.max = q(0.50), q(0.99), late[len(late)-1]
	return l
}

// leadFor is how long before the window the lateness jobs' enqueue starts: enough to enqueue
// them all at rate jobs/s and start the worker.
func leadFor(o options, n int, rate float64) time.Duration {
	if o.lead > 0 {
		return o.lead
	}
	if rate <= 0 {
		rate = 5000
	}
	return 3*time.Second + time.Duration(1.5*float64(n)/rate*float64(time.Second))
}

// phaseLateness measures lateness at the load: lateN jobs over the window.
func phaseLateness(ctx context.Context, e *env, o options, r *results) error {
	var err error
	r.batonLate, r.asynqLate, r.riverLate, err = measureLateness(ctx, e, o, o.lateN, o.window, r)
	r.late = err == nil
	return err
}

// phaseLatenessLow measures lateness at a light load, where asynq's processor has no backlog
// to hide the tasks its forwarder moves early.
func phaseLatenessLow(ctx context.Context, e *env, o options, r *results) error {
	var err error
	r.batonLow, r.asynqLow, r.riverLow, err = measureLateness(ctx, e, o, o.lowN, o.window, r)
	r.low = err == nil
	return err
}

// measureLateness enqueues n jobs due uniformly over the window, up front, then runs one worker
// of each system with its default settings and records fire − due for every job.
func measureLateness(ctx context.Context, e *env, o options, n int, window time.Duration, r *results) (bl, al, rl lateness, err error) {
	step := window / time.Duration(n)
	tail := 30 * time.Second

	// Baton.
	if err := e.reset(ctx); err != nil {
		return bl, al, rl, err
	}
	t0 := time.Now().Add(leadFor(o, n, r.batonEnqB))
	due := func(i int) time.Time { return t0.Add(time.Duration(i) * step) }
	s := e.scheduler()
	f := newFires(n)
	s.Handle(jobKind, func(_ context.Context, j scheduler.Job) error {
		f.record(j.Key)
		return nil
	})
	d, err := batonEnqueueBatched(ctx, s, n, o.batch, o.batchConc, due)
	if err == nil {
		err = e.checkBaton(ctx, n)
	}
	if err == nil {
		err = e.analyze(ctx)
	}
	if err != nil {
		return bl, al, rl, err
	}
	logf("baton: enqueued %d jobs in %v", n, d.Round(time.Millisecond))
	runCtx, stopRun := context.WithCancel(ctx)
	ready := time.Until(t0)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	ok := f.wait(ctx, n, due(n-1).Add(tail))
	stopRun()
	if err := <-done; err != nil {
		return bl, al, rl, fmt.Errorf("baton Run: %w", err)
	}
	if !ok {
		logf("baton: only %d of %d jobs fired", f.count.Load(), n)
	}
	bl = summarise(f, due)
	bl.ready = ready
	logf("baton: worker started %v before the first due time", ready.Round(time.Millisecond))
	logf("baton: p50 %v p99 %v max %v early %d missing %d dups %d", bl.p50, bl.p99, bl.max, bl.early, bl.missing, bl.dups)

	// asynq.
	if err := e.reset(ctx); err != nil {
		return bl, al, rl, err
	}
	t1 := time.Now().Add(leadFor(o, n, r.asynqEnqB))
	adue := func(i int) time.Time { return t1.Add(time.Duration(i) * step) }
	af := newFires(n)
	d, err = asynqEnqueue(ctx, e.asynqClient(), n, o.bestConc, adue)
	if err == nil {
		err = e.checkAsynq(ctx, n)
	}
	if err != nil {
		return bl, al, rl, err
	}
	logf("asynq: enqueued %d tasks in %v", n, d.Round(time.Millisecond))
	aready := time.Until(t1)
	srv := asynq.NewServerFromRedisClient(e.rdb, asynq.Config{LogLevel: asynq.WarnLevel})
	if err := srv.Start(asynqHandler(af)); err != nil {
		return bl, al, rl, err
	}
	ok = af.wait(ctx, n, adue(n-1).Add(tail))
	srv.Shutdown()
	if !ok {
		logf("asynq: only %d of %d tasks fired", af.count.Load(), n)
	}
	al = summarise(af, adue)
	al.ready = aready
	logf("asynq: server started %v before the first due time", aready.Round(time.Millisecond))
	logf("asynq: p50 %v p99 %v max %v early %d (up to %v) missing %d dups %d", al.p50, al.p99, al.max, al.early,
		al.earliest, al.missing, al.dups)

	// river.
	if err := e.reset(ctx); err != nil {
		return bl, al, rl, err
	}
	t2 := time.Now().Add(leadFor(o, n, r.riverEnqB))
	rdue := func(i int) time.Time { return t2.Add(time.Duration(i) * step) }
	rf := newFires(n)
	rc, err := e.riverClient(rf, o.riverWorkers)
	if err != nil {
		return bl, al, rl, err
	}
	d, err = riverEnqueueBatched(ctx, rc, n, o.batch, o.batchConc, rdue)
	if err == nil {
		err = e.checkRiver(ctx, n)
	}
	if err == nil {
		err = e.analyze(ctx)
	}
	if err != nil {
		return bl, al, rl, err
	}
	logf("river: inserted %d jobs in %v", n, d.Round(time.Millisecond))
	rready := time.Until(t2)
	stopRiver, err := startRiver(ctx, rc)
	if err != nil {
		return bl, al, rl, err
	}
	ok = rf.wait(ctx, n, rdue(n-1).Add(tail))
	if err := stopRiver(); err != nil {
		return bl, al, rl, err
	}
	if !ok {
		logf("river: only %d of %d jobs fired", rf.count.Load(), n)
	}
	rl = summarise(rf, rdue)
	rl.ready = rready
	logf("river: client started %v before the first due time", rready.Round(time.Millisecond))
	logf("river: p50 %v p99 %v max %v early %d (up to %v) missing %d dups %d", rl.p50, rl.p99, rl.max, rl.early,
		rl.earliest, rl.missing, rl.dups)
	return bl, al, rl, e.reset(ctx)
}

func asynqHandler(f *fires) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		f.record(id)
		return nil
	})
}

// phaseDispatch enqueues dispatchN jobs that are already due, then times one worker from its
// first fire until every fire is recorded: for Baton until Postgres holds no row (a fire counts
// once its row is deleted), for asynq until its pending and active lists are empty.
func phaseDispatch(ctx context.Context, e *env, o options, r *results) error {
	n := o.dispatchN
	deadline := func() time.Time { return time.Now().Add(5 * time.Minute) }

	// Baton.
	if err := e.reset(ctx); err != nil {
		return err
	}
	now := time.Now()
	s := e.scheduler()
	f := newFires(n)
	s.Handle(jobKind, func(_ context.Context, j scheduler.Job) error {
		f.record(j.Key)
		return nil
	})
	if _, err := batonEnqueueBatched(ctx, s, n, o.batch, o.batchConc, func(int) time.Time { return now }); err != nil {
		return err
	}
	if err := e.checkBaton(ctx, n); err != nil {
		return err
	}
	if err := e.analyze(ctx); err != nil {
		return err
	}
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- s.Run(runCtx) }()
	ok := f.wait(ctx, n, deadline())
	var end time.Time
	for ok {
		var left int
		if err := e.db.GetContext(ctx, &left, "SELECT count(*) FROM jobs"); err != nil {
			stopRun()
			<-done
			return err
		}
		if left == 0 {
			end = time.Now()
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	stopRun()
	if err := <-done; err != nil {
		return fmt.Errorf("baton Run: %w", err)
	}
	if !ok {
		return fmt.Errorf("baton: only %d of %d jobs fired", f.count.Load(), n)
	}
	first := time.Unix(0, f.first.Load())
	r.batonDisp = rate(n, end.Sub(first))
	r.batonDispStart = rate(n, end.Sub(start))
	logf("baton: %d jobs fired and recorded in %v from the first fire (%.0f jobs/s); Run started %v before it; %d duplicate fires",
		n, end.Sub(first).Round(time.Millisecond), r.batonDisp, first.Sub(start).Round(time.Millisecond), f.dups.Load())

	// asynq, with its default Concurrency and with Baton's default worker count.
	for _, conc := range []int{0, o.asynqConc} {
		if err := e.reset(ctx); err != nil {
			return err
		}
		if _, err := asynqEnqueue(ctx, e.asynqClient(), n, o.bestConc, nil); err != nil {
			return err
		}
		if err := e.checkAsynq(ctx, n); err != nil {
			return err
		}
		af := newFires(n)
		srv := asynq.NewServerFromRedisClient(e.rdb, asynq.Config{Concurrency: conc, LogLevel: asynq.WarnLevel})
		start := time.Now()
		if err := srv.Start(asynqHandler(af)); err != nil {
			return err
		}
		ok := af.wait(ctx, n, deadline())
		for ok {
			// asynq's own key names (internal/base): a task leaves active once it is done.
			pending, err1 := e.rdb.LLen(ctx, "asynq:{default}:pending").Result()
			active, err2 := e.rdb.LLen(ctx, "asynq:{default}:active").Result()
			if err := errors.Join(err1, err2); err != nil {
				srv.Shutdown()
				return err
			}
			if pending+active == 0 {
				end = time.Now()
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		srv.Shutdown()
		if !ok {
			return fmt.Errorf("asynq: only %d of %d tasks fired", af.count.Load(), n)
		}
		first := time.Unix(0, af.first.Load())
		got := rate(n, end.Sub(first))
		if conc == 0 {
			r.asynqDispDef = got
		} else {
			r.asynqDispConc = got
			r.asynqDispStart = rate(n, end.Sub(start))
		}
		logf("asynq (Concurrency %d): %d tasks done in %v from the first fire (%.0f jobs/s); %d duplicate fires",
			conc, n, end.Sub(first).Round(time.Millisecond), got, af.dups.Load())
	}

	// river, with -river-workers and with its documentation's MaxWorkers. The latter fetches at
	// most MaxWorkers jobs per FetchCooldown (100 ms), so it runs a tenth of the jobs: the rate is
	// the same, in a tenth of the time.
	for _, run := range []struct {
		workers, n    int
		out, outStart *float64
	}{{o.riverWorkers, n, &r.riverDisp, &r.riverDispStart}, {riverDocWorkers, max(1, n/10), &r.riverDispDoc, nil}} {
		if err := e.reset(ctx); err != nil {
			return err
		}
		rf := newFires(run.n)
		rc, err := e.riverClient(rf, run.workers)
		if err != nil {
			return err
		}
		if _, err := riverEnqueueBatched(ctx, rc, run.n, o.batch, o.batchConc, func(int) time.Time { return time.Time{} }); err != nil {
			return err
		}
		if err := e.checkRiver(ctx, run.n); err != nil {
			return err
		}
		if err := e.analyze(ctx); err != nil {
			return err
		}
		start := time.Now()
		stopRiver, err := startRiver(ctx, rc)
		if err != nil {
			return err
		}
		ok := rf.wait(ctx, run.n, deadline())
		for ok {
			completed, err := e.riverCompleted(ctx)
			if err != nil {
				return errors.Join(err, stopRiver())
			}
			if completed == run.n {
				end = time.Now()
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err := stopRiver(); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("river: only %d of %d jobs fired", rf.count.Load(), run.n)
		}
		first := time.Unix(0, rf.first.Load())
		*run.out = rate(run.n, end.Sub(first))
		if run.outStart != nil {
			*run.outStart = rate(run.n, end.Sub(start))
		}
		logf("river (MaxWorkers %d): %d jobs completed in %v from the first fire (%.0f jobs/s); client started %v before it; %d duplicate fires",
			run.workers, run.n, end.Sub(first).Round(time.Millisecond), *run.out, first.Sub(start).Round(time.Millisecond), rf.dups.Load())
	}
	r.disp = true
	return e.reset(ctx)
}

// usedMemory is Redis's used_memory.
func (e *env) usedMemory(ctx context.Context) (int64, error) {
	info, err := e.rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(infoField(info, "used_memory"), 10, 64)
}

func infoField(info, name string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

// phaseMemory enqueues memN pending jobs due in the future and measures Redis's used_memory
// delta per job (and, for Baton, the jobs table per job), then cancels cancelN of them by key.
func phaseMemory(ctx context.Context, e *env, o options, r *results) error {
	n := o.memN
	base := time.Now().Add(2 * time.Hour)
	due := func(i int) time.Time { return base.Add(time.Duration(i) * time.Millisecond) }
	// The cancelled keys are spread over the whole set.
	stride := n / o.cancelN
	victim := func(i int) int { return i * stride }

	// Baton.
	if err := e.reset(ctx); err != nil {
		return err
	}
	before, err := e.usedMemory(ctx)
	if err != nil {
		return err
	}
	s := e.scheduler()
	d, err := batonEnqueueBatched(ctx, s, n, o.batch, o.batchConc, due)
	if err == nil {
		err = e.checkBaton(ctx, n)
	}
	if err == nil {
		err = e.analyze(ctx)
	}
	if err != nil {
		return err
	}
	after, err := e.usedMemory(ctx)
	if err != nil {
		return err
	}
	r.batonRedis = float64(after-before) / float64(n)
	var pgBytes int64
	if err := e.db.GetContext(ctx, &pgBytes, "SELECT pg_total_relation_size('jobs')"); err != nil {
		return err
	}
	r.batonPG = float64(pgBytes) / float64(n)
	logf("baton: %d jobs enqueued in %v (%.0f jobs/s); Redis +%d B = %.1f B/job; Postgres jobs table %d B = %.1f B/job",
		n, d.Round(time.Millisecond), rate(n, d), after-before, r.batonRedis, pgBytes, r.batonPG)

	var cancelled atomic.Int64
	d, err = parallel(ctx, o.cancelN, o.conc, func(i int) error {
		res, err := s.Cancel(ctx, jobKey(victim(i)))
		if res == scheduler.Cancelled {
			cancelled.Add(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	r.batonCancelD, r.batonCancel, r.batonCancelOK = d, rate(o.cancelN, d), int(cancelled.Load())
	logf("baton: cancelled %d of %d in %v (%.0f jobs/s)", r.batonCancelOK, o.cancelN, d.Round(time.Millisecond), r.batonCancel)

	// asynq.
	if err := e.reset(ctx); err != nil {
		return err
	}
	if before, err = e.usedMemory(ctx); err != nil {
		return err
	}
	d, err = asynqEnqueue(ctx, e.asynqClient(), n, o.bestConc, due)
	if err == nil {
		err = e.checkAsynq(ctx, n)
	}
	if err != nil {
		return err
	}
	if after, err = e.usedMemory(ctx); err != nil {
		return err
	}
	r.asynqRedis = float64(after-before) / float64(n)
	logf("asynq: %d tasks enqueued in %v (%.0f jobs/s); Redis +%d B = %.1f B/job", n, d.Round(time.Millisecond), rate(n, d),
		after-before, r.asynqRedis)

	insp := asynq.NewInspectorFromRedisClient(e.rdb)
	cancelled.Store(0)
	d, err = parallel(ctx, o.cancelN, o.conc, func(i int) error {
		err := insp.DeleteTask("default", jobKey(victim(i)))
		if err == nil {
			cancelled.Add(1)
		}
		if errors.Is(err, asynq.ErrTaskNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	r.asynqCancelD, r.asynqCancel, r.asynqCancelOK = d, rate(o.cancelN, d), int(cancelled.Load())
	logf("asynq: deleted %d of %d in %v (%.0f jobs/s)", r.asynqCancelOK, o.cancelN, d.Round(time.Millisecond), r.asynqCancel)

	// river.
	if err := e.reset(ctx); err != nil {
		return err
	}
	rc, err := e.riverClient(nil, 0)
	if err != nil {
		return err
	}
	d, err = riverEnqueueBatched(ctx, rc, n, o.batch, o.batchConc, due)
	if err == nil {
		err = e.checkRiver(ctx, n)
	}
	if err == nil {
		err = e.analyze(ctx)
	}
	if err != nil {
		return err
	}
	if err := e.riverDB.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass)", e.riverTable()).Scan(&pgBytes); err != nil {
		return err
	}
	r.riverPG = float64(pgBytes) / float64(n)
	logf("river: %d jobs inserted in %v (%.0f jobs/s); Postgres river_job table %d B = %.1f B/job",
		n, d.Round(time.Millisecond), rate(n, d), pgBytes, r.riverPG)

	cancelled.Store(0)
	d, err = parallel(ctx, o.cancelN, o.conc, func(i int) error {
		ok, err := e.riverCancel(ctx, rc, jobKey(victim(i)))
		if ok {
			cancelled.Add(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	r.riverCancelD, r.riverCancel, r.riverCancelOK = d, rate(o.cancelN, d), int(cancelled.Load())
	logf("river: cancelled %d of %d in %v (%.0f jobs/s)", r.riverCancelOK, o.cancelN, d.Round(time.Millisecond), r.riverCancel)
	r.mem = true
	return e.reset(ctx)
}

func early(l lateness) string {
	if l.early == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (up to %s ms early)", l.early, ms(l.earliest))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// table is the markdown table of what was measured.
func (r *results) table(o options) string {
	var b strings.Builder
	row := func(metric, baton, asy, riv, goal, met string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", metric, baton, asy, riv, goal, met)
	}
	n0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	row("metric", "baton", "asynq", "river", "goal", "met?")
	b.WriteString("|---|---|---|---|---|---|\n")
	if r.enq {
		row(fmt.Sprintf("enqueue, jobs/s: %d goroutines × single Enqueue / Insert (baton and river incl. the Postgres commit) — *the goal's mode*", o.conc),
			n0(r.batonEnq), n0(r.asynqEnq), n0(r.riverEnq), "≥ ½ asynq, ≥ river",
			yesNo(r.batonEnq >= r.asynqEnq/2 && r.batonEnq >= r.riverEnq))
		row(fmt.Sprintf("enqueue, jobs/s: batched — baton EnqueueMany(%d) and river InsertMany(%d) × %d goroutines vs asynq Enqueue × %d goroutines (no batch API)",
			o.batch, o.batch, o.batchConc, o.bestConc),
			n0(r.batonEnqB), n0(r.asynqEnqB), n0(r.riverEnqB), "(info) ≥ ½ asynq", yesNo(r.batonEnqB >= r.asynqEnqB/2))
	}
	if r.late {
		bl, al, rl := r.batonLate, r.asynqLate, r.riverLate
		rt := fmt.Sprintf("%.0f jobs/s", float64(o.lateN)/o.window.Seconds())
		row(fmt.Sprintf("lateness p50, ms (%d jobs over %v, %s; default settings, river MaxWorkers %d)", o.lateN, o.window, rt, o.riverWorkers),
			ms(bl.p50), ms(al.p50), ms(rl.p50), "—", "")
		row("lateness p99, ms", ms(bl.p99), ms(al.p99), ms(rl.p99), "≤ 50, < asynq and river",
			yesNo(bl.p99 <= 50*time.Millisecond && bl.missing == 0 && ahead(bl, al) && ahead(bl, rl)))
		row("lateness max, ms", ms(bl.max), ms(al.max), ms(rl.max), "—", "")
		row("early fires (fire < due)", early(bl), early(al), early(rl), "0", yesNo(bl.early == 0))
		row("jobs not fired / fired twice", notFired(bl), notFired(al), notFired(rl), "0 / 0", yesNo(bl.missing == 0 && bl.dups == 0))
	}
	if r.low {
		bl, al, rl := r.batonLow, r.asynqLow, r.riverLow
		pct := func(l lateness) string { return ms(l.p50) + " / " + ms(l.p99) + " / " + ms(l.max) }
		row(fmt.Sprintf("light load (%d jobs over %v, %.0f jobs/s): lateness p50 / p99 / max, ms", o.lowN, o.window,
			float64(o.lowN)/o.window.Seconds()), pct(bl), pct(al), pct(rl), "(info) p99 < asynq and river",
			yesNo(ahead(bl, al) && ahead(bl, rl)))
		row("light load: early fires (fire < due)", early(bl), early(al), early(rl), "0", yesNo(bl.early == 0))
		row("light load: jobs not fired / fired twice", notFired(bl), notFired(al), notFired(rl), "0 / 0",
			yesNo(bl.missing == 0 && bl.dups == 0))
	}
	if r.disp {
		best := max(r.asynqDispDef, r.asynqDispConc)
		bestRiver := max(r.riverDisp, r.riverDispDoc)
		row(fmt.Sprintf("dispatch, jobs/s: %d due, one process, first fire → all recorded (baton: rows deleted; river: jobs completed); asynq Concurrency %d, river MaxWorkers %d",
			o.dispatchN, o.asynqConc, o.riverWorkers), n0(r.batonDisp), n0(r.asynqDispConc), n0(r.riverDisp),
			"≥ 3× best asynq, > best river", yesNo(r.batonDisp >= 3*best && r.batonDisp > bestRiver))
		row("dispatch, jobs/s, same but timed from the worker's start (baton's Run first rebuilds its index from Postgres)",
			n0(r.batonDispStart), n0(r.asynqDispStart), n0(r.riverDispStart), "(info) ≥ 3× asynq, > river",
			yesNo(r.batonDispStart >= 3*r.asynqDispStart && r.batonDispStart > r.riverDispStart))
		row(fmt.Sprintf("dispatch, jobs/s: asynq default Concurrency (NumCPU = %d); river MaxWorkers %d, its documentation's (%d jobs)",
			runtime.NumCPU(), riverDocWorkers, max(1, o.dispatchN/10)), "", n0(r.asynqDispDef), n0(r.riverDispDoc), "", "")
	}
	if r.mem {
		row(fmt.Sprintf("Redis bytes per pending job (used_memory delta, %d pending)", o.memN),
			fmt.Sprintf("%.0f", r.batonRedis), fmt.Sprintf("%.0f", r.asynqRedis), "0 (no Redis)", "≤ 400", yesNo(r.batonRedis <= 400))
		row("Postgres bytes per pending job (jobs / river_job table + indexes; asynq has none)", fmt.Sprintf("%.0f", r.batonPG), "—",
			fmt.Sprintf("%.0f", r.riverPG), "(info)", "")
		row(fmt.Sprintf("cancel %d by key from %d pending, %d goroutines: jobs/s (total)", o.cancelN, o.memN, o.conc),
			fmt.Sprintf("%.0f (%s s)", r.batonCancel, secs(r.batonCancelD)),
			fmt.Sprintf("%.0f (%s s)", r.asynqCancel, secs(r.asynqCancelD)),
			fmt.Sprintf("%.0f (%s s)", r.riverCancel, secs(r.riverCancelD)), "≥ ½ asynq", yesNo(r.batonCancel >= r.asynqCancel/2))
		row("cancelled / asked", fmt.Sprintf("%d / %d", r.batonCancelOK, o.cancelN), fmt.Sprintf("%d / %d", r.asynqCancelOK, o.cancelN),
			fmt.Sprintf("%d / %d", r.riverCancelOK, o.cancelN), "all", yesNo(r.batonCancelOK == o.cancelN))
	}
	return b.String()
}

// ahead reports whether a fired every job and its p99 lateness is below b's, counting a job b
// never fired as later than any.
func ahead(a, b lateness) bool {
	return a.missing == 0 && (b.missing > 0 || a.p99 < b.p99)
}

func notFired(l lateness) string { return fmt.Sprintf("%d / %d", l.missing, l.dups) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
