package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// gatedStore is a JobStore whose UpsertJobs waits at a gate while it is closed (until reopen,
// or until pass lets it through), fails while down is set or when a row's key starts with
// "poison", and records the rows of every call. It cannot prepare statements, so every batch
// goes through its UpsertJobs.
type gatedStore struct {
	JobStore
	mu      sync.Mutex
	open    chan struct{}
	tokens  chan struct{}
	entered chan struct{}
	down    bool
	calls   [][]JobRow
}

var errPostgresDown = errors.New("postgres is down")

func newGatedStore(inner JobStore) *gatedStore {
	g := &gatedStore{JobStore: inner, tokens: make(chan struct{}, 100), entered: make(chan struct{}, 1000)}
	g.close()
	g.reopen()
	return g
}

// close makes UpsertJobs wait until reopen or pass.
func (g *gatedStore) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

func (g *gatedStore) reopen() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

// pass lets n waiting calls through the closed gate.
func (g *gatedStore) pass(n int) {
	for range n {
		g.tokens <- struct{}{}
	}
}

func (g *gatedStore) setDown(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
}

func (g *gatedStore) UpsertJobs(ctx context.Context, jobs []JobRow) ([]JobVersion, error) {
	g.mu.Lock()
	open := g.open
	g.calls = append(g.calls, slices.Clone(jobs))
	g.mu.Unlock()
	g.entered <- struct{}{}
	select {
	case <-open:
	case <-g.tokens:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	down := g.down
	g.mu.Unlock()
	if down {
		return nil, errPostgresDown
	}
	for _, j := range jobs {
		if strings.HasPrefix(j.Key, "poison") {
			return nil, fmt.Errorf("refused %s", j.Key)
		}
	}
	return g.JobStore.UpsertJobs(ctx, jobs)
}

// gatedEnv returns a test environment and a scheduler whose store is gated.
func gatedEnv(t *testing.T) (*env, *gatedStore, *Scheduler) {
	t.Helper()
	e := newEnv(t)
	g := newGatedStore(e.jobs)
	return e, g, e.scheduler(t, func(c *Config) { c.Store = g })
}

// waitEntered waits until n calls of UpsertJobs have started.
func (g *gatedStore) waitEntered(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-g.entered:
		case <-time.After(waitTimeout):
			t.Fatal("UpsertJobs was not called")
		}
	}
}

// queued is how many requests wait in s's queue.
func queued(s *Scheduler) int {
	s.commits.mu.Lock()
	defer s.commits.mu.Unlock()
	return len(s.commits.queue)
}

// idle reports whether s's committer has nothing queued, nothing being written or indexed, no
// flusher and no indexer.
func idle(s *Scheduler) bool {
	s.commits.mu.Lock()
	defer s.commits.mu.Unlock()
	return len(s.commits.queue) == 0 && len(s.commits.taken) == 0 && s.commits.flushers == 0 && !s.commits.indexing
}

// blockers numbers the calls of occupyFlusher.
var blockers atomic.Int64

// occupyFlusher closes g's gate and starts one Enqueue, which the flusher takes and holds at the
// gate; small calls enqueued next queue up behind it. The returned wait waits for that call.
func occupyFlusher(t *testing.T, s *Scheduler, g *gatedStore) (wait func()) {
	t.Helper()
	g.close()
	for len(g.entered) > 0 {
		<-g.entered
	}
	key := fmt.Sprintf("blocker:%d", blockers.Add(1))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Enqueue(context.Background(), Job{Kind: "x", Key: key, DueAt: time.Now().Add(time.Hour)}); err != nil {
			t.Errorf("blocker: %v", err)
		}
	})
	g.waitEntered(t, 1)
	return wg.Wait
}

// enqueueAsync starts an Enqueue and waits until it is queued; its error arrives on the channel.
func enqueueAsync(t *testing.T, ctx context.Context, s *Scheduler, j Job) <-chan error {
	t.Helper()
	before := queued(s)
	done := make(chan error, 1)
	go func() { done <- s.Enqueue(ctx, j) }()
	eventually(t, "the call is queued", func() bool { return queued(s) > before })
	return done
}

func recvErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(waitTimeout):
		t.Fatal("Enqueue did not return")
		return nil
	}
}

func TestConcurrentEnqueuesFireOnceAtTheLastTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	rec := newRecorder()
	s.Handle("checkin", rec.handle)
	start(t, s)
	ctx := context.Background()

	// 64 callers at once. Each reschedules its own keys (first an hour away, then soon), and all
	// of them enqueue the shared keys an hour away, which are finally moved to soon once they
	// are done. Some calls are EnqueueMany with the same key twice: the later one wins.
	const callers, own, shared = 64, 12, 16
	base := time.Now().Add(500 * time.Millisecond)
	want := make(map[string]time.Time)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range callers {
		wg.Go(func() {
			for i := range own {
				key := fmt.Sprintf("checkin:own:%02d:%02d", g, i)
				due := base.Add(time.Duration(rand.IntN(500)) * time.Millisecond)
				far := Job{Kind: "checkin", Key: key, TeamID: "T1", Payload: []byte("far"), DueAt: time.Now().Add(time.Hour)}
				last := Job{Kind: "checkin", Key: key, TeamID: "T1", Payload: []byte("last"), DueAt: due}
				var err error
				if i%3 == 0 {
					err = s.EnqueueMany(ctx, []Job{far, last})
				} else if err = s.Enqueue(ctx, far); err == nil {
					err = s.Enqueue(ctx, last)
				}
				if err != nil {
					t.Errorf("enqueue %s: %v", key, err)
					return
				}
				mu.Lock()
				want[key] = due
				mu.Unlock()
				sh := fmt.Sprintf("checkin:shared:%02d", rand.IntN(shared))
				if err := s.Enqueue(ctx, Job{Kind: "checkin", Key: sh, TeamID: "T1", Payload: []byte("far"), DueAt: time.Now().Add(time.Hour)}); err != nil {
					t.Errorf("enqueue %s: %v", sh, err)
				}
			}
		})
	}
	wg.Wait()
	for i := range shared {
		key := fmt.Sprintf("checkin:shared:%02d", i)
		due := base.Add(time.Duration(rand.IntN(500)) * time.Millisecond)
		want[key] = due
		wg.Go(func() {
			if err := s.Enqueue(ctx, Job{Kind: "checkin", Key: key, TeamID: "T1", Payload: []byte("last"), DueAt: due}); err != nil {
				t.Errorf("enqueue %s: %v", key, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	rec.waitDistinct(t, len(want))
	eventually(t, "every fire is recorded", func() bool { return e.drained(t) })
	eventually(t, "the committer is idle", func() bool { return idle(s) })
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.fires) != len(want) {
		t.Errorf("%d fires for %d jobs", len(rec.fires), len(want))
	}
	for _, f := range rec.fires {
		due, ok := want[f.job.Key]
		switch {
		case !ok:
			t.Errorf("unexpected job %s fired", f.job.Key)
		case string(f.job.Payload) != "last" || !f.job.DueAt.Equal(ceilMicro(due)):
			t.Errorf("%s fired %q due %v, want the last version, due %v", f.job.Key, f.job.Payload, f.job.DueAt, due)
		case f.at.Before(due):
			t.Errorf("%s fired %v early", f.job.Key, due.Sub(f.at))
		}
	}
	for key, c := range rec.count {
		if c != 1 {
			t.Errorf("%s fired %d times", key, c)
		}
	}
}

func TestQueuedCallsShareOneBatchAndTheLastWins(t *testing.T) {
	t.Parallel()
	e, g, s := gatedEnv(t)
	ctx := context.Background()
	waitBlockers := occupyFlusher(t, s, g)

	due := time.Now().Add(time.Hour)
	first := enqueueAsync(t, ctx, s, Job{Kind: "x", Key: "k", TeamID: "T1", Payload: []byte("first"), DueAt: due})
	other := enqueueAsync(t, ctx, s, Job{Kind: "x", Key: "other", TeamID: "T1", DueAt: due})
	last := enqueueAsync(t, ctx, s, Job{Kind: "x", Key: "k", TeamID: "T1", Payload: []byte("last"), DueAt: due.Add(time.Minute)})
	g.reopen()
	for _, ch := range []<-chan error{first, other, last} {
		if err := recvErr(t, ch); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	waitBlockers()

	g.mu.Lock()
	calls := slices.Clone(g.calls)
	g.mu.Unlock()
	if len(calls) != 2 {
		t.Fatalf("%d UpsertJobs calls, want one for the blocker and one for the three queued calls", len(calls))
	}
	batch := calls[len(calls)-1]
	if len(batch) != 2 {
		t.Fatalf("the queued calls were written as %+v, want one row per key", batch)
	}
	j, ok, err := e.jobs.JobByKey(ctx, "k")
	if err != nil || !ok || string(j.Payload) != "last" || !j.DueAt.Equal(ceilMicro(due.Add(time.Minute))) {
		t.Fatalf("job k = %+v, %v, %v, want the last one", j, ok, err)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.indexed(t); due != 3 {
		t.Fatalf("%d jobs indexed, want the blocker's, k and other", due)
	}
	eventually(t, "the committer is idle", func() bool { return idle(s) })
}

func TestAFullBatchIsWrittenAlongsideOnlySmallCallsWait(t *testing.T) {
	t.Parallel()
	e, g, s := gatedEnv(t)
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	many := func(prefix string) []Job {
		jobs := make([]Job, enqueueChunk)
		for i := range jobs {
			jobs[i] = Job{Kind: "x", Key: fmt.Sprintf("%s:%04d", prefix, i), TeamID: "T1", DueAt: due}
		}
		return jobs
	}

	// Small calls queued behind a batch being written wait for it: one batch at a time.
	waitBlocker := occupyFlusher(t, s, g)
	small := make([]<-chan error, 3)
	for i := range small {
		small[i] = enqueueAsync(t, ctx, s, Job{Kind: "x", Key: fmt.Sprintf("small:%d", i), TeamID: "T1", DueAt: due})
	}
	select {
	case <-g.entered:
		t.Fatal("a second batch was written alongside for three small calls")
	case <-time.After(100 * time.Millisecond):
	}

	// Once a full batch queues up too, a second flusher writes alongside, from the head of the
	// queue: the small calls (the bulk call would make that batch too large), then the bulk.
	bulk := make(chan error, 1)
	go func() { bulk <- s.EnqueueMany(ctx, many("bulk")) }()
	g.waitEntered(t, 1)
	g.mu.Lock()
	second := g.calls[len(g.calls)-1]
	g.mu.Unlock()
	if len(second) != len(small) || !strings.HasPrefix(second[0].Key, "small:") {
		t.Fatalf("the batch written alongside holds %d rows (%s…), want the %d small calls", len(second), second[0].Key, len(small))
	}
	g.reopen()
	waitBlocker()
	for _, ch := range append(small, bulk) {
		if err := recvErr(t, ch); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	if n := e.stored(t); n != 1+len(small)+enqueueChunk {
		t.Fatalf("%d jobs stored, want %d", n, 1+len(small)+enqueueChunk)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.indexed(t); due != int64(1+len(small)+enqueueChunk) {
		t.Fatalf("%d jobs indexed, want %d", due, 1+len(small)+enqueueChunk)
	}
	eventually(t, "the committer is idle", func() bool { return idle(s) })
}

func TestBatchErrorsReachEachCaller(t *testing.T) {
	t.Parallel()
	e, g, s := gatedEnv(t)
	ctx := context.Background()
	due := time.Now().Add(time.Hour)
	job := func(key string) Job { return Job{Kind: "x", Key: key, TeamID: "T1", DueAt: due} }

	// One job Postgres refuses fails its call alone; the others in its batch are stored.
	waitBlockers := occupyFlusher(t, s, g)
	good1 := enqueueAsync(t, ctx, s, job("good:1"))
	bad := enqueueAsync(t, ctx, s, job("poison:1"))
	good2 := enqueueAsync(t, ctx, s, job("good:2"))
	g.reopen()
	if err := recvErr(t, bad); err == nil || !strings.Contains(err.Error(), "refused poison:1") {
		t.Fatalf("Enqueue of the refused job = %v, want its error", err)
	}
	for _, ch := range []<-chan error{good1, good2} {
		if err := recvErr(t, ch); err != nil {
			t.Fatalf("Enqueue batched with a refused job: %v", err)
		}
	}
	waitBlockers()
	for _, key := range []string{"good:1", "good:2"} {
		if _, ok, err := e.jobs.JobByKey(ctx, key); err != nil || !ok {
			t.Fatalf("%s stored = %v, %v", key, ok, err)
		}
	}

	// Postgres down: every caller hears it, nothing is stored; once it is back, so are enqueues.
	g.setDown(true)
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Go(func() { errs[i] = s.Enqueue(ctx, job(fmt.Sprintf("down:%02d", i))) })
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, errPostgresDown) {
			t.Errorf("Enqueue %d while Postgres is down = %v", i, err)
		}
	}
	g.setDown(false)
	if err := s.Enqueue(ctx, job("down:00")); err != nil {
		t.Fatalf("Enqueue once Postgres is back: %v", err)
	}
	if n := e.stored(t); n != 4 {
		t.Fatalf("%d jobs stored, want the blocker, good:1, good:2 and down:00", n)
	}
	eventually(t, "the committer is idle", func() bool { return idle(s) })
}

func TestCancelledCallerLeavesItsBatch(t *testing.T) {
	t.Parallel()
	e, g, s := gatedEnv(t)
	due := time.Now().Add(time.Hour)
	job := func(key string) Job { return Job{Kind: "x", Key: key, TeamID: "T1", DueAt: due} }

	// Cancelled while queued: it returns at once and its job is left out of the batch.
	waitBlockers := occupyFlusher(t, s, g)
	qctx, cancelQueued := context.WithCancel(context.Background())
	queuedCall := enqueueAsync(t, qctx, s, job("queued:cancelled"))
	kept := enqueueAsync(t, context.Background(), s, job("queued:kept"))
	cancelQueued()
	if err := recvErr(t, queuedCall); !errors.Is(err, context.Canceled) {
		t.Fatalf("Enqueue cancelled while queued = %v, want context.Canceled", err)
	}
	g.reopen()
	if err := recvErr(t, kept); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	waitBlockers()
	if _, ok, _ := e.jobs.JobByKey(context.Background(), "queued:cancelled"); ok {
		t.Fatal("the job of a call cancelled while queued was stored")
	}

	// Cancelled while its batch is written: it returns at once, the batch goes on for the rest.
	waitBlockers = occupyFlusher(t, s, g)
	wctx, cancelWriting := context.WithCancel(context.Background())
	writingCall := enqueueAsync(t, wctx, s, job("writing:cancelled"))
	others := enqueueAsync(t, context.Background(), s, job("writing:kept"))
	g.pass(1)
	waitBlockers()
	// The blocker is done, so the flusher takes the two queued calls and waits at the gate.
	g.waitEntered(t, 1)
	cancelWriting()
	if err := recvErr(t, writingCall); !errors.Is(err, context.Canceled) {
		t.Fatalf("Enqueue cancelled while written = %v, want context.Canceled", err)
	}
	g.reopen()
	if err := recvErr(t, others); err != nil {
		t.Fatalf("Enqueue batched with a cancelled call: %v", err)
	}
	if _, ok, err := e.jobs.JobByKey(context.Background(), "writing:kept"); err != nil || !ok {
		t.Fatalf("writing:kept stored = %v, %v", ok, err)
	}

	// An already cancelled context is refused up front.
	if err := s.Enqueue(qctx, job("late")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Enqueue with a cancelled context = %v", err)
	}
	eventually(t, "the committer is idle", func() bool { return idle(s) })
}

// TestEnqueueLeavesNoGoroutine is not parallel: it counts the process's goroutines.
func TestEnqueueLeavesNoGoroutine(t *testing.T) {
	e := newEnv(t)
	s := e.scheduler(t, nil)
	ctx := context.Background()
	storm := func(round int) {
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Go(func() {
				for i := range 20 {
					key := fmt.Sprintf("leak:%d:%02d:%02d", round, g, i)
					if err := s.Enqueue(ctx, Job{Kind: "x", Key: key, TeamID: "T1", DueAt: time.Now().Add(time.Hour)}); err != nil {
						t.Errorf("Enqueue: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	// The first round opens the connections and prepares the statement.
	storm(0)
	eventually(t, "the committer is idle", func() bool { return idle(s) })
	before := runtime.NumGoroutine()
	storm(1)
	eventually(t, "the committer is idle", func() bool { return idle(s) })
	eventually(t, "the goroutines are gone", func() bool { return runtime.NumGoroutine() <= before })
	if n := e.stored(t); n != 2*64*20 {
		t.Fatalf("%d jobs stored, want %d", n, 2*64*20)
	}
}

// slowRebuildStore is a JobStore whose PendingJobsAfter, which only rebuilds use, waits until
// release is closed.
type slowRebuildStore struct {
	JobStore
	release chan struct{}
}

func (s slowRebuildStore) PendingJobsAfter(ctx context.Context, afterKey string, limit int) ([]JobVersion, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.JobStore.PendingJobsAfter(ctx, afterKey, limit)
}

func TestRunClaimsBeforeTheRebuildOnlyWhenRedisKeptTheIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	slow := slowRebuildStore{JobStore: e.jobs, release: make(chan struct{})}
	rec := newRecorder()
	s := e.scheduler(t, func(c *Config) { c.Store = slow })
	s.Handle("checkin", rec.handle)
	if err := s.Enqueue(ctx, Job{Kind: "checkin", Key: "indexed", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}
	// A job that only Postgres has, as if its index entry was lost: only a rebuild finds it.
	if _, err := e.jobs.UpsertJobs(ctx, []JobRow{{Key: "unindexed", TeamID: "T1", Kind: "checkin", DueAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}

	// No built marker: Run rebuilds before it claims anything.
	runCtx, cancel := context.WithCancel(ctx)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.run(runCtx, started) }()
	select {
	case <-started:
		t.Fatal("Run claimed jobs before rebuilding an index Redis had never built")
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Run cancelled during its first rebuild returned no error")
	}
	if rec.times("indexed") != 0 {
		t.Fatal("a job fired before the rebuild")
	}

	// With the marker (Redis kept its data): Run claims at once and rebuilds alongside.
	if err := e.rdb.Set(ctx, newKeys(e.prefix).built, 1, 0).Err(); err != nil {
		t.Fatal(err)
	}
	start(t, s)
	if f := rec.next(t); f.job.Key != "indexed" {
		t.Fatalf("fired %s, want the indexed job", f.job.Key)
	}
	close(slow.release)
	if f := rec.next(t); f.job.Key != "unindexed" {
		t.Fatalf("fired %s, want the job the rebuild found", f.job.Key)
	}
	eventually(t, "every fire is recorded", func() bool { return e.drained(t) })
}

// indexGate is a Redis hook that holds every call of the index script while it is closed.
type indexGate struct {
	open chan struct{}
}

func (g *indexGate) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g *indexGate) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if args := cmd.Args(); cmd.Name() == "evalsha" && len(args) > 1 && args[1] == scheduleScript.Hash() {
			<-g.open
		}
		return next(ctx, cmd)
	}
}

func (g *indexGate) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// gatedIndex returns a Redis client whose index script calls wait until the returned open is
// called.
func gatedIndex(t *testing.T) (redis.UniversalClient, func()) {
	t.Helper()
	rdb := newRedis(t, -1)
	if err := scheduleScript.Load(context.Background(), rdb).Err(); err != nil {
		t.Fatal(err)
	}
	g := &indexGate{open: make(chan struct{})}
	rdb.AddHook(g)
	return rdb, sync.OnceFunc(func() { close(g.open) })
}

// notYet fails if ch delivers within a short while: the call it waits for must still be blocked.
func notYet(t *testing.T, what string, ch <-chan error) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("%s returned (%v) before the index script could run", what, err)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestEnqueueReturnsOnceCommittedAndIndexesRightAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rdb, open := gatedIndex(t)
	defer open()
	s := e.scheduler(t, func(c *Config) { c.Redis = rdb })
	other := e.scheduler(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	soon := time.Now().Add(300 * time.Millisecond)
	job := func(key string, due time.Time) Job { return Job{Kind: "x", Key: key, TeamID: "T1", DueAt: due} }

	// The index script is held, yet each Enqueue returns: its job is committed to Postgres.
	for _, j := range []Job{job("cancelled-here", time.Now().Add(time.Hour)), job("cancelled-elsewhere", soon), job("rescheduled", soon)} {
		if err := s.Enqueue(ctx, j); err != nil {
			t.Fatalf("Enqueue(%s) while Redis is slow: %v", j.Key, err)
		}
	}
	if n := e.stored(t); n != 3 {
		t.Fatalf("%d jobs stored, want 3", n)
	}
	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if err := s.WaitIndexed(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitIndexed while the index script is held = %v", err)
	}

	// Another process cancels before the index entry lands: the job is cancelled for good.
	if res, err := other.Cancel(ctx, "cancelled-elsewhere"); err != nil || res != Cancelled {
		t.Fatalf("Cancel from another process = %v, %v, want cancelled", res, err)
	}
	// This process waits for its own enqueue to be indexed, then takes that entry out; a
	// reschedule of a key waits for the enqueue before it, so versions are indexed in order.
	cancelHere := make(chan error, 1)
	go func() {
		res, err := s.Cancel(ctx, "cancelled-here")
		if err == nil && res != Cancelled {
			err = fmt.Errorf("answered %v", res)
		}
		cancelHere <- err
	}()
	reschedule := make(chan error, 1)
	go func() { reschedule <- s.Enqueue(ctx, job("rescheduled", time.Now().Add(time.Hour))) }()
	notYet(t, "Cancel in the enqueuing process", cancelHere)
	notYet(t, "a reschedule of a key being indexed", reschedule)

	open()
	for what, ch := range map[string]<-chan error{"Cancel": cancelHere, "reschedule": reschedule} {
		if err := recvErr(t, ch); err != nil {
			t.Fatalf("%s once the index script ran: %v", what, err)
		}
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatalf("WaitIndexed: %v", err)
	}
	members, err := e.rdb.ZRange(ctx, newKeys(e.prefix).due, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	j, ok, err := e.jobs.JobByKey(ctx, "rescheduled")
	if err != nil || !ok {
		t.Fatalf("rescheduled job: %v, %v", ok, err)
	}
	// The entry of the job cancelled elsewhere arrived after the cancel, which had read its version
	// from Postgres: it is not indexed, and nothing of that job is left to fire.
	want := member("rescheduled", j.Version)
	if len(members) != 1 || members[0] != want {
		t.Fatalf("due set = %v, want only %s", members, want)
	}
	e.checkVersionsNameDue(t)
	if row, entry := e.rowAndEntry(t, "cancelled-elsewhere"); row || entry {
		t.Fatalf("the job cancelled before its index entry landed: stored %v, indexed %v", row, entry)
	}
	eventually(t, "the committer is idle", func() bool { return idle(s) })
}

// A job a rebuild from Postgres indexed before its own enqueue did, and that a worker claimed, is
// not indexed again when the enqueue's index call lands: it would run twice.
func TestAJobIndexedByARebuildAndClaimedRunsOnceWhenItsEnqueueIndexesLate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rdb, open := gatedIndex(t)
	defer open()
	enqueuer := e.scheduler(t, func(c *Config) { c.Redis = rdb })
	worker := e.scheduler(t, nil)
	var fires atomic.Int32
	running, finish := make(chan struct{}, 2), make(chan struct{})
	worker.Handle("x", func(ctx context.Context, j Job) error {
		fires.Add(1)
		running <- struct{}{}
		<-finish
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := enqueuer.Enqueue(ctx, Job{Kind: "x", Key: "late-index", TeamID: "T1", DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	start(t, worker) // its first rebuild indexes the job; then it claims it
	select {
	case <-running:
	case <-ctx.Done():
		t.Fatal("the job did not run")
	}
	open()
	if err := enqueuer.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	if due, leased := e.indexed(t); due != 0 || leased != 1 {
		t.Fatalf("after the late index: %d due, %d leased; want only the running lease", due, leased)
	}
	close(finish)
	eventually(t, "the fire is recorded", func() bool { return e.drained(t) })
	if n := fires.Load(); n != 1 {
		t.Errorf("the job ran %d times, want once", n)
	}
}
