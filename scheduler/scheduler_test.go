package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	baton "github.com/batonhq/baton"
)

func TestFiresInDueOrderNeverEarly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// One worker runs jobs one at a time, in the order they are claimed.
	s := e.scheduler(t, func(c *Config) { c.Workers = 1 })
	rec := newRecorder()
	s.Handle("checkin", rec.handle)
	start(t, s)

	const n = 150
	base := time.Now().Add(200 * time.Millisecond)
	due := make(map[string]time.Time, n)
	jobs := make([]Job, n)
	for i, k := range rand.Perm(n) {
		key := fmt.Sprintf("checkin:T1:%03d", k)
		// Spread over 1.5 s, at odd nanoseconds, so rounding to microseconds is exercised.
		due[key] = base.Add(time.Duration(k)*10*time.Millisecond + 777*time.Nanosecond)
		jobs[i] = Job{Kind: "checkin", Key: key, TeamID: "T1", Payload: []byte(`{"k":` + fmt.Sprint(k) + `}`), DueAt: due[key]}
	}
	if err := s.EnqueueMany(context.Background(), jobs); err != nil {
		t.Fatalf("EnqueueMany: %v", err)
	}

	var order []string
	for range n {
		f := rec.next(t)
		if f.at.Before(due[f.job.Key]) {
			t.Errorf("%s fired %v early", f.job.Key, due[f.job.Key].Sub(f.at))
		}
		if f.job.DueAt.Before(due[f.job.Key]) || f.job.Attempt != 1 || f.job.TeamID != "T1" || len(f.job.Payload) == 0 {
			t.Errorf("handler got %+v", f.job)
		}
		order = append(order, f.job.Key)
	}
	if !slices.IsSorted(order) {
		t.Errorf("jobs fired out of due order: %v", order)
	}
	eventually(t, "every fire is recorded", func() bool { return e.drained(t) })
	for key := range due {
		if c := rec.times(key); c != 1 {
			t.Errorf("%s fired %d times", key, c)
		}
	}
}

func TestRescheduleMovesJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Workers = 1 })
	rec := newRecorder()
	s.Handle("nudge", rec.handle)
	start(t, s)
	ctx := context.Background()
	now := time.Now()

	enqueue := func(key, payload string, due time.Time) {
		t.Helper()
		if err := s.Enqueue(ctx, Job{Kind: "nudge", Key: key, TeamID: "T1", Payload: []byte(payload), DueAt: due}); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	// later moves from 300 ms to an hour away; sooner from an hour away to 600 ms; the sentinel,
	// due last, proves that the old time of later passed without a fire.
	enqueue("later", "v1", now.Add(300*time.Millisecond))
	enqueue("sooner", "v1", now.Add(time.Hour))
	enqueue("later", "v2", now.Add(time.Hour))
	enqueue("sooner", "v2", now.Add(600*time.Millisecond))
	enqueue("sentinel", "v1", now.Add(900*time.Millisecond))

	first, second := rec.next(t), rec.next(t)
	if first.job.Key != "sooner" || string(first.job.Payload) != "v2" || first.at.Before(now.Add(600*time.Millisecond)) {
		t.Fatalf("first fire = %s %q at %v, want sooner v2 no earlier than its new time", first.job.Key, first.job.Payload, first.at.Sub(now))
	}
	if second.job.Key != "sentinel" {
		t.Fatalf("second fire = %s, want the sentinel: the old time of a rescheduled job fired", second.job.Key)
	}
	if rec.times("later") != 0 {
		t.Fatal("a job rescheduled an hour away fired")
	}
	if due, _ := e.indexed(t); due != 1 {
		t.Fatalf("%d jobs indexed, want only the rescheduled one", due)
	}
}

func TestCancelAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.MaxAttempts = 1 })
	started := make(chan struct{})
	release := make(chan struct{})
	s.Handle("block", func(context.Context, Job) error {
		close(started)
		<-release
		return nil
	})
	s.Handle("fail", func(context.Context, Job) error { return errFailing })
	start(t, s)
	ctx := context.Background()

	cancel := func(key string, want CancelResult) {
		t.Helper()
		got, err := s.Cancel(ctx, key)
		if err != nil {
			t.Fatalf("Cancel(%s): %v", key, err)
		}
		if got != want {
			t.Fatalf("Cancel(%s) = %v, want %v", key, got, want)
		}
	}

	cancel("missing", NotFound)

	if err := s.Enqueue(ctx, Job{Kind: "block", Key: "future", TeamID: "T1", DueAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cancel("future", Cancelled)
	cancel("future", NotFound)
	if n := e.stored(t); n != 0 {
		t.Fatalf("%d jobs stored after cancel", n)
	}
	if due, _ := e.indexed(t); due != 0 {
		t.Fatalf("%d jobs indexed after cancel", due)
	}

	if err := s.Enqueue(ctx, Job{Kind: "block", Key: "now", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}
	<-started
	cancel("now", AlreadyRunning)
	close(release)
	eventually(t, "the running job is recorded", func() bool { return e.drained(t) })
	cancel("now", NotFound)

	if err := s.Enqueue(ctx, Job{Kind: "fail", Key: "parked", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the failing job is parked", func() bool {
		p, err := s.Parked(ctx, "T1")
		return err == nil && len(p) == 1
	})
	cancel("parked", Cancelled)
	if p, err := s.Parked(ctx, "T1"); err != nil || len(p) != 0 {
		t.Fatalf("Parked after cancel = %v, %v", p, err)
	}
}

func TestConcurrentSchedulersFireEachJobOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := newRecorder()
	var stops []func()
	for range 4 {
		s := e.scheduler(t, func(c *Config) { c.Workers = 16; c.BatchSize = 32 })
		s.Handle("escalate", rec.handle)
		stops = append(stops, start(t, s))
	}

	const n = 2000
	jobs := make([]Job, n)
	now := time.Now()
	for i := range jobs {
		jobs[i] = Job{Kind: "escalate", Key: fmt.Sprintf("escalate:T1:%04d", i), TeamID: "T1",
			DueAt: now.Add(time.Duration(rand.IntN(500)) * time.Millisecond)}
	}
	if err := New(Config{Redis: e.rdb, Store: e.jobs, Prefix: e.prefix}).EnqueueMany(context.Background(), jobs); err != nil {
		t.Fatalf("EnqueueMany: %v", err)
	}
	rec.waitDistinct(t, n)
	eventually(t, "every fire is recorded", func() bool { return e.drained(t) })
	for _, stop := range stops {
		stop()
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.fires) != n {
		t.Errorf("%d fires for %d jobs", len(rec.fires), n)
	}
	for key, c := range rec.count {
		if c != 1 {
			t.Errorf("%s fired %d times", key, c)
		}
	}
}

func TestExpiredLeaseRunsJobAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Lease = time.Second })
	type call struct {
		attempt int
		ctx     context.Context
	}
	calls := make(chan call, 2)
	unblock := make(chan struct{})
	var mu sync.Mutex
	runs := 0
	s.Handle("watch", func(ctx context.Context, j Job) error {
		mu.Lock()
		runs++
		first := runs == 1
		mu.Unlock()
		calls <- call{attempt: j.Attempt, ctx: ctx}
		if first {
			// A hung worker: it ignores its deadline and blocks past the lease.
			<-unblock
		}
		return nil
	})
	start(t, s)
	if err := s.Enqueue(context.Background(), Job{Kind: "watch", Key: "watch:T1:T-1", TeamID: "T1"}); err != nil {
		t.Fatal(err)
	}

	recv := func() call {
		t.Helper()
		select {
		case c := <-calls:
			return c
		case <-time.After(waitTimeout):
			t.Fatal("handler not called in time")
			return call{}
		}
	}
	first := recv()
	second := recv()
	if first.ctx.Err() == nil {
		t.Error("the job ran again while its first run still held the lease")
	}
	if second.attempt != 1 {
		t.Errorf("rerun after a lost lease has attempt %d, want 1 (a crash is not a failure)", second.attempt)
	}
	close(unblock)
	eventually(t, "the job is recorded", func() bool { return e.drained(t) })
}

func TestFlushAndRestartLoseNothing(t *testing.T) {
	t.Parallel()
	// This test empties its Redis: it runs on a logical database no other test uses.
	pg := newEnv(t)
	db := pg.db
	rdb := newRedis(t, flushDB)
	e := &env{db: db, jobs: pg.jobs, rdb: rdb, prefix: testPrefix(t, rdb)}
	ctx := context.Background()
	rec := newRecorder()
	newScheduler := func() *Scheduler {
		s := e.scheduler(t, nil)
		s.Handle("checkin", rec.handle)
		return s
	}
	flush := func() {
		t.Helper()
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			t.Fatalf("FLUSHDB: %v", err)
		}
	}

	now := time.Now()
	var jobs []Job
	for i := range 300 {
		due := now
		if i >= 100 {
			due = now.Add(time.Hour)
		}
		jobs = append(jobs, Job{Kind: "checkin", Key: fmt.Sprintf("checkin:T1:%03d", i), TeamID: "T1", DueAt: due})
	}
	first := newScheduler()
	if err := first.EnqueueMany(ctx, jobs); err != nil {
		t.Fatalf("EnqueueMany: %v", err)
	}
	stop := start(t, first)
	rec.waitDistinct(t, 100)
	stop()

	// Redis loses everything while no bot runs. The 200 later jobs are moved to now in Postgres
	// only (as if rescheduled while Redis was gone), so the restart must find them there.
	flush()
	if _, err := db.ExecContext(ctx, `UPDATE jobs SET due_at = now()`); err != nil {
		t.Fatal(err)
	}
	second := newScheduler()
	start(t, second)
	rec.waitDistinct(t, 300)
	eventually(t, "every fire is recorded", func() bool { return e.drained(t) })

	// Redis loses everything while the bot runs: a claim notices and the index is rebuilt.
	var more []Job
	for i := range 100 {
		more = append(more, Job{Kind: "checkin", Key: fmt.Sprintf("checkin:T2:%03d", i), TeamID: "T2",
			DueAt: time.Now().Add(300 * time.Millisecond)})
	}
	if err := second.EnqueueMany(ctx, more); err != nil {
		t.Fatalf("EnqueueMany: %v", err)
	}
	flush()
	rec.waitDistinct(t, 400)
	eventually(t, "every fire is recorded", func() bool { return e.drained(t) })

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.fires) != 400 {
		t.Errorf("%d fires for 400 jobs", len(rec.fires))
	}
	for key, c := range rec.count {
		if c != 1 {
			t.Errorf("%s fired %d times", key, c)
		}
	}
}

// racers starts two schedulers that run "race" jobs into rec, and returns a third that runs none,
// for the test to enqueue and cancel with while the two claim.
func (e *env) racers(t *testing.T, rec *recorder) *Scheduler {
	t.Helper()
	for range 2 {
		s := e.scheduler(t, nil)
		s.Handle("race", rec.handle)
		start(t, s)
	}
	return e.scheduler(t, nil)
}

func TestCancelAndRescheduleRacingClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := newRecorder()
	client := e.racers(t, rec)
	ctx := context.Background()

	const iterations = 400
	cancelled := make(map[string]CancelResult)
	type reschedule struct {
		version  JobVersion
		returned time.Time
	}
	rescheduled := make(map[string]reschedule)
	for i := range iterations {
		key := fmt.Sprintf("race:%03d", i)
		due := time.Now().Add(time.Duration(rand.IntN(6000)) * time.Microsecond)
		if err := client.Enqueue(ctx, Job{Kind: "race", Key: key, TeamID: "T1", Payload: []byte("v1"), DueAt: due}); err != nil {
			t.Fatal(err)
		}
		// Due within 6 ms and changed after a jitter of up to 2 ms: the claim lands before,
		// during or after the change.
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		if i%2 == 0 {
			res, err := client.Cancel(ctx, key)
			if err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			cancelled[key] = res
			continue
		}
		res, err := client.enqueue(ctx, []Job{{Kind: "race", Key: key, TeamID: "T1", Payload: []byte("v2"), DueAt: time.Now().Add(time.Hour)}})
		if err != nil {
			t.Fatalf("reschedule: %v", err)
		}
		rescheduled[key] = reschedule{version: res[0], returned: time.Now()}
	}
	eventually(t, "nothing is due or running", func() bool {
		var due int
		if err := e.db.GetContext(ctx, &due, `SELECT count(*) FROM jobs WHERE due_at <= now()`); err != nil {
			t.Fatal(err)
		}
		_, leased := e.indexed(t)
		return due == 0 && leased == 0
	})

	rec.mu.Lock()
	defer rec.mu.Unlock()
	answers := make(map[CancelResult]int)
	for key, res := range cancelled {
		answers[res]++
		want := 1
		if res == Cancelled {
			want = 0
		}
		if got := rec.count[key]; got != want {
			t.Errorf("%s: Cancel answered %v and the job fired %d times", key, res, got)
		}
	}
	// An old version may fire only if a worker loaded it before the reschedule was committed: it
	// ran before (the reschedule then found no job to replace), it started while the reschedule
	// was under way, or it was claimed before the reschedule returned and started a moment later.
	// A handler that starts after the reschedule returned, from a claim made after it, ran a
	// version Postgres no longer held.
	firedBefore, firedDuring, firedClaimed := 0, 0, 0
	for _, f := range rec.fires {
		res, ok := rescheduled[f.job.Key]
		if !ok {
			continue
		}
		if string(f.job.Payload) != "v1" {
			t.Errorf("%s fired its rescheduled version %q an hour early", f.job.Key, f.job.Payload)
			continue
		}
		switch claimed := f.deadline.Add(-DefaultLease); {
		case res.version.Prev == 0:
			firedBefore++
		case !f.at.After(res.returned):
			firedDuring++
		case !claimed.After(res.returned):
			firedClaimed++
		default:
			t.Errorf("%s fired its old version, claimed %v after it was rescheduled", f.job.Key, claimed.Sub(res.returned))
		}
	}
	for key := range rescheduled {
		if c := rec.count[key]; c > 1 {
			t.Errorf("%s fired %d times", key, c)
		}
	}
	// The rescheduled versions, due in an hour, are named in the versions hash, so that their
	// cancels need not read Postgres.
	if err := client.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	versions := e.versions(t)
	for key, res := range rescheduled {
		if got := versions[key]; got != res.version.Version {
			t.Errorf("the versions hash has %s at version %d, want %d", key, got, res.version.Version)
		}
	}
	e.checkVersionsNameDue(t)
	t.Logf("cancel answers %v; of %d rescheduled jobs, old versions ran before %d, during %d, and claimed before it returned %d",
		answers, len(rescheduled), firedBefore, firedDuring, firedClaimed)
}

func TestFailingJobBacksOffThenParks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	backoff := func(attempt int) time.Duration { return time.Duration(attempt) * 30 * time.Millisecond }
	s := e.scheduler(t, func(c *Config) { c.MaxAttempts = 3; c.Backoff = backoff })
	var mu sync.Mutex
	failing := true
	rec := newRecorder()
	s.Handle("remind", func(ctx context.Context, j Job) error {
		_ = rec.handle(ctx, j)
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return fmt.Errorf("attempt %d: %w", j.Attempt, errFailing)
		}
		return nil
	})
	start(t, s)
	ctx := context.Background()
	for _, key := range []string{"remind:T1:a", "remind:T1:b"} {
		if err := s.Enqueue(ctx, Job{Kind: "remind", Key: key, TeamID: "T1"}); err != nil {
			t.Fatal(err)
		}
	}

	last := make(map[string]fire)
	for range 6 {
		f := rec.next(t)
		prev, ok := last[f.job.Key]
		wantAttempt := 1
		if ok {
			wantAttempt = prev.job.Attempt + 1
			if wait := f.at.Sub(prev.at); wait < backoff(prev.job.Attempt) {
				t.Errorf("%s: attempt %d came %v after the failure, want at least %v", f.job.Key, f.job.Attempt, wait, backoff(prev.job.Attempt))
			}
		}
		if f.job.Attempt != wantAttempt {
			t.Errorf("%s: attempt %d, want %d", f.job.Key, f.job.Attempt, wantAttempt)
		}
		last[f.job.Key] = f
	}
	var parked []ParkedJob
	eventually(t, "both jobs are parked", func() bool {
		var err error
		parked, err = s.Parked(ctx, "T1")
		return err == nil && len(parked) == 2
	})
	for _, p := range parked {
		if p.Attempt != 3 || p.LastError != "attempt 3: slack is down" || p.ParkedAt.IsZero() {
			t.Errorf("parked job = %+v", p)
		}
	}
	// A job is parked in Postgres first, then leaves the Redis index.
	eventually(t, "parked jobs leave the index", func() bool {
		due, leased := e.indexed(t)
		return due == 0 && leased == 0
	})
	if p, err := s.Parked(ctx, "T2"); err != nil || len(p) != 0 {
		t.Fatalf("Parked of another workspace = %v, %v", p, err)
	}

	mu.Lock()
	failing = false
	mu.Unlock()
	if err := s.Retry(ctx, "T1", "remind:T1:a"); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if f := rec.next(t); f.job.Key != "remind:T1:a" || f.job.Attempt != 1 {
		t.Fatalf("after Retry, fired %s attempt %d", f.job.Key, f.job.Attempt)
	}
	if err := s.Drop(ctx, "T1", "remind:T1:b"); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	eventually(t, "nothing is left", func() bool { return e.drained(t) })

	for _, err := range []error{s.Retry(ctx, "T1", "remind:T1:b"), s.Drop(ctx, "T1", "remind:T1:a")} {
		if baton.ErrorCode(err) != baton.ENotFound {
			t.Errorf("error %v, want not found", err)
		}
	}
}

func TestUnknownKindAndPanicsFail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.MaxAttempts = 1 })
	s.Handle("explode", func(context.Context, Job) error { panic("boom") })
	start(t, s)
	ctx := context.Background()
	if err := s.EnqueueMany(ctx, []Job{
		{Kind: "explode", Key: "a", TeamID: "T1"},
		{Kind: "nobody-handles-this", Key: "b", TeamID: "T1"},
	}); err != nil {
		t.Fatal(err)
	}
	var parked []ParkedJob
	eventually(t, "both jobs are parked", func() bool {
		var err error
		parked, err = s.Parked(ctx, "T1")
		return err == nil && len(parked) == 2
	})
	errs := map[string]string{parked[0].Key: parked[0].LastError, parked[1].Key: parked[1].LastError}
	if errs["a"] != "handler panicked: boom" || errs["b"] != `no handler for job kind "nobody-handles-this"` {
		t.Fatalf("parked errors = %q", errs)
	}
}

func TestWakesForEarlierJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	// With an hour-long idle sleep, only a wake-up can make a job fire within the test.
	s.idle = time.Hour
	idle := make(chan int64, 16)
	s.onIdle = func(until int64) {
		select {
		case idle <- until:
		default:
		}
	}
	rec := newRecorder()
	s.Handle("deadline", rec.handle)
	ctx := context.Background()

	far := ceilMicro(time.Now().Add(time.Hour))
	if err := s.Enqueue(ctx, Job{Kind: "deadline", Key: "far", TeamID: "T1", DueAt: far}); err != nil {
		t.Fatal(err)
	}
	start(t, s)
	sleepingOnFar := func() {
		t.Helper()
		for {
			select {
			case until := <-idle:
				if until == far.UnixMicro() {
					return
				}
			case <-time.After(waitTimeout):
				t.Fatal("the worker never slept until the far job")
			}
		}
	}

	// From another process: the wake-up travels through Redis pub/sub.
	sleepingOnFar()
	other := e.scheduler(t, nil)
	if err := other.Enqueue(ctx, Job{Kind: "deadline", Key: "remote", TeamID: "T1", DueAt: time.Now().Add(20 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	if f := rec.next(t); f.job.Key != "remote" {
		t.Fatalf("fired %s, want remote", f.job.Key)
	}

	// From this process: the enqueue wakes the worker directly.
	sleepingOnFar()
	if err := s.Enqueue(ctx, Job{Kind: "deadline", Key: "local", TeamID: "T1", DueAt: time.Now().Add(20 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	if f := rec.next(t); f.job.Key != "local" {
		t.Fatalf("fired %s, want local", f.job.Key)
	}
	if rec.times("far") != 0 {
		t.Fatal("the far job fired")
	}
}

func TestStaleIndexEntriesNeverFireEarly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	rec := newRecorder()
	s.Handle("checkin", rec.handle)
	ctx := context.Background()
	due := time.Now().Add(400 * time.Millisecond)
	if err := s.Enqueue(ctx, Job{Kind: "checkin", Key: "real", TeamID: "T1", DueAt: due}); err != nil {
		t.Fatal(err)
	}
	j, ok, err := e.jobs.JobByKey(ctx, "real")
	if err != nil || !ok {
		t.Fatalf("JobByKey: %v, %v", ok, err)
	}
	// Corrupt the index: the real job scored as due now, and entries Postgres does not confirm.
	k := newKeys(e.prefix)
	now := float64(time.Now().UnixMicro())
	if err := e.rdb.ZAdd(ctx, k.due,
		redisZ(now, member("real", j.Version)),
		redisZ(now, member("real", j.Version-1)),
		redisZ(now, member("ghost", 7)),
		redisZ(now, "no-version"),
	).Err(); err != nil {
		t.Fatal(err)
	}
	start(t, s)
	f := rec.next(t)
	if f.job.Key != "real" || f.at.Before(due) {
		t.Fatalf("fired %s %v before its due time", f.job.Key, due.Sub(f.at))
	}
	eventually(t, "the stale entries are gone", func() bool { return e.drained(t) })
	if got := rec.times("real"); got != 1 {
		t.Fatalf("real fired %d times", got)
	}
}

func TestEnqueueValidatesAndDeduplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	ctx := context.Background()
	if err := s.Enqueue(ctx, Job{Kind: "x"}); err == nil {
		t.Fatal("Enqueue without a key succeeded")
	}
	if err := s.Enqueue(ctx, Job{Key: "k"}); err == nil {
		t.Fatal("Enqueue without a kind succeeded")
	}
	later := time.Now().Add(time.Hour)
	err := s.EnqueueMany(ctx, []Job{
		{Kind: "x", Key: "k", TeamID: "T1", Payload: []byte("first")},
		{Kind: "x", Key: "other", TeamID: "T1", DueAt: later},
		{Kind: "x", Key: "k", TeamID: "T1", Payload: []byte("second"), DueAt: later},
	})
	if err != nil {
		t.Fatalf("EnqueueMany: %v", err)
	}
	j, ok, err := e.jobs.JobByKey(ctx, "k")
	if err != nil || !ok || string(j.Payload) != "second" || !j.DueAt.Equal(ceilMicro(later)) {
		t.Fatalf("job k = %+v, %v, %v, want the later one", j, ok, err)
	}
	if err := s.WaitIndexed(ctx); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.indexed(t); due != 2 {
		t.Fatalf("%d jobs indexed, want 2", due)
	}
}

func TestIndexBytesPerJob(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("enqueues 20,000 jobs")
	}
	e := newEnv(t)
	s := e.scheduler(t, nil)
	const n = 20000
	perJob := indexBytesPerJob(t, e, s, n)
	t.Logf("%.0f bytes of Redis per pending job (%d jobs)", perJob, n)
	if perJob > 400 {
		t.Fatalf("%.0f bytes of Redis per pending job, want at most 400", perJob)
	}
}

func TestKeysAndMembers(t *testing.T) {
	t.Parallel()
	if k := newKeys(""); k.due != "{baton}:due" || k.wake != "{baton}:wake" {
		t.Errorf("default keys = %+v", k)
	}
	if k := newKeys("staging"); k.lease != "{staging}:lease" {
		t.Errorf("prefix without a hash tag gives %q", k.lease)
	}
	if k := newKeys("app:{q1}"); k.cancels != "app:{q1}:cancels" {
		t.Errorf("prefix with a hash tag gives %q", k.cancels)
	}
	for _, key := range []string{"checkin:T1:C-5", "a|b", ""} {
		m := member(key, 123456789)
		gotKey, v, ok := parseMember(m)
		if !ok || gotKey != key || v != 123456789 {
			t.Errorf("parseMember(%q) = %q, %d, %v", m, gotKey, v, ok)
		}
	}
	for _, m := range []string{"nobar", "key|not-base36!"} {
		if _, _, ok := parseMember(m); ok {
			t.Errorf("parseMember(%q) succeeded", m)
		}
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 1500, time.UTC)
	if got := ceilMicro(at); !got.Equal(at.Add(500)) {
		t.Errorf("ceilMicro(%v) = %v", at, got)
	}
	if got := ceilMicro(at.Add(500)); !got.Equal(at.Add(500)) {
		t.Errorf("ceilMicro of a whole microsecond moved it to %v", got)
	}
	for attempt, want := range map[int]time.Duration{0: time.Second, 1: time.Second, 4: 8 * time.Second, 10: 512 * time.Second, 11: 10 * time.Minute, 60: 10 * time.Minute} {
		if got := DefaultBackoff(attempt); got != want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}
